//! A validator's durable record in one redb database: its finalized blocks
//! with what applying each did, the finalization certificates it received,
//! its shard's state (objects, locks, prepared cross-shard transactions),
//! and the blocks it proposed or voted for that are not finalized yet. A
//! block and the state changes it made are written in one transaction, so a
//! validator killed at any point restarts from the end of a block, never
//! from the middle of one. A block is kept before the validator proposes it
//! or votes for it, so a block that consensus certified can be fetched
//! after the whole committee restarts: at least the honest ones among its
//! voters still have it. It is forgotten once it or a sibling is finalized.
//!
//! The state's tables are not written block by block: a block's changes go
//! to a journal, appended by height, and the journal is folded into the
//! tables once it holds [`JOURNAL_ENTRIES_MAX`] entries, each object
//! written once however many blocks changed it. Object ids are hashes, so
//! a block's changes land on pages all over the objects' tree; written
//! per block, every block rewrote most of them. Opening the store reads
//! the tables and then the journal's blocks in order, which leaves the
//! same state as writing each block's changes into the tables would have.

use super::ledger::FinalizedBlock;
use super::records;
use crate::block::Block;
use crate::state::{ShardState, StateChanges};
use commonware_cryptography::sha256::Digest;
use redb::{Database, ReadableDatabase as _, ReadableTable as _, TableDefinition};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Facts about the chain the store belongs to, by name.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Finalized blocks by height, from 1.
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
/// Finalization certificates by the digest of the block they finalize.
const FINALIZATIONS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("finalizations");
/// Objects by id, active and consumed.
const OBJECTS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("objects");
/// Locked objects by id.
const LOCKS: TableDefinition<&[u8; 32], ()> = TableDefinition::new("locks");
/// Prepared cross-shard transactions by id.
const CROSS_SHARD: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("cross_shard");
/// Blocks proposed or voted for and not finalized yet, encoded, by digest.
const UNFINALIZED: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("unfinalized");
/// The state changes of the finalized blocks since the journal was last
/// folded into [`OBJECTS`], [`LOCKS`] and [`CROSS_SHARD`], by height.
const JOURNAL: TableDefinition<u64, &[u8]> = TableDefinition::new("journal");

/// How many state entries the journal holds before a commit folds it into
/// the state's tables: enough that a fold rewrites each page of the
/// objects' tree for many changes, few enough that a fold takes about a
/// tenth of a second and reopening a store replays little.
pub const JOURNAL_ENTRIES_MAX: usize = 65_536;

/// The key of the digest of the genesis state in [`META`].
const GENESIS_KEY: &str = "genesis";
/// The key of the store's format version in [`META`].
const FORMAT_KEY: &str = "format";
/// The format this code writes and reads: 2 kept the events each
/// finalized block's transactions logged in its record (1 had none); 3
/// keeps the time of the block that prepared each S-BAC decision; 4
/// journals each block's state changes before folding them into the tables.
const FORMAT: u32 = 4;

/// Why the store could not be opened, read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "validator store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl<E: Into<redb::Error>> From<E> for StoreError {
    fn from(error: E) -> Self {
        Self(error.into().to_string())
    }
}

/// What a store holds when a validator starts.
pub struct Stored {
    /// The state after the last stored block.
    pub state: ShardState,
    /// The stored blocks, in order from height 1.
    pub blocks: Vec<FinalizedBlock>,
    /// The stored finalization certificates, encoded, by block digest.
    pub finalizations: Vec<(Digest, Vec<u8>)>,
    /// The blocks proposed or voted for and not finalized when it stopped.
    pub unfinalized: Vec<(Digest, Block)>,
}

/// A validator's database. Cloning shares it: a validator restarted in the
/// same process reopens what its previous run wrote.
#[derive(Clone)]
pub struct Store {
    database: Arc<Database>,
    /// How many state entries the journal holds now.
    journaled: Arc<AtomicUsize>,
    /// How many it holds when the next commit folds it into the tables.
    fold_at: Arc<AtomicUsize>,
    /// How many it holds when each later commit does.
    journal_entries_max: usize,
}

impl Store {
    /// Opens (or creates) the store in the file at `path`; every block is
    /// on disk (redb commits durably by default) before the validator acts on it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let database = Database::create(path).map_err(|error| StoreError(format!("{}: {error}", path.display())))?;
        Ok(Self::over(database))
    }

    /// A store in memory, for ephemeral validators and simulations; it
    /// lives as long as a clone of it does.
    pub fn in_memory() -> Result<Self, StoreError> {
        let database = Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?;
        Ok(Self::over(database))
    }

    fn over(database: Database) -> Self {
        Self {
            database: Arc::new(database),
            journaled: Arc::new(AtomicUsize::new(0)),
            fold_at: Arc::new(AtomicUsize::new(JOURNAL_ENTRIES_MAX)),
            journal_entries_max: JOURNAL_ENTRIES_MAX,
        }
    }

    /// The same store, folding its journal into the state's tables once it
    /// holds `entries` state entries instead of [`JOURNAL_ENTRIES_MAX`].
    pub fn folding_journal_after(mut self, entries: usize) -> Self {
        self.journal_entries_max = entries;
        self.fold_at.store(entries, Ordering::Release);
        self
    }

    /// The same store as member `index` of a committee of `members`: it
    /// folds its journal first after `index + 1` `members`-ths of the
    /// usual entries, then after the usual number each time. Members apply
    /// the same blocks, so with one size they would all fold at the same
    /// block and pause the committee together; staggered, one folds while
    /// the others, a quorum, go on.
    pub fn staggered(self, index: usize, members: usize) -> Self {
        let first = self.journal_entries_max / members.max(1) * (index % members.max(1) + 1);
        self.fold_at.store(first.max(1), Ordering::Release);
        self
    }

    /// How many state entries the journal holds now, not yet folded into
    /// the state's tables.
    pub fn journaled_entries(&self) -> usize {
        self.journaled.load(Ordering::Acquire)
    }

    /// Loads what the store holds, or, when it is empty, writes `genesis`
    /// into it and starts from there. A store written from another genesis
    /// is refused: it belongs to another chain.
    pub fn load_or_init(&self, mut genesis: ShardState) -> Result<Stored, StoreError> {
        let genesis_digest = genesis.digest();
        let read = self.database.begin_read()?;
        let initialized = match read.open_table(META) {
            Ok(meta) => meta.get(GENESIS_KEY)?.map(|digest| digest.value().to_vec()),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(error) => return Err(error.into()),
        };
        drop(read);
        let Some(stored_genesis) = initialized else {
            let changes = genesis.take_changes();
            self.initialize(&genesis_digest, &changes)?;
            return Ok(Stored {
                state: genesis,
                blocks: Vec::new(),
                finalizations: Vec::new(),
                unfinalized: Vec::new(),
            });
        };
        if stored_genesis != genesis_digest {
            return Err(StoreError(
                "the store was written by a chain with another genesis (another seed, shard or set of accounts)".into(),
            ));
        }
        self.load(genesis)
    }

    /// Keeps a block this validator proposes or votes for, given as its
    /// encoding, durably, until it is finalized.
    pub fn keep_unfinalized(&self, digest: &Digest, encoded_block: &[u8]) -> Result<(), StoreError> {
        let write = self.database.begin_write()?;
        write.open_table(UNFINALIZED)?.insert(&digest.0, encoded_block)?;
        write.commit()?;
        Ok(())
    }

    /// Writes a finalized block (with `block_encoding`, the block's
    /// encoding), the state changes applying it made, and its
    /// finalization certificate if one is here, in one transaction.
    /// The block is no longer kept as unfinalized, nor are the other
    /// children of its parent and their descendants, which can never be
    /// finalized now.
    pub fn commit(
        &self,
        height: u64,
        finalized: &FinalizedBlock,
        block_encoding: &[u8],
        changes: &StateChanges,
        finalization: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let write = self.database.begin_write()?;
        {
            let mut blocks = write.open_table(BLOCKS)?;
            blocks.insert(height, records::encode_finalized(finalized, block_encoding).as_slice())?;
            if let Some(finalization) = finalization {
                write.open_table(FINALIZATIONS)?.insert(&finalized.digest.0, finalization)?;
            }
            forget_forks(&mut write.open_table(UNFINALIZED)?, finalized)?;
        }
        let entries = changes.objects.len() + changes.locks.len() + changes.cross_shard.len();
        if entries > 0 {
            write.open_table(JOURNAL)?.insert(height, records::encode_changes(changes).as_slice())?;
        }
        let journaled = self.journaled.load(Ordering::Acquire) + entries;
        let fold = journaled >= self.fold_at.load(Ordering::Acquire);
        if fold {
            fold_journal(&write)?;
        }
        write.commit()?;
        self.journaled.store(if fold { 0 } else { journaled }, Ordering::Release);
        if fold {
            self.fold_at.store(self.journal_entries_max, Ordering::Release);
        }
        Ok(())
    }

    fn initialize(&self, genesis_digest: &[u8; 32], changes: &StateChanges) -> Result<(), StoreError> {
        let write = self.database.begin_write()?;
        {
            let mut meta = write.open_table(META)?;
            meta.insert(FORMAT_KEY, FORMAT.to_le_bytes().as_slice())?;
            meta.insert(GENESIS_KEY, genesis_digest.as_slice())?;
            write.open_table(BLOCKS)?;
            write.open_table(FINALIZATIONS)?;
            write.open_table(UNFINALIZED)?;
            write.open_table(JOURNAL)?;
        }
        write_changes(&write, changes)?;
        write.commit()?;
        Ok(())
    }

    fn load(&self, mut state: ShardState) -> Result<Stored, StoreError> {
        let read = self.database.begin_read()?;
        let format = read.open_table(META)?.get(FORMAT_KEY)?.map(|format| format.value().to_vec());
        if format.as_deref() != Some(FORMAT.to_le_bytes().as_slice()) {
            let found = format.as_deref().and_then(|bytes| <[u8; 4]>::try_from(bytes).ok()).map_or_else(
                || "an unknown version".to_owned(),
                |bytes| format!("version {}", u32::from_le_bytes(bytes)),
            );
            return Err(StoreError(format!(
                "the store's format is {found}, not version {FORMAT}: it was written by another release of the node, \
                 which kept its blocks' records differently"
            )));
        }
        let corrupt = |what: &str, error: crate::encoding::DecodeError| {
            StoreError(format!("a stored {what} is corrupt: {error}"))
        };
        let mut stored = StateChanges::default();
        for entry in read.open_table(OBJECTS)?.iter()? {
            let (_, value) = entry?;
            stored.objects.push(records::decode_object(value.value()).map_err(|error| corrupt("object", error))?);
        }
        for entry in read.open_table(LOCKS)?.iter()? {
            let (id, _) = entry?;
            stored.locks.push((crate::objects::ObjectId(*id.value()), true));
        }
        for entry in read.open_table(CROSS_SHARD)?.iter()? {
            let (_, value) = entry?;
            stored
                .cross_shard
                .push(records::decode_cross_shard(value.value()).map_err(|error| corrupt("cross-shard entry", error))?);
        }
        // Then each journaled block's changes, in order, over the tables'.
        let mut journaled = 0;
        for entry in read.open_table(JOURNAL)?.iter()? {
            let (_, value) = entry?;
            let changes = records::decode_changes(value.value()).map_err(|error| corrupt("journal entry", error))?;
            journaled += changes.objects.len() + changes.locks.len() + changes.cross_shard.len();
            stored.objects.extend(changes.objects);
            stored.locks.extend(changes.locks);
            stored.cross_shard.extend(changes.cross_shard);
        }
        self.journaled.store(journaled, Ordering::Release);
        // The genesis entries are stored too; the state starts from them
        // with nothing left for the store to take.
        let _ = state.take_changes();
        state.restore(stored);
        let mut blocks = Vec::new();
        for (expected, entry) in (1u64..).zip(read.open_table(BLOCKS)?.iter()?) {
            let (height, value) = entry?;
            if height.value() != expected {
                return Err(StoreError(format!("block {expected} is missing from the store")));
            }
            blocks.push(records::decode_finalized(value.value()).map_err(|error| corrupt("block", error))?);
        }
        if let Some(last) = blocks.last()
            && last.state_digest != state.digest()
        {
            return Err(StoreError("the stored state is not the state after the last stored block".into()));
        }
        if let Some(last) = blocks.last() {
            // Transactions checked before the next block run at the last one's time.
            state.set_time(last.block.seconds());
        }
        let mut finalizations = Vec::new();
        for entry in read.open_table(FINALIZATIONS)?.iter()? {
            let (digest, value) = entry?;
            finalizations.push((Digest(*digest.value()), value.value().to_vec()));
        }
        let mut unfinalized = Vec::new();
        match read.open_table(UNFINALIZED) {
            Ok(table) => {
                for entry in table.iter()? {
                    let (digest, value) = entry?;
                    let block =
                        Block::from_bytes(value.value()).map_err(|error| corrupt("unfinalized block", error))?;
                    unfinalized.push((Digest(*digest.value()), block));
                }
            }
            // A store written before unfinalized blocks were kept has none.
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(error) => return Err(error.into()),
        }
        Ok(Stored { state, blocks, finalizations, unfinalized })
    }
}

/// Removes from `unfinalized` the block just finalized, its siblings (the
/// other blocks on its parent) and their descendants; the finalized
/// block's own descendants stay. A block's encoding starts with its
/// parent's digest.
fn forget_forks(unfinalized: &mut redb::Table<&[u8; 32], &[u8]>, finalized: &FinalizedBlock) -> Result<(), StoreError> {
    let parent = &finalized.block.parent;
    let mut gone: Vec<[u8; 32]> = Vec::new();
    loop {
        let mut doomed = Vec::new();
        for entry in unfinalized.iter()? {
            let (digest, block) = entry?;
            let block_parent = block.value().get(..32);
            if block_parent == Some(parent.0.as_slice()) || gone.iter().any(|g| block_parent == Some(g.as_slice())) {
                doomed.push(*digest.value());
            }
        }
        if doomed.is_empty() {
            return Ok(());
        }
        for digest in &doomed {
            unfinalized.remove(digest)?;
        }
        gone.extend(doomed.into_iter().filter(|digest| *digest != finalized.digest.0));
    }
}

/// Folds the journal into the state's tables: each entry's last change is
/// written once, in key order, and the journal is emptied.
fn fold_journal(write: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut objects = BTreeMap::new();
    let mut locks = BTreeMap::new();
    let mut cross_shard = BTreeMap::new();
    for entry in write.open_table(JOURNAL)?.iter()? {
        let (height, value) = entry?;
        let changes = records::decode_changes(value.value())
            .map_err(|error| StoreError(format!("the journal of block {} is corrupt: {error}", height.value())))?;
        for entry in changes.objects {
            objects.insert(entry.object.id, entry);
        }
        locks.extend(changes.locks);
        for entry in changes.cross_shard {
            cross_shard.insert(entry.transaction.id(), entry);
        }
    }
    write.delete_table(JOURNAL)?;
    write.open_table(JOURNAL)?;
    let latest = StateChanges {
        objects: objects.into_values().collect(),
        locks: locks.into_iter().collect(),
        cross_shard: cross_shard.into_values().collect(),
    };
    write_changes(write, &latest)
}

/// Writes each changed state entry over the stored one.
fn write_changes(write: &redb::WriteTransaction, changes: &StateChanges) -> Result<(), StoreError> {
    let mut objects = write.open_table(OBJECTS)?;
    for entry in &changes.objects {
        objects.insert(&entry.object.id.0, records::encode_object(entry).as_slice())?;
    }
    let mut locks = write.open_table(LOCKS)?;
    for (id, locked) in &changes.locks {
        if *locked {
            locks.insert(&id.0, ())?;
        } else {
            locks.remove(&id.0)?;
        }
    }
    let mut cross_shard = write.open_table(CROSS_SHARD)?;
    for entry in &changes.cross_shard {
        cross_shard.insert(&entry.transaction.id().0, records::encode_cross_shard(entry).as_slice())?;
    }
    Ok(())
}
