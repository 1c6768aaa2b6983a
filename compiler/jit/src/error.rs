//! What can keep a program from being compiled.

use std::fmt;

/// Why [`crate::JitBackend::compile`] refused a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JitError {
    /// The program breaks a rule of the LIR: an id out of range, a call
    /// with the wrong number of arguments, a break outside its block, a
    /// body whose end can be reached. This is a bug in the lowering.
    Invalid(String),
    /// The machine or Cranelift could not compile it: an unsupported host,
    /// code memory exhausted, a Cranelift error.
    Backend(String),
    /// Memory for the static objects and cells could not be had.
    OutOfMemory,
}

impl fmt::Display for JitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JitError::Invalid(message) => write!(f, "invalid LIR: {message}"),
            JitError::Backend(message) => write!(f, "the JIT could not compile the program: {message}"),
            JitError::OutOfMemory => write!(f, "no memory for the program's static objects and cells"),
        }
    }
}

impl std::error::Error for JitError {}
