//! `minc tx`: transactions against a running devnet over its JSON-RPC
//! interface. A transfer finds the signer's coins, pays from one shard,
//! signs, submits and waits for the outcome.

use ed25519_dalek::SigningKey;
use min_chain::objects::Address;
use min_chain::transaction::TxId;
use min_node::client::RpcClient;
use min_node::hex;
use serde_json::Value;
use std::time::Duration;

/// The devnet's JSON-RPC address when `--rpc` is not given.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:8645";
/// How long `minc tx transfer` waits for the transaction to be final.
const WAIT: Duration = Duration::from_secs(30);

/// Pays `amount` to `to` (hex address) from the key `key` (hex secret),
/// waits for the outcome, and describes it; `Err` says what went wrong.
pub fn transfer(rpc: &str, key: &str, to: &str, amount: u128) -> Result<String, String> {
    let client = RpcClient::new(rpc).map_err(|error| error.to_string())?;
    let key = SigningKey::from_bytes(&hex::decode32(key).map_err(|reason| format!("--key: {reason}"))?);
    let to = Address(hex::decode32(to).map_err(|reason| format!("--to: {reason}"))?);
    let id = client.transfer(&key, to, amount).map_err(|error| error.to_string())?;
    let status = client.wait(&id, WAIT).map_err(|error| error.to_string())?;
    let text = describe(&id, &status);
    if status.get("status").and_then(Value::as_str) == Some("committed") { Ok(text) } else { Err(text) }
}

/// Describes where the transaction `id` (hex) stands.
pub fn status(rpc: &str, id: &str) -> Result<String, String> {
    let client = RpcClient::new(rpc).map_err(|error| error.to_string())?;
    let id = TxId(hex::decode32(id).map_err(|reason| format!("transaction id: {reason}"))?);
    let status = client.status(&id).map_err(|error| error.to_string())?;
    Ok(describe(&id, &status))
}

fn describe(id: &TxId, status: &Value) -> String {
    let field = |name: &str| status.get(name).map(ToString::to_string).unwrap_or_default();
    let id = hex::encode(&id.0);
    match status.get("status").and_then(Value::as_str) {
        Some("committed") => {
            let outputs: Vec<String> = status
                .get("outputs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|output| output.get("id").and_then(Value::as_str).map(|id| format!("  output {id}")))
                .collect();
            format!("{id}: committed on shard {} at height {}\n{}", field("shard"), field("height"), outputs.join("\n"))
        }
        Some("aborted") => format!(
            "{id}: aborted on shard {} at height {}: {}",
            field("shard"),
            field("height"),
            status.get("reason").and_then(Value::as_str).unwrap_or_default()
        ),
        Some("pending") => format!("{id}: pending on shard {}", field("shard")),
        _ => format!("{id}: unknown to this devnet"),
    }
}
