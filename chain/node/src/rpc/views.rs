//! How the chain's values appear in JSON: bytes in hex, 128-bit values as
//! decimal strings (JSON numbers lose precision past 2^53), field names in
//! camelCase.

use crate::hex;
use crate::routing::{LocatedObject, Rejection, TxStatus};
use min_chain::objects::ObjectRef;
use min_chain::state::Abort;
use serde_json::{Value, json};

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

/// Where a transaction stands.
pub fn tx_status(status: &TxStatus) -> Value {
    match status {
        TxStatus::Pending { shard } => json!({ "status": "pending", "shard": shard.0 }),
        TxStatus::Committed { shard, height, outputs } => json!({
            "status": "committed",
            "shard": shard.0,
            "height": height,
            "outputs": outputs.iter().map(object_ref).collect::<Vec<_>>(),
        }),
        TxStatus::Aborted { shard, height, reason } => json!({
            "status": "aborted",
            "shard": shard.0,
            "height": height,
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
    }
}
