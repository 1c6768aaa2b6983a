//! Min's reference interpreter: the executable semantics of the core IR
//! ([`min_core`]) and the oracle the JIT and Wasm backends are tested against.
//!
//! A [`Machine`] borrows the lowered modules and calls their globals by
//! qualified name. Every run-time fault — arithmetic overflow, division by
//! zero, a failed match, an explicit abort, recursion past the limit — is a
//! [`RuntimeError`] carrying an error code and the innermost span, never a
//! Rust panic.
//!
//! Start reading at `machine.rs` (globals, calls, the depth limit), then
//! `eval.rs` (one expression), then the leaves: `arith.rs`, `compare.rs`,
//! `pattern.rs`, `prims.rs` and `real.rs` (the bit-exact ℝ operations).
//!
//! [`ops`] exposes the single operations (arithmetic, comparison, the
//! primitives, the fault messages) to the run-time library of the compiled
//! backends, so that they share this crate's semantics instead of copying it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod arith;
mod compare;
mod display;
mod error;
mod eval;
mod machine;
pub mod ops;
mod pattern;
mod prims;
mod real;
mod specs;
mod value;

pub use error::RuntimeError;
pub use machine::{CallEvent, CallObserver, ConservationCheck, Machine};
pub use value::{Data, Function, Pair, Value};
