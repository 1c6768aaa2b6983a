//! A network of `min-node` processes, one validator each, all started from
//! one configuration file and talking over loopback TCP: transactions sent
//! to any validator's JSON-RPC server commit and read back from every
//! other; a validator killed without warning leaves the rest of its
//! committee going on, and started again on its directory it catches up.
//! A process sends what concerns another shard to a process of that shard,
//! the next of its validators when the first is down, and reads from them
//! the same way.

mod common;

use common::{Node, spawn, start};
use ed25519_dalek::SigningKey;
use min_chain::transaction::TxId;
use min_node::client::{ClientError, RpcClient};
use min_node::hex;
use min_node::keys::address_of;
use serde_json::{Value, json};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Duration;

const FINAL: Duration = Duration::from_secs(30);

/// A directory of its own for `test`, empty.
fn directory(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("min-node-processes-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first of `count` consecutive ports free on 127.0.0.1 now, below
/// the range the system gives outgoing connections, searched from a place
/// that differs between test processes and calls.
fn free_ports(count: u16, salt: u16) -> u16 {
    let start = 20_000 + (std::process::id() as u16).wrapping_mul(31).wrapping_add(salt.wrapping_mul(997)) % 11_000;
    (start..32_000 - count)
        .step_by(usize::from(count))
        .find(|first| {
            let held: Vec<TcpListener> = (*first..first + count)
                .map_while(|port| TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).ok())
                .collect();
            held.len() == usize::from(count)
        })
        .expect("free ports on 127.0.0.1")
}

/// Writes the network's configuration: `shards` x `validators`, fixed
/// ports every process derives the same way, state under `dir`.
fn network(dir: &Path, shards: u16, validators: u16, salt: u16) -> PathBuf {
    let p2p = free_ports(2 * shards * validators, salt);
    let rpc = free_ports(shards * validators, salt + 1);
    let config = dir.join("network.toml");
    let state = dir.join("state").display().to_string();
    std::fs::write(
        &config,
        format!(
            "shards = {shards}\nvalidators = {validators}\np2p_base_port = {p2p}\nrpc_port = {rpc}\n\
             dir = {state:?}\nblock_interval_ms = 20\n"
        ),
    )
    .unwrap();
    config
}

fn mint(node: &Node, key: &SigningKey, amount: u64, shard: Option<u32>) -> Result<TxId, ClientError> {
    let mut params = json!({ "address": hex::encode(&address_of(key).0), "amount": amount });
    if let Some(shard) = shard {
        params["shard"] = json!(shard);
    }
    let minted = node.client.call("min_faucet", params)?;
    Ok(TxId(hex::decode32(minted["txId"].as_str().unwrap()).unwrap()))
}

fn balance(client: &RpcClient, key: &SigningKey) -> u128 {
    client.coins(address_of(key)).unwrap().iter().map(|coin| coin.value).sum()
}

fn committed(status: &Value) -> bool {
    status["status"] == "committed"
}

#[test]
fn validators_in_processes_of_their_own_commit_and_one_killed_catches_up_when_restarted() {
    let dir = directory("committee");
    let config = network(&dir, 1, 4, 0);
    // Every process first, then each waits for the committee to finalize a block.
    let starting: Vec<_> = (0..4).map(|index| spawn(&config, Some(&format!("0/{index}")))).collect();
    let mut nodes: Vec<Node> = starting.into_iter().map(|node| node.ready()).collect();
    for (index, node) in nodes.iter().enumerate() {
        assert!(
            node.summary.contains(&format!("validator 0/{index} of 1 shard(s) x 4 validator(s)")),
            "{}",
            node.summary
        );
    }
    let (alice, bob) = (SigningKey::from_bytes(&[71; 32]), SigningKey::from_bytes(&[72; 32]));

    // A mint sent to validator 2 alone is shared with its committee, and
    // every validator's server reads it committed in the same block.
    let minted = mint(&nodes[2], &alice, 500, None).unwrap();
    let status = nodes[2].client.wait(&minted, FINAL).unwrap();
    assert!(committed(&status), "{status}");
    for node in &nodes {
        assert_eq!(node.client.wait(&minted, FINAL).unwrap(), status, "every validator applied the same block");
    }

    // Alice pays bob through validator 0. Bob spends it through validator
    // 1 below, whose wallet reads its own state: it waits until validator 1
    // has applied the payment too.
    let paid = nodes[0].client.transfer(&alice, address_of(&bob), 200).unwrap();
    assert!(committed(&nodes[0].client.wait(&paid, FINAL).unwrap()));
    assert!(committed(&nodes[1].client.wait(&paid, FINAL).unwrap()));

    // Validator 3 is killed: the other three are 2f + 1 and go on.
    nodes[3].process.kill().expect("SIGKILL is delivered");
    nodes[3].process.wait().unwrap();
    let back = nodes[1].client.transfer(&bob, address_of(&alice), 50).unwrap();
    let status = nodes[1].client.wait(&back, FINAL).unwrap();
    assert!(committed(&status), "three of four validators commit: {status}");

    // Started again on its directory, validator 3 catches up on what it missed.
    nodes[3] = start(&config, Some("0/3"));
    assert_eq!(nodes[3].client.wait(&back, FINAL).unwrap(), status);
    assert_eq!((balance(&nodes[3].client, &alice), balance(&nodes[3].client, &bob)), (350, 150));
    let status = nodes[3].client.call("min_status", json!([])).unwrap();
    assert_eq!((status["shards"].clone(), status["validatorsPerShard"].clone()), (json!(1), json!(4)));
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn any_process_routes_any_transaction_and_a_cross_shard_payment_commits_between_processes() {
    let dir = directory("shards");
    let config = network(&dir, 2, 1, 7);
    let starting: Vec<_> = (0..2).map(|shard| spawn(&config, Some(&format!("{shard}/0")))).collect();
    let nodes: Vec<Node> = starting.into_iter().map(|node| node.ready()).collect();
    let (alice, bob) = (SigningKey::from_bytes(&[73; 32]), SigningKey::from_bytes(&[74; 32]));

    // Both mints go to shard 0's process: the one for shard 1 is sent on to
    // shard 1's, and either process reads either status.
    for shard in [0, 1] {
        let minted = mint(&nodes[0], &alice, 10, Some(shard)).unwrap();
        let status = nodes[0].client.wait(&minted, FINAL).unwrap();
        assert_eq!((status["status"].clone(), status["shard"].clone()), (json!("committed"), json!(shard)));
        assert_eq!(nodes[1].client.wait(&minted, FINAL).unwrap(), status);
    }
    let coins = nodes[0].client.coins(address_of(&alice)).unwrap();
    let shards: Vec<u32> = coins.iter().map(|coin| coin.shard.0).collect();
    assert_eq!(shards, [0, 1], "each process lists the other's objects too");

    // A payment of 15 spends both coins: S-BAC between the two processes,
    // over their cross-shard network, commits it on both shards. Each shard
    // applies the acceptance in a block of its own, so the second may read
    // it a few blocks after the first.
    let paid = nodes[1].client.transfer(&alice, address_of(&bob), 15).unwrap();
    for node in &nodes {
        let status = node.client.wait(&paid, FINAL).unwrap();
        assert!(committed(&status), "{status}");
    }
    let deadline = std::time::Instant::now() + FINAL;
    let settled = |node: &Node| (balance(&node.client, &alice), balance(&node.client, &bob)) == (5, 15);
    while !nodes.iter().all(settled) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    for node in &nodes {
        assert_eq!((balance(&node.client, &alice), balance(&node.client, &bob)), (5, 15));
        for coin in &coins {
            let spent = node.client.call("min_getObject", json!([hex::encode(&coin.reference.id.0)])).unwrap();
            assert_eq!(spent["active"], json!(false), "spent on its shard: {spent}");
        }
    }

    // The funded accounts' balances sum their genesis coins on both shards.
    for node in &nodes {
        let accounts = node.client.call("min_accounts", json!([])).unwrap();
        assert_eq!(accounts[0]["balance"], "2000000000", "{accounts}");
    }

    // A snapshot needs the whole devnet in one process.
    match nodes[1].client.call("min_snapshot", json!([])) {
        Err(ClientError::Rpc { message, .. }) => {
            assert!(message.contains("every validator in one process"), "{message}")
        }
        other => panic!("refused: {other:?}"),
    }
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_process_reaches_another_shard_through_its_next_validator_when_the_first_is_down() {
    let dir = directory("fallback");
    let config = network(&dir, 2, 4, 13);
    let places: Vec<String> = (0..2).flat_map(|shard| (0..4).map(move |index| format!("{shard}/{index}"))).collect();
    let starting: Vec<_> = places.iter().map(|place| spawn(&config, Some(place))).collect();
    let mut nodes: Vec<Node> = starting.into_iter().map(|node| node.ready()).collect();
    let alice = SigningKey::from_bytes(&[75; 32]);

    // Validator 1/0, which validator 0/0 sends shard 1's transactions to
    // first, is killed: its three peers still commit, and 0/0 reaches them
    // through validator 1/1.
    nodes[4].process.kill().expect("SIGKILL is delivered");
    nodes[4].process.wait().unwrap();
    let minted = mint(&nodes[0], &alice, 30, Some(1)).unwrap();
    let status = nodes[0].client.wait(&minted, FINAL).unwrap();
    assert_eq!((status["status"].clone(), status["shard"].clone()), (json!("committed"), json!(1)), "{status}");
    assert_eq!(balance(&nodes[0].client, &alice), 30, "read from shard 1 through validator 1/1");
    let coin = &nodes[0].client.coins(address_of(&alice)).unwrap()[0];
    let object = nodes[0].client.call("min_getObject", json!([hex::encode(&coin.reference.id.0)])).unwrap();
    assert_eq!((object["active"].clone(), object["shard"].clone()), (json!(true), json!(1)), "{object}");
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}
