//! Min's run-time library for compiled code: what the Cranelift JIT and the
//! Wasm backend call while a program runs, and the driver that runs one.
//!
//! - [`Runtime`] implements [`min_lir::host::Host`]: the region allocator
//!   (`regions.rs`: chunks pooled over [`min_lir::host::Memory::grow`],
//!   released in constant time) and every other [`min_lir::Helper`]
//!   (`helpers.rs`), which decode their operands into the interpreter's
//!   values, run the interpreter's own operation, and encode the result —
//!   so compiled code computes and fails exactly as the interpreter does.
//! - [`Runtime::encode`] and [`Runtime::decode`] (`encode.rs`, `decode.rs`)
//!   convert between [`min_interp::Value`] and words in the layouts of
//!   [`min_lir::abi`], without recursing along lists or last fields.
//! - [`Image`] (`image.rs`) lays objects out outside memory and places
//!   them in a region with one write, and [`shape`] reads what a word is:
//!   together they let a caller that knows the values' types convert
//!   between another encoding and words without values in between.
//! - [`Session`] (`session.rs`) sets a backend's memory and VM variables up
//!   and calls exports on values, returning values or the interpreter's
//!   [`min_interp::RuntimeError`].
//!
//! This crate depends on the interpreter, never on a backend.

#![warn(missing_docs)]

mod decode;
mod encode;
mod helpers;
mod image;
mod regions;
mod runtime;
mod session;
mod tables;
#[cfg(test)]
mod testing;

pub use decode::{Shape, shape};
pub use image::Image;
pub use regions::{CHUNK_BYTES, CHUNK_HEADER_BYTES, RegionStats};
pub use runtime::{ContractCalls, Runtime};
pub use session::{Arguments, Session, SessionLayout};
pub use tables::Tables;

/// How faults travel inside the crate: boxed, as the interpreter's do.
type Fault = Box<min_interp::RuntimeError>;
