//! Calls between contracts (`spec/contracts.md`, "Calls between
//! contracts"). A built contract calls another contract's procedure
//! through the run-time library ([`min_rt::ContractCalls`]), which hands
//! the call to one of two handlers:
//!
//! - [`Linked`], for whoever runs a call for its result (a client, `minc
//!   test --gas-report`): it runs the called procedure on its own contract
//!   and records the call ([`NestedCall`]);
//! - [`Claimed`], for a checker: it answers each call with the result a
//!   transaction records for it, after checking that the caller passes
//!   exactly the recorded arguments. Whether the called procedure really
//!   makes that result is for its own checker, run on the record.
//!
//! Values cross between contracts in the canonical encoding, read with the
//! called contract's types, so the two contracts' constructor tables never
//! mix. A called procedure may call another contract in turn, up to
//! [`CALL_DEPTH_MAX`] calls deep: its record holds the records of its own
//! calls.
//!
//! On the chain, a transaction carries the records of its call's calls
//! (`min_contract_host`), and each validator checks the caller with
//! [`Claimed`] and each record with its procedure's own checker.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use min_core::Prim;
use min_interp::{RuntimeError, Value, ops};
use min_metadata::{ProcedureInfo, Role};
use min_rt::ContractCalls;

use crate::contract::{Contract, components, whole};
use crate::engine::Engine;
use crate::error::ExecError;

/// The most bytes the encoded result of a call between contracts may
/// take: a larger one fails the call (and its record is refused), which
/// bounds what the caller reads back (`spec/gas.md`).
pub const CALL_RESULT_BYTES_MAX: usize = 64 << 10;

/// How deep calls between contracts may nest: a transaction's procedure
/// calls a contract (depth 1), which calls another (depth 2), and so on.
pub const CALL_DEPTH_MAX: usize = 4;

/// One call of another contract's procedure that a call made, as a
/// transaction records it: what the caller passed and what it got back,
/// each in the canonical encoding of the called contract's types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NestedCall {
    /// The procedure's qualified name (`Gold.pay`).
    pub procedure: String,
    /// Its arguments in the order of its parameters, each encoded (the
    /// `Signer` too, and a reference as its `Ref`).
    pub arguments: Vec<Vec<u8>>,
    /// The components of its result in order, each encoded.
    pub result: Vec<Vec<u8>>,
    /// The gas it used, its own calls' aside. A transaction does not
    /// carry it: a record read from one says 0, and its checker measures
    /// the gas anew.
    pub gas_used: u64,
    /// The calls of other contracts it made in turn, in order.
    pub calls: Vec<NestedCall>,
}

impl NestedCall {
    /// The gas it and the calls it made in turn used together.
    pub fn total_gas(&self) -> u64 {
        self.calls.iter().fold(self.gas_used, |total, call| total.saturating_add(call.total_gas()))
    }

    /// It and every call it made in turn, each before its own calls.
    pub fn flattened(&self) -> Vec<&NestedCall> {
        std::iter::once(self).chain(self.calls.iter().flat_map(NestedCall::flattened)).collect()
    }
}

/// What a run's calls of other contracts did, in order.
#[derive(Clone, Debug, Default)]
pub struct Made {
    /// The calls that returned.
    pub calls: Vec<NestedCall>,
    /// The procedures of the calls that aborted (the caller aborts too).
    pub aborted: Vec<String>,
}

/// What a run's calls made, shared with the handler that records them.
pub type Trace = Rc<RefCell<Made>>;

/// Runs each called procedure on its own contract, with the gas the calls
/// before it left, and records the call; a called procedure's own calls of
/// other contracts run the same way, and are recorded in its record.
pub struct Linked {
    contracts: Arc<BTreeMap<String, Arc<Contract>>>,
    engine: Engine,
    /// The gas the calls made so far, at every depth, have left of the
    /// limit: shared by the handlers of every depth.
    gas_left: Rc<Cell<u64>>,
    trace: Trace,
    /// How deep the calls this handler answers are: 1 for a transaction's
    /// procedure's own.
    depth: usize,
}

impl Linked {
    /// A handler that runs the procedures of `contracts` (by module name:
    /// every contract the calls may reach, at any depth) with `gas_limit`
    /// gas for all of them: each call gets what the calls before it (its
    /// own calls' included) left. It records every call in the trace it
    /// returns beside itself. The caller's own gas is not counted here: the
    /// transaction's total is the caller's and [`NestedCall::total_gas`] of
    /// each record.
    pub fn new(contracts: BTreeMap<String, Arc<Contract>>, engine: &Engine, gas_limit: u64) -> (Linked, Trace) {
        Linked::at_depth(Arc::new(contracts), engine, Rc::new(Cell::new(gas_limit)), 1)
    }

    fn at_depth(
        contracts: Arc<BTreeMap<String, Arc<Contract>>>,
        engine: &Engine,
        gas_left: Rc<Cell<u64>>,
        depth: usize,
    ) -> (Linked, Trace) {
        let trace = Trace::default();
        (Linked { contracts, engine: engine.clone(), gas_left, trace: trace.clone(), depth }, trace)
    }
}

impl ContractCalls for Linked {
    fn call<'v>(&'v mut self, procedure: &str, arguments: &Value<'v>) -> Result<Value<'v>, RuntimeError> {
        let contract = contract_of(&self.contracts, procedure)?;
        let info = procedure_info(contract, procedure)?;
        let (encoded, values): (Vec<Vec<u8>>, Vec<Value<'_>>) = argument_values(info, arguments)?
            .iter()
            .zip(&info.arguments)
            .map(|(value, slot)| contract.adopt(value, &slot.r#type).map_err(|error| bad_argument(info, error)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip();
        let (inputs, params) = split_arguments(info, values)?;
        // The callee's own calls of other contracts, one level deeper.
        let (nested, nested_trace) = if info.calls.is_empty() {
            (None, None)
        } else if self.depth == CALL_DEPTH_MAX {
            return Err(ops::ill_formed(format_args!(
                "{procedure} calls other contracts {} calls deep, and calls between contracts nest at most {CALL_DEPTH_MAX} deep",
                self.depth + 1
            )));
        } else {
            let (handler, trace) =
                Linked::at_depth(self.contracts.clone(), &self.engine, self.gas_left.clone(), self.depth + 1);
            (Some(Box::new(handler) as Box<dyn ContractCalls>), Some(trace))
        };
        let gas_limit = self.gas_left.get();
        let called = contract.call_with(&self.engine, procedure, &inputs, &params, gas_limit, nested);
        if let Ok(outcome) = &called {
            self.gas_left.set(self.gas_left.get().saturating_sub(outcome.gas_used));
        }
        let made = nested_trace.map(|trace| std::mem::take(&mut *trace.borrow_mut())).unwrap_or_default();
        let outcome = match called {
            Ok(outcome) => outcome,
            Err(ExecError::Abort { message }) => {
                let mut trace = self.trace.borrow_mut();
                trace.aborted.extend(made.aborted);
                trace.aborted.push(info.name.clone());
                return Err(abort(message));
            }
            Err(error) => return Err(ops::ill_formed(format_args!("{procedure}: {error}"))),
        };
        let result = outcome
            .result
            .iter()
            .zip(&info.results)
            .map(|(value, slot)| contract.encode(value, &slot.r#type).map_err(ops::ill_formed))
            .collect::<Result<Vec<_>, _>>()?;
        check_result_size(procedure, &result)?;
        self.trace.borrow_mut().calls.push(NestedCall {
            procedure: info.name.clone(),
            arguments: encoded,
            result,
            gas_used: outcome.gas_used,
            calls: made.calls,
        });
        Ok(whole(&outcome.result))
    }
}

/// Answers each call with the result its record claims, in order.
pub struct Claimed {
    contracts: BTreeMap<String, Arc<Contract>>,
    claims: VecDeque<NestedCall>,
    answered: Rc<Cell<usize>>,
}

impl Claimed {
    /// A handler that answers the calls of a run with `claims`, in order,
    /// reading values with the types of `contracts` (by module name);
    /// beside it, how many of the claims it has answered so far.
    pub fn new(contracts: BTreeMap<String, Arc<Contract>>, claims: Vec<NestedCall>) -> (Claimed, Rc<Cell<usize>>) {
        let answered = Rc::new(Cell::new(0));
        (Claimed { contracts, claims: claims.into(), answered: answered.clone() }, answered)
    }
}

impl ContractCalls for Claimed {
    fn call<'v>(&'v mut self, procedure: &str, arguments: &Value<'v>) -> Result<Value<'v>, RuntimeError> {
        let contract = contract_of(&self.contracts, procedure)?;
        let info = procedure_info(contract, procedure)?;
        let Some(claim) = self.claims.pop_front() else {
            return Err(abort(format!("the call of {procedure} is not among the calls the transaction records")));
        };
        self.answered.set(self.answered.get() + 1);
        if claim.procedure != info.name {
            return Err(abort(format!(
                "the transaction records a call of {} where {procedure} is called",
                claim.procedure
            )));
        }
        if encode_arguments(contract, info, arguments)? != claim.arguments {
            return Err(abort(format!("the call of {procedure} passes other arguments than the transaction records")));
        }
        check_result_size(procedure, &claim.result)?;
        if claim.result.len() != info.results.len() {
            return Err(abort(format!("the recorded result of {procedure} has the wrong number of components")));
        }
        let components = claim
            .result
            .iter()
            .zip(&info.results)
            .map(|(bytes, slot)| {
                contract
                    .decode(bytes, &slot.r#type)
                    .map_err(|error| abort(format!("the recorded result of {procedure}: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(whole(&components))
    }
}

/// The contract whose module qualifies `procedure`.
fn contract_of<'c>(
    contracts: &'c BTreeMap<String, Arc<Contract>>,
    procedure: &str,
) -> Result<&'c Contract, RuntimeError> {
    let module = procedure.rsplit_once('.').map_or("", |(module, _)| module);
    contracts.get(module).map(Arc::as_ref).ok_or_else(|| {
        ops::ill_formed(format_args!("{procedure} is a procedure of contract {module}, which is not linked"))
    })
}

fn procedure_info<'c>(contract: &'c Contract, procedure: &str) -> Result<&'c ProcedureInfo, RuntimeError> {
    contract
        .procedure(procedure)
        .ok_or_else(|| ops::ill_formed(format_args!("the called contract has no procedure {procedure}")))
}

/// The values of `arguments`, the tuple of all of them as compiled code
/// passes them.
fn argument_values<'v>(info: &ProcedureInfo, arguments: &Value<'v>) -> Result<Vec<Value<'v>>, RuntimeError> {
    components(arguments, info.arguments.len()).ok_or_else(|| {
        ops::ill_formed(format_args!("{} takes {} arguments, not {arguments}", info.name, info.arguments.len()))
    })
}

/// Each of `arguments` (as [`argument_values`] takes them) in the
/// canonical encoding of its parameter's type.
fn encode_arguments(
    contract: &Contract,
    info: &ProcedureInfo,
    arguments: &Value<'_>,
) -> Result<Vec<Vec<u8>>, RuntimeError> {
    argument_values(info, arguments)?
        .iter()
        .zip(&info.arguments)
        .map(|(value, slot)| contract.encode(value, &slot.r#type).map_err(|error| bad_argument(info, error)))
        .collect()
}

fn bad_argument(info: &ProcedureInfo, error: impl std::fmt::Display) -> RuntimeError {
    ops::ill_formed(format_args!("an argument of {}: {error}", info.name))
}

/// The arguments of `info` in order, split as [`Contract::call`] takes
/// them: the objects it consumes or reads (a reference's object, not the
/// `Ref`), and the values a transaction carries (the `Signer` among them).
pub fn split_arguments<'c>(
    info: &ProcedureInfo,
    arguments: Vec<Value<'c>>,
) -> Result<(Vec<Value<'c>>, Vec<Value<'c>>), RuntimeError> {
    let (mut inputs, mut params) = (Vec::new(), Vec::new());
    for (slot, value) in info.arguments.iter().zip(arguments) {
        match (slot.role, value) {
            (Role::Input, value) => inputs.push(value),
            (Role::Reference, Value::Data(reference)) if reference.fields.len() == 1 => {
                inputs.push(reference.fields[0].clone());
            }
            (Role::Reference, other) => {
                return Err(ops::ill_formed(format_args!("a reference of {} is {other}", info.name)));
            }
            (_, value) => params.push(value),
        }
    }
    Ok((inputs, params))
}

/// Refuses a result of more than [`CALL_RESULT_BYTES_MAX`] bytes.
fn check_result_size(procedure: &str, result: &[Vec<u8>]) -> Result<(), RuntimeError> {
    let bytes: usize = result.iter().map(Vec::len).sum();
    if bytes > CALL_RESULT_BYTES_MAX {
        return Err(abort(format!(
            "the result of {procedure} takes {bytes} bytes, more than a call between contracts may return ({CALL_RESULT_BYTES_MAX})"
        )));
    }
    Ok(())
}

/// The fault of `Prim.abort message`: what a failed call between contracts
/// makes of the caller.
fn abort(message: String) -> RuntimeError {
    match ops::prim(Prim::Abort, &[Value::Str(message.into())]) {
        Err(fault) => fault,
        Ok(_) => ops::ill_formed("Prim.abort returned"),
    }
}
