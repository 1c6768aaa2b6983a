//! A module from [`emit`](crate::emit()) instantiated in wasmtime, as an LIR
//! [`Backend`].

mod host;
mod memory;

use std::cell::{Cell, RefCell};

use min_lir::host::{Backend, Host, Memory};
use min_lir::{FuncId, Helper, Program, VmVar, abi as lir_abi};
use wasmtime::{
    Config, Engine, ExternType, Func, Global, Linker, Module, Mutability, Store, Table, Val, ValRaw, ValType,
};

use crate::abi::{FUNCTIONS, HEAP_BASE, MEMORY, VM_VARS, vm_global, vm_global_index};
use crate::{WasmError, emit};
use host::{HostGuard, HostSlot};
use memory::StoreMemory;

/// A stack limit for Wasm code that is safe on any thread with at least
/// 2 MiB of stack, Rust's default for spawned threads (test threads
/// included): the rest is left for the host's helpers.
///
/// wasmtime traps when Wasm code needs more than the limit, but it cannot
/// make the thread's stack larger: a limit above what the calling thread
/// has left crashes the process instead of trapping. Deep non-tail
/// recursion needs both a large limit and a thread spawned with a larger
/// stack (`std::thread::Builder::stack_size`), for instance a 1 GiB limit on
/// a thread of 2 GiB.
pub const WASM_STACK_BYTES_DEFAULT: usize = 1 << 20;

/// What the store keeps for the host functions.
#[derive(Default)]
struct State {
    /// The host of the running `invoke`.
    host: HostSlot,
    /// The instance's memory, once instantiated.
    memory: Option<wasmtime::Memory>,
    /// The first address [`Memory::grow`] has not handed out.
    heap_top: u64,
    /// What a helper call costs in fuel, if helpers are metered.
    meter: Option<HelperMeter>,
}

/// What one helper call did, for a [`HelperMeter`] to price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelperUse {
    /// The helper.
    pub helper: Helper,
    /// Words of linear memory it loaded, stored, read or wrote (bytes
    /// rounded up to whole words).
    pub words: u64,
    /// Bytes of fresh memory it took for regions.
    pub grown_bytes: u64,
}

/// The fuel a helper call costs, charged after it returns: see
/// [`WasmBackend::instantiate`]. It must charge at least one unit per word
/// the helper touched, which is what the helper's budget assumes.
pub type HelperMeter = fn(HelperUse) -> u64;

/// The panic payload that stops a metered helper, or the decoding of a
/// result, that has used up the fuel: a helper's work is only priced when
/// it returns, so one that would touch more memory than the fuel pays for
/// (decoding a huge or cyclic structure) is stopped by unwinding. Whoever
/// calls [`Backend::invoke`](min_lir::host::Backend::invoke) on a metered
/// backend catches it (`std::panic::catch_unwind`) and reports the call out
/// of fuel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuelExhausted;

/// A module made by [`emit()`], compiled and linked to the run-time
/// helpers once, ready to instantiate as often as needed
/// ([`WasmBackend::instantiate_prepared`]).
#[derive(Clone)]
pub struct Prepared(wasmtime::InstancePre<State>);

impl Prepared {
    /// Links `module`, compiled by `engine`, to the helpers.
    pub fn new(engine: &Engine, module: &Module) -> Result<Prepared, WasmError> {
        let mut linker = Linker::new(engine);
        host::link(&mut linker).map_err(runtime)?;
        linker.instantiate_pre(module).map(Prepared).map_err(runtime)
    }
}

/// A program running in wasmtime: the instance of its module, with NaN
/// canonicalisation and tail calls on.
pub struct WasmBackend {
    memory: StoreMemory,
    /// The VM variables' globals, in the order of [`VM_VARS`].
    vm_globals: Vec<Global>,
    /// The module's function table: LIR function `f` at index `f + 1`.
    table: Table,
    /// Every LIR function, by id, with its number of parameters, once a
    /// call has looked it up: an instance resolves only what it calls.
    functions: Vec<Option<Callee>>,
    last_trap: Option<String>,
    last_trap_code: Option<wasmtime::Trap>,
    /// What the instance held when it was new, if it is kept to be put
    /// back ([`WasmBackend::instantiate_restorable`]).
    pristine: Option<Box<Pristine>>,
}

/// A function of the table, as [`Backend::invoke`] calls it.
#[derive(Clone, Copy)]
struct Callee {
    func: Func,
    /// How many parameters it takes.
    params: usize,
    /// Whether it takes only `i64`s and returns one `i64`, as every function
    /// `emit` makes does: then it is called without checking the types of
    /// its arguments again.
    words_only: bool,
}

/// What a new instance holds that a call can change: the memory's bytes,
/// the exported mutable globals and the heap top. The function table cannot
/// change (Min's modules have no table instructions), nor can anything else
/// a module without unexported mutable globals keeps.
struct Pristine {
    /// The memory's bytes up to the last one that is not zero; the rest of
    /// the memory is zero.
    image: Vec<u8>,
    /// The memory's size.
    memory_bytes: usize,
    /// Every exported mutable global with its value.
    globals: Vec<(Global, Val)>,
    /// The first address [`Memory::grow`] had not handed out.
    heap_top: u64,
}

impl WasmBackend {
    /// Emits a program and instantiates it; Wasm code may use up to
    /// `wasm_stack_bytes_max` bytes of the calling thread's stack (see
    /// [`WASM_STACK_BYTES_DEFAULT`]).
    pub fn compile(program: &Program, wasm_stack_bytes_max: usize) -> Result<WasmBackend, WasmError> {
        WasmBackend::new(&emit(program)?, wasm_stack_bytes_max)
    }

    /// Compiles and instantiates a module made by [`emit()`].
    pub fn new(module: &[u8], wasm_stack_bytes_max: usize) -> Result<WasmBackend, WasmError> {
        let engine = Engine::new(&WasmBackend::config(wasm_stack_bytes_max)).map_err(runtime)?;
        let module = Module::new(&engine, module).map_err(runtime)?;
        WasmBackend::instantiate(&engine, &module, None)
    }

    /// What every engine running Min modules needs: tail calls, custom page
    /// sizes ([`crate::MemoryPages::Bytes`]) and NaN canonicalisation on, and Wasm code using up to
    /// `wasm_stack_bytes_max` bytes of the calling thread's stack. A host
    /// adds its own settings (fuel, an allocation strategy) before it makes
    /// the engine.
    pub fn config(wasm_stack_bytes_max: usize) -> Config {
        let mut config = Config::new();
        config
            .wasm_tail_call(true)
            .wasm_custom_page_sizes(true)
            .max_wasm_stack(wasm_stack_bytes_max)
            .cranelift_nan_canonicalization(true);
        // Only async calls run on a stack of this size, and there are none;
        // wasmtime still wants it to be at least the Wasm stack limit.
        config.async_stack_size(wasm_stack_bytes_max);
        config
    }

    /// Instantiates a module made by [`emit()`] and compiled by `engine`,
    /// whose configuration starts from [`WasmBackend::config`], in a store
    /// of its own.
    ///
    /// With a `meter`, the engine must consume fuel: the store starts with
    /// none (give it some with [`WasmBackend::set_fuel`]), each helper call
    /// is charged what the meter says after it returns, a helper that
    /// touches more words than the fuel left is stopped with a
    /// [`FuelExhausted`] panic, and loads and reads of the memory outside
    /// calls (decoding results) cost one unit a word, with the same panic
    /// when the fuel runs out.
    pub fn instantiate(engine: &Engine, module: &Module, meter: Option<HelperMeter>) -> Result<WasmBackend, WasmError> {
        WasmBackend::instantiate_prepared(&Prepared::new(engine, module)?, meter)
    }

    /// [`WasmBackend::instantiate`] from a module already linked to the
    /// helpers: what a host that runs a module many times keeps.
    pub fn instantiate_prepared(prepared: &Prepared, meter: Option<HelperMeter>) -> Result<WasmBackend, WasmError> {
        WasmBackend::instantiated(prepared, meter).map(|(backend, _)| backend)
    }

    /// A new instance of `prepared`, as the backend and as wasmtime's.
    fn instantiated(
        prepared: &Prepared,
        meter: Option<HelperMeter>,
    ) -> Result<(WasmBackend, wasmtime::Instance), WasmError> {
        let mut store = Store::new(prepared.0.module().engine(), State { meter, ..State::default() });
        // A memory without a copy-on-write image (one of 1-byte pages has
        // none) gets its data by running its data segments, which uses fuel
        // when the engine consumes it. Instantiating is not a call: each
        // call's fuel is set before it ([`WasmBackend::set_fuel`]). Setting
        // fuel fails only when the engine does not consume it.
        let _ = store.set_fuel(u64::MAX);
        let instance = prepared.0.instantiate(&mut store).map_err(runtime)?;

        let memory = instance.get_memory(&mut store, MEMORY).ok_or_else(|| missing(MEMORY))?;
        let mut vm_globals = Vec::with_capacity(VM_VARS.len());
        for var in VM_VARS {
            let name = vm_global(var);
            vm_globals.push(instance.get_global(&mut store, name).ok_or_else(|| missing(name))?);
        }
        let heap_base = instance.get_global(&mut store, HEAP_BASE).ok_or_else(|| missing(HEAP_BASE))?;
        let heap_base = heap_base.get(&mut store).i64().ok_or_else(|| missing(HEAP_BASE))? as u64;
        if !heap_base.is_multiple_of(8) || heap_base > memory.data_size(&store) as u64 {
            return Err(WasmError::Runtime(format!("{HEAP_BASE} {heap_base:#x} is not a free 8-aligned address")));
        }
        let table = instance.get_table(&mut store, FUNCTIONS).ok_or_else(|| missing(FUNCTIONS))?;
        let count = usize::try_from(table.size(&store)).map_err(|_| missing(FUNCTIONS))?.saturating_sub(1);
        let functions = vec![None; count];

        let state = store.data_mut();
        state.memory = Some(memory);
        state.heap_top = heap_base;
        let metered = store.data().meter.is_some();
        let memory = StoreMemory { store: RefCell::new(store), memory, metered, unsettled_fuel: Cell::new(None) };
        let backend =
            WasmBackend { memory, vm_globals, table, functions, last_trap: None, last_trap_code: None, pristine: None };
        Ok((backend, instance))
    }

    /// [`WasmBackend::instantiate_prepared`], keeping what the new instance
    /// holds so that [`WasmBackend::restore`] can put it back after calls.
    ///
    /// The restored instance is the new one only if the module exports
    /// every mutable global it has (as modules made by [`emit()`] do) and has
    /// no instruction that changes its table (none of the features Min uses
    /// has one): the caller checks that of a module it did not make.
    pub fn instantiate_restorable(prepared: &Prepared, meter: Option<HelperMeter>) -> Result<WasmBackend, WasmError> {
        let (mut backend, instance) = WasmBackend::instantiated(prepared, meter)?;
        let store = backend.memory.store.get_mut();
        let names: Vec<String> = prepared
            .0
            .module()
            .exports()
            .filter(|export| matches!(export.ty(), ExternType::Global(ty) if ty.mutability() == Mutability::Var))
            .map(|export| export.name().to_string())
            .collect();
        let mut globals = Vec::with_capacity(names.len());
        for name in &names {
            globals.push(instance.get_global(&mut *store, name).ok_or_else(|| missing(name))?);
        }
        backend.pristine = Some(Box::new(backend.pristine_now(globals)));
        Ok(backend)
    }

    /// What the instance holds now that [`WasmBackend::restore`] puts back,
    /// with `globals` its exported mutable globals.
    fn pristine_now(&mut self, globals: Vec<Global>) -> Pristine {
        let store = self.memory.store.get_mut();
        let data = self.memory.memory.data(&*store);
        let image = data[..data.iter().rposition(|byte| *byte != 0).map_or(0, |last| last + 1)].to_vec();
        let memory_bytes = data.len();
        let heap_top = store.data().heap_top;
        let globals = globals.into_iter().map(|global| (global, global.get(&mut *store))).collect();
        Pristine { image, memory_bytes, globals, heap_top }
    }

    /// From now on, [`WasmBackend::restore`] puts the instance back as it
    /// is now rather than as it was new: for a host that sets an instance
    /// up the same way before every call (a session's descriptors and VM
    /// variables), once. False, changing nothing, for an instance not made
    /// by [`WasmBackend::instantiate_restorable`].
    pub fn keep_as_now(&mut self) -> bool {
        let Some(pristine) = self.pristine.take() else { return false };
        let globals = pristine.globals.into_iter().map(|(global, _)| global).collect();
        self.pristine = Some(Box::new(self.pristine_now(globals)));
        true
    }

    /// Puts an instance made by [`WasmBackend::instantiate_restorable`] back
    /// as it was new, or as it was at the last [`WasmBackend::keep_as_now`]:
    /// its memory's bytes, its mutable globals and the heap top (fuel is
    /// the caller's to set). False, with the instance left
    /// unusable, when that cannot be done: it was not made to be restored,
    /// or its memory grew.
    pub fn restore(&mut self) -> bool {
        let Some(pristine) = self.pristine.as_deref() else { return false };
        let store = self.memory.store.get_mut();
        let data = self.memory.memory.data_mut(&mut *store);
        if data.len() != pristine.memory_bytes {
            self.pristine = None;
            return false;
        }
        let (image, rest) = data.split_at_mut(pristine.image.len());
        image.copy_from_slice(&pristine.image);
        // A call writes a few pages; reading the others to find them is
        // cheaper than writing them all, and leaves their cache lines clean.
        for block in rest.chunks_mut(ZEROED_BLOCK_BYTES) {
            if !is_zero(block) {
                block.fill(0);
            }
        }
        // Setting a global checks its type; reading it is cheaper, and a
        // call that returned leaves most of them as they were.
        for (global, value) in &pristine.globals {
            if !same_number(&global.get(&mut *store), value) {
                global.set(&mut *store, *value).expect("a mutable global takes a value of its type");
            }
        }
        store.data_mut().heap_top = pristine.heap_top;
        self.last_trap = None;
        self.last_trap_code = None;
        true
    }

    /// LIR function `function`, looked up in the table the first time. A
    /// module made by `emit` has every function in its table; any other is
    /// refused at the first call of a missing one.
    fn function(&mut self, function: FuncId) -> Callee {
        let count = self.functions.len();
        let Some(slot) = self.functions.get_mut(function as usize) else {
            panic!("invoke of f{function}, but the module has {count} functions");
        };
        if let Some(found) = *slot {
            return found;
        }
        let store = self.memory.store.get_mut();
        let entry = self.table.get(&mut *store, u64::from(function) + 1).and_then(|entry| entry.unwrap_func().copied());
        let Some(func) = entry else { panic!("{FUNCTIONS}[{}] is not a function", u64::from(function) + 1) };
        let ty = func.ty(&*store);
        let is_word = |value: ValType| matches!(value, ValType::I64);
        let words_only = ty.params().all(is_word) && ty.results().len() == 1 && ty.results().all(is_word);
        let found = Callee { func, params: ty.params().len(), words_only };
        *slot = Some(found);
        found
    }

    /// Sets the fuel left to Wasm code and metered helpers; fails unless the
    /// engine consumes fuel.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), WasmError> {
        self.memory.set_fuel(fuel).map_err(runtime)
    }

    /// Whether the run-time library's loads and reads outside calls (a
    /// result read out) are charged to the fuel: they are on a store whose
    /// helpers are metered, unless turned off, as while a call's arguments
    /// are written (the schedule charges those by their bytes).
    pub fn charge_reads(&mut self, on: bool) {
        self.memory.settle();
        self.memory.metered = on && self.memory.store.get_mut().data().meter.is_some();
    }

    /// The fuel left, or `None` unless the engine consumes fuel.
    pub fn fuel(&self) -> Option<u64> {
        self.memory.fuel()
    }

    /// The trap code of the last [`Backend::invoke`] that trapped with one
    /// ([`Trap::OutOfFuel`](wasmtime::Trap::OutOfFuel) when fuel ran out,
    /// [`Trap::StackOverflow`](wasmtime::Trap::StackOverflow), …), or `None`
    /// if it returned.
    pub fn last_trap_code(&self) -> Option<wasmtime::Trap> {
        self.last_trap_code
    }

    /// What made the last [`Backend::invoke`] trap (a stack overflow, an
    /// out-of-bounds access, an `unreachable`), or `None` if it returned.
    pub fn last_trap(&self) -> Option<&str> {
        self.last_trap.as_deref()
    }

    fn vm_global(&self, var: VmVar) -> Global {
        self.vm_globals[vm_global_index(var) as usize]
    }
}

impl Backend for WasmBackend {
    fn memory(&mut self) -> &mut dyn Memory {
        &mut self.memory
    }

    fn vm(&self, var: VmVar) -> u64 {
        let value = self.vm_global(var).get(&mut *self.memory.store.borrow_mut());
        value.unwrap_i64() as u64
    }

    fn set_vm(&mut self, var: VmVar, value: u64) {
        let global = self.vm_global(var);
        global.set(self.memory.store.get_mut(), Val::I64(value as i64)).expect("VM globals are mutable i64s");
    }

    /// Calls a function; a trap makes it return [`FAIL`](lir_abi::FAIL), with
    /// the reason in [`WasmBackend::last_trap`].
    fn invoke(&mut self, function: FuncId, args: &[u64], host: &mut dyn Host) -> u64 {
        let callee = self.function(function);
        assert_eq!(args.len(), callee.params, "invoke of f{function} with {} arguments", args.len());
        self.memory.settle();
        let guard = HostGuard::new(self.memory.store.get_mut(), host);
        let outcome = if callee.words_only {
            call_words(callee.func, &mut *guard.store, args)
        } else {
            let args: Vec<Val> = args.iter().map(|&arg| Val::I64(arg as i64)).collect();
            let mut result = [Val::I64(0)];
            callee.func.call(&mut *guard.store, &args, &mut result).map(|()| result[0].i64().unwrap_or(0) as u64)
        };
        drop(guard);
        match outcome {
            Ok(result) => {
                self.last_trap = None;
                self.last_trap_code = None;
                result
            }
            Err(error) => {
                self.last_trap_code = error.downcast_ref::<wasmtime::Trap>().copied();
                self.last_trap = Some(format!("{error:?}"));
                lir_abi::FAIL
            }
        }
    }
}

/// The most arguments [`call_words`] passes without allocating.
const ARGUMENTS_ON_STACK: usize = 8;

/// Calls `func`, a function of `store` that takes `args.len()` `i64`s and
/// returns one, on `args`: its result.
fn call_words(func: Func, store: &mut Store<State>, args: &[u64]) -> wasmtime::Result<u64> {
    let mut on_stack = [ValRaw::i64(0); ARGUMENTS_ON_STACK];
    let mut on_heap = Vec::new();
    let slots: &mut [ValRaw] = if args.len() <= ARGUMENTS_ON_STACK {
        &mut on_stack[..args.len().max(1)]
    } else {
        on_heap.resize(args.len(), ValRaw::i64(0));
        &mut on_heap
    };
    for (slot, &arg) in slots.iter_mut().zip(args) {
        *slot = ValRaw::i64(arg as i64);
    }
    // SAFETY: `func` belongs to `store` and takes exactly `args.len()`
    // `i64`s and returns one `i64` (`Callee::words_only`, checked against
    // its type), so `slots` holds its parameters, each of its type, and
    // has room for its result; no reference is passed, and the call is
    // not made from an async one.
    unsafe { func.call_unchecked(&mut *store, slots as *mut [ValRaw])? };
    Ok(slots[0].get_i64() as u64)
}

/// The blocks [`WasmBackend::restore`] checks and zeroes one at a time: a
/// call writes a few hundred bytes of each chunk it takes.
const ZEROED_BLOCK_BYTES: usize = 512;

/// Whether two values are the same number, bit for bit (a NaN is the same
/// as itself); values that are not numbers never are.
fn same_number(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::I32(a), Val::I32(b)) => a == b,
        (Val::I64(a), Val::I64(b)) => a == b,
        (Val::F32(a), Val::F32(b)) => a == b,
        (Val::F64(a), Val::F64(b)) => a == b,
        _ => false,
    }
}

/// Whether every byte of `bytes` (a block of at most `ZEROED_BLOCK_BYTES`)
/// is zero: its words are or-ed together without a branch, into
/// [`ZERO_LANES`] accumulators at once so that no or waits for the one
/// before it (a third faster than one accumulator); only the bytes past the
/// last whole group of lanes are tested one by one.
fn is_zero(bytes: &[u8]) -> bool {
    let (groups, tail) = bytes.as_chunks::<{ 8 * ZERO_LANES }>();
    let mut any = [0u64; ZERO_LANES];
    for group in groups {
        for (lane, word) in any.iter_mut().zip(group.as_chunks::<8>().0) {
            *lane |= u64::from_ne_bytes(*word);
        }
    }
    any.iter().all(|lane| *lane == 0) && tail.iter().all(|byte| *byte == 0)
}

/// Words [`is_zero`] ors at once.
const ZERO_LANES: usize = 8;

fn runtime(error: wasmtime::Error) -> WasmError {
    WasmError::Runtime(format!("{error:?}"))
}

fn missing(name: &str) -> WasmError {
    WasmError::Runtime(format!("the module has no export {name} of the expected kind"))
}
