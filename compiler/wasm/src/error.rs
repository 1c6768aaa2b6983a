//! Why a program could not be made into a running module.

use std::fmt;

/// An error of [`emit`](crate::emit()) or of making a
/// [`WasmBackend`](crate::WasmBackend).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WasmError {
    /// The program refers to something it does not have: a function,
    /// static, cell, variable or label out of range.
    Malformed(String),
    /// The static objects and cells do not fit in a 32-bit memory.
    TooLarge {
        /// Bytes they would need, from address 0.
        bytes: u64,
    },
    /// The emitted module failed validation (for instance a call with the
    /// wrong number of arguments).
    Invalid(String),
    /// wasmtime could not compile or instantiate the module.
    Runtime(String),
}

impl fmt::Display for WasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WasmError::Malformed(message) => write!(f, "malformed LIR program: {message}"),
            WasmError::TooLarge { bytes } => {
                write!(f, "static objects and cells need {bytes} bytes, more than a 32-bit memory holds")
            }
            WasmError::Invalid(message) => write!(f, "the emitted Wasm module is invalid: {message}"),
            WasmError::Runtime(message) => write!(f, "wasmtime: {message}"),
        }
    }
}

impl std::error::Error for WasmError {}
