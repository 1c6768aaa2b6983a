//! S-BAC, Chainspace's sharded Byzantine atomic commit: the messages that
//! carry one shard's decision on a cross-shard transaction to the others.
//!
//! Each shard concerned by a transaction orders it in one of its blocks
//! and, applying that block, *prepares* it: it checks the objects it holds
//! and either locks them (a commit verdict, which carries those objects so
//! the other shards can run the checker) or refuses (an abort verdict with
//! the reason). The shard's validators sign that [`Decision`] with their BLS
//! keys, all the decisions of one block at once: each signs the root of a
//! hash tree over the block's decisions, and `2f + 1` matching [`Vote`]s
//! aggregate into one signature, from which each decision gets its
//! [`Certificate`] (the decision, its path to the root, and the aggregate).
//! A block of a hundred cross-shard transactions costs each validator one
//! signature and each receiver one pairing check, not a hundred.
//! Once a validator holds a certificate from every concerned shard, its
//! shard orders an [`Acceptance`] carrying them, and applying it commits
//! the transaction (every verdict commit and the checker accepts) or aborts
//! it, releasing the locks. The outcome is a function of the certificates
//! alone, so every concerned shard reaches the same one.

use crate::encoding::{DecodeError, Reader, Writer};
use crate::objects::Object;
use crate::shard::ShardId;
use crate::transaction::{INPUTS_MAX, REFERENCES_MAX, TxId};
use commonware_codec::Encode as _;
use commonware_cryptography::bls12381::primitives::group::Private;
use commonware_cryptography::bls12381::primitives::ops::{self, aggregate};
use commonware_cryptography::bls12381::primitives::variant::{MinSig, Variant};
use commonware_cryptography::{Hasher as _, Sha256, ed25519};
use commonware_utils::iter::NonEmpty;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Mutex;

/// Separates decision signatures from every other use of the BLS keys.
pub const DECISION_NAMESPACE: &[u8] = b"min-chain/sbac/v3";
/// The longest abort reason a decision carries, in bytes.
pub const REASON_BYTES_MAX: usize = 512;
/// The most certificates an acceptance carries: one per shard it concerns.
pub const CERTIFICATES_MAX: usize = 64;
/// The most decisions one vote signs: a block's transactions.
pub const BATCH_DECISIONS_MAX: usize = crate::block::BLOCK_TRANSACTIONS_MAX;
/// The most steps of a path from a decision to its batch's root.
const PROOF_STEPS_MAX: usize = 32;

/// The BLS12-381 variant of every validator key and signature: signatures
/// in G1 (48 bytes), public keys in G2 (96 bytes). A validator signs two
/// consensus votes and its shard's decisions for every block and verifies
/// aggregates of them, so the variant that makes signing and hashing to
/// the curve cheap is the one chosen; a pairing costs the same in both.
pub type BlsVariant = MinSig;

/// A validator's BLS public key (in G2).
pub type BlsPublicKey = <BlsVariant as Variant>::Public;
/// One validator's BLS signature (in G1).
pub type BlsSignature = <BlsVariant as Variant>::Signature;
/// An aggregate of BLS signatures over the same message.
pub type AggregateSignature = aggregate::Signature<BlsVariant>;

/// What a shard decided on a cross-shard transaction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Prepared to commit: the objects this shard holds among those the
    /// transaction consumes or reads (packages aside, which every shard
    /// holds), in the transaction's order, are active, at the named
    /// versions, owned as required, and now locked.
    Commit {
        /// The objects, for the other shards' checkers.
        objects: Vec<Object>,
    },
    /// Prepared to abort, with the reason.
    Abort {
        /// Why, as the shard's abort reads.
        reason: String,
    },
}

/// One shard's prepared decision on one transaction: what its validators sign.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Decision {
    /// The transaction.
    pub transaction: TxId,
    /// The shard that decided.
    pub shard: ShardId,
    /// The time of the block that prepared it there, in seconds: the
    /// transaction runs at the latest of its shards' (`Acceptance::time`).
    pub time: u64,
    /// Commit or abort.
    pub verdict: Verdict,
}

impl Decision {
    /// The canonical encoding, which is also the signed message.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        self.encode(&mut writer);
        writer.into_bytes()
    }

    /// Writes the decision in its canonical encoding.
    pub fn encode(&self, writer: &mut Writer) {
        writer.array(&self.transaction.0);
        writer.u32(self.shard.0);
        writer.u64(self.time);
        match &self.verdict {
            Verdict::Commit { objects } => {
                writer.u8(0);
                writer.length(objects.len());
                for object in objects {
                    object.encode(writer);
                }
            }
            Verdict::Abort { reason } => {
                writer.u8(1);
                writer.bytes(reason.as_bytes());
            }
        }
    }

    /// Reads a decision written by [`Decision::encode`].
    pub fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let transaction = TxId(reader.array("decision transaction")?);
        let shard = ShardId(reader.u32("decision shard")?);
        let time = reader.u64("decision time")?;
        let verdict = match reader.u8("verdict")? {
            0 => Verdict::Commit {
                objects: reader.list("decision objects", INPUTS_MAX + REFERENCES_MAX, Object::decode)?,
            },
            1 => {
                let reason = reader.bytes("abort reason", REASON_BYTES_MAX)?;
                let reason = String::from_utf8(reason)
                    .map_err(|_| DecodeError::Invalid { reason: "an abort reason is UTF-8" })?;
                Verdict::Abort { reason }
            }
            tag => return Err(DecodeError::UnknownTag { what: "verdict", tag }),
        };
        Ok(Self { transaction, shard, time, verdict })
    }

    /// A hash of the decision: its leaf in the hash tree of the batch
    /// it is signed in.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::hash(&[DECISION_NAMESPACE, &[LEAF], &self.to_bytes()]).0
    }

    /// Whether the shard prepared to commit.
    pub fn is_commit(&self) -> bool {
        matches!(self.verdict, Verdict::Commit { .. })
    }
}

/// An abort reason cut to at most [`REASON_BYTES_MAX`] bytes at a character boundary.
pub fn bounded_reason(reason: &str) -> String {
    if reason.len() <= REASON_BYTES_MAX {
        return reason.to_string();
    }
    let mut end = REASON_BYTES_MAX;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_string()
}

/// One validator of a committee: its network identity and its BLS key.
#[derive(Clone, PartialEq, Debug)]
pub struct Member {
    /// Its ed25519 identity, which authenticates it on the network.
    pub identity: ed25519::PublicKey,
    /// Its BLS public key, which checks its votes.
    pub key: BlsPublicKey,
}

/// The most verified certificates a [`Committees`] remembers; past it, it
/// forgets them all and verifies again.
const VERIFIED_MAX: usize = 100_000;

/// Every shard's committee, in the order that signer indices refer to
/// (each sorted by identity), so that any validator checks any shard's
/// certificates. It remembers the certificates it has verified (by a hash
/// of all their bytes): a certificate is checked when its votes are
/// gathered, again in the block that carries it and again when that block
/// is applied, and each check after the first is a lookup. Verification is
/// a function of the bytes, so remembering changes no outcome.
#[derive(Debug)]
pub struct Committees {
    shards: Vec<Vec<Member>>,
    verified: Mutex<BTreeSet<[u8; 32]>>,
}

impl Committees {
    /// The committees of shards `0..shards.len()`.
    ///
    /// The keys are configured, not registered by their holders, so the
    /// rogue-key attack that proofs of possession prevent does not arise.
    pub fn new(mut shards: Vec<Vec<Member>>) -> Self {
        assert!(!shards.is_empty() && shards.iter().all(|members| !members.is_empty()), "every shard has members");
        for members in &mut shards {
            members.sort_by(|a, b| a.identity.cmp(&b.identity));
        }
        Self { shards, verified: Mutex::default() }
    }

    /// Whether a certificate with these bytes' hash was verified here before.
    fn was_verified(&self, digest: &[u8; 32]) -> bool {
        self.verified.lock().expect("the verified set's lock is never poisoned").contains(digest)
    }

    /// Remembers that a certificate with these bytes' hash verified.
    fn remember_verified(&self, digest: [u8; 32]) {
        let mut verified = self.verified.lock().expect("the verified set's lock is never poisoned");
        if verified.len() >= VERIFIED_MAX {
            verified.clear();
        }
        verified.insert(digest);
    }

    /// How many shards there are.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The members of `shard`, in signer-index order, or none for a shard
    /// that does not exist.
    pub fn members(&self, shard: ShardId) -> &[Member] {
        self.shards.get(shard.0 as usize).map(Vec::as_slice).unwrap_or_default()
    }

    /// How many signers a certificate of `shard` needs: `n - f`, which is
    /// `2f + 1` when `n = 3f + 1`.
    pub fn quorum(&self, shard: ShardId) -> usize {
        let n = self.members(shard).len();
        n - n.saturating_sub(1) / 3
    }

    /// The signer index of `identity` in `shard`'s committee.
    pub fn index_of(&self, shard: ShardId, identity: &ed25519::PublicKey) -> Option<u32> {
        let index = self.members(shard).iter().position(|member| &member.identity == identity)?;
        u32::try_from(index).ok()
    }

    /// The identities of `shard`'s members.
    pub fn identities(&self, shard: ShardId) -> Vec<ed25519::PublicKey> {
        self.members(shard).iter().map(|member| member.identity.clone()).collect()
    }
}

/// The first byte hashed into a leaf of a batch's hash tree.
const LEAF: u8 = 0;
/// The first byte hashed into an inner node of a batch's hash tree.
const NODE: u8 = 1;

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    Sha256::hash(&[DECISION_NAMESPACE, &[NODE], left, right]).0
}

/// The hash tree over a batch's leaves (the digests of its decisions, in
/// order): pairs are hashed level by level, an odd last node going up
/// unchanged.
#[derive(Clone, Debug)]
pub struct BatchTree {
    /// The leaves first, the root alone last.
    levels: Vec<Vec<[u8; 32]>>,
}

impl BatchTree {
    /// The tree over `leaves`; `None` for no leaves.
    pub fn new(leaves: &[[u8; 32]]) -> Option<Self> {
        if leaves.is_empty() {
            return None;
        }
        let mut levels = vec![leaves.to_vec()];
        while let Some(level) = levels.last().filter(|level| level.len() > 1) {
            let up = level
                .chunks(2)
                .map(|pair| if let [left, right] = pair { node(left, right) } else { pair[0] })
                .collect();
            levels.push(up);
        }
        Some(Self { levels })
    }

    /// The root.
    pub fn root(&self) -> [u8; 32] {
        self.levels.last().and_then(|level| level.first()).copied().expect("a tree has a root")
    }

    /// The path of leaf `index`; `None` past the last leaf.
    pub fn proof(&self, mut index: usize) -> Option<BatchProof> {
        if index >= self.levels[0].len() {
            return None;
        }
        let mut steps = Vec::new();
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = index ^ 1;
            if let Some(found) = level.get(sibling) {
                steps.push((sibling < index, *found));
            }
            index /= 2;
        }
        Some(BatchProof { steps })
    }
}

/// The root of the hash tree over `leaves` ([`BatchTree`]); `None` for no
/// leaves.
pub fn batch_root(leaves: &[[u8; 32]]) -> Option<[u8; 32]> {
    BatchTree::new(leaves).map(|tree| tree.root())
}

/// The path from one leaf of a batch's hash tree to its root: the sibling
/// at each level where the node has one, and on which side it is.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct BatchProof {
    /// From the leaf up: whether the sibling is on the left, and the sibling.
    pub steps: Vec<(bool, [u8; 32])>,
}

impl BatchProof {
    /// The path of leaf `index` of `leaves`; `None` past the last leaf.
    pub fn of(leaves: &[[u8; 32]], index: usize) -> Option<Self> {
        BatchTree::new(leaves)?.proof(index)
    }

    /// The root a leaf reaches along the path.
    pub fn root(&self, leaf: [u8; 32]) -> [u8; 32] {
        self.steps
            .iter()
            .fold(leaf, |hash, (left, sibling)| if *left { node(sibling, &hash) } else { node(&hash, sibling) })
    }

    fn encode(&self, writer: &mut Writer) {
        writer.length(self.steps.len());
        for (left, sibling) in &self.steps {
            writer.u8(u8::from(*left));
            writer.array(sibling);
        }
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let steps = reader.list("proof steps", PROOF_STEPS_MAX, |reader| {
            let left = match reader.u8("proof side")? {
                0 => false,
                1 => true,
                tag => return Err(DecodeError::UnknownTag { what: "proof side", tag }),
            };
            Ok((left, reader.array("proof sibling")?))
        })?;
        Ok(Self { steps })
    }
}

/// What the members of `shard` sign for a batch of its decisions whose
/// hash tree has root `root`.
fn batch_message(shard: ShardId, root: &[u8; 32]) -> Vec<u8> {
    let mut writer = Writer::new();
    writer.u32(shard.0);
    writer.array(root);
    writer.into_bytes()
}

/// One validator's signature on a batch of decisions of its shard (those
/// one block prepared, in order), as sent to one shard: every decision's
/// digest, and the decisions that concern the recipient.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Vote {
    /// The shard that decided.
    pub shard: ShardId,
    /// The digests of every decision of the batch, in order: the leaves
    /// of the tree whose root is signed.
    pub leaves: Vec<[u8; 32]>,
    /// Decisions of the batch, each with its index among the leaves.
    pub decisions: Vec<(u32, Decision)>,
    /// The signer's index in its committee.
    pub signer: u32,
    /// Its BLS signature over the batch's root.
    pub signature: BlsSignature,
}

impl Vote {
    /// Signs `decisions`, all of one shard and at least one, as member
    /// `signer` of that shard; the vote carries them all.
    pub fn sign(decisions: Vec<Decision>, signer: u32, key: &Private) -> Self {
        let shard = decisions.first().expect("a vote signs one decision or more").shard;
        let leaves: Vec<[u8; 32]> = decisions.iter().map(Decision::digest).collect();
        let root = batch_root(&leaves).expect("one leaf or more");
        let signature = ops::sign_message::<BlsVariant>(key, DECISION_NAMESPACE, &batch_message(shard, &root));
        let decisions = (0u32..).zip(decisions).collect();
        Self { shard, leaves, decisions, signer, signature }
    }

    /// The same vote carrying only the decisions `keep` selects by their
    /// index among the leaves.
    pub fn keeping(&self, keep: impl Fn(u32) -> bool) -> Self {
        let decisions = self.decisions.iter().filter(|(index, _)| keep(*index)).cloned().collect();
        Self {
            shard: self.shard,
            leaves: self.leaves.clone(),
            decisions,
            signer: self.signer,
            signature: self.signature,
        }
    }

    /// The root of the batch's hash tree.
    pub fn root(&self) -> Option<[u8; 32]> {
        batch_root(&self.leaves)
    }

    /// Whether every decision it carries is of its shard and is the leaf
    /// at its index: what can be checked without a pairing.
    pub fn is_consistent(&self) -> bool {
        self.decisions.iter().all(|(index, decision)| {
            decision.shard == self.shard && self.leaves.get(*index as usize) == Some(&decision.digest())
        })
    }

    /// Whether the signer is a member of the shard, the vote
    /// [consistent](Vote::is_consistent), and the signature its own.
    pub fn verify(&self, committees: &Committees) -> bool {
        let Some(member) = committees.members(self.shard).get(self.signer as usize) else {
            return false;
        };
        let Some(root) = self.root() else { return false };
        self.is_consistent()
            && ops::verify_message::<BlsVariant>(
                &member.key,
                DECISION_NAMESPACE,
                &batch_message(self.shard, &root),
                &self.signature,
            )
            .is_ok()
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        writer.u32(self.shard.0);
        writer.length(self.leaves.len());
        for leaf in &self.leaves {
            writer.array(leaf);
        }
        writer.length(self.decisions.len());
        for (index, decision) in &self.decisions {
            writer.u32(*index);
            decision.encode(&mut writer);
        }
        writer.u32(self.signer);
        writer.array(&self.signature.encode());
        writer.into_bytes()
    }

    /// Decodes exactly one vote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let shard = ShardId(reader.u32("vote shard")?);
        let leaves = reader.list("vote leaves", BATCH_DECISIONS_MAX, |reader| reader.array("vote leaf"))?;
        if leaves.is_empty() {
            return Err(DecodeError::Invalid { reason: "a vote signs one decision or more" });
        }
        let decisions = reader.list("vote decisions", BATCH_DECISIONS_MAX, |reader| {
            Ok((reader.u32("decision index")?, Decision::decode(reader)?))
        })?;
        let signer = reader.u32("vote signer")?;
        let signature = decode_point::<BlsSignature>(&mut reader, "vote signature")?;
        reader.finish()?;
        Ok(Self { shard, leaves, decisions, signer, signature })
    }
}

/// Why a certificate does not prove its decision.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CertificateError {
    /// The signer indices are not strictly increasing members of the shard.
    BadSigners,
    /// Fewer signers than the shard's quorum.
    TooFewSigners {
        /// How many signed.
        signers: usize,
        /// How many are needed.
        quorum: usize,
    },
    /// The aggregate signature does not verify.
    BadSignature,
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSigners => f.write_str("the signers are not distinct members of the shard"),
            Self::TooFewSigners { signers, quorum } => write!(f, "{signers} signers, {quorum} needed"),
            Self::BadSignature => f.write_str("the aggregate signature does not verify"),
        }
    }
}

/// A decision with the aggregated signatures of a quorum of its shard on
/// a batch of decisions that holds it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Certificate {
    /// What was decided.
    pub decision: Decision,
    /// The decision's path to the root of the batch that was signed.
    pub proof: BatchProof,
    /// The signers' indices in their committee, strictly increasing.
    pub signers: Vec<u32>,
    /// The aggregate of their signatures.
    pub signature: AggregateSignature,
}

impl Certificate {
    /// Aggregates signatures on the batch that `proof` places `decision`
    /// in, by signer index; `None` without any.
    pub fn aggregate(decision: Decision, proof: BatchProof, signatures: &BTreeMap<u32, BlsSignature>) -> Option<Self> {
        let signature = aggregate::combine_signatures::<BlsVariant, _>(NonEmpty::try_new(signatures.values())?);
        Some(Self { decision, proof, signers: signatures.keys().copied().collect(), signature })
    }

    /// Checks that a quorum of the decision's shard signed a batch that
    /// holds it. The signature on a batch is checked once: the other
    /// decisions of the batch only walk their paths.
    pub fn verify(&self, committees: &Committees) -> Result<(), CertificateError> {
        let root = self.proof.root(self.decision.digest());
        let mut writer = Writer::new();
        writer.array(&root);
        writer.length(self.signers.len());
        for signer in &self.signers {
            writer.u32(*signer);
        }
        writer.array(&self.signature.encode());
        let message = batch_message(self.decision.shard, &root);
        let digest = Sha256::hash(&[DECISION_NAMESPACE, b"certificate", &message, &writer.into_bytes()]).0;
        if committees.was_verified(&digest) {
            return Ok(());
        }
        self.verify_uncached(committees, &message)?;
        committees.remember_verified(digest);
        Ok(())
    }

    fn verify_uncached(&self, committees: &Committees, message: &[u8]) -> Result<(), CertificateError> {
        let members = committees.members(self.decision.shard);
        let increasing = self.signers.windows(2).all(|pair| pair[0] < pair[1]);
        if !increasing || self.signers.last().is_some_and(|last| *last as usize >= members.len()) {
            return Err(CertificateError::BadSigners);
        }
        let quorum = committees.quorum(self.decision.shard);
        if self.signers.len() < quorum {
            return Err(CertificateError::TooFewSigners { signers: self.signers.len(), quorum });
        }
        let keys = self.signers.iter().map(|index| &members[*index as usize].key);
        let key = aggregate::combine_public_keys::<BlsVariant, _>(
            NonEmpty::try_new(keys).ok_or(CertificateError::TooFewSigners { signers: 0, quorum })?,
        );
        aggregate::verify_same_message::<BlsVariant>(&key, DECISION_NAMESPACE, message, &self.signature)
            .map_err(|_| CertificateError::BadSignature)
    }

    /// Writes the canonical encoding.
    pub fn encode(&self, writer: &mut Writer) {
        self.decision.encode(writer);
        self.proof.encode(writer);
        writer.length(self.signers.len());
        for signer in &self.signers {
            writer.u32(*signer);
        }
        writer.array(&self.signature.encode());
    }

    /// Reads one certificate.
    pub fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let decision = Decision::decode(reader)?;
        let proof = BatchProof::decode(reader)?;
        let signers = reader.list("certificate signers", u16::MAX as usize, |reader| reader.u32("signer"))?;
        let signature = decode_point::<AggregateSignature>(reader, "certificate signature")?;
        Ok(Self { decision, proof, signers, signature })
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        self.encode(&mut writer);
        writer.into_bytes()
    }

    /// Decodes exactly one certificate.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let certificate = Self::decode(&mut reader)?;
        reader.finish()?;
        Ok(certificate)
    }
}

/// The second phase of S-BAC for one transaction: a certificate of every
/// shard it concerns, in shard order. Ordered in a block of each of those
/// shards, it commits or aborts the transaction there.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Acceptance {
    /// The transaction.
    pub transaction: TxId,
    /// One certificate per concerned shard, in shard order.
    pub certificates: Vec<Certificate>,
}

impl Acceptance {
    /// Writes the canonical encoding.
    pub fn encode(&self, writer: &mut Writer) {
        writer.array(&self.transaction.0);
        writer.length(self.certificates.len());
        for certificate in &self.certificates {
            certificate.encode(writer);
        }
    }

    /// Reads one acceptance.
    pub fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let transaction = TxId(reader.array("acceptance transaction")?);
        let certificates = reader.list("acceptance certificates", CERTIFICATES_MAX, Certificate::decode)?;
        Ok(Self { transaction, certificates })
    }

    /// The length of the canonical encoding, in bytes.
    pub fn encoded_len(&self) -> usize {
        let mut writer = Writer::new();
        self.encode(&mut writer);
        writer.into_bytes().len()
    }

    /// The time the transaction runs at, in seconds: the latest of the
    /// times its shards prepared it at. Every shard reads the same
    /// certificates, so every shard runs it at the same time, one that a
    /// committee of each shard certified and that is no later than the
    /// last shard's block (`spec/chain.md`, "Block time").
    pub fn time(&self) -> u64 {
        self.certificates.iter().map(|certificate| certificate.decision.time).max().unwrap_or(0)
    }

    /// Whether every certificate proves a decision on this transaction,
    /// one per shard in increasing shard order.
    pub fn verify(&self, committees: &Committees) -> Result<(), String> {
        let ordered = self.certificates.windows(2).all(|pair| pair[0].decision.shard < pair[1].decision.shard);
        if !ordered || self.certificates.len() < 2 {
            return Err(
                "an acceptance carries one certificate per shard, in shard order, for two shards or more".into()
            );
        }
        for certificate in &self.certificates {
            if certificate.decision.transaction != self.transaction {
                return Err("a certificate decides another transaction".into());
            }
            certificate
                .verify(committees)
                .map_err(|error| format!("the certificate of shard {}: {error}", certificate.decision.shard.0))?;
        }
        Ok(())
    }
}

/// Reads a fixed-size group element, subgroup-checked by its decoder.
fn decode_point<T: commonware_codec::DecodeExt<()> + commonware_codec::FixedSize>(
    reader: &mut Reader<'_>,
    what: &'static str,
) -> Result<T, DecodeError> {
    let bytes = reader.take(T::SIZE, what)?;
    T::decode(commonware_codec::Copying(bytes))
        .map_err(|_| DecodeError::Invalid { reason: "not a valid BLS12-381 point" })
}
