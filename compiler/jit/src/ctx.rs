//! The context every generated function receives as its hidden first
//! parameter, and the entry points through which it calls the run-time
//! library.

use std::any::Any;
use std::mem::offset_of;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;

use min_lir::host::Host;
use min_lir::{Helper, VmVar, abi};

use crate::memory::RawMemory;

/// The state a running program shares with the backend. Generated code
/// reads and writes the VM variables at fixed offsets ([`Ctx::vm_offset`]);
/// the rest is only touched from Rust.
#[repr(C)]
pub(crate) struct Ctx {
    depth: u64,
    depth_limit: u64,
    region_top: u64,
    static_region: u64,
    /// The host of the [`crate::JitBackend`] call under way; `None` between calls.
    host: Option<NonNull<dyn Host>>,
    /// A panic of the host, caught at a helper call and resumed when the call
    /// of the program returns: it must not unwind through generated code.
    panic: Option<Box<dyn Any + Send>>,
    pub(crate) memory: RawMemory,
}

impl Ctx {
    pub(crate) fn new() -> Ctx {
        Ctx {
            depth: 0,
            depth_limit: 0,
            region_top: 0,
            static_region: 0,
            host: None,
            panic: None,
            memory: RawMemory::new(),
        }
    }

    /// The byte offset of a VM variable in the context.
    pub(crate) fn vm_offset(var: VmVar) -> i32 {
        let offset = match var {
            VmVar::Depth => offset_of!(Ctx, depth),
            VmVar::DepthLimit => offset_of!(Ctx, depth_limit),
            VmVar::RegionTop => offset_of!(Ctx, region_top),
            VmVar::StaticRegion => offset_of!(Ctx, static_region),
        };
        offset as i32
    }

    pub(crate) fn vm(&self, var: VmVar) -> u64 {
        match var {
            VmVar::Depth => self.depth,
            VmVar::DepthLimit => self.depth_limit,
            VmVar::RegionTop => self.region_top,
            VmVar::StaticRegion => self.static_region,
        }
    }

    pub(crate) fn set_vm(&mut self, var: VmVar, value: u64) {
        let field = match var {
            VmVar::Depth => &mut self.depth,
            VmVar::DepthLimit => &mut self.depth_limit,
            VmVar::RegionTop => &mut self.region_top,
            VmVar::StaticRegion => &mut self.static_region,
        };
        *field = value;
    }

    /// Installs the host for one call of the program.
    pub(crate) fn install_host(&mut self, host: &mut dyn Host) {
        let host = NonNull::from(host);
        // SAFETY: only the lifetime bound of the trait object changes. The
        // pointer is used during the call of the program that `install_host`
        // starts, and `take_host` removes it before that borrow of the host
        // ends.
        let host = unsafe { std::mem::transmute::<NonNull<dyn Host + '_>, NonNull<dyn Host + 'static>>(host) };
        self.host = Some(host);
    }

    /// Removes the host after a call of the program, and gives back the
    /// panic of the host that ended it, if one did.
    pub(crate) fn take_host(&mut self) -> Option<Box<dyn Any + Send>> {
        self.host = None;
        self.panic.take()
    }
}

/// Runs a helper for generated code. A panic of the host is kept in the
/// context and the helper fails; later helpers of the same call fail at once.
///
/// # Safety
///
/// `ctx` is the context the backend passed to the running program, and no
/// Rust reference to it is live.
unsafe fn run_helper(ctx: *mut Ctx, helper: u64, args: &[u64]) -> u64 {
    // SAFETY: guaranteed by the caller.
    let ctx = unsafe { &mut *ctx };
    let (Some(mut host), None) = (ctx.host, &ctx.panic) else {
        return abi::FAIL;
    };
    // The code generator passes only indexes of `Helper::ALL`.
    let helper = Helper::ALL[helper as usize];
    let memory = &mut ctx.memory;
    // SAFETY: the host outlives the call of the program (see `install_host`),
    // and nothing else borrows it while the program runs.
    let host = unsafe { host.as_mut() };
    match panic::catch_unwind(AssertUnwindSafe(|| host.helper(memory, helper, args))) {
        Ok(word) => word,
        Err(payload) => {
            ctx.panic = Some(payload);
            abi::FAIL
        }
    }
}

macro_rules! helper_entries {
    ($($name:ident($($arg:ident),*);)*) => {
        $(
            /// A helper call of generated code, with the helper's index in
            /// `Helper::ALL` and its arguments.
            extern "C" fn $name(ctx: *mut Ctx, helper: u64 $(, $arg: u64)*) -> u64 {
                // SAFETY: generated code passes its context, and no Rust
                // reference to it is live while generated code runs.
                unsafe { run_helper(ctx, helper, &[$($arg),*]) }
            }
        )*
    };
}

helper_entries! {
    min_helper_0();
    min_helper_1(a);
    min_helper_2(a, b);
    min_helper_3(a, b, c);
    min_helper_4(a, b, c, d);
    min_helper_5(a, b, c, d, e);
}

/// The most arguments a helper takes.
pub(crate) const HELPER_ARITY_MAX: usize = 5;

/// The symbol name and address of the entry point for helpers of each
/// arity, indexed by arity.
pub(crate) fn helper_entries() -> [(&'static str, *const u8); HELPER_ARITY_MAX + 1] {
    [
        ("min_helper_0", min_helper_0 as *const u8),
        ("min_helper_1", min_helper_1 as *const u8),
        ("min_helper_2", min_helper_2 as *const u8),
        ("min_helper_3", min_helper_3 as *const u8),
        ("min_helper_4", min_helper_4 as *const u8),
        ("min_helper_5", min_helper_5 as *const u8),
    ]
}

const _: () = {
    let mut index = 0;
    while index < Helper::ALL.len() {
        assert!(Helper::ALL[index].arity() <= HELPER_ARITY_MAX);
        index += 1;
    }
};
