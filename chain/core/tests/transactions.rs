//! Transactions on one shard: the encoding round-trips and rejects bad
//! bytes, signatures are batch-verified, and every abort reason leaves the
//! state untouched.

use ed25519_dalek::SigningKey;
use min_chain::block::{BLOCK_TIME_DRIFT_MS, Block, genesis_digest};
use min_chain::contracts::NoContracts;
use min_chain::encoding::DecodeError;
use min_chain::objects::{Address, ObjectId, ObjectRef, TypeTag, coin_data};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::state::{Abort, Applied, ShardState};
use min_chain::transaction::{
    Output, Procedure, TRANSACTION_BYTES_MAX, Transaction, TransactionBody, verify_signatures,
};
use proptest::prelude::*;
use std::num::NonZeroU32;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

fn coin(owner: &SigningKey, value: u128) -> Output {
    Output { owner: address(owner), type_tag: TypeTag::COIN, data: coin_data(value) }
}

fn one_shard() -> NonZeroU32 {
    NonZeroU32::new(1).unwrap()
}

fn faucet() -> SigningKey {
    key(200)
}

fn new_state() -> ShardState {
    ShardState::new(ShardId(0), one_shard(), address(&faucet()))
}

fn mint(owner: &SigningKey, amount: u128, nonce: u64) -> Transaction {
    TransactionBody {
        procedure: Procedure::Mint { amount },
        inputs: vec![],
        references: vec![],
        params: nonce.to_le_bytes().to_vec(),
        outputs: vec![coin(owner, amount)],
        signer: address(&faucet()),
    }
    .sign(&faucet())
}

fn transfer(from: &SigningKey, inputs: Vec<ObjectRef>, to: &SigningKey, amount: u128, change: u128) -> Transaction {
    let mut outputs = vec![coin(to, amount)];
    if change > 0 {
        outputs.push(coin(from, change));
    }
    TransactionBody {
        procedure: Procedure::Transfer { amount },
        inputs,
        references: vec![],
        params: vec![],
        outputs,
        signer: address(from),
    }
    .sign(from)
}

/// A state where `alice` owns one coin of 100; returns the coin's reference.
fn funded(state: &mut ShardState, alice: &SigningKey) -> ObjectRef {
    let created = state.apply(&mint(alice, 100, 0), true, &NoContracts).unwrap();
    created[0]
}

#[test]
fn a_transaction_round_trips_through_its_encoding() {
    let alice = key(1);
    let coin_ref = ObjectRef { id: ObjectId([7; 32]), version: 3 };
    let transaction = transfer(&alice, vec![coin_ref], &key(2), 40, 60);
    let bytes = transaction.to_bytes();
    let decoded = Transaction::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, transaction);
    assert_eq!(decoded.id(), transaction.id());
    assert_eq!(decoded.to_bytes(), bytes);
}

#[test]
fn a_block_round_trips_through_its_encoding() {
    let block = Block {
        parent: genesis_digest(),
        time: 1_764_201_600_123,
        transactions: vec![mint(&key(1), 5, 0), mint(&key(2), 6, 1)],
        acceptances: vec![],
    };
    let decoded = Block::from_bytes(&block.to_bytes()).unwrap();
    assert_eq!(decoded, block);
    assert_eq!(decoded.digest(), block.digest());
    assert_eq!(decoded.seconds(), 1_764_201_600);
    let later = Block { time: block.time + 1, ..block.clone() };
    assert_ne!(later.digest(), block.digest(), "the time is part of what consensus agrees on");
}

#[test]
fn a_block_time_follows_its_parent_and_the_voters_clock() {
    let block = Block { parent: genesis_digest(), time: 100_000, transactions: vec![], acceptances: vec![] };
    assert!(block.time_fits(99_999, 100_000));
    assert!(!block.time_fits(100_000, 100_000), "a block comes after its parent");
    assert!(block.time_fits(0, 100_000 - BLOCK_TIME_DRIFT_MS), "a clock behind by the drift still votes");
    assert!(!block.time_fits(0, 100_000 - BLOCK_TIME_DRIFT_MS - 1), "a block from further in the future gets no vote");
}

#[test]
fn a_block_with_a_malformed_transaction_is_rejected() {
    let block =
        Block { parent: genesis_digest(), time: 1_000, transactions: vec![mint(&key(1), 5, 0)], acceptances: vec![] };
    let mut bytes = block.to_bytes();
    // The parent (32 bytes), the time (8), the count (4) and the
    // transaction's length (4) come before the transaction's procedure tag.
    bytes[48] = 9;
    assert_eq!(Block::from_bytes(&bytes), Err(DecodeError::UnknownTag { what: "procedure", tag: 9 }));
}

#[test]
fn a_block_announcing_too_many_transactions_is_rejected() {
    let mut bytes = genesis_digest().0.to_vec();
    bytes.extend_from_slice(&1_000u64.to_le_bytes());
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(Block::from_bytes(&bytes), Err(DecodeError::TooLong { what: "transactions", .. })));
}

#[test]
fn every_truncation_of_a_transaction_is_rejected() {
    let bytes = transfer(&key(1), vec![], &key(2), 1, 0).to_bytes();
    for length in 0..bytes.len() {
        assert!(
            matches!(Transaction::from_bytes(&bytes[..length]), Err(DecodeError::Truncated { .. })),
            "prefix of {length} bytes"
        );
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = mint(&key(1), 5, 0).to_bytes();
    bytes.push(0);
    assert_eq!(Transaction::from_bytes(&bytes), Err(DecodeError::TrailingBytes { count: 1 }));
}

#[test]
fn oversized_input_is_rejected_before_it_is_read() {
    let bytes = vec![0u8; TRANSACTION_BYTES_MAX + 1];
    assert!(matches!(Transaction::from_bytes(&bytes), Err(DecodeError::TooLong { what: "transaction", .. })));
}

#[test]
fn a_huge_length_prefix_is_rejected_without_allocating() {
    // Procedure tag 1 (split), then an input count of 2³² - 1.
    let bytes = [1, 0xff, 0xff, 0xff, 0xff];
    assert!(matches!(Transaction::from_bytes(&bytes), Err(DecodeError::TooLong { what: "inputs", .. })));
}

#[test]
fn an_unknown_procedure_is_rejected() {
    assert_eq!(Transaction::from_bytes(&[9]), Err(DecodeError::UnknownTag { what: "procedure", tag: 9 }));
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Transaction::from_bytes(&bytes);
        let _ = Block::from_bytes(&bytes);
        let _ = min_chain::sbac::Vote::from_bytes(&bytes);
        let _ = min_chain::sbac::Certificate::from_bytes(&bytes);
    }

    #[test]
    fn flipping_a_byte_never_panics_and_changes_the_id_or_fails(
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let transaction = transfer(&key(1), vec![], &key(2), 9, 0);
        let mut bytes = transaction.to_bytes();
        let position = position.index(bytes.len());
        bytes[position] ^= flip;
        if let Ok(decoded) = Transaction::from_bytes(&bytes) {
            prop_assert_ne!(decoded, transaction);
        }
    }

    #[test]
    fn amounts_and_params_round_trip(amount in any::<u128>(), params in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut body = mint(&key(3), amount, 0).body().clone();
        body.params = params;
        let transaction = body.sign(&faucet());
        prop_assert_eq!(transaction.encoded_len(), transaction.to_bytes().len());
        prop_assert_eq!(Transaction::from_bytes(&transaction.to_bytes()).unwrap(), transaction);
    }
}

#[test]
fn a_batch_with_one_bad_signature_flags_exactly_that_one() {
    let mut transactions: Vec<_> = (0..8).map(|i| mint(&key(1), 10, i)).collect();
    assert_eq!(verify_signatures(&transactions), vec![true; 8]);
    transactions[5].signature[0] ^= 1;
    let mut expected = vec![true; 8];
    expected[5] = false;
    assert_eq!(verify_signatures(&transactions), expected);
    assert!(!transactions[5].verify_signature());
}

#[test]
fn a_signature_over_another_body_is_rejected() {
    let signed = mint(&key(1), 10, 0);
    let mut body = signed.body().clone();
    body.params = vec![1];
    let transaction = Transaction::with_signature(body, signed.signature);
    assert!(!transaction.verify_signature());
    let mut state = new_state();
    assert_eq!(
        state.execute_transactions(&[transaction], &NoContracts),
        vec![Applied::Final(Err(Abort::BadSignature))]
    );
    assert_eq!(state.object_count(), 0);
}

#[test]
fn a_transfer_consumes_its_input_and_creates_payment_and_change() {
    let (alice, bob) = (key(1), key(2));
    let mut state = new_state();
    let coin_ref = funded(&mut state, &alice);
    let created = state.apply(&transfer(&alice, vec![coin_ref], &bob, 30, 70), true, &NoContracts).unwrap();
    assert!(!state.is_active(&coin_ref.id));
    assert_eq!(state.object(&created[0].id).unwrap().coin_value(), Some(30));
    assert_eq!(state.object(&created[0].id).unwrap().owner, address(&bob));
    assert_eq!(state.object(&created[1].id).unwrap().coin_value(), Some(70));
    assert_eq!(created[0].version, 1);
}

#[test]
fn a_consumed_object_cannot_be_consumed_again() {
    let (alice, bob, carol) = (key(1), key(2), key(3));
    let mut state = new_state();
    let coin_ref = funded(&mut state, &alice);
    let first = transfer(&alice, vec![coin_ref], &bob, 100, 0);
    let second = transfer(&alice, vec![coin_ref], &carol, 100, 0);
    let outcomes = state.execute_transactions(&[first, second], &NoContracts);
    assert!(matches!(outcomes[0], Applied::Final(Ok(_))));
    assert_eq!(outcomes[1], Applied::Final(Err(Abort::InactiveObject(coin_ref.id))));
    assert_eq!(state.active_owned_by(address(&carol)).count(), 0);
}

/// Applies `transaction` to a funded state and checks that it aborts with
/// `expected` and changes nothing.
fn assert_aborts(state: &mut ShardState, transaction: &Transaction, expected: Abort) {
    let before = state.clone();
    assert_eq!(state.apply(transaction, true, &NoContracts), Err(expected));
    assert_eq!(*state, before);
    assert_eq!(state.digest(), before.digest());
}

#[test]
fn each_abort_reason_leaves_the_state_unchanged() {
    let (alice, bob) = (key(1), key(2));
    let mut state = new_state();
    let coin_ref = funded(&mut state, &alice);

    let missing = ObjectRef { id: ObjectId([9; 32]), version: 1 };
    assert_aborts(&mut state, &transfer(&alice, vec![missing], &bob, 1, 0), Abort::MissingObject(missing.id));

    let stale = ObjectRef { id: coin_ref.id, version: 2 };
    assert_aborts(
        &mut state,
        &transfer(&alice, vec![stale], &bob, 100, 0),
        Abort::WrongVersion { id: coin_ref.id, expected: 2, found: 1 },
    );

    assert_aborts(&mut state, &transfer(&bob, vec![coin_ref], &bob, 100, 0), Abort::NotOwner(coin_ref.id));

    assert_aborts(
        &mut state,
        &transfer(&alice, vec![coin_ref], &bob, 60, 50),
        Abort::CheckerFailed("the outputs' value differs from the inputs'".into()),
    );

    assert_aborts(
        &mut state,
        &transfer(&alice, vec![coin_ref, coin_ref], &bob, 200, 0),
        Abort::Malformed("an object is named twice".into()),
    );

    let not_faucet = TransactionBody {
        procedure: Procedure::Mint { amount: 5 },
        inputs: vec![],
        references: vec![],
        params: vec![],
        outputs: vec![coin(&alice, 5)],
        signer: address(&alice),
    }
    .sign(&alice);
    assert_aborts(&mut state, &not_faucet, Abort::CheckerFailed("only the faucet mints".into()));

    let replay = mint(&alice, 100, 0);
    assert_aborts(&mut state, &replay, Abort::Replayed(replay.id().output_id(0)));

    state.lock(coin_ref.id);
    assert_aborts(&mut state, &transfer(&alice, vec![coin_ref], &bob, 100, 0), Abort::LockedObject(coin_ref.id));
    state.unlock(&coin_ref.id);

    let spend = transfer(&alice, vec![coin_ref], &bob, 100, 0);
    assert!(state.apply(&spend, true, &NoContracts).is_ok());
    assert_aborts(&mut state, &transfer(&alice, vec![coin_ref], &alice, 100, 0), Abort::InactiveObject(coin_ref.id));
}

#[test]
fn a_split_keeps_the_value_with_the_signer() {
    let alice = key(1);
    let mut state = new_state();
    let coin_ref = funded(&mut state, &alice);
    let split = TransactionBody {
        procedure: Procedure::Split,
        inputs: vec![coin_ref],
        references: vec![],
        params: vec![],
        outputs: vec![coin(&alice, 25), coin(&alice, 75)],
        signer: address(&alice),
    }
    .sign(&alice);
    assert_eq!(state.apply(&split, true, &NoContracts).unwrap().len(), 2);
    let total: u128 = state.active_owned_by(address(&alice)).filter_map(|object| object.coin_value()).sum();
    assert_eq!(total, 100);
}

#[test]
fn an_object_on_another_shard_aborts_with_wrong_shard() {
    let shards = NonZeroU32::new(4).unwrap();
    let foreign = (0u8..=255).map(|byte| ObjectId([byte; 32])).find(|id| shard_of(id, shards) != ShardId(0)).unwrap();
    let mut state = ShardState::new(ShardId(0), shards, address(&faucet()));
    let transaction = transfer(&key(1), vec![ObjectRef { id: foreign, version: 1 }], &key(2), 1, 0);
    assert_eq!(state.apply(&transaction, true, &NoContracts), Err(Abort::WrongShard(foreign)));
}

#[test]
fn objects_spread_over_all_shards_and_a_transaction_touches_its_objects_shards() {
    let shards = NonZeroU32::new(4).unwrap();
    let mut seen = [0usize; 4];
    for byte in 0u8..=255 {
        let shard = shard_of(&ObjectId([byte; 32]), shards);
        assert_eq!(shard, shard_of(&ObjectId([byte; 32]), shards));
        seen[shard.0 as usize] += 1;
    }
    assert!(seen.iter().all(|&count| count > 30), "{seen:?}");

    let inputs: Vec<_> = (0u8..8).map(|byte| ObjectRef { id: ObjectId([byte; 32]), version: 1 }).collect();
    let transaction = transfer(&key(1), inputs.clone(), &key(2), 1, 0);
    let touched = shards_touched(transaction.body(), shards);
    for input in &inputs {
        assert!(touched.contains(&shard_of(&input.id, shards)));
    }
    assert!(touched.contains(&shard_of(&transaction.id().output_id(0), shards)));
    assert_eq!(shards_touched(transaction.body(), one_shard()).len(), 1, "one shard holds everything");
}

#[test]
fn the_computed_length_is_the_encoding_length_for_every_kind_of_transaction() {
    let procedures = [
        Procedure::Transfer { amount: 5 },
        Procedure::Split,
        Procedure::Mint { amount: 7 },
        Procedure::Publish,
        Procedure::Call { name: "transfer_all".into(), salt: 3 },
    ];
    for procedure in procedures {
        for count in [0usize, 1, 3] {
            let reference = |index: usize| ObjectRef { id: ObjectId([index as u8; 32]), version: index as u64 };
            let transaction = TransactionBody {
                procedure: procedure.clone(),
                inputs: (0..count).map(reference).collect(),
                references: (0..count * 2).map(reference).collect(),
                params: vec![9; count * 5],
                outputs: (0..count).map(|index| coin(&key(index as u8), 10)).collect(),
                signer: address(&key(1)),
            }
            .sign(&key(1));
            assert_eq!(transaction.encoded_len(), transaction.to_bytes().len(), "{procedure:?} with {count}");
        }
    }
}

#[test]
fn a_blocks_digest_is_that_of_its_encoding() {
    let block =
        Block { parent: genesis_digest(), time: 1_000, transactions: vec![mint(&key(1), 5, 0)], acceptances: vec![] };
    let bytes = block.to_bytes();
    assert_eq!(Block::digest_of_encoding(&bytes), block.digest());
    assert_eq!(Block::from_bytes(&bytes).unwrap().to_bytes(), bytes, "decoding then encoding gives the same bytes");
}
