//! `minc test --gas-report`. The interpreter counts no gas: gas is the fuel
//! of the Wasm module under wasmtime (`spec/gas.md`). So the runner records
//! each outermost call of a contract procedure that the tests make, with
//! its arguments, builds the contract to Wasm in memory as `minc build`
//! does, and replays every recorded call on it with `min-runtime` under the
//! chain's gas limit. The numbers are what a transaction making that call
//! would be charged. Each call is also checked against the procedure's
//! static gas bound (`spec/gas.md`): a call that uses more is an error of
//! the compiler, and fails the run. A call of another contract's procedure
//! that a replayed call makes is measured on that contract and reported
//! as a call of its own.

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_contract_host::CALL_GAS_LIMIT;
use min_runtime::calls::{Linked, NestedCall, split_arguments};
use min_runtime::{Contract, ContractCalls, Engine, ExecError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A procedure call a test made.
#[derive(Clone, Debug)]
pub struct Call<'p> {
    /// The procedure's qualified name, `bank.deposit`.
    pub procedure: String,
    /// Its arguments, in the order of its parameters.
    pub args: Vec<min_interp::Value<'p>>,
}

/// The gas of one procedure's recorded calls.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GasRow {
    /// The procedure's qualified name.
    pub procedure: String,
    /// How many recorded calls completed.
    pub calls: u64,
    /// The least gas one of them used.
    pub min: u64,
    /// The mean, rounded down.
    pub avg: u64,
    /// The most.
    pub max: u64,
    /// The static gas bound at the largest arguments among the completed
    /// calls (`None` when the procedure has no bound).
    pub bound: Option<u64>,
    /// How many recorded calls aborted (or ran out of gas): they count in
    /// no column above, since a transaction that aborts changes nothing.
    pub aborted: u64,
}

/// The gas of every replayed call, by procedure. The contracts it builds,
/// and its engine, serve every file of the run.
#[derive(Default)]
pub struct Recorder {
    used: BTreeMap<String, Vec<u64>>,
    aborted: BTreeMap<String, u64>,
    bounds: BTreeMap<String, Option<u64>>,
    /// The contracts built so far, by source path.
    built: BTreeMap<String, Arc<Contract>>,
    engine: Option<Engine>,
}

impl Recorder {
    /// Builds `file`'s contract and replays `calls` on it.
    pub fn replay(&mut self, workspace: &Workspace, file: SourceFile, calls: &[Call<'_>]) -> Result<(), String> {
        let contract = self.built(workspace, workspace.module_name(file))?;
        // Every contract the calls reach: those it calls, those they call, …
        let mut linked: BTreeMap<String, Arc<Contract>> = BTreeMap::new();
        let mut pending: Vec<String> = contract.metadata().calls.iter().map(|called| called.module.clone()).collect();
        while let Some(module) = pending.pop() {
            if linked.contains_key(&module) {
                continue;
            }
            let called = self.built(workspace, &module)?;
            pending.extend(called.metadata().calls.iter().map(|called| called.module.clone()));
            linked.insert(module, called);
        }
        let engine = match self.engine.take() {
            Some(engine) => engine,
            None => Engine::new().map_err(|error| format!("cannot start the contract engine: {error}"))?,
        };
        let replayed = self.replay_on(&engine, &contract, &linked, calls);
        self.engine = Some(engine);
        replayed
    }

    /// Replays `calls` on `contract`, which calls the contracts `linked`.
    fn replay_on(
        &mut self,
        engine: &Engine,
        contract: &Contract,
        linked: &BTreeMap<String, Arc<Contract>>,
        calls: &[Call<'_>],
    ) -> Result<(), String> {
        for call in calls {
            let (measured, called) = gas_of(contract, engine, linked, call)?;
            self.record(&call.procedure, measured)?;
            for (procedure, measured) in called {
                self.record(&procedure, measured)?;
            }
        }
        Ok(())
    }

    /// The contract of `module`, built as `minc build` builds it, once per
    /// run and source file.
    fn built(&mut self, workspace: &Workspace, module: &str) -> Result<Arc<Contract>, String> {
        let file = workspace.module_file(module).ok_or_else(|| format!("the contract {module} is not loaded"))?;
        let path = file.path(workspace.db()).clone();
        if let Some(contract) = self.built.get(&path) {
            return Ok(contract.clone());
        }
        let artifact = crate::artifact::build(workspace, file)
            .map_err(|error| format!("the Wasm backend cannot compile {module}: {error}"))?;
        let contract = Contract::load(&artifact.wasm, artifact.metadata.as_bytes())
            .map_err(|error| format!("the runtime refuses the built contract {module}: {error}"))?;
        let contract = Arc::new(contract);
        self.built.insert(path, contract.clone());
        Ok(contract)
    }

    /// Records one call of `procedure`, refusing one that used more than
    /// its bound.
    fn record(&mut self, procedure: &str, measured: Measured) -> Result<(), String> {
        let bound = measured.bound;
        match measured.used {
            Some(used) => {
                if let Some(bound) = bound.filter(|bound| used > *bound) {
                    return Err(format!(
                        "{procedure} used {used} gas with {} bytes of arguments, more than its static gas bound of {bound}: \
                         the bound is wrong, please report it",
                        measured.argument_bytes
                    ));
                }
                self.used.entry(procedure.to_string()).or_default().push(used);
                let most = self.bounds.entry(procedure.to_string()).or_insert(bound);
                *most = (*most).max(bound);
            }
            None => *self.aborted.entry(procedure.to_string()).or_default() += 1,
        }
        Ok(())
    }

    /// One row per procedure, by name.
    pub fn rows(&self) -> Vec<GasRow> {
        let mut names: Vec<&String> = self.used.keys().chain(self.aborted.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|name| {
                let used = self.used.get(name).map_or(&[][..], Vec::as_slice);
                let calls = used.len() as u64;
                let total: u128 = used.iter().map(|&gas| u128::from(gas)).sum();
                GasRow {
                    procedure: name.clone(),
                    calls,
                    min: used.iter().copied().min().unwrap_or(0),
                    avg: if calls == 0 { 0 } else { (total / u128::from(calls)) as u64 },
                    max: used.iter().copied().max().unwrap_or(0),
                    aborted: self.aborted.get(name).copied().unwrap_or(0),
                    bound: self.bounds.get(name).copied().flatten(),
                }
            })
            .collect()
    }
}

/// What a replayed call used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    /// Bytes of its arguments' canonical encoding.
    pub argument_bytes: u64,
    /// The gas it used, `None` if it aborted or ran out.
    pub used: Option<u64>,
    /// The procedure's static gas bound at those bytes, if it has one.
    pub bound: Option<u64>,
}

/// The gas `call` uses on `contract`, and that of each call it makes of a
/// procedure of the contracts `linked` (by module name), run on them: a
/// called procedure's gas is its own call's, not the caller's. Each
/// argument crosses into the contract's values through the canonical
/// encoding, as a transaction's arguments do.
pub fn gas_of(
    contract: &Contract,
    engine: &Engine,
    linked: &BTreeMap<String, Arc<Contract>>,
    call: &Call<'_>,
) -> Result<(Measured, Vec<(String, Measured)>), String> {
    let info = contract
        .procedure(&call.procedure)
        .ok_or_else(|| format!("the built contract has no procedure {}", call.procedure))?;
    if info.arguments.len() != call.args.len() {
        return Err(format!(
            "{} takes {} arguments, but the test called it with {}",
            call.procedure,
            info.arguments.len(),
            call.args.len()
        ));
    }
    let mut values = Vec::new();
    let mut argument_bytes = 0u64;
    for (slot, value) in info.arguments.iter().zip(&call.args) {
        let (bytes, value) = contract
            .adopt(value, &slot.r#type)
            .map_err(|error| format!("an argument of {} does not cross into the contract: {error}", call.procedure))?;
        argument_bytes += bytes.len() as u64;
        values.push(value);
    }
    let (inputs, params) = split_arguments(info, values).map_err(|error| format!("{}: {error}", call.procedure))?;
    let bound = info.gas_bound.at(argument_bytes);
    let (handler, trace) = Linked::new(linked.clone(), engine, CALL_GAS_LIMIT);
    let calls: Option<Box<dyn ContractCalls>> = (!linked.is_empty()).then(|| Box::new(handler) as _);
    let measured = match contract.call_with(engine, &call.procedure, &inputs, &params, CALL_GAS_LIMIT, calls) {
        Ok(outcome) => Measured { argument_bytes, used: Some(outcome.gas_used), bound },
        Err(ExecError::Abort { .. } | ExecError::OutOfGas { .. }) => Measured { argument_bytes, used: None, bound },
        Err(error) => return Err(format!("replaying {} failed: {error}", call.procedure)),
    };
    // The calls that returned, even of a caller that aborted after them,
    // and the one that aborted, if one did.
    let made = trace.borrow();
    let aborted = made
        .aborted
        .iter()
        .map(|procedure| (procedure.clone(), Measured { argument_bytes: 0, used: None, bound: None }));
    let called = made
        .calls
        .iter()
        .flat_map(NestedCall::flattened)
        .map(|nested| {
            let argument_bytes = nested.arguments.iter().map(|bytes| bytes.len() as u64).sum();
            let module = nested.procedure.rsplit_once('.').map_or("", |(module, _)| module);
            let bound = linked
                .get(module)
                .and_then(|callee| callee.procedure(&nested.procedure))
                .and_then(|info| info.gas_bound.at(argument_bytes));
            (nested.procedure.clone(), Measured { argument_bytes, used: Some(nested.gas_used), bound })
        })
        .chain(aborted)
        .collect();
    Ok((measured, called))
}
