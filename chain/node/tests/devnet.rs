//! A whole devnet end to end: 2 shards × 4 validators on loopback TCP in
//! this process, driven over real HTTP with real signatures. Funds an
//! account through the faucet, transfers on one shard, reads the outcome
//! and the new objects back, and sees malformed requests and bad
//! transactions refused with their reasons.

use ed25519_dalek::SigningKey;
use min_chain::objects::{Address, ObjectRef};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::transaction::{Procedure, Transaction, TransactionBody};
use min_node::client::{ClientError, RpcClient};
use min_node::keys::address_of;
use min_node::wallet::{coin_output, place};
use min_node::{DevnetConfig, hex};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FINAL: Duration = Duration::from_secs(20);

struct Running {
    client: RpcClient,
    accounts: Vec<SigningKey>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), min_node::DevnetError>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn start() -> Running {
    start_with(DevnetConfig { ephemeral: true, rpc_port: 0, ..DevnetConfig::default() })
        .unwrap_or_else(|error| panic!("the devnet did not start: {error}"))
}

/// Starts a devnet with `config` in a thread of its own, or answers why it did not start.
fn start_with(config: DevnetConfig) -> Result<Running, String> {
    let (ready, started) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        min_node::run(
            config,
            async move {
                let _ = stopped.await;
            },
            move |started| {
                println!("{}", started.summary());
                let _ = ready.send((started.rpc_address, started.accounts.clone()));
            },
        )
    });
    match started.recv_timeout(Duration::from_secs(30)) {
        Ok((address, accounts)) => Ok(Running {
            client: RpcClient::new(&format!("http://{address}")).unwrap(),
            accounts,
            stop: Some(stop),
            thread: Some(thread),
        }),
        Err(_) => Err(match thread.join() {
            Ok(Err(error)) => error.to_string(),
            Ok(Ok(())) => "it stopped before it was ready".into(),
            Err(_) => "it panicked".into(),
        }),
    }
}

fn rpc_error(result: Result<Value, ClientError>) -> (i64, String, Option<Value>) {
    match result {
        Err(ClientError::Rpc { code, message, data }) => (code, message, data),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

fn coins_of(client: &RpcClient, owner: Address) -> Vec<Value> {
    client.call("min_objectsByOwner", json!([hex::encode(&owner.0)])).unwrap().as_array().unwrap().clone()
}

#[test]
fn a_devnet_funds_transfers_and_refuses_bad_input_over_json_rpc() {
    let devnet = start();
    let client = &devnet.client;

    // Its shape and progress.
    let status = client.call("min_status", json!([])).unwrap();
    assert_eq!(status["shards"], 2);
    assert_eq!(status["validatorsPerShard"], 4);
    let now_ms = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    let started_ms = now_ms();
    for shard in status["shardStatus"].as_array().unwrap() {
        assert!(shard["height"].as_u64().unwrap() >= 1, "every shard finalized a block: {status}");
        assert_eq!(shard["validatorHeights"].as_array().unwrap().len(), 4);
        let time = shard["time"].as_u64().unwrap();
        assert!(started_ms - 60_000 < time && time <= started_ms + 15_000, "a block's time is its proposer's clock's");
    }
    let shards = NonZeroU32::new(2).unwrap();

    // The funded accounts, each with a coin on each shard.
    let accounts = client.call("min_accounts", json!({})).unwrap();
    let accounts = accounts.as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    assert_eq!(accounts[0]["balance"], "2000000000");
    assert_eq!(accounts[0]["secretKey"], hex::encode(&devnet.accounts[0].to_bytes()));
    let rich = &devnet.accounts[0];
    assert_eq!(coins_of(client, address_of(rich)).len(), 2);

    // The faucet funds a fresh account.
    let alice = SigningKey::from_bytes(&[42; 32]);
    let bob = SigningKey::from_bytes(&[43; 32]);
    let minted =
        client.call("min_faucet", json!({ "address": hex::encode(&address_of(&alice).0), "amount": 5000 })).unwrap();
    let mint_id = min_chain::transaction::TxId(hex::decode32(minted["txId"].as_str().unwrap()).unwrap());
    let status = client.wait(&mint_id, FINAL).unwrap();
    assert_eq!(status["status"], "committed", "{status}");
    let coins = coins_of(client, address_of(&alice));
    assert_eq!(coins.len(), 1);
    assert_eq!(coins[0]["coin"], "5000");
    assert_eq!(coins[0]["id"], minted["objectId"]);

    // Alice pays Bob 1200 on the shard of her coin, keeping 3800 in change.
    let transfer_id = client.transfer(&alice, address_of(&bob), 1200).unwrap();
    let status = client.wait(&transfer_id, FINAL).unwrap();
    assert_eq!(status["status"], "committed", "{status}");
    let committed_at = status["time"].as_u64().unwrap();
    assert!(started_ms <= committed_at && committed_at <= now_ms() + 15_000, "the block's time: {status}");
    let outputs = status["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    let bob_coins = coins_of(client, address_of(&bob));
    assert_eq!(bob_coins.len(), 1);
    assert_eq!((bob_coins[0]["coin"].clone(), bob_coins[0]["id"].clone()), (json!("1200"), outputs[0]["id"].clone()));
    let alice_coins = coins_of(client, address_of(&alice));
    assert_eq!(alice_coins.len(), 1);
    assert_eq!(
        (alice_coins[0]["coin"].clone(), alice_coins[0]["id"].clone()),
        (json!("3800"), outputs[1]["id"].clone())
    );
    assert_eq!(bob_coins[0]["shard"], coins[0]["shard"], "the transfer stayed on one shard");
    let spent = client.call("min_getObject", json!([coins[0]["id"]])).unwrap();
    assert_eq!((spent["active"].clone(), spent["coin"].clone()), (json!(false), json!("5000")));
    let tx_status = client.call("min_txStatus", json!({ "txId": hex::encode(&transfer_id.0) })).unwrap();
    assert_eq!(tx_status, status);
    let unknown = client.call("min_txStatus", json!([hex::encode(&[7; 32])])).unwrap();
    assert_eq!(unknown, json!({ "status": "unknown" }));
    assert_eq!(client.call("min_getObject", json!([hex::encode(&[7; 32])])).unwrap(), Value::Null);

    // Malformed requests get JSON-RPC errors with reasons.
    let parse = client.post("{\"jsonrpc\": \"2.0\", ").unwrap();
    assert_eq!(parse.status, 200);
    let parse: Value = serde_json::from_str(&parse.body).unwrap();
    assert_eq!(parse["error"]["code"], -32700, "{parse}");
    let invalid: Value = serde_json::from_str(&client.post("{\"jsonrpc\": \"2.0\", \"id\": 3}").unwrap().body).unwrap();
    assert_eq!((invalid["id"].clone(), invalid["error"]["code"].clone()), (json!(3), json!(-32600)));
    let (code, message, _) = rpc_error(client.call("min_nonsense", json!([])));
    assert_eq!((code, message.as_str()), (-32601, "method not found: min_nonsense"));
    let (code, message, _) = rpc_error(client.call("min_getObject", json!(["zz"])));
    assert_eq!((code, message.as_str()), (-32602, "invalid params: `objectId`: not a hex digit at position 0"));
    let (code, message, _) = rpc_error(client.call("min_faucet", json!({ "address": hex::encode(&[1; 32]) })));
    assert_eq!((code, message.as_str()), (-32602, "invalid params: missing parameter `amount`"));
    let (code, message, _) = rpc_error(client.call("min_faucet", json!([hex::encode(&[1; 32]), "10", 2])));
    assert_eq!((code, message.as_str()), (-32602, "invalid params: `shard` must be below 2, not 2"));
    let on_shard_one = client.call("min_faucet", json!([hex::encode(&[1; 32]), "10", 1])).unwrap();
    assert_eq!(on_shard_one["shard"], 1);
    let (code, message, _) = rpc_error(client.call("min_submit", json!(["00"])));
    assert_eq!(code, -32602);
    assert!(message.starts_with("invalid params: `transaction` does not decode"), "{message}");
    let batch = client
        .post(
            &json!([
                { "jsonrpc": "2.0", "id": 1, "method": "min_status" },
                { "jsonrpc": "2.0", "method": "min_status" },
                { "jsonrpc": "2.0", "id": 2, "method": "min_nonsense" },
            ])
            .to_string(),
        )
        .unwrap();
    let batch: Value = serde_json::from_str(&batch.body).unwrap();
    assert_eq!(batch.as_array().unwrap().len(), 2, "the notification gets no answer: {batch}");

    // Bad transactions are refused before any mempool, with the rule they break.
    let submit = |body: TransactionBody, key: &SigningKey, tamper: bool| {
        let mut transaction = body.sign(key);
        if tamper {
            transaction.signature[0] ^= 1;
        }
        rpc_error(client.call("min_submit", json!([hex::encode(&transaction.to_bytes())])))
    };
    let coin_ref = |coin: &Value| ObjectRef {
        id: min_chain::objects::ObjectId(hex::decode32(coin["id"].as_str().unwrap()).unwrap()),
        version: 1,
    };
    let alice_coin = coin_ref(&alice_coins[0]);
    let alice_shard = ShardId(alice_coins[0]["shard"].as_u64().unwrap() as u32);
    let pay = |inputs: Vec<ObjectRef>, signer: &SigningKey, outputs: Vec<(Address, u128)>| TransactionBody {
        procedure: Procedure::Transfer { amount: outputs[0].1 },
        inputs,
        references: vec![],
        params: vec![],
        outputs: outputs.into_iter().map(|(owner, value)| coin_output(owner, value)).collect(),
        signer: address_of(signer),
    };
    let good = place(pay(vec![alice_coin], &alice, vec![(address_of(&bob), 3800)]), Some(alice_shard), shards).unwrap();
    let (code, _, data) = submit(good.clone(), &alice, true);
    assert_eq!((code, data.unwrap()["kind"].clone()), (-32000, json!("BadSignature")));

    let mut spent_again = pay(vec![coin_ref(&coins[0])], &alice, vec![(address_of(&bob), 5000)]);
    spent_again = place(spent_again, Some(alice_shard), shards).unwrap();
    let (_, message, data) = submit(spent_again, &alice, false);
    assert_eq!(data.unwrap()["kind"], "InactiveObject", "{message}");

    let stolen = place(pay(vec![alice_coin], &bob, vec![(address_of(&bob), 3800)]), Some(alice_shard), shards).unwrap();
    let (_, message, data) = submit(stolen, &bob, false);
    assert_eq!(data.unwrap()["kind"], "NotOwner", "{message}");

    let unbalanced =
        place(pay(vec![alice_coin], &alice, vec![(address_of(&bob), 3000)]), Some(alice_shard), shards).unwrap();
    let (_, message, data) = submit(unbalanced, &alice, false);
    assert_eq!(data.unwrap()["kind"], "CheckerFailed", "{message}");
    assert!(message.contains("the outputs' value differs from the inputs'"), "{message}");

    // A batch's submissions have their signatures checked together, and
    // each is still answered on its own: the tampered one refused, the
    // good one routed.
    let rich_coin = &coins_of(client, address_of(rich))[0];
    let rich_value: u128 = rich_coin["coin"].as_str().unwrap().parse().unwrap();
    let rich_shard = ShardId(rich_coin["shard"].as_u64().unwrap() as u32);
    let from_rich = pay(vec![coin_ref(rich_coin)], rich, vec![(address_of(&bob), rich_value)]);
    let from_rich = place(from_rich, Some(rich_shard), shards).unwrap().sign(rich);
    let mut tampered = good.clone().sign(&alice);
    tampered.signature[0] ^= 1;
    let request = |id: u64, transaction: &Transaction| json!({ "jsonrpc": "2.0", "id": id, "method": "min_submit", "params": [hex::encode(&transaction.to_bytes())] });
    let answers = client.post(&json!([request(1, &tampered), request(2, &from_rich)]).to_string()).unwrap();
    let answers: Value = serde_json::from_str(&answers.body).unwrap();
    let answer = |id: u64| answers.as_array().unwrap().iter().find(|answer| answer["id"] == id).unwrap().clone();
    assert_eq!(answer(1)["error"]["data"]["kind"], "BadSignature", "{answers}");
    assert_eq!(answer(2)["result"]["txId"], hex::encode(&from_rich.id().0), "{answers}");
    let status = client.wait(&from_rich.id(), FINAL).unwrap();
    assert_eq!(status["status"], "committed", "{status}");

    // Outputs placed on the other shard make the transaction cross-shard:
    // both shards prepare it, exchange certificates and commit it.
    let mut across = pay(vec![alice_coin], &alice, vec![(address_of(&bob), 3800)]);
    across.params = vec![0; 8];
    let other = ShardId(1 - alice_shard.0);
    for nonce in 0u64.. {
        across.params.copy_from_slice(&nonce.to_le_bytes());
        if shard_of(&across.id().output_id(0), shards) == other {
            break;
        }
    }
    assert_eq!(shards_touched(&across, shards).len(), 2);
    let across = across.sign(&alice);
    let across_id = client.submit(&across).unwrap();
    let status = client.wait(&across_id, FINAL).unwrap();
    assert_eq!(status["status"], "committed", "{status}");
    let paid = client.call("min_getObject", json!([status["outputs"][0]["id"]])).unwrap();
    assert_eq!((paid["coin"].clone(), paid["shard"].clone()), (json!("3800"), json!(other.0)), "{paid}");
    let spent = client.call("min_getObject", json!([hex::encode(&alice_coin.id.0)])).unwrap();
    assert_eq!(spent["active"], json!(false), "{spent}");
    assert!(coins_of(client, address_of(&alice)).is_empty());
}

#[test]
fn a_revert_puts_the_chain_back_to_its_snapshot_and_the_chain_goes_on() {
    let devnet = start();
    let client = &devnet.client;
    let alice = SigningKey::from_bytes(&[62; 32]);
    let bob = SigningKey::from_bytes(&[63; 32]);
    let values = |owner: &SigningKey| -> Vec<Value> {
        let mut values: Vec<Value> =
            coins_of(client, address_of(owner)).iter().map(|coin| coin["coin"].clone()).collect();
        values.sort_by_key(|value| value.as_str().unwrap().to_string());
        values
    };
    let minted =
        client.call("min_faucet", json!({ "address": hex::encode(&address_of(&alice).0), "amount": 500 })).unwrap();
    let mint_id = min_chain::transaction::TxId(hex::decode32(minted["txId"].as_str().unwrap()).unwrap());
    // The snapshot waits for the mint to be final, so it holds Alice's coin.
    let first = client.call("min_snapshot", json!([])).unwrap();
    assert_eq!(first, json!(1));
    assert_eq!(client.status(&mint_id).unwrap()["status"], "committed");
    let heights = |client: &RpcClient| -> Vec<u64> {
        client.call("min_status", json!([])).unwrap()["shardStatus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|shard| shard["height"].as_u64().unwrap())
            .collect()
    };
    let at_snapshot = heights(client);

    let payment = client.transfer(&alice, address_of(&bob), 200).unwrap();
    assert_eq!(client.wait(&payment, FINAL).unwrap()["status"], "committed");
    assert_eq!(values(&bob), vec![json!("200")]);
    let second = client.call("min_snapshot", json!({})).unwrap();
    assert_eq!(second, json!(2));

    // Back to the first snapshot: the payment never happened, Alice has her coin.
    assert_eq!(client.call("min_revert", json!([1])).unwrap(), json!(true));
    assert!(values(&bob).is_empty(), "the payment is undone");
    assert_eq!(values(&alice), vec![json!("500")]);
    assert_eq!(client.status(&payment).unwrap()["status"], "unknown");
    assert_eq!(client.status(&mint_id).unwrap()["status"], "committed");
    for (now, then) in heights(client).iter().zip(&at_snapshot) {
        assert!(now >= then, "the shards restart from the snapshot's blocks: {now} < {then}");
    }
    // That snapshot and the later one are used up; an unknown id is named.
    for id in [1, 2] {
        let (code, message, _) = rpc_error(client.call("min_revert", json!([id])));
        assert_eq!(code, -32602, "{message}");
        assert!(message.contains(&format!("no snapshot {id}")), "{message}");
    }
    let (code, message, _) = rpc_error(client.call("min_revert", json!(["one"])));
    assert_eq!((code, message.as_str()), (-32602, "invalid params: `id` must be a non-negative integer"));

    // The chain goes on from the restored state: Alice pays again, and ids are not given twice.
    let again = client.transfer(&alice, address_of(&bob), 300).unwrap();
    assert_eq!(client.wait(&again, FINAL).unwrap()["status"], "committed");
    assert_eq!(values(&bob), vec![json!("300")]);
    assert_eq!(values(&alice), vec![json!("200")]);
    assert_eq!(client.call("min_snapshot", json!([])).unwrap(), json!(3));
    let minted =
        client.call("min_faucet", json!({ "address": hex::encode(&address_of(&bob).0), "amount": 7 })).unwrap();
    let mint_id = min_chain::transaction::TxId(hex::decode32(minted["txId"].as_str().unwrap()).unwrap());
    assert_eq!(client.wait(&mint_id, FINAL).unwrap()["status"], "committed", "the faucet mints after a restart");
}

#[test]
fn a_devnet_started_again_on_its_directory_resumes_where_it_stopped() {
    let dir = std::env::temp_dir().join(format!("min-devnet-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = DevnetConfig { dir: dir.clone(), rpc_port: 0, ..DevnetConfig::default() };
    let alice = SigningKey::from_bytes(&[52; 32]);
    let bob = SigningKey::from_bytes(&[53; 32]);

    // First run: the faucet funds Alice, who pays Bob.
    let devnet = start_with(config.clone()).unwrap();
    let client = &devnet.client;
    let minted =
        client.call("min_faucet", json!({ "address": hex::encode(&address_of(&alice).0), "amount": 900 })).unwrap();
    let mint_id = min_chain::transaction::TxId(hex::decode32(minted["txId"].as_str().unwrap()).unwrap());
    assert_eq!(client.wait(&mint_id, FINAL).unwrap()["status"], "committed");
    let snapshot = client.call("min_snapshot", json!([])).unwrap();
    let payment = client.transfer(&alice, address_of(&bob), 300).unwrap();
    let paid = client.wait(&payment, FINAL).unwrap();
    assert_eq!(paid["status"], "committed", "{paid}");
    let heights: Vec<u64> = client.call("min_status", json!([])).unwrap()["shardStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|shard| shard["height"].as_u64().unwrap())
        .collect();
    drop(devnet);

    // Second run on the same directory: the chain goes on from there.
    let devnet = start_with(config.clone()).unwrap();
    let client = &devnet.client;
    let status = client.call("min_status", json!([])).unwrap();
    for (shard, before) in status["shardStatus"].as_array().unwrap().iter().zip(&heights) {
        assert!(shard["height"].as_u64().unwrap() >= *before, "a shard lost blocks: {status} after {heights:?}");
    }
    assert_eq!(client.call("min_txStatus", json!([hex::encode(&payment.0)])).unwrap(), paid);
    let values = |owner: &SigningKey| -> Vec<Value> {
        coins_of(client, address_of(owner)).iter().map(|coin| coin["coin"].clone()).collect()
    };
    assert_eq!(values(&bob), vec![json!("300")]);
    assert_eq!(values(&alice), vec![json!("600")]);
    let again = client.transfer(&alice, address_of(&bob), 600).unwrap();
    assert_eq!(client.wait(&again, FINAL).unwrap()["status"], "committed", "the restarted chain makes progress");
    let mut bob_values = values(&bob);
    bob_values.sort_by_key(|value| value.as_str().unwrap().to_string());
    assert_eq!(bob_values, vec![json!("300"), json!("600")]);
    assert!(values(&alice).is_empty());
    // A snapshot taken before the stop is still there: back to before the first payment.
    assert_eq!(client.call("min_revert", json!([snapshot])).unwrap(), json!(true));
    assert!(values(&bob).is_empty());
    assert_eq!(values(&alice), vec![json!("900")]);
    drop(devnet);

    // Another chain's configuration is refused on this directory, with
    // the way out; `reset` starts from genesis.
    let other = DevnetConfig { seed: 9, ..config.clone() };
    let refused = start_with(other).err().expect("another chain's devnet is refused");
    assert!(refused.contains("another genesis") && refused.contains("--reset"), "{refused}");
    let devnet = start_with(DevnetConfig { reset: true, ..config }).unwrap();
    assert!(coins_of(&devnet.client, address_of(&bob)).is_empty(), "a reset devnet starts from genesis");
    drop(devnet);
    let _ = std::fs::remove_dir_all(&dir);
}
