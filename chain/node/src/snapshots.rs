//! A devnet's saved states, for tests that want to go back (`min_snapshot`
//! and `min_revert`). A devnet's state is two directories under its root:
//! the validators' stores and their consensus journals. A snapshot is a
//! copy of both, taken while the chain is stopped, under
//! `ROOT/snapshots/ID`; reverting to it puts the copy back, again while the
//! chain is stopped, and forgets that snapshot and every later one (as
//! Anvil's and Hardhat's `evm_revert` do).

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The directories under a devnet's root that hold its state.
pub const STATE_PARTS: [&str; 2] = [CONSENSUS_DIR, STORES_DIR];
/// Where under a devnet's root the consensus journals are.
pub const CONSENSUS_DIR: &str = "consensus";
/// Where under a devnet's root the validators' stores are.
pub const STORES_DIR: &str = "validators";
/// Where under a devnet's root its snapshots are.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// Why a snapshot could not be taken or restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// No snapshot has that id (any more).
    Unknown {
        /// The id asked for.
        id: u64,
        /// The ids that exist, oldest first.
        known: Vec<u64>,
    },
    /// Transactions were still on their way when a snapshot was asked for.
    Pending(usize),
    /// The file system refused a copy.
    Io(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { id, known } if known.is_empty() => write!(f, "no snapshot {id}: none is kept"),
            Self::Unknown { id, known } => {
                let known: Vec<String> = known.iter().map(u64::to_string).collect();
                write!(f, "no snapshot {id}: the snapshots kept are {}", known.join(", "))
            }
            Self::Pending(count) => {
                write!(
                    f,
                    "{count} transaction(s) are not final yet; a snapshot waits for them, and they did not finish"
                )
            }
            Self::Io(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// The snapshots of one devnet's root directory.
pub struct Snapshots {
    root: PathBuf,
    next: u64,
}

impl Snapshots {
    /// The snapshots kept under `root`; the next one taken gets an id above
    /// every id there.
    pub fn open(root: &Path) -> Result<Snapshots, SnapshotError> {
        let mut snapshots = Snapshots { root: root.to_path_buf(), next: 1 };
        snapshots.next = snapshots.ids()?.last().map_or(1, |last| last + 1);
        Ok(snapshots)
    }

    /// The ids of the snapshots kept, oldest first.
    pub fn ids(&self) -> Result<Vec<u64>, SnapshotError> {
        let directory = self.root.join(SNAPSHOTS_DIR);
        let entries = match fs::read_dir(&directory) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error(&directory, &error)),
        };
        let mut ids: Vec<u64> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().to_str().and_then(|name| name.parse().ok()))
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// Copies the state under the root (which nothing may be writing) into
    /// a new snapshot and answers its id. The copy is made under a
    /// temporary name and renamed, so a snapshot directory is always whole.
    pub fn take(&mut self) -> Result<u64, SnapshotError> {
        let id = self.next;
        let partial = self.root.join(SNAPSHOTS_DIR).join(format!(".{id}.partial"));
        remove_if_present(&partial)?;
        for part in STATE_PARTS {
            copy_tree(&self.root.join(part), &partial.join(part))?;
        }
        let kept = self.snapshot_dir(id);
        fs::rename(&partial, &kept).map_err(|error| io_error(&kept, &error))?;
        self.next = id + 1;
        Ok(id)
    }

    /// Puts snapshot `id`'s state back under the root (which nothing may
    /// be using), and forgets it and every later snapshot.
    pub fn restore(&mut self, id: u64) -> Result<(), SnapshotError> {
        let known = self.ids()?;
        if !known.contains(&id) {
            return Err(SnapshotError::Unknown { id, known });
        }
        // Copied beside the state first, so a failed copy leaves the state as it was.
        let incoming = self.root.join(".restoring");
        remove_if_present(&incoming)?;
        for part in STATE_PARTS {
            copy_tree(&self.snapshot_dir(id).join(part), &incoming.join(part))?;
        }
        for part in STATE_PARTS {
            let current = self.root.join(part);
            remove_if_present(&current)?;
            fs::rename(incoming.join(part), &current).map_err(|error| io_error(&current, &error))?;
        }
        remove_if_present(&incoming)?;
        for later in known.into_iter().filter(|kept| *kept >= id) {
            remove_if_present(&self.snapshot_dir(later))?;
        }
        Ok(())
    }

    fn snapshot_dir(&self, id: u64) -> PathBuf {
        self.root.join(SNAPSHOTS_DIR).join(id.to_string())
    }
}

/// Copies the directory tree `from` to `to` (created, with its parents).
fn copy_tree(from: &Path, to: &Path) -> Result<(), SnapshotError> {
    fs::create_dir_all(to).map_err(|error| io_error(to, &error))?;
    for entry in fs::read_dir(from).map_err(|error| io_error(from, &error))? {
        let entry = entry.map_err(|error| io_error(from, &error))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|error| io_error(&source, &error))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            fs::copy(&source, &target).map_err(|error| io_error(&source, &error))?;
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), SnapshotError> {
    match fs::remove_dir_all(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(io_error(path, &error)),
        _ => Ok(()),
    }
}

fn io_error(path: &Path, error: &io::Error) -> SnapshotError {
    SnapshotError::Io(format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("min-snapshots-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for part in STATE_PARTS {
            fs::create_dir_all(dir.join(part).join("nested")).unwrap();
        }
        dir
    }

    fn write_state(root: &Path, text: &str) {
        fs::write(root.join(STORES_DIR).join("store.redb"), text).unwrap();
        fs::write(root.join(CONSENSUS_DIR).join("nested").join("journal"), text).unwrap();
    }

    fn read_state(root: &Path) -> (String, String) {
        (
            fs::read_to_string(root.join(STORES_DIR).join("store.redb")).unwrap(),
            fs::read_to_string(root.join(CONSENSUS_DIR).join("nested").join("journal")).unwrap(),
        )
    }

    #[test]
    fn a_revert_puts_the_state_back_and_forgets_that_snapshot_and_later_ones() {
        let root = scratch("revert");
        let mut snapshots = Snapshots::open(&root).unwrap();
        write_state(&root, "one");
        assert_eq!(snapshots.take(), Ok(1));
        write_state(&root, "two");
        assert_eq!(snapshots.take(), Ok(2));
        write_state(&root, "three");
        fs::write(root.join(STORES_DIR).join("extra"), "made after the snapshot").unwrap();

        snapshots.restore(1).unwrap();
        assert_eq!(read_state(&root), ("one".into(), "one".into()));
        assert!(!root.join(STORES_DIR).join("extra").exists(), "files made after the snapshot are gone");
        assert_eq!(snapshots.ids(), Ok(vec![]));
        assert_eq!(snapshots.restore(2), Err(SnapshotError::Unknown { id: 2, known: vec![] }));
        // Ids are never given twice, even after a revert.
        assert_eq!(snapshots.take(), Ok(3));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn ids_continue_from_the_snapshots_kept_on_disk_and_unknown_ones_are_named() {
        let root = scratch("reopen");
        write_state(&root, "kept");
        let mut first = Snapshots::open(&root).unwrap();
        assert_eq!((first.take(), first.take()), (Ok(1), Ok(2)));
        let mut reopened = Snapshots::open(&root).unwrap();
        assert_eq!(reopened.take(), Ok(3));
        let unknown = reopened.restore(7).unwrap_err();
        assert_eq!(unknown.to_string(), "no snapshot 7: the snapshots kept are 1, 2, 3");
        reopened.restore(2).unwrap();
        assert_eq!(reopened.ids(), Ok(vec![1]));
        let _ = fs::remove_dir_all(&root);
    }
}
