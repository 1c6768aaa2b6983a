//! What a validator has finalized: the blocks in order with the outcome of
//! each transaction, the certificates it received, and the resulting state.
//! Shared with whoever observes the validator (tests, later the RPC server).

use super::{Digest, Scheme};
use crate::block::Block;
use crate::contracts::ContractHost;
use crate::state::{Outcome, ShardState};
use crate::transaction::TxId;
use commonware_consensus::simplex::types::Finalization;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A block applied to the state, in finalization order.
#[derive(Clone, Debug)]
pub struct FinalizedBlock {
    /// The block's digest.
    pub digest: Digest,
    /// The block.
    pub block: Block,
    /// One outcome per transaction, in the block's order.
    pub outcomes: Vec<Outcome>,
    /// The state's digest after applying the block.
    pub state_digest: [u8; 32],
}

/// A validator's finalized history and state.
pub struct Ledger {
    /// The state after the last finalized block.
    pub state: ShardState,
    /// Every finalized block, from the first after genesis.
    pub blocks: Vec<FinalizedBlock>,
    /// The finalization certificates received, by block digest. A block
    /// finalized only through a finalized descendant has none here.
    pub finalizations: BTreeMap<Digest, Finalization<Scheme, Digest>>,
    /// The first outcome of each transaction, by id, with the height of its block.
    pub outcomes: BTreeMap<TxId, (usize, Outcome)>,
    /// What runs the contract procedures of the blocks it applies.
    contracts: Arc<dyn ContractHost>,
}

impl Ledger {
    /// An empty history over `state`, whose contract procedures `contracts` runs.
    pub fn new(state: ShardState, contracts: Arc<dyn ContractHost>) -> Self {
        Self { state, blocks: Vec::new(), finalizations: BTreeMap::new(), outcomes: BTreeMap::new(), contracts }
    }

    /// Applies a finalized block and records it.
    pub(super) fn apply(&mut self, digest: Digest, block: Block) {
        let outcomes = self.state.execute(&block.transactions, self.contracts.as_ref());
        let height = self.blocks.len() + 1;
        for (transaction, outcome) in block.transactions.iter().zip(&outcomes) {
            self.outcomes.entry(transaction.id()).or_insert_with(|| (height, outcome.clone()));
        }
        self.blocks.push(FinalizedBlock { digest, block, outcomes, state_digest: self.state.digest() });
    }

    /// The digest of the last finalized block, if any.
    pub fn tip(&self) -> Option<Digest> {
        self.blocks.last().map(|block| block.digest)
    }
}
