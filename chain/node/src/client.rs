//! A small JSON-RPC client over plain HTTP/1.1 on a `std` TCP stream, one
//! connection per call: what `minc tx` and the tests use to talk to a devnet.
//! Also the client's side of a transfer: find the signer's coins, build,
//! sign, submit, and wait for the outcome.

use crate::hex;
use crate::keys::address_of;
use crate::wallet::{self, Coin};
use ed25519_dalek::SigningKey;
use min_chain::objects::{Address, ObjectId, ObjectRef};
use min_chain::shard::ShardId;
use min_chain::transaction::TxId;
use serde_json::{Value, json};
use std::fmt;
use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// How long one call may take, connecting included.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response accepted.
const RESPONSE_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The URL is not `http://HOST:PORT[/PATH]`.
    Url(String),
    /// Connecting, writing or reading failed.
    Io(std::io::Error),
    /// The server's answer is not an HTTP response with a JSON-RPC body.
    Protocol(String),
    /// The server answered with a JSON-RPC error.
    Rpc {
        /// The error code.
        code: i64,
        /// The error message.
        message: String,
        /// The error's data, if any.
        data: Option<Value>,
    },
    /// Building the transaction failed.
    Wallet(wallet::WalletError),
    /// The transaction was not final before the deadline.
    Timeout(TxId),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(url) => write!(f, "not an http://HOST:PORT URL: {url}"),
            Self::Io(error) => write!(f, "cannot reach the devnet: {error}"),
            Self::Protocol(reason) => write!(f, "unexpected answer from the devnet: {reason}"),
            Self::Rpc { code, message, .. } => write!(f, "{message} (error {code})"),
            Self::Wallet(error) => write!(f, "{error}"),
            Self::Timeout(id) => write!(f, "transaction {} is still pending", hex::encode(&id.0)),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<std::io::Error> for ClientError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// A raw HTTP answer: status code and body.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body, decoded from chunks if it came chunked.
    pub body: String,
}

/// A devnet's JSON-RPC endpoint.
#[derive(Clone, Debug)]
pub struct RpcClient {
    host: String,
    port: u16,
    path: String,
}

impl RpcClient {
    /// A client for `url`, such as `http://127.0.0.1:8645`.
    pub fn new(url: &str) -> Result<Self, ClientError> {
        let rest = url.strip_prefix("http://").ok_or_else(|| ClientError::Url(url.into()))?;
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], rest[slash..].to_string()),
            None => (rest, "/".to_string()),
        };
        let (host, port) = authority.rsplit_once(':').ok_or_else(|| ClientError::Url(url.into()))?;
        let port = port.parse().map_err(|_| ClientError::Url(url.into()))?;
        if host.is_empty() {
            return Err(ClientError::Url(url.into()));
        }
        Ok(Self { host: host.to_string(), port, path })
    }

    /// Calls `method` with `params` and returns its result.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let response = self.post(&request.to_string())?;
        let reply: Value = serde_json::from_str(&response.body)
            .map_err(|error| ClientError::Protocol(format!("HTTP {}: {error}: {}", response.status, response.body)))?;
        if let Some(error) = reply.get("error") {
            return Err(ClientError::Rpc {
                code: error.get("code").and_then(Value::as_i64).unwrap_or_default(),
                message: error.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
                data: error.get("data").cloned(),
            });
        }
        reply.get("result").cloned().ok_or_else(|| ClientError::Protocol(format!("no result in {reply}")))
    }

    /// POSTs `body` as JSON and returns the raw answer.
    pub fn post(&self, body: &str) -> Result<HttpResponse, ClientError> {
        let address = (self.host.as_str(), self.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| ClientError::Url(format!("{}:{} resolves to no address", self.host, self.port)))?;
        let mut stream = TcpStream::connect_timeout(&address, CALL_TIMEOUT)?;
        stream.set_read_timeout(Some(CALL_TIMEOUT))?;
        stream.set_write_timeout(Some(CALL_TIMEOUT))?;
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.path,
            self.host,
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes())?;
        let mut raw = Vec::new();
        stream.take(RESPONSE_BYTES_MAX).read_to_end(&mut raw)?;
        parse_response(&raw)
    }

    /// The number of shards of the devnet.
    pub fn shard_count(&self) -> Result<NonZeroU32, ClientError> {
        let status = self.call("min_status", json!([]))?;
        status
            .get("shards")
            .and_then(Value::as_u64)
            .and_then(|count| u32::try_from(count).ok())
            .and_then(NonZeroU32::new)
            .ok_or_else(|| ClientError::Protocol(format!("no shard count in {status}")))
    }

    /// The active coins `owner` holds.
    pub fn coins(&self, owner: Address) -> Result<Vec<Coin>, ClientError> {
        let objects = self.call("min_objectsByOwner", json!([hex::encode(&owner.0)]))?;
        let objects = objects.as_array().ok_or_else(|| ClientError::Protocol(format!("not a list: {objects}")))?;
        Ok(objects.iter().filter_map(coin_of).collect())
    }

    /// Submits a signed transaction and returns its id.
    pub fn submit(&self, transaction: &min_chain::transaction::Transaction) -> Result<TxId, ClientError> {
        self.call("min_submit", json!([hex::encode(&transaction.to_bytes())]))?;
        Ok(transaction.id())
    }

    /// Where the transaction `id` stands, as `min_txStatus` answers.
    pub fn status(&self, id: &TxId) -> Result<Value, ClientError> {
        self.call("min_txStatus", json!([hex::encode(&id.0)]))
    }

    /// Polls the status of `id` until it is committed or aborted, or `timeout` passes.
    pub fn wait(&self, id: &TxId, timeout: Duration) -> Result<Value, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.status(id)?;
            if matches!(status.get("status").and_then(Value::as_str), Some("committed" | "aborted")) {
                return Ok(status);
            }
            if Instant::now() > deadline {
                return Err(ClientError::Timeout(*id));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Pays `amount` to `to` from `key`'s coins on one shard, submits the
    /// transfer and returns its id (without waiting for it).
    pub fn transfer(&self, key: &SigningKey, to: Address, amount: u128) -> Result<TxId, ClientError> {
        let shards = self.shard_count()?;
        let coins = self.coins(address_of(key))?;
        let transaction = wallet::transfer(key, &coins, to, amount, shards).map_err(ClientError::Wallet)?;
        self.submit(&transaction)
    }
}

/// A coin as `min_objectsByOwner` lists it, or `None` for another object.
fn coin_of(object: &Value) -> Option<Coin> {
    let id = ObjectId(hex::decode32(object.get("id")?.as_str()?).ok()?);
    let version = object.get("version")?.as_u64()?;
    let shard = ShardId(u32::try_from(object.get("shard")?.as_u64()?).ok()?);
    let value = object.get("coin")?.as_str()?.parse().ok()?;
    Some(Coin { reference: ObjectRef { id, version }, shard, value })
}

fn parse_response(raw: &[u8]) -> Result<HttpResponse, ClientError> {
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| ClientError::Protocol(format!("no end of headers in {} bytes", raw.len())))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| ClientError::Protocol(format!("bad status line: {status_line}")))?;
    let chunked = lines.any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let body = &raw[split + 4..];
    let body = if chunked { dechunk(body)? } else { body.to_vec() };
    let body = String::from_utf8(body).map_err(|_| ClientError::Protocol("the body is not UTF-8".into()))?;
    Ok(HttpResponse { status, body })
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, ClientError> {
    let bad = || ClientError::Protocol("malformed chunked body".into());
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|window| window == b"\r\n").ok_or_else(bad)?;
        let size_text = std::str::from_utf8(&body[..line_end]).map_err(|_| bad())?;
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16).map_err(|_| bad())?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err(bad());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_and_bad_ones_refused() {
        let client = RpcClient::new("http://127.0.0.1:8645").unwrap();
        assert_eq!((client.host.as_str(), client.port, client.path.as_str()), ("127.0.0.1", 8645, "/"));
        assert!(RpcClient::new("https://127.0.0.1:8645").is_err());
        assert!(RpcClient::new("http://127.0.0.1").is_err());
    }

    #[test]
    fn plain_and_chunked_responses_are_read() {
        let plain = parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").unwrap();
        assert_eq!(plain, HttpResponse { status: 200, body: "{}".into() });
        let chunked =
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!(chunked.body, "abcde");
    }
}
