//! S-BAC between shards, as one validator takes part in it: it signs its
//! shard's decisions and sends the votes to every validator of the shards a
//! transaction concerns, forwards the transaction to those shards, gathers
//! the votes it receives into certificates, answers requests for what it
//! holds, asks again for what it lacks, and offers an acceptance to its
//! shard's proposals once it holds a certificate from every concerned shard.
//!
//! A validator votes once per block, on the batch of every decision the
//! block made, and sends each concerned shard the vote with the decisions
//! that concern it. Votes are checked lazily: a quorum of votes on one
//! batch is aggregated and checked with one pairing equation, which
//! certifies every decision of the batch at once, and only if that fails
//! is each vote checked alone to drop the bad ones. Certificates are
//! checked on arrival.

use super::PublicKey;
use super::ledger::Ledger;
use crate::encoding::{Reader, Writer};
use crate::sbac::{Acceptance, BatchTree, BlsSignature, Certificate, Committees, Decision, Vote};
use crate::shard::{ShardId, shards_touched_by};
use crate::transaction::{TRANSACTION_BYTES_MAX, Transaction, TxId};
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
/// The tag of forwarded transactions: each transaction's encoding with its
/// length before it, as many as [`FORWARD_BYTES_MAX`] holds.
pub const WIRE_TRANSACTIONS: u8 = 3;

/// The most bytes of transactions one forwarding message carries; more go
/// in further messages.
const FORWARD_BYTES_MAX: usize = 1 << 20;

/// The most batches whose votes a validator gathers at once, and the most
/// transactions it holds certificates of; votes beyond are dropped (and
/// asked for again later).
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

/// The votes gathered for one batch of a shard's decisions.
struct Gathered {
    /// The digests of the batch's decisions, in order.
    leaves: Vec<[u8; 32]>,
    /// The decisions of the batch the votes carried and this validator
    /// has no certificate of yet, by index among the leaves.
    decisions: BTreeMap<u32, Decision>,
    /// Signatures on the batch by signer index, not yet checked.
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
    /// Votes gathered, by shard and the root of the batch they sign.
    votes: BTreeMap<(ShardId, [u8; 32]), Gathered>,
    /// The batches in `votes` holding a decision on each transaction.
    waiting: BTreeMap<TxId, Vec<(ShardId, [u8; 32])>>,
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
            waiting: BTreeMap::new(),
            certificates: BTreeMap::new(),
            ready: BTreeMap::new(),
        }
    }

    /// Votes for this shard's new decisions, those of one block, each with
    /// its transaction: signs them as one batch and sends each concerned
    /// shard's validators the vote with the decisions that concern it,
    /// and the other shards the transactions, so they order them even if
    /// no client sent them there.
    pub fn decided(&mut self, decided: Vec<(Decision, Transaction)>, ledger: &Ledger) {
        if decided.is_empty() {
            return;
        }
        let mut concerned: BTreeMap<ShardId, Vec<u32>> = BTreeMap::new();
        for (index, (_, transaction)) in (0u32..).zip(&decided) {
            for shard in shards_touched_by(transaction, self.shards) {
                concerned.entry(shard).or_default().push(index);
            }
        }
        let (decisions, transactions): (Vec<Decision>, Vec<Transaction>) = decided.into_iter().unzip();
        let ids: Vec<TxId> = decisions.iter().map(|decision| decision.transaction).collect();
        let vote = Vote::sign(decisions, self.signer, &self.key);
        for (shard, indices) in &concerned {
            let part = vote.keeping(|index| indices.binary_search(&index).is_ok());
            self.send(self.committees.identities(*shard), WIRE_VOTE, &part.to_bytes());
            if *shard != self.shard {
                let forwarded = indices.iter().map(|index| &transactions[*index as usize]);
                self.forward(*shard, forwarded);
            }
        }
        self.gather(vote);
        for id in ids {
            self.try_ready(id, ledger);
        }
    }

    /// Forgets what was gathered for `id`, now final on this shard.
    pub fn accepted(&mut self, id: &TxId) {
        for key in self.waiting.remove(id).unwrap_or_default() {
            if let Some(gathered) = self.votes.get_mut(&key) {
                gathered.decisions.retain(|_, decision| decision.transaction != *id);
                if gathered.decisions.is_empty() {
                    self.votes.remove(&key);
                }
            }
        }
        self.certificates.remove(id);
        self.ready.remove(id);
    }

    /// Drops the votes gathered for the batch `key`, and its decisions
    /// from `waiting`.
    fn forget_batch(&mut self, key: (ShardId, [u8; 32])) {
        let Some(gathered) = self.votes.remove(&key) else { return };
        for decision in gathered.decisions.values() {
            if let Some(keys) = self.waiting.get_mut(&decision.transaction) {
                keys.retain(|held| *held != key);
                if keys.is_empty() {
                    self.waiting.remove(&decision.transaction);
                }
            }
        }
    }

    /// Sends `transactions` to the validators of `shard`, as few messages
    /// as [`FORWARD_BYTES_MAX`] allows.
    fn forward<'t>(&mut self, shard: ShardId, transactions: impl Iterator<Item = &'t Transaction>) {
        let recipients = self.committees.identities(shard);
        let mut writer = Writer::new();
        let mut written = 0;
        for transaction in transactions {
            let bytes = transaction.to_bytes();
            if written > 0 && written + bytes.len() > FORWARD_BYTES_MAX {
                self.send(recipients.clone(), WIRE_TRANSACTIONS, &std::mem::take(&mut writer).into_bytes());
                written = 0;
            }
            written += bytes.len();
            writer.bytes(&bytes);
        }
        if written > 0 {
            self.send(recipients, WIRE_TRANSACTIONS, &writer.into_bytes());
        }
    }

    /// Handles a message from `peer`; answers the cross-shard transactions
    /// it forwards, for the mempool.
    pub fn handle_wire(&mut self, peer: PublicKey, bytes: &[u8], ledger: &Ledger) -> Vec<Transaction> {
        self.handle_tagged(peer, bytes, ledger).unwrap_or_default()
    }

    fn handle_tagged(&mut self, peer: PublicKey, bytes: &[u8], ledger: &Ledger) -> Option<Vec<Transaction>> {
        let (&tag, body) = bytes.split_first()?;
        match tag {
            WIRE_VOTE => {
                let vote = Vote::from_bytes(body).ok()?;
                // Only the member a vote names may send it: the channel authenticates peers.
                if self.committees.index_of(vote.shard, &peer) != Some(vote.signer) {
                    return None;
                }
                for id in self.gather(vote) {
                    self.try_ready(id, ledger);
                }
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
            WIRE_TRANSACTIONS => {
                let mut reader = Reader::new(body);
                let mut forwarded = Vec::new();
                while !reader.is_empty() {
                    let bytes = reader.bytes("forwarded transaction", TRANSACTION_BYTES_MAX).ok()?;
                    let transaction = Transaction::from_bytes(&bytes).ok()?;
                    if ledger.state.is_cross_shard(&transaction) {
                        forwarded.push(transaction);
                    }
                }
                return Some(forwarded);
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
            for shard in shards_touched_by(transaction, self.shards) {
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
            let bytes = Vote::sign(vec![decision.clone()], self.signer, &self.key).to_bytes();
            self.send(vec![peer], WIRE_VOTE, &bytes);
        }
    }

    /// Adds a vote; once a quorum of votes sign its batch, aggregates and
    /// checks them, and certifies every decision of the batch gathered
    /// here. The transactions that got a certificate.
    fn gather(&mut self, vote: Vote) -> Vec<TxId> {
        let Some(root) = vote.root() else { return Vec::new() };
        if !vote.is_consistent() {
            return Vec::new();
        }
        let key = (vote.shard, root);
        let certificates = &self.certificates;
        let wanted: Vec<(u32, Decision)> = vote
            .decisions
            .into_iter()
            .filter(|(_, decision)| {
                !certificates.get(&decision.transaction).is_some_and(|held| held.contains_key(&vote.shard))
            })
            .collect();
        // A vote that brings nothing this validator lacks (a late vote on a
        // batch certified already) starts no gathering.
        if !self.votes.contains_key(&key) && (wanted.is_empty() || self.votes.len() >= GATHERED_MAX) {
            return Vec::new();
        }
        let gathered = self.votes.entry(key).or_insert_with(|| Gathered {
            leaves: vote.leaves.clone(),
            decisions: BTreeMap::new(),
            signatures: BTreeMap::new(),
        });
        for (index, decision) in wanted {
            if let std::collections::btree_map::Entry::Vacant(entry) = gathered.decisions.entry(index) {
                self.waiting.entry(decision.transaction).or_default().push(key);
                entry.insert(decision);
            }
        }
        gathered.signatures.entry(vote.signer).or_insert(vote.signature);
        if gathered.signatures.len() < self.committees.quorum(vote.shard) || gathered.decisions.is_empty() {
            return Vec::new();
        }
        let tree = BatchTree::new(&gathered.leaves);
        let certify = |index: u32, decision: &Decision| {
            let proof = tree.as_ref()?.proof(index as usize)?;
            Certificate::aggregate(decision.clone(), proof, &gathered.signatures)
        };
        let (first, decision) = gathered.decisions.first_key_value().expect("decisions were gathered");
        let verified =
            certify(*first, decision).is_some_and(|certificate| certificate.verify(&self.committees).is_ok());
        if !verified {
            // Some vote is bad: keep only those that check alone.
            let committees = &self.committees;
            let (shard, leaves) = (vote.shard, gathered.leaves.clone());
            gathered.signatures.retain(|signer, signature| {
                let alone = Vote {
                    shard,
                    leaves: leaves.clone(),
                    decisions: Vec::new(),
                    signer: *signer,
                    signature: *signature,
                };
                alone.verify(committees)
            });
            return Vec::new();
        }
        // The batch's signature is now remembered as verified: each
        // decision's certificate differs only in its path.
        let made: Vec<Certificate> =
            gathered.decisions.iter().filter_map(|(index, decision)| certify(*index, decision)).collect();
        self.forget_batch(key);
        let mut ids = Vec::with_capacity(made.len());
        for certificate in made {
            if self.certificates.len() >= GATHERED_MAX
                && !self.certificates.contains_key(&certificate.decision.transaction)
            {
                break;
            }
            ids.push(certificate.decision.transaction);
            self.certificates.entry(certificate.decision.transaction).or_default().insert(vote.shard, certificate);
        }
        ids
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
        let touched = shards_touched_by(transaction, self.shards);
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
