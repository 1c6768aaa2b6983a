//! `minc build`: the deployable artifact of a Min file, a validated Wasm
//! module, and the metadata file that describes it (its exports with their
//! Min types, the data types whose values cross its boundary, and the
//! run-time library it imports).

use crate::checkers;
use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_analysis::interface::{Interface, Procedure};
use min_analysis::types::{Con, Type, TypePrinter};
use min_metadata::{
    CalledContract, ConstructorInfo, DataTypeInfo, ExportInfo, GasBound, HelperInfo, Imports, Metadata, ProcedureInfo,
    Role, Slot, TypeDesc, TypeInfo, VariantInfo,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use min_metadata::ABI_VERSION;

/// What `minc build` writes for one file.
pub struct Artifact {
    /// The module's name, which names the files.
    pub module: String,
    /// The Wasm module.
    pub wasm: Vec<u8>,
    /// The metadata, as pretty-printed JSON.
    pub metadata: String,
    /// How many functions the file exports.
    pub exports: usize,
    /// One line per contract procedure: what its transactions consume,
    /// carry, create and return.
    pub procedures: Vec<String>,
    /// Per contract procedure: its static gas bound and code size.
    pub costs: Vec<crate::gas_bound::ProcedureCost>,
    /// The hash of the contract's interface (`min_metadata::interface_hash`).
    pub interface: String,
    /// The contracts it calls, with the interfaces it was compiled against.
    pub calls: Vec<CalledContract>,
}

/// Compiles a checked file (and what it imports) to its artifact.
pub fn build(workspace: &Workspace, file: SourceFile) -> Result<Artifact, String> {
    let checked = workspace.check(file);
    let mut printer = TypePrinter::default();
    let exports: Vec<ExportInfo> = checked
        .interface
        .values
        .values()
        .map(|value| {
            let (params, result) = value.scheme.ty.parameters_and_result();
            ExportInfo {
                name: value.qualified.clone(),
                r#type: printer.show(&value.scheme.ty),
                params: params.iter().map(|param| printer.show(param)).collect(),
                result: printer.show(result),
                doc: value.doc.clone(),
            }
        })
        .collect();
    let types = checked
        .interface
        .types
        .values()
        .map(|adt| TypeInfo {
            name: adt.qualified.to_string(),
            record: adt.record,
            constructors: adt.constructors.iter().map(|c| c.name.clone()).collect(),
        })
        .collect();
    let (mut procedures, data_types) = describe_procedures(workspace, file, &mut printer);
    let calls = called_contracts(workspace, &procedures)?;
    let mut program = workspace.program(file);
    let called: BTreeSet<&str> = procedures.iter().flat_map(|p| &p.calls).map(String::as_str).collect();
    let interfaces = workspace.interfaces(file);
    let called_results = call_through_the_runtime(&mut program, &called, &interfaces, &mut printer);
    // The caller reads the called procedures' results: their types too.
    let mut data_types = data_types;
    for extra in reachable_data_types(&[], called_results.values().cloned().collect(), &interfaces, &mut printer) {
        if !data_types.iter().any(|known| known.name == extra.name) {
            data_types.push(extra);
        }
    }
    if let Some(module) = program.iter_mut().find(|module| module.name == workspace.module_name(file)) {
        for info in &mut procedures {
            info.checker = checkers::add_checker(module, &info.name, info.arguments.len()).unwrap_or_default();
        }
    }
    let lowered = min_lir::lower::lower_module(&program, workspace.module_name(file));
    let wasm = min_wasm::emit_with(&lowered, min_wasm::MemoryPages::Bytes).map_err(|error| error.to_string())?;
    let constructors = lowered.constructors.iter().map(ConstructorInfo::from).collect();
    let interface = min_metadata::interface_hash(&procedures, &data_types);
    let procedure_lines = checked
        .interface
        .procedures
        .iter()
        .map(|p| format!("{}: {}", p.name.rsplit_once('.').map_or(p.name.as_str(), |(_, name)| name), p.summary()))
        .collect();
    let costs = crate::gas_bound::procedure_costs(&program, &wasm, &procedures, &data_types, &called_results)?;
    for (info, cost) in procedures.iter_mut().zip(&costs) {
        info.gas_bound = cost.gas.clone();
        info.code_bytes = cost.code_bytes;
    }
    let helpers =
        min_lir::Helper::ALL.iter().map(|h| HelperInfo { name: h.name().to_string(), params: h.arity() }).collect();
    let count = exports.len();
    let metadata = Metadata {
        module: workspace.module_name(file).to_string(),
        abi_version: ABI_VERSION,
        imports: Imports { module: min_wasm::abi::IMPORT_MODULE.to_string(), helpers },
        exports,
        types,
        constructors,
        procedures,
        names: lowered.names.clone(),
        data_types,
        interface: interface.clone(),
        calls: calls.clone(),
    };
    let metadata = metadata.to_json();
    Ok(Artifact {
        module: workspace.module_name(file).to_string(),
        wasm,
        metadata,
        exports: count,
        procedures: procedure_lines,
        costs,
        interface,
        calls,
    })
}

/// The contract's procedures as its metadata describes them, before
/// building adds their checkers, gas bounds and code sizes, and the data
/// types they reach: what its interface hash is made of.
fn describe_procedures(
    workspace: &Workspace,
    file: SourceFile,
    printer: &mut TypePrinter,
) -> (Vec<ProcedureInfo>, Vec<DataTypeInfo>) {
    let checked = workspace.check(file);
    let show_all = |printer: &mut TypePrinter, types: &[Type]| types.iter().map(|ty| printer.show(ty)).collect();
    let procedures: Vec<ProcedureInfo> = checked
        .interface
        .procedures
        .iter()
        .map(|p| {
            let value = checked.interface.values.values().find(|value| value.qualified == p.name);
            let (arguments, results) = value.map(|value| slots(p, &value.scheme.ty, printer)).unwrap_or_default();
            ProcedureInfo {
                name: p.name.clone(),
                inputs: show_all(printer, &p.inputs),
                references: show_all(printer, &p.references),
                params: show_all(printer, &p.params),
                outputs: show_all(printer, &p.outputs),
                returns: show_all(printer, &p.returns),
                events: show_all(printer, &p.events),
                arguments,
                results,
                checker: String::new(),
                gas_bound: GasBound::default(),
                code_bytes: 0,
                calls: p.calls.clone(),
            }
        })
        .collect();
    let data_types = reachable_data_types(&procedures, Vec::new(), &workspace.interfaces(file), printer);
    (procedures, data_types)
}

/// The contracts whose procedures `procedures` call, each with the hash
/// of its interface as compiled here.
fn called_contracts(workspace: &Workspace, procedures: &[ProcedureInfo]) -> Result<Vec<CalledContract>, String> {
    let modules: BTreeSet<&str> = procedures
        .iter()
        .flat_map(|p| &p.calls)
        .filter_map(|call| call.rsplit_once('.').map(|(module, _)| module))
        .collect();
    modules
        .into_iter()
        .map(|module| {
            let file =
                workspace.module_file(module).ok_or_else(|| format!("the called contract `{module}` is not loaded"))?;
            let (procedures, data_types) = describe_procedures(workspace, file, &mut TypePrinter::default());
            Ok(CalledContract {
                module: module.to_string(),
                interface: min_metadata::interface_hash(&procedures, &data_types),
            })
        })
        .collect()
}

/// Makes each procedure of another contract in `called` a call through the
/// contract runtime (`Prim::CallContract` on the tuple of its arguments)
/// instead of its body: the built contract runs it on the called contract,
/// never as its own code (`spec/contracts.md`, "Calls between contracts").
/// Answers the result type of each, which the caller's gas bound reads.
fn call_through_the_runtime(
    program: &mut [min_core::Module],
    called: &BTreeSet<&str>,
    interfaces: &BTreeMap<String, Arc<Interface>>,
    printer: &mut TypePrinter,
) -> BTreeMap<String, TypeDesc> {
    use min_core::{Expr, Lit, Prim};
    let mut results = BTreeMap::new();
    let globals = program.iter_mut().flat_map(|module| &mut module.globals);
    for global in globals.filter(|global| called.contains(global.name.as_str())) {
        let Some((module, short)) = global.name.rsplit_once('.') else { continue };
        let Some(value) = interfaces.get(module).and_then(|interface| interface.values.get(short)) else { continue };
        let (params, result) = value.scheme.ty.parameters_and_result();
        results.insert(global.name.clone(), describe(result, printer));
        let arity = params.len() as u32;
        let mut locals: Vec<Expr> = (0..arity).map(Expr::Local).collect();
        let arguments = match arity {
            0 => Expr::Lit(Lit::Unit),
            1 => locals.remove(0),
            _ => Expr::Tuple(locals),
        };
        let name = Expr::Lit(Lit::Str(global.name.clone()));
        global.body = Expr::Apply(Box::new(Expr::Prim(Prim::CallContract)), vec![name, arguments], global.span);
        global.arity = arity;
        global.frame_size = arity;
        global.slots.clear();
    }
    results
}

/// A procedure's parameters and result components in order, each with its
/// role: a type is an input, output or event exactly when the checker
/// listed it among the procedure's inputs, outputs or events, since the
/// role follows from the type alone.
fn slots(procedure: &Procedure, ty: &Type, printer: &mut TypePrinter) -> (Vec<Slot>, Vec<Slot>) {
    let (params, result) = ty.parameters_and_result();
    let results: Vec<&Type> = match result {
        Type::App(Con::Tuple(0), _) => Vec::new(),
        Type::App(Con::Tuple(_), items) => items.iter().collect(),
        other => vec![other],
    };
    let arguments = params
        .iter()
        .map(|ty| Slot {
            role: if min_analysis::interface::referenced(ty).is_some() {
                Role::Reference
            } else if procedure.inputs.contains(ty) {
                Role::Input
            } else if min_analysis::interface::is_signer(ty) {
                Role::Signer
            } else if min_analysis::interface::is_time(ty) {
                Role::Time
            } else {
                Role::Param
            },
            r#type: describe(ty, printer),
        })
        .collect();
    let results = results
        .iter()
        .map(|ty| Slot {
            role: if procedure.outputs.contains(ty) {
                Role::Output
            } else if procedure.events.contains(ty) {
                Role::Event
            } else {
                Role::Return
            },
            r#type: describe(ty, printer),
        })
        .collect();
    (arguments, results)
}

/// A checked type as the metadata describes it.
fn describe(ty: &Type, printer: &mut TypePrinter) -> TypeDesc {
    match ty {
        Type::Gen(index) => TypeDesc::Param(*index),
        Type::Var(_) | Type::Fun(..) => TypeDesc::Opaque(printer.show(ty)),
        Type::App(con, args) => {
            let mut args = args.iter().map(|arg| describe(arg, printer));
            match con {
                Con::Nat => TypeDesc::Nat,
                Con::Int => TypeDesc::Int,
                Con::Real => TypeDesc::Real,
                Con::Bool => TypeDesc::Bool,
                Con::Char => TypeDesc::Char,
                Con::Str => TypeDesc::Str,
                Con::List => args
                    .next()
                    .map_or_else(|| TypeDesc::Opaque(printer.show(ty)), |item| TypeDesc::List(Box::new(item))),
                Con::Tuple(_) => TypeDesc::Tuple(args.collect()),
                Con::Adt(name) => TypeDesc::Data { name: name.to_string(), args: args.collect() },
                Con::Rigid(_) => TypeDesc::Opaque(printer.show(ty)),
            }
        }
    }
}

/// Every data type the procedures' parameters and results and the types
/// `more` may hold, with its fields' types, in the order they are first
/// reached.
fn reachable_data_types(
    procedures: &[ProcedureInfo],
    more: Vec<TypeDesc>,
    interfaces: &BTreeMap<String, Arc<Interface>>,
    printer: &mut TypePrinter,
) -> Vec<DataTypeInfo> {
    let mut pending: Vec<TypeDesc> = procedures
        .iter()
        .flat_map(|p| p.arguments.iter().chain(&p.results).map(|slot| slot.r#type.clone()))
        .chain(more)
        .rev()
        .collect();
    let mut found: Vec<DataTypeInfo> = Vec::new();
    while let Some(ty) = pending.pop() {
        match ty {
            TypeDesc::List(item) => pending.push(*item),
            TypeDesc::Tuple(items) => pending.extend(items.into_iter().rev()),
            TypeDesc::Data { name, args } => {
                pending.extend(args.into_iter().rev());
                if found.iter().any(|t| t.name == name) {
                    continue;
                }
                let Some(adt) = name
                    .rsplit_once('.')
                    .and_then(|(module, short)| interfaces.get(module).and_then(|i| i.types.get(short)))
                else {
                    continue;
                };
                let variants: Vec<VariantInfo> = adt
                    .constructors
                    .iter()
                    .map(|c| VariantInfo {
                        name: c.name.clone(),
                        field_names: c
                            .fields
                            .iter()
                            .map(|(name, _)| name.clone())
                            .collect::<Option<Vec<String>>>()
                            .unwrap_or_default(),
                        fields: c.fields.iter().map(|(_, ty)| describe(ty, printer)).collect(),
                    })
                    .collect();
                pending.extend(variants.iter().rev().flat_map(|v| v.fields.iter().rev().cloned()));
                found.push(DataTypeInfo { name, params: adt.params.len() as u32, record: adt.record, variants });
            }
            _ => {}
        }
    }
    found
}
