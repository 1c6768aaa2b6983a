//! What a running devnet's controller can be asked between runs of its
//! chain: stop, or stop the chain to take a snapshot or revert to one and
//! start it again (`devnet.rs`). JSON-RPC handlers send these; the reply
//! comes once the chain runs again.

use crate::snapshots::SnapshotError;
use tokio::sync::oneshot;

/// Where the answer to a request goes.
pub type Reply<T> = oneshot::Sender<Result<T, SnapshotError>>;

/// A request to the devnet's controller.
pub enum Control {
    /// Stop the devnet.
    Stop,
    /// Save the chain's state once every routed transaction is final;
    /// the reply is the snapshot's id.
    Snapshot(Reply<u64>),
    /// Go back to the state saved by the snapshot of this id.
    Revert(u64, Reply<()>),
}
