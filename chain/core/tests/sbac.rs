//! S-BAC on two shard states, with real BLS keys: each shard prepares a
//! cross-shard transaction, its committee's votes aggregate into a
//! certificate, and the acceptance carrying both certificates commits or
//! aborts it on both shards alike. Forged, short or mismatched
//! certificates change nothing.

use commonware_cryptography::bls12381::primitives::group::Private;
use commonware_cryptography::bls12381::primitives::ops;
use commonware_cryptography::{Signer as _, ed25519};
use commonware_utils::TestRng;
use ed25519_dalek::SigningKey;
use min_chain::contracts::NoContracts;
use min_chain::encoding::Reader;
use min_chain::objects::{Address, ObjectRef, TypeTag, coin_data};
use min_chain::sbac::BlsVariant;
use min_chain::sbac::{
    Acceptance, BatchProof, Certificate, CertificateError, Committees, Decision, Member, Verdict, Vote, batch_root,
};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::state::{Abort, Applied, ShardState};
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody};
use std::collections::BTreeMap;
use std::num::NonZeroU32;

const SHARDS: u32 = 2;

fn shards() -> NonZeroU32 {
    NonZeroU32::new(SHARDS).unwrap()
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

fn faucet() -> SigningKey {
    key(200)
}

/// Two committees of four, with their BLS keys in committee order.
fn committees() -> (Committees, Vec<Vec<Private>>) {
    let mut rng = TestRng::new(7);
    let mut members = Vec::new();
    for shard in 0..SHARDS {
        let mut shard_members: Vec<(Member, Private)> = (0..4u64)
            .map(|index| {
                let identity = ed25519::PrivateKey::from_seed(u64::from(shard) * 10 + index).public_key();
                let (private, public) = ops::keypair::<_, BlsVariant>(&mut rng);
                (Member { identity, key: public }, private)
            })
            .collect();
        shard_members.sort_by(|a, b| a.0.identity.cmp(&b.0.identity));
        members.push(shard_members);
    }
    let keys = members.iter().map(|shard| shard.iter().map(|(_, private)| private.clone()).collect()).collect();
    (
        Committees::new(
            members.into_iter().map(|shard| shard.into_iter().map(|(member, _)| member).collect()).collect(),
        ),
        keys,
    )
}

/// A transaction whose outputs land on `placement`, found by trying parameters.
fn placed(
    signer: &SigningKey,
    procedure: Procedure,
    inputs: Vec<ObjectRef>,
    outputs: Vec<Output>,
    placement: &[u32],
) -> Transaction {
    (0u64..)
        .map(|nonce| TransactionBody {
            procedure: procedure.clone(),
            inputs: inputs.clone(),
            references: vec![],
            params: nonce.to_le_bytes().to_vec(),
            outputs: outputs.clone(),
            signer: address(signer),
        })
        .find(|body| {
            let id = body.id();
            placement.iter().enumerate().all(|(index, shard)| shard_of(&id.output_id(index), shards()).0 == *shard)
        })
        .unwrap()
        .sign(signer)
}

fn coin(owner: &SigningKey, value: u128) -> Output {
    Output { owner: address(owner), type_tag: TypeTag::COIN, data: coin_data(value) }
}

/// Both shards, with `alice` holding a coin of 100 on each; returns the coins.
fn funded(alice: &SigningKey) -> (Vec<ShardState>, Vec<ObjectRef>) {
    let mut states: Vec<ShardState> =
        (0..SHARDS).map(|shard| ShardState::new(ShardId(shard), shards(), address(&faucet()))).collect();
    let coins = (0..SHARDS)
        .map(|shard| {
            let mint = placed(&faucet(), Procedure::Mint { amount: 100 }, vec![], vec![coin(alice, 100)], &[shard]);
            states[shard as usize].apply(&mint, true, &NoContracts).unwrap()[0]
        })
        .collect();
    (states, coins)
}

/// Prepares `transaction` on every shard it concerns; the decisions by shard.
fn prepare_all(states: &mut [ShardState], transaction: &Transaction) -> BTreeMap<ShardId, Decision> {
    shards_touched(transaction.body(), shards())
        .into_iter()
        .map(|shard| match states[shard.0 as usize].prepare(transaction, transaction.verify_signature()) {
            Applied::Prepared(decision) => (shard, decision),
            other => panic!("shard {shard:?} did not prepare: {other:?}"),
        })
        .collect()
}

/// The certificate of `decision` signed by the members `signers` of its shard.
fn certify(decision: &Decision, keys: &[Vec<Private>], signers: &[u32]) -> Certificate {
    let signatures: BTreeMap<u32, _> = signers
        .iter()
        .map(|signer| {
            let vote = Vote::sign(vec![decision.clone()], *signer, &keys[decision.shard.0 as usize][*signer as usize]);
            (*signer, vote.signature)
        })
        .collect();
    Certificate::aggregate(decision.clone(), BatchProof::default(), &signatures).unwrap()
}

fn acceptance(decisions: &BTreeMap<ShardId, Decision>, keys: &[Vec<Private>]) -> Acceptance {
    let certificates: Vec<Certificate> =
        decisions.values().map(|decision| certify(decision, keys, &[0, 2, 3])).collect();
    Acceptance { transaction: certificates[0].decision.transaction, certificates }
}

#[test]
fn a_transfer_spending_coins_of_both_shards_commits_on_both() {
    let (committees, keys) = committees();
    let (alice, bob) = (key(1), key(2));
    let (mut states, coins) = funded(&alice);
    let transfer = placed(
        &alice,
        Procedure::Transfer { amount: 150 },
        coins.clone(),
        vec![coin(&bob, 150), coin(&alice, 50)],
        &[1, 0],
    );
    let decisions = prepare_all(&mut states, &transfer);
    assert!(decisions.values().all(Decision::is_commit), "{decisions:?}");
    // Locked while the commit is in progress: a local spend of a locked coin aborts.
    let spend = placed(&alice, Procedure::Transfer { amount: 100 }, vec![coins[0]], vec![coin(&bob, 100)], &[0]);
    assert_eq!(states[0].apply(&spend, true, &NoContracts), Err(Abort::LockedObject(coins[0].id)));
    assert_eq!(states[0].prepare(&transfer, true), Applied::AlreadyPrepared);

    let acceptance = acceptance(&decisions, &keys);
    for state in &mut states {
        let outcome = state.accept(&acceptance, &committees, &NoContracts).unwrap();
        let created = outcome.unwrap();
        assert_eq!(created.len(), 2);
        assert!(!state.is_active(&coins[state.shard().0 as usize].id));
        assert_eq!(state.awaiting_acceptance().count(), 0);
        assert!(state.accept(&acceptance, &committees, &NoContracts).is_err(), "accepted once");
    }
    let paid = transfer.id().output_id(0);
    assert_eq!(states[1].object(&paid).unwrap().coin_value(), Some(150));
    assert!(states[0].object(&paid).is_none(), "each shard stores its own outputs");
    assert_eq!(states[0].object(&transfer.id().output_id(1)).unwrap().coin_value(), Some(50));
}

#[test]
fn a_refusal_by_one_shard_aborts_on_both_and_unlocks() {
    let (committees, keys) = committees();
    let (alice, bob) = (key(1), key(2));
    let (mut states, coins) = funded(&alice);
    // Shard 1 consumes its coin first, so it refuses the cross-shard transfer.
    let local = placed(&alice, Procedure::Transfer { amount: 100 }, vec![coins[1]], vec![coin(&bob, 100)], &[1]);
    states[1].apply(&local, true, &NoContracts).unwrap();
    let transfer = placed(&alice, Procedure::Transfer { amount: 200 }, coins.clone(), vec![coin(&bob, 200)], &[0]);
    let decisions = prepare_all(&mut states, &transfer);
    assert!(decisions[&ShardId(0)].is_commit());
    assert!(!decisions[&ShardId(1)].is_commit());
    let acceptance = acceptance(&decisions, &keys);
    for state in &mut states {
        let outcome = state.accept(&acceptance, &committees, &NoContracts).unwrap();
        assert!(
            matches!(&outcome, Err(Abort::Refused { shard: ShardId(1), reason }) if reason.contains("already consumed")),
            "{outcome:?}"
        );
    }
    // The coin on shard 0 is unlocked and still Alice's.
    assert!(states[0].is_active(&coins[0].id));
    let spend = placed(&alice, Procedure::Transfer { amount: 100 }, vec![coins[0]], vec![coin(&bob, 100)], &[0]);
    assert!(states[0].apply(&spend, true, &NoContracts).is_ok());
}

#[test]
fn every_shard_runs_a_cross_shard_transaction_at_the_latest_time_its_certificates_carry() {
    let (committees, keys) = committees();
    let (alice, bob) = (key(1), key(2));
    let (mut states, coins) = funded(&alice);
    // The shards prepare it in blocks seven seconds apart.
    states[0].set_time(1_764_201_600);
    states[1].set_time(1_764_201_607);
    let transfer = placed(&alice, Procedure::Transfer { amount: 200 }, coins.clone(), vec![coin(&bob, 200)], &[0]);
    let decisions = prepare_all(&mut states, &transfer);
    assert_eq!(decisions[&ShardId(0)].time, 1_764_201_600);
    assert_eq!(decisions[&ShardId(1)].time, 1_764_201_607);
    let acceptance = acceptance(&decisions, &keys);
    assert_eq!(acceptance.time(), 1_764_201_607, "the latest prepare, whichever shard reads it");

    // The time is part of what each committee signed.
    let mut moved = acceptance.clone();
    moved.certificates[1].decision.time = 1_764_300_000;
    assert!(moved.verify(&committees).is_err(), "a certificate with another time does not verify");
    for state in &mut states {
        assert!(state.accept(&moved, &committees, &NoContracts).is_err(), "and is not accepted");
        assert!(state.accept(&acceptance, &committees, &NoContracts).unwrap().is_ok());
    }
}

#[test]
fn the_checker_runs_on_the_certified_objects_at_acceptance() {
    let (committees, keys) = committees();
    let (alice, bob) = (key(1), key(2));
    let (mut states, coins) = funded(&alice);
    let forged = placed(&alice, Procedure::Transfer { amount: 300 }, coins.clone(), vec![coin(&bob, 300)], &[1]);
    let decisions = prepare_all(&mut states, &forged);
    assert!(decisions.values().all(Decision::is_commit), "each shard only checks what it holds");
    let acceptance = acceptance(&decisions, &keys);
    for state in &mut states {
        let outcome = state.accept(&acceptance, &committees, &NoContracts).unwrap();
        assert_eq!(outcome, Err(Abort::CheckerFailed("the outputs' value differs from the inputs'".into())));
        assert!(state.is_active(&coins[state.shard().0 as usize].id));
    }
}

#[test]
fn certificates_that_prove_nothing_change_nothing() {
    let (committees, keys) = committees();
    let (alice, bob) = (key(1), key(2));
    let (mut states, coins) = funded(&alice);
    let transfer = placed(&alice, Procedure::Transfer { amount: 200 }, coins.clone(), vec![coin(&bob, 200)], &[0]);
    let decisions = prepare_all(&mut states, &transfer);
    let before = states[0].clone();

    // Two signers of four are short of the quorum of three.
    let short = certify(&decisions[&ShardId(1)], &keys, &[0, 1]);
    assert_eq!(short.verify(&committees), Err(CertificateError::TooFewSigners { signers: 2, quorum: 3 }));
    // A signature by a key of the other shard does not count.
    let mut forged = certify(&decisions[&ShardId(1)], &keys, &[0, 1, 2]);
    forged.decision.verdict = Verdict::Abort { reason: "lies".into() };
    assert_eq!(forged.verify(&committees), Err(CertificateError::BadSignature));
    let foreign = certify(&Decision { shard: ShardId(0), ..decisions[&ShardId(1)].clone() }, &keys, &[0, 1, 2]);
    let mut misfiled = foreign.clone();
    misfiled.decision.shard = ShardId(1);
    assert_eq!(misfiled.verify(&committees), Err(CertificateError::BadSignature));
    let mut repeated = certify(&decisions[&ShardId(1)], &keys, &[0, 1, 2]);
    repeated.signers = vec![0, 0, 1];
    assert_eq!(repeated.verify(&committees), Err(CertificateError::BadSigners));

    let good = certify(&decisions[&ShardId(0)], &keys, &[1, 2, 3]);
    for bad in [short, forged, misfiled, repeated] {
        let acceptance = Acceptance { transaction: transfer.id(), certificates: vec![good.clone(), bad] };
        assert!(states[0].accept(&acceptance, &committees, &NoContracts).is_err());
        assert_eq!(states[0], before, "a bad acceptance changes nothing");
    }
    // One shard's certificate alone, or the certificates of another transaction, are not enough.
    let alone = Acceptance { transaction: transfer.id(), certificates: vec![good.clone()] };
    assert!(states[0].accept(&alone, &committees, &NoContracts).is_err());
    let other = placed(&alice, Procedure::Transfer { amount: 200 }, coins, vec![coin(&bob, 200)], &[1]);
    let elsewhere = Acceptance {
        transaction: other.id(),
        certificates: vec![good, certify(&decisions[&ShardId(1)], &keys, &[0, 1, 2])],
    };
    assert!(states[0].accept(&elsewhere, &committees, &NoContracts).is_err());
    assert_eq!(states[0], before);
}

#[test]
fn votes_and_certificates_round_trip_through_their_encoding() {
    let (committees, keys) = committees();
    let (alice, bob) = (key(1), key(2));
    let (mut states, coins) = funded(&alice);
    let transfer = placed(&alice, Procedure::Transfer { amount: 200 }, coins, vec![coin(&bob, 200)], &[0]);
    let decisions = prepare_all(&mut states, &transfer);
    let decision = decisions[&ShardId(0)].clone();
    let vote = Vote::sign(vec![decision.clone()], 1, &keys[0][1]);
    assert!(vote.verify(&committees));
    assert_eq!(Vote::from_bytes(&vote.to_bytes()).unwrap(), vote);
    let wrong_signer = Vote { signer: 2, ..vote.clone() };
    assert!(!wrong_signer.verify(&committees));
    let certificate = certify(&decision, &keys, &[0, 1, 3]);
    assert_eq!(Certificate::from_bytes(&certificate.to_bytes()).unwrap(), certificate);
    let acceptance = acceptance(&decisions, &keys);
    let mut writer = min_chain::encoding::Writer::new();
    acceptance.encode(&mut writer);
    let bytes = writer.into_bytes();
    let mut reader = Reader::new(&bytes);
    assert_eq!(Acceptance::decode(&mut reader).unwrap(), acceptance);
    // Every truncation of a certificate is refused, never a panic.
    let bytes = certificate.to_bytes();
    for length in 0..bytes.len() {
        assert!(Certificate::from_bytes(&bytes[..length]).is_err());
    }
}

/// Decisions of shard 0 on `count` distinct transactions, as one block makes them.
fn batch(count: u8) -> Vec<Decision> {
    (0..count)
        .map(|seed| Decision {
            transaction: min_chain::transaction::TxId([seed; 32]),
            shard: ShardId(0),
            time: 7,
            verdict: if seed % 2 == 0 {
                Verdict::Commit { objects: vec![] }
            } else {
                Verdict::Abort { reason: format!("reason {seed}") }
            },
        })
        .collect()
}

#[test]
fn every_leaf_of_a_batch_reaches_its_root_along_its_path() {
    for count in 1..=9 {
        let leaves: Vec<[u8; 32]> = batch(count).iter().map(Decision::digest).collect();
        let root = batch_root(&leaves).unwrap();
        for (index, leaf) in leaves.iter().enumerate() {
            let proof = BatchProof::of(&leaves, index).unwrap();
            assert_eq!(proof.root(*leaf), root, "leaf {index} of {count}");
            if count > 1 {
                let other = (index + 1) % leaves.len();
                assert_ne!(proof.root(leaves[other]), root, "leaf {other} on the path of {index} of {count}");
            }
        }
        assert!(BatchProof::of(&leaves, leaves.len()).is_none());
    }
    assert!(batch_root(&[]).is_none());
}

#[test]
fn one_quorum_of_votes_on_a_batch_certifies_each_of_its_decisions() {
    let (committees, keys) = committees();
    let decisions = batch(5);
    let votes: Vec<Vote> =
        [0u32, 2, 3].iter().map(|signer| Vote::sign(decisions.clone(), *signer, &keys[0][*signer as usize])).collect();
    assert!(votes.iter().all(|vote| vote.verify(&committees)));
    let signatures: BTreeMap<u32, _> = votes.iter().map(|vote| (vote.signer, vote.signature)).collect();
    let leaves = &votes[0].leaves;
    for (index, decision) in decisions.iter().enumerate() {
        let proof = BatchProof::of(leaves, index).unwrap();
        let certificate = Certificate::aggregate(decision.clone(), proof.clone(), &signatures).unwrap();
        assert_eq!(certificate.verify(&committees), Ok(()));
        assert_eq!(Certificate::from_bytes(&certificate.to_bytes()).unwrap(), certificate);
        // Another decision of the batch on this path, or this decision
        // changed, proves nothing.
        let other = decisions[(index + 1) % decisions.len()].clone();
        let misplaced = Certificate::aggregate(other, proof.clone(), &signatures).unwrap();
        assert_eq!(misplaced.verify(&committees), Err(CertificateError::BadSignature));
        let changed = Decision { time: decision.time + 1, ..decision.clone() };
        let changed = Certificate::aggregate(changed, proof, &signatures).unwrap();
        assert_eq!(changed.verify(&committees), Err(CertificateError::BadSignature));
    }
    // Fewer signers than a quorum certify nothing, however the batch is cut.
    let two: BTreeMap<u32, _> = signatures.iter().take(2).map(|(signer, signature)| (*signer, *signature)).collect();
    let short = Certificate::aggregate(decisions[0].clone(), BatchProof::of(leaves, 0).unwrap(), &two).unwrap();
    assert_eq!(short.verify(&committees), Err(CertificateError::TooFewSigners { signers: 2, quorum: 3 }));
}

#[test]
fn a_vote_cut_for_one_shard_keeps_its_signature_and_a_forged_decision_is_caught() {
    let (committees, keys) = committees();
    let vote = Vote::sign(batch(4), 1, &keys[0][1]);
    let cut = vote.keeping(|index| index % 2 == 1);
    assert_eq!(cut.decisions.iter().map(|(index, _)| *index).collect::<Vec<_>>(), vec![1, 3]);
    assert!(cut.verify(&committees));
    assert_eq!(Vote::from_bytes(&cut.to_bytes()).unwrap(), cut);
    // A decision that is not the leaf at its index makes the vote fail.
    let mut forged = cut.clone();
    forged.decisions[0].1.time += 1;
    assert!(!forged.is_consistent() && !forged.verify(&committees));
    let mut moved = cut.clone();
    moved.decisions[0].0 = 2;
    assert!(!moved.verify(&committees));
    // A decision of another shard in shard 0's vote is refused too.
    let mut elsewhere = cut;
    elsewhere.decisions[0].1.shard = ShardId(1);
    assert!(!elsewhere.verify(&committees));
    // Every truncation of a vote is refused, never a panic.
    let bytes = vote.to_bytes();
    for length in 0..bytes.len() {
        assert!(Vote::from_bytes(&bytes[..length]).is_err());
    }
}
