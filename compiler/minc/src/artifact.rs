//! `minc build`: the deployable artifact of a Min file, a validated Wasm
//! module, and the metadata file that describes it (its exports with their
//! Min types, the data types whose values cross its boundary, and the
//! run-time library it imports).

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_analysis::types::TypePrinter;
use serde::Serialize;

/// The version of the value representation and calling convention the
/// module follows (`spec/regions.md`); hosts refuse other versions.
pub const ABI_VERSION: u32 = 1;

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
}

/// The metadata file.
#[derive(Serialize)]
struct Metadata {
    module: String,
    abi_version: u32,
    /// The Wasm module's import module and the helpers it imports from it, in order.
    imports: Imports,
    exports: Vec<ExportInfo>,
    types: Vec<TypeInfo>,
    /// Constructors by the id that data headers and atoms carry.
    constructors: Vec<ConstructorInfo>,
    /// The contract's procedures and their dependency sets.
    procedures: Vec<ProcedureInfo>,
}

/// A procedure's dependency set: the types of what its transactions
/// consume, carry, create and return (`spec/contracts.md`).
#[derive(Serialize)]
struct ProcedureInfo {
    name: String,
    inputs: Vec<String>,
    params: Vec<String>,
    outputs: Vec<String>,
    returns: Vec<String>,
}

#[derive(Serialize)]
struct Imports {
    module: &'static str,
    helpers: Vec<HelperInfo>,
}

#[derive(Serialize)]
struct HelperInfo {
    name: &'static str,
    params: usize,
}

#[derive(Serialize)]
struct ExportInfo {
    /// The name of the Wasm export: the qualified name.
    name: String,
    /// The Min type, as the checker prints it.
    r#type: String,
    params: Vec<String>,
    result: String,
    /// Its doc comment.
    doc: String,
}

#[derive(Serialize)]
struct TypeInfo {
    name: String,
    record: bool,
    constructors: Vec<String>,
}

#[derive(Serialize)]
struct ConstructorInfo {
    name: String,
    tag: u32,
    arity: u32,
    fields: Vec<String>,
}

/// Compiles a checked file (and what it imports) to its artifact.
pub fn build(workspace: &Workspace, file: SourceFile) -> Result<Artifact, String> {
    let program = workspace.program(file);
    let lowered = min_lir::lower::lower_module(&program, workspace.module_name(file));
    let wasm = min_wasm::emit(&lowered).map_err(|error| error.to_string())?;
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
    let constructors = lowered
        .constructors
        .iter()
        .map(|c| ConstructorInfo { name: c.name.clone(), tag: c.tag, arity: c.arity, fields: c.fields.clone() })
        .collect();
    let show_all = |printer: &mut TypePrinter, types: &[min_analysis::types::Type]| {
        types.iter().map(|ty| printer.show(ty)).collect::<Vec<_>>()
    };
    let procedures: Vec<ProcedureInfo> = checked
        .interface
        .procedures
        .iter()
        .map(|p| ProcedureInfo {
            name: p.name.clone(),
            inputs: show_all(&mut printer, &p.inputs),
            params: show_all(&mut printer, &p.params),
            outputs: show_all(&mut printer, &p.outputs),
            returns: show_all(&mut printer, &p.returns),
        })
        .collect();
    let procedure_lines = checked
        .interface
        .procedures
        .iter()
        .map(|p| format!("{}: {}", p.name.rsplit_once('.').map_or(p.name.as_str(), |(_, name)| name), p.summary()))
        .collect();
    let helpers = min_lir::Helper::ALL.iter().map(|h| HelperInfo { name: h.name(), params: h.arity() }).collect();
    let count = exports.len();
    let metadata = Metadata {
        module: workspace.module_name(file).to_string(),
        abi_version: ABI_VERSION,
        imports: Imports { module: "min", helpers },
        exports,
        types,
        constructors,
        procedures,
    };
    let metadata = serde_json::to_string_pretty(&metadata).map_err(|error| error.to_string())?;
    Ok(Artifact {
        module: workspace.module_name(file).to_string(),
        wasm,
        metadata,
        exports: count,
        procedures: procedure_lines,
    })
}
