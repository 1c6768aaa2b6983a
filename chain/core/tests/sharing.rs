//! A client that reaches one validator alone: the validator shares the
//! transaction with its committee, so the transaction commits though that
//! validator crashes right after and never leads again in the run; and a
//! share the committee's network loses is sent again until a block
//! carries the transaction.
//! The harness is `sim/mod.rs`; `MIN_SIM_SEEDS` and `MIN_SIM_SEED` choose seeds.

mod sim;

use commonware_runtime::deterministic;
use commonware_runtime::{Clock as _, Runner as _};
use min_chain::shard::ShardId;
use min_chain::transaction::{Procedure, Transaction};
use sim::{ChainConfig, PHASE_DEADLINE, VALIDATORS, address, client, coin, faucet, lossy_link, signed};
use std::time::Duration;

#[test]
fn a_transaction_shared_by_one_validator_commits_after_that_validator_crashes() {
    sim::for_each_seed(|seed| {
        sim::runner(seed).start(|mut context| async move {
            let chain = sim::start(&mut context, ChainConfig { shards: 1, crashed: vec![] }).await;
            let holder = (seed % VALIDATORS as u64) as usize;
            let mint = mint(0, 7, seed);
            chain.share_through((0, holder), &mint);
            // The holder goes down once its shares have crossed the links
            // (20 ± 10 ms), before it could be sure to lead, and stays down.
            chain.crash_and_restart(&context, (0, holder), Duration::from_millis(40), PHASE_DEADLINE * 2);
            let id = mint.id();
            wait_until(&context, "the shared mint did not commit on the other three", || {
                let ledgers = chain.ledgers(ShardId(0));
                let committed =
                    ledgers.iter().filter(|ledger| ledger.lock().unwrap().outcomes.contains_key(&id)).count();
                ledgers.len() == VALIDATORS - 1 && committed == ledgers.len()
            })
            .await;
            let outcome = chain.ledgers(ShardId(0))[0].lock().unwrap().outcomes[&id].1.clone();
            assert!(outcome.is_ok(), "the mint commits: {outcome:?}");
        })
    });
}

#[test]
fn a_share_the_network_lost_is_sent_again_until_a_block_carries_it() {
    sim::for_each_seed(|seed| {
        sim::runner(seed).start(|mut context| async move {
            let chain = sim::start(&mut context, ChainConfig { shards: 1, crashed: vec![] }).await;
            let holder = (seed % VALIDATORS as u64) as usize;
            let oracle = chain.oracles[0].clone();
            let keys = chain.keys[0].clone();
            let others: Vec<_> =
                keys.iter().enumerate().filter(|(index, _)| *index != holder).map(|(_, key)| key).collect();
            // The holder hears nothing from its committee for the whole
            // run, so it never takes part in a round (it cannot lead one),
            // and what it sends is lost until its links out come back.
            for other in &others {
                oracle.remove_link((*other).clone(), keys[holder].clone()).await.expect("the link exists");
                oracle.remove_link(keys[holder].clone(), (*other).clone()).await.expect("the link exists");
            }
            let mint = mint(1, 9, seed);
            chain.share_through((0, holder), &mint);
            context.sleep(Duration::from_millis(300)).await;
            for other in &others {
                oracle
                    .add_link(keys[holder].clone(), (*other).clone(), lossy_link())
                    .await
                    .expect("a link is added once");
            }
            let id = mint.id();
            wait_until(&context, "the mint shared again did not commit on the other three", || {
                let ledgers = chain.ledgers(ShardId(0));
                let committed = ledgers
                    .iter()
                    .enumerate()
                    .filter(|(index, ledger)| *index != holder && ledger.lock().unwrap().outcomes.contains_key(&id))
                    .count();
                committed == VALIDATORS - 1
            })
            .await;
            let outcome = chain.ledgers(ShardId(0))[(holder + 1) % VALIDATORS].lock().unwrap().outcomes[&id].1.clone();
            assert!(outcome.is_ok(), "the mint commits: {outcome:?}");
        })
    });
}

/// A faucet mint of `amount` for client `client`, made distinct by `seed`.
fn mint(client_index: u8, amount: u128, seed: u64) -> Transaction {
    signed(
        &faucet(),
        Procedure::Mint { amount },
        vec![],
        vec![coin(address(&client(client_index)), amount)],
        seed.to_le_bytes().to_vec(),
    )
}

/// Checks `done` every 100 ms of simulated time until it holds, failing
/// with `failure` after [`PHASE_DEADLINE`].
async fn wait_until(context: &deterministic::Context, failure: &str, done: impl Fn() -> bool) {
    let deadline = context.current() + PHASE_DEADLINE;
    loop {
        context.sleep(Duration::from_millis(100)).await;
        if done() {
            return;
        }
        assert!(context.current() < deadline, "{failure}");
    }
}
