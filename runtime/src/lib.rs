//! The contract runtime: runs a deployed Min contract's procedures from its
//! deployed bytes alone — the Wasm module and the metadata `minc build`
//! writes — deterministically, with wasmtime's fuel as gas.
//!
//! - [`Contract::load`] parses the metadata ([`min_metadata::Metadata`]),
//!   validates the module and checks the two against each other
//!   (`contract.rs`, `module.rs`); [`Schema`] holds the data types the
//!   metadata describes (`schema.rs`).
//! - [`Engine`] is a wasmtime engine configured for determinism, with fuel
//!   and a pooling allocator (`engine.rs`).
//! - [`Contract::call`] runs a procedure in an instance as it was new (a
//!   kept one put back, or a new one) through the
//!   run-time library's [`min_rt::Session`], charging helpers by the gas
//!   schedule (`gas.rs`, `spec/gas.md`), and splits the result into created
//!   objects and returned values.
//! - [`calls`] runs the procedures of other contracts a procedure calls:
//!   on their own contracts for a client ([`calls::Linked`]), or from the
//!   results a transaction records for a checker ([`calls::Claimed`]).
//! - [`encode_value`] and [`decode_value`] are the canonical binary
//!   encoding of values for object data on the chain (`codec.rs`).
//!
//! Nothing here depends on the compiler's front end.

#![warn(missing_docs)]

pub mod calls;
mod codec;
mod contract;
mod engine;
mod error;
pub mod gas;
mod module;
mod outcome;
mod schema;

pub use codec::{DecodeError, EncodeError, Limits, decode_value, encode_value};
pub use contract::{Contract, INPUT_BYTES_MAX, METADATA_BYTES_MAX, MODULE_BYTES_MAX};
pub use engine::{Engine, EngineLimits};
pub use error::{ExecError, LoadError};
pub use outcome::{Argument, EncodedEvent, EncodedOutcome, EncodedVerdict, Event, Outcome, Verdict, event_type_name};
pub use schema::Schema;

/// The interpreter's values, which procedures take and return.
pub use min_interp::Value;
/// The metadata's types.
pub use min_metadata::{GasBound, Metadata, ProcedureInfo, Role, TypeDesc};
/// What runs the procedures of other contracts a procedure calls ([`calls`]).
pub use min_rt::ContractCalls;
