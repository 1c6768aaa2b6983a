//! `minc devnet` and `minc tx` as a user runs them: a devnet in its own
//! process on a free port, a transfer from a funded account, its status,
//! and a refused transfer, then Ctrl-C.

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

#[test]
fn a_funded_account_pays_another_through_minc_tx() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_minc"))
        .args(["devnet", "--ephemeral", "--port", "0", "--seed", "5", "--accounts", "2"])
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

    let paid = minc(&["tx", "transfer", "--rpc", &rpc, "--key", &secrets[0], "--to", &addresses[1], "--amount", "250"]);
    let stdout = text(&paid.stdout);
    assert_eq!(paid.status.code(), Some(0), "{stdout}{}", text(&paid.stderr));
    assert!(stdout.contains(": committed on shard "), "{stdout}");
    let id = stdout.split(':').next().unwrap();
    let status = minc(&["tx", "status", id, "--rpc", &rpc]);
    assert!(text(&status.stdout).contains("committed"), "{}", text(&status.stdout));

    let refused =
        minc(&["tx", "transfer", "--rpc", &rpc, "--key", &secrets[0], "--to", &addresses[1], "--amount", "5000000000"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("insufficient funds"), "{}", text(&refused.stderr));
    let unknown = minc(&["tx", "status", &"ab".repeat(32), "--rpc", &rpc]);
    assert!(text(&unknown.stdout).contains("unknown to this devnet"), "{}", text(&unknown.stdout));
    drop(devnet);
}
