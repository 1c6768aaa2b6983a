//! The interpreter's semantics, tested on hand-built core IR (see
//! `fixture.rs`): one test binary, one module per area.

mod fixture;

mod data;
mod functions;
mod limits;
mod numbers;
mod reals;
