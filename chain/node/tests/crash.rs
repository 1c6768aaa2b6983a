//! The `min-node` binary killed with SIGKILL while transactions are in
//! flight, three times over, and started again on its directory each time:
//! every transaction reported committed before a kill is still committed
//! with the same outputs, the transaction in flight at the kill commits
//! once (from the block it was in, or sent again after it was lost with a
//! mempool), no coin is created or lost, and the chain goes on.

mod common;

use common::start;
use ed25519_dalek::SigningKey;
use min_chain::transaction::TxId;
use min_node::client::RpcClient;
use min_node::hex;
use min_node::keys::address_of;
use min_node::wallet;
use serde_json::{Value, json};
use std::time::Duration;

const FINAL: Duration = Duration::from_secs(30);
const MINTED: u128 = 1_000;

/// The coins `key` holds, as values.
fn balance(client: &RpcClient, key: &SigningKey) -> u128 {
    client.coins(address_of(key)).unwrap().iter().map(|coin| coin.value).sum()
}

#[test]
fn a_node_killed_mid_run_restarts_with_every_committed_transaction() {
    let dir = std::env::temp_dir().join(format!("min-node-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("devnet.toml");
    let state = dir.join("state");
    std::fs::write(&config, format!("rpc_port = 0\ndir = {:?}\nblock_interval_ms = 20\n", state.display().to_string()))
        .unwrap();
    let alice = SigningKey::from_bytes(&[61; 32]);
    let bob = SigningKey::from_bytes(&[62; 32]);

    let mut node = start(&config, None);
    let minted = node
        .client
        .call("min_faucet", json!({ "address": hex::encode(&address_of(&alice).0), "amount": MINTED as u64 }))
        .unwrap();
    let mint = TxId(hex::decode32(minted["txId"].as_str().unwrap()).unwrap());
    let mut committed: Vec<(TxId, Value)> = vec![(mint, node.client.wait(&mint, FINAL).unwrap())];

    for (round, kill_after_ms) in [0u64, 40, 150].into_iter().enumerate() {
        // Payments back and forth, each waited for, then one more sent
        // and the process killed without warning shortly after.
        for step in 0..3 {
            let (from, to) = if step % 2 == 0 { (&alice, &bob) } else { (&bob, &alice) };
            let id = node.client.transfer(from, address_of(to), 10 + round as u128).unwrap();
            let status = node.client.wait(&id, FINAL).unwrap();
            assert_eq!(status["status"], "committed", "{status}");
            committed.push((id, status));
        }
        let coins = node.client.coins(address_of(&alice)).unwrap();
        let shards = node.client.shard_count().unwrap();
        let in_flight_tx = wallet::transfer(&alice, &coins, address_of(&bob), 1, shards).unwrap();
        let in_flight_id = node.client.submit(&in_flight_tx).unwrap();
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        node.process.kill().expect("SIGKILL is delivered");
        node.process.wait().unwrap();
        drop(node);

        node = start(&config, None);
        let client = &node.client;
        for (id, status) in &committed {
            assert_eq!(&client.status(id).unwrap(), status, "after kill {round}, a committed transaction changed");
        }
        // The transaction in flight may have been lost with the mempools,
        // or be in a block that commits after the restart: a client that
        // does not know sends it again, which is harmless if it is already
        // in a block (the router refuses it as spending a spent coin, or
        // the validators drop it as known), and it commits once either way.
        if client.status(&in_flight_id).unwrap()["status"] == "unknown" {
            let _ = client.submit(&in_flight_tx);
        }
        let status = client.wait(&in_flight_id, FINAL).unwrap();
        assert_eq!(status["status"], "committed", "the transaction in flight at kill {round}: {status}");
        committed.push((in_flight_id, status));
        assert_eq!(
            balance(client, &alice) + balance(client, &bob),
            MINTED,
            "after kill {round}, coins were created or lost"
        );
    }

    // The chain goes on after the last restart.
    let id = node.client.transfer(&bob, address_of(&alice), balance(&node.client, &bob)).unwrap();
    assert_eq!(node.client.wait(&id, FINAL).unwrap()["status"], "committed");
    assert_eq!(balance(&node.client, &alice), MINTED);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}
