//! The helper imports: host functions that forward to the [`Host`] of the
//! running `invoke`.

use std::cell::Cell;
use std::ptr::NonNull;

use min_lir::Helper;
use min_lir::host::Host;
use wasmtime::{Caller, Linker};

use super::memory::CallerMemory;
use super::{HelperUse, State};
use crate::abi::IMPORT_MODULE;

/// The host of the `invoke` now running, if any.
///
/// `invoke` gets its host as `&mut dyn Host` for the length of the call, but
/// the host functions wasmtime calls are `'static` closures that can only
/// reach the store's data. So `invoke` puts a pointer to the host here
/// before it enters Wasm and takes it out before it returns (also when a
/// panic unwinds through it, see [`HostGuard`]). That makes every
/// dereference sound:
///
/// - the pointer is only read by a helper import, which runs only inside
///   `Func::call` inside `invoke`, while the `&mut dyn Host` it came from is
///   borrowed by `invoke` and used by nothing else;
/// - helper calls do not nest (a host cannot call back into Wasm: it gets a
///   [`min_lir::host::Memory`], not the backend), so at most one `&mut` made
///   from the pointer is alive at a time;
/// - everything happens on the thread that called `invoke`.
#[derive(Default)]
pub(super) struct HostSlot(Option<NonNull<dyn Host>>);

// SAFETY: the slot only holds a pointer while `invoke` runs, which borrows
// the backend mutably on one thread for that whole time; a backend that is
// sent to another thread therefore always has an empty slot.
unsafe impl Send for HostSlot {}

impl HostSlot {
    /// Holds `host` until [`HostSlot::clear`].
    pub fn set(&mut self, host: &mut dyn Host) {
        let pointer: NonNull<dyn Host + '_> = NonNull::from(host);
        // SAFETY: only the lifetime bound of the trait object changes; the
        // pointer is cleared before the borrow it came from ends.
        let pointer = unsafe { std::mem::transmute::<NonNull<dyn Host + '_>, NonNull<dyn Host + 'static>>(pointer) };
        self.0 = Some(pointer);
    }

    /// Forgets the host.
    pub fn clear(&mut self) {
        self.0 = None;
    }
}

/// Defines every helper import in the linker.
pub(super) fn link(linker: &mut Linker<State>) -> wasmtime::Result<()> {
    for helper in Helper::ALL {
        let name = helper.name();
        match helper.arity() {
            0 => linker
                .func_wrap(IMPORT_MODULE, name, move |mut caller: Caller<'_, State>| call(&mut caller, helper, &[]))?,
            1 => linker.func_wrap(IMPORT_MODULE, name, move |mut caller: Caller<'_, State>, a: u64| {
                call(&mut caller, helper, &[a])
            })?,
            2 => linker.func_wrap(IMPORT_MODULE, name, move |mut caller: Caller<'_, State>, a: u64, b: u64| {
                call(&mut caller, helper, &[a, b])
            })?,
            3 => linker.func_wrap(
                IMPORT_MODULE,
                name,
                move |mut caller: Caller<'_, State>, a: u64, b: u64, c: u64| call(&mut caller, helper, &[a, b, c]),
            )?,
            4 => linker.func_wrap(
                IMPORT_MODULE,
                name,
                move |mut caller: Caller<'_, State>, a: u64, b: u64, c: u64, d: u64| {
                    call(&mut caller, helper, &[a, b, c, d])
                },
            )?,
            5 => linker.func_wrap(
                IMPORT_MODULE,
                name,
                move |mut caller: Caller<'_, State>, a: u64, b: u64, c: u64, d: u64, e: u64| {
                    call(&mut caller, helper, &[a, b, c, d, e])
                },
            )?,
            arity => unreachable!("helper {name} takes {arity} words"),
        };
    }
    Ok(())
}

/// Runs a helper on the host of the running `invoke`, and charges its cost
/// to the store's fuel if the backend meters helpers: a helper that costs
/// more than the fuel left empties it and traps with
/// [`Trap::OutOfFuel`](wasmtime::Trap::OutOfFuel), as Wasm code does.
fn call(caller: &mut Caller<'_, State>, helper: Helper, args: &[u64]) -> wasmtime::Result<u64> {
    let host = caller.data().host.0.expect("helpers are only called inside invoke");
    let memory = caller.data().memory.expect("the memory is known from instantiation on");
    let meter = caller.data().meter;
    let budget = match meter {
        Some(_) => Some(caller.get_fuel()?),
        None => None,
    };
    let mut memory = CallerMemory { caller, memory, touched: Cell::new(0), grown: 0, budget };
    // SAFETY: see `HostSlot`: the pointer is live and nothing else uses the
    // host while this helper runs.
    let host = unsafe { &mut *host.as_ptr() };
    let result = host.helper(&mut memory, helper, args);
    if let Some(meter) = meter {
        let cost = meter(HelperUse { helper, words: memory.touched.get().div_ceil(8), grown_bytes: memory.grown });
        let fuel = caller.get_fuel()?;
        if cost > fuel {
            caller.set_fuel(0)?;
            return Err(wasmtime::Trap::OutOfFuel.into());
        }
        caller.set_fuel(fuel - cost)?;
    }
    Ok(result)
}

/// Empties the host slot when dropped, so that no pointer to the host
/// outlives `invoke`, even if the host panics.
pub(super) struct HostGuard<'a> {
    pub store: &'a mut wasmtime::Store<State>,
}

impl<'a> HostGuard<'a> {
    /// Puts `host` in the store's slot until the guard is dropped.
    pub fn new(store: &'a mut wasmtime::Store<State>, host: &mut dyn Host) -> HostGuard<'a> {
        store.data_mut().host.set(host);
        HostGuard { store }
    }
}

impl Drop for HostGuard<'_> {
    fn drop(&mut self) {
        self.store.data_mut().host.clear();
    }
}
