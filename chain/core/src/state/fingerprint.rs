//! A shard state's digest, kept up to date as entries change instead of
//! hashing every object after every block: each entry (an object with its
//! activity, a lock, a prepared cross-shard transaction with its
//! acceptance) hashes to 256 bits, and the digest hashes the shard with
//! the sum of those hashes modulo 2²⁵⁶. Changing an entry subtracts its old
//! hash and adds its new one. The sum is a multiset hash: two nodes with
//! the same entries have the same digest whatever the order of their
//! changes. It detects divergence between honest nodes; it is not a
//! commitment a client could check a proof against.

use crate::encoding::Writer;
use crate::objects::{Object, ObjectId};
use crate::shard::ShardId;
use crate::transaction::TxId;
use commonware_cryptography::{Hasher as _, Sha256};

const OBJECT_DOMAIN: &[u8] = b"min-chain/state/object/v1";
const LOCK_DOMAIN: &[u8] = b"min-chain/state/lock/v1";
const CROSS_SHARD_DOMAIN: &[u8] = b"min-chain/state/cross-shard/v1";
const STATE_DOMAIN: &[u8] = b"min-chain/state/v1";

/// The sum of the entries' hashes, as four little-endian 64-bit limbs.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(super) struct Fingerprint([u64; 4]);

impl Fingerprint {
    /// Replaces an entry hashing to `old` (none for a new entry) by one hashing to `new`.
    pub fn replace(&mut self, old: Option<[u8; 32]>, new: Option<[u8; 32]>) {
        if let Some(old) = old {
            self.subtract(&old);
        }
        if let Some(new) = new {
            self.add(&new);
        }
    }

    /// The digest of the state of `shard` with these entries.
    pub fn digest(&self, shard: ShardId) -> [u8; 32] {
        let mut sum = [0u8; 32];
        for (limb, bytes) in self.0.iter().zip(sum.chunks_exact_mut(8)) {
            bytes.copy_from_slice(&limb.to_le_bytes());
        }
        Sha256::hash(&[STATE_DOMAIN, &shard.0.to_le_bytes(), &sum]).0
    }

    fn add(&mut self, hash: &[u8; 32]) {
        let mut carry = false;
        for (limb, other) in self.0.iter_mut().zip(limbs(hash)) {
            let (sum, first) = limb.overflowing_add(other);
            let (sum, second) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = first || second;
        }
    }

    fn subtract(&mut self, hash: &[u8; 32]) {
        let mut borrow = false;
        for (limb, other) in self.0.iter_mut().zip(limbs(hash)) {
            let (difference, first) = limb.overflowing_sub(other);
            let (difference, second) = difference.overflowing_sub(u64::from(borrow));
            *limb = difference;
            borrow = first || second;
        }
    }
}

fn limbs(hash: &[u8; 32]) -> [u64; 4] {
    std::array::from_fn(|index| u64::from_le_bytes(hash[index * 8..index * 8 + 8].try_into().expect("eight bytes")))
}

/// The hash of an object with whether it is still active.
pub(super) fn object_hash(object: &Object, active: bool) -> [u8; 32] {
    let mut writer = Writer::new();
    object.encode(&mut writer);
    writer.u8(u8::from(active));
    Sha256::hash(&[OBJECT_DOMAIN, &writer.into_bytes()]).0
}

/// The hash of a lock on `id`.
pub(super) fn lock_hash(id: &ObjectId) -> [u8; 32] {
    Sha256::hash(&[LOCK_DOMAIN, &id.0]).0
}

/// The hash of a prepared cross-shard transaction with whether it was accepted.
pub(super) fn cross_shard_hash(id: &TxId, accepted: bool) -> [u8; 32] {
    Sha256::hash(&[CROSS_SHARD_DOMAIN, &id.0, &[u8::from(accepted)]]).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_does_not_depend_on_the_order_of_changes_and_undoes_exactly() {
        let [a, b, c] = [[1u8; 32], [0xff; 32], [7; 32]];
        let mut forward = Fingerprint::default();
        forward.replace(None, Some(a));
        forward.replace(None, Some(b));
        forward.replace(Some(a), Some(c));
        let mut backward = Fingerprint::default();
        backward.replace(None, Some(c));
        backward.replace(None, Some(b));
        assert_eq!(forward, backward, "carries across limbs included");
        forward.replace(Some(b), None);
        forward.replace(Some(c), None);
        assert_eq!(forward, Fingerprint::default());
        assert_ne!(backward.digest(ShardId(0)), backward.digest(ShardId(1)));
    }
}
