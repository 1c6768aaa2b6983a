//! How the chain's values appear in JSON: bytes in hex, 128-bit values as
//! decimal strings (JSON numbers lose precision past 2^53), field names in
//! camelCase.

use super::events::EventViews;
use crate::hex;
use crate::routing::{LocatedObject, Rejection, TxStatus};
use min_chain::objects::ObjectRef;
use min_chain::state::Abort;
use min_contract_host::Value as MinValue;
use serde_json::{Map, Value, json};

/// An object with its shard and whether it is active; coins also show their value.
pub fn object(located: &LocatedObject) -> Value {
    let object = &located.object;
    json!({
        "id": hex::encode(&object.id.0),
        "version": object.version,
        "owner": hex::encode(&object.owner.0),
        "typeTag": hex::encode(&object.type_tag.0),
        "data": hex::encode(&object.data),
        "coin": object.coin_value().map(|value| value.to_string()),
        "shard": located.shard.0,
        "active": located.active,
    })
}

/// A reference to an object version.
pub fn object_ref(reference: &ObjectRef) -> Value {
    json!({ "id": hex::encode(&reference.id.0), "version": reference.version })
}

/// A contract value as JSON: numbers ℕ and ℤ as decimal strings, ℝ as a
/// number (`null` if not finite), characters and strings as strings,
/// tuples and lists as arrays, a record as an object of its fields, a
/// constructor without fields as its name, and one with fields as
/// `{"variant": name, "fields": …}` (an object if they are named, an array
/// if not).
pub fn value(value: &MinValue<'_>) -> Value {
    match value {
        MinValue::Nat(n) => Value::String(n.to_string()),
        MinValue::Int(n) => Value::String(n.to_string()),
        MinValue::Real(x) => json!(x),
        MinValue::Bool(b) => Value::Bool(*b),
        MinValue::Char(c) => Value::String(c.to_string()),
        MinValue::Str(s) => Value::String(s.to_string()),
        MinValue::Unit => Value::Array(Vec::new()),
        MinValue::Tuple(items) => Value::Array(items.iter().map(self::value).collect()),
        MinValue::Nil | MinValue::Cons(_) => {
            let mut items = Vec::new();
            let mut rest = value;
            while let MinValue::Cons(pair) = rest {
                items.push(self::value(&pair.head));
                rest = &pair.tail;
            }
            Value::Array(items)
        }
        MinValue::Data(data) => {
            let constructor = data.constructor;
            let fields: Value = if constructor.fields.len() == data.fields.len() && !data.fields.is_empty() {
                let named: Map<String, Value> =
                    constructor.fields.iter().cloned().zip(data.fields.iter().map(self::value)).collect();
                Value::Object(named)
            } else {
                Value::Array(data.fields.iter().map(self::value).collect())
            };
            match (constructor.record, data.fields.is_empty()) {
                (true, _) => fields,
                (false, true) => Value::String(constructor.name.clone()),
                (false, false) => json!({ "variant": constructor.name, "fields": fields }),
            }
        }
        MinValue::Function(_) => Value::String(value.to_string()),
    }
}

/// Where a transaction stands; a committed one shows the events it logged.
pub fn tx_status(status: &TxStatus, events: &mut EventViews<'_>) -> Value {
    match status {
        TxStatus::Pending { shard } => json!({ "status": "pending", "shard": shard.0 }),
        TxStatus::Committed { shard, height, time, outputs, events: logged } => json!({
            "status": "committed",
            "shard": shard.0,
            "height": height,
            "time": time,
            "outputs": outputs.iter().map(object_ref).collect::<Vec<_>>(),
            "events": logged.iter().map(|event| events.event(event)).collect::<Vec<_>>(),
        }),
        TxStatus::Aborted { shard, height, time, reason } => json!({
            "status": "aborted",
            "shard": shard.0,
            "height": height,
            "time": time,
            "abort": abort_kind(reason),
            "reason": reason.to_string(),
        }),
        TxStatus::Unknown => json!({ "status": "unknown" }),
    }
}

/// The name of an abort's rule, as `spec/chain.md` lists them.
pub fn abort_kind(abort: &Abort) -> &'static str {
    match abort {
        Abort::Malformed(_) => "Malformed",
        Abort::BadSignature => "BadSignature",
        Abort::WrongShard(_) => "WrongShard",
        Abort::MissingObject(_) => "MissingObject",
        Abort::LockedObject(_) => "LockedObject",
        Abort::InactiveObject(_) => "InactiveObject",
        Abort::WrongVersion { .. } => "WrongVersion",
        Abort::NotOwner(_) => "NotOwner",
        Abort::CheckerFailed(_) => "CheckerFailed",
        Abort::ContractFailed(_) => "ContractFailed",
        Abort::Replayed(_) => "Replayed",
        Abort::Refused { .. } => "Refused",
    }
}

/// The name of a rejection's rule.
pub fn rejection_kind(rejection: &Rejection) -> &'static str {
    match rejection {
        Rejection::BadSignature => "BadSignature",
        Rejection::Invalid(abort) => abort_kind(abort),
        Rejection::Faucet(_) => "Faucet",
        Rejection::NotServed(_) => "NotServed",
        Rejection::NotForwarded { .. } => "NotForwarded",
    }
}
