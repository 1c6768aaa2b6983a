//! A deployed contract: its module and metadata, checked against each
//! other once ([`Contract::load`]), and calls of its procedures.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use min_core::Constructor;
use min_core::prelude::{REF as REF_TYPE, SIGNER as SIGNER_TYPE, TIME as TIME_TYPE};
use min_diagnostics::codes;
use min_interp::Value;
use min_lir::host::Memory;
use min_lir::{Export, Helper};
use min_metadata::{ABI_VERSION, Metadata, ProcedureInfo, Role, TypeDesc};
use min_rt::{ContractCalls, Session, SessionLayout, Shape, Tables};
use min_wasm::abi::IMPORT_MODULE;
use min_wasm::{FuelExhausted, Prepared, WasmBackend};
use rustc_hash::FxHashMap;

use crate::codec::{self, ArgumentImage, DecodeError, EncodeError, Limits, type_name};
use crate::engine::{Engine, EngineLimits, Idle, Kept};
use crate::error::{ExecError, LoadError};
use crate::gas;
use crate::module::{self, ModuleShape};
use crate::outcome::{Argument, EncodedOutcome, EncodedVerdict, Outcome, Piece, Verdict};
use crate::schema::Schema;

/// The largest module [`Contract::load`] accepts.
pub const MODULE_BYTES_MAX: usize = 16 << 20;
/// The largest metadata file [`Contract::load`] accepts.
pub const METADATA_BYTES_MAX: usize = 4 << 20;
/// The most bytes a call's arguments may take in the canonical encoding.
pub const INPUT_BYTES_MAX: usize = 1 << 20;

/// Bytes a result component's buffer starts with beyond the largest
/// encoded argument, up to [`RESULT_ROOM_MAX`].
const RESULT_ROOM_MORE: usize = 32;
/// The most bytes a result component's buffer starts with.
const RESULT_ROOM_MAX: usize = 4096;

/// A contract ready to call: a Wasm module made by `minc build` and its
/// metadata, checked against each other.
pub struct Contract {
    metadata: Metadata,
    wasm: Vec<u8>,
    schema: Schema,
    tables: Arc<Tables>,
    procedures: Vec<Procedure>,
    /// Each procedure's index in `procedures` by its qualified name and by
    /// its name alone (the first procedure of that name).
    procedure_index: FxHashMap<String, usize>,
    /// Whether an instance can be put back as it was new after a call
    /// ([`ModuleShape::restorable`]).
    restorable: bool,
    /// How deep the module's calls can nest, if it says so
    /// ([`ModuleShape::depth_bound`]).
    depth_bound: Option<u64>,
    /// The contract's number among those loaded, which its instances kept
    /// between calls go by.
    number: u64,
    /// The module compiled by the first engine that ran it, linked to the
    /// run-time helpers.
    compiled: OnceLock<Compiled>,
}

/// The module compiled by an engine, and where the engine keeps instances
/// between calls.
struct Compiled {
    engine: wasmtime::Engine,
    prepared: Prepared,
    idle: Arc<Idle>,
}

/// The number of the next contract loaded.
static CONTRACTS: AtomicU64 = AtomicU64::new(0);

impl Drop for Contract {
    fn drop(&mut self) {
        if let Some(compiled) = self.compiled.get() {
            compiled.idle.forget(self.number);
        }
    }
}

/// A procedure, the export that runs it, and the export of its checker.
struct Procedure {
    info: ProcedureInfo,
    export: Export,
    checker: Option<Export>,
    /// The data type of each parameter and of each result component, by
    /// its index in the schema, when its type is one: found once, so that
    /// a call does not look them up by name.
    argument_types: Vec<Option<usize>>,
    result_types: Vec<Option<usize>>,
}

impl Contract {
    /// Loads a contract from its deployed bytes: the Wasm module and the
    /// metadata JSON that `minc build` wrote beside it.
    ///
    /// Refuses, with the reason, metadata that does not parse or follows
    /// another ABI version, a module that is not valid Wasm of the features
    /// Min uses or does not import exactly the run-time helpers, has a
    /// start function, lacks the exports the runner reads or passes the
    /// default [`EngineLimits`], metadata whose data types do not hold
    /// together, and a procedure without an export taking its parameters.
    pub fn load(wasm: &[u8], metadata: &[u8]) -> Result<Contract, LoadError> {
        if wasm.len() > MODULE_BYTES_MAX {
            return Err(LoadError::new(format!("the module has {} bytes, more than {MODULE_BYTES_MAX}", wasm.len())));
        }
        if metadata.len() > METADATA_BYTES_MAX {
            return Err(LoadError::new(format!(
                "the metadata has {} bytes, more than {METADATA_BYTES_MAX}",
                metadata.len()
            )));
        }
        let metadata = Metadata::from_json(metadata)
            .map_err(|error| LoadError::new(format!("the metadata is not valid: {error}")))?;
        if metadata.abi_version != ABI_VERSION {
            return Err(LoadError::new(format!(
                "the module follows ABI version {}, and this runtime runs version {ABI_VERSION}",
                metadata.abi_version
            )));
        }
        check_imports(&metadata)?;
        let limits = Engine::module_limits_of(&EngineLimits::default());
        let shape = module::inspect(wasm, limits)?;
        let mut schema =
            Schema::new(&metadata.data_types).map_err(|reason| LoadError::new(format!("the metadata's {reason}")))?;
        let constructors = metadata.constructors.iter().map(Constructor::from).collect();
        let tables = Arc::new(Tables::new(constructors, Vec::new(), metadata.names.clone()));
        schema.identify(|constructor| tables.constructor_id(constructor));
        let mut procedures: Vec<Procedure> = Vec::with_capacity(metadata.procedures.len());
        for info in &metadata.procedures {
            if procedures.iter().any(|p| p.info.name == info.name) {
                return Err(LoadError::new(format!("the procedure {} is described twice", info.name)));
            }
            let export = check_procedure(info, &shape, &schema)?;
            let checker = check_checker(info, &shape)?;
            let types_of = |slots: &[min_metadata::Slot]| -> Vec<Option<usize>> {
                slots.iter().map(|slot| schema.index_of(&slot.r#type)).collect()
            };
            let (argument_types, result_types) = (types_of(&info.arguments), types_of(&info.results));
            procedures.push(Procedure { info: info.clone(), export, checker, argument_types, result_types });
        }
        Ok(Contract {
            metadata,
            wasm: wasm.to_vec(),
            schema,
            tables,
            procedure_index: index_procedures(&procedures),
            procedures,
            restorable: shape.restorable,
            depth_bound: shape.depth_bound,
            number: CONTRACTS.fetch_add(1, Ordering::Relaxed),
            compiled: OnceLock::new(),
        })
    }

    /// The contract's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The contract's data types, which decoded values borrow.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The procedure named `name` (`bank.open` or `open`).
    pub fn procedure(&self, name: &str) -> Option<&ProcedureInfo> {
        self.find(name).ok().map(|p| &p.info)
    }

    /// The constructor `name` of the data type `data_type` (qualified), to
    /// build values with.
    pub fn constructor(&self, data_type: &str, name: &str) -> Option<&Constructor> {
        self.schema.constructors(data_type).find(|c| c.name == name)
    }

    /// The canonical encoding of `value` as a value of `ty` (`spec/gas.md`).
    pub fn encode(&self, value: &Value<'_>, ty: &TypeDesc) -> Result<Vec<u8>, EncodeError> {
        codec::encode_value(value, ty, &self.schema, &Limits::default())
    }

    /// The value of type `ty` that `bytes` encode canonically.
    pub fn decode(&self, bytes: &[u8], ty: &TypeDesc) -> Result<Value<'_>, DecodeError> {
        codec::decode_value(bytes, ty, &self.schema, &Limits::default())
    }

    /// The encodings of the elements of the list of type `[item]` that
    /// `bytes` encode canonically, each checked as [`Contract::decode`]
    /// checks a value but not decoded: how a host splits a list of events
    /// into the events.
    pub fn elements<'b>(&self, bytes: &'b [u8], item: &TypeDesc) -> Result<Vec<&'b [u8]>, DecodeError> {
        codec::elements(bytes, item, &self.schema, &Limits::default())
    }

    /// `value`, made with another contract's types or the interpreter's,
    /// as this contract's value of type `ty`: its canonical encoding, and
    /// that encoding read back with this contract's types. This is how a
    /// value crosses into a contract, as a transaction's arguments do.
    pub fn adopt(&self, value: &Value<'_>, ty: &TypeDesc) -> Result<(Vec<u8>, Value<'_>), String> {
        let bytes = self.encode(value, ty).map_err(|error| error.to_string())?;
        let adopted = self.decode(&bytes, ty).map_err(|error| error.to_string())?;
        Ok((bytes, adopted))
    }

    /// How deep the module says its calls can nest, if it says so: calls
    /// run with the engine's depth limit lowered to it.
    pub fn depth_bound(&self) -> Option<u64> {
        self.depth_bound
    }

    /// Compiles the module for `engine` now rather than at its first call.
    /// The first engine's compilation is kept; another engine's is not.
    pub fn compile(&self, engine: &Engine) -> Result<(), ExecError> {
        self.compiled(engine).map(drop)
    }

    /// The value of a procedure's `Signer` parameter for the account
    /// `address` (`spec/security.md`): the host builds it from the
    /// transaction's signature, never from what the transaction carries.
    pub fn signer_value(&self, address: &str) -> Result<Value<'_>, ExecError> {
        let signer = TypeDesc::Data { name: SIGNER_TYPE.to_string(), args: Vec::new() };
        let constructor = self.schema.constructors(SIGNER_TYPE).next().ok_or_else(|| ExecError::BadArguments {
            reason: "the contract's procedures take no signer".to_string(),
        })?;
        let value =
            Value::Data(std::rc::Rc::new(min_interp::Data { constructor, fields: vec![Value::Str(address.into())] }));
        codec::encoded_len(&value, &signer, &self.schema, &Limits::default())
            .map_err(|error| ExecError::BadArguments { reason: format!("the signer: {error}") })?;
        Ok(value)
    }

    /// The canonical encoding of [`Contract::signer_value`], made without
    /// building the value: the address's, `Signer` being a record of one
    /// string. Pass it as [`Argument::Encoded`].
    pub fn signer_bytes(&self, address: &str) -> Result<Vec<u8>, ExecError> {
        let no_signer = || ExecError::BadArguments { reason: "the contract's procedures take no signer".to_string() };
        let signer = self.schema.get(SIGNER_TYPE).ok_or_else(no_signer)?;
        match signer.variants.as_slice() {
            [(_, fields)] if fields.as_slice() == [TypeDesc::Str] => {
                let limit = Limits::default().max_bytes;
                let mut buffer = [0u8; codec::LEB128_BYTES_MAX];
                let prefix_len = codec::leb128(address.len() as u128, &mut buffer);
                let prefix = &buffer[..prefix_len];
                if prefix.len() + address.len() > limit {
                    return Err(ExecError::BadArguments {
                        reason: format!("the signer: {}", EncodeError::TooLarge { limit }),
                    });
                }
                Ok([prefix, address.as_bytes()].concat())
            }
            _ => Err(ExecError::BadArguments { reason: "the contract's Signer is not a record of one string".into() }),
        }
    }

    /// The value of a procedure's `Time` parameter for the block time
    /// `seconds` (`spec/security.md`): the host gives the block's time,
    /// never what the transaction carries.
    pub fn time_value(&self, seconds: u64) -> Result<Value<'_>, ExecError> {
        let constructor = self.schema.constructors(TIME_TYPE).next().ok_or_else(|| ExecError::BadArguments {
            reason: "the contract's procedures take no block time".to_string(),
        })?;
        let seconds = Value::Nat(u128::from(seconds));
        Ok(Value::Data(std::rc::Rc::new(min_interp::Data { constructor, fields: vec![seconds] })))
    }

    /// Calls `procedure` on the objects it consumes or reads by reference
    /// (`inputs`: each object itself, a reference's too) and the
    /// values the transaction carries (`params`, with the value of a
    /// `Signer` parameter at its place, made by [`Contract::signer_value`],
    /// and that of a `Time` parameter, made by [`Contract::time_value`]),
    /// each list in the order of the procedure's parameters, with at most
    /// `gas_limit` gas.
    ///
    /// Every argument must be a value of its declared type. The call runs
    /// in an instance as it was new; its result is split as the procedure's summary
    /// says: objects into [`Outcome::outputs`], events into
    /// [`Outcome::events`], other values into [`Outcome::returns`]. The same contract, arguments and limit always
    /// give the same outcome and gas, or the same error.
    pub fn call<'c>(
        &'c self,
        engine: &Engine,
        procedure: &str,
        inputs: &[Value<'c>],
        params: &[Value<'c>],
        gas_limit: u64,
    ) -> Result<Outcome<'c>, ExecError> {
        self.call_with(engine, procedure, inputs, params, gas_limit, None)
    }

    /// [`Contract::call`], with `calls` running the procedures of other
    /// contracts the procedure calls (`crate::calls`); without it, such a
    /// call fails.
    pub fn call_with<'c>(
        &'c self,
        engine: &Engine,
        procedure: &str,
        inputs: &[Value<'c>],
        params: &[Value<'c>],
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
    ) -> Result<Outcome<'c>, ExecError> {
        let found = self.find(procedure)?;
        let inputs: Vec<Argument<'_, 'c>> = inputs.iter().map(Argument::Value).collect();
        let params: Vec<Argument<'_, 'c>> = params.iter().map(Argument::Value).collect();
        let (pieces, gas_used) = self.run_procedure(engine, found, &inputs, &params, gas_limit, calls)?;
        let components = pieces
            .iter()
            .zip(&found.info.results)
            .map(|(piece, slot)| piece.decode(self, &slot.r#type))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| ExecError::Trap { reason: format!("{}'s result: {error}", found.info.name) })?;
        Ok(Outcome::of(&found.info, components, gas_used))
    }

    /// [`Contract::call_with`] on arguments that may come as their
    /// canonical encoding ([`Argument::Encoded`]: an object's data as the
    /// chain stores it, a parameter as the transaction carries it), giving
    /// the outcome in the canonical encoding too. No value is built on the
    /// way: the bytes are checked and read straight into the instance's
    /// memory, and the result written out from it. The outcome and gas are
    /// those [`Contract::call_with`] gives on the same arguments as values.
    pub fn call_encoded<'c>(
        &'c self,
        engine: &Engine,
        procedure: &str,
        inputs: &[Argument<'_, 'c>],
        params: &[Argument<'_, 'c>],
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
    ) -> Result<EncodedOutcome<'c>, ExecError> {
        let found = self.find(procedure)?;
        let (pieces, gas_used) = self.run_procedure(engine, found, inputs, params, gas_limit, calls)?;
        Ok(EncodedOutcome::of(&found.info, pieces, gas_used))
    }

    /// Runs `procedure` on its arguments: its result's components in
    /// order, encoded, and the gas used, results included.
    fn run_procedure(
        &self,
        engine: &Engine,
        procedure: &Procedure,
        inputs: &[Argument<'_, '_>],
        params: &[Argument<'_, '_>],
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
    ) -> Result<(Vec<Piece>, u64), ExecError> {
        let ReadArguments { image, bytes, largest } = self.arguments(procedure, inputs, params)?;
        // A result is often an argument changed: room for the largest
        // saves growing its encoding as it is written.
        let room = (largest + RESULT_ROOM_MORE).min(RESULT_ROOM_MAX);
        let read = |memory: &dyn Memory, word: u64| self.results(procedure, memory, word, room);
        let (pieces, gas_used) = self.run_export(engine, &procedure.export, image, bytes, gas_limit, calls, read)?;
        let (pieces, result_bytes) =
            pieces.map_err(|error| ExecError::Trap { reason: format!("{}'s result: {error}", procedure.info.name) })?;
        let gas_used = gas_used.saturating_add((result_bytes as u64).saturating_mul(gas::RESULT_BYTE));
        if gas_used > gas_limit {
            return Err(ExecError::OutOfGas { limit: gas_limit });
        }
        Ok((pieces, gas_used))
    }

    /// Runs the checker of `procedure` (`spec/contracts.md`): whether the
    /// procedure, called on `inputs` and `params` as [`Contract::call`]
    /// takes them, makes exactly `claimed`, the components of its result
    /// in order (created objects, returned values and logged events each
    /// at its place; a list of events as one component), with at most
    /// `gas_limit` gas.
    ///
    /// A claim of the wrong shape or types is an error; a claim of the
    /// right types that the procedure does not make, or any claim on
    /// arguments the procedure aborts on, is [`Verdict::Refused`] (with the abort's message). The gas
    /// of an accepted claim is what running the checker used.
    pub fn check<'c>(
        &'c self,
        engine: &Engine,
        procedure: &str,
        inputs: &[Value<'c>],
        params: &[Value<'c>],
        claimed: &[Value<'c>],
        gas_limit: u64,
    ) -> Result<Verdict<'c>, ExecError> {
        self.check_with(engine, procedure, inputs, params, claimed, gas_limit, None)
    }

    /// [`Contract::check`], with `calls` answering the procedure's calls
    /// of other contracts (`crate::calls::Claimed`); without it, such a
    /// call fails.
    #[allow(clippy::too_many_arguments)]
    pub fn check_with<'c>(
        &'c self,
        engine: &Engine,
        procedure: &str,
        inputs: &[Value<'c>],
        params: &[Value<'c>],
        claimed: &[Value<'c>],
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
    ) -> Result<Verdict<'c>, ExecError> {
        let found = self.find(procedure)?;
        let Some(checker) = &found.checker else {
            return Err(ExecError::BadArguments {
                reason: format!("the module has no checker of {}", found.info.name),
            });
        };
        let inputs: Vec<Argument<'_, 'c>> = inputs.iter().map(Argument::Value).collect();
        let params: Vec<Argument<'_, 'c>> = params.iter().map(Argument::Value).collect();
        let claim: Vec<Argument<'_, 'c>> = claimed.iter().map(Argument::Value).collect();
        Ok(match self.run_checker(engine, found, checker, [&inputs, &params, &claim], gas_limit, calls)? {
            EncodedVerdict::Accepted { gas_used } => {
                Verdict::Accepted(Outcome::of(&found.info, claimed.to_vec(), gas_used))
            }
            EncodedVerdict::Refused { aborted } => Verdict::Refused { aborted },
        })
    }

    /// [`Contract::check_with`] on arguments and a claim that may come in
    /// the canonical encoding (`claimed`: each component of the result, a
    /// created object's data as the transaction states it), read straight
    /// into the instance as [`Contract::call_encoded`] reads arguments.
    #[allow(clippy::too_many_arguments)]
    pub fn check_encoded<'c>(
        &'c self,
        engine: &Engine,
        procedure: &str,
        inputs: &[Argument<'_, 'c>],
        params: &[Argument<'_, 'c>],
        claimed: &[Argument<'_, 'c>],
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
    ) -> Result<EncodedVerdict, ExecError> {
        let found = self.find(procedure)?;
        let Some(checker) = &found.checker else {
            return Err(ExecError::BadArguments {
                reason: format!("the module has no checker of {}", found.info.name),
            });
        };
        self.run_checker(engine, found, checker, [inputs, params, claimed], gas_limit, calls)
    }

    /// Runs `checker`, the checker of `procedure`, on its objects,
    /// parameters and claimed result's components.
    fn run_checker(
        &self,
        engine: &Engine,
        procedure: &Procedure,
        checker: &Export,
        [inputs, params, claimed]: [&[Argument<'_, '_>]; 3],
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
    ) -> Result<EncodedVerdict, ExecError> {
        let ReadArguments { mut image, bytes, .. } = self.arguments(procedure, inputs, params)?;
        let claim_bytes = self.claim(procedure, claimed, &mut image)?;
        let read = |memory: &dyn Memory, word: u64| min_rt::shape(memory, word);
        match self.run_export(engine, checker, image, bytes + claim_bytes, gas_limit, calls, read) {
            Ok((Shape::Bool(true), gas_used)) => Ok(EncodedVerdict::Accepted { gas_used }),
            Ok((Shape::Bool(false), _)) => Ok(EncodedVerdict::Refused { aborted: None }),
            Err(ExecError::Abort { message }) => Ok(EncodedVerdict::Refused { aborted: Some(message) }),
            Ok((other, _)) => Err(ExecError::Trap {
                reason: format!("the checker of {} returned {other:?}, not a boolean", procedure.info.name),
            }),
            Err(error) => Err(error),
        }
    }

    /// Runs `export` on the arguments of `image` (whose encoding takes
    /// `argument_bytes`) in an instance as it was new with at most
    /// `gas_limit` gas: what `read` reads of its result's word, and the
    /// gas used so far (`read`'s loads included; placing the arguments
    /// costs only their bytes). An instance whose call returned is put back as
    /// it was new and kept for the next call; one whose call failed in any
    /// way (or whose memory grew) goes back to the pool.
    #[allow(clippy::too_many_arguments)]
    fn run_export<R>(
        &self,
        engine: &Engine,
        export: &Export,
        image: ArgumentImage,
        argument_bytes: usize,
        gas_limit: u64,
        calls: Option<Box<dyn ContractCalls>>,
        read: impl FnOnce(&dyn Memory, u64) -> R,
    ) -> Result<(R, u64), ExecError> {
        let upfront = gas::CALL_BASE.saturating_add((argument_bytes as u64).saturating_mul(gas::ARGUMENT_BYTE));
        if upfront > gas_limit {
            return Err(ExecError::OutOfGas { limit: gas_limit });
        }
        let (backend, layout, idle) = self.instance(engine)?;
        let mut session = match layout {
            Some(layout) => Session::resume(backend, self.tables.clone(), layout),
            None => {
                let depth_limit = match self.depth_bound {
                    Some(bound) => engine.limits.depth_limit.min(usize::try_from(bound).unwrap_or(usize::MAX)),
                    None => engine.limits.depth_limit,
                };
                let mut session = Session::with_tables(backend, self.tables.clone(), depth_limit)
                    .map_err(|fault| ExecError::Trap { reason: fault.to_string() })?;
                if idle.is_some() {
                    // Kept instances come back as set up now: the next
                    // call resumes the session without laying it out.
                    session.backend_mut().keep_as_now();
                }
                session
            }
        };
        session
            .backend_mut()
            .set_fuel(gas_limit - upfront)
            .map_err(|error| ExecError::Engine { reason: error.to_string() })?;
        session.runtime_mut().set_contract_calls(calls);
        let result = catch_unwind(AssertUnwindSafe(|| {
            session.backend_mut().charge_reads(false);
            let arguments = session.write_arguments(|runtime, memory, region| image.place(runtime, memory, region));
            session.backend_mut().charge_reads(true);
            session.call_last(export, arguments?, read)
        }));
        let fuel_left = session.backend().fuel().unwrap_or(0);
        let trap = session.backend().last_trap_code();
        let value = match result {
            Err(panic) if panic.is::<FuelExhausted>() => return Err(ExecError::OutOfGas { limit: gas_limit }),
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("no message");
                return Err(ExecError::Trap {
                    reason: format!("the module broke the run-time library's rules: {reason}"),
                });
            }
            Ok(Err(fault)) => {
                return Err(match trap {
                    Some(wasmtime::Trap::OutOfFuel) => ExecError::OutOfGas { limit: gas_limit },
                    Some(code) => ExecError::Trap { reason: format!("the Wasm code trapped: {code}") },
                    None if fault.code == codes::E0412 => ExecError::Abort { message: fault.message },
                    None => ExecError::Trap { reason: fault.to_string() },
                });
            }
            Ok(Ok(value)) => value,
        };
        if let Some(idle) = idle {
            let layout = session.layout();
            let mut backend = session.into_backend();
            if backend.restore() {
                idle.keep(self.number, Kept { backend, layout });
            }
        }
        Ok((value, gas_limit - fuel_left))
    }

    fn find(&self, name: &str) -> Result<&Procedure, ExecError> {
        self.procedure_index
            .get(name)
            .map(|&index| &self.procedures[index])
            .ok_or_else(|| ExecError::BadArguments { reason: format!("the contract has no procedure named {name}") })
    }

    /// The module compiled for `engine` and linked to the helpers: the one
    /// kept, compiled for the first engine, or (`Err`) a new one made for
    /// another engine.
    fn compiled(&self, engine: &Engine) -> Result<Result<&Compiled, Prepared>, ExecError> {
        let prepare = || {
            let engine_error = |error: &dyn std::fmt::Display| ExecError::Engine { reason: format!("{error}") };
            let module = wasmtime::Module::new(&engine.wasmtime, &self.wasm).map_err(|error| engine_error(&error))?;
            Prepared::new(&engine.wasmtime, &module).map_err(|error| engine_error(&error))
        };
        let compiled = match self.compiled.get() {
            Some(compiled) => compiled,
            None => {
                let compiled =
                    Compiled { engine: engine.wasmtime.clone(), prepared: prepare()?, idle: engine.idle.clone() };
                self.compiled.get_or_init(|| compiled)
            }
        };
        if wasmtime::Engine::same(&compiled.engine, &engine.wasmtime) { Ok(Ok(compiled)) } else { prepare().map(Err) }
    }

    /// An instance of the module for `engine`, as it was new, and where to
    /// keep it after the call if it can be put back as it was new: one
    /// kept from an earlier call, with the layout of the session it is set
    /// up for, or a new one. Instances are kept only for the engine whose
    /// compilation the contract keeps.
    fn instance(&self, engine: &Engine) -> Result<(WasmBackend, Option<SessionLayout>, Option<&Idle>), ExecError> {
        let engine_error = |error: min_wasm::WasmError| ExecError::Engine { reason: error.to_string() };
        let compiled = match self.compiled(engine)? {
            Ok(compiled) if self.restorable && compiled.idle.keeps_any() => compiled,
            Ok(compiled) => {
                let backend = WasmBackend::instantiate_prepared(&compiled.prepared, Some(gas::helper_cost));
                return Ok((backend.map_err(engine_error)?, None, None));
            }
            Err(prepared) => {
                let backend = WasmBackend::instantiate_prepared(&prepared, Some(gas::helper_cost));
                return Ok((backend.map_err(engine_error)?, None, None));
            }
        };
        let idle = compiled.idle.as_ref();
        Ok(match idle.take(self.number) {
            Some(Kept { backend, layout }) => (backend, Some(layout), Some(idle)),
            None => {
                let backend = WasmBackend::instantiate_restorable(&compiled.prepared, Some(gas::helper_cost))
                    .map_err(engine_error)?;
                (backend, None, Some(idle))
            }
        })
    }

    /// The arguments in the order of the procedure's parameters, each
    /// checked against its type and read into an image, with the bytes
    /// their encodings take. `inputs` holds the objects the transaction
    /// names, consumed or read by reference, in the order of the
    /// parameters; a referenced object is its `Ref`, whose encoding is the
    /// object's.
    fn arguments(
        &self,
        procedure: &Procedure,
        inputs: &[Argument<'_, '_>],
        params: &[Argument<'_, '_>],
    ) -> Result<ReadArguments, ExecError> {
        let info = &procedure.info;
        let wanted = |role: Role| info.arguments.iter().filter(|slot| slot.role == role).count();
        let (consumed, read) = (wanted(Role::Input), wanted(Role::Reference));
        let wanted_params = wanted(Role::Param) + wanted(Role::Signer) + wanted(Role::Time);
        if inputs.len() != consumed + read || params.len() != wanted_params {
            let objects = match read {
                0 => format!("consumes {consumed} objects"),
                read => format!("consumes {consumed} objects, reads {read} by reference"),
            };
            return Err(ExecError::BadArguments {
                reason: format!(
                    "{} {objects} and takes {wanted_params} parameters, but was given {} objects and {} parameters",
                    info.name,
                    inputs.len(),
                    params.len()
                ),
            });
        }
        let encoded_bytes: usize = inputs.iter().chain(params).map(Argument::encoded_len).sum();
        let (mut inputs, mut params) = (inputs.iter(), params.iter());
        let mut image = ArgumentImage::with_capacity(info.arguments.len() + 1, encoded_bytes);
        let (mut bytes, mut largest) = (0usize, 0usize);
        for (position, slot) in info.arguments.iter().enumerate() {
            let next = match slot.role {
                Role::Input | Role::Reference => inputs.next(),
                _ => params.next(),
            };
            let Some(argument) = next else { unreachable!("the counts were checked") };
            let what = || format!("parameter {} of {}", position + 1, info.name);
            let (ty, known) = (&slot.r#type, procedure.argument_types[position]);
            let taken = self.push_argument(&mut image, argument, ty, known, INPUT_BYTES_MAX - bytes, what)?;
            bytes += taken;
            largest = largest.max(taken);
        }
        Ok(ReadArguments { image, bytes, largest })
    }

    /// Reads `argument`, of type `ty` (a `Ref`'s value being the object
    /// itself; `known` the index of its data type, if it is one), into
    /// `image` when its encoding takes at most `room` bytes: how many it
    /// takes. `what` names it in errors.
    #[allow(clippy::too_many_arguments)]
    fn push_argument(
        &self,
        image: &mut ArgumentImage,
        argument: &Argument<'_, '_>,
        ty: &TypeDesc,
        known: Option<usize>,
        room: usize,
        what: impl Fn() -> String,
    ) -> Result<usize, ExecError> {
        let limits = Limits { max_bytes: room, ..Limits::default() };
        let encoded;
        let bytes = match argument {
            Argument::Encoded(bytes) => *bytes,
            Argument::Value(value) => {
                encoded = match codec::encode_value(value, reference_of(ty), &self.schema, &limits) {
                    Ok(bytes) => bytes,
                    Err(EncodeError::TooLarge { .. }) => {
                        return Err(ExecError::InputTooLarge { limit: INPUT_BYTES_MAX });
                    }
                    Err(error) => return Err(ExecError::BadArguments { reason: format!("{}: {error}", what()) }),
                };
                &encoded
            }
        };
        if bytes.len() > room {
            return Err(ExecError::InputTooLarge { limit: INPUT_BYTES_MAX });
        }
        image
            .push(bytes, ty, self.schema.at(known), &self.schema, &limits)
            .map_err(|error| ExecError::BadArguments { reason: format!("{}: {error}", what()) })?;
        Ok(bytes.len())
    }

    /// Reads a claimed result, from its components, each checked against
    /// its type, into `image` as the checker's last argument (the tuple
    /// of the components): the bytes their encoding takes.
    fn claim(
        &self,
        procedure: &Procedure,
        components: &[Argument<'_, '_>],
        image: &mut ArgumentImage,
    ) -> Result<usize, ExecError> {
        let info = &procedure.info;
        if components.len() != info.results.len() {
            return Err(ExecError::BadArguments {
                reason: format!(
                    "{} makes {} result components, but the claim has {}",
                    info.name,
                    info.results.len(),
                    components.len()
                ),
            });
        }
        let mut bytes = 0usize;
        for (position, (component, slot)) in components.iter().zip(&info.results).enumerate() {
            let what = || format!("component {} of the claimed result of {}", position + 1, info.name);
            let (ty, known) = (&slot.r#type, procedure.result_types[position]);
            bytes += self.push_argument(image, component, ty, known, INPUT_BYTES_MAX - bytes, what)?;
        }
        image.bundle(components.len()).map_err(|reason| ExecError::BadArguments { reason })?;
        Ok(bytes)
    }

    /// The components of a procedure's result, which `word` is in
    /// `memory`, each written out in its encoding (a list of events as
    /// each event's) in a buffer of `room` bytes to start with, and the
    /// bytes they take together.
    fn results(
        &self,
        procedure: &Procedure,
        memory: &dyn Memory,
        word: u64,
        room: usize,
    ) -> Result<(Vec<Piece>, usize), EncodeError> {
        let info = &procedure.info;
        // One component is the result itself, whatever its shape: only
        // another count needs the word's shape, and so its header loaded.
        let shape = (info.results.len() != 1).then(|| min_rt::shape(memory, word));
        let (count, tuple) = match (info.results.len(), shape) {
            (1, None) => (1, None),
            (0, Some(Shape::Unit)) => (0, None),
            (count, Some(Shape::Tuple { address, count: got })) if got as usize == count => (count, Some(address)),
            _ => {
                let types: Vec<String> = info.results.iter().map(|slot| type_name(&slot.r#type)).collect();
                return Err(EncodeError::NotOfType {
                    reason: format!("{} returned no value of ({})", info.name, types.join(", ")),
                });
            }
        };
        let words = (1..=count as u64).map(|index| match tuple {
            Some(address) => memory.load(address + 8 * index),
            None => word,
        });
        let limits = Limits::default();
        let mut pieces = Vec::with_capacity(count);
        let mut bytes = 0usize;
        for ((word, slot), known) in words.zip(&info.results).zip(&procedure.result_types) {
            let piece = match (slot.role, &slot.r#type) {
                (Role::Event, TypeDesc::List(item)) => {
                    let mut events = Vec::new();
                    bytes += codec::write_elements(memory, word, item, &self.schema, &limits, &mut events)?;
                    Piece::Events(events)
                }
                (_, ty) => {
                    let mut encoded = Vec::with_capacity(room);
                    codec::write_result(memory, word, ty, self.schema.at(*known), &self.schema, &limits, &mut encoded)?;
                    bytes += encoded.len();
                    Piece::One(encoded)
                }
            };
            pieces.push(piece);
        }
        Ok((pieces, bytes))
    }
}

/// A call's arguments read into an image ([`Contract::arguments`]).
struct ReadArguments {
    image: ArgumentImage,
    /// The bytes their encodings take together.
    bytes: usize,
    /// The bytes the largest one's encoding takes.
    largest: usize,
}

/// Each procedure's index by its qualified name and by its name alone: a
/// name goes to the first procedure that has it either way, as the
/// procedures are listed.
fn index_procedures(procedures: &[Procedure]) -> FxHashMap<String, usize> {
    let mut index = FxHashMap::default();
    for (position, procedure) in procedures.iter().enumerate() {
        for name in [procedure.info.name.as_str(), procedure.info.short_name()] {
            index.entry(name.to_owned()).or_insert(position);
        }
    }
    index
}

/// A procedure's result from its components in order (`()` for none, the
/// component itself for one), as compiled code makes it; also the tuple
/// of a procedure's arguments that a call between contracts passes.
pub(crate) fn whole<'c>(components: &[Value<'c>]) -> Value<'c> {
    match components {
        [] => Value::Unit,
        [one] => one.clone(),
        many => Value::Tuple(many.to_vec().into()),
    }
}

/// The `count` components of `value`, made as [`whole`] makes it; `None`
/// when it is not so made.
pub(crate) fn components<'c>(value: &Value<'c>, count: usize) -> Option<Vec<Value<'c>>> {
    match (count, value) {
        (0, Value::Unit) => Some(Vec::new()),
        (1, _) => Some(vec![value.clone()]),
        (n, Value::Tuple(items)) if items.len() == n => Some(items.to_vec()),
        _ => None,
    }
}

/// Whether `ty` is the type of a reference input, `Ref T`.
fn is_reference_type(ty: &TypeDesc) -> bool {
    matches!(ty, TypeDesc::Data { name, args } if name == REF_TYPE && args.len() == 1)
}

/// The type of the object a `Ref T` refers to, `T`; `ty` itself for
/// another type.
fn reference_of(ty: &TypeDesc) -> &TypeDesc {
    match ty {
        TypeDesc::Data { name, args } if name == REF_TYPE && args.len() == 1 => &args[0],
        _ => ty,
    }
}

/// Whether `ty` is the type of a procedure's signer.
fn is_signer_type(ty: &TypeDesc) -> bool {
    matches!(ty, TypeDesc::Data { name, args } if name == SIGNER_TYPE && args.is_empty())
}

/// Whether `ty` is the type of a procedure's block time.
fn is_time_type(ty: &TypeDesc) -> bool {
    matches!(ty, TypeDesc::Data { name, args } if name == TIME_TYPE && args.is_empty())
}

/// Checks that the metadata names exactly the helpers the runtime provides.
fn check_imports(metadata: &Metadata) -> Result<(), LoadError> {
    if metadata.imports.module != IMPORT_MODULE {
        return Err(LoadError::new(format!(
            "the metadata imports from {}, not {IMPORT_MODULE}",
            metadata.imports.module
        )));
    }
    let named: Vec<(&str, usize)> = metadata.imports.helpers.iter().map(|h| (h.name.as_str(), h.params)).collect();
    let provided: Vec<(&str, usize)> = Helper::ALL.iter().map(|h| (h.name(), h.arity())).collect();
    if named != provided {
        return Err(LoadError::new("the metadata's helpers are not the run-time helpers, in their order"));
    }
    Ok(())
}

/// Checks a procedure's description and finds its export.
fn check_procedure(info: &ProcedureInfo, shape: &ModuleShape, schema: &Schema) -> Result<Export, LoadError> {
    let name = &info.name;
    let count = |slots: &[min_metadata::Slot], role: Role| slots.iter().filter(|slot| slot.role == role).count();
    let roles_fit = info
        .arguments
        .iter()
        .all(|slot| matches!(slot.role, Role::Input | Role::Reference | Role::Param | Role::Signer | Role::Time))
        && count(&info.arguments, Role::Signer) <= 1
        && count(&info.arguments, Role::Time) <= 1
        && info.arguments.iter().all(|slot| slot.role != Role::Time || is_time_type(&slot.r#type))
        && info.arguments.iter().all(|slot| slot.role != Role::Reference || is_reference_type(&slot.r#type))
        && info.arguments.iter().all(|slot| slot.role != Role::Signer || is_signer_type(&slot.r#type))
        && info.results.iter().all(|slot| matches!(slot.role, Role::Output | Role::Return | Role::Event))
        && info.results.iter().filter(|slot| slot.role == Role::Event).all(|slot| is_event_type(&slot.r#type));
    let counts_fit = count(&info.arguments, Role::Input) == info.inputs.len()
        && count(&info.arguments, Role::Reference) == info.references.len()
        && count(&info.arguments, Role::Param) == info.params.len()
        && count(&info.results, Role::Output) == info.outputs.len()
        && count(&info.results, Role::Return) == info.returns.len()
        && count(&info.results, Role::Event) == info.events.len();
    if !roles_fit || !counts_fit {
        return Err(LoadError::new(format!(
            "the procedure {name}'s parameters and results do not match its dependency set"
        )));
    }
    for slot in info.arguments.iter().chain(&info.results) {
        schema.check(&slot.r#type, 0).map_err(|reason| LoadError::new(format!("the procedure {name}: {reason}")))?;
        if mentions_opaque(&slot.r#type) {
            return Err(LoadError::new(format!(
                "the procedure {name} has {} in its type, which is not data",
                type_name(&slot.r#type)
            )));
        }
    }
    let Some(function) = shape.functions.get(name) else {
        return Err(LoadError::new(format!("the module exports no function {name} in its function table")));
    };
    if function.params != info.arguments.len() + 2 {
        return Err(LoadError::new(format!(
            "the export {name} takes {} words, but the procedure has {} parameters (and two regions)",
            function.params,
            info.arguments.len()
        )));
    }
    let arity =
        u32::try_from(info.arguments.len()).map_err(|_| LoadError::new(format!("{name} has too many parameters")))?;
    Ok(Export { name: name.clone(), function: function.function, arity })
}

/// Finds the export of a procedure's checker, if the metadata names one:
/// it takes the procedure's parameters, the claimed result and two regions.
fn check_checker(info: &ProcedureInfo, shape: &ModuleShape) -> Result<Option<Export>, LoadError> {
    if info.checker.is_empty() {
        return Ok(None);
    }
    let name = &info.checker;
    let Some(function) = shape.functions.get(name) else {
        return Err(LoadError::new(format!("the module exports no function {name} in its function table")));
    };
    let arity = info.arguments.len() + 1;
    if function.params != arity + 2 {
        return Err(LoadError::new(format!(
            "the checker {name} takes {} words, but it should take the procedure's {} parameters, the claim and two regions",
            function.params,
            info.arguments.len()
        )));
    }
    let arity = u32::try_from(arity).map_err(|_| LoadError::new(format!("{name} has too many parameters")))?;
    Ok(Some(Export { name: name.clone(), function: function.function, arity }))
}

/// Whether an event slot's type is a data type or a list of one.
fn is_event_type(ty: &TypeDesc) -> bool {
    match ty {
        TypeDesc::List(item) => matches!(**item, TypeDesc::Data { .. }),
        TypeDesc::Data { .. } => true,
        _ => false,
    }
}

fn mentions_opaque(ty: &TypeDesc) -> bool {
    match ty {
        TypeDesc::Opaque(_) => true,
        TypeDesc::List(item) => mentions_opaque(item),
        TypeDesc::Tuple(items) | TypeDesc::Data { args: items, .. } => items.iter().any(mentions_opaque),
        _ => false,
    }
}
