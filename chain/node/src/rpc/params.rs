//! A method's parameters, by position (`[a, b]`) or by name (`{"x": a}`),
//! read into the chain's types with a reason for every refusal.

use super::RpcError;
use crate::hex;
use min_chain::objects::{Address, ObjectId};
use min_chain::transaction::TxId;
use serde_json::Value;

/// The `params` of a request: absent, an array or an object.
pub struct Params<'a> {
    value: Option<&'a Value>,
}

impl<'a> Params<'a> {
    /// Wraps a request's `params` member.
    pub fn new(value: Option<&'a Value>) -> Self {
        Self { value }
    }

    /// The parameter at `index` in an array or called `name` in an object, if present and not null.
    pub fn get(&self, index: usize, name: &str) -> Option<&'a Value> {
        let value = match self.value? {
            Value::Array(items) => items.get(index),
            Value::Object(members) => members.get(name),
            _ => None,
        };
        value.filter(|value| !value.is_null())
    }

    /// The parameter, or an error naming it as missing.
    pub fn required(&self, index: usize, name: &str) -> Result<&'a Value, RpcError> {
        self.get(index, name).ok_or_else(|| RpcError::invalid_params(format!("missing parameter `{name}`")))
    }

    /// A string parameter.
    pub fn string(&self, index: usize, name: &str) -> Result<&'a str, RpcError> {
        self.required(index, name)?
            .as_str()
            .ok_or_else(|| RpcError::invalid_params(format!("`{name}` must be a string")))
    }

    /// 32 bytes in hex.
    pub fn bytes32(&self, index: usize, name: &str) -> Result<[u8; 32], RpcError> {
        hex::decode32(self.string(index, name)?)
            .map_err(|reason| RpcError::invalid_params(format!("`{name}`: {reason}")))
    }

    /// An address (an ed25519 public key) in hex.
    pub fn address(&self, index: usize, name: &str) -> Result<Address, RpcError> {
        self.bytes32(index, name).map(Address)
    }

    /// An object id in hex.
    pub fn object_id(&self, index: usize, name: &str) -> Result<ObjectId, RpcError> {
        self.bytes32(index, name).map(ObjectId)
    }

    /// A transaction id in hex.
    pub fn tx_id(&self, index: usize, name: &str) -> Result<TxId, RpcError> {
        self.bytes32(index, name).map(TxId)
    }

    /// A 128-bit amount: a JSON integer, or a decimal string for values past 2^53.
    pub fn amount(&self, index: usize, name: &str) -> Result<u128, RpcError> {
        let invalid =
            || RpcError::invalid_params(format!("`{name}` must be a non-negative integer or a decimal string"));
        match self.required(index, name)? {
            Value::Number(number) => number.as_u64().map(u128::from).ok_or_else(invalid),
            Value::String(text) => text.parse::<u128>().map_err(|_| invalid()),
            _ => Err(invalid()),
        }
    }

    /// A `u64`: a JSON integer.
    pub fn u64(&self, index: usize, name: &str) -> Result<u64, RpcError> {
        self.required(index, name)?
            .as_u64()
            .ok_or_else(|| RpcError::invalid_params(format!("`{name}` must be a non-negative integer")))
    }

    /// An optional flag: false when absent.
    pub fn flag(&self, index: usize, name: &str) -> Result<bool, RpcError> {
        self.get(index, name)
            .map(|value| {
                value.as_bool().ok_or_else(|| RpcError::invalid_params(format!("`{name}` must be true or false")))
            })
            .transpose()
            .map(|flag| flag.unwrap_or(false))
    }

    /// An optional `u32`.
    pub fn optional_u32(&self, index: usize, name: &str) -> Result<Option<u32>, RpcError> {
        self.get(index, name)
            .map(|value| {
                value
                    .as_u64()
                    .and_then(|value| u32::try_from(value).ok())
                    .ok_or_else(|| RpcError::invalid_params(format!("`{name}` must be a small non-negative integer")))
            })
            .transpose()
    }
}
