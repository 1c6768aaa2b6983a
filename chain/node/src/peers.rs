//! The processes that serve the other shards, for a `min-node` running one
//! validator (`DevnetConfig::validator`): each other shard's validator of
//! the same index, at the JSON-RPC port the shared configuration gives it.
//! The server sends them what concerns their shards, and asks them what
//! they hold, each request marked `here` so that they answer from their own
//! shard and send nothing further.

use crate::client::RpcClient;
use crate::config::{DevnetConfig, ValidatorPlace};
use crate::hex;
use crate::routing::Rejection;
use min_chain::shard::ShardId;
use min_chain::transaction::Transaction;
use serde_json::{Value, json};

/// A client of one process of each shard served elsewhere.
pub struct Peers {
    /// By shard; `None` for this process's own shard.
    clients: Vec<Option<RpcClient>>,
}

impl Peers {
    /// The peers of the process `config` describes: none for a devnet in
    /// one process, or when the JSON-RPC ports are picked at random (0).
    pub fn of(config: &DevnetConfig) -> Option<Peers> {
        let place = config.validator?;
        if config.rpc_port == 0 {
            return None;
        }
        let clients = (0..config.shards)
            .map(|shard| {
                let peer =
                    DevnetConfig { validator: Some(ValidatorPlace { shard, index: place.index }), ..config.clone() };
                let url = format!("http://127.0.0.1:{}", peer.rpc_port_here());
                (shard != place.shard).then(|| RpcClient::new(&url).expect("a loopback URL"))
            })
            .collect();
        Some(Peers { clients })
    }

    /// The shards served elsewhere, with a client of each.
    pub fn elsewhere(&self) -> impl Iterator<Item = (ShardId, &RpcClient)> {
        (0u32..).zip(&self.clients).filter_map(|(shard, client)| Some((ShardId(shard), client.as_ref()?)))
    }

    /// Hands `transaction` to the process of `shard`, for its shard only.
    pub fn submit(&self, shard: ShardId, transaction: &Transaction) -> Result<(), Rejection> {
        let Some(client) = self.clients.get(shard.0 as usize).and_then(Option::as_ref) else {
            return Err(Rejection::NotServed(shard));
        };
        let params = json!({ "transaction": hex::encode(&transaction.to_bytes()), "here": true });
        client
            .call("min_submit", params)
            .map(drop)
            .map_err(|error| Rejection::NotForwarded { shard, reason: error.to_string() })
    }

    /// Asks `method` of the process of `shard`, with `params` (an object of
    /// named parameters) marked `here`; `None` when it does not answer.
    pub fn ask(&self, shard: ShardId, method: &str, mut params: Value) -> Option<Value> {
        let client = self.clients.get(shard.0 as usize)?.as_ref()?;
        params["here"] = json!(true);
        client.call(method, params).ok()
    }
}
