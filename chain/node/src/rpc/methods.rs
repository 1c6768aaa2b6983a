//! The handlers of the `min_*` methods; `spec/chain.md` documents each
//! one's parameters and result.

use super::events::EventViews;
use super::{MethodResult, Params, RpcContext, RpcError, views};
use crate::control::Control;
use crate::hex;
use crate::keys::address_of;
use crate::routing::{EventFilter, Rejection, Router, Submitted, TxStatus};
use min_chain::objects::Address;
use min_chain::shard::{ShardId, shard_of};
use min_chain::transaction::Transaction;
use serde_json::{Value, json};

/// `min_status`: the number of shards and validators, and each shard's finalized height.
pub fn status(context: &RpcContext<'_>, _params: &Params<'_>) -> MethodResult {
    let router = &context.router()?;
    let shards: Vec<Value> = router
        .shard_statuses()
        .iter()
        .map(|status| {
            json!({
                "shard": status.shard.0,
                "height": status.height,
                "time": status.time,
                "validatorHeights": status.validator_heights,
                "objects": status.objects,
            })
        })
        .collect();
    Ok(json!({
        "shards": router.shard_count().get(),
        "validatorsPerShard": router.validators_per_shard(),
        "shardStatus": shards,
    }))
}

/// `min_accounts`: the funded accounts, with their secret keys and balances.
pub fn accounts(context: &RpcContext<'_>, _params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let accounts: Vec<Value> = context
        .accounts
        .iter()
        .map(|key| {
            let address = address_of(key);
            let balance: u128 = owned_everywhere(context, &router, address, false)
                .iter()
                .filter_map(|object| object["coin"].as_str()?.parse::<u128>().ok())
                .fold(0, u128::saturating_add);
            json!({
                "address": hex::encode(&address.0),
                "secretKey": hex::encode(&key.to_bytes()),
                "balance": balance.to_string(),
            })
        })
        .collect();
    Ok(Value::Array(accounts))
}

/// `min_faucet(address, amount, shard?)`: mints a coin for `address`.
pub fn faucet(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let owner = params.address(0, "address")?;
    let amount = params.amount(1, "amount")?;
    let shard = params.optional_u32(2, "shard")?.map(ShardId);
    let here = params.flag(3, "here")?;
    let shards = router.shard_count().get();
    if let Some(ShardId(shard)) = shard
        && shard >= shards
    {
        return Err(RpcError::invalid_params(format!("`shard` must be below {shards}, not {shard}")));
    }
    let mint = router.faucet_mint(owner, amount, shard).map_err(rejected)?;
    let submitted = send_to_shards(context, &router, mint, here)?;
    Ok(json!({
        "txId": hex::encode(&submitted.id.0),
        "shard": submitted.shard.0,
        "objectId": hex::encode(&submitted.id.output_id(0).0),
    }))
}

/// `min_submit(transaction, here?)`: routes a hex-encoded signed transaction to its shards.
pub fn submit(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let transaction = context.submitted_transaction(params)?;
    let submitted = send_to_shards(context, &router, transaction, params.flag(1, "here")?)?;
    Ok(submitted_json(&submitted))
}

/// The transaction `min_submit`'s parameters carry, decoded.
pub fn submitted_transaction(params: &Params<'_>) -> Result<Transaction, RpcError> {
    let bytes = hex::decode(params.string(0, "transaction")?)
        .map_err(|reason| RpcError::invalid_params(format!("`transaction`: {reason}")))?;
    Transaction::from_bytes(&bytes)
        .map_err(|error| RpcError::invalid_params(format!("`transaction` does not decode: {error}")))
}

/// Submits `transaction` to the validators here and, for a shard served
/// by another process, to that process first. With `here` (a request from
/// such a process) it goes to the validators here only: the sender has
/// sent it to the other shards.
fn send_to_shards(
    context: &RpcContext<'_>,
    router: &Router,
    transaction: Transaction,
    here: bool,
) -> Result<Submitted, RpcError> {
    let submitted = match (here, context.peers(here)) {
        (true, _) => router.submit_forwarding(transaction, &mut |_| Ok(())),
        (false, Some(peers)) => {
            let forwarded = transaction.clone();
            router.submit_forwarding(transaction, &mut |shard| peers.submit(shard, &forwarded))
        }
        (false, None) => router.submit(transaction),
    };
    submitted.map_err(rejected)
}

/// `min_txStatus(txId, here?)`: pending, committed (with height, outputs and events), aborted (with reason) or unknown.
pub fn tx_status(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let id = params.tx_id(0, "txId")?;
    let status = router.status(&id);
    // A transaction of shards served elsewhere is known there.
    if status == TxStatus::Unknown
        && let Some(peers) = context.peers(params.flag(1, "here")?)
    {
        let asked = json!({ "txId": hex::encode(&id.0) });
        let known = peers.elsewhere().find_map(|shard| {
            peers.ask(shard, "min_txStatus", asked.clone()).filter(|status| status["status"] != "unknown")
        });
        if let Some(known) = known {
            return Ok(known);
        }
    }
    Ok(views::tx_status(&status, &mut EventViews::new(&router)))
}

/// `min_getEvents(txId?, package?, type?)`: the events committed
/// transactions logged, each filter that is given matching, with their
/// decoded fields.
pub fn get_events(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let filter = EventFilter {
        transaction: params.get(0, "txId").map(|_| params.tx_id(0, "txId")).transpose()?,
        package: params.get(1, "package").map(|_| params.object_id(1, "package")).transpose()?,
        type_name: params.get(2, "type").map(|_| params.string(2, "type").map(str::to_owned)).transpose()?,
    };
    let mut views = EventViews::new(&router);
    Ok(Value::Array(router.events(&filter).iter().map(|logged| views.logged(logged)).collect()))
}

/// `min_getObject(objectId, here?)`: the object, active or consumed, or null.
pub fn get_object(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let id = params.object_id(0, "objectId")?;
    let shard = shard_of(&id, router.shard_count());
    if router.validators(shard).is_empty()
        && let Some(peers) = context.peers(params.flag(1, "here")?)
    {
        return Ok(peers.ask(shard, "min_getObject", json!({ "objectId": hex::encode(&id.0) })).unwrap_or(Value::Null));
    }
    Ok(router.object(&id).as_ref().map_or(Value::Null, views::object))
}

/// `min_objectsByOwner(address, here?)`: the active objects the address owns, on every shard.
pub fn objects_by_owner(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let router = context.router()?;
    let owner = params.address(0, "address")?;
    Ok(Value::Array(owned_everywhere(context, &router, owner, params.flag(1, "here")?)))
}

/// The active objects `owner` holds on the shards served here and, unless
/// `here`, on those the peers serve, shard by shard, as JSON.
fn owned_everywhere(context: &RpcContext<'_>, router: &Router, owner: Address, here: bool) -> Vec<Value> {
    let mut objects: Vec<Value> = router.objects_owned_by(owner).iter().map(views::object).collect();
    if let Some(peers) = context.peers(here) {
        let asked = json!({ "address": hex::encode(&owner.0) });
        for shard in peers.elsewhere() {
            let theirs = peers.ask(shard, "min_objectsByOwner", asked.clone());
            objects.extend(theirs.as_ref().and_then(Value::as_array).into_iter().flatten().cloned());
        }
        objects.sort_by_key(|object| object["shard"].as_u64());
    }
    objects
}

/// `min_snapshot`: saves the chain's state once every transaction routed
/// so far is final, and answers the snapshot's id. The chain stops while
/// its state is copied and starts again from it.
pub fn snapshot(context: &RpcContext<'_>, _params: &Params<'_>) -> MethodResult {
    context.ask(Control::Snapshot).map(Value::from)
}

/// `min_revert(id)`: puts back the state saved by snapshot `id`, dropping
/// every transaction since, and forgets that snapshot and every later one.
pub fn revert(context: &RpcContext<'_>, params: &Params<'_>) -> MethodResult {
    let id = params.u64(0, "id")?;
    context.ask(|reply| Control::Revert(id, reply)).map(|()| Value::Bool(true))
}

fn submitted_json(submitted: &Submitted) -> Value {
    json!({ "txId": hex::encode(&submitted.id.0), "shard": submitted.shard.0 })
}

fn rejected(rejection: Rejection) -> RpcError {
    RpcError::rejected(views::rejection_kind(&rejection), &rejection)
}
