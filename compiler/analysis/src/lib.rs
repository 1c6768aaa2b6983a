//! Min's semantic analysis: name resolution, type inference, pattern
//! checking and lowering to the core IR, run as queries of a salsa database
//! that `minc` and the language server share.
//!
//! Start at [`Workspace`], then `db.rs` for the queries and `check/mod.rs`
//! for the checker.

mod check;
pub mod conservation;
pub mod db;
pub mod deps;
pub mod exhaustive;
pub mod ide;
pub mod interface;
pub mod ownership;
mod retire;
mod stdlib;
pub mod types;
pub mod unify;
mod workspace;

pub use check::{Checked, Environment, NameInfo, Parts, Separate, Target, TestInfo, check_module};
pub use workspace::{Database, Workspace};
