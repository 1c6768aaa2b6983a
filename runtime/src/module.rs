//! What the runtime checks of a deployed Wasm module before it trusts it
//! with a call: that it is valid Wasm of the features Min emits, imports
//! exactly the run-time helpers, has no start function, exports its memory,
//! function table and VM globals with the types the runner reads, and fits
//! the engine's limits. What it finds is the map from each exported
//! function to its place in the function table, which is how the run-time
//! library calls it.

use std::collections::HashMap;

use min_lir::{FuncId, Helper};
use min_wasm::abi::{DEPTH_BOUND, FUNCTIONS, HEAP_BASE, IMPORT_MODULE, MEMORY, PAGE_BYTES, VM_VARS, vm_global};
use wasmparser::{
    CompositeInnerType, ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef, ValType,
    Validator, WasmFeatures,
};

use crate::error::LoadError;

/// The Wasm features Min's modules use, and all the runtime accepts.
const FEATURES: WasmFeatures =
    WasmFeatures::WASM1.union(WasmFeatures::TAIL_CALL).union(WasmFeatures::CUSTOM_PAGE_SIZES);

/// What the engine allows a module: checked at load so that a module the
/// engine could not instantiate is refused before it is deployed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ModuleLimits {
    /// Bytes of linear memory an instance may have.
    pub memory_bytes: u64,
    /// Entries of the function table.
    pub table_elements: u64,
}

/// An exported function: where the function table holds it and how many
/// words it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ExportedFunction {
    /// Its LIR id: its table slot less one.
    pub function: FuncId,
    /// Its number of `i64` parameters.
    pub params: usize,
}

/// The checked shape of a module.
#[derive(Debug, Default)]
pub(crate) struct ModuleShape {
    /// Exported functions by name.
    pub functions: HashMap<String, ExportedFunction>,
    /// Whether the module exports every mutable global it has, so that an
    /// instance can be put back as it was new after a call.
    pub restorable: bool,
    /// How deep its calls can nest, if it says so (an exported immutable
    /// i64 [`DEPTH_BOUND`] set to a constant): calls run with the depth
    /// limit lowered to it, which a module that says the truth never
    /// reaches, and one that does not reaches in every run alike.
    pub depth_bound: Option<u64>,
}

/// Validates `wasm` and checks its shape against what the runner needs.
pub(crate) fn inspect(wasm: &[u8], limits: ModuleLimits) -> Result<ModuleShape, LoadError> {
    Validator::new_with_features(FEATURES)
        .validate_all(wasm)
        .map_err(|error| LoadError::new(format!("the module is not valid Wasm: {error}")))?;
    let malformed =
        |error: wasmparser::BinaryReaderError| LoadError::new(format!("the module cannot be read: {error}"));

    // Every function type, then each function's (imports first) type index.
    let mut types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    let mut function_types: Vec<u32> = Vec::new();
    let mut imports = 0usize;
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut globals: Vec<(ValType, bool)> = Vec::new();
    let mut constants: Vec<Option<i64>> = Vec::new();
    let mut table: Option<u64> = None;
    let mut memory_bytes: Option<u64> = None;
    let mut slots: HashMap<u32, u64> = HashMap::new();
    let mut filled: u64 = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(malformed)? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.map_err(malformed)?.into_types() {
                        types.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(ty) => Some((ty.params().to_vec(), ty.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(malformed)?;
                    let expected = Helper::ALL.get(imports);
                    let TypeRef::Func(ty) = import.ty else {
                        return Err(LoadError::new(format!(
                            "the module imports {}.{}, which is not a function",
                            import.module, import.name
                        )));
                    };
                    match expected {
                        Some(helper) if import.module == IMPORT_MODULE && import.name == helper.name() => {
                            let arity = helper.arity();
                            if !is_word_function(types.get(ty as usize), arity) {
                                return Err(LoadError::new(format!(
                                    "the module imports {IMPORT_MODULE}.{} with a type other than {arity} words to a word",
                                    helper.name()
                                )));
                            }
                        }
                        _ => {
                            return Err(LoadError::new(format!(
                                "import {imports} is {}.{}, not the run-time helper {}",
                                import.module,
                                import.name,
                                expected.map_or_else(
                                    || "(none: there are no more)".to_string(),
                                    |h| format!("{IMPORT_MODULE}.{}", h.name())
                                )
                            )));
                        }
                    }
                    function_types.push(ty);
                    imports += 1;
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    function_types.push(ty.map_err(malformed)?);
                }
            }
            Payload::TableSection(reader) => {
                for each in reader {
                    let each = each.map_err(malformed)?;
                    if table.replace(each.ty.initial).is_some() {
                        return Err(LoadError::new("the module has more than one table"));
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for each in reader {
                    let each = each.map_err(malformed)?;
                    let page_bytes = each.page_size_log2.map_or(PAGE_BYTES, |log2| 1 << log2);
                    if memory_bytes.replace(each.initial.saturating_mul(page_bytes)).is_some() {
                        return Err(LoadError::new("the module has more than one memory"));
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.map_err(malformed)?;
                    globals.push((global.ty.content_type, global.ty.mutable));
                    let mut init = global.init_expr.get_operators_reader();
                    let constant = match (init.read(), init.read(), init.eof()) {
                        (Ok(Operator::I64Const { value }), Ok(Operator::End), true) => Some(value),
                        _ => None,
                    };
                    constants.push(constant);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(malformed)?;
                    exports.push((export.name.to_string(), export.kind, export.index));
                }
            }
            Payload::StartSection { .. } => {
                return Err(LoadError::new("the module has a start function, which would run outside any call"));
            }
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element.map_err(malformed)?;
                    let ElementKind::Active { offset_expr, .. } = element.kind else { continue };
                    let ElementItems::Functions(functions) = element.items else { continue };
                    let mut operators = offset_expr.get_operators_reader();
                    let Ok(Operator::I32Const { value: offset }) = operators.read() else {
                        return Err(LoadError::new("an element segment's offset is not a constant"));
                    };
                    let mut slot = u64::from(offset as u32);
                    for function in functions {
                        let function = function.map_err(malformed)?;
                        slots.entry(function).or_insert(slot);
                        slot += 1;
                        filled = filled.max(slot);
                    }
                }
            }
            _ => {}
        }
    }

    if imports != Helper::ALL.len() {
        return Err(LoadError::new(format!(
            "the module imports {imports} functions, not the {} run-time helpers",
            Helper::ALL.len()
        )));
    }
    let starting_bytes = memory_bytes.ok_or_else(|| LoadError::new("the module has no memory"))?;
    if starting_bytes > limits.memory_bytes {
        return Err(LoadError::new(format!(
            "the module starts with {starting_bytes} bytes of memory, more than the {} bytes an instance may have",
            limits.memory_bytes
        )));
    }
    let table = table.ok_or_else(|| LoadError::new("the module has no function table"))?;
    if table > limits.table_elements {
        return Err(LoadError::new(format!(
            "the function table has {table} entries, more than the {} an instance may have",
            limits.table_elements
        )));
    }
    if filled != table {
        return Err(LoadError::new(format!("the function table has {table} entries but its segments fill {filled}")));
    }

    let export = |name: &str, kind: ExternalKind| {
        exports
            .iter()
            .find(|(each, each_kind, _)| each == name && *each_kind == kind)
            .map(|(_, _, index)| *index)
            .ok_or_else(|| LoadError::new(format!("the module does not export {name} as a {kind:?}")))
    };
    export(MEMORY, ExternalKind::Memory)?;
    export(FUNCTIONS, ExternalKind::Table)?;
    for var in VM_VARS {
        let index = export(vm_global(var), ExternalKind::Global)?;
        if globals.get(index as usize) != Some(&(ValType::I64, true)) {
            return Err(LoadError::new(format!("the global {} is not a mutable i64", vm_global(var))));
        }
    }
    let index = export(HEAP_BASE, ExternalKind::Global)?;
    if globals.get(index as usize).map(|global| global.0) != Some(ValType::I64) {
        return Err(LoadError::new(format!("the global {HEAP_BASE} is not an i64")));
    }

    let restorable = globals.iter().enumerate().all(|(index, (_, mutable))| {
        !mutable || exports.iter().any(|(_, kind, each)| *kind == ExternalKind::Global && *each as usize == index)
    });
    let depth_bound = match export(DEPTH_BOUND, ExternalKind::Global) {
        Err(_) => None,
        Ok(index) => {
            let index = index as usize;
            let constant = (globals.get(index) == Some(&(ValType::I64, false))).then(|| constants[index]).flatten();
            let bound = constant.and_then(|value| u64::try_from(value).ok());
            Some(bound.ok_or_else(|| {
                LoadError::new(format!("the global {DEPTH_BOUND} is not an immutable i64 set to a count"))
            })?)
        }
    };
    let mut shape = ModuleShape { functions: HashMap::new(), restorable, depth_bound };
    for (name, kind, index) in &exports {
        if *kind != ExternalKind::Func {
            continue;
        }
        let Some(&slot) = slots.get(index).filter(|slot| **slot >= 1 && **slot < table) else {
            continue;
        };
        let ty = function_types.get(*index as usize).and_then(|ty| types.get(*ty as usize));
        let Some(Some((params, results))) = ty else { continue };
        if params.iter().any(|param| *param != ValType::I64) || results.as_slice() != [ValType::I64] {
            continue;
        }
        let Ok(function) = FuncId::try_from(slot - 1) else { continue };
        shape.functions.insert(name.clone(), ExportedFunction { function, params: params.len() });
    }
    Ok(shape)
}

/// Whether a function type takes `arity` `i64`s and returns one.
fn is_word_function(ty: Option<&Option<(Vec<ValType>, Vec<ValType>)>>, arity: usize) -> bool {
    matches!(ty, Some(Some((params, results)))
        if params.len() == arity && params.iter().all(|p| *p == ValType::I64) && results.as_slice() == [ValType::I64])
}
