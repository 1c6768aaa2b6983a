//! A harness for whole-chain runs on commonware's deterministic runtime:
//! S shards of four validators each, every shard's committee on its own
//! simulated network and every validator on one cross-shard network, with
//! lossy links; clients sign coin transactions and submit them to the
//! validators of the shards they concern.
//!
//! `MIN_SIM_SEEDS=100` runs seeds 0..100 instead of the default 8;
//! `MIN_SIM_SEED=n` replays seed n alone. A failing run names its seed.

#![allow(dead_code)]

use commonware_cryptography::bls12381::primitives::group::Private;
use commonware_cryptography::bls12381::primitives::ops;
use commonware_cryptography::{Signer as _, ed25519};
use commonware_p2p::simulated::{Config as NetworkConfig, Link, Network, Oracle};
use commonware_p2p::{Receiver as _, Recipients, Sender as _};
use commonware_parallel::Sequential;
use commonware_runtime::{Clock as _, Handle, Quota, Spawner as _, Supervisor as _, deterministic};
use commonware_utils::channel::oneshot;
use commonware_utils::ordered::BiMap;
use commonware_utils::{NZU32, NZUsize, probability};
use ed25519_dalek::SigningKey;
use min_chain::contracts::NoContracts;
use min_chain::node::{
    CONSENSUS_NAMESPACE, Channels, CrossShardConfig, Ledger, PublicKey, Scheme, Store, Validator, ValidatorConfig,
};
use min_chain::node::{WIRE_CERTIFICATE, WIRE_VOTE};
use min_chain::objects::{Address, ObjectId, ObjectRef, TypeTag, coin_data};
use min_chain::sbac::BlsVariant;
use min_chain::sbac::{BatchProof, Certificate, Committees, Decision, Member, Verdict, Vote};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::signatures::SignatureCache;
use min_chain::state::{Applied, Outcome, ShardState};
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody, TxId};
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Validators per shard.
pub const VALIDATORS: usize = 4;
/// Signers a certificate needs among four validators.
pub const QUORUM: usize = 3;
/// The longest a phase of a workload may take, in simulated time.
pub const PHASE_DEADLINE: Duration = Duration::from_secs(120);

/// The seeds to run: `MIN_SIM_SEED`, or `0..MIN_SIM_SEEDS` (default 8).
pub fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("MIN_SIM_SEED") {
        return vec![seed.parse().expect("MIN_SIM_SEED is a number")];
    }
    let count =
        std::env::var("MIN_SIM_SEEDS").ok().map(|count| count.parse().expect("MIN_SIM_SEEDS is a number")).unwrap_or(8);
    (0..count).collect()
}

/// Runs `run` for every seed, naming the seed of a failure.
pub fn for_each_seed<T>(run: impl Fn(u64) -> T + std::panic::RefUnwindSafe) {
    for seed in seeds() {
        let result = std::panic::catch_unwind(|| run(seed));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("seed {seed} failed (replay with MIN_SIM_SEED={seed}): {message}");
        }
    }
}

/// The deterministic runtime of one seed.
pub fn runner(seed: u64) -> deterministic::Runner {
    deterministic::Runner::new(
        deterministic::Config::new().with_seed(seed).with_timeout(Some(Duration::from_secs(900))),
    )
}

/// Client `index`'s key.
pub fn client(index: u8) -> SigningKey {
    SigningKey::from_bytes(&[index + 1; 32])
}

/// The faucet's key, which may mint on every shard.
pub fn faucet() -> SigningKey {
    SigningKey::from_bytes(&[255; 32])
}

/// The address of `key`.
pub fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

/// A coin output.
pub fn coin(owner: Address, value: u128) -> Output {
    Output { owner, type_tag: TypeTag::COIN, data: coin_data(value) }
}

/// A signed coin transaction; `params` makes otherwise equal ones distinct.
pub fn signed(
    key: &SigningKey,
    procedure: Procedure,
    inputs: Vec<ObjectRef>,
    outputs: Vec<Output>,
    params: Vec<u8>,
) -> Transaction {
    TransactionBody { procedure, inputs, references: vec![], params, outputs, signer: address(key) }.sign(key)
}

/// A signed coin transaction whose outputs land on `placement`'s shards,
/// one per output, found by trying parameters from `label`.
pub fn placed(
    key: &SigningKey,
    procedure: Procedure,
    inputs: Vec<ObjectRef>,
    outputs: Vec<Output>,
    label: u64,
    placement: &[ShardId],
    shards: NonZeroU32,
) -> Transaction {
    assert_eq!(placement.len(), outputs.len(), "one shard per output");
    (0u64..)
        .map(|nonce| {
            let params = [label.to_le_bytes(), nonce.to_le_bytes()].concat();
            let body = TransactionBody {
                procedure: procedure.clone(),
                inputs: inputs.clone(),
                references: vec![],
                params,
                outputs: outputs.clone(),
                signer: address(key),
            };
            let id = body.id();
            let lands =
                placement.iter().enumerate().all(|(index, shard)| shard_of(&id.output_id(index), shards) == *shard);
            (lands, body)
        })
        .find(|(lands, _)| *lands)
        .map(|(_, body)| body.sign(key))
        .expect("some nonce places the outputs")
}

/// The `index`-th output of `transaction`.
pub fn output(transaction: &Transaction, index: usize) -> ObjectRef {
    transaction.id().output_ref(index)
}

/// The link every pair of validators starts with: 20 ms ± 10 ms, one
/// message in ten lost.
pub fn lossy_link() -> Link {
    Link { latency: Duration::from_millis(20), jitter: Duration::from_millis(10), success_rate: probability!(0.9) }
}

/// Links every pair of `keys` (or only the pairs with `only`).
pub async fn link_all(
    oracle: &Oracle<PublicKey, deterministic::Context>,
    keys: &[PublicKey],
    only: Option<&PublicKey>,
) {
    for source in keys {
        for target in keys {
            if source == target || only.is_some_and(|only| source != only && target != only) {
                continue;
            }
            oracle.add_link(source.clone(), target.clone(), lossy_link()).await.expect("a link is added once");
        }
    }
}

/// Removes every link of `cut` with the others of `keys`.
pub async fn unlink(oracle: &Oracle<PublicKey, deterministic::Context>, keys: &[PublicKey], cut: &PublicKey) {
    for other in keys.iter().filter(|key| *key != cut) {
        oracle.remove_link(cut.clone(), other.clone()).await.expect("the link exists");
        oracle.remove_link(other.clone(), cut.clone()).await.expect("the link exists");
    }
}

/// A running chain.
pub struct Chain {
    /// The number of shards.
    pub shards: NonZeroU32,
    /// Each shard's validators' identities, in committee order.
    pub keys: Vec<Vec<PublicKey>>,
    /// Each shard's validators in committee order: `None` for one crashed
    /// from the start or down between a crash and its restart.
    validators: Arc<Mutex<Vec<Vec<Option<Running>>>>>,
    /// How to start each validator again, by shard and index (none for
    /// those crashed from the start).
    launches: Vec<Vec<Option<Arc<Launch>>>>,
    /// The validators restarted, with the number of blocks each loaded from its store.
    restarted: Arc<Mutex<Vec<(usize, usize, usize)>>>,
    /// Each shard's consensus verifier.
    pub verifiers: Vec<Scheme>,
    /// Every committee, for checking cross-shard certificates.
    pub committees: Arc<Committees>,
    /// Each shard's simulated network.
    pub oracles: Vec<Oracle<PublicKey, deterministic::Context>>,
    /// The cross-shard network.
    pub cross_oracle: Oracle<PublicKey, deterministic::Context>,
    /// The crashed validators' keys and cross-shard channels, for a
    /// Byzantine impostor to use.
    pub impostors: Vec<Impostor>,
}

/// What a Byzantine validator holds: a committee member's keys and its
/// channel on the cross-shard network, without running consensus.
pub struct Impostor {
    /// Its shard.
    pub shard: ShardId,
    /// Its index in its committee.
    pub signer: u32,
    /// Its BLS key.
    pub key: Private,
    /// Its cross-shard channel.
    pub channel: (
        commonware_p2p::simulated::Sender<PublicKey, deterministic::Context>,
        commonware_p2p::simulated::Receiver<PublicKey>,
    ),
}

/// A validator that runs, and the task whose abort crashes it with everything it spawned.
struct Running {
    validator: Validator,
    task: Handle<()>,
}

/// Everything a validator is started from; its store outlives its runs.
struct Launch {
    shard: usize,
    index: usize,
    key: PublicKey,
    bls: Private,
    committee: BiMap<PublicKey, min_chain::sbac::BlsPublicKey>,
    committees: Arc<Committees>,
    shards: NonZeroU32,
    store: Store,
    oracle: Oracle<PublicKey, deterministic::Context>,
    cross_oracle: Oracle<PublicKey, deterministic::Context>,
}

/// The rate every channel allows.
fn quota() -> Quota {
    Quota::per_second(NZU32!(100_000))
}

impl Launch {
    /// Starts the validator from its store under a task of its own, with
    /// its channels registered anew (a registration replaces the previous one).
    async fn start(&self, context: &deterministic::Context, run: u32) -> Running {
        let control = self.oracle.control(self.key.clone());
        let mut registered = Vec::new();
        for channel in 0..4 {
            registered.push(control.register(channel, quota()).await.expect("the network runs"));
        }
        let cross_shard =
            self.cross_oracle.control(self.key.clone()).register(0, quota()).await.expect("the network runs");
        let mut registered = registered.into_iter();
        let mut next = || registered.next().expect("four channels");
        let channels = Channels { votes: next(), certificates: next(), resolver: next(), blocks: next(), cross_shard };
        let scheme = Scheme::signer(CONSENSUS_NAMESPACE, self.committee.clone(), self.bls.clone())
            .expect("the key is in the committee");
        let config = ValidatorConfig {
            scheme,
            state: ShardState::new(ShardId(self.shard as u32), self.shards, address(&faucet())),
            store: self.store.clone(),
            signatures: Arc::new(SignatureCache::default()),
            contracts: Arc::new(NoContracts),
            cross_shard: CrossShardConfig {
                identity: self.key.clone(),
                key: self.bls.clone(),
                committees: self.committees.clone(),
            },
            partition: format!("validator-{}-{}", self.shard, self.index),
            leader_timeout: Duration::from_secs(1),
            block_interval: Duration::ZERO,
            idle_block_interval: Duration::ZERO,
        };
        let (sender, receiver) = oneshot::channel();
        let task = context
            .child("validator")
            .with_attribute("shard", self.shard)
            .with_attribute("index", self.index)
            .with_attribute("run", run)
            .spawn(move |context| async move {
                let validator = min_chain::node::start(context, config, control, channels).expect("the store opens");
                let _ = sender.send(validator);
                std::future::pending::<()>().await
            });
        let validator = receiver.await.expect("the validator starts");
        Running { validator, task }
    }
}

/// How to start a chain.
pub struct ChainConfig {
    /// The number of shards.
    pub shards: u32,
    /// Validators (by index within their shard) that never start: crashed from the beginning.
    pub crashed: Vec<(u32, usize)>,
}

/// Starts `config.shards` shards of [`VALIDATORS`] validators each.
pub async fn start(context: &mut deterministic::Context, config: ChainConfig) -> Chain {
    let shards = NonZeroU32::new(config.shards).expect("one shard or more");
    let mut keys = Vec::new();
    let mut identities = Vec::new();
    let mut bls = Vec::new();
    for shard in 0..config.shards {
        let shard_identities: Vec<ed25519::PrivateKey> = (0..VALIDATORS as u64)
            .map(|index| ed25519::PrivateKey::from_seed(u64::from(shard) * 1000 + index))
            .collect();
        keys.push(shard_identities.iter().map(|key| key.public_key()).collect::<Vec<PublicKey>>());
        identities.push(shard_identities);
        bls.push((0..VALIDATORS).map(|_| ops::keypair::<_, BlsVariant>(&mut *context)).collect::<Vec<_>>());
    }
    let committees = Arc::new(Committees::new(
        keys.iter()
            .zip(&bls)
            .map(|(shard_keys, shard_bls)| {
                shard_keys
                    .iter()
                    .zip(shard_bls)
                    .map(|(identity, (_, key))| Member { identity: identity.clone(), key: *key })
                    .collect()
            })
            .collect(),
    ));
    let everyone: Vec<PublicKey> = keys.iter().flatten().cloned().collect();
    let (cross_network, cross_oracle) = Network::new_with_peers(
        context.child("cross_shard_network"),
        NetworkConfig {
            max_size: 8 * 1024 * 1024,
            max_peers_per_set: NZUsize!(everyone.len()),
            disconnect_on_block: false,
            tracked_peer_sets: NZUsize!(1),
        },
        everyone.clone(),
    )
    .await;
    cross_network.start();
    link_all(&cross_oracle, &everyone, None).await;

    let mut validators = Vec::new();
    let mut launches = Vec::new();
    let mut verifiers = Vec::new();
    let mut oracles = Vec::new();
    let mut impostors = Vec::new();
    for shard in 0..config.shards as usize {
        let committee: BiMap<PublicKey, _> = keys[shard]
            .iter()
            .cloned()
            .zip(bls[shard].iter().map(|(_, public)| *public))
            .collect::<Vec<_>>()
            .try_into()
            .expect("identities are distinct");
        verifiers.push(Scheme::verifier(CONSENSUS_NAMESPACE, committee.clone()));
        let (network, oracle) = Network::new_with_peers(
            context.child("network").with_attribute("shard", shard),
            NetworkConfig {
                max_size: 8 * 1024 * 1024,
                max_peers_per_set: NZUsize!(VALIDATORS),
                disconnect_on_block: false,
                tracked_peer_sets: NZUsize!(1),
            },
            keys[shard].clone(),
        )
        .await;
        network.start();
        link_all(&oracle, &keys[shard], None).await;
        let mut shard_validators = Vec::new();
        let mut shard_launches = Vec::new();
        for (index, key) in keys[shard].iter().enumerate() {
            if config.crashed.contains(&(shard as u32, index)) {
                let shard = ShardId(shard as u32);
                let cross_shard =
                    cross_oracle.control(key.clone()).register(0, quota()).await.expect("channels register once");
                impostors.push(Impostor {
                    shard,
                    signer: committees.index_of(shard, key).expect("a member"),
                    key: bls[shard.0 as usize][index].0.clone(),
                    channel: cross_shard,
                });
                shard_validators.push(None);
                shard_launches.push(None);
                continue;
            }
            let launch = Arc::new(Launch {
                shard,
                index,
                key: key.clone(),
                bls: bls[shard][index].0.clone(),
                committee: committee.clone(),
                committees: committees.clone(),
                shards,
                store: Store::in_memory().expect("an in-memory store opens"),
                oracle: oracle.clone(),
                cross_oracle: cross_oracle.clone(),
            });
            shard_validators.push(Some(launch.start(context, 0).await));
            shard_launches.push(Some(launch));
        }
        validators.push(shard_validators);
        launches.push(shard_launches);
        oracles.push(oracle);
    }
    Chain {
        shards,
        keys,
        validators: Arc::new(Mutex::new(validators)),
        launches,
        restarted: Arc::default(),
        verifiers,
        committees,
        oracles,
        cross_oracle,
        impostors,
    }
}

impl Chain {
    /// Crashes validator `index` of `shard` at `at` (simulated time from
    /// now): its tasks stop wherever they are, and what it had not stored
    /// is lost. It restarts from its store `down_for` later and must catch up.
    pub fn crash_and_restart(
        &self,
        context: &deterministic::Context,
        (shard, index): (usize, usize),
        at: Duration,
        down_for: Duration,
    ) {
        let launch = self.launches[shard][index].clone().expect("the validator was started");
        let validators = self.validators.clone();
        let restarts = self.restarted.clone();
        context.child("crash").spawn(move |context| async move {
            context.sleep(at).await;
            let running = validators.lock().unwrap()[shard][index].take().expect("the validator runs");
            running.task.abort();
            context.sleep(down_for).await;
            let restarted = launch.start(&context, 1).await;
            let loaded = restarted.validator.ledger.lock().unwrap().blocks.len();
            assert!(loaded > 0, "validator {index} of shard {shard} restarted with an empty history");
            restarts.lock().unwrap().push((shard, index, loaded));
            validators.lock().unwrap()[shard][index] = Some(restarted);
            // The restarted validator's tasks descend from this one, which
            // must outlive them: a finished task's descendants are aborted.
            std::future::pending::<()>().await
        });
    }

    /// Waits until every validator started has run again after its crash.
    pub async fn wait_until_all_run(&self, context: &deterministic::Context) {
        let deadline = context.current() + PHASE_DEADLINE;
        loop {
            let down = {
                let validators = self.validators.lock().unwrap();
                self.launches.iter().flatten().flatten().any(|launch| validators[launch.shard][launch.index].is_none())
            };
            if !down {
                return;
            }
            assert!(context.current() < deadline, "a crashed validator did not restart");
            context.sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many validators have restarted from their stores with blocks
    /// already in them: each loaded a history, not an empty one.
    pub fn restarts(&self) -> usize {
        self.restarted.lock().unwrap().len()
    }

    /// Each validator's height (and why it halted, if it did), shard by
    /// shard, `down` for one that does not run: what a stalled test shows.
    fn heights(&self) -> String {
        let validators = self.validators.lock().unwrap();
        let shards: Vec<String> = validators
            .iter()
            .map(|shard| {
                let heights: Vec<String> = shard
                    .iter()
                    .map(|running| match running {
                        None => "down".to_string(),
                        Some(running) => {
                            let ledger = running.validator.ledger.lock().unwrap();
                            match &ledger.halted {
                                Some(error) => format!("{} (halted: {error})", ledger.blocks.len()),
                                None => ledger.blocks.len().to_string(),
                            }
                        }
                    })
                    .collect();
                format!("[{}]", heights.join(", "))
            })
            .collect();
        shards.join(" ")
    }

    /// The validators of `shard` that run now.
    fn running(&self, shard: ShardId) -> Vec<Validator> {
        self.validators.lock().unwrap()[shard.0 as usize]
            .iter()
            .flatten()
            .map(|running| Validator {
                mailbox: running.validator.mailbox.clone(),
                ledger: running.validator.ledger.clone(),
            })
            .collect()
    }

    /// Cuts validator `index` of `shard` off from its committee, and from
    /// the cross-shard network when `cross_shard`, from `start` for `length`.
    pub fn cut_off(
        &self,
        context: &deterministic::Context,
        (shard, index): (usize, usize),
        start: Duration,
        length: Duration,
        cross_shard: bool,
    ) {
        let keys = self.keys[shard].clone();
        let everyone: Vec<PublicKey> = self.keys.iter().flatten().cloned().collect();
        let cut = keys[index].clone();
        let oracle = self.oracles[shard].clone();
        let cross_oracle = cross_shard.then(|| self.cross_oracle.clone());
        context.child("partition").spawn(move |context| async move {
            context.sleep(start).await;
            unlink(&oracle, &keys, &cut).await;
            if let Some(cross_oracle) = &cross_oracle {
                unlink(cross_oracle, &everyone, &cut).await;
            }
            context.sleep(length).await;
            link_all(&oracle, &keys, Some(&cut)).await;
            if let Some(cross_oracle) = &cross_oracle {
                link_all(cross_oracle, &everyone, Some(&cut)).await;
            }
        });
    }

    /// The ledgers of `shard`'s running validators.
    pub fn ledgers(&self, shard: ShardId) -> Vec<Arc<Mutex<Ledger>>> {
        self.running(shard).into_iter().map(|validator| validator.ledger).collect()
    }

    /// The shards `transaction` concerns.
    pub fn shards_of(&self, transaction: &Transaction) -> BTreeSet<ShardId> {
        shards_touched(transaction.body(), self.shards)
    }

    /// Submits each transaction to every validator of every shard it concerns.
    pub fn submit(&self, batch: &[Transaction]) {
        for transaction in batch {
            for shard in self.shards_of(transaction) {
                self.submit_to(shard, transaction);
            }
        }
    }

    /// Submits `transaction` to validator `index` of `shard` alone, which
    /// shares it with its committee (`Mailbox::share`).
    pub fn share_through(&self, (shard, index): (usize, usize), transaction: &Transaction) {
        let validators = self.validators.lock().unwrap();
        let running = validators[shard][index].as_ref().expect("the validator runs");
        running.validator.mailbox.share(Arc::new(transaction.clone()));
    }

    /// Submits `transaction` to the validators of `shard` alone.
    pub fn submit_to(&self, shard: ShardId, transaction: &Transaction) {
        let transaction = Arc::new(transaction.clone());
        for validator in self.running(shard) {
            validator.mailbox.submit(transaction.clone());
        }
    }

    /// Waits until every validator of every shard a transaction of `batch`
    /// concerns has its final outcome.
    pub async fn settle(&self, context: &deterministic::Context, batch: &[Transaction], phase: &str) {
        let deadline = context.current() + PHASE_DEADLINE;
        loop {
            let settled = batch.iter().all(|transaction| {
                let id = transaction.id();
                self.shards_of(transaction).into_iter().all(|shard| {
                    self.ledgers(shard).iter().all(|ledger| ledger.lock().unwrap().outcomes.contains_key(&id))
                })
            });
            if settled {
                return;
            }
            assert!(
                context.current() < deadline,
                "{phase} did not settle within {PHASE_DEADLINE:?}; heights: {}",
                self.heights()
            );
            context.sleep(Duration::from_millis(100)).await;
        }
    }

    /// The final outcome of `transaction`, the same on every shard it
    /// concerns (asserted): S-BAC's atomicity.
    pub fn outcome(&self, transaction: &Transaction) -> Outcome {
        let id = transaction.id();
        let outcomes: Vec<(ShardId, Outcome)> = self
            .shards_of(transaction)
            .into_iter()
            .map(|shard| (shard, self.ledgers(shard)[0].lock().unwrap().outcomes[&id].1.clone()))
            .collect();
        let first = outcomes[0].1.clone();
        assert!(
            outcomes.iter().all(|(_, outcome)| *outcome == first),
            "the shards of {id:?} disagree on its outcome: {outcomes:?}"
        );
        first
    }

    /// Checks every safety property over the whole run.
    pub fn check_safety(&self, context: &mut deterministic::Context) {
        for shard in 0..self.shards.get() {
            let ledgers = self.ledgers(ShardId(shard));
            check_agreement(&ledgers);
            check_certificates(context, &self.verifiers[shard as usize], &ledgers);
        }
        self.check_no_double_consumption();
        self.check_acceptances();
    }

    /// No object is consumed by two committed transactions, over all shards.
    fn check_no_double_consumption(&self) {
        let mut consumed: BTreeSet<ObjectId> = BTreeSet::new();
        let mut committed: BTreeSet<TxId> = BTreeSet::new();
        for shard in 0..self.shards.get() {
            let ledger = self.ledgers(ShardId(shard))[0].clone();
            let ledger = ledger.lock().unwrap();
            for block in &ledger.blocks {
                for transaction in &block.block.transactions {
                    let id = transaction.id();
                    if !matches!(ledger.outcomes.get(&id), Some((_, Ok(_)))) || !committed.insert(id) {
                        continue;
                    }
                    for input in &transaction.body().inputs {
                        assert!(consumed.insert(input.id), "{:?} consumed twice", input.id);
                    }
                }
            }
        }
    }

    /// Every applied acceptance carries certificates that verify with a
    /// quorum of signers, and nothing stays locked at the end.
    fn check_acceptances(&self) {
        for shard in 0..self.shards.get() {
            for ledger in self.ledgers(ShardId(shard)) {
                let ledger = ledger.lock().unwrap();
                for block in &ledger.blocks {
                    for (acceptance, accepted) in block.block.acceptances.iter().zip(&block.accepted) {
                        if accepted.is_err() {
                            continue;
                        }
                        for certificate in &acceptance.certificates {
                            assert!(
                                certificate.verify(&self.committees).is_ok(),
                                "an applied certificate does not verify"
                            );
                            assert!(certificate.signers.len() >= QUORUM, "a certificate has too few signers");
                        }
                    }
                }
                let waiting: Vec<&TxId> = ledger.state.awaiting_acceptance().map(|(id, _)| id).collect();
                assert!(waiting.is_empty(), "shard {shard} still waits to accept {waiting:?}");
            }
        }
    }
}

/// Every validator of a shard finalized the same sequence of blocks (one
/// is a prefix of the other), passed through the same states, and ends in
/// the same state.
fn check_agreement(ledgers: &[Arc<Mutex<Ledger>>]) {
    let ledgers: Vec<_> = ledgers.iter().map(|ledger| ledger.lock().unwrap()).collect();
    let reference = &ledgers[0];
    for (index, ledger) in ledgers.iter().enumerate() {
        for (height, (ours, theirs)) in reference.blocks.iter().zip(&ledger.blocks).enumerate() {
            assert_eq!(ours.digest, theirs.digest, "validators 0 and {index} differ at height {}", height + 1);
            assert_eq!(
                ours.state_digest,
                theirs.state_digest,
                "states of 0 and {index} differ at height {}",
                height + 1
            );
        }
        assert_eq!(reference.state.digest(), ledger.state.digest(), "validators 0 and {index} end in different states");
    }
}

/// Every finalization certificate verifies against the committee and
/// carries at least 2f+1 signers, and covers every validator's last block.
fn check_certificates(context: &mut deterministic::Context, verifier: &Scheme, ledgers: &[Arc<Mutex<Ledger>>]) {
    let mut certified = BTreeSet::new();
    for ledger in ledgers {
        let ledger = ledger.lock().unwrap();
        for (digest, finalization) in &ledger.finalizations {
            assert_eq!(finalization.proposal.payload, *digest, "a finalization is filed under another block");
            assert!(finalization.verify(context, verifier, &Sequential), "a finalization does not verify");
            let signers = finalization.certificate.signers.count();
            assert!(signers >= QUORUM, "a certificate has {signers} signers");
            certified.insert(*digest);
        }
    }
    // Simplex finalizes a block's ancestors with it, so a block may have
    // no certificate of its own (its finalize votes lost to a timeout) and
    // be covered by a finalized descendant, which commits to it through the
    // chain of parent digests. Each validator's last block has its own.
    for (index, ledger) in ledgers.iter().enumerate() {
        let ledger = ledger.lock().unwrap();
        let tip = ledger.tip().expect("blocks were finalized");
        assert!(certified.contains(&tip), "validator {index}'s last finalized block has no certificate");
    }
}

/// Whether a block applied `transaction` as a prepared cross-shard one on this ledger.
pub fn prepared_here(ledger: &Ledger, transaction: &Transaction) -> bool {
    ledger.blocks.iter().any(|block| {
        block
            .block
            .transactions
            .iter()
            .zip(&block.applied)
            .any(|(candidate, applied)| candidate.id() == transaction.id() && matches!(applied, Applied::Prepared(_)))
    })
}

/// The shard that holds `id`.
pub fn shard_of_object(id: &ObjectId, shards: NonZeroU32) -> ShardId {
    shard_of(id, shards)
}

impl Impostor {
    /// Lies on the cross-shard network until the run ends: for every vote
    /// it hears on a decision of its shard, it signs the opposite verdict
    /// and sends that vote to everyone, with a certificate claiming a
    /// quorum on the lie that only it signed, and a burst of garbage.
    pub async fn lie(self) {
        let (mut sender, mut receiver) = self.channel;
        let mut lied: BTreeSet<TxId> = BTreeSet::new();
        while let Ok((_, message)) = receiver.recv().await {
            let Some((&WIRE_VOTE, body)) = message.as_ref().split_first() else {
                continue;
            };
            let Ok(vote) = Vote::from_bytes(body) else {
                continue;
            };
            if vote.shard != self.shard {
                continue;
            }
            let lies: Vec<Decision> = vote
                .decisions
                .into_iter()
                .filter(|(_, decision)| lied.insert(decision.transaction))
                .map(|(_, decision)| {
                    let verdict = match decision.verdict {
                        Verdict::Commit { .. } => Verdict::Abort { reason: "a lie".into() },
                        Verdict::Abort { .. } => Verdict::Commit { objects: vec![] },
                    };
                    Decision { verdict, ..decision }
                })
                .collect();
            let Some(lie) = lies.first().cloned() else {
                continue;
            };
            let vote = Vote::sign(lies, self.signer, &self.key);
            let mut signed = vec![WIRE_VOTE];
            signed.extend(vote.to_bytes());
            let proof = BatchProof::of(&vote.leaves, 0).expect("the first lie is a leaf");
            let claimed = Certificate {
                signers: vec![0, 1, 2],
                ..Certificate::aggregate(lie, proof, &[(self.signer, vote.signature)].into_iter().collect())
                    .expect("one signature")
            };
            let mut forged = vec![WIRE_CERTIFICATE];
            forged.extend(claimed.to_bytes());
            for message in [signed, forged, vec![WIRE_VOTE, 1, 2, 3], vec![WIRE_CERTIFICATE], vec![9; 40]] {
                let _ = sender.send(Recipients::All, message, false);
            }
        }
    }
}
