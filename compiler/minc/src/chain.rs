//! `minc deploy` and `minc call`: publish a Min file's contract on a chain
//! (a devnet) and call its procedures, through the chain's JSON-RPC.
//!
//! A call runs on the client first, with the same contract host the
//! validators use, so the client knows the outputs and returned values
//! before it signs; the validators run it again and accept the transaction
//! only if they compute the same outputs (`spec/chain.md`).

use crate::args::{Argument, Bindings, parse_argument};
use crate::artifact;
use ed25519_dalek::SigningKey;
use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_chain::contracts::{Event, Package, REACHABLE_MAX, reachable_packages};
use min_chain::objects::{Address, Object, ObjectId, TypeTag};
use min_chain::shard::ShardId;
use min_chain::transaction::{Output, Procedure, TransactionBody, TxId};
use min_contract_host::{CallRequest, LinkedContract, event_value, load_package, prepare_call};
use min_node::client::RpcClient;
use min_node::hex;
use min_runtime::calls::NestedCall;
use min_runtime::{Engine, Role, Value};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long `deploy` and `call` wait for their transaction to be final.
const FINALITY_TIMEOUT: Duration = Duration::from_secs(30);

/// A published contract.
pub struct Deployed {
    /// The package's id, which names the contract on the chain.
    pub package: ObjectId,
    /// The publishing transaction.
    pub transaction: TxId,
    /// The module's size and the metadata's, in bytes.
    pub bytes: (usize, usize),
}

/// Builds `file` and publishes it, signed by `key`, linked to the package
/// `links` names for each contract it calls (by module name); waits until
/// every shard holds the package.
pub fn deploy(
    workspace: &Workspace,
    file: SourceFile,
    links: &BTreeMap<String, ObjectId>,
    rpc: &RpcClient,
    key: &SigningKey,
) -> Result<Deployed, String> {
    let built = artifact::build(workspace, file).map_err(|_| "the file has errors: run `minc check`".to_owned())?;
    let module = &built.module;
    let linked = built
        .calls
        .iter()
        .map(|called| {
            links.get(&called.module).copied().ok_or_else(|| {
                format!("{module} calls contract {0}: name its package with --link {0}=PACKAGE", called.module)
            })
        })
        .collect::<Result<Vec<ObjectId>, String>>()?;
    if let Some(extra) = links.keys().find(|name| !built.calls.iter().any(|called| &called.module == *name)) {
        return Err(format!("{module} calls no contract {extra}, so --link {extra} names nothing"));
    }
    let references = linked
        .iter()
        .map(|id| fetch_object(rpc, *id).map(|object| object.reference()))
        .collect::<Result<Vec<_>, _>>()?;
    let package = Package { wasm: built.wasm, metadata: built.metadata.into_bytes(), links: linked };
    let bytes = (package.wasm.len(), package.metadata.len());
    let signer = Address(key.verifying_key().to_bytes());
    let transaction = TransactionBody {
        procedure: Procedure::Publish,
        inputs: Vec::new(),
        references,
        params: fresh_salt().to_le_bytes().to_vec(),
        outputs: vec![Output { owner: signer, type_tag: TypeTag::PACKAGE, data: package.to_bytes() }],
        signer,
    }
    .sign(key);
    let id = rpc.submit(&transaction).map_err(|error| error.to_string())?;
    committed(rpc, &id)?;
    Ok(Deployed { package: id.output_id(0), transaction: id, bytes })
}

/// What a call did.
pub struct Called {
    /// Its transaction.
    pub transaction: TxId,
    /// The procedure's qualified name.
    pub procedure: String,
    /// The values it returned, as Min source.
    pub returns: Vec<String>,
    /// The objects it created: id, type and value as Min source.
    pub created: Vec<(ObjectId, String, String)>,
    /// The events the chain logged for it: type and value as Min source.
    pub events: Vec<(String, String)>,
    /// The procedures of other contracts it called, in order (each before
    /// those it called in turn), each with the gas it used.
    pub calls: Vec<(String, u64)>,
    /// The gas it used, with that of the procedures it called.
    pub gas_used: u64,
}

/// What to call.
pub struct CallOptions<'a> {
    /// The contract's package id.
    pub package: ObjectId,
    /// The procedure.
    pub procedure: &'a str,
    /// Its parameters, as Min literals.
    pub args: &'a [String],
    /// The objects it consumes, in order.
    pub inputs: &'a [ObjectId],
    /// The objects it reads by reference, in order.
    pub references: &'a [ObjectId],
    /// Where to create the outputs of a call that consumes nothing.
    pub shard: Option<ShardId>,
}

/// Calls a procedure of the contract published as `options.package`, whose
/// source is `file` (it gives the parameters' types), signed by `key`.
pub fn call(
    workspace: &Workspace,
    file: SourceFile,
    rpc: &RpcClient,
    key: &SigningKey,
    options: &CallOptions<'_>,
) -> Result<Called, String> {
    let package_object = fetch_object(rpc, options.package)?;
    if package_object.type_tag != TypeTag::PACKAGE {
        return Err(format!("{} is not a published contract", hex::encode(&options.package.0)));
    }
    let package = Package::from_bytes(&package_object.data).map_err(|error| error.to_string())?;
    let contract = load_package(&package)?;
    // Every package the calls may reach, each fetched once.
    let mut fetched: BTreeMap<ObjectId, Package> = BTreeMap::new();
    let reached = reachable_packages(
        &package.links,
        |id| {
            let object = fetch_object(rpc, *id)?;
            let linked = Package::from_bytes(&object.data).map_err(|error| format!("a linked package: {error}"))?;
            let links = linked.links.clone();
            fetched.insert(*id, linked);
            Ok(links)
        },
        || format!("the package's links reach more than {REACHABLE_MAX} packages"),
    )?;
    let linked = reached
        .iter()
        .map(|id| Ok(LinkedContract { package: *id, contract: Arc::new(load_package(&fetched[id])?) }))
        .collect::<Result<Vec<_>, String>>()?;
    let info = min_contract_host::procedure(&contract, options.procedure)?;
    let arguments = parse_params(workspace, file, &info.name, options.args)?;
    let params: Vec<Value<'_>> = arguments.iter().map(Argument::to_value).collect();
    let inputs = options.inputs.iter().map(|id| fetch_object(rpc, *id)).collect::<Result<Vec<_>, _>>()?;
    let references = options.references.iter().map(|id| fetch_object(rpc, *id)).collect::<Result<Vec<_>, _>>()?;
    let shards = rpc.shard_count().map_err(|error| error.to_string())?;
    let engine = Engine::new().map_err(|error| error.to_string())?;
    let request = CallRequest {
        package: options.package,
        linked: &linked,
        procedure: &info.name,
        inputs: &inputs,
        references: &references,
        params: &params,
        signer: Address(key.verifying_key().to_bytes()),
        time: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs()),
        salt_from: fresh_salt(),
        shard: options.shard,
    };
    let prepared = prepare_call(&engine, &contract, &request, shards)?;
    let transaction = prepared.body.sign(key);
    let id = rpc.submit(&transaction).map_err(|error| error.to_string())?;
    let status = committed(rpc, &id)?;
    let output_types: Vec<_> =
        info.results.iter().filter(|slot| slot.role == Role::Output).map(|slot| &slot.r#type).collect();
    let created_ids = status
        .get("outputs")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|output| hex::decode32(output.get("id")?.as_str()?).ok().map(ObjectId));
    let created = created_ids
        .zip(&transaction.body().outputs)
        .zip(output_types)
        .map(|((id, output), ty)| {
            let value = contract.decode(&output.data, ty).map_err(|error| error.to_string())?;
            let name = min_contract_host::object_type_name(ty)?.to_owned();
            Ok((id, name, value.to_string()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let events = status
        .get("events")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|event| {
            let type_name = event.get("type").and_then(Json::as_str).ok_or("an event without a type")?;
            let data = event.get("data").and_then(Json::as_str).ok_or("an event without data")?;
            let package = event.get("package").and_then(Json::as_str).ok_or("an event without a package")?;
            let event = Event {
                package: ObjectId(hex::decode32(package)?),
                type_name: type_name.to_owned(),
                data: hex::decode(data).map_err(|reason| format!("an event's data: {reason}"))?,
            };
            let logger = linked.iter().find(|linked| linked.package == event.package);
            let logger = logger.map_or(&contract, |linked| &*linked.contract);
            Ok((event.type_name.clone(), event_value(logger, &event)?.to_string()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Called {
        transaction: id,
        procedure: info.name.clone(),
        returns: prepared.returns.iter().map(ToString::to_string).collect(),
        created,
        events,
        calls: prepared
            .records
            .iter()
            .flat_map(NestedCall::flattened)
            .map(|record| (record.procedure.clone(), record.gas_used))
            .collect(),
        gas_used: prepared.gas_used,
    })
}

/// The parameters of `procedure` read from `args` with the types the
/// source gives them.
fn parse_params(
    workspace: &Workspace,
    file: SourceFile,
    procedure: &str,
    args: &[String],
) -> Result<Vec<Argument>, String> {
    if workspace.diagnostics(file).iter().any(min_diagnostics::Diagnostic::is_error) {
        return Err("the file has errors: run `minc check`".to_owned());
    }
    let checked = workspace.check(file);
    let found = checked
        .interface
        .procedures
        .iter()
        .find(|candidate| candidate.name == procedure)
        .ok_or_else(|| format!("the file declares no procedure {procedure}: is it the contract's source?"))?;
    if found.params.len() != args.len() {
        return Err(format!("{procedure} takes {} parameters, {} given", found.params.len(), args.len()));
    }
    let interfaces = workspace.interfaces(file);
    let mut bindings = Bindings::default();
    args.iter().zip(&found.params).map(|(text, ty)| parse_argument(text, ty, &interfaces, &mut bindings)).collect()
}

/// The object `id` as the chain holds it; refuses one already consumed.
fn fetch_object(rpc: &RpcClient, id: ObjectId) -> Result<Object, String> {
    let shown = hex::encode(&id.0);
    let json = rpc.call("min_getObject", json!([shown])).map_err(|error| error.to_string())?;
    if json.is_null() {
        return Err(format!("no object {shown} on the chain"));
    }
    if json.get("active").and_then(Json::as_bool) == Some(false) {
        return Err(format!("object {shown} was already consumed"));
    }
    let field = |name: &str| json.get(name).and_then(Json::as_str).ok_or_else(|| format!("no {name} in {json}"));
    Ok(Object {
        id,
        version: json.get("version").and_then(Json::as_u64).ok_or_else(|| format!("no version in {json}"))?,
        owner: Address(hex::decode32(field("owner")?)?),
        type_tag: TypeTag(hex::decode32(field("typeTag")?)?),
        data: hex::decode(field("data")?)?,
    })
}

/// Waits until `id` is final; `Err` with the reason if it aborted.
fn committed(rpc: &RpcClient, id: &TxId) -> Result<Json, String> {
    let status = rpc.wait(id, FINALITY_TIMEOUT).map_err(|error| error.to_string())?;
    match status.get("status").and_then(Json::as_str) {
        Some("committed") => Ok(status),
        _ => Err(format!(
            "transaction {} aborted: {}",
            hex::encode(&id.0),
            status.get("reason").and_then(Json::as_str).unwrap_or("no reason given")
        )),
    }
}

/// The devnet at `rpc` and the signing key of a command, as
/// [`signing_key`] chooses it.
pub fn connect(rpc: &str, key: Option<&str>, account: Option<usize>) -> Result<(RpcClient, SigningKey), String> {
    let client = RpcClient::new(rpc).map_err(|error| error.to_string())?;
    let key = signing_key(&client, key, account)?;
    Ok((client, key))
}

/// The signing key of a command: `key` (64 hex digits), or the devnet's
/// funded account number `account`, whose key `min_accounts` tells.
pub fn signing_key(rpc: &RpcClient, key: Option<&str>, account: Option<usize>) -> Result<SigningKey, String> {
    if let Some(key) = key {
        return Ok(SigningKey::from_bytes(&hex::decode32(key).map_err(|reason| format!("--key: {reason}"))?));
    }
    let Some(account) = account else {
        return Err("give the signer's secret key with --key, or a devnet account's number with --account".to_owned());
    };
    let accounts = rpc.call("min_accounts", json!([])).map_err(|error| error.to_string())?;
    let secret = accounts
        .get(account)
        .and_then(|entry| entry.get("secretKey"))
        .and_then(Json::as_str)
        .ok_or_else(|| format!("the devnet has no funded account {account}"))?;
    Ok(SigningKey::from_bytes(&hex::decode32(secret)?))
}

/// A salt no earlier call of this client used: the clock's nanoseconds.
fn fresh_salt() -> u64 {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos());
    u64::try_from(nanos & u128::from(u64::MAX)).unwrap_or_default()
}
