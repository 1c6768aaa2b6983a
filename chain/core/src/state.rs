//! A shard's object state and the execution of transactions against it.
//! Execution is all or nothing: every check runs before anything changes,
//! so an aborted transaction leaves the state exactly as it was. Consumed
//! objects are marked inactive and kept, so no version is consumed twice.

use crate::block::Block;
use crate::checker::{self, CheckerInput};
use crate::contracts::{
    CallFailure, ContractCall, ContractHost, EVENT_BYTES_MAX, EVENT_TYPE_NAME_MAX, EVENTS_MAX, Event, Package,
    REACHABLE_MAX, contract_owner, contract_type_tag, reachable_packages,
};
use crate::objects::{Address, Object, ObjectId, ObjectRef, TypeTag};
use crate::sbac::{Acceptance, Committees, Decision, Verdict, bounded_reason};
use crate::shard::{ShardId, is_cross_shard, shard_of, shards_touched_by};
use crate::transaction::{Procedure, Transaction, TransactionBody, TxId, verify_signatures};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::num::NonZeroU32;

mod fingerprint;

use fingerprint::{Fingerprint, cross_shard_hash, lock_hash, object_hash};

/// Why a transaction was not applied.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Abort {
    /// The transaction breaks a structural rule (for example it names the
    /// same input twice).
    Malformed(Cow<'static, str>),
    /// The signature is not the signer's over the transaction.
    BadSignature,
    /// The transaction concerns no object of this shard: it was ordered
    /// by a shard that does not hold what it names.
    WrongShard(ObjectId),
    /// An input or reference input does not exist.
    MissingObject(ObjectId),
    /// An input or reference input is held by a cross-shard commit in progress.
    LockedObject(ObjectId),
    /// An input or reference input has already been consumed.
    InactiveObject(ObjectId),
    /// The object exists, but at another version than the one named.
    WrongVersion {
        /// The object.
        id: ObjectId,
        /// The version the transaction named.
        expected: u64,
        /// The version the shard holds.
        found: u64,
    },
    /// An input is owned by someone other than the signer.
    NotOwner(ObjectId),
    /// The procedure's checker rejected the client's outputs.
    CheckerFailed(Cow<'static, str>),
    /// The contract host refused the package, or the procedure failed when
    /// the validator ran it (an abort, a trap, out of gas, bad inputs).
    ContractFailed(String),
    /// An output's id already exists: the transaction was applied before.
    Replayed(ObjectId),
    /// Another shard the cross-shard transaction concerns prepared to abort it.
    Refused {
        /// The first shard (by number) that refused.
        shard: ShardId,
        /// Its reason.
        reason: String,
    },
}

impl fmt::Display for Abort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(reason) => write!(f, "malformed transaction: {reason}"),
            Self::BadSignature => write!(f, "the signature is not the signer's"),
            Self::WrongShard(id) => write!(f, "{id:?} lives on another shard"),
            Self::MissingObject(id) => write!(f, "{id:?} does not exist"),
            Self::LockedObject(id) => write!(f, "{id:?} is locked by a cross-shard commit"),
            Self::InactiveObject(id) => write!(f, "{id:?} was already consumed"),
            Self::WrongVersion { id, expected, found } => write!(f, "{id:?} is at version {found}, not {expected}"),
            Self::NotOwner(id) => write!(f, "{id:?} is not owned by the signer"),
            Self::CheckerFailed(reason) => write!(f, "the checker rejected the outputs: {reason}"),
            Self::ContractFailed(reason) => write!(f, "the contract failed: {reason}"),
            Self::Replayed(id) => write!(f, "output {id:?} already exists"),
            Self::Refused { shard, reason } => write!(f, "shard {} refused the transaction: {reason}", shard.0),
        }
    }
}

/// What finally became of a transaction: the objects it created, or why
/// it was not applied.
pub type Outcome = Result<Vec<ObjectRef>, Abort>;

/// What applying one transaction of a block did.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Applied {
    /// A transaction of this shard alone (or a publication), applied or
    /// aborted for good.
    Final(Outcome),
    /// A cross-shard transaction this shard has now prepared; it becomes
    /// final when its [`Acceptance`] is applied.
    Prepared(Decision),
    /// A cross-shard transaction this shard had already prepared: nothing changed.
    AlreadyPrepared,
}

/// What applying one acceptance of a block did: the transaction's final
/// outcome, or why the acceptance changed nothing.
pub type Accepted = Result<Outcome, String>;

/// A cross-shard transaction this shard has prepared.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CrossShardEntry {
    /// The transaction.
    pub transaction: Transaction,
    /// The objects it locked (none when this shard refused it).
    pub locked: Vec<ObjectId>,
    /// Whether its acceptance has been applied.
    pub accepted: bool,
}

/// One stored object and whether it may still be consumed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ObjectEntry {
    /// The object.
    pub object: Object,
    /// Whether it has not been consumed.
    pub active: bool,
}

/// What changed in a state since the last [`ShardState::take_changes`]:
/// each entry as it now is. Objects and cross-shard entries are never
/// removed (a consumed object stays, inactive), so a store that writes
/// these over its copy holds the state.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct StateChanges {
    /// The objects created or consumed.
    pub objects: Vec<ObjectEntry>,
    /// The locks taken (`true`) or released (`false`).
    pub locks: Vec<(ObjectId, bool)>,
    /// The cross-shard transactions prepared or accepted.
    pub cross_shard: Vec<CrossShardEntry>,
}

impl StateChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.locks.is_empty() && self.cross_shard.is_empty()
    }
}

/// The events one committed transaction logged, in order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TxEvents {
    /// The transaction.
    pub transaction: TxId,
    /// Its events, in the order its contract call logged them.
    pub events: Vec<Event>,
}

/// The keys changed since the last [`ShardState::take_changes`].
#[derive(Clone, Default, Debug)]
struct Touched {
    objects: BTreeSet<ObjectId>,
    locks: BTreeSet<ObjectId>,
    cross_shard: BTreeSet<TxId>,
}

/// The objects of one shard, active and consumed, and the locks held on them.
#[derive(Clone, Debug)]
pub struct ShardState {
    shard: ShardId,
    shards: NonZeroU32,
    faucet: Address,
    objects: HashMap<ObjectId, ObjectEntry>,
    locked: BTreeSet<ObjectId>,
    cross_shard: BTreeMap<TxId, CrossShardEntry>,
    /// What changed since the store last took the changes; not part of the state.
    touched: Touched,
    /// The events of the transactions committed since the last
    /// [`ShardState::take_events`]; not part of the state.
    logged: Vec<TxEvents>,
    /// The sum of the entries' hashes, updated with every change.
    fingerprint: Fingerprint,
    /// The time of the block being applied, or of the last one, in
    /// seconds: what a contract procedure's `Time` receives. Not part of
    /// the state: every block sets it before its transactions run.
    time: u64,
}

/// Two states are equal when their objects, locks and cross-shard
/// transactions are; what a store has yet to take does not count.
impl PartialEq for ShardState {
    fn eq(&self, other: &Self) -> bool {
        self.shard == other.shard
            && self.shards == other.shards
            && self.faucet == other.faucet
            && self.objects == other.objects
            && self.locked == other.locked
            && self.cross_shard == other.cross_shard
    }
}

impl Eq for ShardState {}

impl ShardState {
    /// An empty shard `shard` of `shards`, where `faucet` may mint.
    pub fn new(shard: ShardId, shards: NonZeroU32, faucet: Address) -> Self {
        assert!(shard.0 < shards.get(), "the shard is one of the shards");
        Self {
            shard,
            shards,
            faucet,
            objects: HashMap::new(),
            locked: BTreeSet::new(),
            cross_shard: BTreeMap::new(),
            touched: Touched::default(),
            logged: Vec::new(),
            fingerprint: Fingerprint::default(),
            time: 0,
        }
    }

    /// The time the next transactions run at, in seconds (a block sets
    /// it; see [`ShardState::execute`]).
    pub fn time(&self) -> u64 {
        self.time
    }

    /// Sets the time the next transactions run at, in seconds, as a block
    /// applied by [`ShardState::execute`] does.
    pub fn set_time(&mut self, seconds: u64) {
        self.time = seconds;
    }

    /// The shard this state is of.
    pub fn shard(&self) -> ShardId {
        self.shard
    }

    /// The object `id`, active or consumed.
    pub fn object(&self, id: &ObjectId) -> Option<&Object> {
        self.objects.get(id).map(|entry| &entry.object)
    }

    /// Whether `id` exists and has not been consumed.
    pub fn is_active(&self, id: &ObjectId) -> bool {
        self.objects.get(id).is_some_and(|entry| entry.active)
    }

    /// The active objects owned by `owner`, in id order.
    pub fn active_owned_by(&self, owner: Address) -> impl Iterator<Item = &Object> {
        let mut owned: Vec<&Object> = self
            .objects
            .values()
            .filter(move |entry| entry.active && entry.object.owner == owner)
            .map(|entry| &entry.object)
            .collect();
        owned.sort_unstable_by_key(|object| object.id);
        owned.into_iter()
    }

    /// How many objects the shard holds, active or consumed.
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    /// Locks `id` for a cross-shard commit; transactions naming it abort
    /// with [`Abort::LockedObject`] until it is unlocked.
    pub fn lock(&mut self, id: ObjectId) {
        if self.locked.insert(id) {
            self.fingerprint.replace(None, Some(lock_hash(&id)));
        }
        self.touched.locks.insert(id);
    }

    /// Releases a lock taken by [`ShardState::lock`].
    pub fn unlock(&mut self, id: &ObjectId) {
        if self.locked.remove(id) {
            self.fingerprint.replace(Some(lock_hash(id)), None);
        }
        self.touched.locks.insert(*id);
    }

    /// Takes what changed since the last call, each entry as it now is.
    pub fn take_changes(&mut self) -> StateChanges {
        // Once a block, debug builds (every test and simulation) check the
        // digest kept up to date against one computed afresh.
        debug_assert_eq!(self.fingerprint, self.fingerprint_from_scratch(), "the state digest drifted");
        let touched = std::mem::take(&mut self.touched);
        StateChanges {
            objects: touched.objects.iter().filter_map(|id| self.objects.get(id)).cloned().collect(),
            locks: touched.locks.into_iter().map(|id| (id, self.locked.contains(&id))).collect(),
            cross_shard: touched.cross_shard.iter().filter_map(|id| self.cross_shard.get(id)).cloned().collect(),
        }
    }

    /// Takes the events of the transactions committed since the last call,
    /// in the order they were committed (only those that logged any).
    pub fn take_events(&mut self) -> Vec<TxEvents> {
        std::mem::take(&mut self.logged)
    }

    /// Keeps the events a committed transaction logged.
    fn log(&mut self, transaction: TxId, events: Vec<Event>) {
        if !events.is_empty() {
            self.logged.push(TxEvents { transaction, events });
        }
    }

    /// Writes stored entries over the state, as a store loads it; they do
    /// not count as changes.
    pub fn restore(&mut self, changes: StateChanges) {
        for entry in changes.objects {
            self.objects.insert(entry.object.id, entry);
        }
        for (id, locked) in changes.locks {
            if locked {
                self.locked.insert(id);
            } else {
                self.locked.remove(&id);
            }
        }
        for entry in changes.cross_shard {
            self.cross_shard.insert(entry.transaction.id(), entry);
        }
        self.fingerprint = self.fingerprint_from_scratch();
    }

    /// The fingerprint of every entry, hashed afresh.
    fn fingerprint_from_scratch(&self) -> Fingerprint {
        let mut fingerprint = Fingerprint::default();
        for entry in self.objects.values() {
            fingerprint.replace(None, Some(object_hash(&entry.object, entry.active)));
        }
        for id in &self.locked {
            fingerprint.replace(None, Some(lock_hash(id)));
        }
        for (id, entry) in &self.cross_shard {
            fingerprint.replace(None, Some(cross_shard_hash(id, entry.accepted)));
        }
        fingerprint
    }

    /// A hash of every object, its activity, every lock and every prepared
    /// cross-shard transaction, equal on two nodes exactly when their
    /// states are equal. Kept up to date as the state changes, so it costs
    /// nothing to read (see `state/fingerprint.rs`).
    pub fn digest(&self) -> [u8; 32] {
        self.fingerprint.digest(self.shard)
    }

    /// Checks `transaction` against the state without changing it; the
    /// signature is taken as already verified when `signature_valid`, and
    /// `contracts` runs contract procedures and checks packages.
    pub fn check(
        &self,
        transaction: &Transaction,
        signature_valid: bool,
        contracts: &dyn ContractHost,
    ) -> Result<(), Abort> {
        self.check_logging(transaction, signature_valid, contracts).map(drop)
    }

    /// [`ShardState::check`], answering the events the transaction would log.
    fn check_logging(
        &self,
        transaction: &Transaction,
        signature_valid: bool,
        contracts: &dyn ContractHost,
    ) -> Result<Vec<Event>, Abort> {
        let body = transaction.body();
        check_signature_and_names(body, signature_valid)?;
        let inputs = self.resolve(&body.inputs)?;
        let references = self.resolve(&body.references)?;
        let linked = self.linked_packages(body, references.first().copied())?;
        check_ownership(body, &inputs, references.first().copied(), &linked)?;
        self.check_outputs_fresh(transaction)?;
        let objects = Named { inputs: &inputs, references: &references, linked: &linked };
        self.run_checker(body, &objects, self.time, contracts)
    }

    /// The packages that the package of a call reaches through its links
    /// (`reachable_packages`), as this shard holds them (every shard holds
    /// every package): the contracts whose procedures the call may call,
    /// directly or through the contracts it calls. None for any other
    /// transaction.
    fn linked_packages(&self, body: &TransactionBody, package: Option<&Object>) -> Result<Vec<&Object>, Abort> {
        let (Procedure::Call { .. }, Some(package)) = (&body.procedure, package) else {
            return Ok(Vec::new());
        };
        if package.type_tag != TypeTag::PACKAGE {
            // `check_ownership` refuses the call with the reason.
            return Ok(Vec::new());
        }
        let reached = self.reach(&links_of(&package.data)?)?;
        reached.iter().map(|id| self.package_object(id)).collect()
    }

    /// The package object `id`, as this shard holds it.
    fn package_object(&self, id: &ObjectId) -> Result<&Object, Abort> {
        let object = self.objects.get(id).map(|entry| &entry.object);
        object.filter(|object| object.type_tag == TypeTag::PACKAGE).ok_or(Abort::MissingObject(*id))
    }

    /// The packages that `links` reach (`reachable_packages`), by id.
    fn reach(&self, links: &[ObjectId]) -> Result<Vec<ObjectId>, Abort> {
        reachable_packages(
            links,
            |id| links_of(&self.package_object(id)?.data),
            || Abort::ContractFailed(format!("the package's links reach more than {REACHABLE_MAX} packages")),
        )
    }

    /// The packages that the packages `linked` reach through their own
    /// links and that are not among them, each once, as this shard holds
    /// them: what a package linking to `linked` reaches besides them.
    fn reached_beyond(&self, linked: &[&Object]) -> Result<Vec<Package>, Abort> {
        let direct: Vec<ObjectId> = linked.iter().map(|object| object.id).collect();
        let mut links = Vec::new();
        for object in linked.iter().filter(|object| object.type_tag == TypeTag::PACKAGE) {
            links.extend(links_of(&object.data)?);
        }
        self.reach(&links)?
            .iter()
            .filter(|id| !direct.contains(id))
            .map(|id| {
                let data = &self.package_object(id)?.data;
                Package::from_bytes(data).map_err(|error| Abort::ContractFailed(error.to_string()))
            })
            .collect()
    }

    /// Runs the procedure's checker on the transaction's outputs, given
    /// every object it consumes and reads, in its order; answers the events
    /// a contract call logs (none for the built-in procedures).
    fn run_checker(
        &self,
        body: &TransactionBody,
        objects: &Named<'_>,
        time: u64,
        contracts: &dyn ContractHost,
    ) -> Result<Vec<Event>, Abort> {
        let Named { inputs, references, linked } = *objects;
        match (&body.procedure, references.first()) {
            (Procedure::Publish, _) => {
                let further = self.reached_beyond(references)?;
                check_publish(body, inputs, (references, &further), contracts).map(|()| Vec::new())
            }
            (Procedure::Call { name, .. }, Some(package)) => {
                let call = ContractCall {
                    package,
                    linked,
                    time,
                    procedure: name,
                    inputs,
                    references: &references[1..],
                    params: &body.params,
                    outputs: &body.outputs,
                    signer: body.signer,
                };
                check_call(&call, contracts)
            }
            (Procedure::Call { .. }, None) => {
                Err(Abort::Malformed("a call names its contract's package as its first reference input".into()))
            }
            (procedure, _) => {
                let facts = CheckerInput {
                    signer: body.signer,
                    inputs,
                    references,
                    outputs: &body.outputs,
                    faucet: self.faucet,
                };
                checker::check(procedure, &facts).map_err(|reason| Abort::CheckerFailed(reason.into()))?;
                Ok(Vec::new())
            }
        }
    }

    /// Every output's id is new, and lives on this shard unless the output
    /// is a package, which every shard holds.
    fn check_outputs_fresh(&self, transaction: &Transaction) -> Result<(), Abort> {
        let id = transaction.id();
        for (index, output) in transaction.body().outputs.iter().enumerate() {
            let object = id.output_id(index);
            if output.type_tag != TypeTag::PACKAGE && shard_of(&object, self.shards) != self.shard {
                return Err(Abort::WrongShard(object));
            }
            if self.objects.contains_key(&object) {
                return Err(Abort::Replayed(object));
            }
        }
        Ok(())
    }

    /// Applies `transaction` if every check passes: consumes its inputs and
    /// creates its outputs at version 1 with ids derived from its hash.
    /// Returns the references of the created objects, and keeps the events
    /// a contract call logs for [`ShardState::take_events`]; on `Err`
    /// nothing changed.
    pub fn apply(&mut self, transaction: &Transaction, signature_valid: bool, contracts: &dyn ContractHost) -> Outcome {
        let events = self.check_logging(transaction, signature_valid, contracts)?;
        self.consume(&transaction.body().inputs);
        let created = self.create(transaction);
        self.log(transaction.id(), events);
        Ok(created)
    }

    /// Marks `inputs` inactive; each must be here and active.
    fn consume(&mut self, inputs: &[ObjectRef]) {
        for input in inputs {
            let entry = self.objects.get_mut(&input.id).expect("the checks found every input");
            assert!(entry.active, "the checks found every input active");
            entry.active = false;
            self.fingerprint.replace(Some(object_hash(&entry.object, true)), Some(object_hash(&entry.object, false)));
            self.touched.objects.insert(input.id);
        }
    }

    /// Creates the outputs of `transaction` that live on this shard (and
    /// packages, which every shard holds), and answers the references of
    /// all its outputs.
    fn create(&mut self, transaction: &Transaction) -> Vec<ObjectRef> {
        let id: TxId = transaction.id();
        let mut created = Vec::with_capacity(transaction.body().outputs.len());
        for (index, output) in transaction.body().outputs.iter().enumerate() {
            let object = Object {
                id: id.output_id(index),
                version: 1,
                owner: output.owner,
                type_tag: output.type_tag,
                data: output.data.clone(),
            };
            created.push(object.reference());
            if object.type_tag == TypeTag::PACKAGE || shard_of(&object.id, self.shards) == self.shard {
                self.touched.objects.insert(object.id);
                self.fingerprint.replace(None, Some(object_hash(&object, true)));
                let previous = self.objects.insert(object.id, ObjectEntry { object, active: true });
                assert!(previous.is_none(), "the checks found every output id fresh");
            }
        }
        created
    }

    /// Whether `transaction` concerns this shard: it names or creates an
    /// object here, or it is a publication (which every shard applies).
    pub fn concerns(&self, transaction: &Transaction) -> bool {
        shards_touched_by(transaction, self.shards).contains(&self.shard)
    }

    /// Whether `transaction` needs S-BAC: it concerns several shards and is
    /// not a publication (which every shard applies on its own).
    pub fn is_cross_shard(&self, transaction: &Transaction) -> bool {
        is_cross_shard(transaction, self.shards)
    }

    /// Applies one transaction of a block: a transaction of this shard
    /// alone takes the fast path ([`ShardState::apply`]); a cross-shard one
    /// is prepared ([`ShardState::prepare`]).
    pub fn apply_transaction(
        &mut self,
        transaction: &Transaction,
        signature_valid: bool,
        contracts: &dyn ContractHost,
    ) -> Applied {
        if self.is_cross_shard(transaction) {
            self.prepare(transaction, signature_valid)
        } else {
            Applied::Final(self.apply(transaction, signature_valid, contracts))
        }
    }

    /// The first phase of S-BAC on this shard: checks what this shard holds
    /// of a cross-shard transaction and locks it (a commit verdict carrying
    /// those objects), or refuses (an abort verdict). A transaction is
    /// prepared once; a shard it does not concern aborts it for good.
    pub fn prepare(&mut self, transaction: &Transaction, signature_valid: bool) -> Applied {
        let id = transaction.id();
        if self.cross_shard.contains_key(&id) {
            return Applied::AlreadyPrepared;
        }
        let touched = shards_touched_by(transaction, self.shards);
        if !touched.contains(&self.shard) {
            let named = transaction.body().inputs.first().or(transaction.body().references.first());
            let object = named.map_or_else(|| id.output_id(0), |reference| reference.id);
            return Applied::Final(Err(Abort::WrongShard(object)));
        }
        let (verdict, locked) = match self.check_prepare(transaction, signature_valid) {
            Ok(objects) => {
                let locked: Vec<ObjectId> = objects.iter().map(|object| object.id).collect();
                for id in &locked {
                    self.lock(*id);
                }
                (Verdict::Commit { objects }, locked)
            }
            Err(abort) => (Verdict::Abort { reason: bounded_reason(&abort.to_string()) }, Vec::new()),
        };
        self.cross_shard.insert(id, CrossShardEntry { transaction: transaction.clone(), locked, accepted: false });
        self.touched.cross_shard.insert(id);
        self.fingerprint.replace(None, Some(cross_shard_hash(&id, false)));
        Applied::Prepared(Decision { transaction: id, shard: self.shard, time: self.time, verdict })
    }

    /// The checks of [`ShardState::prepare`] without its effects: the
    /// signature, and every object this shard holds among those the
    /// transaction names and creates. Answers those objects (packages
    /// aside), in the transaction's order.
    pub fn check_prepare(&self, transaction: &Transaction, signature_valid: bool) -> Result<Vec<Object>, Abort> {
        let body = transaction.body();
        check_signature_and_names(body, signature_valid)?;
        let inputs = self.resolve_local(&body.inputs)?;
        let references = self.resolve_local(&body.references)?;
        let local_inputs: Vec<&Object> = inputs.iter().flatten().copied().collect();
        let package = references.first().copied().flatten();
        let linked = self.linked_packages(body, package)?;
        check_ownership(body, &local_inputs, package, &linked)?;
        let id = transaction.id();
        for index in 0..body.outputs.len() {
            let object = id.output_id(index);
            if shard_of(&object, self.shards) == self.shard && self.objects.contains_key(&object) {
                return Err(Abort::Replayed(object));
            }
        }
        Ok(inputs
            .into_iter()
            .chain(references)
            .flatten()
            .filter(|object| object.type_tag != TypeTag::PACKAGE)
            .cloned()
            .collect())
    }

    /// The second phase of S-BAC on this shard: given a certificate of
    /// every shard the transaction concerns, commits it (every shard
    /// prepared to commit and the checker accepts the outputs, run on the
    /// objects the certificates carry) or aborts it, and releases its
    /// locks. An acceptance that proves nothing, or comes twice, changes nothing.
    pub fn accept(
        &mut self,
        acceptance: &Acceptance,
        committees: &Committees,
        contracts: &dyn ContractHost,
    ) -> Accepted {
        let id = acceptance.transaction;
        let cross_shard = self.cross_shard.get(&id).ok_or("the transaction was not prepared on this shard")?;
        if cross_shard.accepted {
            return Err("the transaction was accepted before".into());
        }
        acceptance.verify(committees)?;
        let transaction = cross_shard.transaction.clone();
        let touched: Vec<ShardId> = shards_touched_by(&transaction, self.shards).into_iter().collect();
        let certified: Vec<ShardId> =
            acceptance.certificates.iter().map(|certificate| certificate.decision.shard).collect();
        if certified != touched {
            return Err("the certificates are not those of the shards the transaction concerns".into());
        }
        let decided = self.decide(&transaction, acceptance, contracts);
        let cross_shard = self.cross_shard.get_mut(&id).expect("found above");
        cross_shard.accepted = true;
        let locked = std::mem::take(&mut cross_shard.locked);
        self.touched.cross_shard.insert(id);
        self.fingerprint.replace(Some(cross_shard_hash(&id, false)), Some(cross_shard_hash(&id, true)));
        for object in locked {
            self.unlock(&object);
        }
        let events = match decided {
            Ok(events) => events,
            Err(abort) => return Ok(Err(abort)),
        };
        let local: Vec<ObjectRef> = transaction
            .body()
            .inputs
            .iter()
            .filter(|input| shard_of(&input.id, self.shards) == self.shard)
            .copied()
            .collect();
        self.consume(&local);
        let created = self.create(&transaction);
        self.log(id, events);
        Ok(Ok(created))
    }

    /// Commit when every certificate is a commit verdict and the checker
    /// accepts the outputs on the objects they carry (with the events the
    /// transaction logs); otherwise the reason.
    fn decide(
        &self,
        transaction: &Transaction,
        acceptance: &Acceptance,
        contracts: &dyn ContractHost,
    ) -> Result<Vec<Event>, Abort> {
        let mut carried: BTreeMap<ObjectId, &Object> = BTreeMap::new();
        for certificate in &acceptance.certificates {
            match &certificate.decision.verdict {
                Verdict::Abort { reason } => {
                    return Err(Abort::Refused { shard: certificate.decision.shard, reason: reason.clone() });
                }
                Verdict::Commit { objects } => {
                    carried.extend(objects.iter().map(|object| (object.id, object)));
                }
            }
        }
        let body = transaction.body();
        let gather = |references: &[ObjectRef]| -> Result<Vec<&Object>, Abort> {
            references
                .iter()
                .map(|reference| {
                    let object = carried.get(&reference.id).copied().or_else(|| {
                        self.objects
                            .get(&reference.id)
                            .map(|entry| &entry.object)
                            .filter(|object| object.type_tag == TypeTag::PACKAGE)
                    });
                    match object {
                        Some(object) if object.version == reference.version => Ok(object),
                        _ => Err(Abort::Malformed(
                            "the certificates do not carry every object the transaction names".into(),
                        )),
                    }
                })
                .collect()
        };
        let inputs = gather(&body.inputs)?;
        let references = gather(&body.references)?;
        let linked = self.linked_packages(body, references.first().copied())?;
        // Its shards accept it in blocks of different times and must decide
        // alike: it runs at the time the certificates give.
        let objects = Named { inputs: &inputs, references: &references, linked: &linked };
        self.run_checker(body, &objects, acceptance.time(), contracts)
    }

    /// The cross-shard transactions prepared here and not yet accepted, by id.
    pub fn awaiting_acceptance(&self) -> impl Iterator<Item = (&TxId, &Transaction)> {
        self.cross_shard
            .iter()
            .filter(|(_, cross_shard)| !cross_shard.accepted)
            .map(|(id, cross_shard)| (id, &cross_shard.transaction))
    }

    /// The cross-shard transaction `id`, if this shard prepared it.
    pub fn prepared(&self, id: &TxId) -> Option<&Transaction> {
        self.cross_shard.get(id).map(|cross_shard| &cross_shard.transaction)
    }

    /// Whether this shard has applied the acceptance of `id`.
    pub fn is_accepted(&self, id: &TxId) -> bool {
        self.cross_shard.get(id).is_some_and(|cross_shard| cross_shard.accepted)
    }

    /// Applies a block: its acceptances first (which release locks), then
    /// its transactions, whose signatures `signatures_valid` tells (one flag
    /// per transaction, as [`verify_signatures`] answers).
    pub fn execute(
        &mut self,
        block: &Block,
        signatures_valid: &[bool],
        committees: &Committees,
        contracts: &dyn ContractHost,
    ) -> (Vec<Accepted>, Vec<Applied>) {
        self.time = block.seconds();
        let accepted =
            block.acceptances.iter().map(|acceptance| self.accept(acceptance, committees, contracts)).collect();
        (accepted, self.apply_transactions(&block.transactions, signatures_valid, contracts))
    }

    /// Applies transactions in order, verifying their signatures in one batch first.
    pub fn execute_transactions(&mut self, transactions: &[Transaction], contracts: &dyn ContractHost) -> Vec<Applied> {
        self.apply_transactions(transactions, &verify_signatures(transactions), contracts)
    }

    /// Applies transactions in order, each signature valid as its flag in
    /// `signatures_valid` says.
    pub fn apply_transactions(
        &mut self,
        transactions: &[Transaction],
        signatures_valid: &[bool],
        contracts: &dyn ContractHost,
    ) -> Vec<Applied> {
        assert_eq!(transactions.len(), signatures_valid.len(), "one flag per transaction");
        transactions
            .iter()
            .zip(signatures_valid)
            .map(|(transaction, signature_valid)| self.apply_transaction(transaction, *signature_valid, contracts))
            .collect()
    }

    /// The named objects, each checked to live here, exist, be unlocked,
    /// active and at the named version.
    fn resolve(&self, references: &[ObjectRef]) -> Result<Vec<&Object>, Abort> {
        references
            .iter()
            .map(|reference| self.resolve_local_one(reference)?.ok_or(Abort::WrongShard(reference.id)))
            .collect()
    }

    /// The named objects this shard holds (those of other shards are
    /// `None`), each checked to exist, be unlocked, active and at the named version.
    fn resolve_local(&self, references: &[ObjectRef]) -> Result<Vec<Option<&Object>>, Abort> {
        references.iter().map(|reference| self.resolve_local_one(reference)).collect()
    }

    /// The object `reference` names if this shard holds it (a package is
    /// held by every shard), checked; `None` if it lives on another shard.
    fn resolve_local_one(&self, reference: &ObjectRef) -> Result<Option<&Object>, Abort> {
        let id = reference.id;
        let entry = self.objects.get(&id);
        let global = entry.is_some_and(|entry| entry.object.type_tag == TypeTag::PACKAGE);
        if !global && shard_of(&id, self.shards) != self.shard {
            return Ok(None);
        }
        let entry = entry.ok_or(Abort::MissingObject(id))?;
        if self.locked.contains(&id) {
            return Err(Abort::LockedObject(id));
        }
        if !entry.active {
            return Err(Abort::InactiveObject(id));
        }
        if entry.object.version != reference.version {
            return Err(Abort::WrongVersion { id, expected: reference.version, found: entry.object.version });
        }
        Ok(Some(&entry.object))
    }
}

/// The objects a transaction names, as a shard resolved them: those it
/// consumes, those it reads, and the packages its called package links to.
#[derive(Clone, Copy)]
struct Named<'a> {
    inputs: &'a [&'a Object],
    references: &'a [&'a Object],
    linked: &'a [&'a Object],
}

/// The signature is valid and no object is named twice among inputs and references.
fn check_signature_and_names(body: &TransactionBody, signature_valid: bool) -> Result<(), Abort> {
    if !signature_valid {
        return Err(Abort::BadSignature);
    }
    let named: BTreeSet<ObjectId> = body.inputs.iter().chain(&body.references).map(|reference| reference.id).collect();
    if named.len() != body.inputs.len() + body.references.len() {
        return Err(Abort::Malformed("an object is named twice".into()));
    }
    Ok(())
}

/// No package is consumed, a call names its package as its first
/// reference input, and every input is owned by the signer, by the called
/// contract or by a contract its package links to (`linked`).
fn check_ownership(
    body: &TransactionBody,
    inputs: &[&Object],
    first_reference: Option<&Object>,
    linked: &[&Object],
) -> Result<(), Abort> {
    if inputs.iter().any(|input| input.type_tag == TypeTag::PACKAGE) {
        return Err(Abort::Malformed("a package is never consumed".into()));
    }
    let package = match &body.procedure {
        Procedure::Call { .. } => match first_reference {
            Some(package) if package.type_tag == TypeTag::PACKAGE => Some(package),
            _ => {
                return Err(Abort::Malformed(
                    "a call names its contract's package as its first reference input".into(),
                ));
            }
        },
        _ => None,
    };
    let contracts: Vec<Address> =
        package.into_iter().chain(linked.iter().copied()).map(|package| contract_owner(package.id)).collect();
    if let Some(input) = inputs.iter().find(|input| input.owner != body.signer && !contracts.contains(&input.owner)) {
        return Err(Abort::NotOwner(input.id));
    }
    Ok(())
}

/// A publication consumes nothing, reads the packages its package links
/// to, and creates one package that the contract host can run, calling
/// those.
fn check_publish(
    body: &TransactionBody,
    inputs: &[&Object],
    (references, further): (&[&Object], &[Package]),
    contracts: &dyn ContractHost,
) -> Result<(), Abort> {
    if !inputs.is_empty() {
        return Err(Abort::Malformed("a publication consumes nothing".into()));
    }
    let [package] = body.outputs.as_slice() else {
        return Err(Abort::Malformed("a publication creates exactly one package".into()));
    };
    if package.type_tag != TypeTag::PACKAGE {
        return Err(Abort::Malformed("a publication creates exactly one package".into()));
    }
    let package = Package::from_bytes(&package.data).map_err(|error| Abort::ContractFailed(error.to_string()))?;
    // It reads exactly the packages it links to, in their order.
    if references.len() != package.links.len() || references.iter().zip(&package.links).any(|(r, link)| r.id != *link) {
        return Err(Abort::Malformed("a publication reads exactly the packages its package links to".into()));
    }
    let linked = references
        .iter()
        .map(|object| {
            if object.type_tag != TypeTag::PACKAGE {
                return Err(Abort::ContractFailed(format!("the linked object {:?} is not a package", object.id)));
            }
            Package::from_bytes(&object.data).map_err(|error| Abort::ContractFailed(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let reached = [linked, further.to_vec()].concat();
    contracts.check_package(&package, &reached).map_err(Abort::ContractFailed)
}

/// The links of the package whose object data is `data`.
fn links_of(data: &[u8]) -> Result<Vec<ObjectId>, Abort> {
    Package::links_of(data).map_err(|error| Abort::ContractFailed(error.to_string()))
}

/// The validator runs the procedure's checker on the client's claim; the
/// outputs must then be exactly the objects the call creates, each owned
/// by the contract that declares its type: the called one or one it links
/// to. Answers the events it logs, each of one of those packages and
/// within the limits.
fn check_call(call: &ContractCall<'_>, contracts: &dyn ContractHost) -> Result<Vec<Event>, Abort> {
    let effects = contracts.check(call).map_err(|failure| match failure {
        CallFailure::Refused(reason) => Abort::CheckerFailed(reason.into()),
        CallFailure::Failed(reason) => Abort::ContractFailed(reason),
    })?;
    let reached = |package: &ObjectId| call.package.id == *package || call.linked.iter().any(|l| l.id == *package);
    let created = &effects.created;
    let matches = created.len() == call.outputs.len()
        && created.iter().zip(call.outputs).all(|(created, output)| {
            reached(&created.package)
                && output.owner == contract_owner(created.package)
                && output.type_tag == contract_type_tag(created.package, &created.type_name)
                && output.data == created.data
        });
    if !matches {
        return Err(Abort::CheckerFailed("the outputs differ from what the procedure creates".into()));
    }
    if effects.events.len() > EVENTS_MAX {
        return Err(Abort::ContractFailed(format!("the call logs more than {EVENTS_MAX} events")));
    }
    for event in &effects.events {
        if !reached(&event.package) || event.type_name.len() > EVENT_TYPE_NAME_MAX || event.data.len() > EVENT_BYTES_MAX
        {
            return Err(Abort::ContractFailed(format!(
                "an event of type {} is not of the called contracts, or exceeds the limits ({EVENT_TYPE_NAME_MAX} bytes of name, {EVENT_BYTES_MAX} of data)",
                event.type_name.chars().take(64).collect::<String>()
            )));
        }
    }
    Ok(effects.events)
}
