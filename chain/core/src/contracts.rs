//! Compiled Min contracts on the chain: packages and the host that runs them.
//!
//! A [`Procedure::Publish`](crate::transaction::Procedure::Publish)
//! transaction creates a *package*: an immutable object of type
//! [`TypeTag::PACKAGE`] whose data is a [`Package`] (the Wasm module and the
//! metadata `minc build` wrote, and the packages of the contracts it calls,
//! which the publication reads). Packages are global: the publishing
//! transaction goes to every shard and each applies it, so every shard holds
//! every package under the same id and a call never crosses shards to reach
//! its code.
//!
//! A [`Procedure::Call`](crate::transaction::Procedure::Call) names the
//! package as its first reference input. Objects a contract creates are
//! owned by the contract ([`contract_owner`]), so only that contract's
//! procedures consume them, and carry the tag of their Min type
//! ([`contract_type_tag`]). Validators do not trust the client's outputs:
//! a [`ContractHost`] runs the procedure's checker on them and on the
//! results the client claims, and the outputs must be exactly what it
//! accepted.
//!
//! A call may also *log events*: values of the contract's `event` types
//! that the chain keeps with the transaction's outcome ([`Event`]) instead
//! of storing them as objects.
//!
//! This crate does not run Wasm itself; the node plugs in a host (the
//! wasmtime runtime), and a node without one refuses contract transactions
//! ([`NoContracts`]).

use crate::encoding::{DecodeError, Reader, Writer};
use crate::objects::{Address, Object, ObjectId, TypeTag};
use crate::transaction::Output;
use commonware_cryptography::{Hasher as _, Sha256};

/// The most events one call may log.
pub const EVENTS_MAX: usize = 256;
/// The most bytes one event's encoded value may take.
pub const EVENT_BYTES_MAX: usize = 16 * 1024;
/// The longest name of an event's type, in bytes.
pub const EVENT_TYPE_NAME_MAX: usize = 256;

/// The largest package (module and metadata together), in bytes.
pub const PACKAGE_BYTES_MAX: usize = 248 * 1024;

/// Prefixes the hash that names a contract's object type.
const TYPE_DOMAIN: &[u8] = b"min-chain/contract-type/v1";
/// Prefixes the hash that makes a contract an owner.
const OWNER_DOMAIN: &[u8] = b"min-chain/contract-owner/v1";

/// The most contracts one package may call.
pub const LINKS_MAX: usize = 16;

/// A compiled contract as published: its Wasm module, its metadata, and
/// the packages of the contracts it calls.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Package {
    /// The Wasm module `minc build` wrote.
    pub wasm: Vec<u8>,
    /// The metadata file beside it (JSON).
    pub metadata: Vec<u8>,
    /// The packages of the contracts it calls, in the order its metadata
    /// lists them (`calls`): its publication reads each, and the host
    /// checks that each publishes the interface the contract was built
    /// against.
    pub links: Vec<ObjectId>,
}

impl Package {
    /// The canonical encoding, which is the package object's data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        writer.bytes(&self.wasm);
        writer.bytes(&self.metadata);
        writer.length(self.links.len());
        for link in &self.links {
            writer.array(&link.0);
        }
        writer.into_bytes()
    }

    /// Decodes a package object's data, rejecting oversized, truncated or
    /// trailing input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > PACKAGE_BYTES_MAX {
            return Err(DecodeError::TooLong {
                what: "package",
                length: bytes.len() as u64,
                limit: PACKAGE_BYTES_MAX as u64,
            });
        }
        let mut reader = Reader::new(bytes);
        let wasm = reader.bytes("package module", PACKAGE_BYTES_MAX)?;
        let metadata = reader.bytes("package metadata", PACKAGE_BYTES_MAX)?;
        let links = reader.list("package links", LINKS_MAX, |reader| reader.array("package link").map(ObjectId))?;
        reader.finish()?;
        Ok(Self { wasm, metadata, links })
    }

    /// The links of the package whose object data is `bytes`, read without
    /// copying its module and metadata (a validator reads them on every
    /// call of the contract).
    pub fn links_of(bytes: &[u8]) -> Result<Vec<ObjectId>, DecodeError> {
        let mut reader = Reader::new(bytes);
        for what in ["package module", "package metadata"] {
            let length = reader.length(what, PACKAGE_BYTES_MAX)?;
            reader.take(length, what)?;
        }
        let links = reader.list("package links", LINKS_MAX, |reader| reader.array("package link").map(ObjectId))?;
        reader.finish()?;
        Ok(links)
    }
}

/// The tag of objects of type `type_name` declared by the contract published
/// as `package`: two contracts' types never share a tag.
pub fn contract_type_tag(package: ObjectId, type_name: &str) -> TypeTag {
    TypeTag(Sha256::hash(&[TYPE_DOMAIN, &package.0, type_name.as_bytes()]).0)
}

/// The owner of every object the contract published as `package` creates.
/// No ed25519 key hashes to it, so no signer can consume such an object
/// outside the contract's procedures.
pub fn contract_owner(package: ObjectId) -> Address {
    Address(Sha256::hash(&[OWNER_DOMAIN, &package.0]).0)
}

/// One run of a contract procedure, as a validator sees it.
pub struct ContractCall<'a> {
    /// The package object.
    pub package: &'a Object,
    /// The packages it links to, in order: the contracts the procedure may
    /// call, whose objects it may consume and create through them.
    pub linked: &'a [&'a Object],
    /// The time it runs at, in seconds, for a procedure that takes it
    /// (`Time`): its block's, or for a cross-shard transaction the one its
    /// certificates give (`Acceptance::time`).
    pub time: u64,
    /// The procedure's name.
    pub procedure: &'a str,
    /// The objects consumed, in the transaction's order.
    pub inputs: &'a [&'a Object],
    /// The objects read, after the package, in the transaction's order.
    pub references: &'a [&'a Object],
    /// The encoded parameters, with the results the client claims.
    pub params: &'a [u8],
    /// The objects the client claims the call creates, in order.
    pub outputs: &'a [Output],
    /// Who signed the transaction.
    pub signer: Address,
}

/// The most packages a call may reach through links, beside its own: its
/// links, their links, and so on.
pub const REACHABLE_MAX: usize = 16;

/// Every package that the package with links `links` reaches: its links,
/// theirs (read by `links_of`), and so on, each once, in breadth-first
/// order (its own links first, in order). A call of the package may run
/// the contracts of all of them: those it calls, those they call, and so
/// on. Packages link only to packages published before them, so the links
/// form no cycle. More than [`REACHABLE_MAX`] is `too_many`.
pub fn reachable_packages<E>(
    links: &[ObjectId],
    mut links_of: impl FnMut(&ObjectId) -> Result<Vec<ObjectId>, E>,
    too_many: impl FnOnce() -> E,
) -> Result<Vec<ObjectId>, E> {
    let mut reached: Vec<ObjectId> = Vec::new();
    let mut pending: Vec<ObjectId> = links.to_vec();
    let mut next = 0;
    loop {
        for id in pending {
            if !reached.contains(&id) {
                reached.push(id);
            }
        }
        if reached.len() > REACHABLE_MAX {
            return Err(too_many());
        }
        let Some(id) = reached.get(next) else { return Ok(reached) };
        pending = links_of(id)?;
        next += 1;
    }
}

/// Why a contract host did not accept a call.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CallFailure {
    /// The procedure's checker refused what the client claims: the
    /// procedure makes other outputs or results, or aborts.
    Refused(String),
    /// The call could not be checked: an unknown procedure, malformed
    /// inputs or parameters, a trap, out of gas.
    Failed(String),
}

/// An object a procedure creates, as its host computed it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CreatedObject {
    /// The package of the contract that declares its type, which owns it:
    /// the called contract's, or that of a contract it calls.
    pub package: ObjectId,
    /// The qualified name of its Min type (`Gold.Coin`).
    pub type_name: String,
    /// Its encoded value.
    pub data: Vec<u8>,
}

/// An event a contract call logged, as the chain keeps it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Event {
    /// The package of the contract that logged it.
    pub package: ObjectId,
    /// The qualified name of its Min type in the contract (`bank.Transferred`).
    pub type_name: String,
    /// Its value in the canonical encoding of contract values.
    pub data: Vec<u8>,
}

impl Event {
    /// Writes the event in the chain's encoding.
    pub fn encode(&self, writer: &mut Writer) {
        writer.array(&self.package.0);
        writer.bytes(self.type_name.as_bytes());
        writer.bytes(&self.data);
    }

    /// Reads an event written by [`Event::encode`], within the limits.
    pub fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let package = ObjectId(reader.array("event package")?);
        let name = reader.bytes("event type", EVENT_TYPE_NAME_MAX)?;
        let type_name =
            String::from_utf8(name).map_err(|_| DecodeError::Invalid { reason: "an event type is not UTF-8" })?;
        let data = reader.bytes("event data", EVENT_BYTES_MAX)?;
        Ok(Self { package, type_name, data })
    }
}

/// What a contract call did, as its host computed it.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct CallEffects {
    /// The objects it creates, in order.
    pub created: Vec<CreatedObject>,
    /// The events it logs, in order.
    pub events: Vec<Event>,
}

/// What runs compiled contracts for a validator.
pub trait ContractHost: Send + Sync {
    /// Whether `package` is a contract this host can run, calling the
    /// contracts of `linked`: the packages its links name, in order, then
    /// every further package those reach, each once (`reachable_packages`).
    /// `Err` says why not.
    fn check_package(&self, package: &Package, linked: &[Package]) -> Result<(), String>;

    /// Checks `call`: whether its procedure, run on the inputs and
    /// parameters, makes exactly the outputs and the results the client
    /// claims, and whether each call of another contract the transaction
    /// records is one that contract's procedure makes. Accepted, it returns
    /// the objects the call creates and the events it and the contracts it
    /// calls log, each in order.
    fn check(&self, call: &ContractCall<'_>) -> Result<CallEffects, CallFailure>;
}

/// The host of a node that runs no contracts: it refuses every package and call.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoContracts;

impl ContractHost for NoContracts {
    fn check_package(&self, _package: &Package, _linked: &[Package]) -> Result<(), String> {
        Err("this node runs no contracts".to_owned())
    }

    fn check(&self, _call: &ContractCall<'_>) -> Result<CallEffects, CallFailure> {
        Err(CallFailure::Failed("this node runs no contracts".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn id(byte: u8) -> ObjectId {
        ObjectId([byte; 32])
    }

    #[test]
    fn a_package_reaches_its_links_and_theirs_each_once_breadth_first() {
        // 1 → 2, 3; 2 → 4; 3 → 4, 5.
        let links = BTreeMap::from([(2, vec![4]), (3, vec![4, 5]), (4, vec![]), (5, vec![])]);
        let links_of = |package: &ObjectId| -> Result<Vec<ObjectId>, String> {
            Ok(links.get(&package.0[0]).ok_or("missing")?.iter().map(|byte| id(*byte)).collect())
        };
        let reached = reachable_packages(&[id(2), id(3)], links_of, || "too many".to_owned());
        assert_eq!(reached, Ok(vec![id(2), id(3), id(4), id(5)]));
        let missing = reachable_packages(&[id(9)], links_of, || "too many".to_owned());
        assert_eq!(missing, Err("missing".to_owned()));
    }

    #[test]
    fn a_package_that_reaches_too_many_is_refused() {
        // Each package links to the next: a chain one longer than allowed.
        let chain = |package: &ObjectId| -> Result<Vec<ObjectId>, String> {
            let next = package.0[0] + 1;
            Ok(if usize::from(next) <= REACHABLE_MAX + 1 { vec![id(next)] } else { vec![] })
        };
        assert_eq!(reachable_packages(&[id(1)], chain, || "too many".to_owned()), Err("too many".to_owned()));
        let shorter =
            |package: &ObjectId| chain(package).map(|next| next.into_iter().filter(|n| n.0[0] <= 16).collect());
        assert_eq!(reachable_packages(&[id(1)], shorter, || "too many".to_owned()).map(|all| all.len()), Ok(16));
    }
}
