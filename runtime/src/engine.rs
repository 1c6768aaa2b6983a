//! The wasmtime engine contracts run in, configured so that a call's
//! outcome and gas depend only on the contract and the call.

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
}

impl Default for EngineLimits {
    /// 16 concurrent calls of 64 MiB, tables of 65 536 functions, calls
    /// nesting 1 000 deep.
    fn default() -> EngineLimits {
        EngineLimits { concurrent_calls: 16, memory_bytes: 64 << 20, table_elements: 1 << 16, depth_limit: 1_000 }
    }
}

/// Bytes of a pooled instance's memory and table kept mapped between calls.
const KEEP_RESIDENT_BYTES: usize = 1 << 20;

/// A wasmtime engine for contracts: NaN canonicalisation, fuel, no SIMD
/// or threads, tail calls, and a pooling allocator with [`EngineLimits`].
/// Compile a contract for it once ([`crate::Contract::compile`]); every
/// call gets a fresh instance from the pool.
#[derive(Clone)]
pub struct Engine {
    pub(crate) wasmtime: wasmtime::Engine,
    pub(crate) limits: EngineLimits,
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
        let mut pooling = PoolingAllocationConfig::new();
        pooling
            .total_core_instances(limits.concurrent_calls)
            .total_memories(limits.concurrent_calls)
            .total_tables(limits.concurrent_calls)
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
        Ok(Engine { wasmtime, limits })
    }

    /// The engine's limits.
    pub fn limits(&self) -> EngineLimits {
        self.limits
    }

    /// What an engine with `limits` allows a module.
    pub(crate) fn module_limits_of(limits: &EngineLimits) -> ModuleLimits {
        ModuleLimits { memory_bytes: limits.memory_bytes, table_elements: u64::from(limits.table_elements) }
    }
}
