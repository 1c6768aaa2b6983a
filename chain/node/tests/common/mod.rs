//! What the tests of `min-node` processes share: starting one and talking
//! to its JSON-RPC server. Each test binary uses a part.

#![allow(dead_code)]

use min_node::client::RpcClient;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `min-node` process and a client of its JSON-RPC server.
pub struct Node {
    pub process: Child,
    pub client: RpcClient,
    /// The summary it printed once ready.
    pub summary: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A `min-node` process started and not yet known to be ready.
pub struct Starting {
    process: Child,
    summary: mpsc::Receiver<String>,
}

impl Starting {
    /// Waits until the process serves JSON-RPC: it prints its summary once
    /// its shard has finalized a block, which a validator of a network of
    /// processes does only once 2f + 1 of its committee run.
    pub fn ready(self) -> Node {
        let summary = self.summary.recv_timeout(Duration::from_secs(60)).expect("min-node announces that it is ready");
        let url = summary
            .lines()
            .find_map(|line| line.strip_prefix("JSON-RPC: "))
            .expect("the summary names the JSON-RPC address")
            .to_string();
        Node { process: self.process, client: RpcClient::new(&url).unwrap(), summary }
    }
}

/// Starts `min-node --config config`, running only `validator`
/// (`SHARD/INDEX`) when given.
pub fn spawn(config: &Path, validator: Option<&str>) -> Starting {
    let mut command = Command::new(env!("CARGO_BIN_EXE_min-node"));
    command.arg("--config").arg(config);
    if let Some(validator) = validator {
        command.arg("--validator").arg(validator);
    }
    let mut process = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("min-node starts");
    let stdout = process.stdout.take().expect("stdout is piped");
    let (summary, ready) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.starts_with("Press Ctrl-C");
            lines.push(line);
            if done {
                let _ = summary.send(lines.join("\n"));
            }
        }
    });
    Starting { process, summary: ready }
}

/// Starts `min-node --config config` (see [`spawn`]) and waits until it is ready.
pub fn start(config: &Path, validator: Option<&str>) -> Node {
    spawn(config, validator).ready()
}
