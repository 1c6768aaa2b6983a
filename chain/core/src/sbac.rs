//! S-BAC, Chainspace's sharded Byzantine atomic commit: the messages that
//! carry one shard's decision on a cross-shard transaction to the others.
//!
//! Each shard concerned by a transaction orders it in one of its blocks
//! and, applying that block, *prepares* it: it checks the objects it holds
//! and either locks them (a commit verdict, which carries those objects so
//! the other shards can run the checker) or refuses (an abort verdict with
//! the reason). The shard's validators sign that [`Decision`] with their BLS
//! keys; `2f + 1` matching [`Vote`]s aggregate into one [`Certificate`].
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
use commonware_cryptography::bls12381::primitives::variant::{MinPk, Variant};
use commonware_cryptography::{Hasher as _, Sha256, ed25519};
use commonware_utils::iter::NonEmpty;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Mutex;

/// Separates decision signatures from every other use of the BLS keys.
pub const DECISION_NAMESPACE: &[u8] = b"min-chain/sbac/v2";
/// The longest abort reason a decision carries, in bytes.
pub const REASON_BYTES_MAX: usize = 512;
/// The most certificates an acceptance carries: one per shard it concerns.
pub const CERTIFICATES_MAX: usize = 64;

/// A validator's BLS public key (in G1).
pub type BlsPublicKey = <MinPk as Variant>::Public;
/// One validator's BLS signature (in G2).
pub type BlsSignature = <MinPk as Variant>::Signature;
/// An aggregate of BLS signatures over the same message.
pub type AggregateSignature = aggregate::Signature<MinPk>;

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

    /// A hash of the decision, which votes for the same decision share.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::hash(&[DECISION_NAMESPACE, &self.to_bytes()]).0
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

/// One validator's signature on a decision of its shard.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Vote {
    /// What it signs.
    pub decision: Decision,
    /// Its index in its shard's committee.
    pub signer: u32,
    /// Its BLS signature over the decision.
    pub signature: BlsSignature,
}

impl Vote {
    /// Signs `decision` as member `signer` of the decision's shard.
    pub fn sign(decision: Decision, signer: u32, key: &Private) -> Self {
        let signature = ops::sign_message::<MinPk>(key, DECISION_NAMESPACE, &decision.to_bytes());
        Self { decision, signer, signature }
    }

    /// Whether the signer is a member of the decision's shard and the signature is its own.
    pub fn verify(&self, committees: &Committees) -> bool {
        let Some(member) = committees.members(self.decision.shard).get(self.signer as usize) else {
            return false;
        };
        ops::verify_message::<MinPk>(&member.key, DECISION_NAMESPACE, &self.decision.to_bytes(), &self.signature)
            .is_ok()
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        self.decision.encode(&mut writer);
        writer.u32(self.signer);
        writer.array(&self.signature.encode());
        writer.into_bytes()
    }

    /// Decodes exactly one vote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let decision = Decision::decode(&mut reader)?;
        let signer = reader.u32("vote signer")?;
        let signature = decode_point::<BlsSignature>(&mut reader, "vote signature")?;
        reader.finish()?;
        Ok(Self { decision, signer, signature })
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

/// A decision with the aggregated signatures of a quorum of its shard.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Certificate {
    /// What was decided.
    pub decision: Decision,
    /// The signers' indices in their committee, strictly increasing.
    pub signers: Vec<u32>,
    /// The aggregate of their signatures.
    pub signature: AggregateSignature,
}

impl Certificate {
    /// Aggregates signatures on `decision`, by signer index; `None` without any.
    pub fn aggregate(decision: Decision, signatures: &BTreeMap<u32, BlsSignature>) -> Option<Self> {
        let signature = aggregate::combine_signatures::<MinPk, _>(NonEmpty::try_new(signatures.values())?);
        Some(Self { decision, signers: signatures.keys().copied().collect(), signature })
    }

    /// Checks that a quorum of the decision's shard signed it.
    pub fn verify(&self, committees: &Committees) -> Result<(), CertificateError> {
        let digest = Sha256::hash(&[DECISION_NAMESPACE, b"certificate", &self.to_bytes()]).0;
        if committees.was_verified(&digest) {
            return Ok(());
        }
        self.verify_uncached(committees)?;
        committees.remember_verified(digest);
        Ok(())
    }

    fn verify_uncached(&self, committees: &Committees) -> Result<(), CertificateError> {
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
        let key = aggregate::combine_public_keys::<MinPk, _>(
            NonEmpty::try_new(keys).ok_or(CertificateError::TooFewSigners { signers: 0, quorum })?,
        );
        aggregate::verify_same_message::<MinPk>(&key, DECISION_NAMESPACE, &self.decision.to_bytes(), &self.signature)
            .map_err(|_| CertificateError::BadSignature)
    }

    /// Writes the canonical encoding.
    pub fn encode(&self, writer: &mut Writer) {
        self.decision.encode(writer);
        writer.length(self.signers.len());
        for signer in &self.signers {
            writer.u32(*signer);
        }
        writer.array(&self.signature.encode());
    }

    /// Reads one certificate.
    pub fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let decision = Decision::decode(reader)?;
        let signers = reader.list("certificate signers", u16::MAX as usize, |reader| reader.u32("signer"))?;
        let signature = decode_point::<AggregateSignature>(reader, "certificate signature")?;
        Ok(Self { decision, signers, signature })
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
