//! The processes that serve the other shards, for a `min-node` running one
//! validator (`DevnetConfig::validator`): every validator of each other
//! shard, at the JSON-RPC port the shared configuration gives it, the one
//! of this validator's index first. The server sends them what concerns
//! their shards, and asks them what they hold, each request marked `here`
//! so that they answer from their own shard and send nothing further. A
//! process that does not answer is passed over for the next of its shard,
//! so a shard is reachable while any of its validators' processes is.

use crate::client::{ClientError, RpcClient};
use crate::config::{DevnetConfig, ValidatorPlace};
use crate::hex;
use crate::routing::Rejection;
use min_chain::shard::ShardId;
use min_chain::transaction::Transaction;
use serde_json::{Value, json};

/// Clients of the processes of each shard served elsewhere.
pub struct Peers {
    /// By shard, the processes serving it in the order they are tried;
    /// empty for this process's own shard.
    shards: Vec<Vec<RpcClient>>,
}

impl Peers {
    /// The peers of the process `config` describes: none for a devnet in
    /// one process, or when the JSON-RPC ports are picked at random (0).
    pub fn of(config: &DevnetConfig) -> Option<Peers> {
        let place = config.validator?;
        if config.rpc_port == 0 {
            return None;
        }
        let processes = |shard: u32| -> Vec<RpcClient> {
            if shard == place.shard {
                return Vec::new();
            }
            (0..config.validators)
                .map(|step| ValidatorPlace { shard, index: (place.index + step) % config.validators })
                .map(|peer| {
                    let url = format!("http://127.0.0.1:{}", config.rpc_port_of(peer));
                    RpcClient::new(&url).expect("a loopback URL")
                })
                .collect()
        };
        Some(Peers { shards: (0..config.shards).map(processes).collect() })
    }

    /// The shards served elsewhere.
    pub fn elsewhere(&self) -> impl Iterator<Item = ShardId> {
        (0u32..).zip(&self.shards).filter(|(_, processes)| !processes.is_empty()).map(|(shard, _)| ShardId(shard))
    }

    /// Hands `transaction` to a process of `shard`, for its shard only: the
    /// first that answers. One that answers with an error refuses the
    /// transaction for all of them, which judge it alike.
    pub fn submit(&self, shard: ShardId, transaction: &Transaction) -> Result<(), Rejection> {
        if self.shards.get(shard.0 as usize).is_none_or(Vec::is_empty) {
            return Err(Rejection::NotServed(shard));
        }
        let params = json!({ "transaction": hex::encode(&transaction.to_bytes()), "here": true });
        self.first_answer(shard, "min_submit", &params)
            .map(drop)
            .map_err(|reason| Rejection::NotForwarded { shard, reason })
    }

    /// Asks `method` of a process of `shard`, with `params` (an object of
    /// named parameters) marked `here`: the first answer, or `None` when
    /// no process of the shard answers or the one that does answers with an
    /// error.
    pub fn ask(&self, shard: ShardId, method: &str, mut params: Value) -> Option<Value> {
        params["here"] = json!(true);
        self.first_answer(shard, method, &params).ok()
    }

    /// Calls `method` on the processes of `shard` in turn until one
    /// answers, with a result or a JSON-RPC error; why not otherwise.
    fn first_answer(&self, shard: ShardId, method: &str, params: &Value) -> Result<Value, String> {
        let processes = self.shards.get(shard.0 as usize).map(Vec::as_slice).unwrap_or_default();
        let mut unreachable = None;
        for process in processes {
            match process.call(method, params.clone()) {
                Ok(answer) => return Ok(answer),
                Err(error @ ClientError::Rpc { .. }) => return Err(error.to_string()),
                Err(error) => unreachable = Some(error),
            }
        }
        Err(match unreachable {
            Some(error) => format!("no process of shard {} answers: {error}", shard.0),
            None => format!("no process serves shard {}", shard.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A stand-in for a peer's JSON-RPC server: it answers every request
    /// with `reply` (a JSON-RPC response body) and counts the requests.
    struct StandInServer {
        requests: Arc<AtomicUsize>,
    }

    impl StandInServer {
        fn start(listener: TcpListener, reply: Value) -> StandInServer {
            let requests = Arc::new(AtomicUsize::new(0));
            let counted = requests.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { return };
                    let mut reader = BufReader::new(stream.try_clone().expect("a clone of the stream"));
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        reader.read_line(&mut line).expect("a request line");
                        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = value.trim().parse().expect("a length");
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).expect("the body");
                    counted.fetch_add(1, Ordering::SeqCst);
                    let reply = reply.to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                    stream.write_all(response.as_bytes()).expect("the response is written");
                }
            });
            StandInServer { requests }
        }

        fn requests(&self) -> usize {
            self.requests.load(Ordering::SeqCst)
        }
    }

    /// Eight consecutive free ports on 127.0.0.1, the JSON-RPC ports of two
    /// shards of four validators: the first, and listeners on shard 1's
    /// four (those of shard 0 are let go). Each call looks past the ranges
    /// earlier calls took, so that ports a test lets go to stand for a
    /// validator that is down are never another test's, running beside it.
    fn free_ports() -> (u16, std::vec::IntoIter<TcpListener>) {
        static NEXT_RANGE: AtomicUsize = AtomicUsize::new(0);
        std::iter::repeat_with(|| NEXT_RANGE.fetch_add(1, Ordering::SeqCst))
            .map_while(|range| u16::try_from(20_000 + 8 * range).ok().filter(|first| *first < 32_000))
            .find_map(|first| {
                let mut held: Vec<TcpListener> = (first..first + 8)
                    .map_while(|port| TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).ok())
                    .collect();
                (held.len() == 8).then(|| (first, held.split_off(4).into_iter()))
            })
            .expect("free ports on 127.0.0.1")
    }

    /// The peers of validator 0/0 of two shards of four validators whose
    /// JSON-RPC ports start at `first`.
    fn peers_of_validator_zero(first: u16) -> Peers {
        let config = DevnetConfig {
            shards: 2,
            validators: 4,
            rpc_port: first,
            validator: Some(ValidatorPlace { shard: 0, index: 0 }),
            ..DevnetConfig::default()
        };
        Peers::of(&config).expect("a validator process has peers")
    }

    /// A mint for shard 1, signed by a key of the test's own.
    fn transaction() -> Transaction {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let shards = std::num::NonZeroU32::new(2).expect("two shards");
        let owner = crate::keys::address_of(&key);
        crate::wallet::mint(&key, owner, 5, b"peers", Some(ShardId(1)), shards).expect("a mint")
    }

    #[test]
    fn a_shard_is_asked_through_the_next_process_when_the_first_does_not_answer() {
        // Validator 1/0 (tried first) is down, 1/1 answers, 1/2 would too.
        let (first, mut others) = free_ports();
        drop(others.next());
        let answering =
            StandInServer::start(others.next().unwrap(), json!({ "jsonrpc": "2.0", "id": 1, "result": "up" }));
        let behind =
            StandInServer::start(others.next().unwrap(), json!({ "jsonrpc": "2.0", "id": 1, "result": "also" }));
        let peers = peers_of_validator_zero(first);

        assert_eq!(peers.elsewhere().collect::<Vec<_>>(), [ShardId(1)]);
        assert_eq!(peers.ask(ShardId(1), "min_status", json!({})), Some(json!("up")));
        assert_eq!(peers.ask(ShardId(0), "min_status", json!({})), None, "shard 0 is served here");
        assert_eq!((answering.requests(), behind.requests()), (1, 0));
    }

    #[test]
    fn a_process_that_refuses_a_transaction_refuses_it_for_its_shard() {
        let (first, mut others) = free_ports();
        let refusing = StandInServer::start(
            others.next().unwrap(),
            json!({ "jsonrpc": "2.0", "id": 1, "error": { "code": -32000, "message": "input spent" } }),
        );
        let behind = StandInServer::start(others.next().unwrap(), json!({ "jsonrpc": "2.0", "id": 1, "result": {} }));
        let peers = peers_of_validator_zero(first);

        match peers.submit(ShardId(1), &transaction()) {
            Err(Rejection::NotForwarded { shard, reason }) => {
                assert_eq!(shard, ShardId(1));
                assert!(reason.contains("input spent"), "{reason}");
            }
            other => panic!("refused: {other:?}"),
        }
        assert_eq!((refusing.requests(), behind.requests()), (1, 0));
        assert!(matches!(peers.submit(ShardId(0), &transaction()), Err(Rejection::NotServed(ShardId(0)))));
    }

    #[test]
    fn a_shard_none_of_whose_processes_answers_is_not_forwarded_to() {
        let (first, shard_one) = free_ports();
        drop(shard_one);
        let peers = peers_of_validator_zero(first);
        match peers.submit(ShardId(1), &transaction()) {
            Err(Rejection::NotForwarded { reason, .. }) => {
                assert!(reason.contains("no process of shard 1 answers"), "{reason}")
            }
            other => panic!("refused: {other:?}"),
        }
    }
}
