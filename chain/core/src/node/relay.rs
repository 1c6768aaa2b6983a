//! S-BAC between shards, as one validator takes part in it: it signs its
//! shard's decisions and sends the votes to every validator of the shards a
//! transaction concerns, forwards the transaction to those shards, gathers
//! the votes it receives into certificates, answers requests for what it
//! holds, asks again for what it lacks, and offers an acceptance to its
//! shard's proposals once it holds a certificate from every concerned shard.
//!
//! Votes are checked lazily: a quorum of them is aggregated and checked
//! with one pairing equation, and only if that fails is each checked alone
//! to drop the bad ones. Certificates are checked on arrival.

use super::PublicKey;
use super::ledger::Ledger;
use crate::encoding::{Reader, Writer};
use crate::sbac::{Acceptance, BlsSignature, Certificate, Committees, Decision, Vote};
use crate::shard::{ShardId, shards_touched};
use crate::transaction::{Transaction, TxId};
use commonware_cryptography::bls12381::primitives::group::Private;
use commonware_p2p::{Recipients, Sender};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;

/// The tag of a vote on the cross-shard channel: the byte before a [`Vote`]'s encoding.
pub const WIRE_VOTE: u8 = 0;
/// The tag of a certificate on the cross-shard channel.
pub const WIRE_CERTIFICATE: u8 = 1;
/// The tag of a request for a shard's certificate on a transaction: its id and the shard.
pub const WIRE_REQUEST: u8 = 2;
/// The tag of a forwarded transaction.
pub const WIRE_TRANSACTION: u8 = 3;

/// The most (transaction, shard) pairs whose votes a validator gathers at
/// once; votes beyond are dropped (and asked for again later).
const GATHERED_MAX: usize = 100_000;
/// The most transactions a validator asks about per retry.
const REQUESTS_PER_RETRY_MAX: usize = 64;

/// What a validator needs for S-BAC beyond its consensus scheme.
#[derive(Clone)]
pub struct CrossShardConfig {
    /// The validator's identity, a member of its shard's committee.
    pub identity: PublicKey,
    /// Its BLS key, which signs its shard's decisions.
    pub key: Private,
    /// Every shard's committee.
    pub committees: Arc<Committees>,
}

/// The votes gathered for one decision.
struct Gathered {
    decision: Decision,
    /// Signatures by signer index, not yet checked.
    signatures: BTreeMap<u32, BlsSignature>,
}

/// One validator's part in S-BAC.
pub(super) struct Relay<S> {
    sender: S,
    shard: ShardId,
    shards: NonZeroU32,
    /// This validator's index in its committee.
    signer: u32,
    key: Private,
    committees: Arc<Committees>,
    /// Votes gathered, by transaction and shard, then by decision digest.
    votes: BTreeMap<(TxId, ShardId), BTreeMap<[u8; 32], Gathered>>,
    /// Certificates held, by transaction and shard.
    certificates: BTreeMap<TxId, BTreeMap<ShardId, Certificate>>,
    /// Acceptances ready to be proposed, by transaction.
    pub ready: BTreeMap<TxId, Acceptance>,
}

impl<S: Sender<PublicKey = PublicKey>> Relay<S> {
    /// The relay of a validator of `shard`, sending on `sender`.
    pub fn new(sender: S, shard: ShardId, config: CrossShardConfig) -> Self {
        let shards =
            u32::try_from(config.committees.shard_count()).ok().and_then(NonZeroU32::new).expect("one shard or more");
        let signer =
            config.committees.index_of(shard, &config.identity).expect("the validator is a member of its shard");
        Self {
            sender,
            shard,
            shards,
            signer,
            key: config.key,
            committees: config.committees,
            votes: BTreeMap::new(),
            certificates: BTreeMap::new(),
            ready: BTreeMap::new(),
        }
    }

    /// Votes for this shard's new decision on `transaction`: sends the vote
    /// to every validator of the shards it concerns, and the transaction to
    /// those of the other shards, so they order it even if no client sent
    /// it there.
    pub fn decided(&mut self, decision: Decision, transaction: &Transaction, ledger: &Ledger) {
        let touched = shards_touched(transaction.body(), self.shards);
        let vote = Vote::sign(decision, self.signer, &self.key);
        let vote_bytes = vote.to_bytes();
        let transaction_bytes = transaction.to_bytes();
        let id = vote.decision.transaction;
        self.gather(vote);
        for shard in touched {
            self.send(self.committees.identities(shard), WIRE_VOTE, &vote_bytes);
            if shard != self.shard {
                self.send(self.committees.identities(shard), WIRE_TRANSACTION, &transaction_bytes);
            }
        }
        self.try_ready(id, ledger);
    }

    /// Forgets what was gathered for `id`, now final on this shard.
    pub fn accepted(&mut self, id: &TxId) {
        self.votes.retain(|(transaction, _), _| transaction != id);
        self.certificates.remove(id);
        self.ready.remove(id);
    }

    /// Handles a message from `peer`; answers a forwarded transaction for the mempool.
    pub fn handle_wire(&mut self, peer: PublicKey, bytes: &[u8], ledger: &Ledger) -> Option<Transaction> {
        let (&tag, body) = bytes.split_first()?;
        match tag {
            WIRE_VOTE => {
                let vote = Vote::from_bytes(body).ok()?;
                // Only the member a vote names may send it: the channel authenticates peers.
                if self.committees.index_of(vote.decision.shard, &peer) != Some(vote.signer) {
                    return None;
                }
                let id = vote.decision.transaction;
                self.gather(vote);
                self.try_ready(id, ledger);
            }
            WIRE_CERTIFICATE => {
                let certificate = Certificate::from_bytes(body).ok()?;
                self.certified(certificate, ledger);
            }
            WIRE_REQUEST => {
                let mut reader = Reader::new(body);
                let id = TxId(reader.array("requested transaction").ok()?);
                let shard = ShardId(reader.u32("requested shard").ok()?);
                reader.finish().ok()?;
                self.answer(peer, id, shard, ledger);
            }
            WIRE_TRANSACTION => {
                let transaction = Transaction::from_bytes(body).ok()?;
                if ledger.state.is_cross_shard(transaction.body()) {
                    return Some(transaction);
                }
            }
            _ => {}
        }
        None
    }

    /// Asks the validators of every concerned shard for the certificates
    /// still missing of the transactions waiting here for acceptance.
    pub fn request_missing(&mut self, ledger: &Ledger) {
        let mut requests = Vec::new();
        for (id, transaction) in ledger.state.awaiting_acceptance().take(REQUESTS_PER_RETRY_MAX) {
            for shard in shards_touched(transaction.body(), self.shards) {
                if !self.certificates.get(id).is_some_and(|held| held.contains_key(&shard)) {
                    requests.push((*id, shard));
                }
            }
        }
        for (id, shard) in requests {
            let mut writer = Writer::new();
            writer.array(&id.0);
            writer.u32(shard.0);
            self.send(self.committees.identities(shard), WIRE_REQUEST, &writer.into_bytes());
        }
    }

    /// Whether every certificate of `acceptance` proves its decision.
    pub fn verify(&self, acceptance: &Acceptance) -> bool {
        acceptance.verify(&self.committees).is_ok()
    }

    /// Sends the certificate of this shard on `id` to `peer`, or failing
    /// that this validator's vote.
    fn answer(&mut self, peer: PublicKey, id: TxId, shard: ShardId, ledger: &Ledger) {
        if shard != self.shard {
            return;
        }
        if let Some(certificate) = self.certificates.get(&id).and_then(|held| held.get(&shard)) {
            let bytes = certificate.to_bytes();
            self.send(vec![peer], WIRE_CERTIFICATE, &bytes);
        } else if let Some(decision) = ledger.decisions.get(&id) {
            let bytes = Vote::sign(decision.clone(), self.signer, &self.key).to_bytes();
            self.send(vec![peer], WIRE_VOTE, &bytes);
        }
    }

    /// Adds a vote; once a quorum of votes agree, aggregates and checks them.
    fn gather(&mut self, vote: Vote) {
        let key = (vote.decision.transaction, vote.decision.shard);
        if self.certificates.get(&key.0).is_some_and(|held| held.contains_key(&key.1)) {
            return;
        }
        if !self.votes.contains_key(&key) && self.votes.len() >= GATHERED_MAX {
            return;
        }
        let digest = vote.decision.digest();
        let gathered = self
            .votes
            .entry(key)
            .or_default()
            .entry(digest)
            .or_insert_with(|| Gathered { decision: vote.decision, signatures: BTreeMap::new() });
        gathered.signatures.entry(vote.signer).or_insert(vote.signature);
        if gathered.signatures.len() < self.committees.quorum(key.1) {
            return;
        }
        let certificate = Certificate::aggregate(gathered.decision.clone(), &gathered.signatures)
            .filter(|certificate| certificate.verify(&self.committees).is_ok());
        match certificate {
            Some(certificate) => {
                self.votes.remove(&key);
                self.certificates.entry(key.0).or_default().insert(key.1, certificate);
            }
            None => {
                // Some vote is bad: keep only those that check alone.
                let committees = &self.committees;
                let decision = gathered.decision.clone();
                gathered.signatures.retain(|signer, signature| {
                    Vote { decision: decision.clone(), signer: *signer, signature: *signature }.verify(committees)
                });
            }
        }
    }

    /// Keeps a certificate that proves its decision.
    fn certified(&mut self, certificate: Certificate, ledger: &Ledger) {
        let id = certificate.decision.transaction;
        let shard = certificate.decision.shard;
        if self.certificates.get(&id).is_some_and(|held| held.contains_key(&shard)) {
            return;
        }
        if self.certificates.len() >= GATHERED_MAX || certificate.verify(&self.committees).is_err() {
            return;
        }
        self.votes.remove(&(id, shard));
        self.certificates.entry(id).or_default().insert(shard, certificate);
        self.try_ready(id, ledger);
    }

    /// Offers the acceptance of `id` once this shard has prepared it and a
    /// certificate of every shard it concerns is here.
    pub fn try_ready(&mut self, id: TxId, ledger: &Ledger) {
        let Some(transaction) = ledger.state.prepared(&id) else {
            return;
        };
        if ledger.state.is_accepted(&id) || self.ready.contains_key(&id) {
            return;
        }
        let Some(held) = self.certificates.get(&id) else {
            return;
        };
        let touched = shards_touched(transaction.body(), self.shards);
        if touched.iter().all(|shard| held.contains_key(shard)) {
            let certificates = touched.iter().map(|shard| held[shard].clone()).collect();
            self.ready.insert(id, Acceptance { transaction: id, certificates });
        }
    }

    fn send(&mut self, recipients: Vec<PublicKey>, tag: u8, body: &[u8]) {
        let mut message = Vec::with_capacity(1 + body.len());
        message.push(tag);
        message.extend_from_slice(body);
        // Delivery is best effort: what is lost is asked for again.
        let _ = self.sender.send(Recipients::Some(recipients), message, false);
    }
}
