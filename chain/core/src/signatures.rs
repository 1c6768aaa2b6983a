//! Signatures already found valid, so that a transaction's signature is
//! checked once where it is first seen (the router, a validator's
//! admission) and not again when a block carrying it is verified and
//! applied. Only valid signatures are remembered, under the transaction's
//! id with the exact signature bytes, so a cached answer is the answer
//! verification would give. The oldest entries make room for new ones.
//! Signers' keys are kept decompressed, so a signer seen before costs its
//! next signature's check no point decompression.

use crate::objects::Address;
use crate::transaction::{Transaction, TxId, verify_signatures_with_keys};
use ed25519_dalek::VerifyingKey;
use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How many valid signatures a cache remembers by default: far more than
/// the transactions in flight on a busy devnet.
pub const SIGNATURE_CACHE_ENTRIES: usize = 1 << 18;

/// Valid signatures, by transaction id.
pub struct SignatureCache {
    capacity: usize,
    entries: Mutex<Entries>,
    /// Signers' keys, decompressed; emptied when it holds `capacity`.
    keys: Mutex<HashMap<Address, VerifyingKey>>,
}

#[derive(Default)]
struct Entries {
    valid: HashMap<TxId, [u8; 64]>,
    /// Ids in the order they were remembered, oldest first.
    order: VecDeque<TxId>,
}

impl Default for SignatureCache {
    fn default() -> Self {
        Self::new(SIGNATURE_CACHE_ENTRIES)
    }
}

impl SignatureCache {
    /// A cache remembering up to `capacity` valid signatures.
    pub fn new(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), entries: Mutex::new(Entries::default()), keys: Mutex::new(HashMap::new()) }
    }

    /// Whether each transaction's signature is valid, as
    /// [`verify_signatures`] answers: those remembered valid are not
    /// checked again, the others are checked in one batch and the valid
    /// ones remembered.
    pub fn verify<T: Borrow<Transaction>>(&self, transactions: &[T]) -> Vec<bool> {
        let transactions: Vec<&Transaction> = transactions.iter().map(Borrow::borrow).collect();
        let ids: Vec<TxId> = transactions.iter().map(|transaction| transaction.id()).collect();
        let mut valid = vec![false; transactions.len()];
        let unknown: Vec<usize> = {
            let entries = self.entries.lock().expect("the signature cache lock is never poisoned");
            (0..transactions.len())
                .filter(|&index| {
                    let known = entries.valid.get(&ids[index]) == Some(&transactions[index].signature);
                    valid[index] = known;
                    !known
                })
                .collect()
        };
        if unknown.is_empty() {
            return valid;
        }
        let checked: Vec<&Transaction> = unknown.iter().map(|&index| transactions[index]).collect();
        let results = verify_signatures_with_keys(&checked, self.keys_of(&checked));
        let mut entries = self.entries.lock().expect("the signature cache lock is never poisoned");
        for (&index, result) in unknown.iter().zip(results) {
            valid[index] = result;
            if result {
                entries.remember(ids[index], transactions[index].signature, self.capacity);
            }
        }
        valid
    }

    /// Each transaction's signer key, decompressed (`None` if its address
    /// is not a key), from the keys remembered or remembered now.
    fn keys_of(&self, transactions: &[&Transaction]) -> Vec<Option<VerifyingKey>> {
        let mut keys = self.keys.lock().expect("the key cache lock is never poisoned");
        if keys.len() + transactions.len() > self.capacity {
            keys.clear();
        }
        transactions
            .iter()
            .map(|transaction| {
                let signer = transaction.body().signer;
                if let Some(key) = keys.get(&signer) {
                    return Some(*key);
                }
                let key = VerifyingKey::from_bytes(&signer.0).ok()?;
                keys.insert(signer, key);
                Some(key)
            })
            .collect()
    }

    /// Whether one transaction's signature is valid (see [`SignatureCache::verify`]).
    pub fn verify_one(&self, transaction: &Transaction) -> bool {
        self.verify(std::slice::from_ref(transaction))[0]
    }
}

impl Entries {
    fn remember(&mut self, id: TxId, signature: [u8; 64], capacity: usize) {
        if self.valid.insert(id, signature).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.valid.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::signed_for_tests as signed;

    #[test]
    fn the_cache_answers_as_verification_does_and_never_remembers_a_bad_signature() {
        let cache = SignatureCache::new(2);
        let good = signed(1, 0);
        let mut forged = good.clone();
        forged.signature[3] ^= 1;
        assert_eq!(cache.verify(&[good.clone(), forged.clone()]), vec![true, false]);
        assert_eq!(
            cache.verify(&[forged.clone(), good.clone()]),
            vec![false, true],
            "a remembered id with other bytes is checked"
        );
        assert!(!cache.verify_one(&forged));
        // A third and fourth valid signature push the first out; it is checked again, and still valid.
        assert!(cache.verify_one(&signed(2, 0)) && cache.verify_one(&signed(3, 0)));
        assert_eq!(cache.entries.lock().unwrap().valid.len(), 2);
        assert!(cache.verify_one(&good));
    }
}
