//! Min's chain: versioned objects, signed transactions, the mapping of
//! objects to shards, the checked execution of transactions against a
//! shard's state, and the ordering of a shard's blocks by BFT consensus
//! (commonware's simplex with BLS multisignature certificates), and S-BAC
//! across shards.

#![warn(missing_docs)]

pub mod block;
pub mod checker;
pub mod contracts;
pub mod encoding;
pub mod node;
pub mod objects;
pub mod sbac;
pub mod shard;
pub mod signatures;
pub mod state;
pub mod transaction;
