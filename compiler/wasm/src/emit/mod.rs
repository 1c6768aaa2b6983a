//! An LIR program as the bytes of a validated Wasm module.

mod body;
mod check;
mod layout;

use min_lir::abi::session_descriptor_bytes;
use min_lir::{Helper, Program, depth_bound};
use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    FunctionSection, GlobalSection, GlobalType, ImportSection, MemorySection, MemoryType, Module, NameMap, NameSection,
    RefType, TableSection, TableType, TypeSection, ValType,
};
use wasmparser::{Validator, WasmFeatures};

use crate::WasmError;
use crate::abi::{
    DEPTH_BOUND, FUNCTIONS, HEAP_BASE, IMPORT_MODULE, MEMORY, PAGE_BYTES, STATIC_BASE, VM_VARS, vm_global,
};
use body::{Context, translate};
use check::check;
use layout::Layout;

/// Bytes of memory a module whose calls may nest without a known bound has
/// past its data when it starts: the region stack of calls nesting a
/// thousand deep (24 KiB) and two first chunks (rounded up to whole pages
/// with [`MemoryPages::Standard`]).
const HEAP_HEADROOM_BYTES: u64 = 32 << 10;
/// Bytes of the two chunks a module's headroom holds besides its region
/// stack: the first chunks of a call's result and scratch regions.
const HEADROOM_CHUNK_BYTES: u64 = 2 * 4096;

/// Bytes of memory a module has past its data when it starts: the region
/// stack of its calls' deepest nesting, when that is known and below a
/// thousand, and two chunks.
fn heap_headroom(depth_bound: Option<u32>) -> u64 {
    depth_bound
        .and_then(|depth| session_descriptor_bytes(u64::from(depth)))
        .map(|descriptors| descriptors.next_multiple_of(8) + HEADROOM_CHUNK_BYTES)
        .map_or(HEAP_HEADROOM_BYTES, |bytes| bytes.min(HEAP_HEADROOM_BYTES))
}

/// What the emitted modules use beyond Wasm 1.0: tail calls, and custom
/// page sizes for [`MemoryPages::Bytes`].
const FEATURES: WasmFeatures =
    WasmFeatures::WASM1.union(WasmFeatures::TAIL_CALL).union(WasmFeatures::CUSTOM_PAGE_SIZES);

/// The pages an emitted module's memory is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryPages {
    /// Wasm's 64 KiB pages: for a module run in a wasmtime engine of its
    /// own (`minc run --backend wasm`), whose guard pages let compiled code
    /// skip bounds checks.
    Standard,
    /// 1-byte pages (the custom-page-sizes proposal), so that the memory
    /// ends where its data and the heap's headroom do: for the contract
    /// runtime, which bounds-checks every access anyway and puts a kept
    /// instance back by reading its whole memory.
    Bytes,
}

/// Emits a program as a Wasm module with [`MemoryPages::Standard`] (see
/// [`emit_with`]).
pub fn emit(program: &Program) -> Result<Vec<u8>, WasmError> {
    emit_with(program, MemoryPages::Standard)
}

/// Emits a program as a Wasm module (see the crate documentation for its
/// layout) whose memory is measured in `pages`, and validates it.
pub fn emit_with(program: &Program, pages: MemoryPages) -> Result<Vec<u8>, WasmError> {
    let layout = Layout::new(program)?;
    let function_count = u32::try_from(program.functions.len())
        .map_err(|_| WasmError::Malformed("more functions than a module holds".into()))?;
    let context = Context { layout: &layout, first_function: Helper::ALL.len() as u32 };

    let mut code = CodeSection::new();
    let helper_arity_max = Helper::ALL.iter().map(|helper| helper.arity() as u32).max().unwrap_or(0);
    let mut arity_max = program.max_params().max(helper_arity_max);
    for function in &program.functions {
        check(function, program)?;
        let body = translate(function, &context);
        arity_max = arity_max.max(body.indirect_arity_max);
        code.function(&body.function);
    }

    // The type of arity `n` is type `n`, so calls name their type by arity.
    let mut types = TypeSection::new();
    for arity in 0..=arity_max {
        types.ty().function(vec![ValType::I64; arity as usize], [ValType::I64]);
    }

    let mut imports = ImportSection::new();
    for helper in Helper::ALL {
        imports.import(IMPORT_MODULE, helper.name(), EntityType::Function(helper.arity() as u32));
    }

    let mut functions = FunctionSection::new();
    for function in &program.functions {
        functions.function(function.params);
    }

    let table_size = u64::from(function_count) + 1;
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: table_size,
        maximum: Some(table_size),
        shared: false,
    });

    // Room for the data and the heap's first needs, so that a call that
    // allocates little needs no growth; no more, since a kept instance's
    // memory is put back by reading it.
    let depth_bound = depth_bound(program);
    let starting_bytes = layout.heap_base + heap_headroom(depth_bound);
    let (minimum, page_size_log2) = match pages {
        MemoryPages::Standard => (starting_bytes.div_ceil(PAGE_BYTES), None),
        MemoryPages::Bytes => (starting_bytes, Some(0)),
    };
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum, maximum: None, memory64: false, shared: false, page_size_log2 });

    let mut globals = GlobalSection::new();
    for _ in VM_VARS {
        globals.global(GlobalType { val_type: ValType::I64, mutable: true, shared: false }, &ConstExpr::i64_const(0));
    }
    globals.global(
        GlobalType { val_type: ValType::I64, mutable: false, shared: false },
        &ConstExpr::i64_const(layout.heap_base as i64),
    );

    let mut exports = ExportSection::new();
    exports.export(MEMORY, ExportKind::Memory, 0);
    exports.export(FUNCTIONS, ExportKind::Table, 0);
    for (index, var) in VM_VARS.into_iter().enumerate() {
        exports.export(vm_global(var), ExportKind::Global, index as u32);
    }
    exports.export(HEAP_BASE, ExportKind::Global, VM_VARS.len() as u32);
    if let Some(depth) = depth_bound {
        globals.global(
            GlobalType { val_type: ValType::I64, mutable: false, shared: false },
            &ConstExpr::i64_const(i64::from(depth)),
        );
        exports.export(DEPTH_BOUND, ExportKind::Global, VM_VARS.len() as u32 + 1);
    }
    for export in &program.exports {
        if export.function >= function_count {
            return Err(WasmError::Malformed(format!("export {} is function f{}", export.name, export.function)));
        }
        exports.export(&export.name, ExportKind::Func, context.first_function + export.function);
    }

    let mut elements = ElementSection::new();
    let table_entries: Vec<u32> = (0..function_count).map(|function| context.first_function + function).collect();
    elements.active(Some(0), &ConstExpr::i32_const(1), Elements::Functions(table_entries.into()));

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&tables)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&elements)
        .section(&code);
    if !layout.data.is_empty() {
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(STATIC_BASE as i32), layout.data.iter().copied());
        module.section(&data);
    }
    module.section(&names(program));
    let bytes = module.finish();
    validate(&bytes)?;
    Ok(bytes)
}

/// Checks a module against the Wasm features the emitter uses.
fn validate(bytes: &[u8]) -> Result<(), WasmError> {
    Validator::new_with_features(FEATURES)
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|error| WasmError::Invalid(error.to_string()))
}

/// Function names, for traps and disassembly.
fn names(program: &Program) -> NameSection {
    let mut functions = NameMap::new();
    for (index, helper) in Helper::ALL.into_iter().enumerate() {
        functions.append(index as u32, &format!("{IMPORT_MODULE}.{}", helper.name()));
    }
    for (index, function) in program.functions.iter().enumerate() {
        functions.append((Helper::ALL.len() + index) as u32, &function.name);
    }
    let mut names = NameSection::new();
    names.functions(&functions);
    names
}
