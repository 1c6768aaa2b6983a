//! Versioned objects, the chain's only state: each has an id, a version, an
//! owner, a type tag and data. A transaction consumes whole objects and
//! creates new ones; nothing is updated in place.

use crate::encoding::{DecodeError, Reader, Writer};
use std::fmt;

/// The largest `data` an object may carry, in bytes; packages may carry
/// up to [`PACKAGE_BYTES_MAX`](crate::contracts::PACKAGE_BYTES_MAX).
pub const OBJECT_DATA_BYTES_MAX: usize = 4096;

/// The largest `data` an object of type `type_tag` may carry.
pub fn data_bytes_max(type_tag: TypeTag) -> usize {
    if type_tag == TypeTag::PACKAGE { crate::contracts::PACKAGE_BYTES_MAX } else { OBJECT_DATA_BYTES_MAX }
}

/// An object's identity: 32 bytes, derived from the hash of the transaction
/// that created it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub [u8; 32]);

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", hex_prefix(&self.0))
    }
}

/// The address of an owner: an ed25519 public key's 32 bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub [u8; 32]);

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", hex_prefix(&self.0))
    }
}

/// The address's 32 bytes in lowercase hexadecimal, as the JSON-RPC
/// interface writes addresses and a contract's `Signer` holds them.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Display for ObjectId {
    /// In hexadecimal, as clients name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// What kind of object this is: for contracts the hash of the contract and
/// type name; the built-in coin has a fixed tag.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TypeTag(pub [u8; 32]);

impl TypeTag {
    /// The built-in coin, whose data is its value as a 128-bit little-endian integer.
    pub const COIN: TypeTag = TypeTag(*b"min.builtin.coin\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    /// A published contract, whose data is a [`Package`](crate::contracts::Package).
    pub const PACKAGE: TypeTag = TypeTag(*b"min.builtin.package\0\0\0\0\0\0\0\0\0\0\0\0\0");
}

/// A reference to one version of an object, as a transaction names its
/// inputs: the transaction aborts if the object has moved on.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ObjectRef {
    /// The object.
    pub id: ObjectId,
    /// The version the transaction expects.
    pub version: u64,
}

/// An object as stored on its shard.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Object {
    /// Its identity.
    pub id: ObjectId,
    /// Its version: 1 when first created.
    pub version: u64,
    /// Who may consume it.
    pub owner: Address,
    /// What kind of object it is.
    pub type_tag: TypeTag,
    /// Its contents, read by the checker of its type.
    pub data: Vec<u8>,
}

impl Object {
    /// The reference to this version of the object.
    pub fn reference(&self) -> ObjectRef {
        ObjectRef { id: self.id, version: self.version }
    }

    /// The value of a coin, or `None` if this is not a well-formed coin.
    pub fn coin_value(&self) -> Option<u128> {
        coin_value(self.type_tag, &self.data)
    }

    /// Writes the object in the canonical encoding.
    pub fn encode(&self, writer: &mut Writer) {
        writer.array(&self.id.0);
        writer.u64(self.version);
        writer.array(&self.owner.0);
        writer.array(&self.type_tag.0);
        writer.bytes(&self.data);
    }

    /// Reads an object written by [`Object::encode`].
    pub fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let id = ObjectId(reader.array("object id")?);
        let version = reader.u64("object version")?;
        let owner = Address(reader.array("object owner")?);
        let type_tag = TypeTag(reader.array("object type tag")?);
        let data = reader.bytes("object data", data_bytes_max(type_tag))?;
        Ok(Self { id, version, owner, type_tag, data })
    }
}

/// The value of a coin with this tag and data, or `None` if they do not
/// make a well-formed coin.
pub fn coin_value(type_tag: TypeTag, data: &[u8]) -> Option<u128> {
    if type_tag != TypeTag::COIN {
        return None;
    }
    let bytes: [u8; 16] = data.try_into().ok()?;
    Some(u128::from_le_bytes(bytes))
}

/// The data of a coin worth `value`.
pub fn coin_data(value: u128) -> Vec<u8> {
    value.to_le_bytes().to_vec()
}

fn hex_prefix(bytes: &[u8; 32]) -> String {
    bytes[..4].iter().map(|b| format!("{b:02x}")).collect()
}
