//! The JIT on hand-written LIR programs.

mod calls;
mod control;
mod errors;
mod helpers;
mod memory;
mod operations;
mod support;
