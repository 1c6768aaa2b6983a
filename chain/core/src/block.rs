//! Blocks: an ordered batch of transactions linked to its parent by hash,
//! stamped with the time its proposer made it. Consensus agrees on a
//! block's digest; the block itself travels beside it.

use crate::encoding::{DecodeError, Reader, Writer};
use crate::sbac::Acceptance;
use crate::transaction::{TRANSACTION_BYTES_MAX, Transaction};
use commonware_cryptography::{Hasher as _, Sha256, sha256::Digest};

/// The most transactions a block may carry.
pub const BLOCK_TRANSACTIONS_MAX: usize = 1024;
/// The most acceptances (second phases of cross-shard commits) a block may carry.
pub const BLOCK_ACCEPTANCES_MAX: usize = 1024;
/// The largest encoded block, in bytes.
pub const BLOCK_BYTES_MAX: usize = 4 * 1024 * 1024;

/// Prefixes a block's hash.
const BLOCK_DOMAIN: &[u8] = b"min-chain/block/v3";

/// How far past a validator's own clock a block's time may be for the
/// validator to vote for it, in milliseconds.
pub const BLOCK_TIME_DRIFT_MS: u64 = 15_000;

/// A proposed batch of transactions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Block {
    /// The digest of the block this one extends (the genesis digest for the first).
    pub parent: Digest,
    /// When its proposer made it, in milliseconds since 1970-01-01 UTC:
    /// after its parent's, and at most [`BLOCK_TIME_DRIFT_MS`] past the
    /// clock of each validator that votes for it. The block's transactions
    /// run at this time (a procedure's `Time`, `spec/security.md`).
    pub time: u64,
    /// The transactions, in the order they are applied.
    pub transactions: Vec<Transaction>,
    /// The acceptances of cross-shard transactions, applied before the transactions.
    pub acceptances: Vec<Acceptance>,
}

impl Block {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        writer.array(&self.parent.0);
        writer.u64(self.time);
        writer.length(self.transactions.len());
        for transaction in &self.transactions {
            writer.bytes(&transaction.to_bytes());
        }
        writer.length(self.acceptances.len());
        for acceptance in &self.acceptances {
            acceptance.encode(&mut writer);
        }
        writer.into_bytes()
    }

    /// Decodes exactly one block, rejecting oversized, truncated, trailing
    /// or otherwise malformed input, including any malformed transaction.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > BLOCK_BYTES_MAX {
            return Err(DecodeError::TooLong {
                what: "block",
                length: bytes.len() as u64,
                limit: BLOCK_BYTES_MAX as u64,
            });
        }
        let mut reader = Reader::new(bytes);
        let parent = Digest(reader.array("block parent")?);
        let time = reader.u64("block time")?;
        let transactions = reader.list("transactions", BLOCK_TRANSACTIONS_MAX, |reader| {
            let bytes = reader.bytes("transaction", TRANSACTION_BYTES_MAX)?;
            Transaction::from_bytes(&bytes)
        })?;
        let acceptances = reader.list("acceptances", BLOCK_ACCEPTANCES_MAX, Acceptance::decode)?;
        reader.finish()?;
        Ok(Self { parent, time, transactions, acceptances })
    }

    /// The block's digest, the payload consensus agrees on.
    pub fn digest(&self) -> Digest {
        Self::digest_of_encoding(&self.to_bytes())
    }

    /// The digest of the block whose canonical encoding is `bytes`, without
    /// encoding it again. The decoder accepts only canonical encodings, so
    /// for bytes that decode this is the decoded block's digest.
    pub fn digest_of_encoding(bytes: &[u8]) -> Digest {
        Sha256::hash(&[BLOCK_DOMAIN, bytes])
    }

    /// Its time in whole seconds, as a procedure's `Time` gives it.
    pub fn seconds(&self) -> u64 {
        self.time / 1000
    }

    /// Whether its time may follow that of its parent, `parent_time`, for a
    /// validator whose clock reads `now` (all in milliseconds).
    pub fn time_fits(&self, parent_time: u64, now: u64) -> bool {
        self.time > parent_time && self.time <= now.saturating_add(BLOCK_TIME_DRIFT_MS)
    }
}

/// The digest every shard's chain starts from.
pub fn genesis_digest() -> Digest {
    Sha256::hash(&[BLOCK_DOMAIN, b"genesis"])
}
