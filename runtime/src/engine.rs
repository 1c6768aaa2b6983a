//! The wasmtime engine contracts run in, configured so that a call's
//! outcome and gas depend only on the contract and the call.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use min_rt::SessionLayout;
use min_wasm::{WASM_STACK_BYTES_DEFAULT, WasmBackend};
use wasmtime::{InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::error::ExecError;
use crate::module::ModuleLimits;

/// What the engine allows each call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineLimits {
    /// How many calls may run at once (instances in the pool).
    pub concurrent_calls: u32,
    /// Bytes of linear memory one call may use.
    pub memory_bytes: u64,
    /// Entries of a contract's function table.
    pub table_elements: u32,
    /// How deeply calls that are not tail calls may nest (`E0413` past it).
    pub depth_limit: usize,
    /// How many instances that calls finished with the engine keeps, put
    /// back as they were new, for the next calls of the same contracts (0:
    /// every call instantiates its contract's module anew). The pool has
    /// room for them besides the calls running at once.
    pub idle_instances: u32,
}

impl Default for EngineLimits {
    /// 16 concurrent calls of 64 MiB, tables of 65 536 functions, calls
    /// nesting 1 000 deep, 16 instances kept between calls.
    fn default() -> EngineLimits {
        EngineLimits {
            concurrent_calls: 16,
            memory_bytes: 64 << 20,
            table_elements: 1 << 16,
            depth_limit: 1_000,
            idle_instances: 16,
        }
    }
}

/// Bytes of a pooled instance's memory and table kept mapped between calls.
const KEEP_RESIDENT_BYTES: usize = 1 << 20;

/// A wasmtime engine for contracts: NaN canonicalisation, fuel, no SIMD
/// or threads, tail calls, and a pooling allocator with [`EngineLimits`].
/// Compile a contract for it once ([`crate::Contract::compile`]); a call
/// runs in an instance as it was new: one from the pool, or one a call of
/// the same contract finished with, put back as it was new.
#[derive(Clone)]
pub struct Engine {
    pub(crate) wasmtime: wasmtime::Engine,
    pub(crate) limits: EngineLimits,
    pub(crate) idle: Arc<Idle>,
}

/// Instances that calls finished with, put back as they were new, each with
/// the contract it runs ([`crate::Contract`]'s number), the oldest first.
/// There are at most [`EngineLimits::idle_instances`], and the pool has
/// room for them besides the calls running at once, so keeping them never
/// keeps a call from starting.
pub(crate) struct Idle {
    instances: Mutex<VecDeque<(u64, Kept)>>,
    capacity: usize,
}

/// An instance kept between calls: put back as a session's setup left it
/// ([`min_wasm::WasmBackend::keep_as_now`]), with where that session laid
/// out its descriptors, so the next call resumes without setting up again.
pub(crate) struct Kept {
    /// The instance.
    pub(crate) backend: WasmBackend,
    /// The layout of the session it was set up for.
    pub(crate) layout: SessionLayout,
}

impl Idle {
    /// The instance of `contract` kept last, if any.
    pub(crate) fn take(&self, contract: u64) -> Option<Kept> {
        let mut instances = self.instances.lock().unwrap_or_else(PoisonError::into_inner);
        let position = instances.iter().rposition(|(each, _)| *each == contract)?;
        instances.remove(position).map(|(_, backend)| backend)
    }

    /// Keeps `backend`, an instance of `contract` as it was new, for the
    /// next call; when there are already as many as may be kept, the
    /// oldest goes back to the pool.
    pub(crate) fn keep(&self, contract: u64, backend: Kept) {
        let evicted = {
            let mut instances = self.instances.lock().unwrap_or_else(PoisonError::into_inner);
            instances.push_back((contract, backend));
            if instances.len() > self.capacity { instances.pop_front() } else { None }
        };
        // The pool wipes a slot given back: outside the lock.
        drop(evicted);
    }

    /// How many instances are kept.
    pub(crate) fn len(&self) -> usize {
        self.instances.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether instances may be kept at all.
    pub(crate) fn keeps_any(&self) -> bool {
        self.capacity > 0
    }

    /// Gives the instances of `contract` back to the pool.
    pub(crate) fn forget(&self, contract: u64) {
        let forgotten: VecDeque<(u64, Kept)> = {
            let mut instances = self.instances.lock().unwrap_or_else(PoisonError::into_inner);
            let (forgotten, kept) =
                std::mem::take(&mut *instances).into_iter().partition(|(each, _)| *each == contract);
            *instances = kept;
            forgotten
        };
        drop(forgotten);
    }
}

impl Engine {
    /// An engine with the default limits.
    pub fn new() -> Result<Engine, ExecError> {
        Engine::with_limits(EngineLimits::default())
    }

    /// An engine with `limits`.
    pub fn with_limits(limits: EngineLimits) -> Result<Engine, ExecError> {
        let mut config = WasmBackend::config(WASM_STACK_BYTES_DEFAULT);
        config
            .consume_fuel(true)
            .wasm_simd(false)
            .wasm_relaxed_simd(false)
            .wasm_multi_memory(false)
            .wasm_memory64(false);
        // Explicit bounds checks within a reservation the size of the
        // memory limit: the pool reserves address space per instance.
        config.memory_reservation(limits.memory_bytes).memory_guard_size(0).memory_reservation_for_growth(0);
        let slots = limits.concurrent_calls.saturating_add(limits.idle_instances);
        let mut pooling = PoolingAllocationConfig::new();
        pooling
            .total_core_instances(slots)
            .total_memories(slots)
            .total_tables(slots)
            .max_memories_per_module(1)
            .max_tables_per_module(1)
            .max_memory_size(usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX))
            .table_elements(limits.table_elements as usize)
            // A call's memory and table are wiped with a memset on return
            // instead of being unmapped, so the next call on the slot does
            // not fault its pages in again.
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(KEEP_RESIDENT_BYTES);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
        let wasmtime =
            wasmtime::Engine::new(&config).map_err(|error| ExecError::Engine { reason: format!("{error}") })?;
        let idle = Arc::new(Idle { instances: Mutex::new(VecDeque::new()), capacity: limits.idle_instances as usize });
        Ok(Engine { wasmtime, limits, idle })
    }

    /// The engine's limits.
    pub fn limits(&self) -> EngineLimits {
        self.limits
    }

    /// How many instances the engine keeps now for the next calls.
    pub fn instances_kept(&self) -> usize {
        self.idle.len()
    }

    /// What an engine with `limits` allows a module.
    pub(crate) fn module_limits_of(limits: &EngineLimits) -> ModuleLimits {
        ModuleLimits { memory_bytes: limits.memory_bytes, table_elements: u64::from(limits.table_elements) }
    }
}
