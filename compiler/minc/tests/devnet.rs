//! `minc devnet`, `minc tx`, `minc deploy` and `minc call` as a user runs
//! them: a devnet in its own process on a free port, a transfer from a
//! funded account, its status, and a refused transfer; the bank contract
//! published and its procedures called; the ledger contract's events read
//! back over JSON-RPC; the vote counted across shards; then Ctrl-C.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn minc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minc")).args(args).output().expect("minc runs")
}

/// A running `minc devnet`, interrupted like Ctrl-C when dropped.
struct Devnet(Child);

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
    }
}

/// A devnet started as a user starts it, with its JSON-RPC address and the
/// funded accounts' addresses and secrets from its banner.
struct Started {
    devnet: Devnet,
    rpc: String,
    addresses: Vec<String>,
    secrets: Vec<String>,
}

fn start(seed: &str) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_minc"))
        .args(["devnet", "--ephemeral", "--port", "0", "--seed", seed, "--accounts", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("minc devnet starts");
    let stdout = child.stdout.take().unwrap();
    let devnet = Devnet(child);
    let mut rpc = None;
    let mut addresses = Vec::new();
    let mut secrets = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("JSON-RPC: ") {
            rpc = Some(url.to_string());
        } else if let Some((_, address)) = line.split_once(" address ") {
            addresses.push(address.trim().to_string());
        } else if let Some(secret) = line.trim().strip_prefix("secret ") {
            secrets.push(secret.trim().to_string());
        } else if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let rpc = rpc.expect("the banner names the JSON-RPC address");
    assert_eq!((addresses.len(), secrets.len()), (2, 2));
    Started { devnet, rpc, addresses, secrets }
}

#[test]
fn a_funded_account_pays_another_through_minc_tx() {
    let Started { devnet, rpc, addresses, secrets } = start("5");
    let paid = minc(&["tx", "transfer", "--rpc", &rpc, "--key", &secrets[0], "--to", &addresses[1], "--amount", "250"]);
    let stdout = text(&paid.stdout);
    assert_eq!(paid.status.code(), Some(0), "{stdout}{}", text(&paid.stderr));
    assert!(stdout.contains(": committed on shard "), "{stdout}");
    let id = stdout.split(':').next().unwrap();
    let status = minc(&["tx", "status", id, "--rpc", &rpc]);
    assert!(text(&status.stdout).contains("committed"), "{}", text(&status.stdout));
    assert!(text(&status.stdout).contains(" UTC)"), "with its block's time: {}", text(&status.stdout));

    let refused =
        minc(&["tx", "transfer", "--rpc", &rpc, "--key", &secrets[0], "--to", &addresses[1], "--amount", "5000000000"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("insufficient funds"), "{}", text(&refused.stderr));
    let unknown = minc(&["tx", "status", &"ab".repeat(32), "--rpc", &rpc]);
    assert!(text(&unknown.stdout).contains("unknown to this devnet"), "{}", text(&unknown.stdout));
    drop(devnet);
}

/// The id printed after `created` on the `index`-th such line.
fn created(stdout: &str, index: usize) -> String {
    let line = stdout.lines().filter(|line| line.trim_start().starts_with("created ")).nth(index);
    line.and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("no created object in {stdout}"))
        .to_string()
}

/// A contract of `examples/` published on a devnet by account 0.
struct Deployed {
    file: String,
    package: String,
    rpc: String,
}

/// Publishes `examples/NAME` on the devnet at `rpc`.
fn deploy(rpc: &str, name: &str) -> Deployed {
    deploy_linked(rpc, name, &[])
}

/// Publishes `examples/NAME` on the devnet at `rpc`, with `links`
/// (`MODULE=PACKAGE`) for the contracts it calls.
fn deploy_linked(rpc: &str, name: &str, links: &[&str]) -> Deployed {
    let file = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut args = vec!["deploy", &file, "--rpc", rpc, "--account", "0"];
    for link in links {
        args.extend(["--link", link]);
    }
    let deployed = minc(&args);
    let stdout = text(&deployed.stdout);
    assert_eq!(deployed.status.code(), Some(0), "{stdout}{}", text(&deployed.stderr));
    let package = stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("package "))
        .expect("the package id")
        .trim()
        .to_string();
    Deployed { file, package, rpc: rpc.to_string() }
}

impl Deployed {
    /// `minc call` of the contract with `args`, signed by funded account `account`.
    fn call(&self, account: &str, args: &[&str]) -> Output {
        let mut all = vec!["call", &self.file];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--package", &self.package, "--rpc", &self.rpc, "--account", account]);
        minc(&all)
    }
}

/// The standard output of a command that succeeded.
fn succeeded(output: Output) -> String {
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", text(&output.stderr));
    stdout
}

#[test]
fn the_bank_is_deployed_and_called_through_minc() {
    let Started { devnet, rpc, .. } = start("6");
    let bank = deploy(&rpc, "bank.min");
    let call = |account: &str, args: &[&str]| bank.call(account, args);
    let ada = created(&succeeded(call("0", &["open", "\"ada\"", "--shard", "1"])), 0);
    let bob = created(&succeeded(call("1", &["open", "\"bob\"", "--shard", "1"])), 0);
    let deposited = succeeded(call("0", &["deposit", "10", "--input", &ada]));
    assert!(deposited.contains(r#"= {holder = "ada", balance = 10}"#), "{deposited}");
    let ada = created(&deposited, 0);

    let transferred = succeeded(call("0", &["transfer", "4", "--input", &ada, "--input", &bob]));
    assert!(transferred.contains(r#"= {holder = "ada", balance = 6}"#), "{transferred}");
    assert!(transferred.contains(r#"= {holder = "bob", balance = 4}"#), "{transferred}");
    let (ada_after, bob_after) = (created(&transferred, 0), created(&transferred, 1));

    let client = min_node::client::RpcClient::new(&rpc).unwrap();
    for id in [&ada_after, &bob_after] {
        let object = client.call("min_getObject", serde_json::json!([id])).unwrap();
        assert_eq!(object["active"], serde_json::json!(true), "{object}");
        assert_eq!(object["shard"], serde_json::json!(1), "{object}");
    }

    let spent = call("0", &["transfer", "4", "--input", &ada, "--input", &bob]);
    assert_eq!(spent.status.code(), Some(1));
    assert!(text(&spent.stderr).contains("already consumed"), "{}", text(&spent.stderr));
    let broke = call("1", &["transfer", "400", "--input", &bob_after, "--input", &ada_after]);
    assert_eq!(broke.status.code(), Some(1));
    assert!(text(&broke.stderr).contains("insufficient funds"), "{}", text(&broke.stderr));
    let balance = succeeded(call("1", &["balance_of", "--input", &bob_after]));
    assert!(balance.contains("returned 4"), "{balance}");
    drop(devnet);
}

#[test]
fn the_vote_counts_on_each_shard_and_combines_across_them() {
    let Started { devnet, rpc, addresses, .. } = start("7");
    let vote = deploy(&rpc, "vote.min");
    let call = |account: &str, args: &[&str]| vote.call(account, args);
    let voter = format!("\"{}\"", addresses[1]);
    let mut tallies = Vec::new();
    for shard in ["0", "1"] {
        let tally = created(&succeeded(call("0", &["open", "\"tea?\"", "--shard", shard])), 0);
        let right = created(&succeeded(call("0", &["issue", &voter, "\"tea?\"", "--shard", shard])), 0);
        let cast = succeeded(call("1", &["cast", "true", "--input", &right, "--input", &tally]));
        assert!(cast.contains("yes = 1, no = 0}"), "{cast}");
        tallies.push(created(&cast, 0));
    }
    let client = min_node::client::RpcClient::new(&rpc).unwrap();
    let shard_of = |id: &str| client.call("min_getObject", serde_json::json!([id])).unwrap()["shard"].clone();
    assert_ne!(shard_of(&tallies[0]), shard_of(&tallies[1]), "the tallies live on different shards");

    let refused = call("1", &["combine", "--input", &tallies[0], "--input", &tallies[1]]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("only the admin combines"), "{}", text(&refused.stderr));
    let combined = succeeded(call("0", &["combine", "--input", &tallies[0], "--input", &tallies[1]]));
    assert!(combined.contains("yes = 2, no = 0}"), "{combined}");
    let total = created(&combined, 0);
    let object = client.call("min_getObject", serde_json::json!([total])).unwrap();
    assert_eq!(object["active"], serde_json::json!(true), "{object}");
    for spent in &tallies {
        let object = client.call("min_getObject", serde_json::json!([spent])).unwrap();
        assert_eq!(object["active"], serde_json::json!(false), "both shards consumed their tally: {object}");
    }
    drop(devnet);
}

#[test]
fn a_coin_is_read_by_reference_and_stays_unspent() {
    let Started { devnet, rpc, addresses, .. } = start("8");
    let token = deploy(&rpc, "token.min");
    let call = |account: &str, args: &[&str]| token.call(account, args);
    let treasury = created(&succeeded(call("0", &["start", "--shard", "1"])), 0);
    let owner = format!("\"{}\"", addresses[1]);
    let coin = created(&succeeded(call("0", &["mint", "10", &owner, "--input", &treasury])), 1);

    // Account 0 reads account 1's coin twice: a reference consumes nothing.
    for _ in 0..2 {
        let read = succeeded(call("0", &["balance", "--ref", &coin]));
        assert!(read.contains("returned 10"), "{read}");
        assert!(!read.contains("created"), "a read creates nothing: {read}");
    }
    let client = min_node::client::RpcClient::new(&rpc).unwrap();
    let object = client.call("min_getObject", serde_json::json!([coin])).unwrap();
    assert_eq!((object["active"].clone(), object["version"].clone()), (serde_json::json!(true), serde_json::json!(1)));

    // Once its owner spends it, the coin can no longer be read.
    let paid = succeeded(call("1", &["transfer", &format!("\"{}\"", addresses[0]), "--input", &coin]));
    assert!(paid.contains("committed"), "{paid}");
    let stale = call("0", &["balance", "--ref", &coin]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(text(&stale.stderr).contains("already consumed"), "{}", text(&stale.stderr));
    drop(devnet);
}

/// The transaction id `minc call` printed.
fn transaction(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("transaction "))
        .unwrap_or_else(|| panic!("no transaction in {stdout}"))
        .trim()
        .to_string()
}

#[test]
fn the_ledger_logs_its_events_and_json_rpc_reads_them_back() {
    let Started { devnet, rpc, .. } = start("8");
    let ledger = deploy(&rpc, "ledger.min");
    let call = |args: &[&str]| succeeded(ledger.call("0", args));
    let ada = created(&call(&["open", "\"ada\"", "--shard", "0"]), 0);
    let bob = created(&call(&["open", "\"bob\"", "--shard", "0"]), 0);
    let minted = call(&["mint", "10", "--input", &ada]);
    assert!(minted.contains(r#"logged ledger.Supply = Minted "ada" 10"#), "{minted}");
    let ada = created(&minted, 0);
    let transferred = call(&["transfer", "3", "--input", &ada, "--input", &bob]);
    assert!(
        transferred.contains(r#"logged ledger.Transferred = {from = "ada", to = "bob", amount = 3}"#),
        "{transferred}"
    );
    let transfer_id = transaction(&transferred);
    let closed = call(&["close", "--input", &created(&transferred, 0)]);
    assert!(closed.contains("returned 7"), "{closed}");
    assert!(closed.contains(r#"logged ledger.Supply = Burned "ada" 7"#), "{closed}");

    let client = min_node::client::RpcClient::new(&rpc).unwrap();
    let by_transaction = client.call("min_getEvents", serde_json::json!({ "txId": transfer_id })).unwrap();
    let events = by_transaction.as_array().expect("a list of events");
    assert_eq!(events.len(), 1, "{by_transaction}");
    let event = &events[0];
    assert_eq!(event["type"], "ledger.Transferred", "{event}");
    assert_eq!(event["package"], ledger.package.as_str(), "{event}");
    assert_eq!(event["txId"], transfer_id.as_str(), "{event}");
    assert_eq!(event["index"], 0, "{event}");
    assert_eq!(event["fields"], serde_json::json!({ "from": "ada", "to": "bob", "amount": "3" }), "{event}");

    let status = client.call("min_txStatus", serde_json::json!([transfer_id])).unwrap();
    assert_eq!(status["status"], "committed", "{status}");
    assert_eq!(status["events"][0]["fields"], event["fields"], "{status}");

    let supply =
        client.call("min_getEvents", serde_json::json!({ "package": ledger.package, "type": "Supply" })).unwrap();
    let fields: Vec<&serde_json::Value> = supply.as_array().unwrap().iter().map(|event| &event["fields"]).collect();
    assert_eq!(
        fields,
        [
            &serde_json::json!({ "variant": "Minted", "fields": { "holder": "ada", "amount": "10" } }),
            &serde_json::json!({ "variant": "Burned", "fields": { "holder": "ada", "amount": "7" } }),
        ],
        "in the order they were committed"
    );
    let all = client.call("min_getEvents", serde_json::json!([null, ledger.package])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let none = client.call("min_getEvents", serde_json::json!({ "type": "Nothing" })).unwrap();
    assert_eq!(none, serde_json::json!([]));
    drop(devnet);
}

#[test]
fn a_caller_is_deployed_linked_to_the_contract_it_calls_and_calls_it_across_shards() {
    let Started { devnet, rpc, addresses, .. } = start("9");
    let gold = deploy(&rpc, "calls/Gold.min");
    let shop_file = format!("{}/../../examples/calls/Shop.min", env!("CARGO_MANIFEST_DIR"));
    let unlinked = minc(&["deploy", &shop_file, "--rpc", &rpc, "--account", "0"]);
    assert_eq!(unlinked.status.code(), Some(1));
    assert!(text(&unlinked.stderr).contains("--link Gold=PACKAGE"), "{}", text(&unlinked.stderr));

    let link = format!("Gold={}", gold.package);
    let shop = deploy_linked(&rpc, "calls/Shop.min", &[&link]);
    let treasury = created(&succeeded(gold.call("0", &["start", "--shard", "1"])), 0);
    let buyer = format!("\"{}\"", addresses[1]);
    let coin = created(&succeeded(gold.call("0", &["mint", "10", &buyer, "--input", &treasury])), 1);
    let opened = succeeded(shop.call("0", &["open", "4", "--shard", "0"]));
    let stall = created(&opened, 0);

    // The stall lives on shard 0 and the coin on shard 1: the sale, a call
    // of the shop that calls Gold, commits on both through S-BAC.
    let bought = succeeded(shop.call("1", &["buy", "--input", &stall, "--input", &coin]));
    assert!(bought.contains("committed"), "{bought}");
    let paid = format!(r#"{{owner = "{}", units = {{amount = 4}}}}"#, addresses[0]);
    let change = format!(r#"{{owner = "{}", units = {{amount = 6}}}}"#, addresses[1]);
    assert!(
        bought.contains(&paid) && bought.contains(&change),
        "the keeper is paid, the buyer keeps the change: {bought}"
    );
    assert!(bought.contains("sold = 1"), "{bought}");
    assert!(bought.contains("called Gold.pay (gas "), "the client shows the call it recorded: {bought}");
    let spent = shop.call("1", &["buy", "--input", &stall, "--input", &coin]);
    assert_eq!(spent.status.code(), Some(1), "the coin is spent once");
    assert!(text(&spent.stderr).contains("already consumed"), "{}", text(&spent.stderr));

    // A basket linked to the shop buys from two stalls with the change:
    // its calls of the shop call Gold in turn, and the client fetches every
    // package the basket's links reach.
    let basket = deploy_linked(&rpc, "calls/Basket.min", &[&format!("Shop={}", shop.package)]);
    let stalls = ["2", "3"].map(|price| created(&succeeded(shop.call("0", &["open", price, "--shard", "0"])), 0));
    let change = created(&bought, 1);
    let inputs = ["--input", &stalls[0], "--input", &stalls[1], "--input", &change];
    let both = succeeded(basket.call("1", &[&["buy_both"], &inputs[..]].concat()));
    assert!(both.contains("buy_both committed"), "{both}");
    assert_eq!(both.matches("called Shop.buy (gas ").count(), 2, "{both}");
    assert_eq!(both.matches("called Gold.pay (gas ").count(), 2, "{both}");
    let left = format!(r#"{{owner = "{}", units = {{amount = 1}}}}"#, addresses[1]);
    assert!(both.contains(&left), "the buyer keeps 6 - 2 - 3: {both}");
    drop(devnet);
}

#[test]
fn pots_take_plays_and_merge_across_shards_until_the_block_time_reaches_their_close() {
    let Started { devnet, rpc, .. } = start("10");
    let pot = deploy(&rpc, "attacks/timestamp_dependence_fixed.min");
    let open = created(&succeeded(pot.call("0", &["open", "5", "4000000000", "--shard", "1"])), 0);
    let played = succeeded(pot.call("1", &["play", "--input", &open]));
    assert!(played.contains("play committed"), "the block time is before the close: {played}");

    let closed = created(&succeeded(pot.call("0", &["open", "5", "1", "--shard", "1"])), 0);
    let late = pot.call("1", &["play", "--input", &closed]);
    assert_eq!(late.status.code(), Some(1));
    assert!(text(&late.stderr).contains("the pot has closed"), "{}", text(&late.stderr));

    // Two pots on two shards merge by S-BAC, at the time their blocks certify.
    let first = created(&succeeded(pot.call("0", &["open", "2", "4000000001", "--shard", "0"])), 0);
    let merged = succeeded(pot.call("1", &["merge", "--input", &created(&played, 0), "--input", &first]));
    assert!(merged.contains("merge committed"), "the pots are open at both shards' times: {merged}");
    assert!(merged.contains("prize = 7") && merged.contains("closes = 4000000000"), "{merged}");
    drop(devnet);
}
