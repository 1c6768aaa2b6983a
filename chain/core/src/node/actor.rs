//! The application actor of one validator: it keeps the mempool and the
//! blocks it has seen, builds and checks proposals for simplex, sends and
//! fetches blocks over its own channel, and applies finalized blocks to the
//! ledger in order, walking back through parents to fill any gap.

use super::ledger::Ledger;
use super::mailbox::Message;
use super::mempool::Mempool;
use super::relay::Relay;
use super::{ConsensusContext, Digest};
use crate::block::{BLOCK_ACCEPTANCES_MAX, BLOCK_BYTES_MAX, Block, genesis_digest};
use crate::signatures::SignatureCache;
use crate::transaction::{Transaction, TxId};
use commonware_consensus::Viewable as _;
use commonware_consensus::types::View;
use commonware_macros::select;
use commonware_p2p::{Receiver, Recipients, Sender};
use commonware_runtime::Clock;
use commonware_utils::channel::{mpsc, oneshot};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The most transactions a validator holds waiting for a block.
pub const MEMPOOL_TRANSACTIONS_MAX: usize = 50_000;
/// The most transactions a validator puts in one proposal: as many as a
/// block holds, so that under load a block's fixed costs (its consensus
/// signatures and certificates, a store commit on every validator) are
/// shared by as many transactions as they can be.
pub const PROPOSAL_TRANSACTIONS_MAX: usize = crate::block::BLOCK_TRANSACTIONS_MAX;
/// The most acceptances a validator puts in one proposal.
pub const PROPOSAL_ACCEPTANCES_MAX: usize = 256;
/// How often missing blocks are requested again.
const FETCH_RETRY: Duration = Duration::from_millis(250);
/// How long a transaction this validator shared with its committee waits
/// for a block before it is shared again: the committee's network may
/// have lost it, and only a block that carries it ends the wait.
const RESHARE_AFTER: Duration = Duration::from_secs(1);

/// Tags of the messages on the block channel.
const WIRE_BLOCK: u8 = 0;
const WIRE_REQUEST: u8 = 1;
/// The tag of a client's transaction a member shares with its committee.
const WIRE_TRANSACTION: u8 = 2;

/// What the unfinalized blocks a proposal extends already carry.
#[derive(Default)]
struct InFlight {
    /// The ids of their transactions.
    transactions: BTreeSet<TxId>,
    /// The transactions their acceptances accept.
    accepted: BTreeSet<TxId>,
}

/// A block seen and not yet applied, with its encoding as proposed or
/// received: a block is encoded once, by its proposer, and validators
/// store and forward those bytes.
pub(super) struct Seen {
    pub block: Block,
    pub encoded: Vec<u8>,
}

impl Seen {
    /// A block kept from before a restart, encoded again.
    pub fn encoding(block: Block) -> Self {
        let encoded = block.to_bytes();
        Self { block, encoded }
    }
}

/// A verification simplex is waiting on until the block arrives.
type PendingVerify = (ConsensusContext, oneshot::Sender<bool>);

/// A proposal held back until the block interval has passed.
pub(super) struct ParkedProposal {
    context: ConsensusContext,
    response: oneshot::Sender<Digest>,
}

pub(super) struct Actor<E, S, R> {
    pub context: E,
    pub mailbox: mpsc::UnboundedReceiver<Message>,
    pub block_receiver: R,
    pub cross_shard_receiver: R,
    pub core: Core<S>,
}

/// Everything the actor keeps between messages.
pub(super) struct Core<S> {
    pub block_sender: S,
    /// This validator's part in cross-shard commits.
    pub relay: Relay<S>,
    pub ledger: Arc<Mutex<Ledger>>,
    /// The blocks seen and not yet applied, by digest; applied ones are in the ledger.
    pub blocks: BTreeMap<Digest, Seen>,
    pub pending_verifies: BTreeMap<Digest, Vec<PendingVerify>>,
    /// The highest finalized block not yet applied.
    pub target: Option<(View, Digest)>,
    /// The block the walk from `target` is waiting for.
    pub missing_for_finalization: Option<Digest>,
    pub last_applied: Digest,
    pub applied: BTreeSet<Digest>,
    /// Transactions waiting for a block, in arrival order.
    pub mempool: Mempool,
    /// The transactions of the mempool this validator shared with its
    /// committee, with when it last sent each.
    pub shared: BTreeMap<TxId, SystemTime>,
    /// The least time between the start of one round this validator saw
    /// (a proposal it built or was asked to verify) and its next proposal,
    /// when transactions or acceptances are waiting.
    pub block_interval: Duration,
    /// The same when neither is.
    pub idle_block_interval: Duration,
    /// When this validator last built or was asked to verify a proposal.
    pub last_round_start: Option<SystemTime>,
    /// The proposal waiting for the block interval to pass, if any.
    pub parked_proposal: Option<ParkedProposal>,
    /// Whether the store failed, which stops the validator.
    pub halted: bool,
    /// The signatures found valid before, shared with the ledger.
    pub signatures: Arc<SignatureCache>,
    /// The validator's clock when the actor last woke: what it stamps its
    /// proposals with and checks others' block times against.
    pub now: SystemTime,
}

impl<E, S, R> Actor<E, S, R>
where
    E: Clock,
    S: Sender<PublicKey = super::PublicKey>,
    R: Receiver<PublicKey = super::PublicKey>,
{
    pub async fn run(self) {
        let Self { context, mut mailbox, mut block_receiver, mut cross_shard_receiver, mut core } = self;
        let mut retry_at = context.current() + FETCH_RETRY;
        loop {
            core.now = context.current();
            let mut parked_until = core.proposal_ready_at();
            if parked_until.is_some_and(|ready_at| ready_at <= context.current()) {
                core.propose_parked(context.current());
                parked_until = None;
            }
            select! {
                message = mailbox.recv() => {
                    let Some(message) = message else { return };
                    core.handle(message, context.current());
                },
                _ = sleep_or_wait_forever(&context, parked_until) => {
                    core.propose_parked(context.current());
                },
                received = block_receiver.recv() => {
                    let Ok((peer, bytes)) = received else { return };
                    core.handle_wire(peer, bytes.as_ref());
                },
                received = cross_shard_receiver.recv() => {
                    let Ok((peer, bytes)) = received else { return };
                    core.handle_cross_shard(peer, bytes.as_ref());
                },
                _ = context.sleep_until(retry_at) => {
                    core.request_missing();
                    core.request_missing_certificates();
                    core.share_again(context.current());
                    retry_at = context.current() + FETCH_RETRY;
                },
            }
            if core.halted {
                return;
            }
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_or_wait_forever<E: Clock>(context: &E, deadline: Option<SystemTime>) {
    match deadline {
        Some(deadline) => context.sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

impl<S: Sender<PublicKey = super::PublicKey>> Core<S> {
    fn handle(&mut self, message: Message, now: SystemTime) {
        match message {
            Message::Propose { context, response } => {
                // A newer request replaces a parked one, whose dropped
                // response tells simplex there is no answer for that round.
                // The actor's loop proposes once the interval has passed.
                self.parked_proposal = Some(ParkedProposal { context, response });
            }
            Message::Verify { context, payload, response } => {
                self.last_round_start = Some(now);
                self.verify(context, payload, response);
            }
            Message::Finalized(finalization) => {
                let digest = finalization.proposal.payload;
                let view = finalization.view();
                self.ledger
                    .lock()
                    .expect("the ledger lock is never poisoned")
                    .finalizations
                    .insert(digest, *finalization);
                let newer = self.target.is_none_or(|(target, _)| view > target);
                if !self.applied.contains(&digest) && newer {
                    self.target = Some((view, digest));
                    self.advance();
                }
            }
            Message::Submit(transaction) => {
                self.admit(transaction);
            }
            Message::Share(transaction) => {
                let bytes = transaction.to_bytes();
                let id = transaction.id();
                if self.admit(transaction) {
                    self.send(Recipients::All, WIRE_TRANSACTION, &bytes);
                    self.shared.insert(id, now);
                }
            }
        }
    }

    /// When the parked proposal, if any, is due: at once for the first
    /// round, otherwise an interval after the last round started, shorter
    /// when transactions or acceptances are waiting.
    fn proposal_ready_at(&self) -> Option<SystemTime> {
        self.parked_proposal.as_ref()?;
        let Some(start) = self.last_round_start else {
            return Some(SystemTime::UNIX_EPOCH);
        };
        let idle = self.mempool.is_empty() && self.relay.ready.is_empty();
        let interval = if idle { self.idle_block_interval } else { self.block_interval };
        Some(start + interval)
    }

    /// Answers the parked proposal with a block built now.
    fn propose_parked(&mut self, now: SystemTime) {
        let Some(ParkedProposal { context, response, .. }) = self.parked_proposal.take() else {
            return;
        };
        self.now = now;
        self.last_round_start = Some(now);
        let digest = self.propose(context.parent.1);
        let _ = response.send(digest);
    }

    /// Answers whether `payload` is a valid child of `context.parent`, once the block is here.
    fn verify(&mut self, context: ConsensusContext, payload: Digest, response: oneshot::Sender<bool>) {
        let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        let valid = self.block(&ledger, &payload).map(|block| {
            is_valid_child(block, &context, &self.relay, &self.signatures) && self.time_fits(&ledger, block)
        });
        drop(ledger);
        match valid {
            Some(valid) => {
                let _ = response.send(valid && self.keep(payload));
            }
            None => {
                self.pending_verifies.entry(payload).or_default().push((context, response));
                self.request(payload);
            }
        }
    }

    /// Keeps the block `digest`, which this validator proposes or votes
    /// for, in its store first: a block voted for is kept until it is
    /// finalized (`Store::keep_unfinalized`). False, and the validator
    /// halted, if the store failed; true for a block already applied.
    fn keep(&mut self, digest: Digest) -> bool {
        let Some(seen) = self.blocks.get(&digest) else {
            return self.applied.contains(&digest);
        };
        let mut ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        match ledger.keep_unfinalized(&digest, &seen.encoded) {
            Ok(()) => true,
            Err(error) => {
                ledger.halted = Some(error);
                self.halted = true;
                false
            }
        }
    }

    /// Shares again each transaction this validator shared that is still
    /// in its mempool [`RESHARE_AFTER`] after it was last sent, and
    /// forgets those no longer there (a block carried them, or they were
    /// dropped).
    fn share_again(&mut self, now: SystemTime) {
        let mempool = &self.mempool;
        self.shared.retain(|id, _| mempool.contains(id));
        let waited_enough = |sent: &SystemTime| now.duration_since(*sent).is_ok_and(|waited| waited >= RESHARE_AFTER);
        if !self.shared.values().any(waited_enough) {
            return;
        }
        // One pass over the mempool, however many are due.
        let due: Vec<Vec<u8>> = self
            .mempool
            .iter()
            .filter(|(id, _)| self.shared.get(id).is_some_and(waited_enough))
            .map(|(_, transaction)| transaction.to_bytes())
            .collect();
        for sent in self.shared.values_mut().filter(|sent| waited_enough(sent)) {
            *sent = now;
        }
        for bytes in due {
            self.send(Recipients::All, WIRE_TRANSACTION, &bytes);
        }
    }

    /// Admits a transaction to the mempool unless it is full, known, or
    /// badly signed; a proposer never includes a transaction it has not
    /// verified. Whether it was admitted.
    fn admit(&mut self, transaction: Arc<Transaction>) -> bool {
        let id = transaction.id();
        if self.mempool.len() >= MEMPOOL_TRANSACTIONS_MAX || self.mempool.contains(&id) {
            return false;
        }
        let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        let known = ledger.outcomes.contains_key(&id) || ledger.decisions.contains_key(&id);
        if known || !self.signatures.verify_one(&transaction) {
            return false;
        }
        drop(ledger);
        self.mempool.push(id, transaction);
        true
    }

    /// Builds a block on `parent` from the acceptances ready and the
    /// mempool, leaving out those already in the unfinalized blocks it
    /// extends, within a block's size, and sends it to every peer. If one
    /// of those blocks is missing here, the block is empty: better nothing
    /// than something that is already on the chain.
    fn propose(&mut self, parent: Digest) -> Digest {
        let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        let after = self.block_time(&ledger, &parent).unwrap_or(0);
        drop(ledger);
        let time = millis(self.now).max(after.saturating_add(1));
        let mut block = Block { parent, time, transactions: Vec::new(), acceptances: Vec::new() };
        if let Some(in_flight) = self.unfinalized_ancestry(parent) {
            // Room for the block's own fields beside its entries.
            let mut room = BLOCK_BYTES_MAX - 1024;
            let mut fits = |size: usize| {
                let fits = size + 8 <= room;
                if fits {
                    room -= size + 8;
                }
                fits
            };
            block.acceptances = self
                .relay
                .ready
                .iter()
                .filter(|(id, _)| !in_flight.accepted.contains(id))
                .map(|(_, acceptance)| acceptance)
                .filter(|acceptance| fits(acceptance.encoded_len()))
                .take(PROPOSAL_ACCEPTANCES_MAX.min(BLOCK_ACCEPTANCES_MAX))
                .cloned()
                .collect();
            block.transactions = self
                .mempool
                .iter()
                .filter(|(id, _)| !in_flight.transactions.contains(id))
                .map(|(_, transaction)| transaction)
                .filter(|transaction| fits(transaction.encoded_len()))
                .take(PROPOSAL_TRANSACTIONS_MAX)
                .map(|transaction| Transaction::clone(transaction))
                .collect();
        }
        let bytes = block.to_bytes();
        assert!(bytes.len() <= BLOCK_BYTES_MAX, "proposals stay within a block");
        let digest = Block::digest_of_encoding(&bytes);
        self.blocks.insert(digest, Seen { block, encoded: bytes });
        // Kept before it is proposed: its proposer votes for it. A store
        // that fails halts the validator, which proposes nothing more.
        self.keep(digest);
        send_tagged(&mut self.block_sender, Recipients::All, WIRE_BLOCK, &self.blocks[&digest].encoded);
        digest
    }

    /// The time of the block `digest` (0 for the genesis), if this
    /// validator has the block.
    fn block_time(&self, ledger: &Ledger, digest: &Digest) -> Option<u64> {
        if *digest == genesis_digest() {
            return Some(0);
        }
        self.block(ledger, digest).map(|block| block.time)
    }

    /// The block `digest`, seen here or applied to `ledger`.
    fn block<'a>(&'a self, ledger: &'a Ledger, digest: &Digest) -> Option<&'a Block> {
        self.blocks.get(digest).map(|seen| &seen.block).or_else(|| ledger.block(digest))
    }

    /// Whether `block`'s time is after its parent's (when this validator
    /// has the parent) and at most `BLOCK_TIME_DRIFT_MS` past its clock.
    fn time_fits(&self, ledger: &Ledger, block: &Block) -> bool {
        block.time_fits(self.block_time(ledger, &block.parent).unwrap_or(0), millis(self.now))
    }

    /// The transactions and acceptances in the blocks between `tip` and the
    /// last applied block, or `None` if one of those blocks is missing here.
    fn unfinalized_ancestry(&self, tip: Digest) -> Option<InFlight> {
        let mut in_flight = InFlight::default();
        let mut cursor = tip;
        while cursor != self.last_applied && !self.applied.contains(&cursor) {
            let block = &self.blocks.get(&cursor)?.block;
            in_flight.transactions.extend(block.transactions.iter().map(Transaction::id));
            in_flight.accepted.extend(block.acceptances.iter().map(|acceptance| acceptance.transaction));
            cursor = block.parent;
        }
        Some(in_flight)
    }

    fn handle_wire(&mut self, peer: super::PublicKey, bytes: &[u8]) {
        let Some((&tag, body)) = bytes.split_first() else {
            return;
        };
        match tag {
            WIRE_BLOCK => {
                // A malformed block from a peer is dropped; consensus
                // times out on it like on a block that never came.
                let Ok(block) = Block::from_bytes(body) else {
                    return;
                };
                self.receive_block(Block::digest_of_encoding(body), block, body);
            }
            WIRE_TRANSACTION => {
                // A member shared a client's transaction: it enters the
                // mempool like the client's own, if it concerns this shard.
                let Ok(transaction) = Transaction::from_bytes(body) else {
                    return;
                };
                let here = self.ledger.lock().expect("the ledger lock is never poisoned").state.concerns(&transaction);
                if here {
                    self.admit(Arc::new(transaction));
                }
            }
            WIRE_REQUEST => {
                let Ok(digest) = <[u8; 32]>::try_from(body) else {
                    return;
                };
                // An unfinalized block is here; a finalized one is in the ledger.
                let digest = commonware_cryptography::sha256::Digest(digest);
                if let Some(seen) = self.blocks.get(&digest) {
                    send_tagged(&mut self.block_sender, Recipients::One(peer), WIRE_BLOCK, &seen.encoded);
                    return;
                }
                let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
                let bytes = ledger.block(&digest).map(Block::to_bytes);
                drop(ledger);
                if let Some(bytes) = bytes {
                    self.send(Recipients::One(peer), WIRE_BLOCK, &bytes);
                }
            }
            _ => {}
        }
    }

    /// Keeps a block received from a peer, `encoded`, under `digest`, its
    /// encoding's digest.
    fn receive_block(&mut self, digest: Digest, block: Block, encoded: &[u8]) {
        if self.blocks.contains_key(&digest) {
            return;
        }
        let pending = self.pending_verifies.remove(&digest).unwrap_or_default();
        let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        let time_fits = self.time_fits(&ledger, &block);
        drop(ledger);
        let answers: Vec<bool> = pending
            .iter()
            .map(|(context, _)| time_fits && is_valid_child(&block, context, &self.relay, &self.signatures))
            .collect();
        // Already in the ledger: keeping it here too would hold it twice.
        let applied = self.applied.contains(&digest);
        if !applied {
            self.blocks.insert(digest, Seen { block, encoded: encoded.to_vec() });
        }
        for ((_, response), valid) in pending.into_iter().zip(answers) {
            let _ = response.send(valid && self.keep(digest));
        }
        if !applied && self.missing_for_finalization == Some(digest) {
            self.advance();
        }
    }

    /// Applies every block from the last applied one up to the target, or
    /// asks for the first one missing on the way.
    fn advance(&mut self) {
        let Some((_, target)) = self.target else {
            return;
        };
        let genesis = genesis_digest();
        let mut chain = Vec::new();
        let mut cursor = target;
        while cursor != self.last_applied {
            assert!(
                cursor != genesis,
                "finalized block {target:?} does not extend the last applied block {:?}",
                self.last_applied
            );
            let Some(seen) = self.blocks.get(&cursor) else {
                self.missing_for_finalization = Some(cursor);
                self.request(cursor);
                return;
            };
            chain.push(cursor);
            cursor = seen.block.parent;
        }
        self.missing_for_finalization = None;
        self.target = None;
        let mut ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        for digest in chain.into_iter().rev() {
            // The ledger keeps the block from now on.
            let Seen { block, encoded } = self.blocks.remove(&digest).expect("the walk found every block of the chain");
            for transaction in &block.transactions {
                self.mempool.remove(&transaction.id());
            }
            let effects = match ledger.apply(digest, block, &encoded) {
                Ok(effects) => effects,
                Err(error) => {
                    // The state is ahead of what the store holds: stop
                    // before acting on it, and restart from the store.
                    ledger.halted = Some(error);
                    self.halted = true;
                    return;
                }
            };
            for id in &effects.accepted {
                self.relay.accepted(id);
            }
            let decided = effects
                .decisions
                .into_iter()
                .filter_map(|decision| {
                    let transaction = ledger.state.prepared(&decision.transaction).cloned()?;
                    Some((decision, transaction))
                })
                .collect();
            self.relay.decided(decided, &ledger);
            self.applied.insert(digest);
            self.last_applied = digest;
        }
    }

    fn request(&mut self, digest: Digest) {
        self.send(Recipients::All, WIRE_REQUEST, &digest.0);
    }

    /// Handles a message of the cross-shard channel; a transaction another
    /// shard forwards enters the mempool like a client's.
    fn handle_cross_shard(&mut self, peer: super::PublicKey, bytes: &[u8]) {
        let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        let forwarded = self.relay.handle_wire(peer, bytes, &ledger);
        drop(ledger);
        for transaction in forwarded {
            self.admit(Arc::new(transaction));
        }
    }

    /// Asks other shards again for the certificates still missing.
    fn request_missing_certificates(&mut self) {
        let ledger = self.ledger.lock().expect("the ledger lock is never poisoned");
        self.relay.request_missing(&ledger);
    }

    /// Asks again for every block still awaited, and forgets verifications
    /// consensus no longer waits for.
    fn request_missing(&mut self) {
        self.pending_verifies.retain(|_, pending| {
            pending.retain(|(_, response)| !response.is_closed());
            !pending.is_empty()
        });
        let mut wanted: Vec<Digest> = self.pending_verifies.keys().copied().collect();
        wanted.extend(self.missing_for_finalization);
        for digest in wanted {
            self.request(digest);
        }
    }

    fn send(&mut self, recipients: Recipients<super::PublicKey>, tag: u8, body: &[u8]) {
        send_tagged(&mut self.block_sender, recipients, tag, body);
    }
}

/// Sends `body` behind its `tag` on the block channel.
fn send_tagged<S: Sender>(sender: &mut S, recipients: Recipients<S::PublicKey>, tag: u8, body: &[u8]) {
    let mut message = Vec::with_capacity(1 + body.len());
    message.push(tag);
    message.extend_from_slice(body);
    // Delivery is best effort: a lost block is fetched again by digest.
    let _ = sender.send(recipients, message, false);
}

/// Whether `block` may be voted for in `context`: it extends the parent
/// consensus named, carries no transaction and no acceptance twice, every
/// signature holds, and every acceptance's certificates prove their decisions.
fn is_valid_child<S: Sender<PublicKey = super::PublicKey>>(
    block: &Block,
    context: &ConsensusContext,
    relay: &Relay<S>,
    signatures: &SignatureCache,
) -> bool {
    if block.parent != context.parent.1 {
        return false;
    }
    let ids: BTreeSet<TxId> = block.transactions.iter().map(Transaction::id).collect();
    if ids.len() != block.transactions.len() {
        return false;
    }
    let accepted: BTreeSet<TxId> = block.acceptances.iter().map(|acceptance| acceptance.transaction).collect();
    if accepted.len() != block.acceptances.len() {
        return false;
    }
    signatures.verify(&block.transactions).into_iter().all(|valid| valid)
        && block.acceptances.iter().all(|acceptance| relay.verify(acceptance))
}

/// `time` in milliseconds since 1970-01-01 UTC (0 before it).
fn millis(time: SystemTime) -> u64 {
    let since = time.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}
