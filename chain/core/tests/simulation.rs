//! Whole-committee runs on commonware's deterministic runtime: four
//! validators of one shard order blocks with simplex over the simulated
//! network, with message delay and loss and one validator cut off for part
//! of the run, while clients mint, transfer and try to spend coins twice.
//!
//! `MIN_SIM_SEEDS=100` runs seeds 0..100 instead of the default 8;
//! `MIN_SIM_SEED=n` replays seed n alone. A failing run names its seed.

use commonware_cryptography::bls12381::primitives::ops;
use commonware_cryptography::bls12381::primitives::variant::MinPk;
use commonware_cryptography::{Signer as _, ed25519};
use commonware_p2p::simulated::{Config as NetworkConfig, Link, Network, Oracle};
use commonware_parallel::Sequential;
use commonware_runtime::{Clock as _, Quota, Runner as _, Spawner as _, Supervisor as _, deterministic};
use commonware_utils::ordered::BiMap;
use commonware_utils::{NZU32, NZUsize, probability};
use ed25519_dalek::SigningKey;
use min_chain::contracts::NoContracts;
use min_chain::node::{CONSENSUS_NAMESPACE, Channels, Digest, Ledger, PublicKey, Scheme, Validator, ValidatorConfig};
use min_chain::objects::{Address, ObjectId, ObjectRef, TypeTag, coin_data};
use min_chain::shard::ShardId;
use min_chain::state::{Abort, Outcome, ShardState};
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody, TxId};
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const VALIDATORS: u64 = 4;
const CLIENTS: u8 = 8;
const QUORUM: usize = 3;
const COIN: u128 = 1_000;
/// The longest a phase of the workload may take, in simulated time.
const PHASE_DEADLINE: Duration = Duration::from_secs(120);

fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("MIN_SIM_SEED") {
        return vec![seed.parse().expect("MIN_SIM_SEED is a number")];
    }
    let count =
        std::env::var("MIN_SIM_SEEDS").ok().map(|count| count.parse().expect("MIN_SIM_SEEDS is a number")).unwrap_or(8);
    (0..count).collect()
}

#[test]
fn a_committee_agrees_on_every_block_under_loss_and_a_partition() {
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

#[test]
fn a_seed_replays_exactly() {
    assert_eq!(run(3), run(3));
}

fn client(index: u8) -> SigningKey {
    SigningKey::from_bytes(&[index + 1; 32])
}

fn faucet() -> SigningKey {
    SigningKey::from_bytes(&[255; 32])
}

fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

fn coin(owner: Address, value: u128) -> Output {
    Output { owner, type_tag: TypeTag::COIN, data: coin_data(value) }
}

fn signed(key: &SigningKey, procedure: Procedure, inputs: Vec<ObjectRef>, outputs: Vec<Output>) -> Transaction {
    TransactionBody { procedure, inputs, references: vec![], params: vec![], outputs, signer: address(key) }.sign(key)
}

fn output(transaction: &Transaction, index: usize) -> ObjectRef {
    ObjectRef { id: transaction.id().output_id(index), version: 1 }
}

/// The network link every pair of validators starts with: 20 ms ± 10 ms,
/// one message in ten lost.
fn lossy_link() -> Link {
    Link { latency: Duration::from_millis(20), jitter: Duration::from_millis(10), success_rate: probability!(0.9) }
}

async fn link_all(oracle: &Oracle<PublicKey, deterministic::Context>, keys: &[PublicKey], only: Option<&PublicKey>) {
    for source in keys {
        for target in keys {
            if source == target || only.is_some_and(|only| source != only && target != only) {
                continue;
            }
            oracle.add_link(source.clone(), target.clone(), lossy_link()).await.expect("a link is added once");
        }
    }
}

async fn unlink(oracle: &Oracle<PublicKey, deterministic::Context>, keys: &[PublicKey], cut: &PublicKey) {
    for other in keys.iter().filter(|key| *key != cut) {
        oracle.remove_link(cut.clone(), other.clone()).await.expect("the link exists");
        oracle.remove_link(other.clone(), cut.clone()).await.expect("the link exists");
    }
}

/// Waits until every validator has an outcome for every transaction of `batch`.
async fn settle(
    context: &deterministic::Context,
    seed: u64,
    ledgers: &[Arc<Mutex<Ledger>>],
    batch: &[Transaction],
    phase: &str,
) {
    let ids: Vec<TxId> = batch.iter().map(Transaction::id).collect();
    let deadline = context.current() + PHASE_DEADLINE;
    loop {
        let settled = ledgers.iter().all(|ledger| {
            let ledger = ledger.lock().unwrap();
            ids.iter().all(|id| ledger.outcomes.contains_key(id))
        });
        if settled {
            return;
        }
        assert!(context.current() < deadline, "seed {seed}: {phase} did not settle within {PHASE_DEADLINE:?}");
        context.sleep(Duration::from_millis(100)).await;
    }
}

fn outcome(ledger: &Arc<Mutex<Ledger>>, transaction: &Transaction) -> Outcome {
    ledger.lock().unwrap().outcomes[&transaction.id()].1.clone()
}

/// What a run ends with, to compare two runs of one seed: the simulated
/// time, and each validator's last block and state.
type Fingerprint = (Duration, Vec<(Option<Digest>, [u8; 32])>);

fn run(seed: u64) -> Fingerprint {
    let config = deterministic::Config::new().with_seed(seed).with_timeout(Some(Duration::from_secs(900)));
    deterministic::Runner::new(config).start(|mut context| async move {
        // The committee: ed25519 identities and BLS keys.
        let identities: Vec<ed25519::PrivateKey> = (0..VALIDATORS).map(ed25519::PrivateKey::from_seed).collect();
        let keys: Vec<PublicKey> = identities.iter().map(|key| key.public_key()).collect();
        let bls: Vec<_> = (0..VALIDATORS).map(|_| ops::keypair::<_, MinPk>(&mut context)).collect();
        let committee: BiMap<PublicKey, _> = keys
            .iter()
            .cloned()
            .zip(bls.iter().map(|(_, public)| *public))
            .collect::<Vec<_>>()
            .try_into()
            .expect("identities are distinct");
        let verifier = Scheme::verifier(CONSENSUS_NAMESPACE, committee.clone());

        let (network, oracle) = Network::new_with_peers(
            context.child("network"),
            NetworkConfig {
                max_size: 8 * 1024 * 1024,
                max_peers_per_set: NZUsize!(VALIDATORS as usize),
                disconnect_on_block: false,
                tracked_peer_sets: NZUsize!(1),
            },
            keys.clone(),
        )
        .await;
        network.start();
        link_all(&oracle, &keys, None).await;

        let quota = Quota::per_second(NZU32!(100_000));
        let shards = NonZeroU32::new(1).unwrap();
        let mut validators: Vec<Validator> = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let control = oracle.control(key.clone());
            let mut channels = Vec::new();
            for channel in 0..4 {
                channels.push(control.register(channel, quota).await.expect("channels register once"));
            }
            let mut channels = channels.into_iter();
            let mut next = || channels.next().expect("four channels");
            let channels = Channels { votes: next(), certificates: next(), resolver: next(), blocks: next() };
            let (private, _) = &bls[index];
            let scheme = Scheme::signer(CONSENSUS_NAMESPACE, committee.clone(), private.clone())
                .expect("the key is in the committee");
            let config = ValidatorConfig {
                scheme,
                state: ShardState::new(ShardId(0), shards, address(&faucet())),
                contracts: Arc::new(NoContracts),
                partition: format!("validator-{index}"),
                leader_timeout: Duration::from_secs(1),
                block_interval: Duration::ZERO,
                idle_block_interval: Duration::ZERO,
            };
            let validator_context = context.child("validator").with_attribute("index", index);
            validators.push(min_chain::node::start(validator_context, config, oracle.control(key.clone()), channels));
        }
        let ledgers: Vec<_> = validators.iter().map(|validator| validator.ledger.clone()).collect();
        let submit = |batch: &[Transaction]| {
            for transaction in batch {
                for validator in &validators {
                    validator.mailbox.submit(transaction.clone());
                }
            }
        };

        // One validator, chosen by the seed, is cut off from 0.2 s to 4.2 s,
        // while the workload below is running.
        let cut = keys[(seed % VALIDATORS) as usize].clone();
        {
            let oracle = oracle.clone();
            let keys = keys.clone();
            context.child("partition").spawn(move |context| async move {
                context.sleep(Duration::from_millis(200)).await;
                unlink(&oracle, &keys, &cut).await;
                context.sleep(Duration::from_secs(4)).await;
                link_all(&oracle, &keys, Some(&cut)).await;
            });
        }

        // Phase 1: the faucet mints one coin for each client.
        let mints: Vec<Transaction> = (0..CLIENTS)
            .map(|index| {
                let mut body = signed(
                    &faucet(),
                    Procedure::Mint { amount: COIN },
                    vec![],
                    vec![coin(address(&client(index)), COIN)],
                )
                .body;
                body.params = vec![index];
                body.sign(&faucet())
            })
            .collect();
        submit(&mints);
        settle(&context, seed, &ledgers, &mints, "minting").await;
        for (mint, ledger) in mints.iter().zip(std::iter::repeat(&ledgers[0])) {
            assert!(outcome(ledger, mint).is_ok(), "seed {seed}: a mint aborted: {:?}", outcome(ledger, mint));
        }

        // Phase 2, a second later: even clients spend their coin twice, to two different
        // recipients; odd clients pay 400 and keep 600 in change.
        let mut double_spends = Vec::new();
        let mut payments = Vec::new();
        for index in 0..CLIENTS {
            let key = client(index);
            let minted = output(&mints[index as usize], 0);
            if index % 2 == 0 {
                let first = address(&client((index + 1) % CLIENTS));
                let second = address(&client((index + 3) % CLIENTS));
                double_spends.push((
                    minted.id,
                    signed(&key, Procedure::Transfer { amount: COIN }, vec![minted], vec![coin(first, COIN)]),
                    signed(&key, Procedure::Transfer { amount: COIN }, vec![minted], vec![coin(second, COIN)]),
                ));
            } else {
                let payee = address(&client((index + 1) % CLIENTS));
                payments.push(signed(
                    &key,
                    Procedure::Transfer { amount: 400 },
                    vec![minted],
                    vec![coin(payee, 400), coin(address(&key), 600)],
                ));
            }
        }
        let spends: Vec<Transaction> = double_spends
            .iter()
            .flat_map(|(_, first, second)| [first.clone(), second.clone()])
            .chain(payments.iter().cloned())
            .collect();
        context.sleep(Duration::from_secs(1)).await;
        submit(&spends);
        settle(&context, seed, &ledgers, &spends, "transfers").await;
        for (coin_id, first, second) in &double_spends {
            let outcomes = [outcome(&ledgers[0], first), outcome(&ledgers[0], second)];
            let committed = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
            assert_eq!(committed, 1, "seed {seed}: a double spend committed {committed} times: {outcomes:?}");
            assert!(
                outcomes.contains(&Err(Abort::InactiveObject(*coin_id))),
                "seed {seed}: the losing spend aborts as inactive: {outcomes:?}"
            );
        }
        for payment in &payments {
            assert!(
                outcome(&ledgers[0], payment).is_ok(),
                "seed {seed}: a payment aborted: {:?}",
                outcome(&ledgers[0], payment)
            );
        }

        // Phase 3, a second later: odd clients split their change, which exists only
        // because their payment committed.
        let splits: Vec<Transaction> = payments
            .iter()
            .map(|payment| {
                let owner = payment.body.signer;
                let key = (0..CLIENTS).map(client).find(|key| address(key) == owner).unwrap();
                signed(&key, Procedure::Split, vec![output(payment, 1)], vec![coin(owner, 100), coin(owner, 500)])
            })
            .collect();
        context.sleep(Duration::from_secs(1)).await;
        submit(&splits);
        settle(&context, seed, &ledgers, &splits, "splits").await;
        for split in &splits {
            assert!(
                outcome(&ledgers[0], split).is_ok(),
                "seed {seed}: a split aborted: {:?}",
                outcome(&ledgers[0], split)
            );
        }

        check_agreement(seed, &ledgers);
        check_no_double_consumption(seed, &ledgers[0]);
        check_certificates(seed, &mut context, &verifier, &ledgers);
        let elapsed =
            context.current().duration_since(std::time::UNIX_EPOCH).expect("simulated time starts at the epoch");
        let ends = ledgers
            .iter()
            .map(|ledger| {
                let ledger = ledger.lock().unwrap();
                (ledger.tip(), ledger.state.digest())
            })
            .collect();
        (elapsed, ends)
    })
}

/// Every validator finalized the same sequence of blocks (one is a prefix
/// of the other), passed through the same states, and ends in the same state.
fn check_agreement(seed: u64, ledgers: &[Arc<Mutex<Ledger>>]) {
    let ledgers: Vec<_> = ledgers.iter().map(|ledger| ledger.lock().unwrap()).collect();
    let reference = &ledgers[0];
    for (index, ledger) in ledgers.iter().enumerate() {
        for (height, (ours, theirs)) in reference.blocks.iter().zip(&ledger.blocks).enumerate() {
            assert_eq!(
                ours.digest,
                theirs.digest,
                "seed {seed}: validators 0 and {index} differ at height {}",
                height + 1
            );
            assert_eq!(
                ours.state_digest,
                theirs.state_digest,
                "seed {seed}: states of 0 and {index} differ at height {}",
                height + 1
            );
        }
        assert_eq!(
            reference.state.digest(),
            ledger.state.digest(),
            "seed {seed}: validators 0 and {index} end in different states"
        );
    }
}

/// No object version is consumed by two committed transactions.
fn check_no_double_consumption(seed: u64, ledger: &Arc<Mutex<Ledger>>) {
    let ledger = ledger.lock().unwrap();
    let mut consumed: BTreeSet<ObjectId> = BTreeSet::new();
    for block in &ledger.blocks {
        for (transaction, outcome) in block.block.transactions.iter().zip(&block.outcomes) {
            if outcome.is_ok() {
                for input in &transaction.body.inputs {
                    assert!(consumed.insert(input.id), "seed {seed}: {:?} consumed twice", input.id);
                }
            }
        }
    }
}

/// Every finalization certificate verifies against the committee and
/// carries at least 2f+1 signers, and covers every finalized block.
fn check_certificates(
    seed: u64,
    context: &mut deterministic::Context,
    verifier: &Scheme,
    ledgers: &[Arc<Mutex<Ledger>>],
) {
    let mut certified = BTreeSet::new();
    for ledger in ledgers {
        let ledger = ledger.lock().unwrap();
        for (digest, finalization) in &ledger.finalizations {
            assert_eq!(
                finalization.proposal.payload, *digest,
                "seed {seed}: a finalization is filed under another block"
            );
            assert!(finalization.verify(context, verifier, &Sequential), "seed {seed}: a finalization does not verify");
            let signers = finalization.certificate.signers.count();
            assert!(signers >= QUORUM, "seed {seed}: a certificate has {signers} signers");
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
        assert!(certified.contains(&tip), "seed {seed}: validator {index}'s last finalized block has no certificate");
    }
}
