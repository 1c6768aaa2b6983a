//! The records of a call's calls of other contracts, on the chain
//! (`spec/contracts.md`, "Calls between contracts"): how a transaction
//! carries them after its claim, and how a validator checks them.
//!
//! A validator checks the caller with [`Claimed`](min_runtime::calls::Claimed),
//! which answers each call from its record and refuses arguments other
//! than the recorded ones. Then it checks each record with the called
//! procedure's own checker, as if the record were a call of its own: the
//! signer is the transaction's, an object read by reference is one the
//! transaction names, and the result is what the procedure makes. Last,
//! the called contracts' objects must balance ([`ObjectLedger`]): the
//! caller's compiled code is not trusted to make or destroy them, so each
//! one the transaction creates was created by a recorded call or consumed
//! by the transaction, and each one the transaction or a recorded call
//! consumes is created by another or by the transaction.

use crate::packages::Packages;
use crate::{accepted, effects, procedure};
use min_chain::contracts::{CallFailure, CreatedObject, Event, contract_type_tag};
use min_chain::encoding::{DecodeError, Reader, Writer};
use min_chain::objects::{Address, Object, ObjectId, TypeTag};
use min_chain::transaction::{PARAMS_BYTES_MAX, PROCEDURE_NAME_BYTES_MAX};
use min_runtime::calls::{CALL_DEPTH_MAX, Claimed, NestedCall, split_arguments};
use min_runtime::{Contract, Engine, ProcedureInfo, Role, TypeDesc, Value};
use std::collections::BTreeMap;

/// The most calls of other contracts one transaction may record, at every
/// depth together.
pub const RECORDS_MAX: usize = 16;
/// The most arguments, or result components, one record may hold.
const COMPONENTS_MAX: usize = 64;

/// Writes `records` in the chain's encoding: the count, then for each the
/// procedure's qualified name, its arguments and its result components,
/// each a list of byte strings, and the records of the calls it made in
/// turn, written the same way. The gas used is not written.
pub fn write_records(writer: &mut Writer, records: &[NestedCall]) {
    writer.length(records.len());
    for record in records {
        writer.bytes(record.procedure.as_bytes());
        for values in [&record.arguments, &record.result] {
            writer.length(values.len());
            for value in values {
                writer.bytes(value);
            }
        }
        write_records(writer, &record.calls);
    }
}

/// Reads what [`write_records`] wrote, within the limits: at most
/// [`RECORDS_MAX`] records in all, nested at most [`CALL_DEPTH_MAX`]
/// deep. Each record's gas used reads as 0.
pub fn read_records(reader: &mut Reader<'_>) -> Result<Vec<NestedCall>, DecodeError> {
    read_records_at(reader, 1, &mut 0)
}

/// Reads the records of calls at `depth`, counting them in `read`.
fn read_records_at(reader: &mut Reader<'_>, depth: usize, read: &mut usize) -> Result<Vec<NestedCall>, DecodeError> {
    let limit = if depth > CALL_DEPTH_MAX { 0 } else { RECORDS_MAX - *read };
    reader.list("call records", limit, |reader| {
        *read += 1;
        if *read > RECORDS_MAX {
            let length = *read as u64;
            return Err(DecodeError::TooLong { what: "call records", length, limit: RECORDS_MAX as u64 });
        }
        let name = reader.bytes("called procedure", PROCEDURE_NAME_BYTES_MAX)?;
        let procedure = String::from_utf8(name)
            .map_err(|_| DecodeError::Invalid { reason: "a called procedure's name is not UTF-8" })?;
        let mut values = |what| reader.list(what, COMPONENTS_MAX, |reader| reader.bytes(what, PARAMS_BYTES_MAX));
        let arguments = values("call argument")?;
        let result = values("call result")?;
        let calls = read_records_at(reader, depth + 1, read)?;
        Ok(NestedCall { procedure, arguments, result, gas_used: 0, calls })
    })
}

/// The objects of the contracts a call calls, counted as they move: each
/// one the call has (the transaction consumes it, or a recorded call
/// creates it) counts one up, each one it hands on (the transaction
/// creates it, or a recorded call consumes it) one down. The call leaves
/// those contracts' objects as their own procedures made them exactly
/// when every count is 0.
#[derive(Default)]
pub struct ObjectLedger {
    counts: BTreeMap<(TypeTag, Vec<u8>), i64>,
}

impl ObjectLedger {
    /// The call has the object of `tag` holding `data`.
    pub fn has(&mut self, tag: TypeTag, data: &[u8]) {
        *self.counts.entry((tag, data.to_vec())).or_default() += 1;
    }

    /// The call hands on the object of `tag` holding `data`.
    pub fn hands_on(&mut self, tag: TypeTag, data: &[u8]) {
        *self.counts.entry((tag, data.to_vec())).or_default() -= 1;
    }

    /// `Err` says why the objects do not balance.
    pub fn balance(&self) -> Result<(), String> {
        match self.counts.values().find(|count| **count != 0) {
            None => Ok(()),
            Some(count) if *count > 0 => Err(
                "the caller drops an object of a contract it calls, or keeps it other than through that contract's procedures"
                    .to_owned(),
            ),
            Some(_) => {
                Err("the caller makes an object of a contract it calls that no procedure of that contract made".to_owned())
            }
        }
    }
}

/// What a transaction names for its call, as records are checked against it.
pub struct Named<'a> {
    /// Who signs it.
    pub signer: Address,
    /// The time it runs at, in seconds.
    pub time: u64,
    /// Every object it consumes or reads.
    pub objects: Vec<&'a Object>,
}

/// The components of `record`'s result, read with the called contract's types.
pub fn recorded_result<'c>(
    callee: &'c Contract,
    info: &ProcedureInfo,
    record: &NestedCall,
) -> Result<Vec<Value<'c>>, String> {
    if record.result.len() != info.results.len() {
        return Err(format!("the recorded result of {} has the wrong number of components", info.name));
    }
    record
        .result
        .iter()
        .zip(&info.results)
        .map(|(bytes, slot)| {
            callee.decode(bytes, &slot.r#type).map_err(|error| format!("the recorded result of {}: {error}", info.name))
        })
        .collect()
}

/// The events `record`'s call logs, as the chain keeps them: those of the
/// calls it made in turn first, then those of the result its record
/// holds, each of the package of the contract that logged it.
pub fn recorded_events(packages: &Packages<'_>, record: &NestedCall) -> Result<Vec<Event>, String> {
    let linked = packages
        .linked_for(&record.procedure)
        .ok_or_else(|| format!("{} is a procedure of a contract the call does not link to", record.procedure))?;
    let mut events = Vec::new();
    for call in &record.calls {
        events.extend(recorded_events(packages, call)?);
    }
    let info = procedure(&linked.contract, &record.procedure)?;
    let components = recorded_result(&linked.contract, info, record)?;
    let outcome = min_runtime::Outcome::of(info, components, record.gas_used);
    let (_, own) = effects(&linked.contract, info, &packages.of(linked.package), &outcome)?;
    events.extend(own);
    Ok(events)
}

/// An object of another contract as the ledger counts it: its tag and data.
pub type TaggedData<'a> = (TypeTag, &'a [u8]);

/// The objects of `created` that belong to other contracts than the one
/// published as `own`, as the ledger counts them.
pub fn of_other_contracts(created: &[CreatedObject], own: ObjectId) -> Vec<TaggedData<'_>> {
    created
        .iter()
        .filter(|object| object.package != own)
        .map(|object| (contract_type_tag(object.package, &object.type_name), object.data.as_slice()))
        .collect()
}

/// Checks the records of the calls one procedure made, `records`, each
/// with its procedure's own checker (and theirs in turn), with at most
/// `gas_limit` gas together; and that the objects of other contracts than
/// the procedure's own (`packages.own`) balance ([`ObjectLedger`]): those
/// it `had` (consumed) and those the records created, against those it
/// `handed_on` (created) and those the records consumed. The events the
/// records logged and the gas their checks used.
pub fn check_calls(
    engine: &Engine,
    packages: &Packages<'_>,
    (had, handed_on): (Vec<TaggedData<'_>>, Vec<TaggedData<'_>>),
    records: &[NestedCall],
    named: &Named<'_>,
    gas_limit: u64,
) -> Result<(Vec<Event>, u64), CallFailure> {
    let mut ledger = ObjectLedger::default();
    for (tag, data) in had {
        ledger.has(tag, data);
    }
    for (tag, data) in handed_on {
        ledger.hands_on(tag, data);
    }
    let (mut events, mut gas_used) = (Vec::new(), 0u64);
    for record in records {
        let gas_left = gas_limit.saturating_sub(gas_used);
        let (logged, used) = check_record(engine, packages, record, named, &mut ledger, gas_left)?;
        events.extend(logged);
        gas_used = gas_used.saturating_add(used);
    }
    ledger.balance().map_err(CallFailure::Refused)?;
    Ok((events, gas_used))
}

/// Checks `record` with its procedure's own checker, with at most
/// `gas_limit` gas for it and the calls it made in turn (checked the same
/// way, [`check_calls`]), and counts the objects it consumes and creates
/// in `ledger`, its caller's: the events it and its calls log and the gas
/// their checks used.
fn check_record(
    engine: &Engine,
    packages: &Packages<'_>,
    record: &NestedCall,
    named: &Named<'_>,
    ledger: &mut ObjectLedger,
    gas_limit: u64,
) -> Result<(Vec<Event>, u64), CallFailure> {
    use CallFailure::{Failed, Refused};
    let linked = packages.linked_for(&record.procedure).ok_or_else(|| {
        Refused(format!(
            "the transaction records a call of {}, of a contract the caller does not link to",
            record.procedure
        ))
    })?;
    let callee = &*linked.contract;
    let own = packages.of(linked.package);
    let info = procedure(callee, &record.procedure).map_err(Refused)?;
    if record.arguments.len() != info.arguments.len() {
        return Err(Refused(format!("the recorded call of {} has the wrong number of arguments", info.name)));
    }
    let mut values = Vec::with_capacity(info.arguments.len());
    let mut consumed = Vec::new();
    for (bytes, slot) in record.arguments.iter().zip(&info.arguments) {
        let value = callee
            .decode(bytes, &slot.r#type)
            .map_err(|error| Refused(format!("a recorded argument of {}: {error}", info.name)))?;
        match (slot.role, &slot.r#type) {
            (Role::Signer, ty) => {
                let signer =
                    callee.signer_value(&named.signer.to_string()).map_err(|error| Failed(error.to_string()))?;
                given_is(callee, &signer, ty, bytes, || {
                    format!("another signer than the transaction's to {}", info.name)
                })?;
            }
            (Role::Time, ty) => {
                let time = callee.time_value(named.time).map_err(|error| Failed(error.to_string()))?;
                given_is(callee, &time, ty, bytes, || format!("another time than the block's to {}", info.name))?;
            }
            (Role::Input, ty) => {
                let type_name = crate::object_type_name(ty).map_err(Failed)?;
                ledger.hands_on(own.tag(type_name), bytes);
                if own.is_foreign(type_name) {
                    consumed.push((own.tag(type_name), bytes.as_slice()));
                }
            }
            (Role::Reference, TypeDesc::Data { args, .. }) if args.len() == 1 => {
                read_is_named(callee, linked.package, &value, &args[0], named).map_err(Refused)?;
            }
            _ => {}
        }
        values.push(value);
    }
    let (inputs, params) = split_arguments(info, values).map_err(|error| Refused(error.to_string()))?;
    let claimed = recorded_result(callee, info, record).map_err(Refused)?;
    let (handler, answered) = if record.calls.is_empty() && info.calls.is_empty() {
        (None, None)
    } else {
        let (handler, answered) = Claimed::new(own.by_module(), record.calls.clone());
        (Some(Box::new(handler) as Box<dyn min_runtime::ContractCalls>), Some(answered))
    };
    let verdict = callee
        .check_with(engine, &info.name, &inputs, &params, &claimed, gas_limit, handler)
        .map_err(|error| Failed(format!("{}: {error}", info.name)))?;
    let outcome = accepted(verdict, &info.name, &format!("the recorded call of {}", info.name))?;
    if answered.map_or(0, |answered| answered.get()) != record.calls.len() {
        return Err(Refused(format!(
            "the transaction records calls of other contracts that {} does not make",
            info.name
        )));
    }
    let (created, own_events) = effects(callee, info, &own, &outcome).map_err(Failed)?;
    for object in &created {
        ledger.has(contract_type_tag(object.package, &object.type_name), &object.data);
    }
    let handed_on = of_other_contracts(&created, linked.package);
    let gas_left = gas_limit.saturating_sub(outcome.gas_used);
    let (mut events, nested_gas) = check_calls(engine, &own, (consumed, handed_on), &record.calls, named, gas_left)?;
    events.extend(own_events);
    Ok((events, outcome.gas_used.saturating_add(nested_gas)))
}

/// Refuses a recorded argument, `bytes` of type `ty`, that is not
/// `given`, the value the chain gives that parameter: the caller passed
/// `what` instead.
fn given_is(
    callee: &Contract,
    given: &Value<'_>,
    ty: &TypeDesc,
    bytes: &[u8],
    what: impl FnOnce() -> String,
) -> Result<(), CallFailure> {
    let encoded = callee.encode(given, ty).map_err(|error| CallFailure::Failed(error.to_string()))?;
    if encoded == bytes { Ok(()) } else { Err(CallFailure::Refused(format!("the caller passes {}", what()))) }
}

/// The object a recorded call reads by reference, `reference` (a `Ref`
/// of `ty`), is one that the transaction names: a caller cannot make up
/// what a called contract reads.
fn read_is_named(
    callee: &Contract,
    package: ObjectId,
    reference: &Value<'_>,
    ty: &TypeDesc,
    named: &Named<'_>,
) -> Result<(), String> {
    let Value::Data(reference) = reference else { return Err("a recorded reference is not a Ref".to_owned()) };
    let [object] = reference.fields.as_slice() else { return Err("a recorded reference is not a Ref".to_owned()) };
    let data = callee.encode(object, ty).map_err(|error| error.to_string())?;
    let tag = contract_type_tag(package, crate::object_type_name(ty)?);
    if named.objects.iter().any(|named| named.type_tag == tag && named.data == data) {
        Ok(())
    } else {
        Err("a recorded call reads an object that the transaction does not name".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(procedure: &str, arguments: &[&[u8]], result: &[&[u8]]) -> NestedCall {
        let bytes = |values: &[&[u8]]| values.iter().map(|value| value.to_vec()).collect();
        NestedCall {
            procedure: procedure.to_owned(),
            arguments: bytes(arguments),
            result: bytes(result),
            gas_used: 0,
            calls: Vec::new(),
        }
    }

    #[test]
    fn records_read_back_as_written_without_their_gas() {
        let mut written = vec![record("Gold.pay", &[b"me", b"coin", b"4"], &[b"change", b"paid"])];
        written.push(record("Gold.value", &[b"ref"], &[]));
        written[0].gas_used = 99;
        let mut writer = Writer::new();
        write_records(&mut writer, &written);
        let bytes = writer.into_bytes();
        let mut reader = Reader::new(&bytes);
        let read = read_records(&mut reader).unwrap();
        assert!(reader.is_empty());
        written[0].gas_used = 0;
        assert_eq!(read, written);
    }

    #[test]
    fn too_many_records_or_a_cut_record_do_not_read() {
        let mut writer = Writer::new();
        write_records(&mut writer, &vec![record("Gold.value", &[], &[]); RECORDS_MAX + 1]);
        let bytes = writer.into_bytes();
        assert!(matches!(read_records(&mut Reader::new(&bytes)), Err(DecodeError::TooLong { .. })));
        let mut writer = Writer::new();
        write_records(&mut writer, &[record("Gold.pay", &[b"coin"], &[b"paid"])]);
        let bytes = writer.into_bytes();
        for cut in 0..bytes.len() {
            assert!(read_records(&mut Reader::new(&bytes[..cut])).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn nested_records_read_back_within_the_depth_and_the_count() {
        let nest = |depth: usize| {
            let mut record = record("Gold.pay", &[b"coin"], &[b"paid"]);
            for _ in 1..depth {
                record = NestedCall { calls: vec![record], ..self::record("Shop.buy", &[b"stall"], &[b"sold"]) };
            }
            record
        };
        let written = |records: &[NestedCall]| {
            let mut writer = Writer::new();
            write_records(&mut writer, records);
            writer.into_bytes()
        };
        let deepest = vec![nest(CALL_DEPTH_MAX)];
        assert_eq!(read_records(&mut Reader::new(&written(&deepest))).unwrap(), deepest);
        let too_deep = written(&[nest(CALL_DEPTH_MAX + 1)]);
        assert!(matches!(read_records(&mut Reader::new(&too_deep)), Err(DecodeError::TooLong { .. })));

        // Eight calls two deep each are sixteen records, the most; one more is too many.
        let wide = vec![nest(2); RECORDS_MAX / 2];
        assert_eq!(read_records(&mut Reader::new(&written(&wide))).unwrap(), wide);
        let too_many = written(&[wide.clone(), vec![nest(1)]].concat());
        assert!(matches!(read_records(&mut Reader::new(&too_many)), Err(DecodeError::TooLong { .. })));
    }

    #[test]
    fn the_ledger_balances_only_when_every_object_is_handed_on_once() {
        let (coin, other) = (TypeTag([1; 32]), TypeTag([2; 32]));
        let mut passed_through = ObjectLedger::default();
        passed_through.has(coin, b"10");
        passed_through.hands_on(coin, b"10");
        assert_eq!(passed_through.balance(), Ok(()));

        let mut paid = ObjectLedger::default();
        paid.has(coin, b"10");
        paid.hands_on(coin, b"10");
        paid.has(coin, b"6");
        paid.has(coin, b"4");
        paid.hands_on(coin, b"4");
        paid.hands_on(coin, b"6");
        assert_eq!(paid.balance(), Ok(()));

        let mut dropped = ObjectLedger::default();
        dropped.has(coin, b"10");
        assert!(dropped.balance().unwrap_err().contains("drops an object"));

        let mut forged = ObjectLedger::default();
        forged.has(coin, b"10");
        forged.hands_on(coin, b"10");
        forged.hands_on(coin, b"10");
        assert!(forged.balance().unwrap_err().contains("no procedure of that contract made"));

        let mut retyped = ObjectLedger::default();
        retyped.has(coin, b"10");
        retyped.hands_on(other, b"10");
        assert!(retyped.balance().is_err(), "an object does not change its type on the way");
    }
}
