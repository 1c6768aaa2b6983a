//! The run-time library as one object: the program's tables, the chunk
//! pool, and the fault a failing helper recorded.

use min_core::Constructor;
use min_interp::{RuntimeError, Value};
use min_lir::Program;
use min_lir::abi::FAIL;
use min_lir::host::Memory;

use crate::Fault;
use crate::decode::decode;
use crate::encode::Encoder;
use crate::regions::{RegionStats, Regions};
use crate::tables::Tables;
use std::sync::Arc;

/// The run-time library of one compiled program: it implements
/// [`min_lir::host::Host`], and converts values to words and back.
#[derive(Debug)]
pub struct Runtime {
    pub(crate) tables: Arc<Tables>,
    pub(crate) regions: Regions,
    /// The depth limit that `E0413` names.
    pub(crate) depth_limit: usize,
    /// The fault of the last helper that failed, until taken.
    pub(crate) fault: Option<Fault>,
    /// Whether the fault is that a function could not start for the depth
    /// limit, and no call site has passed it on yet.
    pub(crate) unentered: bool,
    /// What runs the procedures of other contracts the program calls.
    pub(crate) calls: Calls,
}

/// What runs the procedures of other contracts that compiled code calls
/// (`min_core::Prim::CallContract`, `spec/contracts.md`, "Calls between
/// contracts"): the contract runtime gives one to a call of a contract
/// that calls others.
pub trait ContractCalls {
    /// Runs procedure `procedure` (qualified) of another contract on
    /// `arguments`, the tuple of all its arguments in order (the argument
    /// itself for one, `()` for none): its result, or why it failed.
    fn call<'v>(&'v mut self, procedure: &str, arguments: &Value<'v>) -> Result<Value<'v>, RuntimeError>;
}

/// The [`ContractCalls`] of a run, if it has one.
#[derive(Default)]
pub(crate) struct Calls(pub(crate) Option<Box<dyn ContractCalls>>);

impl std::fmt::Debug for Calls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Calls(set)" } else { "Calls(none)" })
    }
}

impl Runtime {
    /// The run-time library of `program`, whose calls may nest
    /// `depth_limit` deep (the limit [`min_lir::Helper::DepthExceeded`]
    /// reports).
    pub fn new(program: &Program, depth_limit: usize) -> Runtime {
        Runtime::with_tables(Arc::new(Tables::of(program)), depth_limit)
    }

    /// The run-time library of a program known by its tables alone.
    pub fn with_tables(tables: Arc<Tables>, depth_limit: usize) -> Runtime {
        Runtime { tables, regions: Regions::new(), depth_limit, fault: None, unentered: false, calls: Calls::default() }
    }

    /// Runs the procedures of other contracts the program calls with
    /// `calls` from now on; `None` makes such a call fail.
    pub fn set_contract_calls(&mut self, calls: Option<Box<dyn ContractCalls>>) {
        self.calls = Calls(calls);
    }

    /// How deep calls may nest.
    pub fn depth_limit(&self) -> usize {
        self.depth_limit
    }

    /// The word of `value`, its objects built in the region whose
    /// descriptor is at `region`. A value compiled code cannot hold (a
    /// function, a constructor the program does not have) or memory that
    /// cannot grow gives [`FAIL`], with the fault recorded as a helper's.
    pub fn encode(&mut self, memory: &mut dyn Memory, region: u64, value: &Value<'_>) -> u64 {
        let mut encoder = Encoder { memory, regions: &mut self.regions, tables: &self.tables, region };
        match encoder.value(value) {
            Ok(word) => word,
            Err(fault) => {
                self.unentered = false;
                self.fault = Some(fault);
                FAIL
            }
        }
    }

    /// The value of `word`, copied out of memory; `constructors` are the
    /// program's (`Program::constructors`), which data values borrow. A
    /// closure becomes [`Value::opaque_function`]. Panics on a word that
    /// fits no layout of the ABI, which only a faulty backend produces.
    pub fn decode<'p>(&self, memory: &dyn Memory, word: u64, constructors: &'p [Constructor]) -> Value<'p> {
        decode(memory, word, constructors)
    }

    /// The fault recorded by the last helper that returned [`FAIL`], if it
    /// has not been taken yet.
    pub fn take_fault(&mut self) -> Option<RuntimeError> {
        self.unentered = false;
        self.fault.take().map(|fault| *fault)
    }

    /// How much memory the regions took from the system and hold now.
    pub fn stats(&self) -> RegionStats {
        self.regions.stats()
    }

    /// Gives every chunk of the region at `region` back and clears its
    /// descriptor, as [`min_lir::Helper::RegionRelease`] does.
    pub fn release(&mut self, memory: &mut dyn Memory, region: u64) {
        self.regions.release(memory, region);
    }
}
