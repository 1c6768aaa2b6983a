//! The records a validator's store keeps: a finalized block with what
//! applying it did, the state's entries, and the changes a block made to
//! them (the store's journal). Each is written in the
//! canonical encoding of [`crate::encoding`] and read back exactly, so a
//! restarted validator holds what it held before.

use super::ledger::FinalizedBlock;
use crate::block::{BLOCK_ACCEPTANCES_MAX, BLOCK_BYTES_MAX, BLOCK_TRANSACTIONS_MAX, Block};
use crate::contracts::{EVENTS_MAX, Event};
use crate::encoding::{DecodeError, Reader, Writer};
use crate::objects::{Object, ObjectId};
use crate::sbac::Decision;
use crate::shard::ShardId;
use crate::state::{Abort, Accepted, Applied, CrossShardEntry, ObjectEntry, Outcome, StateChanges, TxEvents};
use crate::transaction::{INPUTS_MAX, OUTPUTS_MAX, TRANSACTION_BYTES_MAX, Transaction, TxId, decode_refs, encode_refs};
use commonware_cryptography::sha256::Digest;

/// The longest reason a stored abort may carry, in bytes.
const STORED_REASON_BYTES_MAX: usize = 64 * 1024;

/// Encodes a finalized block: its digest, the block (`block_encoding`,
/// its encoding as received or proposed), what applying each acceptance
/// and transaction did, the events it logged, and the state digest after it.
pub fn encode_finalized(finalized: &FinalizedBlock, block_encoding: &[u8]) -> Vec<u8> {
    let mut writer = Writer::new();
    writer.array(&finalized.digest.0);
    writer.bytes(block_encoding);
    writer.length(finalized.accepted.len());
    for accepted in &finalized.accepted {
        match accepted {
            Ok(outcome) => {
                writer.u8(0);
                encode_outcome(&mut writer, outcome);
            }
            Err(reason) => {
                writer.u8(1);
                writer.bytes(reason.as_bytes());
            }
        }
    }
    writer.length(finalized.applied.len());
    for applied in &finalized.applied {
        match applied {
            Applied::Final(outcome) => {
                writer.u8(0);
                encode_outcome(&mut writer, outcome);
            }
            Applied::Prepared(decision) => {
                writer.u8(1);
                decision.encode(&mut writer);
            }
            Applied::AlreadyPrepared => writer.u8(2),
        }
    }
    writer.length(finalized.events.len());
    for logged in &finalized.events {
        writer.array(&logged.transaction.0);
        writer.length(logged.events.len());
        for event in &logged.events {
            event.encode(&mut writer);
        }
    }
    writer.array(&finalized.state_digest);
    writer.into_bytes()
}

/// Decodes a record written by [`encode_finalized`].
pub fn decode_finalized(bytes: &[u8]) -> Result<FinalizedBlock, DecodeError> {
    let mut reader = Reader::new(bytes);
    let digest = Digest(reader.array("block digest")?);
    let block = Block::from_bytes(&reader.bytes("block", BLOCK_BYTES_MAX)?)?;
    let accepted = reader.list("acceptance results", BLOCK_ACCEPTANCES_MAX, |reader| -> Result<Accepted, _> {
        match reader.u8("acceptance result")? {
            0 => Ok(Ok(decode_outcome(reader)?)),
            1 => Ok(Err(decode_string(reader, "acceptance refusal")?)),
            tag => Err(DecodeError::UnknownTag { what: "acceptance result", tag }),
        }
    })?;
    let applied =
        reader.list("transaction results", BLOCK_TRANSACTIONS_MAX, |reader| match reader.u8("applied")? {
            0 => Ok(Applied::Final(decode_outcome(reader)?)),
            1 => Ok(Applied::Prepared(Decision::decode(reader)?)),
            2 => Ok(Applied::AlreadyPrepared),
            tag => Err(DecodeError::UnknownTag { what: "applied", tag }),
        })?;
    let events = reader.list("logged transactions", BLOCK_TRANSACTIONS_MAX + BLOCK_ACCEPTANCES_MAX, |reader| {
        let transaction = TxId(reader.array("logging transaction")?);
        let events = reader.list("events", EVENTS_MAX, Event::decode)?;
        Ok(TxEvents { transaction, events })
    })?;
    let state_digest = reader.array("state digest")?;
    reader.finish()?;
    Ok(FinalizedBlock { digest, block, accepted, applied, events, state_digest })
}

/// Encodes an object with whether it is still active.
pub fn encode_object(entry: &ObjectEntry) -> Vec<u8> {
    let mut writer = Writer::new();
    write_object(&mut writer, entry);
    writer.into_bytes()
}

/// Decodes a record written by [`encode_object`].
pub fn decode_object(bytes: &[u8]) -> Result<ObjectEntry, DecodeError> {
    let mut reader = Reader::new(bytes);
    let entry = read_object(&mut reader)?;
    reader.finish()?;
    Ok(entry)
}

/// Encodes a prepared cross-shard transaction with its locks and whether it was accepted.
pub fn encode_cross_shard(entry: &CrossShardEntry) -> Vec<u8> {
    let mut writer = Writer::new();
    write_cross_shard(&mut writer, entry);
    writer.into_bytes()
}

/// Decodes a record written by [`encode_cross_shard`].
pub fn decode_cross_shard(bytes: &[u8]) -> Result<CrossShardEntry, DecodeError> {
    let mut reader = Reader::new(bytes);
    let entry = read_cross_shard(&mut reader)?;
    reader.finish()?;
    Ok(entry)
}

/// Encodes the changes one block made to the state, in order, as the
/// store's journal keeps them until they are folded into the state's tables.
pub fn encode_changes(changes: &StateChanges) -> Vec<u8> {
    let mut writer = Writer::new();
    writer.length(changes.objects.len());
    for entry in &changes.objects {
        write_object(&mut writer, entry);
    }
    writer.length(changes.locks.len());
    for (id, locked) in &changes.locks {
        writer.array(&id.0);
        writer.u8(u8::from(*locked));
    }
    writer.length(changes.cross_shard.len());
    for entry in &changes.cross_shard {
        write_cross_shard(&mut writer, entry);
    }
    writer.into_bytes()
}

/// Decodes a record written by [`encode_changes`].
pub fn decode_changes(bytes: &[u8]) -> Result<StateChanges, DecodeError> {
    let mut reader = Reader::new(bytes);
    // A list's length is checked against the bytes left before anything
    // is allocated for it, so no other limit is needed here.
    let objects = reader.list("changed objects", usize::MAX, read_object)?;
    let locks = reader.list("changed locks", usize::MAX, |reader| {
        Ok((ObjectId(reader.array("locked object")?), decode_bool(reader, "lock taken")?))
    })?;
    let cross_shard = reader.list("changed cross-shard entries", usize::MAX, read_cross_shard)?;
    reader.finish()?;
    Ok(StateChanges { objects, locks, cross_shard })
}

fn write_object(writer: &mut Writer, entry: &ObjectEntry) {
    writer.u8(u8::from(entry.active));
    entry.object.encode(writer);
}

fn read_object(reader: &mut Reader<'_>) -> Result<ObjectEntry, DecodeError> {
    let active = decode_bool(reader, "object activity")?;
    let object = Object::decode(reader)?;
    Ok(ObjectEntry { object, active })
}

fn write_cross_shard(writer: &mut Writer, entry: &CrossShardEntry) {
    writer.u8(u8::from(entry.accepted));
    writer.length(entry.locked.len());
    for id in &entry.locked {
        writer.array(&id.0);
    }
    writer.bytes(&entry.transaction.to_bytes());
}

fn read_cross_shard(reader: &mut Reader<'_>) -> Result<CrossShardEntry, DecodeError> {
    let accepted = decode_bool(reader, "acceptance flag")?;
    let locked =
        reader.list("locked objects", 2 * INPUTS_MAX, |reader| Ok(ObjectId(reader.array("locked object")?)))?;
    let transaction = Transaction::from_bytes(&reader.bytes("transaction", TRANSACTION_BYTES_MAX)?)?;
    Ok(CrossShardEntry { transaction, locked, accepted })
}

fn encode_outcome(writer: &mut Writer, outcome: &Outcome) {
    match outcome {
        Ok(created) => {
            writer.u8(0);
            encode_refs(writer, created);
        }
        Err(abort) => {
            writer.u8(1);
            encode_abort(writer, abort);
        }
    }
}

fn decode_outcome(reader: &mut Reader<'_>) -> Result<Outcome, DecodeError> {
    match reader.u8("outcome")? {
        0 => Ok(Ok(decode_refs(reader, "created objects", OUTPUTS_MAX)?)),
        1 => Ok(Err(decode_abort(reader)?)),
        tag => Err(DecodeError::UnknownTag { what: "outcome", tag }),
    }
}

fn encode_abort(writer: &mut Writer, abort: &Abort) {
    match abort {
        Abort::Malformed(reason) => {
            writer.u8(0);
            writer.bytes(reason.as_bytes());
        }
        Abort::BadSignature => writer.u8(1),
        Abort::WrongShard(id) => {
            writer.u8(2);
            writer.array(&id.0);
        }
        Abort::MissingObject(id) => {
            writer.u8(3);
            writer.array(&id.0);
        }
        Abort::LockedObject(id) => {
            writer.u8(4);
            writer.array(&id.0);
        }
        Abort::InactiveObject(id) => {
            writer.u8(5);
            writer.array(&id.0);
        }
        Abort::WrongVersion { id, expected, found } => {
            writer.u8(6);
            writer.array(&id.0);
            writer.u64(*expected);
            writer.u64(*found);
        }
        Abort::NotOwner(id) => {
            writer.u8(7);
            writer.array(&id.0);
        }
        Abort::CheckerFailed(reason) => {
            writer.u8(8);
            writer.bytes(reason.as_bytes());
        }
        Abort::ContractFailed(reason) => {
            writer.u8(9);
            writer.bytes(reason.as_bytes());
        }
        Abort::Replayed(id) => {
            writer.u8(10);
            writer.array(&id.0);
        }
        Abort::Refused { shard, reason } => {
            writer.u8(11);
            writer.u32(shard.0);
            writer.bytes(reason.as_bytes());
        }
    }
}

fn decode_abort(reader: &mut Reader<'_>) -> Result<Abort, DecodeError> {
    let object =
        |reader: &mut Reader<'_>| -> Result<ObjectId, DecodeError> { Ok(ObjectId(reader.array("object id")?)) };
    Ok(match reader.u8("abort")? {
        0 => Abort::Malformed(decode_string(reader, "malformation")?.into()),
        1 => Abort::BadSignature,
        2 => Abort::WrongShard(object(reader)?),
        3 => Abort::MissingObject(object(reader)?),
        4 => Abort::LockedObject(object(reader)?),
        5 => Abort::InactiveObject(object(reader)?),
        6 => Abort::WrongVersion {
            id: object(reader)?,
            expected: reader.u64("expected version")?,
            found: reader.u64("found version")?,
        },
        7 => Abort::NotOwner(object(reader)?),
        8 => Abort::CheckerFailed(decode_string(reader, "checker refusal")?.into()),
        9 => Abort::ContractFailed(decode_string(reader, "contract failure")?),
        10 => Abort::Replayed(object(reader)?),
        11 => {
            Abort::Refused { shard: ShardId(reader.u32("refusing shard")?), reason: decode_string(reader, "refusal")? }
        }
        tag => return Err(DecodeError::UnknownTag { what: "abort", tag }),
    })
}

fn decode_string(reader: &mut Reader<'_>, what: &'static str) -> Result<String, DecodeError> {
    String::from_utf8(reader.bytes(what, STORED_REASON_BYTES_MAX)?)
        .map_err(|_| DecodeError::Invalid { reason: "a stored reason is UTF-8" })
}

fn decode_bool(reader: &mut Reader<'_>, what: &'static str) -> Result<bool, DecodeError> {
    match reader.u8(what)? {
        0 => Ok(false),
        1 => Ok(true),
        tag => Err(DecodeError::UnknownTag { what, tag }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::{Address, ObjectRef, TypeTag};
    use crate::sbac::Verdict;
    use crate::transaction::{Procedure, TransactionBody};
    use ed25519_dalek::SigningKey;

    fn transaction() -> Transaction {
        let key = SigningKey::from_bytes(&[7; 32]);
        TransactionBody {
            procedure: Procedure::Split,
            inputs: vec![ObjectRef { id: ObjectId([1; 32]), version: 1 }],
            references: vec![],
            params: vec![1, 2],
            outputs: vec![],
            signer: Address(key.verifying_key().to_bytes()),
        }
        .sign(&key)
    }

    fn object() -> Object {
        Object {
            id: ObjectId([3; 32]),
            version: 2,
            owner: Address([4; 32]),
            type_tag: TypeTag::COIN,
            data: vec![5; 16],
        }
    }

    #[test]
    fn a_finalized_block_with_every_kind_of_result_reads_back_equal() {
        let id = ObjectId([9; 32]);
        let aborts = vec![
            Abort::Malformed("an object is named twice".into()),
            Abort::BadSignature,
            Abort::WrongShard(id),
            Abort::MissingObject(id),
            Abort::LockedObject(id),
            Abort::InactiveObject(id),
            Abort::WrongVersion { id, expected: 1, found: 2 },
            Abort::NotOwner(id),
            Abort::CheckerFailed("value".into()),
            Abort::ContractFailed("trap".into()),
            Abort::Replayed(id),
            Abort::Refused { shard: ShardId(1), reason: "locked".into() },
        ];
        let mut applied: Vec<Applied> = aborts.into_iter().map(|abort| Applied::Final(Err(abort))).collect();
        applied.push(Applied::Final(Ok(vec![ObjectRef { id, version: 1 }])));
        applied.push(Applied::AlreadyPrepared);
        applied.push(Applied::Prepared(Decision {
            transaction: transaction().id(),
            shard: ShardId(0),
            time: 1_764_201_600,
            verdict: Verdict::Commit { objects: vec![object()] },
        }));
        let finalized = FinalizedBlock {
            digest: Digest([2; 32]),
            block: Block { parent: Digest([1; 32]), time: 0, transactions: vec![transaction()], acceptances: vec![] },
            accepted: vec![Ok(Ok(vec![])), Err("the transaction was accepted before".into())],
            applied,
            events: vec![TxEvents {
                transaction: transaction().id(),
                events: vec![
                    Event { package: ObjectId([7; 32]), type_name: "bank.Transferred".into(), data: vec![1, 2, 3] },
                    Event { package: ObjectId([7; 32]), type_name: "bank.Opened".into(), data: vec![] },
                ],
            }],
            state_digest: [6; 32],
        };
        let read = decode_finalized(&encode_finalized(&finalized, &finalized.block.to_bytes())).expect("reads back");
        assert_eq!(read.digest, finalized.digest);
        assert_eq!(read.block, finalized.block);
        assert_eq!(read.accepted, finalized.accepted);
        assert_eq!(read.applied, finalized.applied);
        assert_eq!(read.events, finalized.events);
        assert_eq!(read.state_digest, finalized.state_digest);
    }

    #[test]
    fn state_entries_read_back_equal_and_truncations_are_refused() {
        let object = ObjectEntry { object: object(), active: false };
        let bytes = encode_object(&object);
        assert_eq!(decode_object(&bytes), Ok(object));
        assert!(decode_object(&bytes[..bytes.len() - 1]).is_err());
        let cross_shard =
            CrossShardEntry { transaction: transaction(), locked: vec![ObjectId([1; 32])], accepted: true };
        let bytes = encode_cross_shard(&cross_shard);
        assert_eq!(decode_cross_shard(&bytes), Ok(cross_shard));
        assert!(decode_cross_shard(&[2]).is_err(), "an unknown flag is refused");
    }
}
