//! What a validator has finalized: the blocks in order with what became of
//! each transaction and acceptance, the certificates it received, its
//! shard's decisions on cross-shard transactions, and the resulting state.
//! Shared with whoever observes the validator (tests, the RPC server).
//! Every block is kept in the validator's [`Store`] as it is applied, and
//! a restarted validator's ledger is read back from there.

use super::store::{Store, StoreError};
use super::{Digest, Scheme};
use crate::block::Block;
use crate::contracts::ContractHost;
use crate::contracts::Event;
use crate::sbac::{Committees, Decision};
use crate::signatures::SignatureCache;
use crate::state::{Accepted, Applied, Outcome, ShardState, TxEvents};
use crate::transaction::TxId;
use commonware_codec::{Decode as _, Encode as _};
use commonware_consensus::simplex::types::Finalization;
use commonware_cryptography::certificate::Verifier as _;
use std::collections::{BTreeMap, HashMap};
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
    /// The events of the transactions the block committed, in the order
    /// they were committed (only transactions that logged any).
    pub events: Vec<TxEvents>,
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
    pub outcomes: HashMap<TxId, (usize, Outcome)>,
    /// The events each committed transaction logged, by id.
    pub events: HashMap<TxId, Vec<Event>>,
    /// This shard's decision on each cross-shard transaction it prepared.
    pub decisions: HashMap<TxId, Decision>,
    /// Every shard's committee, which checks the certificates of acceptances.
    pub committees: Arc<Committees>,
    /// Why the validator stopped, if its store failed.
    pub halted: Option<StoreError>,
    /// The blocks the store kept as proposed or voted for and not
    /// finalized when the validator last stopped; the actor takes them.
    pub(super) unfinalized_at_start: Vec<(Digest, Block)>,
    /// Where each block is in `blocks`, by digest.
    positions: HashMap<Digest, usize>,
    /// What runs the contract procedures of the blocks it applies.
    contracts: Arc<dyn ContractHost>,
    /// Where the blocks and the state are kept.
    store: Store,
    /// The signatures found valid before, not checked again.
    signatures: Arc<SignatureCache>,
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
    /// The history `store` holds over the `genesis` state (or, for an empty
    /// store, an empty history written there), whose contract procedures
    /// `contracts` runs and whose acceptances are checked against
    /// `committees`, and whose transactions' signatures `signatures` checks.
    pub fn open(
        store: Store,
        genesis: ShardState,
        contracts: Arc<dyn ContractHost>,
        committees: Arc<Committees>,
        signatures: Arc<SignatureCache>,
    ) -> Result<Self, StoreError> {
        let stored = store.load_or_init(genesis)?;
        let mut ledger = Self {
            state: stored.state,
            blocks: Vec::new(),
            finalizations: BTreeMap::new(),
            outcomes: HashMap::new(),
            events: HashMap::new(),
            decisions: HashMap::new(),
            committees,
            halted: None,
            unfinalized_at_start: stored.unfinalized,
            positions: HashMap::new(),
            contracts,
            store,
            signatures,
        };
        for (digest, bytes) in stored.finalizations {
            // The store is the validator's own: its certificates are read without size bounds.
            let finalization =
                Finalization::<Scheme, Digest>::decode_cfg(bytes, &Scheme::certificate_codec_config_unbounded())
                    .map_err(|error| StoreError(format!("a stored finalization is corrupt: {error}")))?;
            ledger.finalizations.insert(digest, finalization);
        }
        for finalized in stored.blocks {
            ledger.record(finalized);
        }
        Ok(ledger)
    }

    /// Keeps a block the validator is about to propose or vote for in its
    /// store, until the block is finalized (`Store::keep_unfinalized`).
    pub(super) fn keep_unfinalized(&self, digest: &Digest, encoded_block: &[u8]) -> Result<(), StoreError> {
        self.store.keep_unfinalized(digest, encoded_block)
    }

    /// Applies a finalized block, stores it (as `encoded`, its encoding)
    /// with the state it leaves, and records it. If the store fails, the
    /// block is not recorded and the validator must stop: its state is
    /// ahead of what it could keep.
    pub(super) fn apply(&mut self, digest: Digest, block: Block, encoded: &[u8]) -> Result<BlockEffects, StoreError> {
        let signatures_valid = self.signatures.verify(&block.transactions);
        let (accepted, applied) =
            self.state.execute(&block, &signatures_valid, &self.committees, self.contracts.as_ref());
        let events = self.state.take_events();
        let finalized = FinalizedBlock { digest, block, accepted, applied, events, state_digest: self.state.digest() };
        let changes = self.state.take_changes();
        let finalization = self.finalizations.get(&digest).map(|finalization| finalization.encode().to_vec());
        self.store.commit(self.blocks.len() as u64 + 1, &finalized, encoded, &changes, finalization.as_deref())?;
        Ok(self.record(finalized))
    }

    /// Adds a block already applied to the history: the outcomes it made
    /// final and the decisions it made.
    fn record(&mut self, finalized: FinalizedBlock) -> BlockEffects {
        let height = self.blocks.len() + 1;
        let mut effects = BlockEffects::default();
        for (acceptance, result) in finalized.block.acceptances.iter().zip(&finalized.accepted) {
            if let Ok(outcome) = result {
                self.outcomes.entry(acceptance.transaction).or_insert_with(|| (height, outcome.clone()));
                effects.accepted.push(acceptance.transaction);
            }
        }
        for (transaction, result) in finalized.block.transactions.iter().zip(&finalized.applied) {
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
        for logged in &finalized.events {
            self.events.entry(logged.transaction).or_insert_with(|| logged.events.clone());
        }
        self.positions.insert(finalized.digest, self.blocks.len());
        self.blocks.push(finalized);
        effects
    }

    /// The finalized block `digest`, if this ledger holds it.
    pub fn block(&self, digest: &Digest) -> Option<&Block> {
        self.positions.get(digest).map(|&position| &self.blocks[position].block)
    }

    /// The digest of the last finalized block, if any.
    pub fn tip(&self) -> Option<Digest> {
        self.blocks.last().map(|block| block.digest)
    }
}
