//! One validator of one shard: commonware's simplex orders block digests
//! with BLS12-381 multisignature certificates (one aggregated signature per
//! block), and the application actor supplies and checks the blocks and
//! applies the finalized ones. The same code runs on commonware's
//! deterministic runtime with its simulated network, and later on the tokio
//! runtime with authenticated networking.

mod actor;
mod ledger;
mod mailbox;
mod mempool;
mod records;
mod relay;
mod store;

pub use actor::PROPOSAL_TRANSACTIONS_MAX;
pub use ledger::{BlockEffects, FinalizedBlock, Ledger};
pub use mailbox::Mailbox;
pub use relay::{CrossShardConfig, WIRE_CERTIFICATE, WIRE_REQUEST, WIRE_TRANSACTIONS, WIRE_VOTE};
pub use store::{Store, StoreError, Stored};

use crate::block::genesis_digest;
use crate::contracts::ContractHost;
use crate::signatures::SignatureCache;
use crate::state::ShardState;
use commonware_consensus::simplex::{self, elector::RoundRobin};
use commonware_consensus::types::{Epoch, ViewDelta};
use commonware_cryptography::{Sha256, ed25519, sha256};
use commonware_p2p::{Blocker, Receiver, Sender};
use commonware_parallel::Sequential;
use commonware_runtime::buffer::paged::CacheRef;
use commonware_runtime::{Clock, Metrics, Spawner, Storage};
use commonware_utils::channel::mpsc;
use commonware_utils::{NZDuration, NZU16, NZUsize};
use rand_core::CryptoRng;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A validator's identity key (ed25519), which also authenticates it on the network.
pub type PublicKey = ed25519::PublicKey;
/// The digest consensus agrees on: a block's sha256.
pub type Digest = sha256::Digest;
/// The signing scheme of votes and certificates: BLS12-381 multisignatures
/// with public keys in G2 and signatures in G1 (`BlsVariant`), aggregated into one signature per certificate.
pub type Scheme = simplex::scheme::bls12381_multisig::Scheme<PublicKey, crate::sbac::BlsVariant>;
/// What simplex tells the application about a proposal: round, leader, parent.
pub type ConsensusContext = simplex::types::Context<Digest, PublicKey>;

/// Separates this chain's consensus signatures from every other use of the keys.
pub const CONSENSUS_NAMESPACE: &[u8] = b"min-chain/consensus/v1";

/// How a validator is set up.
pub struct ValidatorConfig {
    /// This validator's signing scheme: the committee's keys and its own BLS key.
    pub scheme: Scheme,
    /// The genesis state of the shard it serves.
    pub state: ShardState,
    /// Where it keeps its blocks and state; a validator restarted on the
    /// same store resumes from its last stored block.
    pub store: Store,
    /// What runs contract procedures ([`NoContracts`](crate::contracts::NoContracts) refuses them).
    pub contracts: Arc<dyn ContractHost>,
    /// The signatures already found valid; validators in one process may share it.
    pub signatures: Arc<SignatureCache>,
    /// Its key and every shard's committee, for cross-shard commits.
    pub cross_shard: CrossShardConfig,
    /// The name of its consensus journal in the runtime's storage.
    pub partition: String,
    /// How long to wait for a leader's proposal before voting to skip it.
    pub leader_timeout: Duration,
    /// The least time between the start of a round this validator saw and
    /// its next proposal when transactions are waiting; zero proposes at
    /// once. A committee on a fast network otherwise runs rounds back to
    /// back, verifying BLS votes as fast as it can even when idle.
    pub block_interval: Duration,
    /// The same when its mempool is empty and no acceptance is ready; a
    /// transaction or acceptance arriving meanwhile shortens the wait to
    /// `block_interval`. Shorter than `leader_timeout`.
    pub idle_block_interval: Duration,
}

/// The network channels a validator uses, each a (sender, receiver) pair:
/// simplex's votes, certificates and certificate fetches, and blocks.
pub struct Channels<S, R> {
    /// Simplex's votes.
    pub votes: (S, R),
    /// Simplex's certificates.
    pub certificates: (S, R),
    /// Simplex's fetching of missing certificates.
    pub resolver: (S, R),
    /// Blocks and requests for blocks.
    pub blocks: (S, R),
    /// S-BAC's votes, certificates and forwarded transactions, to and from
    /// the validators of every shard.
    pub cross_shard: (S, R),
}

/// A running validator: where clients submit, and what it has finalized.
pub struct Validator {
    /// Submits transactions to this validator.
    pub mailbox: Mailbox,
    /// Its finalized blocks, certificates and state.
    pub ledger: Arc<Mutex<Ledger>>,
}

/// Starts a validator's consensus engine and application actor on
/// `context`, from what its store holds. Fails only if the store cannot
/// be read or belongs to another chain.
pub fn start<E, B, S, R>(
    context: E,
    config: ValidatorConfig,
    blocker: B,
    channels: Channels<S, R>,
) -> Result<Validator, StoreError>
where
    E: Clock + CryptoRng + Spawner + Storage + Metrics,
    B: Blocker<PublicKey = PublicKey>,
    S: Sender<PublicKey = PublicKey>,
    R: Receiver<PublicKey = PublicKey>,
{
    let (sender, receiver) = mpsc::unbounded_channel();
    let mailbox = Mailbox::new(sender);
    let shard = config.state.shard();
    let committees = config.cross_shard.committees.clone();
    let signatures = config.signatures;
    let mut ledger = Ledger::open(config.store, config.state, config.contracts, committees, signatures.clone())?;
    let unfinalized: BTreeMap<Digest, actor::Seen> = std::mem::take(&mut ledger.unfinalized_at_start)
        .into_iter()
        .map(|(digest, block)| (digest, actor::Seen::encoding(block)))
        .collect();
    let genesis = genesis_digest();
    let last_applied = ledger.tip().unwrap_or(genesis);
    let applied: BTreeSet<Digest> = ledger.blocks.iter().map(|finalized| finalized.digest).collect();
    let ledger = Arc::new(Mutex::new(ledger));

    let (block_sender, block_receiver) = channels.blocks;
    let (cross_shard_sender, cross_shard_receiver) = channels.cross_shard;
    let relay = relay::Relay::new(cross_shard_sender, shard, config.cross_shard);
    let actor = actor::Actor {
        context: context.child("application"),
        mailbox: receiver,
        block_receiver,
        cross_shard_receiver,
        core: actor::Core {
            block_sender,
            relay,
            ledger: ledger.clone(),
            blocks: unfinalized,
            pending_verifies: BTreeMap::new(),
            target: None,
            missing_for_finalization: None,
            last_applied,
            applied,
            mempool: Default::default(),
            shared: BTreeMap::new(),
            block_interval: config.block_interval,
            idle_block_interval: config.idle_block_interval,
            last_round_start: None,
            now: std::time::SystemTime::UNIX_EPOCH,
            parked_proposal: None,
            halted: false,
            signatures,
        },
    };
    context.child("application").spawn(move |_| async move { actor.run().await });

    let engine_config = simplex::Config {
        scheme: config.scheme,
        elector: RoundRobin::<Sha256>::default(),
        blocker,
        automaton: mailbox.clone(),
        relay: mailbox.clone(),
        reporter: mailbox.clone(),
        track_historical_votes: false,
        strategy: Sequential,
        partition: config.partition,
        mailbox_size: NZUsize!(1024),
        epoch: Epoch::zero(),
        floor: simplex::Floor::Genesis(genesis),
        replay_buffer: NZUsize!(1024 * 1024),
        write_buffer: NZUsize!(1024 * 1024),
        page_cache: CacheRef::new(NZU16!(1024), NZUsize!(16)),
        leader_timeout: config.leader_timeout,
        certification_timeout: config.leader_timeout * 2,
        timeout_retry: config.leader_timeout * 5,
        view_retention: ViewDelta::new(10),
        skip: simplex::SkipPolicy::Disabled,
        fetch_timeout: NZDuration!(Duration::from_secs(1)),
        fetch_retry_delay: Duration::from_millis(100),
        forward: simplex::ForwardPolicy::Disabled,
    };
    let engine = simplex::Engine::new(context.child("engine"), engine_config);
    engine.start(channels.votes, channels.certificates, channels.resolver);
    Ok(Validator { mailbox, ledger })
}
