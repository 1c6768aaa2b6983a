//! An open-loop load generator for the devnet: pre-signed ed25519
//! transfers, each spending its own genesis coin (so none conflict), a
//! chosen fraction of them cross-shard (the output on another shard than
//! the input), submitted in process through the router at a fixed offered
//! rate (or as fast as admission allows), with each transaction's latency
//! from submission until it is final on every shard it concerns.
//! Transactions that come due within a millisecond of each other are
//! handed over together, up to a batch
//! (`Router::submit_all`, which checks their signatures in one batch), as
//! a client submits what it has with one JSON-RPC batch. Beside
//! it, the same kind of transfers applied sequentially to one shard's
//! state (no consensus, signatures verified in batches as validators do).
//!
//! `cargo bench -p min-node --bench load -- [--quick] [--rate TX_PER_S] [--transactions N] [--shards S] [--cross PERCENT] [--submit-batch N] [--block-interval MS]`
//! (`--shards` and `--cross` run only that configuration; `--submit-batch 1`
//! submits each transaction alone; `--block-interval` sets the devnet's,
//! 10 ms by default).
//! Results are recorded in BENCHMARKS.md ("Chain").

use ed25519_dalek::SigningKey;
use min_chain::contracts::NoContracts;
use min_chain::node::PROPOSAL_TRANSACTIONS_MAX;
use min_chain::objects::{Address, ObjectRef};
use min_chain::shard::{ShardId, shard_of};
use min_chain::state::{Applied, ShardState};
use min_chain::transaction::{Procedure, Transaction, TransactionBody, TxId};
use min_node::keys::address_of;
use min_node::routing::Router;
use min_node::wallet::{coin_output, mint};
use min_node::{DevnetConfig, Started};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Funded accounts of each devnet; their genesis coins are the load's inputs.
const ACCOUNTS: u32 = 1000;
/// Validators per shard.
const VALIDATORS: u32 = 4;
/// The devnet's block interval while transactions wait, in milliseconds, by default.
const BLOCK_INTERVAL_MS: u64 = 10;
/// How long to wait for the last transaction to become final.
const DRAIN_DEADLINE: Duration = Duration::from_secs(120);
/// How often the ledgers are polled for finality.
const POLL_INTERVAL: Duration = Duration::from_millis(1);
/// The most transactions handed to the router at once, by default.
const SUBMIT_BATCH: usize = 64;
/// How long after a transaction comes due the load generator waits for
/// others to hand over with it, at a fixed offered rate.
const SUBMIT_TICK: Duration = Duration::from_millis(1);

struct Options {
    transactions: usize,
    /// Offered transactions per second; 0 submits as fast as admission allows.
    rate: u64,
    /// Only this number of shards, if given.
    shards: Option<u32>,
    /// Only this percentage of cross-shard transactions, if given.
    cross_percent: Option<u32>,
    /// The most transactions already due handed to the router at once.
    submit_batch: usize,
    /// The devnet's block interval while transactions wait, in milliseconds.
    block_interval_ms: u64,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|arg| arg == flag).and_then(|at| args.get(at + 1)?.parse().ok());
    let quick = args.iter().any(|arg| arg == "--quick");
    Options {
        transactions: value("--transactions").unwrap_or(if quick { 2_000 } else { 20_000 }),
        rate: value("--rate").map_or(0, |rate| rate as u64),
        shards: value("--shards").map(|shards| shards as u32),
        cross_percent: value("--cross").map(|percent| percent as u32),
        submit_batch: value("--submit-batch").map_or(SUBMIT_BATCH, |batch: usize| batch.max(1)),
        block_interval_ms: value("--block-interval").map_or(BLOCK_INTERVAL_MS, |interval: usize| interval as u64),
    }
}

fn main() {
    let options = options();
    let baseline = baseline(options.transactions);
    println!(
        "baseline: {} transfers applied sequentially on one shard state in {:.3} s: {:.0} tx/s \
         (batch signature check {:.1} us/tx, single check {:.1} us/tx)",
        options.transactions,
        baseline.elapsed.as_secs_f64(),
        baseline.throughput,
        baseline.batch_verify_us,
        baseline.single_verify_us,
    );
    let rate = if options.rate == 0 { "unthrottled".to_string() } else { format!("{} tx/s offered", options.rate) };
    println!(
        "devnet: {VALIDATORS} validators per shard, block interval {} ms, {rate}, \
         up to {} due transactions submitted at once",
        options.block_interval_ms, options.submit_batch
    );
    println!(
        "| shards | cross-shard | committed | offered tx/s | committed tx/s | ratio to baseline | p50 ms | p95 ms | p99 ms | aborted | rejected |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for shards in [1u32, 2, 4].into_iter().filter(|shards| options.shards.is_none_or(|only| only == *shards)) {
        let fractions: &[u32] = if shards == 1 { &[0] } else { &[0, 10, 30, 100] };
        for &cross_percent in
            fractions.iter().filter(|percent| options.cross_percent.is_none_or(|only| only == **percent))
        {
            match run_load(shards, cross_percent, &options) {
                Ok(result) => println!(
                    "| {shards} | {cross_percent} % | {} | {:.0} | {:.0} | {:.3} | {:.1} | {:.1} | {:.1} | {} | {} |",
                    result.committed,
                    result.offered,
                    result.throughput,
                    result.throughput / baseline.throughput,
                    result.percentile(0.50),
                    result.percentile(0.95),
                    result.percentile(0.99),
                    result.aborted,
                    result.rejected,
                ),
                Err(error) => println!("| {shards} | {cross_percent} % | failed: {error} |"),
            }
        }
    }
}

/// What the sequential baseline measured.
struct Baseline {
    elapsed: Duration,
    throughput: f64,
    batch_verify_us: f64,
    single_verify_us: f64,
}

/// `count` transfers, each of its own genesis coin, applied to one shard's
/// state in blocks of a proposal's size, signatures verified per block in a batch.
fn baseline(count: usize) -> Baseline {
    let shards = NonZeroU32::MIN;
    let faucet = SigningKey::from_bytes(&[0xfa; 32]);
    let accounts: Vec<SigningKey> = (0..ACCOUNTS).map(|index| account_key(index as u64)).collect();
    let mut state = ShardState::new(ShardId(0), shards, address_of(&faucet));
    let mut coins = Vec::with_capacity(count);
    for index in 0..count {
        let owner = &accounts[index % accounts.len()];
        let coin = mint(&faucet, address_of(owner), 1_000, &(index as u64).to_le_bytes(), None, shards)
            .expect("a positive mint is placed");
        let outputs = state.apply(&coin, true, &NoContracts).expect("the faucet's mint applies");
        coins.push((owner, outputs[0]));
    }
    let transfers: Vec<Transaction> = coins
        .iter()
        .enumerate()
        .map(|(index, (owner, coin))| {
            let to = address_of(&accounts[(index + 1) % accounts.len()]);
            transfer(owner, *coin, 1_000, to, None, shards)
        })
        .collect();
    let began = Instant::now();
    let mut applied = 0;
    for block in transfers.chunks(PROPOSAL_TRANSACTIONS_MAX) {
        applied += state
            .execute_transactions(block, &NoContracts)
            .iter()
            .filter(|outcome| matches!(outcome, Applied::Final(Ok(_))))
            .count();
    }
    let elapsed = began.elapsed();
    assert_eq!(applied, count, "every baseline transfer applies");
    let timed = |check: &dyn Fn()| {
        let began = Instant::now();
        check();
        began.elapsed().as_secs_f64() * 1e6 / count as f64
    };
    let batch_verify_us = timed(&|| {
        for block in transfers.chunks(PROPOSAL_TRANSACTIONS_MAX) {
            assert!(min_chain::transaction::verify_signatures(block).iter().all(|valid| *valid));
        }
    });
    let single_verify_us = timed(&|| assert!(transfers.iter().all(Transaction::verify_signature)));
    Baseline { elapsed, throughput: count as f64 / elapsed.as_secs_f64(), batch_verify_us, single_verify_us }
}

fn account_key(index: u64) -> SigningKey {
    let mut seed = [0x5a; 32];
    seed[..8].copy_from_slice(&index.to_le_bytes());
    SigningKey::from_bytes(&seed)
}

/// A transfer of the whole `coin` (worth `value`) to `to`, its one output
/// placed on `output_shard` (the coin's own shard when `None`) by a nonce
/// in the parameters.
fn transfer(
    key: &SigningKey,
    coin: ObjectRef,
    value: u128,
    to: Address,
    output_shard: Option<ShardId>,
    shards: NonZeroU32,
) -> Transaction {
    let wanted = output_shard.unwrap_or_else(|| shard_of(&coin.id, shards));
    let mut body = TransactionBody {
        procedure: Procedure::Transfer { amount: value },
        inputs: vec![coin],
        references: vec![],
        params: vec![0; 8],
        outputs: vec![coin_output(to, value)],
        signer: address_of(key),
    };
    for nonce in 0u64.. {
        body.params.copy_from_slice(&nonce.to_le_bytes());
        if shard_of(&body.id().output_id(0), shards) == wanted {
            break;
        }
    }
    body.sign(key)
}

/// What one load run measured.
struct LoadResult {
    committed: usize,
    aborted: usize,
    rejected: usize,
    /// Submitted transactions per second.
    offered: f64,
    /// Committed transactions per second, from the first submission to the last commit.
    throughput: f64,
    /// Commit latencies, sorted, in milliseconds.
    latencies: Vec<f64>,
}

impl LoadResult {
    fn percentile(&self, quantile: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.latencies.len() as f64 * quantile).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }
}

/// Starts a devnet of `shards` shards, loads it, and stops it.
fn run_load(shards: u32, cross_percent: u32, options: &Options) -> Result<LoadResult, String> {
    let count = options.transactions;
    let coins_per_account = (count as u32).div_ceil(ACCOUNTS * shards).max(1);
    let config = DevnetConfig {
        shards,
        validators: VALIDATORS,
        accounts: ACCOUNTS,
        coins_per_account,
        rpc_port: 0,
        ephemeral: true,
        block_interval_ms: options.block_interval_ms,
        ..DevnetConfig::default()
    };
    let (ready, started) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let devnet = std::thread::spawn(move || {
        min_node::run(
            config,
            async move {
                let _ = stopped.await;
            },
            move |started: &Started| {
                let _ = ready.send((started.router.clone(), started.accounts.clone(), started.account_balance));
            },
        )
    });
    let result = match started.recv_timeout(Duration::from_secs(120)) {
        Ok((router, accounts, balance)) => Ok(load(&router, &accounts, balance, cross_percent, options)),
        Err(_) => Err("the devnet did not start".to_string()),
    };
    let _ = stop.send(());
    match devnet.join() {
        Ok(Err(error)) => return Err(error.to_string()),
        Err(_) => return Err("the devnet panicked".to_string()),
        Ok(Ok(())) => {}
    }
    result
}

/// Pre-signs the load, submits it open-loop and follows the ledgers until
/// every transaction is final (or the drain deadline passes).
fn load(
    router: &Arc<Router>,
    accounts: &[SigningKey],
    balance: u128,
    cross_percent: u32,
    options: &Options,
) -> LoadResult {
    let shards = router.shard_count();
    let shard_count = shards.get() as usize;
    // Every account's genesis coins, shard by shard.
    let mut coins: Vec<Vec<(&SigningKey, ObjectRef)>> = vec![Vec::new(); shard_count];
    for key in accounts {
        for located in router.objects_owned_by(address_of(key)) {
            coins[located.shard.0 as usize].push((key, located.object.reference()));
        }
    }
    let mut transactions = Vec::with_capacity(options.transactions);
    for index in 0..options.transactions {
        let from = index % shard_count;
        let Some((key, coin)) = coins[from].get(index / shard_count).copied() else { break };
        // Cross-shard transactions spread evenly through the load.
        let cross = shard_count > 1 && (index as u64 * u64::from(cross_percent)) % 100 < u64::from(cross_percent);
        let output_shard =
            cross.then(|| ShardId(((from + 1 + index / shard_count % (shard_count - 1)) % shard_count) as u32));
        let to = address_of(&accounts[(index + 1) % accounts.len()]);
        let transaction = transfer(key, coin, balance, to, output_shard, shards);
        let concerned = if cross { 2 } else { 1 };
        transactions.push((transaction, concerned));
    }
    let index_of: HashMap<TxId, usize> =
        transactions.iter().enumerate().map(|(index, (transaction, _))| (transaction.id(), index)).collect();
    let submitted_at: Arc<Vec<AtomicU64>> = Arc::new((0..transactions.len()).map(|_| AtomicU64::new(0)).collect());
    let remaining: Vec<u8> = transactions.iter().map(|(_, concerned)| *concerned).collect();

    let began = Instant::now();
    let follower = {
        let router = router.clone();
        let submitted_at = submitted_at.clone();
        std::thread::spawn(move || follow(&router, &index_of, remaining, &submitted_at, began))
    };
    let due = |index: usize| match options.rate {
        0 => began,
        rate => began + Duration::from_secs_f64(index as f64 / rate as f64),
    };
    let mut rejected = 0;
    let mut waiting = transactions.into_iter().map(|(transaction, _)| transaction).enumerate().peekable();
    while let Some((first, transaction)) = waiting.next() {
        // Whatever comes due within a tick of the first is handed over with
        // it, as a client or a JSON-RPC front end batches what arrives
        // together; each transaction's latency counts from the hand-over.
        if let Some(wait) = (due(first) + SUBMIT_TICK).checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let mut batch = vec![transaction];
        while batch.len() < options.submit_batch
            && let Some((_, next)) = waiting.next_if(|(index, _)| due(*index) <= Instant::now())
        {
            batch.push(next);
        }
        let handed_over = began.elapsed().as_nanos() as u64 + 1;
        for at in &submitted_at[first..first + batch.len()] {
            at.store(handed_over, Ordering::Release);
        }
        rejected += router.submit_all(batch).iter().filter(|submitted| submitted.is_err()).count();
    }
    let submit_time = began.elapsed();
    let count = submitted_at.len();
    let followed = follower.join().expect("the follower does not panic");
    let last_final = followed.last_final.max(submit_time);
    let mut latencies = followed.latencies;
    latencies.sort_by(f64::total_cmp);
    LoadResult {
        committed: followed.committed,
        aborted: followed.aborted,
        rejected,
        offered: count as f64 / submit_time.as_secs_f64(),
        throughput: followed.committed as f64 / last_final.as_secs_f64(),
        latencies,
    }
}

/// What following the ledgers found.
struct Followed {
    committed: usize,
    aborted: usize,
    latencies: Vec<f64>,
    last_final: Duration,
}

/// Polls each shard's most advanced ledger for new finalized blocks and
/// records when each transaction became final on every shard it
/// concerns: in its block for a single-shard one, in its acceptance's
/// block for a cross-shard one.
fn follow(
    router: &Router,
    index_of: &HashMap<TxId, usize>,
    mut remaining: Vec<u8>,
    submitted_at: &[AtomicU64],
    began: Instant,
) -> Followed {
    let shards = router.shard_count().get();
    let mut cursors = vec![None::<usize>; shards as usize];
    let mut outstanding = remaining.len();
    let mut followed = Followed { committed: 0, aborted: 0, latencies: Vec::new(), last_final: Duration::ZERO };
    let mut failed = vec![false; remaining.len()];
    let mut deadline = Instant::now() + DRAIN_DEADLINE;
    while outstanding > 0 && Instant::now() < deadline {
        let mut finals: Vec<(TxId, bool)> = Vec::new();
        for shard in 0..shards {
            let validators = router.validators(ShardId(shard));
            let best = validators
                .iter()
                .max_by_key(|validator| validator.ledger.lock().expect("ledger lock").blocks.len())
                .expect("a shard has validators");
            let ledger = best.ledger.lock().expect("ledger lock");
            // Blocks finalized before the load began carry none of it.
            let cursor = cursors[shard as usize].get_or_insert(0);
            for finalized in &ledger.blocks[*cursor..] {
                for (transaction, applied) in finalized.block.transactions.iter().zip(&finalized.applied) {
                    if let Applied::Final(outcome) = applied {
                        finals.push((transaction.id(), outcome.is_ok()));
                    }
                }
                for (acceptance, accepted) in finalized.block.acceptances.iter().zip(&finalized.accepted) {
                    if let Ok(outcome) = accepted {
                        finals.push((acceptance.transaction, outcome.is_ok()));
                    }
                }
            }
            *cursor = ledger.blocks.len();
        }
        let now = began.elapsed();
        for (id, ok) in finals {
            let Some(&index) = index_of.get(&id) else { continue };
            if remaining[index] == 0 {
                continue;
            }
            failed[index] |= !ok;
            remaining[index] -= 1;
            if remaining[index] == 0 {
                outstanding -= 1;
                followed.last_final = now;
                if failed[index] {
                    followed.aborted += 1;
                } else {
                    followed.committed += 1;
                    let submitted = Duration::from_nanos(submitted_at[index].load(Ordering::Acquire) - 1);
                    followed.latencies.push((now - submitted).as_secs_f64() * 1e3);
                }
                // Progress keeps the drain going.
                deadline = Instant::now() + DRAIN_DEADLINE;
            }
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    followed
}
