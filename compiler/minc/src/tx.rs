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

/// ` (block time 2026-11-27 03:10:05.123 UTC)` for a status that carries
/// its block's time, else nothing.
fn block_time(status: &Value) -> String {
    status.get("time").and_then(Value::as_u64).map_or_else(String::new, |ms| format!(" (block time {})", utc(ms)))
}

/// `ms` milliseconds after 1970-01-01 00:00 UTC, as a UTC date and time.
fn utc(ms: u64) -> String {
    let (days, ms_of_day) = (ms / 86_400_000, ms % 86_400_000);
    // Days to a civil date (proleptic Gregorian), by 400-year eras from 0000-03-01.
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    let (hours, minutes) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (seconds, millis) = (ms_of_day / 1_000 % 60, ms_of_day % 1_000);
    format!("{year:04}-{month:02}-{day:02} {hours:02}:{minutes:02}:{seconds:02}.{millis:03} UTC")
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
            let (shard, height) = (field("shard"), field("height"));
            format!("{id}: committed on shard {shard} at height {height}{}\n{}", block_time(status), outputs.join("\n"))
        }
        Some("aborted") => format!(
            "{id}: aborted on shard {} at height {}{}: {}",
            field("shard"),
            field("height"),
            block_time(status),
            status.get("reason").and_then(Value::as_str).unwrap_or_default()
        ),
        Some("pending") => format!("{id}: pending on shard {}", field("shard")),
        _ => format!("{id}: unknown to this devnet"),
    }
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn block_times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
        assert_eq!(utc(1_795_748_400_123), "2026-11-27 03:00:00.123 UTC");
        assert_eq!(utc(4_107_542_399_999), "2100-02-28 23:59:59.999 UTC");
    }
}
