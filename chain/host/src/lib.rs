//! The contract host of Min's validators and clients: it runs the
//! procedures of packages published on the chain (`min_chain::contracts`)
//! with the wasmtime contract runtime (`min_runtime`).
//!
//! A client (`minc call`) runs a call with [`run_call`]: it decodes the
//! consumed objects and the parameters, runs the procedure under a gas
//! limit, and encodes the created objects and the logged events; it puts
//! the objects in its transaction as outputs, and the returned values and
//! the events in its parameters as its *claim* ([`prepare_call`]). A
//! validator ([`RuntimeHost`], the chain's [`ContractHost`]) does not run
//! the procedure for its result: it runs the procedure's checker, compiled
//! into the module (`spec/contracts.md`), on the inputs, the parameters and
//! the claim, each in the canonical encoding the chain holds it in
//! (`validator.rs`), and hands the claimed events to the chain once it
//! accepts.
//!
//! On the chain, a call's parameters are the canonical encodings of its
//! parameter values and then of the claimed components of its result
//! (returned values and events, in the result's order), each as a byte
//! string of the chain's encoding ([`encode_params`], [`append_claim`]); an
//! object's data is the canonical encoding of its value.

#![warn(missing_docs)]

mod packages;
mod records;
mod validator;

pub use packages::{LinkedContract, Packages};
pub use records::{RECORDS_MAX, read_records, write_records};

use min_chain::contracts::{
    CallEffects, CallFailure, ContractCall, ContractHost, CreatedObject, Event, Package, contract_owner,
    contract_type_tag,
};
use min_chain::encoding::{Reader, Writer};
use min_chain::objects::{Address, Object, ObjectId, ObjectRef};
use min_chain::shard::{ShardId, shard_of};
use min_chain::transaction::{Output, PARAMS_BYTES_MAX, Procedure, TransactionBody};
use min_runtime::calls::{Claimed, Linked, NestedCall};
use min_runtime::{EncodedVerdict, Engine, Outcome, ProcedureInfo, Role, TypeDesc, Verdict};
use records::{Named, check_calls, recorded_events};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

pub use min_runtime::{Contract, Value};

/// The gas every call may use at most on the chain (`spec/gas.md`).
pub const CALL_GAS_LIMIT: u64 = 50_000_000;

/// The most packages a host keeps loaded and compiled.
const LOADED_MAX: usize = 256;

/// What a call produced, encoded for the chain.
pub struct CallResult<'c> {
    /// The objects it creates, in order.
    pub created: Vec<CreatedObject>,
    /// The values it returns.
    pub returns: Vec<Value<'c>>,
    /// The components of its result other than the created objects, in
    /// order: what a transaction claims besides its outputs ([`append_claim`]).
    pub claimed: Vec<Value<'c>>,
    /// The events it logs, encoded as the chain keeps them: those of the
    /// contracts it calls, in the order of its calls, then its own.
    pub events: Vec<Event>,
    /// The values of its own events, in order.
    pub event_values: Vec<Value<'c>>,
    /// The records of its calls of other contracts, in order.
    pub records: Vec<NestedCall>,
    /// The gas it used, with that of the procedures it called.
    pub gas_used: u64,
}

/// The value an event of the contract holds, decoded against its type.
/// Event types take no type arguments here: a generic event type's values
/// do not decode.
pub fn event_value<'c>(contract: &'c Contract, event: &Event) -> Result<Value<'c>, String> {
    let ty = TypeDesc::Data { name: event.type_name.clone(), args: Vec::new() };
    contract.decode(&event.data, &ty).map_err(|error| format!("an event of type {}: {error}", event.type_name))
}

/// The name of the object type of `slot_type`: the qualified name of the
/// contract's data type, which with the package id makes the object's tag.
pub fn object_type_name(slot_type: &TypeDesc) -> Result<&str, String> {
    match slot_type {
        TypeDesc::Data { name, .. } => Ok(name),
        other => Err(format!("an object's type is a data type of the contract, not {other:?}")),
    }
}

/// The procedure `name` of `contract`, by qualified or short name.
pub fn procedure<'c>(contract: &'c Contract, name: &str) -> Result<&'c ProcedureInfo, String> {
    contract.procedure(name).ok_or_else(|| format!("the contract has no procedure named {name}"))
}

/// The slots of `info`'s arguments with `role`, in order.
fn slots(info: &ProcedureInfo, role: Role) -> impl Iterator<Item = &TypeDesc> {
    info.arguments.iter().filter(move |slot| slot.role == role).map(|slot| &slot.r#type)
}

/// A call's parameters as the chain carries them: each value's canonical
/// encoding as a byte string, in order.
pub fn encode_params(contract: &Contract, info: &ProcedureInfo, params: &[Value<'_>]) -> Result<Vec<u8>, String> {
    let types: Vec<&TypeDesc> = slots(info, Role::Param).collect();
    if types.len() != params.len() {
        return Err(format!("{} takes {} parameters, not {}", info.name, types.len(), params.len()));
    }
    let mut writer = Writer::new();
    for (value, ty) in params.iter().zip(types) {
        let bytes = contract.encode(value, ty).map_err(|error| error.to_string())?;
        writer.bytes(&bytes);
    }
    let bytes = writer.into_bytes();
    if bytes.len() > PARAMS_BYTES_MAX {
        return Err(format!("the parameters take {} bytes, more than the limit {PARAMS_BYTES_MAX}", bytes.len()));
    }
    Ok(bytes)
}

/// The result components a client claims in its parameters: the returned
/// values and the events, in the order of the result's components.
fn claimed_slots(info: &ProcedureInfo) -> impl Iterator<Item = &TypeDesc> {
    info.results.iter().filter(|slot| slot.role != Role::Output).map(|slot| &slot.r#type)
}

/// `params`, as [`encode_params`] wrote them, followed by `claimed`: the
/// values of the result's components other than the created objects, in
/// order, each encoded as a byte string; and, for a procedure that may call
/// other contracts, by the `records` of the calls it made
/// ([`write_records`]).
pub fn append_claim(
    contract: &Contract,
    info: &ProcedureInfo,
    params: &[u8],
    claimed: &[Value<'_>],
    records: &[NestedCall],
) -> Result<Vec<u8>, String> {
    let types: Vec<&TypeDesc> = claimed_slots(info).collect();
    if types.len() != claimed.len() {
        return Err(format!("{} makes {} results besides objects, not {}", info.name, types.len(), claimed.len()));
    }
    let mut writer = Writer::new();
    for (value, ty) in claimed.iter().zip(types) {
        writer.bytes(&contract.encode(value, ty).map_err(|error| error.to_string())?);
    }
    match (info.calls.is_empty(), records.len()) {
        (true, 0) => {}
        (true, _) => return Err(format!("{} calls no other contract, so its calls record nothing", info.name)),
        (false, count) if count > RECORDS_MAX => {
            return Err(format!("the call makes {count} calls of other contracts, more than the limit {RECORDS_MAX}"));
        }
        (false, _) => write_records(&mut writer, records),
    }
    let bytes = [params, &writer.into_bytes()].concat();
    if bytes.len() > PARAMS_BYTES_MAX {
        return Err(format!("the parameters take {} bytes, more than the limit {PARAMS_BYTES_MAX}", bytes.len()));
    }
    Ok(bytes)
}

/// What a call's parameters hold: the parameter values, and the claimed
/// results and records when [`append_claim`] added them.
pub struct Carried<'c> {
    /// The parameter values, in order (no `Signer`).
    pub params: Vec<Value<'c>>,
    /// The claimed results besides the created objects, in order; `None`
    /// when the parameters carry no claim (of a procedure that makes such
    /// results or calls other contracts: a claim of none is empty).
    pub claimed: Option<Vec<Value<'c>>>,
    /// The records of the calls of other contracts the claim comes with,
    /// in order.
    pub records: Vec<NestedCall>,
}

/// The parameter values (and claim and records) that [`encode_params`]
/// (and [`append_claim`]) wrote.
pub fn decode_params<'c>(contract: &'c Contract, info: &ProcedureInfo, bytes: &[u8]) -> Result<Carried<'c>, String> {
    let encoded = read_params(info, bytes)?;
    let params = decode_values(contract, &encoded.params, slots(info, Role::Param), "parameter")?;
    let claimed = match &encoded.claimed {
        Some(claimed) => Some(decode_values(contract, claimed, claimed_slots(info), "claimed result")?),
        None => None,
    };
    Ok(Carried { params, claimed, records: encoded.records })
}

/// [`Carried`] before decoding: each parameter and claimed component's
/// canonical encoding, as the transaction carries it.
pub struct CarriedBytes {
    /// The parameters' encodings, in order (no `Signer`).
    pub params: Vec<Vec<u8>>,
    /// The claimed components' encodings besides the created objects, in
    /// order, as [`Carried::claimed`].
    pub claimed: Option<Vec<Vec<u8>>>,
    /// The records of the calls of other contracts the claim comes with.
    pub records: Vec<NestedCall>,
}

/// The byte strings (and records) that [`encode_params`] (and
/// [`append_claim`]) wrote, each left in the canonical encoding.
pub fn read_params(info: &ProcedureInfo, bytes: &[u8]) -> Result<CarriedBytes, String> {
    let mut reader = Reader::new(bytes);
    let params = read_strings(&mut reader, slots(info, Role::Param).count())?;
    let calls = !info.calls.is_empty();
    if reader.is_empty() && (calls || claimed_slots(info).next().is_some()) {
        return Ok(CarriedBytes { params, claimed: None, records: Vec::new() });
    }
    let claimed = read_strings(&mut reader, claimed_slots(info).count())?;
    let records = if calls {
        read_records(&mut reader).map_err(|error| format!("the records of calls: {error}"))?
    } else {
        Vec::new()
    };
    reader.finish().map_err(|error| format!("the parameters: {error}"))?;
    Ok(CarriedBytes { params, claimed: Some(claimed), records })
}

/// Reads `count` byte strings.
fn read_strings(reader: &mut Reader<'_>, count: usize) -> Result<Vec<Vec<u8>>, String> {
    (0..count).map(|_| reader.bytes("parameter", PARAMS_BYTES_MAX).map_err(|error| error.to_string())).collect()
}

/// Decodes each of `encoded` as a value of its type of `types`; `what`
/// names them in errors.
fn decode_values<'c, 't>(
    contract: &'c Contract,
    encoded: &[Vec<u8>],
    types: impl Iterator<Item = &'t TypeDesc>,
    what: &str,
) -> Result<Vec<Value<'c>>, String> {
    encoded
        .iter()
        .zip(types)
        .enumerate()
        .map(|(index, (bytes, ty))| {
            contract.decode(bytes, ty).map_err(|error| format!("{what} {}: {error}", index + 1))
        })
        .collect()
}

/// The value an object holds, as an object of type `ty` of `contract`
/// (whose package, and those of the contracts it calls, are `packages`);
/// refuses an object of another type.
pub fn object_value<'c>(
    contract: &'c Contract,
    packages: &Packages<'_>,
    object: &Object,
    ty: &TypeDesc,
) -> Result<Value<'c>, String> {
    check_object_type(packages, object, ty)?;
    contract.decode(&object.data, ty).map_err(|error| format!("input {:?}: {error}", object.id))
}

/// Refuses an object that is not of type `ty` (an object type of the
/// contract whose package, and those of the contracts it calls, are
/// `packages`).
fn check_object_type(packages: &Packages<'_>, object: &Object, ty: &TypeDesc) -> Result<(), String> {
    let name = object_type_name(ty)?;
    if object.type_tag != packages.tag(name) {
        return Err(format!("input {:?} is not a {name} of the contract that declares it", object.id));
    }
    Ok(())
}

/// What a call runs: the procedure of a contract published as a package,
/// on the objects it consumes and the parameters the transaction carries,
/// for the account that signs it.
pub struct Call<'a> {
    /// The package's id.
    pub package: ObjectId,
    /// The contracts its package links to, loaded, in order.
    pub linked: &'a [LinkedContract],
    /// The procedure's name, qualified or short.
    pub procedure: &'a str,
    /// The objects it consumes, in order.
    pub inputs: &'a [&'a Object],
    /// The objects it reads by reference (its `Ref` parameters), in order.
    pub references: &'a [&'a Object],
    /// The parameters, as [`encode_params`] wrote them.
    pub params: &'a [u8],
    /// Who signs the transaction: what a `Signer` parameter receives.
    pub signer: Address,
    /// The block time, in seconds: what a `Time` parameter receives.
    pub time: u64,
}

/// What the chain gives a call beside what its transaction names: its
/// signer and the time of its block.
#[derive(Clone, Copy, Debug)]
pub struct Given {
    /// Who signs the transaction.
    pub signer: Address,
    /// The block time in seconds.
    pub time: u64,
}

/// Runs `call` of `contract`, with at most `gas_limit` gas for it and the
/// procedures of other contracts it calls together (each runs on its own
/// contract and is recorded), as a validator checks it. A `Signer`
/// parameter receives the call's signer, never anything the parameters
/// carry (`spec/security.md`).
pub fn run_call<'c>(
    engine: &Engine,
    contract: &'c Contract,
    call: &Call<'_>,
    gas_limit: u64,
) -> Result<CallResult<'c>, String> {
    let info = procedure(contract, call.procedure)?;
    let packages = Packages::reaching(call.package, call.linked)?;
    let carried = decode_params(contract, info, call.params)?;
    let objects = Objects { inputs: call.inputs, references: call.references };
    let given = Given { signer: call.signer, time: call.time };
    let (inputs, params) = arguments(contract, info, &packages, &objects, carried.params, given)?;
    // Only a procedure that calls other contracts needs a handler for them.
    let (handler, trace) = if info.calls.is_empty() {
        (None, None)
    } else {
        let (handler, trace) = Linked::new(packages.by_module(), engine, gas_limit);
        (Some(Box::new(handler) as Box<dyn min_runtime::ContractCalls>), Some(trace))
    };
    let outcome = contract
        .call_with(engine, &info.name, &inputs, &params, gas_limit, handler)
        .map_err(|error| error.to_string())?;
    let records = trace.map(|trace| std::mem::take(&mut trace.borrow_mut().calls)).unwrap_or_default();
    let (created, own_events) = effects(contract, info, &packages, &outcome)?;
    let mut events = Vec::new();
    for record in &records {
        events.extend(recorded_events(&packages, record)?);
    }
    events.extend(own_events);
    let claimed = outcome.result.iter().zip(&info.results).filter(|(_, slot)| slot.role != Role::Output);
    let claimed = claimed.map(|(value, _)| value.clone()).collect();
    let event_values = outcome.events.into_iter().map(|event| event.value).collect();
    let gas_used = records.iter().fold(outcome.gas_used, |total, record| total.saturating_add(record.total_gas()));
    if gas_used > gas_limit {
        return Err(format!(
            "{} and the procedures it calls use {gas_used} gas together, more than the limit {gas_limit}",
            info.name
        ));
    }
    Ok(CallResult { created, returns: outcome.returns, claimed, events, event_values, records, gas_used })
}

/// The objects a call names: those it consumes and those it reads.
pub(crate) struct Objects<'a> {
    inputs: &'a [&'a Object],
    references: &'a [&'a Object],
}

/// Refuses `objects` that are not as many as `info` consumes and reads.
pub(crate) fn check_counts(info: &ProcedureInfo, objects: &Objects<'_>) -> Result<(), String> {
    let (consumed, read) = (slots(info, Role::Input).count(), slots(info, Role::Reference).count());
    if consumed != objects.inputs.len() {
        return Err(format!("{} consumes {consumed} objects, not {}", info.name, objects.inputs.len()));
    }
    if read != objects.references.len() {
        return Err(format!("{} reads {read} objects by reference, not {}", info.name, objects.references.len()));
    }
    Ok(())
}

/// The values of a call's objects (consumed or read by reference, in the
/// order of the procedure's parameters, as `Contract::call` takes them) and
/// of its parameters, in the procedure's order, the signer's and the block
/// time's at their places.
fn arguments<'c>(
    contract: &'c Contract,
    info: &ProcedureInfo,
    packages: &Packages<'_>,
    objects: &Objects<'_>,
    carried: Vec<Value<'c>>,
    given: Given,
) -> Result<(Vec<Value<'c>>, Vec<Value<'c>>), String> {
    check_counts(info, objects)?;
    let (mut inputs, mut references) = (objects.inputs.iter(), objects.references.iter());
    let mut carried = carried.into_iter();
    let (mut object_values, mut param_values) = (Vec::new(), Vec::new());
    for slot in &info.arguments {
        match (slot.role, &slot.r#type) {
            (Role::Input, ty) => {
                let object = inputs.next().expect("counted");
                object_values.push(object_value(contract, packages, object, ty)?);
            }
            (Role::Reference, TypeDesc::Data { args, .. }) if args.len() == 1 => {
                let object = references.next().expect("counted");
                object_values.push(object_value(contract, packages, object, &args[0])?);
            }
            (Role::Reference, ty) => return Err(format!("{} reads a reference of type {ty:?}", info.name)),
            (Role::Param, _) => param_values.extend(carried.next()),
            (Role::Time, _) => param_values.push(contract.time_value(given.time).map_err(|error| error.to_string())?),
            (Role::Signer, _) => {
                param_values.push(contract.signer_value(&given.signer.to_string()).map_err(|error| error.to_string())?)
            }
            (Role::Output | Role::Return | Role::Event, _) => {}
        }
    }
    Ok((object_values, param_values))
}

/// The objects an outcome of `contract` creates and the events it logs,
/// encoded as the chain keeps them: each object of the package of the
/// contract that declares its type, each event of the contract's own
/// package, which logged it (a contract cannot log in another's name).
fn effects(
    contract: &Contract,
    info: &ProcedureInfo,
    packages: &Packages<'_>,
    outcome: &Outcome<'_>,
) -> Result<(Vec<CreatedObject>, Vec<Event>), String> {
    let output_types = info.results.iter().filter(|slot| slot.role == Role::Output).map(|slot| &slot.r#type);
    let created = outcome
        .outputs
        .iter()
        .zip(output_types)
        .map(|(value, ty)| {
            let data = contract.encode(value, ty).map_err(|error| error.to_string())?;
            let type_name = object_type_name(ty)?;
            Ok(CreatedObject { package: packages.of_type(type_name), type_name: type_name.to_owned(), data })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let events = outcome
        .events
        .iter()
        .map(|event| {
            let data = contract.encode(&event.value, &event.r#type).map_err(|error| error.to_string())?;
            Ok(Event { package: packages.own, type_name: event.type_name().to_owned(), data })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok((created, events))
}

/// Refuses an output (component `position` of the result, from 0) that is
/// not an object of type `ty` owned by the contract that declares it.
fn check_output(packages: &Packages<'_>, output: &Output, ty: &TypeDesc, position: usize) -> Result<(), String> {
    let name = object_type_name(ty)?;
    if output.owner != packages.owner(name) || output.type_tag != packages.tag(name) {
        return Err(format!("output {} is not a {name} of the contract that declares it", position + 1));
    }
    Ok(())
}

/// The outputs a transaction states for `created`, the objects a call
/// creates: each owned by the contract that declares its type and tagged
/// with its type.
pub fn outputs(created: &[CreatedObject]) -> Vec<Output> {
    created
        .iter()
        .map(|object| Output {
            owner: contract_owner(object.package),
            type_tag: contract_type_tag(object.package, &object.type_name),
            data: object.data.clone(),
        })
        .collect()
}

/// How many salts [`prepare_call`] tries before giving up on one shard.
const SALT_TRIES: u64 = 1 << 16;

/// A call ready to sign: its body, and what it returns.
pub struct PreparedCall<'c> {
    /// The transaction body, its outputs computed and its salt chosen.
    pub body: TransactionBody,
    /// The values the procedure returns.
    pub returns: Vec<Value<'c>>,
    /// The events it logs, as the chain will keep them.
    pub events: Vec<Event>,
    /// The records of its calls of other contracts, in order.
    pub records: Vec<NestedCall>,
    /// The gas it used, with that of the procedures it called.
    pub gas_used: u64,
}

/// What a client calls: `procedure` of `contract`, published as `package`.
pub struct CallRequest<'a, 'c> {
    /// The package's id.
    pub package: ObjectId,
    /// The contracts the package links to, loaded, in order.
    pub linked: &'a [LinkedContract],
    /// The procedure's name.
    pub procedure: &'a str,
    /// The objects it consumes, as the chain holds them.
    pub inputs: &'a [Object],
    /// The objects it reads by reference, as the chain holds them.
    pub references: &'a [Object],
    /// Its parameters.
    pub params: &'a [Value<'c>],
    /// Who signs.
    pub signer: Address,
    /// The time to run it at, in seconds (the client's clock): the block
    /// that commits it runs it again at its own time.
    pub time: u64,
    /// The first salt to try; a client starts each call somewhere new so
    /// that equal calls stay distinct transactions.
    pub salt_from: u64,
    /// Where to create the outputs of a call that consumes nothing (any
    /// shard if `None`); a call that consumes objects creates its outputs
    /// on the shard of the first.
    pub shard: Option<ShardId>,
}

/// Runs a call as a client does before submitting it, and builds its
/// transaction body: the outputs the procedure creates, and a salt that
/// puts every output on the shard of the first input (or on the requested
/// shard, or that of the first output, if it consumes nothing), so the
/// call takes the single-shard path.
pub fn prepare_call<'c>(
    engine: &Engine,
    contract: &'c Contract,
    request: &CallRequest<'_, 'c>,
    shards: NonZeroU32,
) -> Result<PreparedCall<'c>, String> {
    let info = procedure(contract, request.procedure)?;
    let params = encode_params(contract, info, request.params)?;
    let inputs: Vec<&Object> = request.inputs.iter().collect();
    let references: Vec<&Object> = request.references.iter().collect();
    let call = Call {
        package: request.package,
        linked: request.linked,
        procedure: &info.name,
        inputs: &inputs,
        references: &references,
        params: &params,
        signer: request.signer,
        time: request.time,
    };
    let result = run_call(engine, contract, &call, CALL_GAS_LIMIT)?;
    let params = append_claim(contract, info, &params, &result.claimed, &result.records)?;
    let body = |salt| TransactionBody {
        procedure: Procedure::Call { name: info.name.clone(), salt },
        inputs: request.inputs.iter().map(Object::reference).collect(),
        references: std::iter::once(ObjectRef { id: request.package, version: 1 })
            .chain(request.references.iter().map(Object::reference))
            .collect(),
        params: params.clone(),
        outputs: outputs(&result.created),
        signer: request.signer,
    };
    let home = request
        .inputs
        .first()
        .map(|input| shard_of(&input.id, shards))
        .or(request.shard)
        .or_else(|| request.references.first().map(|read| shard_of(&read.id, shards)));
    let on_one_shard = |body: &TransactionBody| {
        let id = body.id();
        let mut places = (0..body.outputs.len()).map(|index| shard_of(&id.output_id(index), shards));
        let home: Option<ShardId> = home.or_else(|| places.next());
        places.all(|shard| Some(shard) == home)
    };
    let body = (0..SALT_TRIES)
        .map(|offset| body(request.salt_from.wrapping_add(offset)))
        .find(on_one_shard)
        .ok_or_else(|| format!("no salt puts the call's {} outputs on one shard", result.created.len()))?;
    Ok(PreparedCall {
        body,
        returns: result.returns,
        events: result.events,
        records: result.records,
        gas_used: result.gas_used,
    })
}

/// Loads a package's contract: its module checked against its metadata.
pub fn load_package(package: &Package) -> Result<Contract, String> {
    Contract::load(&package.wasm, &package.metadata).map_err(|error| error.to_string())
}

/// Whether the contract of `metadata`, published as `package`, may call
/// the packages `linked`: its links in order, one for each contract it
/// calls, publishing the module it was built against with the same
/// interface hash, recomputed from that package's metadata; then every
/// further package they reach. No two of these, nor the contract itself,
/// may be of one module (`spec/contracts.md`, "Calls between contracts").
pub fn check_links(metadata: &min_runtime::Metadata, package: &Package, linked: &[Package]) -> Result<(), String> {
    if package.links.len() != metadata.calls.len() || linked.len() < package.links.len() {
        return Err(format!(
            "the contract calls {} contracts, and its package links to {}",
            metadata.calls.len(),
            package.links.len()
        ));
    }
    let reached = linked
        .iter()
        .map(|package| min_runtime::Metadata::from_json(&package.metadata))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("a package the contract reaches has unreadable metadata: {error}"))?;
    // A procedure names what it calls by module: one package per module, at any depth.
    let mut modules = vec![&metadata.module];
    for theirs in &reached {
        if modules.contains(&&theirs.module) {
            return Err(format!(
                "the contract reaches two contracts of module `{}` through its links: a module names one contract",
                theirs.module
            ));
        }
        modules.push(&theirs.module);
    }
    for (called, theirs) in metadata.calls.iter().zip(&reached) {
        if theirs.module != called.module {
            return Err(format!("the package linked for `{}` publishes `{}`", called.module, theirs.module));
        }
        let published = theirs.interface_hash();
        if published != called.interface {
            return Err(format!(
                "the contract was built against interface {} of `{}`, and the linked package publishes interface {published}",
                called.interface, called.module
            ));
        }
    }
    Ok(())
}

/// A validator's contract host: the wasmtime runtime, with the contracts it
/// has loaded kept by package id.
pub struct RuntimeHost {
    engine: Engine,
    loaded: Mutex<BTreeMap<ObjectId, Arc<Contract>>>,
}

impl RuntimeHost {
    /// A host with a fresh engine.
    pub fn new() -> Result<RuntimeHost, String> {
        let engine = Engine::new().map_err(|error| error.to_string())?;
        Ok(RuntimeHost { engine, loaded: Mutex::new(BTreeMap::new()) })
    }

    /// The contract of the package object `package`, loaded once.
    fn contract(&self, package: &Object) -> Result<Arc<Contract>, String> {
        let mut loaded = self.loaded.lock().map_err(|_| "the contract cache is poisoned".to_owned())?;
        if let Some(contract) = loaded.get(&package.id) {
            return Ok(contract.clone());
        }
        let decoded = Package::from_bytes(&package.data).map_err(|error| error.to_string())?;
        let contract = Arc::new(load_package(&decoded)?);
        if loaded.len() >= LOADED_MAX {
            loaded.pop_first();
        }
        loaded.insert(package.id, contract.clone());
        Ok(contract)
    }
}

impl RuntimeHost {
    /// The contracts of the packages `call`'s package links to (which the
    /// chain resolved from its links), loaded once each.
    fn linked(&self, call: &ContractCall<'_>) -> Result<Vec<LinkedContract>, String> {
        call.linked
            .iter()
            .map(|object| Ok(LinkedContract { package: object.id, contract: self.contract(object)? }))
            .collect()
    }
}

/// The outcome of a checker's `verdict` on a call of `procedure` (`what`
/// names it in a refusal), or why the call is refused.
fn accepted<'c>(verdict: Verdict<'c>, procedure: &str, what: &str) -> Result<Outcome<'c>, CallFailure> {
    match verdict {
        Verdict::Accepted(outcome) => Ok(outcome),
        Verdict::Refused { aborted } => Err(refused(aborted, procedure, what)),
    }
}

/// Why a checker refused a call of `procedure` (`what` names it): its
/// abort's message, or that it makes other results than claimed.
fn refused(aborted: Option<String>, procedure: &str, what: &str) -> CallFailure {
    match aborted {
        Some(message) => CallFailure::Refused(format!("{what} aborts: {message}")),
        None => CallFailure::Refused(format!("{procedure} makes other results than the transaction claims")),
    }
}

impl ContractHost for RuntimeHost {
    fn check_package(&self, package: &Package, linked: &[Package]) -> Result<(), String> {
        let contract = load_package(package)?;
        check_links(contract.metadata(), package, linked)?;
        contract.compile(&self.engine).map_err(|error| error.to_string())
    }

    fn check(&self, call: &ContractCall<'_>) -> Result<CallEffects, CallFailure> {
        use CallFailure::{Failed, Refused};
        let contract = self.contract(call.package).map_err(Failed)?;
        let linked = self.linked(call).map_err(Failed)?;
        let packages = Packages::reaching(call.package.id, &linked).map_err(Failed)?;
        let info = procedure(&contract, call.procedure).map_err(Failed)?;
        let carried = read_params(info, call.params).map_err(Failed)?;
        let claimed =
            carried.claimed.ok_or_else(|| Refused("the transaction claims none of the results".to_owned()))?;
        let objects = Objects { inputs: call.inputs, references: call.references };
        let made =
            validator::Made::of(&contract, info, Given { signer: call.signer, time: call.time }).map_err(Failed)?;
        let (inputs, params) =
            validator::arguments(info, &packages, &objects, &carried.params, &made).map_err(Failed)?;
        let claim = validator::claim(info, &packages, call.outputs, &claimed).map_err(Refused)?;
        let (handler, answered) = if info.calls.is_empty() {
            (None, None)
        } else {
            let (handler, answered) = Claimed::new(packages.by_module(), carried.records.clone());
            (Some(Box::new(handler) as Box<dyn min_runtime::ContractCalls>), Some(answered))
        };
        let verdict = contract
            .check_encoded(&self.engine, &info.name, &inputs, &params, &claim, CALL_GAS_LIMIT, handler)
            .map_err(|error| Failed(error.to_string()))?;
        let gas_used = match verdict {
            EncodedVerdict::Accepted { gas_used } => gas_used,
            EncodedVerdict::Refused { aborted } => return Err(refused(aborted, &info.name, "the procedure")),
        };
        if answered.map_or(0, |answered| answered.get()) != carried.records.len() {
            return Err(Refused(format!(
                "the transaction records calls of other contracts that {} does not make",
                info.name
            )));
        }
        let (created, own_events) =
            validator::effects(&contract, info, &packages, call.outputs, &claimed).map_err(Failed)?;
        let mut had = Vec::new();
        for (input, slot) in call.inputs.iter().zip(slots(info, Role::Input)) {
            if packages.is_foreign(object_type_name(slot).map_err(Failed)?) {
                had.push((input.type_tag, input.data.as_slice()));
            }
        }
        let handed_on = records::of_other_contracts(&created, packages.own);
        let named = Named {
            signer: call.signer,
            time: call.time,
            objects: call.inputs.iter().chain(call.references).copied().collect(),
        };
        let gas_left = CALL_GAS_LIMIT.saturating_sub(gas_used);
        let (mut events, _) =
            check_calls(&self.engine, &packages, (had, handed_on), &carried.records, &named, gas_left)?;
        events.extend(own_events);
        Ok(CallEffects { created, events })
    }
}
