//! Whole-committee runs on commonware's deterministic runtime: four
//! validators of one shard order blocks with simplex over the simulated
//! network, with message delay and loss, one validator cut off for part of
//! the run and another killed after the first phase and restarted from its
//! store, while clients mint, transfer and try to spend coins twice.
//! The harness is `sim/mod.rs`; `MIN_SIM_SEEDS` and `MIN_SIM_SEED` choose seeds.

mod sim;

use commonware_runtime::{Clock as _, Runner as _};
use min_chain::node::Digest;
use min_chain::shard::ShardId;
use min_chain::state::Abort;
use min_chain::transaction::{Procedure, Transaction};
use sim::{ChainConfig, VALIDATORS, address, client, coin, faucet, output, signed};
use std::time::Duration;

const CLIENTS: u8 = 8;
const COIN: u128 = 1_000;

#[test]
fn a_committee_agrees_on_every_block_under_loss_and_a_partition() {
    sim::for_each_seed(run);
}

#[test]
fn a_seed_replays_exactly() {
    assert_eq!(run(3), run(3));
}

/// What a run ends with, to compare two runs of one seed: the simulated
/// time, and each validator's last block and state.
type Fingerprint = (Duration, Vec<(Option<Digest>, [u8; 32])>);

fn run(seed: u64) -> Fingerprint {
    sim::runner(seed).start(|mut context| async move {
        let chain = sim::start(&mut context, ChainConfig { shards: 1, crashed: vec![] }).await;

        // One validator, chosen by the seed, is cut off from 0.2 s to 4.2 s,
        // while the workload below is running.
        let cut = (seed % VALIDATORS as u64) as usize;
        chain.cut_off(&context, (0, cut), Duration::from_millis(200), Duration::from_secs(4), false);

        // Phase 1: the faucet mints one coin for each client.
        let mints: Vec<Transaction> = (0..CLIENTS)
            .map(|index| {
                signed(
                    &faucet(),
                    Procedure::Mint { amount: COIN },
                    vec![],
                    vec![coin(address(&client(index)), COIN)],
                    vec![index],
                )
            })
            .collect();
        chain.submit(&mints);
        chain.settle(&context, &mints, "minting").await;
        for mint in &mints {
            assert!(chain.outcome(mint).is_ok(), "a mint aborted: {:?}", chain.outcome(mint));
        }

        // Another validator is killed at a moment the seed chooses within
        // the next second, and restarts from its store two seconds later.
        // While the first is cut off, only two of four run, so the
        // committee stalls until the restarted validator rejoins: it must
        // catch up and vote again.
        let crashed = (cut + 1 + (seed / VALIDATORS as u64) as usize % (VALIDATORS - 1)) % VALIDATORS;
        let crash_at = Duration::from_millis((seed * 397) % 1_000);
        chain.crash_and_restart(&context, (0, crashed), crash_at, Duration::from_secs(2));

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
                let spend =
                    |to| signed(&key, Procedure::Transfer { amount: COIN }, vec![minted], vec![coin(to, COIN)], vec![]);
                double_spends.push((minted.id, spend(first), spend(second)));
            } else {
                let payee = address(&client((index + 1) % CLIENTS));
                payments.push(signed(
                    &key,
                    Procedure::Transfer { amount: 400 },
                    vec![minted],
                    vec![coin(payee, 400), coin(address(&key), 600)],
                    vec![],
                ));
            }
        }
        let spends: Vec<Transaction> = double_spends
            .iter()
            .flat_map(|(_, first, second)| [first.clone(), second.clone()])
            .chain(payments.iter().cloned())
            .collect();
        context.sleep(Duration::from_secs(1)).await;
        chain.submit(&spends);
        chain.settle(&context, &spends, "transfers").await;
        for (coin_id, first, second) in &double_spends {
            let outcomes = [chain.outcome(first), chain.outcome(second)];
            let committed = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
            assert_eq!(committed, 1, "a double spend committed {committed} times: {outcomes:?}");
            assert!(
                outcomes.contains(&Err(Abort::InactiveObject(*coin_id))),
                "the losing spend aborts as inactive: {outcomes:?}"
            );
        }
        for payment in &payments {
            assert!(chain.outcome(payment).is_ok(), "a payment aborted: {:?}", chain.outcome(payment));
        }

        // Phase 3, a second later: odd clients split their change, which exists only
        // because their payment committed.
        let splits: Vec<Transaction> = payments
            .iter()
            .map(|payment| {
                let owner = payment.body().signer;
                let key = (0..CLIENTS).map(client).find(|key| address(key) == owner).unwrap();
                signed(
                    &key,
                    Procedure::Split,
                    vec![output(payment, 1)],
                    vec![coin(owner, 100), coin(owner, 500)],
                    vec![],
                )
            })
            .collect();
        context.sleep(Duration::from_secs(1)).await;
        chain.submit(&splits);
        chain.settle(&context, &splits, "splits").await;
        for split in &splits {
            assert!(chain.outcome(split).is_ok(), "a split aborted: {:?}", chain.outcome(split));
        }

        // The restarted validator holds every outcome too.
        chain.wait_until_all_run(&context).await;
        let all: Vec<Transaction> = mints.iter().chain(&spends).chain(&splits).cloned().collect();
        chain.settle(&context, &all, "catching up").await;
        assert_eq!(chain.restarts(), 1, "the crashed validator restarted from its store");
        chain.check_safety(&mut context);
        let elapsed =
            context.current().duration_since(std::time::UNIX_EPOCH).expect("simulated time starts at the epoch");
        let ends = chain
            .ledgers(ShardId(0))
            .iter()
            .map(|ledger| {
                let ledger = ledger.lock().unwrap();
                (ledger.tip(), ledger.state.digest())
            })
            .collect();
        (elapsed, ends)
    })
}
