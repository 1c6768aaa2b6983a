//! S-BAC under simulation: two shards of four validators, lossy links, and
//! per seed either one validator of each shard Byzantine (it runs no
//! consensus and, on the cross-shard network, signs the opposite of every
//! decision of its shard, forges certificates and sends garbage) or one
//! validator cut off from its shard and from the other shard for four
//! seconds; and in every seed a validator of shard 1 killed mid-run and
//! restarted from its store. Clients pay across shards, merge coins held on both shards,
//! spend one coin twice across shards, and send a transaction whose
//! checker fails once every shard has locked its inputs. Every cross-shard
//! transaction must end the same on every shard it concerns, no object may
//! be consumed twice, every certificate must verify with a quorum, and
//! nothing may stay locked. The harness is `sim/mod.rs`.

mod sim;

use commonware_runtime::{Clock as _, Runner as _, Spawner as _, Supervisor as _};
use min_chain::shard::ShardId;
use min_chain::state::Abort;
use min_chain::transaction::{Procedure, Transaction};
use sim::{ChainConfig, VALIDATORS, address, client, coin, faucet, output, placed};
use std::time::Duration;

const CLIENTS: u8 = 8;
const COIN: u128 = 1_000;

#[test]
fn cross_shard_transactions_commit_on_every_shard_or_on_none() {
    sim::for_each_seed(run);
}

#[test]
fn a_cross_shard_seed_replays_exactly() {
    assert_eq!(run(5), run(5));
}

fn home(index: u8) -> ShardId {
    ShardId(u32::from(index % 2))
}

fn away(index: u8) -> ShardId {
    ShardId(1 - u32::from(index % 2))
}

/// Each shard's validator 0's final state digest and the simulated time.
fn run(seed: u64) -> (Duration, Vec<[u8; 32]>) {
    sim::runner(seed).start(|mut context| async move {
        let crash = seed % 2 == 1;
        let crashed = if crash {
            vec![(0, (seed % VALIDATORS as u64) as usize), (1, ((seed / 2) % VALIDATORS as u64) as usize)]
        } else {
            vec![]
        };
        let mut chain = sim::start(&mut context, ChainConfig { shards: 2, crashed }).await;
        let shards = chain.shards;
        // A crashed validator's keys turn Byzantine on the cross-shard
        // network: it signs the opposite of every decision of its shard.
        for impostor in std::mem::take(&mut chain.impostors) {
            context.child("impostor").spawn(move |_| impostor.lie());
        }
        if !crash {
            // One validator of shard 0 loses every link, in its shard and
            // across shards, from 0.2 s to 4.2 s.
            let cut = (seed % VALIDATORS as u64) as usize;
            chain.cut_off(&context, (0, cut), Duration::from_millis(200), Duration::from_secs(4), true);
        }

        // Phase 1: every client gets a coin on its home shard.
        let mints: Vec<Transaction> = (0..CLIENTS)
            .map(|index| {
                let owner = address(&client(index));
                placed(
                    &faucet(),
                    Procedure::Mint { amount: COIN },
                    vec![],
                    vec![coin(owner, COIN)],
                    index.into(),
                    &[home(index)],
                    shards,
                )
            })
            .collect();
        chain.submit(&mints);
        chain.settle(&context, &mints, "minting").await;
        for mint in &mints {
            assert!(chain.outcome(mint).is_ok(), "a mint aborted: {:?}", chain.outcome(mint));
        }

        // A validator of shard 1 (not the Byzantine one) is killed while
        // the cross-shard phase runs and restarts from its store two
        // seconds later, with S-BAC decisions prepared and not yet accepted.
        let byzantine = ((seed / 2) % VALIDATORS as u64) as usize;
        let killed = (byzantine + 1 + (seed as usize / 2) % (VALIDATORS - 1)) % VALIDATORS;
        let crash_at = Duration::from_millis(1_000 + (seed * 397) % 2_000);
        chain.crash_and_restart(&context, (1, killed), crash_at, Duration::from_secs(2));

        // Phase 2: odd clients pay 400 to themselves on the other shard and
        // keep 600 on their own, submitting to their own shard alone (its
        // validators forward the transaction); clients 0 and 4 spend their
        // coin twice across shards; clients 2 and 6 send a transfer that
        // creates coins, which the checker refuses once both shards locked.
        let mut payments = Vec::new();
        let mut double_spends = Vec::new();
        let mut forgeries = Vec::new();
        for index in 0..CLIENTS {
            let key = client(index);
            let me = address(&key);
            let minted = output(&mints[index as usize], 0);
            let label = 100 + u64::from(index);
            match index % 4 {
                1 | 3 => payments.push(placed(
                    &key,
                    Procedure::Transfer { amount: 400 },
                    vec![minted],
                    vec![coin(me, 400), coin(me, 600)],
                    label,
                    &[away(index), home(index)],
                    shards,
                )),
                0 => {
                    let spend = |to: u8, label| {
                        let to = address(&client(to));
                        placed(
                            &key,
                            Procedure::Transfer { amount: COIN },
                            vec![minted],
                            vec![coin(to, COIN)],
                            label,
                            &[away(index)],
                            shards,
                        )
                    };
                    double_spends.push((minted.id, spend(index + 1, label), spend(index + 3, label + 1000)));
                }
                _ => forgeries.push((
                    index,
                    placed(
                        &key,
                        Procedure::Transfer { amount: 2 * COIN },
                        vec![minted],
                        vec![coin(me, 2 * COIN)],
                        label,
                        &[away(index)],
                        shards,
                    ),
                )),
            }
        }
        context.sleep(Duration::from_secs(1)).await;
        for payment in &payments {
            chain.submit_to(home(payment_owner(payment)), payment);
        }
        let conflicting: Vec<Transaction> =
            double_spends.iter().flat_map(|(_, first, second)| [first.clone(), second.clone()]).collect();
        chain.submit(&conflicting);
        let forged: Vec<Transaction> = forgeries.iter().map(|(_, forgery)| forgery.clone()).collect();
        chain.submit(&forged);
        let phase2: Vec<Transaction> = payments.iter().chain(&conflicting).chain(&forged).cloned().collect();
        chain.settle(&context, &phase2, "cross-shard transfers").await;
        for payment in &payments {
            assert_eq!(chain.shards_of(payment).len(), 2);
            assert!(chain.outcome(payment).is_ok(), "a cross-shard payment aborted: {:?}", chain.outcome(payment));
        }
        for (coin_id, first, second) in &double_spends {
            let outcomes = [chain.outcome(first), chain.outcome(second)];
            let committed = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
            assert_eq!(committed, 1, "a cross-shard double spend committed {committed} times: {outcomes:?}");
            let refused = outcomes.iter().find_map(|outcome| outcome.clone().err()).expect("one aborted");
            let coin_shard = sim::shard_of_object(coin_id, shards);
            assert!(
                matches!(&refused, Abort::Refused { shard, .. } if *shard == coin_shard),
                "the losing spend is refused by the coin's shard: {refused:?}"
            );
        }
        for (_, forgery) in &forgeries {
            assert_eq!(
                chain.outcome(forgery),
                Err(Abort::CheckerFailed("the outputs' value differs from the inputs'".into()))
            );
        }

        // Phase 3: odd clients merge their coins on both shards into one;
        // clients 2 and 6 spend the coin the refused forgery had locked.
        let merges: Vec<Transaction> = payments
            .iter()
            .map(|payment| {
                let index = payment_owner(payment);
                let key = client(index);
                placed(
                    &key,
                    Procedure::Transfer { amount: COIN },
                    vec![output(payment, 0), output(payment, 1)],
                    vec![coin(address(&key), COIN)],
                    200 + u64::from(index),
                    &[home(index)],
                    shards,
                )
            })
            .collect();
        let unlocked: Vec<Transaction> = forgeries
            .iter()
            .map(|(index, _)| {
                let key = client(*index);
                let minted = output(&mints[*index as usize], 0);
                placed(
                    &key,
                    Procedure::Transfer { amount: COIN },
                    vec![minted],
                    vec![coin(address(&key), COIN)],
                    300 + u64::from(*index),
                    &[away(*index)],
                    shards,
                )
            })
            .collect();
        let phase3: Vec<Transaction> = merges.iter().chain(&unlocked).cloned().collect();
        context.sleep(Duration::from_secs(1)).await;
        chain.submit(&phase3);
        chain.settle(&context, &phase3, "merges").await;
        for transaction in &phase3 {
            assert_eq!(chain.shards_of(transaction).len(), 2);
            assert!(chain.outcome(transaction).is_ok(), "{:?}", chain.outcome(transaction));
        }

        // Let every validator catch up, the restarted one included, then
        // check the whole run.
        chain.wait_until_all_run(&context).await;
        let all: Vec<Transaction> = mints.iter().chain(&phase2).chain(&phase3).cloned().collect();
        chain.settle(&context, &all, "catching up").await;
        assert_eq!(chain.restarts(), 1, "the killed validator restarted from its store");
        context.sleep(Duration::from_secs(5)).await;
        chain.check_safety(&mut context);
        let elapsed =
            context.current().duration_since(std::time::UNIX_EPOCH).expect("simulated time starts at the epoch");
        let states = (0..2).map(|shard| chain.ledgers(ShardId(shard))[0].lock().unwrap().state.digest()).collect();
        (elapsed, states)
    })
}

fn payment_owner(payment: &Transaction) -> u8 {
    (0..CLIENTS).find(|index| address(&client(*index)) == payment.body().signer).expect("a client signed it")
}
