//! A validator's mempool: the transactions waiting for a block, in the
//! order they arrived. A transaction a finalized block carried leaves it
//! at once by id; its slot is reclaimed later, in one pass once such
//! slots outnumber the waiting transactions, so that applying a block
//! costs what the block carries and not what the mempool holds.

use crate::transaction::{Transaction, TxId};
use std::collections::HashSet;
use std::sync::Arc;

/// The transactions waiting for a block.
#[derive(Default)]
pub(super) struct Mempool {
    /// In arrival order, with the slots of those that left.
    arrived: Vec<(TxId, Arc<Transaction>)>,
    /// The ids of those still waiting.
    waiting: HashSet<TxId>,
}

impl Mempool {
    /// How many transactions are waiting.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Whether `id` is waiting.
    pub fn contains(&self, id: &TxId) -> bool {
        self.waiting.contains(id)
    }

    /// Adds `transaction`, which is not waiting already.
    pub fn push(&mut self, id: TxId, transaction: Arc<Transaction>) {
        if self.waiting.insert(id) {
            self.arrived.push((id, transaction));
        }
    }

    /// Takes `id` out, if it is waiting.
    pub fn remove(&mut self, id: &TxId) {
        if self.waiting.remove(id) && self.arrived.len() > 2 * self.waiting.len() {
            let waiting = &self.waiting;
            self.arrived.retain(|(id, _)| waiting.contains(id));
        }
    }

    /// The waiting transactions, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = &(TxId, Arc<Transaction>)> {
        self.arrived.iter().filter(|(id, _)| self.waiting.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::signed_for_tests;

    fn transaction(nonce: u8) -> Arc<Transaction> {
        Arc::new(signed_for_tests(1, nonce))
    }

    #[test]
    fn removed_transactions_leave_at_once_and_their_slots_are_reclaimed() {
        let mut mempool = Mempool::default();
        let transactions: Vec<Arc<Transaction>> = (0..10).map(transaction).collect();
        for transaction in &transactions {
            mempool.push(transaction.id(), transaction.clone());
        }
        mempool.push(transactions[0].id(), transactions[0].clone());
        assert_eq!(mempool.len(), 10, "a transaction waits once");
        for transaction in &transactions[..4] {
            mempool.remove(&transaction.id());
        }
        let order: Vec<TxId> = mempool.iter().map(|(id, _)| *id).collect();
        let expected: Vec<TxId> = transactions[4..].iter().map(|transaction| transaction.id()).collect();
        assert_eq!(order, expected, "the rest wait in arrival order");
        mempool.remove(&transactions[4].id());
        assert_eq!(mempool.arrived.len(), 10, "five slots of ten are not reclaimed yet");
        mempool.remove(&transactions[5].id());
        assert_eq!(mempool.arrived.len(), 4, "six are, and what waits is kept");
        assert!(!mempool.contains(&transactions[5].id()) && mempool.contains(&transactions[6].id()));
        for transaction in &transactions[6..] {
            mempool.remove(&transaction.id());
        }
        assert!(mempool.is_empty() && mempool.iter().next().is_none());
    }
}
