//! Routing between clients and shards: which shard a transaction goes to
//! (that of every object it names and creates), what is refused before it
//! reaches a mempool, and reading back transactions and objects from the
//! shard that holds them. Each shard is read through its most advanced
//! validator's ledger. A devnet in one process serves every shard; a
//! `min-node` running one validator serves that validator's shard, and
//! refuses what another shard would have to order.

use crate::wallet;
use ed25519_dalek::SigningKey;
use min_chain::contracts::{ContractHost, Event};
use min_chain::node::{Ledger, Mailbox};
use min_chain::objects::{Address, Object, ObjectId, ObjectRef};
use min_chain::shard::{ShardId, is_cross_shard, shard_of, shards_touched_by};
use min_chain::signatures::SignatureCache;
use min_chain::state::Abort;
use min_chain::transaction::{Transaction, TxId};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::SystemTime;

/// What the router holds of one validator: where to submit, and what it finalized.
#[derive(Clone)]
pub struct ValidatorHandle {
    /// Submits transactions to the validator's mempool.
    pub mailbox: Mailbox,
    /// The validator's finalized blocks and state.
    pub ledger: Arc<Mutex<Ledger>>,
}

/// Why a transaction was refused before reaching any shard.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Rejection {
    /// The signature is not the signer's over the transaction.
    BadSignature,
    /// The current state of a shard it concerns already rules the transaction out.
    Invalid(Abort),
    /// The faucet could not build its mint.
    Faucet(wallet::WalletError),
    /// It concerns a shard whose validators do not run in this process,
    /// and it was not sent on to that shard.
    NotServed(ShardId),
    /// Sending it on to a process of another shard failed.
    NotForwarded {
        /// The shard.
        shard: ShardId,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSignature => f.write_str("the signature is not the signer's over the transaction"),
            Self::Invalid(abort) => write!(f, "{abort}"),
            Self::Faucet(error) => write!(f, "{error}"),
            Self::NotServed(shard) => write!(
                f,
                "it concerns shard {}, whose validators this node does not run: send it to a node of that shard",
                shard.0
            ),
            Self::NotForwarded { shard, reason } => {
                write!(f, "it concerns shard {}, and no node of that shard took it: {reason}", shard.0)
            }
        }
    }
}

/// A transaction accepted into its shard's mempools.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Submitted {
    /// Its id.
    pub id: TxId,
    /// The shard it was routed to.
    pub shard: ShardId,
}

/// Where a transaction stands.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TxStatus {
    /// Submitted here and not yet in a finalized block.
    Pending {
        /// The shard it was routed to.
        shard: ShardId,
    },
    /// Applied in the finalized block at `height`, creating `outputs`.
    Committed {
        /// The shard.
        shard: ShardId,
        /// The block's height on that shard (the first block after genesis is 1).
        height: usize,
        /// The block's time, in milliseconds since 1970-01-01 UTC.
        time: u64,
        /// The objects it created.
        outputs: Vec<ObjectRef>,
        /// The events it logged, in order.
        events: Vec<Event>,
    },
    /// In the finalized block at `height`, but not applied.
    Aborted {
        /// The shard.
        shard: ShardId,
        /// The block's height on that shard.
        height: usize,
        /// The block's time, in milliseconds since 1970-01-01 UTC.
        time: u64,
        /// Why it was not applied.
        reason: Abort,
    },
    /// Never submitted here and in no finalized block.
    Unknown,
}

/// Which logged events to list: each filter that is set must match.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct EventFilter {
    /// Only the events of this transaction.
    pub transaction: Option<TxId>,
    /// Only the events of the contract published as this package.
    pub package: Option<ObjectId>,
    /// Only events of this type, by qualified (`bank.Transferred`) or short (`Transferred`) name.
    pub type_name: Option<String>,
}

impl EventFilter {
    fn matches(&self, transaction: &TxId, event: &Event) -> bool {
        let short = event.type_name.rsplit_once('.').map_or(event.type_name.as_str(), |(_, name)| name);
        self.transaction.is_none_or(|wanted| wanted == *transaction)
            && self.package.is_none_or(|wanted| wanted == event.package)
            && self.type_name.as_deref().is_none_or(|wanted| wanted == event.type_name || wanted == short)
    }
}

/// An event a committed transaction logged, and where.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoggedEvent {
    /// The transaction that logged it.
    pub transaction: TxId,
    /// The shard whose block committed the transaction.
    pub shard: ShardId,
    /// That block's height.
    pub height: usize,
    /// Its position among the transaction's events, from 0.
    pub index: usize,
    /// The event.
    pub event: Event,
}

/// The most events [`Router::events`] lists at once.
pub const EVENTS_LISTED_MAX: usize = 1000;

/// One shard's progress.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ShardStatus {
    /// The shard.
    pub shard: ShardId,
    /// The highest finalized height among its validators here.
    pub height: usize,
    /// The time of the block at that height, in milliseconds since
    /// 1970-01-01 UTC (0 before the first).
    pub time: u64,
    /// Each validator's finalized height, in committee order.
    pub validator_heights: Vec<usize>,
    /// How many objects it holds, active or consumed.
    pub objects: usize,
}

/// An object and where it lives.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LocatedObject {
    /// The object.
    pub object: Object,
    /// Its shard.
    pub shard: ShardId,
    /// Whether it may still be consumed.
    pub active: bool,
}

/// The devnet's shards as clients see them.
pub struct Router {
    shard_count: NonZeroU32,
    /// The validators of each shard that run here: all of them in a
    /// devnet in one process, none for a shard served elsewhere.
    shards: Vec<Vec<ValidatorHandle>>,
    validators_per_shard: usize,
    faucet: SigningKey,
    faucet_nonce: AtomicU64,
    pending: Mutex<BTreeMap<TxId, Vec<ShardId>>>,
    contracts: Arc<dyn ContractHost>,
    signatures: Arc<SignatureCache>,
}

impl Router {
    /// A router over `shards`, each the handles of the validators of its
    /// committee that run here (at least one shard with one or more), of
    /// `validators_per_shard` each; `faucet` signs the mints of [`Router::faucet`],
    /// `contracts` runs the contract calls it checks before routing them,
    /// and `signatures` remembers the signatures it found valid (the
    /// validators of the process share it, so each is checked once).
    pub fn new(
        shards: Vec<Vec<ValidatorHandle>>,
        validators_per_shard: usize,
        faucet: SigningKey,
        contracts: Arc<dyn ContractHost>,
        signatures: Arc<SignatureCache>,
    ) -> Self {
        assert!(shards.iter().any(|committee| !committee.is_empty()), "some shard has a validator here");
        let count = u32::try_from(shards.len()).ok().and_then(NonZeroU32::new).expect("one shard or more");
        Self {
            shard_count: count,
            shards,
            validators_per_shard,
            faucet,
            // Mints must differ from those of earlier runs on the same state
            // (a devnet started again, or reverted), whose nonces are not kept.
            faucet_nonce: AtomicU64::new(
                SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_nanos() as u64),
            ),
            pending: Mutex::default(),
            contracts,
            signatures,
        }
    }

    /// The number of shards.
    pub fn shard_count(&self) -> NonZeroU32 {
        self.shard_count
    }

    /// The number of validators of each shard.
    pub fn validators_per_shard(&self) -> usize {
        self.validators_per_shard
    }

    /// The validators of `shard` that run here, in committee order, for
    /// observers that follow their ledgers block by block.
    pub fn validators(&self, shard: ShardId) -> &[ValidatorHandle] {
        &self.shards[shard.0 as usize]
    }

    /// The shards whose validators run here, in order.
    pub fn served(&self) -> impl Iterator<Item = ShardId> + '_ {
        (0..self.shard_count.get()).map(ShardId).filter(|shard| !self.shards[shard.0 as usize].is_empty())
    }

    /// Whether every shard's validators run here.
    fn serves_all(&self) -> bool {
        self.shards.iter().all(|committee| !committee.is_empty())
    }

    /// The shards `transaction` goes to, after checking its signature and,
    /// against the current state of each served here, everything that
    /// cannot change in its favour. An object that does not exist yet is
    /// let through: it may be the pending output of an earlier transaction.
    /// A publication goes to every shard (each keeps the package); any
    /// other transaction to the shards of the objects it names and creates,
    /// which commit it together when there are several.
    pub fn route(&self, transaction: &Transaction) -> Result<Vec<ShardId>, Rejection> {
        if !self.signatures.verify_one(transaction) {
            return Err(Rejection::BadSignature);
        }
        let shards: Vec<ShardId> = shards_touched_by(transaction, self.shard_count).into_iter().collect();
        let cross_shard = is_cross_shard(transaction, self.shard_count);
        for shard in if cross_shard { &shards[..] } else { &shards[..1] } {
            let Some(ledger) = self.free_ledger(*shard) else { continue };
            let checked = if cross_shard {
                ledger.state.check_prepare(transaction, true).map(|_| ())
            } else {
                ledger.state.check(transaction, true, self.contracts.as_ref())
            };
            match checked {
                Ok(()) | Err(Abort::MissingObject(_)) => {}
                Err(abort) => return Err(Rejection::Invalid(abort)),
            }
        }
        Ok(shards)
    }

    /// Routes `transaction` and hands it to every validator of its shards;
    /// one that concerns a shard served elsewhere is refused
    /// ([`Rejection::NotServed`]).
    pub fn submit(&self, transaction: Transaction) -> Result<Submitted, Rejection> {
        self.submit_forwarding(transaction, &mut |shard| Err(Rejection::NotServed(shard)))
    }

    /// [`Router::submit`], handing `transaction` to `forward` for each shard
    /// it concerns that is served elsewhere, first: the validators here get
    /// it only once every other shard's process has taken it, so that no
    /// shard here prepares (and locks inputs for) a transaction another
    /// shard never sees.
    pub fn submit_forwarding(
        &self,
        transaction: Transaction,
        forward: &mut dyn FnMut(ShardId) -> Result<(), Rejection>,
    ) -> Result<Submitted, Rejection> {
        let shards = self.route(&transaction)?;
        let (here, elsewhere): (Vec<ShardId>, Vec<ShardId>) =
            shards.iter().partition(|shard| !self.shards[shard.0 as usize].is_empty());
        for shard in elsewhere {
            forward(shard)?;
        }
        let id = transaction.id();
        let transaction = Arc::new(transaction);
        for shard in &here {
            let committee = &self.shards[shard.0 as usize];
            for validator in committee {
                // A validator whose peers run elsewhere shares it with them.
                if committee.len() < self.validators_per_shard {
                    validator.mailbox.share(transaction.clone());
                } else {
                    validator.mailbox.submit(transaction.clone());
                }
            }
        }
        if !here.is_empty() {
            self.pending.lock().expect("the pending lock is never poisoned").insert(id, here);
        }
        Ok(Submitted { id, shard: shards[0] })
    }

    /// [`Router::submit`] for each of `transactions`, in order, with their
    /// signatures checked together first ([`Router::check_signatures`]):
    /// what submitting each one alone gives.
    pub fn submit_all(&self, transactions: Vec<Transaction>) -> Vec<Result<Submitted, Rejection>> {
        self.check_signatures(&transactions);
        transactions.into_iter().map(|transaction| self.submit(transaction)).collect()
    }

    /// Checks the signatures of `transactions` in one batch, so that routing
    /// each of them then finds its answer remembered: for a caller with
    /// several to submit at once (an ed25519 batch costs each signature
    /// about a third of a check alone). A bad signature is not remembered,
    /// and routing its transaction refuses it as before.
    pub fn check_signatures<T: Borrow<Transaction>>(&self, transactions: &[T]) {
        if transactions.len() > 1 {
            self.signatures.verify(transactions);
        }
    }

    /// How many transactions routed here are not final yet on every shard
    /// they went to. Those that are final are forgotten as pending (their
    /// status reads the same from the shards).
    pub fn unfinished(&self) -> usize {
        let routed: Vec<TxId> =
            self.pending.lock().expect("the pending lock is never poisoned").keys().copied().collect();
        let finished: Vec<TxId> =
            routed.into_iter().filter(|id| !matches!(self.status(id), TxStatus::Pending { .. })).collect();
        let mut pending = self.pending.lock().expect("the pending lock is never poisoned");
        for id in &finished {
            pending.remove(id);
        }
        pending.len()
    }

    /// Mints a coin of `amount` for `owner` on `shard` (any shard served
    /// here when `None`; a shard that does not exist yields
    /// [`WalletError::NoPlacement`](wallet::WalletError::NoPlacement))
    /// and submits it; the coin is the transaction's first output.
    pub fn faucet(&self, owner: Address, amount: u128, shard: Option<ShardId>) -> Result<Submitted, Rejection> {
        self.submit(self.faucet_mint(owner, amount, shard)?)
    }

    /// The mint [`Router::faucet`] submits.
    pub fn faucet_mint(&self, owner: Address, amount: u128, shard: Option<ShardId>) -> Result<Transaction, Rejection> {
        if let Some(shard) = shard
            && shard.0 >= self.shard_count.get()
        {
            return Err(Rejection::Faucet(wallet::WalletError::NoPlacement(shard)));
        }
        let shard = if self.serves_all() { shard } else { shard.or_else(|| self.served().next()) };
        let nonce = self.faucet_nonce.fetch_add(1, Ordering::Relaxed);
        let label = [b"min-devnet/faucet/".as_slice(), &nonce.to_le_bytes()].concat();
        wallet::mint(&self.faucet, owner, amount, &label, shard, self.shard_count).map_err(Rejection::Faucet)
    }

    /// Where the transaction `id` stands. A transaction sent to several
    /// shards (a publication, a cross-shard transaction) is final once it
    /// is final on all of them.
    pub fn status(&self, id: &TxId) -> TxStatus {
        let pending = self.pending.lock().expect("the pending lock is never poisoned").get(id).cloned();
        let Some(shards) = pending else {
            return self.served().find_map(|shard| self.outcome(id, shard)).unwrap_or(TxStatus::Unknown);
        };
        let mut outcomes = shards.iter().map(|shard| self.outcome(id, *shard));
        let first = outcomes.next().flatten();
        match first {
            Some(status) if outcomes.all(|outcome| outcome.is_some()) => status,
            _ => TxStatus::Pending { shard: shards[0] },
        }
    }

    /// The outcome of `id` on `shard`, if it is final there.
    fn outcome(&self, id: &TxId, shard: ShardId) -> Option<TxStatus> {
        let ledger = self.ledger(shard)?;
        let (height, outcome) = ledger.outcomes.get(id)?;
        let (height, time) = (*height, block_time(&ledger, *height));
        Some(match outcome {
            Ok(outputs) => TxStatus::Committed {
                shard,
                height,
                time,
                outputs: outputs.clone(),
                events: ledger.events.get(id).cloned().unwrap_or_default(),
            },
            Err(reason) => TxStatus::Aborted { shard, height, time, reason: reason.clone() },
        })
    }

    /// The events committed transactions logged that `filter` matches,
    /// shard by shard and on each in the order they were committed, at
    /// most [`EVENTS_LISTED_MAX`]. A transaction committed on several
    /// shards is listed once, from the first.
    pub fn events(&self, filter: &EventFilter) -> Vec<LoggedEvent> {
        let mut listed = Vec::new();
        let mut seen: BTreeSet<TxId> = BTreeSet::new();
        for shard in self.served() {
            let Some(ledger) = self.ledger(shard) else { continue };
            for (height, finalized) in (1..).zip(&ledger.blocks) {
                for logged in &finalized.events {
                    if filter.transaction.is_some_and(|wanted| wanted != logged.transaction)
                        || !seen.insert(logged.transaction)
                    {
                        continue;
                    }
                    for (index, event) in logged.events.iter().enumerate() {
                        if !filter.matches(&logged.transaction, event) {
                            continue;
                        }
                        if listed.len() == EVENTS_LISTED_MAX {
                            return listed;
                        }
                        let transaction = logged.transaction;
                        listed.push(LoggedEvent { transaction, shard, height, index, event: event.clone() });
                    }
                }
            }
        }
        listed
    }

    /// The object `id`, active or consumed, from its shard (`None` when
    /// that shard is served elsewhere).
    pub fn object(&self, id: &ObjectId) -> Option<LocatedObject> {
        let shard = shard_of(id, self.shard_count);
        let ledger = self.ledger(shard)?;
        let object = ledger.state.object(id)?.clone();
        Some(LocatedObject { active: ledger.state.is_active(id), object, shard })
    }

    /// The active objects `owner` holds on the shards served here, shard by
    /// shard, in id order.
    pub fn objects_owned_by(&self, owner: Address) -> Vec<LocatedObject> {
        self.served()
            .flat_map(|shard| {
                let Some(ledger) = self.ledger(shard) else { return Vec::new() };
                ledger
                    .state
                    .active_owned_by(owner)
                    .map(|object| LocatedObject { object: object.clone(), shard, active: true })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The progress of every shard served here.
    pub fn shard_statuses(&self) -> Vec<ShardStatus> {
        self.served()
            .map(|shard| {
                let validator_heights: Vec<usize> = self.shards[shard.0 as usize]
                    .iter()
                    .map(|validator| lock(&validator.ledger).blocks.len())
                    .collect();
                let ledger = self.ledger(shard).expect("served here");
                ShardStatus {
                    shard,
                    height: ledger.blocks.len(),
                    time: block_time(&ledger, ledger.blocks.len()),
                    validator_heights,
                    objects: ledger.state.object_count(),
                }
            })
            .collect()
    }

    /// The ledger of `shard`'s most advanced validator here, locked; `None`
    /// when none of its validators runs here.
    fn ledger(&self, shard: ShardId) -> Option<MutexGuard<'_, Ledger>> {
        let committee = &self.shards[shard.0 as usize];
        let best = committee.iter().max_by_key(|validator| lock(&validator.ledger).blocks.len())?;
        Some(lock(&best.ledger))
    }

    /// The ledger of the most advanced validator of `shard` that is not
    /// applying a block now, or [`Router::ledger`] when all are: admission
    /// checks hold against any recent state, and need not wait for a block
    /// to be applied and stored.
    fn free_ledger(&self, shard: ShardId) -> Option<MutexGuard<'_, Ledger>> {
        let mut best: Option<MutexGuard<'_, Ledger>> = None;
        for validator in &self.shards[shard.0 as usize] {
            let ledger = match validator.ledger.try_lock() {
                Ok(ledger) => ledger,
                Err(TryLockError::WouldBlock) => continue,
                Err(TryLockError::Poisoned(_)) => panic!("a ledger lock is never poisoned"),
            };
            // At most two validators wait on the router at a time.
            if best.as_ref().is_none_or(|best| ledger.blocks.len() > best.blocks.len()) {
                best = Some(ledger);
            }
        }
        best.or_else(|| self.ledger(shard))
    }
}

/// The time of `ledger`'s finalized block at `height` (from 1), or 0.
fn block_time(ledger: &Ledger, height: usize) -> u64 {
    height.checked_sub(1).and_then(|index| ledger.blocks.get(index)).map_or(0, |finalized| finalized.block.time)
}

fn lock(ledger: &Mutex<Ledger>) -> MutexGuard<'_, Ledger> {
    ledger.lock().expect("a ledger lock is never poisoned")
}
