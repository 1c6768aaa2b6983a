//! Which shard holds which object: objects live on shards by the hash of
//! their id, so every node routes a transaction the same way before running
//! anything.

use crate::objects::ObjectId;
use crate::transaction::{Procedure, Transaction, TransactionBody, TxId};
use commonware_cryptography::{Hasher as _, Sha256};
use std::collections::BTreeSet;
use std::num::NonZeroU32;

/// Prefixes the hash that places an object.
const SHARD_DOMAIN: &[u8] = b"min-chain/shard/v1";

/// A shard's number, below the number of shards.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ShardId(pub u32);

/// The shard that holds `id` among `shards` shards.
pub fn shard_of(id: &ObjectId, shards: NonZeroU32) -> ShardId {
    if shards.get() == 1 {
        return ShardId(0);
    }
    let digest = Sha256::hash(&[SHARD_DOMAIN, &id.0]);
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest.0[..8]);
    let shard = u64::from_le_bytes(head) % u64::from(shards.get());
    ShardId(u32::try_from(shard).expect("a remainder modulo a u32 fits in a u32"))
}

/// The shards a transaction concerns: those of its inputs, its reference
/// inputs and its outputs. One shard means the single-shard fast path;
/// several mean a cross-shard commit. A publication concerns every shard,
/// each of which keeps the package, and a call's package (its first
/// reference input) concerns none, since every shard holds it.
pub fn shards_touched(body: &TransactionBody, shards: NonZeroU32) -> BTreeSet<ShardId> {
    touched(body, || body.id(), shards)
}

/// [`shards_touched`] for a signed transaction, whose id is known.
pub fn shards_touched_by(transaction: &Transaction, shards: NonZeroU32) -> BTreeSet<ShardId> {
    touched(transaction.body(), || transaction.id(), shards)
}

/// The shards `body` concerns; `id` gives its id, needed only to place its
/// outputs when there are several shards.
fn touched(body: &TransactionBody, id: impl FnOnce() -> TxId, shards: NonZeroU32) -> BTreeSet<ShardId> {
    if body.procedure == Procedure::Publish {
        return (0..shards.get()).map(ShardId).collect();
    }
    let read = match body.procedure {
        Procedure::Call { .. } => body.references.get(1..).unwrap_or_default(),
        _ => &body.references,
    };
    if shards.get() == 1 {
        // Everything is on the one shard: nothing to hash.
        let names_any = !body.inputs.is_empty() || !read.is_empty() || !body.outputs.is_empty();
        return if names_any { BTreeSet::from([ShardId(0)]) } else { BTreeSet::new() };
    }
    let id = id();
    let consumed_and_read = body.inputs.iter().chain(read).map(|reference| reference.id);
    let created = (0..body.outputs.len()).map(|index| id.output_id(index));
    consumed_and_read.chain(created).map(|object| shard_of(&object, shards)).collect()
}

/// Whether `transaction` needs S-BAC: it concerns several shards and is not
/// a publication (which every shard applies on its own).
pub fn is_cross_shard(transaction: &Transaction, shards: NonZeroU32) -> bool {
    transaction.body().procedure != Procedure::Publish && shards_touched_by(transaction, shards).len() > 1
}
