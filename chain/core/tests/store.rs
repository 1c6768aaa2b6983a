//! A validator's store on a real redb file: what it was given survives
//! closing and reopening it (objects, consumed objects, locks and prepared
//! cross-shard transactions, blocks with their results, blocks proposed or
//! voted for until they are finalized), whether a block's changes are
//! still in the journal or folded into the tables, and a store of another
//! chain or of an older format is refused.

mod sim;

use ed25519_dalek::SigningKey;
use min_chain::block::{Block, genesis_digest};
use min_chain::contracts::NoContracts;
use min_chain::node::{FinalizedBlock, Store};
use min_chain::objects::{Address, ObjectRef, TypeTag, coin_data};
use min_chain::shard::ShardId;
use min_chain::state::{Abort, Applied, ShardState, StateChanges};
use min_chain::transaction::{Output, Procedure, Transaction};
use std::num::NonZeroU32;
use std::path::PathBuf;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

fn two_shards() -> NonZeroU32 {
    NonZeroU32::new(2).unwrap()
}

/// A fresh directory for one test.
fn directory(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("min-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// A transaction by `signer` whose single output of `value` for `owner`
/// lands on `shard`, found by trying parameters after `label`.
fn placed(
    signer: &SigningKey,
    procedure: Procedure,
    inputs: Vec<ObjectRef>,
    (owner, value): (Address, u128),
    label: u8,
    shard: u32,
) -> Transaction {
    let output = Output { owner, type_tag: TypeTag::COIN, data: coin_data(value) };
    sim::placed(signer, procedure, inputs, vec![output], label.into(), &[ShardId(shard)], two_shards())
}

/// Shard 0 of two where `alice` holds two coins of 100, minted at genesis.
fn genesis(faucet: &SigningKey, alice: &SigningKey) -> (ShardState, [ObjectRef; 2]) {
    let mut state = ShardState::new(ShardId(0), two_shards(), address(faucet));
    let [first, second] = [0, 1].map(|label| {
        let mint = placed(faucet, Procedure::Mint { amount: 100 }, vec![], (address(alice), 100), label, 0);
        state.apply(&mint, true, &NoContracts).unwrap()[0]
    });
    (state, [first, second])
}

/// The record of `block`, applied with `applied` and leaving `state`.
fn finalized(block: Block, applied: Vec<Applied>, state: &ShardState) -> FinalizedBlock {
    FinalizedBlock {
        digest: block.digest(),
        block,
        accepted: vec![],
        applied,
        events: vec![],
        state_digest: state.digest(),
    }
}

#[test]
fn a_block_voted_for_is_kept_until_it_is_finalized() {
    let path = directory("unfinalized").join("validator.redb");
    let (faucet, alice, bob) = (key(200), key(1), key(2));
    let (genesis, [first, second]) = genesis(&faucet, &alice);
    let store = Store::open(&path).unwrap();
    let mut state = store.load_or_init(genesis.clone()).unwrap().state;

    let pay =
        |input, label| placed(&alice, Procedure::Transfer { amount: 100 }, vec![input], (address(&bob), 100), label, 0);
    let block = Block { parent: genesis_digest(), time: 1_000, transactions: vec![pay(first, 0)], acceptances: vec![] };
    let fork = Block { parent: genesis_digest(), time: 1_000, transactions: vec![pay(second, 1)], acceptances: vec![] };
    // A child of the fork, and a child of `block` (which is empty: it only
    // needs a parent).
    let on_fork = Block { parent: fork.digest(), time: 2_000, transactions: vec![], acceptances: vec![] };
    let next = Block { parent: block.digest(), time: 2_000, transactions: vec![], acceptances: vec![] };
    store.keep_unfinalized(&block.digest(), &block.to_bytes()).unwrap();
    store.keep_unfinalized(&fork.digest(), &fork.to_bytes()).unwrap();
    drop(store);

    // Killed before either was finalized: both come back.
    let store = Store::open(&path).unwrap();
    let mut kept = store.load_or_init(genesis.clone()).unwrap().unfinalized;
    kept.sort_by_key(|(digest, _)| digest.0);
    let mut expected = vec![(block.digest(), block.clone()), (fork.digest(), fork.clone())];
    expected.sort_by_key(|(digest, _)| digest.0);
    assert_eq!(kept, expected);
    store.keep_unfinalized(&on_fork.digest(), &on_fork.to_bytes()).unwrap();
    store.keep_unfinalized(&next.digest(), &next.to_bytes()).unwrap();

    // Once `block` is finalized, the fork and what extends it can never
    // be: only the block extending `block` is left.
    let applied = state.execute_transactions(&block.transactions, &NoContracts);
    let finalized = finalized(block, applied, &state);
    store.commit(1, &finalized, &finalized.block.to_bytes(), &state.take_changes(), None).unwrap();
    drop(store);
    let reopened = Store::open(&path).unwrap().load_or_init(genesis).unwrap();
    assert_eq!(reopened.unfinalized, vec![(next.digest(), next)]);
    assert_eq!(reopened.blocks.len(), 1);
}

#[test]
fn a_reopened_store_holds_the_blocks_and_state_it_was_given() {
    let path = directory("reopen").join("validator.redb");
    let (faucet, alice, bob) = (key(200), key(1), key(2));
    let (genesis, [first, second]) = genesis(&faucet, &alice);

    let store = Store::open(&path).unwrap();
    let stored = store.load_or_init(genesis.clone()).unwrap();
    assert!(stored.blocks.is_empty(), "a new store starts with no block");
    assert_eq!(stored.state, genesis);
    let mut state = stored.state;

    // One block: a payment on shard 0, and a payment to shard 1 that
    // shard 0 prepares, locking its coin until the acceptance.
    let local = placed(&alice, Procedure::Transfer { amount: 100 }, vec![first], (address(&bob), 100), 0, 0);
    let cross = placed(&alice, Procedure::Transfer { amount: 100 }, vec![second], (address(&bob), 100), 0, 1);
    let block = Block {
        parent: genesis_digest(),
        time: 1_000,
        transactions: vec![local.clone(), cross.clone()],
        acceptances: vec![],
    };
    state.set_time(block.seconds());
    let applied = state.execute_transactions(&block.transactions, &NoContracts);
    assert!(matches!(applied[0], Applied::Final(Ok(_))));
    assert!(matches!(applied[1], Applied::Prepared(_)));
    let finalized = finalized(block, applied, &state);
    store.commit(1, &finalized, &finalized.block.to_bytes(), &state.take_changes(), None).unwrap();
    drop(store);

    let reopened = Store::open(&path).unwrap().load_or_init(genesis).unwrap();
    assert_eq!(reopened.state, state, "the state reads back as it was");
    assert_eq!(reopened.state.time(), 1, "at the last block's time, which the next block's transactions follow");
    assert_eq!(reopened.state.digest(), finalized.state_digest);
    assert_eq!(reopened.blocks.len(), 1);
    assert_eq!(reopened.blocks[0].digest, finalized.digest);
    assert_eq!(reopened.blocks[0].applied, finalized.applied);
    assert!(!reopened.state.is_active(&first.id), "the spent coin stays spent");
    assert!(reopened.state.awaiting_acceptance().any(|(id, _)| *id == cross.id()), "the prepared transaction waits");
    let spend_locked = placed(&alice, Procedure::Transfer { amount: 100 }, vec![second], (address(&alice), 100), 1, 0);
    assert_eq!(
        reopened.state.check(&spend_locked, true, &NoContracts),
        Err(Abort::LockedObject(second.id)),
        "the lock survives the restart"
    );
}

/// Applies three blocks of one transfer each to `genesis` (the third
/// spends the coin the first created), handing `commit` each block's
/// height, record, changes and the state after it.
fn three_transfers(
    genesis: &ShardState,
    [first, second]: [ObjectRef; 2],
    mut commit: impl FnMut(u64, &FinalizedBlock, &StateChanges, &ShardState),
) {
    let (alice, bob) = (key(1), key(2));
    let pay = |from: &SigningKey, to: &SigningKey, input, label| {
        placed(from, Procedure::Transfer { amount: 100 }, vec![input], (address(to), 100), label, 0)
    };
    let to_bob = pay(&alice, &bob, first, 0);
    let bobs_coin = to_bob.id().output_ref(0);
    let blocks = [vec![to_bob], vec![pay(&alice, &bob, second, 1)], vec![pay(&bob, &alice, bobs_coin, 2)]];
    let mut state = genesis.clone();
    // The genesis entries are the store's from its start, not a block's changes.
    let _ = state.take_changes();
    let mut parent = genesis_digest();
    for (height, transactions) in (1u64..).zip(blocks) {
        let block = Block { parent, time: height * 1_000, transactions, acceptances: vec![] };
        parent = block.digest();
        state.set_time(block.seconds());
        let applied = state.execute_transactions(&block.transactions, &NoContracts);
        assert!(applied.iter().all(|applied| matches!(applied, Applied::Final(Ok(_)))), "{applied:?}");
        let finalized = finalized(block, applied, &state);
        commit(height, &finalized, &state.take_changes(), &state);
    }
    assert!(!state.is_active(&bobs_coin.id), "bob's coin from block 1 was spent in block 3");
}

#[test]
fn the_state_reads_back_the_same_before_and_after_the_journal_is_folded() {
    let path = directory("journal").join("validator.redb");
    let (genesis, coins) = genesis(&key(200), &key(1));
    // A transfer changes two objects; the journal is folded once it holds three.
    let open = || Store::open(&path).unwrap().folding_journal_after(3);
    open().load_or_init(genesis.clone()).unwrap();
    // Block 1 stays in the journal, block 2 folds blocks 1 and 2 into the
    // tables, and block 3, which spends what block 1 created, is journaled.
    three_transfers(&genesis, coins, |height, finalized, changes, state| {
        let store = open();
        store.load_or_init(genesis.clone()).unwrap();
        store.commit(height, finalized, &finalized.block.to_bytes(), changes, None).unwrap();
        drop(store);
        let journaled: Vec<u64> = {
            use redb::{ReadableDatabase as _, ReadableTable as _};
            let database = redb::Database::create(&path).unwrap();
            let journal: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("journal");
            let read = database.begin_read().unwrap();
            read.open_table(journal).unwrap().iter().unwrap().map(|entry| entry.unwrap().0.value()).collect()
        };
        let expected_journal: &[u64] = match height {
            1 => &[1],
            2 => &[],
            _ => &[3],
        };
        assert_eq!(journaled, expected_journal, "the blocks journaled after block {height}");
        let reopened = open().load_or_init(genesis.clone()).unwrap();
        assert_eq!(&reopened.state, state, "after block {height}");
        assert_eq!(reopened.blocks.len() as u64, height);
    });
}

#[test]
fn a_staggered_member_folds_first_after_its_share_then_after_the_usual_size() {
    let (genesis, coins) = genesis(&key(200), &key(1));
    // The first of two members, with folds every four entries: the first
    // after two (block 1), the next after four more (block 3).
    let store = Store::in_memory().unwrap().folding_journal_after(4).staggered(0, 2);
    store.load_or_init(genesis.clone()).unwrap();
    let mut journaled = Vec::new();
    three_transfers(&genesis, coins, |height, finalized, changes, _| {
        store.commit(height, finalized, &finalized.block.to_bytes(), changes, None).unwrap();
        journaled.push(store.journaled_entries());
    });
    assert_eq!(journaled, [0, 2, 0]);
}

#[test]
fn a_store_of_another_chain_is_refused() {
    let path = directory("another-chain").join("validator.redb");
    let (ours, _) = genesis(&key(200), &key(1));
    Store::open(&path).unwrap().load_or_init(ours).unwrap();
    let (other, _) = genesis(&key(201), &key(1));
    let error = Store::open(&path).unwrap().load_or_init(other).err().expect("another genesis is refused");
    assert!(error.to_string().contains("another genesis"), "{error}");
}

#[test]
fn a_file_that_is_not_a_store_is_refused_with_a_reason() {
    let path = directory("garbage").join("validator.redb");
    std::fs::write(&path, b"not a database").unwrap();
    let error = Store::open(&path).err().expect("garbage is refused");
    assert!(error.to_string().contains("validator.redb"), "{error}");
}

#[test]
fn a_store_of_an_older_format_is_refused_with_its_version() {
    let path = directory("old-format").join("validator.redb");
    let (genesis, _) = genesis(&key(200), &key(1));
    Store::open(&path).unwrap().load_or_init(genesis.clone()).unwrap();
    {
        // Format 1 kept no events in its block records.
        let database = redb::Database::create(&path).unwrap();
        let write = database.begin_write().unwrap();
        let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        write.open_table(meta).unwrap().insert("format", 1u32.to_le_bytes().as_slice()).unwrap();
        write.commit().unwrap();
    }
    let error = Store::open(&path).unwrap().load_or_init(genesis).err().expect("an older format is refused");
    assert!(error.to_string().contains("the store's format is version 1, not version 4"), "{error}");
}
