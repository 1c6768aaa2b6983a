//! The compiled program as the driver and the run-time library use it.

use std::collections::HashMap;
use std::panic;

use min_lir::host::{Backend, Host, Memory};
use min_lir::{CellId, FuncId, Program, StaticId, VmVar, abi};

use crate::compile::{CodeMemory, compile};
use crate::ctx::Ctx;
use crate::error::JitError;
use crate::trampoline::Trampoline;

/// A LIR program compiled to machine code in this process, with the memory
/// it runs in.
///
/// Addresses are real: heap objects, static objects and cells live in
/// memory that [`Memory::grow`] takes from the system allocator, kept until
/// the backend is dropped. VM variables start at 0, cells at
/// [`abi::CELL_EMPTY`].
///
/// Calls of [`Backend::invoke`] run on the caller's thread and stack; a deep
/// recursion of the program needs a thread with a large stack, which the
/// caller provides. A panic of the host during a call is caught where the
/// generated code called the helper (that helper and any later one fail)
/// and resumes when the call returns.
///
/// [`Backend::invoke`] panics when the function does not exist or the
/// number of arguments is not its number of parameters.
pub struct JitBackend {
    /// Owned: made by `Box::into_raw` and freed on drop. Generated code
    /// reaches it through a raw pointer, so it is never behind a `Box` or a
    /// reference while the program runs.
    ctx: *mut Ctx,
    /// Kept alive (and freed on drop) with the code it holds.
    _code: CodeMemory,
    /// Each function's code address and number of parameters.
    functions: Vec<(*const u8, u32)>,
    /// The entry point for each number of parameters a function has.
    trampolines: HashMap<u32, Trampoline>,
    statics: Vec<u64>,
    cells: u64,
    cell_count: u32,
}

// SAFETY: the backend owns its context, memory and code outright; the raw
// pointers in it (and in Cranelift's module) point into that property and
// nothing in it is tied to the thread that made it. The host pointer in the
// context is only set during a call, which borrows the backend mutably.
unsafe impl Send for JitBackend {}

impl JitBackend {
    /// Compiles a program. Fails when the program breaks a rule of the LIR
    /// (including a function whose end can be reached without a return or a
    /// tail call), or when this machine cannot run the code.
    pub fn compile(program: &Program) -> Result<JitBackend, JitError> {
        compile(program)
    }

    pub(crate) fn new(
        code: CodeMemory,
        ctx: Box<Ctx>,
        functions: Vec<(*const u8, u32)>,
        trampolines: HashMap<u32, Trampoline>,
        statics: Vec<u64>,
        cells: u64,
        cell_count: u32,
    ) -> JitBackend {
        JitBackend { ctx: Box::into_raw(ctx), _code: code, functions, trampolines, statics, cells, cell_count }
    }

    /// The tagged word of a static object, as `Expr::Static` gives it.
    pub fn static_word(&self, object: StaticId) -> Option<u64> {
        self.statics.get(object as usize).map(|&address| abi::pointer_word(address))
    }

    /// The address of a cell, as `Expr::Cell` gives it.
    pub fn cell_address(&self, cell: CellId) -> Option<u64> {
        (cell < self.cell_count).then(|| self.cells + abi::words(cell))
    }

    fn ctx(&self) -> &Ctx {
        // SAFETY: the context lives as long as the backend, and no call of the
        // program is under way while the backend is borrowed.
        unsafe { &*self.ctx }
    }

    fn ctx_mut(&mut self) -> &mut Ctx {
        // SAFETY: as in `ctx`, with the backend borrowed mutably.
        unsafe { &mut *self.ctx }
    }
}

impl Backend for JitBackend {
    fn memory(&mut self) -> &mut dyn Memory {
        &mut self.ctx_mut().memory
    }

    fn vm(&self, var: VmVar) -> u64 {
        self.ctx().vm(var)
    }

    fn set_vm(&mut self, var: VmVar, value: u64) {
        self.ctx_mut().set_vm(var, value);
    }

    fn invoke(&mut self, function: FuncId, args: &[u64], host: &mut dyn Host) -> u64 {
        let Some(&(code, params)) = self.functions.get(function as usize) else {
            panic!("invoke of f{function}, but the program has {} functions", self.functions.len());
        };
        assert_eq!(args.len(), params as usize, "invoke of f{function} with the wrong number of arguments");
        let trampoline = self.trampolines[&params];
        self.ctx_mut().install_host(host);
        // SAFETY: the trampoline for this arity calls `code`, a function of
        // `params` parameters, with the `params` words of `args`; the context
        // is live and not borrowed while the program runs (the helpers make
        // the only references to it, one at a time).
        let result = unsafe { trampoline(self.ctx, code, args.as_ptr()) };
        if let Some(payload) = self.ctx_mut().take_host() {
            panic::resume_unwind(payload);
        }
        result
    }
}

impl Drop for JitBackend {
    fn drop(&mut self) {
        // SAFETY: made by `Box::into_raw` in `new` and freed once, here.
        drop(unsafe { Box::from_raw(self.ctx) });
    }
}
