//! Min's Cranelift JIT: compiles a LIR program ([`min_lir::Program`]) to
//! machine code in the running process and runs it as a
//! [`min_lir::host::Backend`].
//!
//! Every LIR function becomes a function of Cranelift's `tail` calling
//! convention, so that tail calls run in constant stack, with a hidden first
//! parameter: a pointer to the context, which holds the VM variables, the
//! memory and, during a call, the host. Helpers are called through one
//! `extern "C"` entry point per arity, which passes the call on to
//! [`min_lir::host::Host::helper`]. Rust enters the generated code through
//! one trampoline per number of parameters.
//!
//! Start with [`JitBackend::compile`].

#![warn(missing_docs)]

mod backend;
mod compile;
mod ctx;
mod error;
mod function;
mod memory;
mod trampoline;
mod validate;
mod walk;

pub use backend::JitBackend;
pub use error::JitError;
