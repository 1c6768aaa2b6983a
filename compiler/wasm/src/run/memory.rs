//! The instance's linear memory as an LIR [`Memory`], seen from a helper
//! call ([`CallerMemory`]) or from outside of calls ([`StoreMemory`]).

use std::cell::{Cell, RefCell};
use std::ops::Range;

use min_lir::host::Memory;
use wasmtime::{AsContextMut, Caller, Store};

use super::{FuelExhausted, State};

/// The memory during a helper call, through the call's [`Caller`].
pub(super) struct CallerMemory<'a, 'b> {
    pub caller: &'a mut Caller<'b, State>,
    pub memory: wasmtime::Memory,
    /// Bytes the helper loaded, stored, read and wrote so far (a cell,
    /// since loads and reads borrow the memory immutably).
    pub touched: Cell<u64>,
    /// Bytes the helper took from [`Memory::grow`] so far.
    pub grown: u64,
    /// With a metered store, the fuel left when the helper started: the
    /// helper stops, panicking with [`FuelExhausted`], as soon as it has
    /// touched more words than that.
    pub budget: Option<u64>,
}

/// The memory outside of calls, through the store. The store sits in a
/// [`RefCell`] only because reading a global needs `&mut Store` and
/// [`Backend::vm`](min_lir::host::Backend::vm) has `&self`; every other use
/// goes through `get_mut`, so a borrow never fails.
pub(super) struct StoreMemory {
    pub store: RefCell<Store<State>>,
    pub memory: wasmtime::Memory,
    /// Whether the store meters helpers, and so loads and reads too.
    pub metered: bool,
    /// The fuel left after the loads and reads charged since the store's
    /// fuel was last written, if any were: charging a word at a time
    /// through the store would cost more than the load. Whatever reads or
    /// sets the fuel, or runs Wasm code, settles it first
    /// ([`StoreMemory::fuel`], [`StoreMemory::set_fuel`],
    /// [`StoreMemory::settle`]).
    pub unsettled_fuel: Cell<Option<u64>>,
}

impl CallerMemory<'_, '_> {
    /// Counts `bytes` more bytes touched, and stops the helper once they
    /// cost more words than its budget.
    fn count(&self, bytes: u64) {
        let touched = self.touched.get().saturating_add(bytes);
        self.touched.set(touched);
        if self.budget.is_some_and(|budget| touched.div_ceil(8) > budget) {
            std::panic::resume_unwind(Box::new(FuelExhausted));
        }
    }
}

impl StoreMemory {
    /// With a metered store, charges the words of a load or read outside
    /// calls (decoding a result) to its fuel, one unit a word; panics with
    /// [`FuelExhausted`] when there is not enough.
    fn charge(&self, bytes: usize) {
        if !self.metered {
            return;
        }
        let words = (bytes as u64).div_ceil(8);
        let fuel = self.fuel().unwrap_or(0);
        let left = fuel.checked_sub(words);
        self.unsettled_fuel.set(Some(left.unwrap_or(0)));
        if left.is_none() {
            self.settle();
            std::panic::resume_unwind(Box::new(FuelExhausted));
        }
    }

    /// The fuel left, with the loads and reads charged so far; `None`
    /// unless the engine consumes fuel.
    pub fn fuel(&self) -> Option<u64> {
        match self.unsettled_fuel.get() {
            Some(fuel) => Some(fuel),
            None => self.store.borrow().get_fuel().ok(),
        }
    }

    /// Sets the fuel left, dropping what charges had not written yet.
    pub fn set_fuel(&mut self, fuel: u64) -> wasmtime::Result<()> {
        self.unsettled_fuel.set(None);
        self.store.get_mut().set_fuel(fuel)
    }

    /// Writes the fuel the loads and reads left into the store, before
    /// Wasm code or a helper reads it there.
    pub fn settle(&self) {
        if let Some(fuel) = self.unsettled_fuel.take() {
            // Only a metered store is charged, and it consumes fuel.
            let _ = self.store.borrow_mut().set_fuel(fuel);
        }
    }
}

impl Memory for CallerMemory<'_, '_> {
    fn load(&self, address: u64) -> u64 {
        self.count(8);
        load(self.memory.data(&*self.caller), address)
    }

    fn store(&mut self, address: u64, word: u64) {
        self.count(8);
        store(self.memory.data_mut(&mut *self.caller), address, word);
    }

    fn read(&self, address: u64, len: usize) -> Vec<u8> {
        self.count(len as u64);
        read(self.memory.data(&*self.caller), address, len)
    }

    fn write(&mut self, address: u64, bytes: &[u8]) {
        self.count(bytes.len() as u64);
        write(self.memory.data_mut(&mut *self.caller), address, bytes);
    }

    fn grow(&mut self, bytes: u64) -> Option<u64> {
        self.grown = self.grown.saturating_add(bytes);
        grow(self.memory, &mut *self.caller, bytes)
    }
}

impl Memory for StoreMemory {
    fn load(&self, address: u64) -> u64 {
        self.charge(8);
        load(self.memory.data(&*self.store.borrow()), address)
    }

    fn store(&mut self, address: u64, word: u64) {
        store(self.memory.data_mut(self.store.get_mut()), address, word);
    }

    fn read(&self, address: u64, len: usize) -> Vec<u8> {
        self.charge(len);
        read(self.memory.data(&*self.store.borrow()), address, len)
    }

    fn write(&mut self, address: u64, bytes: &[u8]) {
        write(self.memory.data_mut(self.store.get_mut()), address, bytes);
    }

    fn grow(&mut self, bytes: u64) -> Option<u64> {
        grow(self.memory, self.store.get_mut(), bytes)
    }

    /// Memory past the heap's top was never handed out, and a new
    /// instance's memory is zero beyond the module's data: nothing to write.
    fn grow_zeroed(&mut self, bytes: u64) -> Option<u64> {
        self.grow(bytes)
    }
}

/// The byte range of an access. The run-time library only touches memory
/// the program or [`Memory::grow`] gave it, so an access outside is its bug,
/// or a module not made by `emit` misleading it: the checks here panic in
/// every build, so that such a module fails the same way everywhere.
fn span(memory_bytes: usize, address: u64, len: usize) -> Range<usize> {
    let start = usize::try_from(address).unwrap_or(usize::MAX);
    match start.checked_add(len) {
        Some(end) if end <= memory_bytes => start..end,
        _ => panic!("access of {len} bytes at {address:#x} outside the {memory_bytes} bytes of linear memory"),
    }
}

fn load(memory: &[u8], address: u64) -> u64 {
    assert!(address.is_multiple_of(8), "unaligned word load at {address:#x}");
    let bytes = &memory[span(memory.len(), address, 8)];
    u64::from_le_bytes(bytes.try_into().expect("a word is 8 bytes"))
}

fn store(memory: &mut [u8], address: u64, word: u64) {
    assert!(address.is_multiple_of(8), "unaligned word store at {address:#x}");
    let range = span(memory.len(), address, 8);
    memory[range].copy_from_slice(&word.to_le_bytes());
}

fn read(memory: &[u8], address: u64, len: usize) -> Vec<u8> {
    memory[span(memory.len(), address, len)].to_vec()
}

fn write(memory: &mut [u8], address: u64, bytes: &[u8]) {
    let range = span(memory.len(), address, bytes.len());
    memory[range].copy_from_slice(bytes);
}

/// Bump allocation from the heap top, growing the Wasm memory by whole
/// pages when the top passes its end. Fresh pages are zero, and nothing
/// below the heap top is ever handed out twice, so the bytes are zero.
fn grow(memory: wasmtime::Memory, mut context: impl AsContextMut<Data = State>, bytes: u64) -> Option<u64> {
    assert!(bytes.is_multiple_of(8), "grow by {bytes} bytes, not a whole number of words");
    let address = context.as_context().data().heap_top;
    let end = address.checked_add(bytes)?;
    let size = memory.data_size(&context) as u64;
    if end > size {
        let pages = (end - size).div_ceil(memory.page_size(&context));
        memory.grow(&mut context, pages).ok()?;
    }
    context.as_context_mut().data_mut().heap_top = end;
    Some(address)
}
