//! JSON-RPC 2.0 over the devnet: the request and response envelopes, the
//! errors, batches, and the table that dispatches a method name to its
//! handler (`methods.rs`). A new method is one function and one line in
//! [`METHODS`]; the HTTP side lives in `server.rs`.

mod events;
mod methods;
mod params;
pub mod server;
mod views;

pub use params::Params;

use crate::control::{Control, Reply};
use crate::peers::Peers;
use crate::routing::Router;
use crate::snapshots::SnapshotError;
use ed25519_dalek::SigningKey;
use min_chain::transaction::Transaction;
use serde_json::{Value, json};
use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;

/// The request could not be parsed as JSON.
pub const PARSE_ERROR: i64 = -32700;
/// The JSON is not a JSON-RPC 2.0 request.
pub const INVALID_REQUEST: i64 = -32600;
/// No method of that name.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The parameters are missing, of the wrong type or malformed.
pub const INVALID_PARAMS: i64 = -32602;
/// The chain refused the transaction; `data.reason` says why.
pub const TRANSACTION_REJECTED: i64 = -32000;
/// The devnet could not do what was asked of it (a snapshot, a revert),
/// or is stopping; `message` says why.
pub const DEVNET_ERROR: i64 = -32001;

/// How long a request waits for the chain while the devnet restarts it
/// (for a snapshot or a revert) before giving up.
const RESTART_WAIT: Duration = Duration::from_secs(60);

/// What the server shares between requests: the chain's router (absent
/// while the devnet restarts the chain), the funded accounts, and the way
/// to the devnet's controller.
pub struct RpcState {
    router: Mutex<Routed>,
    changed: Condvar,
    accounts: Vec<SigningKey>,
    control: Option<UnboundedSender<Control>>,
    peers: Option<Peers>,
}

/// Where the chain stands for the server.
enum Routed {
    Running(Arc<Router>),
    Restarting,
    Closed,
}

impl RpcState {
    /// A server's state, with no chain yet: requests wait until
    /// [`RpcState::set_router`] gives one. `control` reaches the devnet's
    /// controller, for `min_snapshot` and `min_revert`; `peers` are the
    /// processes of the shards served elsewhere, if any.
    pub fn new(accounts: Vec<SigningKey>, control: Option<UnboundedSender<Control>>, peers: Option<Peers>) -> Self {
        Self { router: Mutex::new(Routed::Restarting), changed: Condvar::new(), accounts, control, peers }
    }

    /// Serves requests with `router`, or makes them wait for the next one (`None`).
    pub fn set_router(&self, router: Option<Arc<Router>>) {
        self.set(router.map_or(Routed::Restarting, Routed::Running));
    }

    /// Answers every waiting and later request that the devnet stopped.
    pub fn close(&self) {
        self.set(Routed::Closed);
    }

    fn set(&self, routed: Routed) {
        *self.router.lock().unwrap_or_else(PoisonError::into_inner) = routed;
        self.changed.notify_all();
    }

    /// The chain's router, once the chain runs.
    fn router(&self) -> Result<Arc<Router>, RpcError> {
        let routed = self.router.lock().unwrap_or_else(PoisonError::into_inner);
        let (routed, _) = self
            .changed
            .wait_timeout_while(routed, RESTART_WAIT, |routed| matches!(routed, Routed::Restarting))
            .unwrap_or_else(PoisonError::into_inner);
        match &*routed {
            Routed::Running(router) => Ok(router.clone()),
            Routed::Restarting => Err(RpcError::devnet("the chain did not start again in time")),
            Routed::Closed => Err(RpcError::devnet("the devnet is stopping")),
        }
    }
}

/// What every method can reach: the shards (through the router of the
/// chain's current run), the devnet's funded accounts and its controller.
pub struct RpcContext<'a> {
    state: &'a RpcState,
    /// The accounts funded at genesis.
    pub accounts: &'a [SigningKey],
    /// The transaction of a `min_submit` that its batch decoded already.
    submitted: Cell<Option<Transaction>>,
}

impl RpcContext<'_> {
    /// The router of the chain's current run, waiting while the devnet
    /// starts the chain again. A method keeps it only while it answers: the
    /// chain cannot start again while a run's router is held.
    pub fn router(&self) -> Result<Arc<Router>, RpcError> {
        self.state.router()
    }

    /// The transaction `min_submit`'s parameters carry, decoded once: by
    /// its batch, or now.
    pub fn submitted_transaction(&self, params: &Params<'_>) -> Result<Transaction, RpcError> {
        self.submitted.take().map_or_else(|| methods::submitted_transaction(params), Ok)
    }

    /// The processes of the shards served elsewhere, unless `here` (the
    /// request came from one of them) or there are none.
    pub fn peers(&self, here: bool) -> Option<&Peers> {
        if here { None } else { self.state.peers.as_ref() }
    }

    /// Asks the devnet's controller for `request` and waits for its reply.
    pub fn ask<T>(&self, request: impl FnOnce(Reply<T>) -> Control) -> Result<T, RpcError> {
        let control = self.state.control.as_ref().ok_or_else(|| {
            RpcError::devnet("snapshots and reverts are for a devnet that runs every validator in one process")
        })?;
        let (reply, answer) = oneshot::channel();
        control.send(request(reply)).map_err(|_| RpcError::devnet("the devnet is stopping"))?;
        match answer.blocking_recv() {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error @ SnapshotError::Unknown { .. })) => Err(RpcError::invalid_params(error)),
            Ok(Err(error)) => Err(RpcError::devnet(error)),
            Err(_) => Err(RpcError::devnet("the devnet stopped before it answered")),
        }
    }
}

/// A JSON-RPC error object.
#[derive(Clone, PartialEq, Debug)]
pub struct RpcError {
    /// One of the codes above.
    pub code: i64,
    /// A sentence saying what went wrong.
    pub message: String,
    /// Details for programs, such as the kind of a rejection.
    pub data: Option<Value>,
}

impl RpcError {
    /// A parse error naming what the JSON parser reported.
    pub fn parse_error(reason: impl std::fmt::Display) -> Self {
        Self { code: PARSE_ERROR, message: format!("parse error: {reason}"), data: None }
    }

    /// An invalid request, with the reason.
    pub fn invalid_request(reason: &str) -> Self {
        Self { code: INVALID_REQUEST, message: format!("invalid request: {reason}"), data: None }
    }

    /// No method called `name`.
    pub fn method_not_found(name: &str) -> Self {
        Self { code: METHOD_NOT_FOUND, message: format!("method not found: {name}"), data: None }
    }

    /// Invalid parameters, with the reason.
    pub fn invalid_params(reason: impl std::fmt::Display) -> Self {
        Self { code: INVALID_PARAMS, message: format!("invalid params: {reason}"), data: None }
    }

    /// A transaction the chain refused: `kind` names the rule, `reason` explains it.
    pub fn rejected(kind: &str, reason: impl std::fmt::Display) -> Self {
        let reason = reason.to_string();
        Self {
            code: TRANSACTION_REJECTED,
            message: format!("transaction rejected: {reason}"),
            data: Some(json!({ "kind": kind, "reason": reason })),
        }
    }

    /// Something the devnet itself could not do, with the reason.
    pub fn devnet(reason: impl std::fmt::Display) -> Self {
        Self { code: DEVNET_ERROR, message: reason.to_string(), data: None }
    }

    fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

/// What a method answers: its result, or an error.
pub type MethodResult = Result<Value, RpcError>;

/// A method's handler.
pub type Method = fn(&RpcContext<'_>, &Params<'_>) -> MethodResult;

/// Every method, by name.
pub const METHODS: &[(&str, Method)] = &[
    ("min_status", methods::status),
    ("min_accounts", methods::accounts),
    ("min_faucet", methods::faucet),
    ("min_submit", methods::submit),
    ("min_txStatus", methods::tx_status),
    ("min_getObject", methods::get_object),
    ("min_objectsByOwner", methods::objects_by_owner),
    ("min_getEvents", methods::get_events),
    ("min_snapshot", methods::snapshot),
    ("min_revert", methods::revert),
];

/// Runs the method `name` with `params`, once the chain runs; `submitted`
/// is the transaction a `min_submit` carries when its batch decoded it.
fn call(state: &RpcState, name: &str, params: &Params<'_>, submitted: Option<Transaction>) -> MethodResult {
    let (_, method) =
        METHODS.iter().find(|(known, _)| *known == name).ok_or_else(|| RpcError::method_not_found(name))?;
    method(&RpcContext { state, accounts: &state.accounts, submitted: Cell::new(submitted) }, params)
}

/// Answers the HTTP body of a request or a batch; `None` when there is
/// nothing to send back (only notifications).
pub fn handle(state: &RpcState, body: &[u8]) -> Option<Value> {
    let request: Value = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(error) => return Some(response(Value::Null, Err(RpcError::parse_error(error)))),
    };
    match request {
        Value::Array(batch) if batch.is_empty() => {
            Some(response(Value::Null, Err(RpcError::invalid_request("an empty batch"))))
        }
        Value::Array(batch) => {
            let submitted = check_submitted_signatures(state, &batch);
            let responses: Vec<Value> = batch
                .iter()
                .zip(submitted)
                .filter_map(|(request, submitted)| handle_one(state, request, submitted))
                .collect();
            (!responses.is_empty()).then_some(Value::Array(responses))
        }
        request => handle_one(state, &request, None),
    }
}

/// Checks together the signatures of the transactions a batch submits
/// (`min_submit`), before its requests are answered one by one, each then
/// finding its signature's answer remembered; answers each request's
/// transaction, decoded, for its answer to use. A request that does not
/// decode is left for its own answer to report.
fn check_submitted_signatures(state: &RpcState, batch: &[Value]) -> Vec<Option<Transaction>> {
    let submitted: Vec<Option<Transaction>> = batch
        .iter()
        .map(|request| {
            let submits = request.get("method").and_then(Value::as_str) == Some("min_submit");
            submits.then(|| methods::submitted_transaction(&Params::new(request.get("params"))).ok()).flatten()
        })
        .collect();
    let decoded: Vec<&Transaction> = submitted.iter().flatten().collect();
    if decoded.len() > 1
        && let Ok(router) = state.router()
    {
        router.check_signatures(&decoded);
    }
    submitted
}

/// Answers one request object; `None` for a notification (no `id`).
fn handle_one(state: &RpcState, request: &Value, submitted: Option<Transaction>) -> Option<Value> {
    let Some(object) = request.as_object() else {
        return Some(response(Value::Null, Err(RpcError::invalid_request("a request is a JSON object"))));
    };
    let id = object.get("id").cloned();
    let valid_id = matches!(id, None | Some(Value::Null | Value::Number(_) | Value::String(_)));
    let reply_id = if valid_id { id.clone().unwrap_or(Value::Null) } else { Value::Null };
    if !valid_id {
        return Some(response(reply_id, Err(RpcError::invalid_request("`id` is a string, a number or null"))));
    }
    if object.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return Some(response(reply_id, Err(RpcError::invalid_request("`jsonrpc` must be \"2.0\""))));
    }
    let Some(name) = object.get("method").and_then(Value::as_str) else {
        return Some(response(reply_id, Err(RpcError::invalid_request("`method` is a string"))));
    };
    let result = match object.get("params") {
        None | Some(Value::Array(_) | Value::Object(_)) => {
            call(state, name, &Params::new(object.get("params")), submitted)
        }
        Some(_) => Err(RpcError::invalid_request("`params` is an array or an object")),
    };
    id.map(|_| response(reply_id, result))
}

fn response(id: Value, result: MethodResult) -> Value {
    match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() }),
    }
}
