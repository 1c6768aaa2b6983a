//! A compiled program ready for calls: the driver both backends share.
//!
//! [`Session::new`] lays out what the ABI keeps in memory besides objects —
//! the static region's descriptor, the descriptor of the region a call's
//! arguments live in, and the stack of region descriptors that calls push —
//! and sets the VM variables. [`Session::call`] runs an export on values
//! and gives back a value or the fault, as `min_interp::Machine::call` does.

use min_core::Constructor;
use min_diagnostics::codes;
use min_interp::{RuntimeError, Value};
use min_lir::abi::{FAIL, REGION_WORDS, SESSION_FIXED_DESCRIPTORS, session_descriptor_bytes};
use min_lir::host::{Backend, Memory};
use min_lir::{Export, Program, VmVar};

use crate::decode::decode;
use crate::regions::{RegionStats, out_of_memory};
use crate::runtime::Runtime;
use crate::tables::Tables;
use std::sync::Arc;

/// Bytes of a region descriptor.
const DESCRIPTOR_BYTES: u64 = REGION_WORDS as u64 * 8;

/// Where [`Session::with_tables`] laid out the descriptors in a backend's
/// memory, to resume a session on that backend put back as it was then
/// ([`Session::resume`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLayout {
    /// The descriptor of the region a call's arguments are built in.
    arguments_region: u64,
    /// The first descriptor of the region stack.
    stack_start: u64,
    /// One past the last descriptor of the region stack.
    stack_end: u64,
    /// How deep calls may nest, which sized the stack.
    depth_limit: usize,
}

/// A call's arguments built in the arguments' region by
/// [`Session::write_arguments`]: their words, in order.
#[derive(Debug)]
pub struct Arguments(Vec<u64>);

/// A backend's compiled program with its run-time library.
pub struct Session<B: Backend> {
    backend: B,
    runtime: Runtime,
    /// Where the descriptors are.
    layout: SessionLayout,
    /// Whether [`Session::call_last`] returned: its regions are not
    /// released, so no call may follow.
    ended: bool,
}

/// What a call that returned does with its regions once its result is read.
#[derive(Clone, Copy)]
enum AfterReturn {
    /// Releases them and pops the region stack, for the next call.
    Release,
    /// Leaves them: the session ends.
    Leave,
}

/// The most words of a call (`dest`, `scratch` and the arguments) passed
/// without allocating.
const WORDS_ON_STACK: usize = 8;

impl<B: Backend> Session<B> {
    /// A session running `backend`, the compilation of `program`, with calls
    /// nesting at most `depth_limit` deep. Takes from the backend's memory
    /// one block of zeroed descriptors (written as zeros, not trusted to be
    /// zero): the static region's, the arguments', and a stack of
    /// `depth_limit + 2` for the regions of the calls; sets
    /// [`VmVar::StaticRegion`], [`VmVar::RegionTop`], [`VmVar::DepthLimit`]
    /// and [`VmVar::Depth`]. Fails when the memory cannot grow that much.
    pub fn new(backend: B, program: &Program, depth_limit: usize) -> Result<Session<B>, RuntimeError> {
        Session::with_tables(backend, Arc::new(Tables::of(program)), depth_limit)
    }

    /// A session running `backend`, a program known by its run-time
    /// `tables` alone (a deployed module and its metadata), as
    /// [`Session::new`] sets one up.
    pub fn with_tables(mut backend: B, tables: Arc<Tables>, depth_limit: usize) -> Result<Session<B>, RuntimeError> {
        let bytes = session_descriptor_bytes(depth_limit as u64).ok_or_else(|| *out_of_memory(u64::MAX))?;
        let memory = backend.memory();
        let start = memory.grow_zeroed(bytes).ok_or_else(|| *out_of_memory(bytes))?;
        let static_region = start;
        let arguments_region = start + DESCRIPTOR_BYTES;
        let stack_start = start + SESSION_FIXED_DESCRIPTORS * DESCRIPTOR_BYTES;
        backend.set_vm(VmVar::StaticRegion, static_region);
        backend.set_vm(VmVar::RegionTop, stack_start);
        backend.set_vm(VmVar::DepthLimit, depth_limit as u64);
        backend.set_vm(VmVar::Depth, 0);
        let layout = SessionLayout { arguments_region, stack_start, stack_end: start + bytes, depth_limit };
        Ok(Session::resume(backend, tables, layout))
    }

    /// A session on `backend` as [`Session::with_tables`] left the one
    /// that laid out `layout` on it: the backend must be as it was right
    /// after that setup (its memory, VM variables and heap top), as a
    /// backend put back to that state is. Nothing is laid out again.
    pub fn resume(backend: B, tables: Arc<Tables>, layout: SessionLayout) -> Session<B> {
        Session { backend, runtime: Runtime::with_tables(tables, layout.depth_limit), layout, ended: false }
    }

    /// Where the session laid out its descriptors.
    pub fn layout(&self) -> SessionLayout {
        self.layout
    }

    /// Calls the export `export_name` of `program` (the program the session
    /// was made for) with exactly as many `args` as it takes.
    ///
    /// The arguments are built in the arguments' region; two descriptors
    /// pushed on the region stack are the call's `dest` and `scratch`. The
    /// result is decoded before all three regions are released and the
    /// stack popped. A fault comes back as the interpreter reports it: the
    /// export's name is the outermost entry of its trace (unless the call
    /// could not even start for the depth limit; a value's name comes from
    /// its forcing code, as the lowering emits it), and the VM's depth and
    /// region top are reset, every region the failed call left behind
    /// released. Unlike the interpreter, a compiled export is not curried:
    /// another number of arguments is `E0403`.
    pub fn call<'p>(
        &mut self,
        program: &'p Program,
        export_name: &str,
        args: &[Value<'p>],
    ) -> Result<Value<'p>, RuntimeError> {
        let Some(export) = program.export(export_name) else {
            return Err(error(codes::E0402, format!("there is no global named {export_name}")));
        };
        self.call_export(export, args, &program.constructors)
    }

    /// Calls `export` of the session's program, as [`Session::call`] does;
    /// `constructors` are the program's, which the result's data values
    /// borrow.
    pub fn call_export<'p>(
        &mut self,
        export: &Export,
        args: &[Value<'p>],
        constructors: &'p [Constructor],
    ) -> Result<Value<'p>, RuntimeError> {
        let arguments = self.write_arguments(|runtime, memory, region| {
            let mut words = Vec::with_capacity(args.len());
            for arg in args {
                let word = runtime.encode(memory, region, arg);
                if word == FAIL {
                    return Err(runtime.take_fault().unwrap_or_else(|| error(codes::E0401, "an invalid argument")));
                }
                words.push(word);
            }
            Ok(words)
        })?;
        self.call_with_arguments(export, arguments, |memory, word| decode(memory, word, constructors))
    }

    /// Builds a call's arguments in the arguments' region: `write` gets
    /// the run-time library, the memory and the region's descriptor, and
    /// gives the arguments' words in order (or why they cannot be built,
    /// and then the region is released).
    pub fn write_arguments(
        &mut self,
        write: impl FnOnce(&mut Runtime, &mut dyn Memory, u64) -> Result<Vec<u64>, RuntimeError>,
    ) -> Result<Arguments, RuntimeError> {
        assert!(!self.ended, "arguments written after the session's last call");
        let memory = self.backend.memory();
        match write(&mut self.runtime, memory, self.layout.arguments_region) {
            Ok(words) => Ok(Arguments(words)),
            Err(fault) => {
                self.runtime.release(self.backend.memory(), self.layout.arguments_region);
                Err(fault)
            }
        }
    }

    /// Calls `export` on `arguments` that [`Session::write_arguments`]
    /// built, exactly as many as it takes, as [`Session::call`] does; `read`
    /// reads the result's word out of memory before the call's regions are
    /// released.
    pub fn call_with_arguments<R>(
        &mut self,
        export: &Export,
        arguments: Arguments,
        read: impl FnOnce(&dyn Memory, u64) -> R,
    ) -> Result<R, RuntimeError> {
        self.run(export, arguments, read, AfterReturn::Release)
    }

    /// [`Session::call_with_arguments`] as the session's last call: the
    /// backend is dropped or put back as it was new after it, so the
    /// regions of a call that returned are left as they are rather than
    /// released (a failed call releases them as ever). The session takes
    /// no call after it.
    pub fn call_last<R>(
        &mut self,
        export: &Export,
        arguments: Arguments,
        read: impl FnOnce(&dyn Memory, u64) -> R,
    ) -> Result<R, RuntimeError> {
        self.run(export, arguments, read, AfterReturn::Leave)
    }

    fn run<R>(
        &mut self,
        export: &Export,
        arguments: Arguments,
        read: impl FnOnce(&dyn Memory, u64) -> R,
        after: AfterReturn,
    ) -> Result<R, RuntimeError> {
        assert!(!self.ended, "a call after the session's last call");
        let export_name = export.name.as_str();
        let Arguments(args) = arguments;
        if args.len() != export.arity as usize {
            self.runtime.release(self.backend.memory(), self.layout.arguments_region);
            let message = match export.arity {
                0 => format!("{export_name} is a value, not a function, but was given {} arguments", args.len()),
                arity => format!("{export_name} takes {arity} arguments but was given {}", args.len()),
            };
            return Err(error(codes::E0403, message));
        }
        // Between calls the VM is as the session set it up: every call
        // that returns puts it back, and so does every call that fails.
        let (depth, top) = (0, self.layout.stack_start);
        let (dest, scratch) = (top, top + DESCRIPTOR_BYTES);
        let mut on_stack = [0u64; WORDS_ON_STACK];
        let mut on_heap = Vec::new();
        let words: &mut [u64] = if 2 + args.len() <= WORDS_ON_STACK {
            &mut on_stack[..2 + args.len()]
        } else {
            on_heap.resize(2 + args.len(), 0);
            &mut on_heap
        };
        words[0] = dest;
        words[1] = scratch;
        words[2..].copy_from_slice(&args);
        let memory = self.backend.memory();
        memory.write_zeros(dest, 2 * DESCRIPTOR_BYTES);
        self.backend.set_vm(VmVar::RegionTop, top + 2 * DESCRIPTOR_BYTES);
        self.runtime.regions.forget_deepest();
        self.runtime.fault = None;
        self.runtime.unentered = false;
        let result = self.backend.invoke(export.function, words, &mut self.runtime);
        if result == FAIL {
            let fault = self.runtime.fault.take().unwrap_or_else(|| {
                Box::new(min_interp::ops::ill_formed(format_args!("{export_name} failed without a fault")))
            });
            // As the interpreter's `run_global`, name the export unless it
            // could not start; a value's forcing code names it itself.
            let unentered = std::mem::take(&mut self.runtime.unentered);
            let fault = if export.arity > 0 && !unentered { fault.called_from(&export.name) } else { fault };
            self.release_from(top);
            self.backend.set_vm(VmVar::Depth, depth);
            self.backend.set_vm(VmVar::RegionTop, top);
            return Err(*fault);
        }
        // Code the lowering produced never gets here with the VM changed; a
        // module from elsewhere might, and gets the same error in every build.
        if self.backend.vm(VmVar::Depth) != depth || self.backend.vm(VmVar::RegionTop) != top + 2 * DESCRIPTOR_BYTES {
            self.release_from(top);
            self.backend.set_vm(VmVar::Depth, depth);
            self.backend.set_vm(VmVar::RegionTop, top);
            return Err(min_interp::ops::ill_formed(format_args!(
                "{export_name} left the depth or the region stack changed"
            )));
        }
        let memory = self.backend.memory();
        let value = read(memory, result);
        match after {
            AfterReturn::Release => {
                self.runtime.release(memory, dest);
                self.runtime.release(memory, scratch);
                self.runtime.release(memory, self.layout.arguments_region);
                self.backend.set_vm(VmVar::RegionTop, top);
            }
            AfterReturn::Leave => self.ended = true,
        }
        Ok(value)
    }

    /// The run-time library.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The run-time library, to encode or decode with.
    pub fn runtime_mut(&mut self) -> &mut Runtime {
        &mut self.runtime
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, to read its memory or VM variables.
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// Ends the session, giving its backend back (to be put back as it was
    /// new and run a session again).
    pub fn into_backend(self) -> B {
        self.backend
    }

    /// How much memory the regions took from the system and hold now.
    pub fn stats(&self) -> RegionStats {
        self.runtime.stats()
    }

    /// Releases the arguments' region and every region of the stack from
    /// `top` up to the highest one that took a chunk during the call: a
    /// failing call returns without releasing its callers' regions.
    fn release_from(&mut self, top: u64) {
        let memory = self.backend.memory();
        let last = self.runtime.regions.deepest().min(self.layout.stack_end - DESCRIPTOR_BYTES);
        let mut region = top;
        while region <= last {
            self.runtime.release(memory, region);
            region += DESCRIPTOR_BYTES;
        }
        // The call's own two regions, even if nothing in them took a chunk.
        self.runtime.release(memory, top);
        self.runtime.release(memory, top + DESCRIPTOR_BYTES);
        self.runtime.release(memory, self.layout.arguments_region);
    }
}

/// A fault of the session itself, outside any helper.
fn error(code: min_diagnostics::Code, message: impl Into<String>) -> RuntimeError {
    RuntimeError { code, message: message.into(), span: None, trace: Vec::new(), repeats: Vec::new() }
}

#[cfg(test)]
mod tests {
    use min_core::{ArithOp, CmpOp, Expr, Global, Lit, Module, NumKind, Prim};
    use min_diagnostics::{Span, codes};
    use min_interp::{Machine, RuntimeError, Value};
    use min_lir::abi::{self, FAIL, NO_SPAN};
    use min_lir::host::{Backend, Host, Memory};
    use min_lir::{Export, FuncId, Helper, Program, VmVar, arith_operation};

    use super::Session;
    use crate::testing::{TestMemory, same, span};

    /// Stand-in compiled code: what a function does with the backend, its
    /// parameters and the run-time library.
    type Code = fn(&mut StandIn, &[u64], &mut dyn Host) -> u64;

    /// A stand-in backend: Rust functions play the compiled functions,
    /// following the calling protocol the lowering emits.
    struct StandIn {
        memory: TestMemory,
        vm: [u64; 4],
        functions: Vec<Code>,
    }

    fn slot(var: VmVar) -> usize {
        match var {
            VmVar::Depth => 0,
            VmVar::DepthLimit => 1,
            VmVar::RegionTop => 2,
            VmVar::StaticRegion => 3,
        }
    }

    impl Backend for StandIn {
        fn memory(&mut self) -> &mut dyn Memory {
            &mut self.memory
        }

        fn vm(&self, var: VmVar) -> u64 {
            self.vm[slot(var)]
        }

        fn set_vm(&mut self, var: VmVar, value: u64) {
            self.vm[slot(var)] = value;
        }

        fn invoke(&mut self, function: FuncId, args: &[u64], host: &mut dyn Host) -> u64 {
            let code = self.functions[function as usize];
            code(self, args, host)
        }
    }

    impl StandIn {
        /// The counted prologue: false when the depth limit stops the call.
        fn enter(&mut self) -> bool {
            let depth = self.vm(VmVar::Depth) + 1;
            if self.vm(VmVar::DepthLimit) < depth {
                return false;
            }
            self.set_vm(VmVar::Depth, depth);
            true
        }

        fn leave(&mut self) {
            self.set_vm(VmVar::Depth, self.vm(VmVar::Depth) - 1);
        }

        fn helper(&mut self, host: &mut dyn Host, helper: Helper, args: &[u64]) -> u64 {
            host.helper(&mut self.memory, helper, args)
        }

        /// A call not in tail position: a fresh scratch region for the
        /// callee, released after; a failure unwinds with `name` and `span`.
        fn call(&mut self, host: &mut dyn Host, callee: FuncId, dest: u64, args: &[u64], name: u64, span: u64) -> u64 {
            let scratch = self.vm(VmVar::RegionTop);
            for offset in [0, 8, 16] {
                self.memory.store(scratch + offset, 0);
            }
            self.set_vm(VmVar::RegionTop, scratch + 24);
            let mut all = vec![dest, scratch];
            all.extend_from_slice(args);
            let result = self.invoke(callee, &all, host);
            self.set_vm(VmVar::RegionTop, scratch);
            if self.memory.load(scratch + 16) != 0 {
                self.helper(host, Helper::RegionRelease, &[scratch]);
            }
            if result == FAIL {
                return self.helper(host, Helper::Unwind, &[name, span]);
            }
            result
        }
    }

    const ADD: FuncId = 0;
    const TWICE: FuncId = 1;
    const DEEP: FuncId = 2;
    const GREET: FuncId = 3;
    const LEAKY: FuncId = 4;
    const VALUE: FuncId = 5;

    /// `add a b = a + b` (span 0).
    fn add(backend: &mut StandIn, args: &[u64], host: &mut dyn Host) -> u64 {
        if !backend.enter() {
            return backend.helper(host, Helper::DepthExceeded, &[]);
        }
        let sum = backend.helper(
            host,
            Helper::Arith,
            &[arith_operation(ArithOp::Add, NumKind::Nat), args[2], args[3], args[0], 0],
        );
        if sum == FAIL {
            return FAIL;
        }
        backend.leave();
        sum
    }

    /// `twice x = add x x`, a tail call: the callee takes the caller's
    /// place, in the trace too.
    fn twice(backend: &mut StandIn, args: &[u64], host: &mut dyn Host) -> u64 {
        if !backend.enter() {
            return backend.helper(host, Helper::DepthExceeded, &[]);
        }
        backend.leave();
        backend.invoke(ADD, &[args[0], args[1], args[2], args[2]], host)
    }

    /// `deep n = if n == 0 then 0 else 1 + deep (n - 1)` (the addition at
    /// span 0, the call at span 1).
    fn deep(backend: &mut StandIn, args: &[u64], host: &mut dyn Host) -> u64 {
        if !backend.enter() {
            return backend.helper(host, Helper::DepthExceeded, &[]);
        }
        let (dest, scratch, n) = (args[0], args[1], args[2]);
        if n == abi::small_nat(0).unwrap() {
            backend.leave();
            return n;
        }
        let one = abi::small_nat(1).unwrap();
        let sub = arith_operation(ArithOp::Sub, NumKind::Nat);
        let m = backend.helper(host, Helper::Arith, &[sub, n, one, scratch, NO_SPAN]);
        let rest = backend.call(host, DEEP, scratch, &[m], 1, 1);
        if rest == FAIL {
            return FAIL;
        }
        let sum =
            backend.helper(host, Helper::Arith, &[arith_operation(ArithOp::Add, NumKind::Nat), one, rest, dest, 0]);
        if sum == FAIL {
            return FAIL;
        }
        backend.leave();
        sum
    }

    /// `greet s = show s ++ s`, with a big object in its scratch region.
    fn greet(backend: &mut StandIn, args: &[u64], host: &mut dyn Host) -> u64 {
        if !backend.enter() {
            return backend.helper(host, Helper::DepthExceeded, &[]);
        }
        let (dest, scratch, s) = (args[0], args[1], args[2]);
        backend.helper(host, Helper::RegionGrow, &[scratch, 100_000]);
        let show = Prim::Show.index() as u64;
        let shown = backend.helper(host, Helper::Prim1, &[show, s, scratch, NO_SPAN]);
        let result = backend.helper(host, Helper::Concat, &[shown, s, dest]);
        backend.leave();
        result
    }

    /// Fails deep inside, leaving its callee's region full, the region top
    /// pushed and the depth counted, as no well-behaved code would.
    fn leaky(backend: &mut StandIn, args: &[u64], host: &mut dyn Host) -> u64 {
        backend.enter();
        let callee_scratch = backend.vm(VmVar::RegionTop);
        for offset in [0, 8, 16] {
            backend.memory.store(callee_scratch + offset, 0);
        }
        backend.set_vm(VmVar::RegionTop, callee_scratch + 24);
        backend.enter();
        for _ in 0..3 {
            backend.helper(host, Helper::RegionGrow, &[callee_scratch, 30_000]);
        }
        backend.helper(host, Helper::RegionGrow, &[args[0], 64]);
        backend.helper(host, Helper::MatchFailure, &[args[2], 2])
    }

    /// The forcing code of `v = Prim.abort "boom"` (the call at span 2).
    fn value(backend: &mut StandIn, args: &[u64], host: &mut dyn Host) -> u64 {
        let abort = Prim::Abort.index() as u64;
        let message = {
            let address = backend.helper(host, Helper::RegionGrow, &[args[0], 16]);
            backend.memory.store(address, abi::header(abi::Kind::Str, 4, 0));
            backend.memory.write(address + 8, b"boom\0\0\0\0");
            abi::pointer_word(address)
        };
        let result = backend.helper(host, Helper::Prim1, &[abort, message, args[0], 2]);
        assert_eq!(result, FAIL);
        backend.helper(host, Helper::Unwind, &[2, NO_SPAN])
    }

    /// The program the stand-in code plays.
    fn program() -> Program {
        let export = |name: &str, function: FuncId, arity: u32| Export { name: name.to_string(), function, arity };
        Program {
            spans: vec![span(3, 7), span(10, 20), span(30, 31)],
            names: vec!["Main.add".to_string(), "Main.deep".to_string(), "Main.v".to_string()],
            exports: vec![
                export("Main.add", ADD, 2),
                export("Main.twice", TWICE, 1),
                export("Main.deep", DEEP, 1),
                export("Main.greet", GREET, 1),
                export("Main.leaky", LEAKY, 1),
                export("Main.v", VALUE, 0),
            ],
            ..Program::default()
        }
    }

    /// The same program as core IR, for the interpreter.
    fn modules() -> Vec<Module> {
        let nat = |n: u128| Expr::Lit(Lit::Nat(n));
        let global = |name: &str, arity: u32, body: Expr| Global {
            name: name.to_string(),
            arity,
            frame_size: arity,
            body,
            span: Span::default(),
            ty: Default::default(),
            slots: Vec::new(),
        };
        let arith =
            |op: ArithOp, a: Expr, b: Expr, at: Span| Expr::Arith(op, NumKind::Nat, Box::new(a), Box::new(b), at);
        let apply =
            |name: &str, args: Vec<Expr>, at: Span| Expr::Apply(Box::new(Expr::Global(name.to_string())), args, at);
        let deep = Expr::If(
            Box::new(Expr::Compare(CmpOp::Eq, Box::new(Expr::Local(0)), Box::new(nat(0)), Span::default())),
            Box::new(nat(0)),
            Box::new(arith(
                ArithOp::Add,
                nat(1),
                apply("Main.deep", vec![arith(ArithOp::Sub, Expr::Local(0), nat(1), Span::default())], span(10, 20)),
                span(3, 7),
            )),
        );
        let abort =
            Expr::Apply(Box::new(Expr::Prim(Prim::Abort)), vec![Expr::Lit(Lit::Str("boom".to_string()))], span(30, 31));
        vec![Module {
            name: "Main".to_string(),
            globals: vec![
                global("Main.add", 2, arith(ArithOp::Add, Expr::Local(0), Expr::Local(1), span(3, 7))),
                global("Main.twice", 1, apply("Main.add", vec![Expr::Local(0), Expr::Local(0)], span(10, 20))),
                global("Main.deep", 1, deep),
                global("Main.v", 0, abort),
            ],
            types: Vec::new(),
            specs: Vec::new(),
        }]
    }

    fn session(program: &Program, depth_limit: usize) -> Session<StandIn> {
        let backend =
            StandIn { memory: TestMemory::new(), vm: [0; 4], functions: vec![add, twice, deep, greet, leaky, value] };
        Session::new(backend, program, depth_limit).unwrap()
    }

    /// Runs the same call in a session and in the interpreter and asserts
    /// the same outcome.
    fn agree<'p>(
        (program, modules): (&'p Program, &'p [Module]),
        depth_limit: usize,
        name: &str,
        args: Vec<Value<'p>>,
    ) -> Result<Value<'p>, RuntimeError> {
        let mut session = session(program, depth_limit);
        let compiled = session.call(program, name, &args);
        let interpreted = Machine::new(modules).with_depth_limit(depth_limit).call(name, args);
        match (&compiled, &interpreted) {
            (Ok(x), Ok(y)) => assert!(same(x, y), "{name}: {x} compiled, {y} interpreted"),
            (Err(x), Err(y)) => assert_eq!(x, y, "{name}"),
            _ => panic!("{name}: {compiled:?} compiled, {interpreted:?} interpreted"),
        }
        compiled
    }

    #[test]
    fn calls_return_values_and_faults_as_the_interpreter_does() {
        let (program, modules) = (program(), modules());
        let both = (&program, modules.as_slice());
        assert!(same(&agree(both, 100, "Main.add", vec![Value::Nat(2), Value::Nat(3)]).unwrap(), &Value::Nat(5)));
        let big = Value::Nat(abi::SMALL_NAT_MAX);
        assert!(same(&agree(both, 100, "Main.twice", vec![big]).unwrap(), &Value::Nat(2 * abi::SMALL_NAT_MAX)));
        let fault = agree(both, 100, "Main.twice", vec![Value::Nat(u128::MAX)]).unwrap_err();
        assert_eq!((fault.code, fault.span), (codes::E0410, Some(span(3, 7))));
        assert_eq!(fault.trace, ["Main.twice"]);
        assert!(same(&agree(both, 10, "Main.deep", vec![Value::Nat(9)]).unwrap(), &Value::Nat(9)));
        let fault = agree(both, 10, "Main.deep", vec![Value::Nat(10)]).unwrap_err();
        assert_eq!((fault.code, fault.span), (codes::E0413, Some(span(10, 20))));
        assert_eq!((fault.trace.as_slice(), fault.repeats.as_slice()), (&["Main.deep".to_string()][..], &[10][..]));
        let fault = agree(both, 0, "Main.add", vec![Value::Nat(1), Value::Nat(1)]).unwrap_err();
        assert!(fault.trace.is_empty());
        let fault = agree(both, 100, "Main.v", Vec::new()).unwrap_err();
        assert_eq!((fault.message.as_str(), fault.trace.as_slice()), ("boom", &["Main.v".to_string()][..]));
        assert_eq!(agree(both, 100, "Main.nothing", Vec::new()).unwrap_err().code, codes::E0402);
    }

    #[test]
    fn a_failed_call_leaves_the_session_as_it_was() {
        let program = program();
        let mut session = session(&program, 100);
        let (depth, top) = (session.backend().vm(VmVar::Depth), session.backend().vm(VmVar::RegionTop));
        let fault = session.call(&program, "Main.leaky", &[Value::string("x")]).unwrap_err();
        assert_eq!(
            fault,
            *Box::new(min_interp::ops::match_failure(&Value::string("x"))).at(span(30, 31)).called_from("Main.leaky")
        );
        assert_eq!(session.backend().vm(VmVar::Depth), depth);
        assert_eq!(session.backend().vm(VmVar::RegionTop), top);
        assert_eq!(session.stats().chunks_in_use, 0, "the regions the failed call left are released");
        let greeting = session.call(&program, "Main.greet", &[Value::string("σ")]).unwrap();
        assert_eq!(greeting.to_string(), "\"\\\"σ\\\"σ\"");
    }

    #[test]
    fn arguments_compiled_code_cannot_hold_are_refused() {
        let program = program();
        let mut session = session(&program, 100);
        let fault = session.call(&program, "Main.add", &[Value::Nat(1 << 100), Value::opaque_function(1)]).unwrap_err();
        assert_eq!(fault.code, codes::E0401);
        assert_eq!(session.stats().chunks_in_use, 0);
        let fault = session.call(&program, "Main.add", &[Value::Nat(1)]).unwrap_err();
        assert_eq!((fault.code, fault.message.as_str()), (codes::E0403, "Main.add takes 2 arguments but was given 1"));
        let fault = session.call(&program, "Main.v", &[Value::Nat(1)]).unwrap_err();
        assert_eq!(fault.code, codes::E0403);
    }

    #[test]
    fn the_session_sets_up_zeroed_descriptors_and_the_vm() {
        let program = program();
        let mut session = session(&program, 50);
        let backend = session.backend_mut();
        let (static_region, top) = (backend.vm(VmVar::StaticRegion), backend.vm(VmVar::RegionTop));
        assert_eq!(backend.vm(VmVar::DepthLimit), 50);
        assert_eq!(backend.vm(VmVar::Depth), 0);
        assert!(static_region < top);
        let stack_end = top + 52 * 24;
        let memory = backend.memory();
        for address in (static_region..stack_end).step_by(8) {
            assert_eq!(memory.load(address), 0, "{address:#x}");
        }
        assert_eq!(session.runtime().depth_limit(), 50);
    }

    #[test]
    fn memory_stays_flat_across_many_calls() {
        let program = program();
        let mut session = session(&program, 100);
        let mut warm = None;
        for call in 0..100_000u32 {
            if call % 1000 == 999 {
                session.call(&program, "Main.leaky", &[Value::Nat(1)]).unwrap_err();
            } else if call % 2 == 0 {
                let text = Value::string(if call % 3 == 0 { "a longer string, beyond one word" } else { "σ" });
                session.call(&program, "Main.greet", &[text]).unwrap();
            } else {
                let result = session.call(&program, "Main.add", &[Value::Nat(u128::from(call) << 64), Value::Nat(1)]);
                assert!(same(&result.unwrap(), &Value::Nat((u128::from(call) << 64) + 1)));
            }
            assert_eq!(session.stats().chunks_in_use, 0);
            if call == 1000 {
                warm = Some(session.stats());
            }
        }
        let stats = session.stats();
        assert_eq!(Some(stats.bytes_from_system), warm.map(|stats| stats.bytes_from_system), "{stats:?}");
        assert!(stats.chunks_from_system <= 8, "{stats:?}");
    }
}
