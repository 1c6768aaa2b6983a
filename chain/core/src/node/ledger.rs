//! What a validator has finalized: the blocks in order with what became of
//! each transaction and acceptance, the certificates it received, its
//! shard's decisions on cross-shard transactions, and the resulting state.
//! Shared with whoever observes the validator (tests, the RPC server).

use super::{Digest, Scheme};
use crate::block::Block;
use crate::contracts::ContractHost;
use crate::sbac::{Committees, Decision};
use crate::state::{Accepted, Applied, Outcome, ShardState};
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
    /// What applying each acceptance did, in the block's order.
    pub accepted: Vec<Accepted>,
    /// What applying each transaction did, in the block's order.
    pub applied: Vec<Applied>,
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
    /// The final outcome of each transaction, by id, with the height of
    /// the block that made it final: the block that holds it, or for a
    /// cross-shard transaction the block that holds its acceptance.
    pub outcomes: BTreeMap<TxId, (usize, Outcome)>,
    /// This shard's decision on each cross-shard transaction it prepared.
    pub decisions: BTreeMap<TxId, Decision>,
    /// Every shard's committee, which checks the certificates of acceptances.
    pub committees: Arc<Committees>,
    /// What runs the contract procedures of the blocks it applies.
    contracts: Arc<dyn ContractHost>,
}

/// What applying one block changed that the validator acts on.
#[derive(Default, Debug)]
pub struct BlockEffects {
    /// This shard's new decisions on cross-shard transactions, to vote for.
    pub decisions: Vec<Decision>,
    /// The cross-shard transactions that became final here.
    pub accepted: Vec<TxId>,
}

impl Ledger {
    /// An empty history over `state`, whose contract procedures `contracts`
    /// runs and whose acceptances are checked against `committees`.
    pub fn new(state: ShardState, contracts: Arc<dyn ContractHost>, committees: Arc<Committees>) -> Self {
        Self {
            state,
            blocks: Vec::new(),
            finalizations: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            decisions: BTreeMap::new(),
            committees,
            contracts,
        }
    }

    /// Applies a finalized block and records it.
    pub(super) fn apply(&mut self, digest: Digest, block: Block) -> BlockEffects {
        let (accepted, applied) = self.state.execute(&block, &self.committees, self.contracts.as_ref());
        let height = self.blocks.len() + 1;
        let mut effects = BlockEffects::default();
        for (acceptance, result) in block.acceptances.iter().zip(&accepted) {
            if let Ok(outcome) = result {
                self.outcomes.entry(acceptance.transaction).or_insert_with(|| (height, outcome.clone()));
                effects.accepted.push(acceptance.transaction);
            }
        }
        for (transaction, result) in block.transactions.iter().zip(&applied) {
            match result {
                Applied::Final(outcome) => {
                    self.outcomes.entry(transaction.id()).or_insert_with(|| (height, outcome.clone()));
                }
                Applied::Prepared(decision) => {
                    self.decisions.insert(decision.transaction, decision.clone());
                    effects.decisions.push(decision.clone());
                }
                Applied::AlreadyPrepared => {}
            }
        }
        self.blocks.push(FinalizedBlock { digest, block, accepted, applied, state_digest: self.state.digest() });
        effects
    }

    /// The digest of the last finalized block, if any.
    pub fn tip(&self) -> Option<Digest> {
        self.blocks.last().map(|block| block.digest)
    }
}
