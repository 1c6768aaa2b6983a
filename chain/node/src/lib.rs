//! Min's devnet: the shards of `min-chain`, each a committee of validators,
//! run in one process on commonware's tokio runtime and talk over
//! authenticated loopback TCP; a JSON-RPC 2.0 server routes clients'
//! transactions to shards and reads their state; a small client talks to it.

#![warn(missing_docs)]

pub mod client;
pub mod config;
pub mod control;
pub mod devnet;
pub mod hex;
pub mod keys;
pub mod peers;
pub mod routing;
pub mod rpc;
pub mod snapshots;
pub mod wallet;

pub use config::DevnetConfig;
pub use devnet::{DevnetError, Started, run};
