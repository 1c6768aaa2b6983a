//! A shard's object state and the execution of transactions against it.
//! Execution is all or nothing: every check runs before anything changes,
//! so an aborted transaction leaves the state exactly as it was. Consumed
//! objects are marked inactive and kept, so no version is consumed twice.

use crate::checker::{self, CheckerInput};
use crate::contracts::{ContractCall, ContractHost, Package, contract_owner, contract_type_tag};
use crate::objects::{Address, Object, ObjectId, ObjectRef, TypeTag};
use crate::shard::{ShardId, shard_of};
use crate::transaction::{Output, Procedure, Transaction, TransactionBody, TxId, verify_signatures};
use commonware_cryptography::{Hasher as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::num::NonZeroU32;

/// Why a transaction was not applied.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Abort {
    /// The transaction breaks a structural rule (for example it names the
    /// same input twice).
    Malformed(&'static str),
    /// The signature is not the signer's over the transaction.
    BadSignature,
    /// An object the transaction names belongs to another shard; cross-shard
    /// transactions need S-BAC, which this shard does not run yet.
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
    CheckerFailed(&'static str),
    /// The contract host refused the package, or the procedure failed when
    /// the validator ran it (an abort, a trap, out of gas, bad inputs).
    ContractFailed(String),
    /// An output's id already exists: the transaction was applied before.
    Replayed(ObjectId),
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
        }
    }
}

/// What became of one transaction of a block.
pub type Outcome = Result<Vec<ObjectRef>, Abort>;

/// One stored object and whether it may still be consumed.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Entry {
    object: Object,
    active: bool,
}

/// The objects of one shard, active and consumed, and the locks held on them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ShardState {
    shard: ShardId,
    shards: NonZeroU32,
    faucet: Address,
    objects: BTreeMap<ObjectId, Entry>,
    locked: BTreeSet<ObjectId>,
}

impl ShardState {
    /// An empty shard `shard` of `shards`, where `faucet` may mint.
    pub fn new(shard: ShardId, shards: NonZeroU32, faucet: Address) -> Self {
        assert!(shard.0 < shards.get(), "the shard is one of the shards");
        Self { shard, shards, faucet, objects: BTreeMap::new(), locked: BTreeSet::new() }
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
        self.objects
            .values()
            .filter(move |entry| entry.active && entry.object.owner == owner)
            .map(|entry| &entry.object)
    }

    /// How many objects the shard holds, active or consumed.
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    /// Locks `id` for a cross-shard commit; transactions naming it abort
    /// with [`Abort::LockedObject`] until it is unlocked.
    pub fn lock(&mut self, id: ObjectId) {
        self.locked.insert(id);
    }

    /// Releases a lock taken by [`ShardState::lock`].
    pub fn unlock(&mut self, id: &ObjectId) {
        self.locked.remove(id);
    }

    /// A hash of every object, its activity and every lock, equal on two
    /// nodes exactly when their states are equal.
    pub fn digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::default();
        hasher.update(&self.shard.0.to_le_bytes());
        for entry in self.objects.values() {
            let mut writer = crate::encoding::Writer::new();
            entry.object.encode(&mut writer);
            writer.u8(u8::from(entry.active));
            hasher.update(&writer.into_bytes());
        }
        for id in &self.locked {
            hasher.update(&id.0);
        }
        hasher.finalize().1.0
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
        let body = &transaction.body;
        if !signature_valid {
            return Err(Abort::BadSignature);
        }
        let named: BTreeSet<ObjectId> =
            body.inputs.iter().chain(&body.references).map(|reference| reference.id).collect();
        if named.len() != body.inputs.len() + body.references.len() {
            return Err(Abort::Malformed("an object is named twice"));
        }
        let inputs = self.resolve(&body.inputs)?;
        let references = self.resolve(&body.references)?;
        if inputs.iter().any(|input| input.type_tag == TypeTag::PACKAGE) {
            return Err(Abort::Malformed("a package is never consumed"));
        }
        let package = match &body.procedure {
            Procedure::Call { .. } => match references.first() {
                Some(package) if package.type_tag == TypeTag::PACKAGE => Some(*package),
                _ => return Err(Abort::Malformed("a call names its contract's package as its first reference input")),
            },
            _ => None,
        };
        let contract = package.map(|package| contract_owner(package.id));
        if let Some(input) = inputs.iter().find(|input| input.owner != body.signer && Some(input.owner) != contract) {
            return Err(Abort::NotOwner(input.id));
        }
        self.check_outputs_fresh(transaction)?;
        match (&body.procedure, package) {
            (Procedure::Publish, _) => check_publish(body, &inputs, &references, contracts),
            (Procedure::Call { name, .. }, Some(package)) => {
                let call = ContractCall {
                    package,
                    procedure: name,
                    inputs: &inputs,
                    references: &references[1..],
                    params: &body.params,
                    signer: body.signer,
                };
                check_call(&call, &body.outputs, contracts)
            }
            (procedure, _) => {
                let facts = CheckerInput {
                    signer: body.signer,
                    inputs: &inputs,
                    references: &references,
                    outputs: &body.outputs,
                    faucet: self.faucet,
                };
                checker::check(procedure, &facts).map_err(Abort::CheckerFailed)
            }
        }
    }

    /// Every output's id is new, and lives on this shard unless the output
    /// is a package, which every shard holds.
    fn check_outputs_fresh(&self, transaction: &Transaction) -> Result<(), Abort> {
        let id = transaction.id();
        for (index, output) in transaction.body.outputs.iter().enumerate() {
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
    /// Returns the references of the created objects; on `Err` nothing changed.
    pub fn apply(&mut self, transaction: &Transaction, signature_valid: bool, contracts: &dyn ContractHost) -> Outcome {
        self.check(transaction, signature_valid, contracts)?;
        let body = &transaction.body;
        for input in &body.inputs {
            let entry = self.objects.get_mut(&input.id).expect("check found every input");
            assert!(entry.active, "check found every input active");
            entry.active = false;
        }
        let id: TxId = transaction.id();
        let mut created = Vec::with_capacity(body.outputs.len());
        for (index, output) in body.outputs.iter().enumerate() {
            let object = Object {
                id: id.output_id(index),
                version: 1,
                owner: output.owner,
                type_tag: output.type_tag,
                data: output.data.clone(),
            };
            created.push(object.reference());
            let previous = self.objects.insert(object.id, Entry { object, active: true });
            assert!(previous.is_none(), "check found every output id fresh");
        }
        Ok(created)
    }

    /// Applies a block's transactions in order, verifying their signatures
    /// in one batch first; one outcome per transaction.
    pub fn execute(&mut self, transactions: &[Transaction], contracts: &dyn ContractHost) -> Vec<Outcome> {
        let signatures = verify_signatures(transactions);
        transactions
            .iter()
            .zip(signatures)
            .map(|(transaction, signature_valid)| self.apply(transaction, signature_valid, contracts))
            .collect()
    }

    /// The named objects, each checked to live here, exist, be unlocked,
    /// active and at the named version.
    fn resolve(&self, references: &[ObjectRef]) -> Result<Vec<&Object>, Abort> {
        references
            .iter()
            .map(|reference| {
                let id = reference.id;
                let entry = self.objects.get(&id);
                let global = entry.is_some_and(|entry| entry.object.type_tag == TypeTag::PACKAGE);
                if !global && shard_of(&id, self.shards) != self.shard {
                    return Err(Abort::WrongShard(id));
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
                Ok(&entry.object)
            })
            .collect()
    }
}

/// A publication consumes and reads nothing and creates one package that
/// the contract host can run.
fn check_publish(
    body: &TransactionBody,
    inputs: &[&Object],
    references: &[&Object],
    contracts: &dyn ContractHost,
) -> Result<(), Abort> {
    if !inputs.is_empty() || !references.is_empty() {
        return Err(Abort::Malformed("a publication consumes and reads nothing"));
    }
    let [package] = body.outputs.as_slice() else {
        return Err(Abort::Malformed("a publication creates exactly one package"));
    };
    if package.type_tag != TypeTag::PACKAGE {
        return Err(Abort::Malformed("a publication creates exactly one package"));
    }
    let package = Package::from_bytes(&package.data).map_err(|error| Abort::ContractFailed(error.to_string()))?;
    contracts.check_package(&package).map_err(Abort::ContractFailed)
}

/// The validator runs the procedure itself; the client's outputs must be
/// exactly the objects it creates, owned by the contract.
fn check_call(call: &ContractCall<'_>, outputs: &[Output], contracts: &dyn ContractHost) -> Result<(), Abort> {
    let created = contracts.run(call).map_err(Abort::ContractFailed)?;
    let owner = contract_owner(call.package.id);
    let matches = created.len() == outputs.len()
        && created.iter().zip(outputs).all(|(created, output)| {
            output.owner == owner
                && output.type_tag == contract_type_tag(call.package.id, &created.type_name)
                && output.data == created.data
        });
    if !matches {
        return Err(Abort::CheckerFailed("the outputs differ from what the procedure creates"));
    }
    Ok(())
}
