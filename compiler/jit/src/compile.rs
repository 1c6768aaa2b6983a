//! The whole program: the target, the module, static objects and cells,
//! every function and entry point, and the addresses after linking.

use std::collections::BTreeSet;
use std::mem::ManuallyDrop;

use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{AbiParam, Signature};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{ArenaMemoryProvider, JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};
use min_lir::host::Memory;
use min_lir::{FuncId, Program, StaticWord, abi};

use crate::backend::JitBackend;
use crate::ctx::{Ctx, HELPER_ARITY_MAX, helper_entries};
use crate::error::JitError;
use crate::function::{self, Env, tail_signature};
use crate::memory::RawMemory;
use crate::trampoline::{self, Trampoline};
use crate::validate;

/// The most address space reserved for code. All of a program's code lies
/// in one reservation, so that direct calls, which are PC-relative with a
/// 32-bit displacement, always reach.
const CODE_BYTES_RESERVED_MAX: usize = 1 << 30;

/// The module and the code memory it owns, freed when dropped.
pub(crate) struct CodeMemory(ManuallyDrop<JITModule>);

impl CodeMemory {
    fn module(&mut self) -> &mut JITModule {
        &mut self.0
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: the module is taken once, here. Its code is freed when the
        // backend that owns it goes: no call of it is under way then (calls
        // borrow the backend), and nothing may call it afterwards.
        unsafe { ManuallyDrop::take(&mut self.0).free_memory() };
    }
}

/// Compiles a program; see [`JitBackend::compile`].
pub(crate) fn compile(program: &Program) -> Result<JitBackend, JitError> {
    let nodes = validate::program(program)?;
    let isa = isa()?;
    let call_conv = isa.default_call_conv();
    // Reserved address space costs nothing until code is written into it.
    let reserved = ((nodes + program.functions.len()) * 256 + (64 << 20)).min(CODE_BYTES_RESERVED_MAX);
    let provider = ArenaMemoryProvider::new_with_size(reserved)
        .map_err(|error| JitError::Backend(format!("cannot reserve code memory: {error}")))?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    builder.memory_provider(Box::new(provider));
    for (name, address) in helper_entries() {
        builder.symbol(name, address);
    }
    let mut code = CodeMemory(ManuallyDrop::new(JITModule::new(builder)));
    let module = code.module();

    let mut ctx = Box::new(Ctx::new());
    let statics = lay_out_statics(&mut ctx.memory, program)?;
    let cells = lay_out_cells(&mut ctx.memory, program.cells)?;

    let functions = (program.functions.iter().enumerate())
        .map(|(id, function)| {
            let signature = tail_signature(function.params as usize);
            declare(module, &format!("f{id} {}", function.name), Linkage::Local, &signature)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let helpers = (helper_entries().iter().enumerate())
        .map(|(arity, (name, _))| declare(module, name, Linkage::Import, &helper_signature(call_conv, arity)))
        .collect::<Result<Vec<_>, _>>()?;
    let arities: BTreeSet<u32> = program.functions.iter().map(|function| function.params).collect();
    let trampolines = (arities.iter())
        .map(|&arity| {
            let name = format!("min_trampoline_{arity}");
            declare(module, &name, Linkage::Local, &trampoline::signature(call_conv)).map(|id| (arity, id))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let env = Env { program, functions, helpers, statics, cells };
    let mut context = module.make_context();
    let mut builder_context = FunctionBuilderContext::new();
    for id in 0..program.functions.len() {
        function::define(module, &env, id as FuncId, &mut context, &mut builder_context)?;
    }
    for &(arity, id) in &trampolines {
        trampoline::define(module, id, arity as usize, &mut context, &mut builder_context)?;
    }
    module.finalize_definitions().map_err(|error| JitError::Backend(error.to_string()))?;

    let addresses: Vec<*const u8> = env.functions.iter().map(|&id| module.get_finalized_function(id)).collect();
    for (object, &address) in program.statics.iter().zip(&env.statics) {
        for (index, word) in object.words.iter().enumerate() {
            if let StaticWord::Code(function) = *word {
                ctx.memory.store(address + abi::words(index as u32), addresses[function as usize] as u64);
            }
        }
    }
    let entries = program.functions.iter().zip(&addresses).map(|(function, &code)| (code, function.params)).collect();
    let trampolines = (trampolines.iter())
        .map(|&(arity, id)| {
            let address = module.get_finalized_function(id);
            // SAFETY: the function at `address` was generated above with the
            // signature of `Trampoline` in the platform's C convention.
            (arity, unsafe { std::mem::transmute::<*const u8, Trampoline>(address) })
        })
        .collect();
    Ok(JitBackend::new(code, ctx, entries, trampolines, env.statics, env.cells, program.cells))
}

fn declare(
    module: &mut JITModule,
    name: &str,
    linkage: Linkage,
    signature: &Signature,
) -> Result<cranelift_module::FuncId, JitError> {
    module.declare_function(name, linkage, signature).map_err(|error| JitError::Backend(error.to_string()))
}

/// The host's target, with the settings the JIT needs.
fn isa() -> Result<OwnedTargetIsa, JitError> {
    let mut flags = settings::builder();
    let settings = [
        ("opt_level", "speed"),
        ("is_pic", "false"),
        ("use_colocated_libcalls", "false"),
        // Cranelift's tail calls rely on frame pointers.
        ("preserve_frame_pointers", "true"),
        // Deep recursion must hit the stack's guard page, never jump past it.
        ("enable_probestack", "true"),
        ("probestack_strategy", "inline"),
    ];
    for (name, value) in settings {
        flags.set(name, value).map_err(|error| JitError::Backend(format!("setting {name}: {error}")))?;
    }
    let target = cranelift_native::builder()
        .map_err(|message| JitError::Backend(format!("this machine is not supported: {message}")))?;
    let isa = target.finish(settings::Flags::new(flags)).map_err(|error| JitError::Backend(error.to_string()))?;
    if isa.pointer_type() != I64 {
        return Err(JitError::Backend("the JIT needs a 64-bit machine".to_string()));
    }
    Ok(isa)
}

/// The signature of the helper entry point of `arity` arguments: the
/// context, the helper's index, the arguments.
fn helper_signature(call_conv: CallConv, arity: usize) -> Signature {
    debug_assert!(arity <= HELPER_ARITY_MAX);
    let mut signature = Signature::new(call_conv);
    signature.params.extend(std::iter::repeat_n(AbiParam::new(I64), arity + 2));
    signature.returns.push(AbiParam::new(I64));
    signature
}

/// Lays the static objects out one after the other and writes every word
/// but the code words, which are known after linking. Returns their addresses.
fn lay_out_statics(memory: &mut RawMemory, program: &Program) -> Result<Vec<u64>, JitError> {
    let words: u64 = program.statics.iter().map(|object| object.words.len() as u64).sum();
    let base = memory.grow(words * 8).ok_or(JitError::OutOfMemory)?;
    let mut addresses = Vec::with_capacity(program.statics.len());
    let mut next = base;
    for object in &program.statics {
        addresses.push(next);
        next += object.words.len() as u64 * 8;
    }
    for (object, &address) in program.statics.iter().zip(&addresses) {
        for (index, word) in object.words.iter().enumerate() {
            let value = match *word {
                StaticWord::Raw(raw) => raw,
                StaticWord::Object(other) => abi::pointer_word(addresses[other as usize]),
                StaticWord::Code(_) => continue,
            };
            memory.store(address + index as u64 * 8, value);
        }
    }
    Ok(addresses)
}

/// Allocates the cells, each [`abi::CELL_EMPTY`]. Returns the address of cell 0.
fn lay_out_cells(memory: &mut RawMemory, cells: u32) -> Result<u64, JitError> {
    let base = memory.grow(abi::words(cells)).ok_or(JitError::OutOfMemory)?;
    for cell in 0..cells {
        memory.store(base + abi::words(cell), abi::CELL_EMPTY);
    }
    Ok(base)
}
