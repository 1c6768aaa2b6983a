//! What can go wrong loading a contract or calling one of its procedures.

use std::fmt;

/// Why a contract's module and metadata were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// What is wrong, in a sentence.
    pub reason: String,
}

impl LoadError {
    pub(crate) fn new(reason: impl Into<String>) -> LoadError {
        LoadError { reason: reason.into() }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the contract cannot be loaded: {}", self.reason)
    }
}

impl std::error::Error for LoadError {}

/// Why a call of a procedure produced no outcome. Every one of them is
/// deterministic: the same contract, call and gas limit give the same error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecError {
    /// The call needed more gas than its limit; all of it is used.
    OutOfGas {
        /// The call's gas limit.
        limit: u64,
    },
    /// The procedure aborted (`Prim.abort`).
    Abort {
        /// The abort's message.
        message: String,
    },
    /// The procedure failed otherwise: an arithmetic overflow, no matching
    /// rule, the depth limit, a Wasm trap. The reason is the interpreter's
    /// error text (code, message, trace) or the trap's.
    Trap {
        /// What failed.
        reason: String,
    },
    /// The call named no procedure of the contract, or gave it the wrong
    /// number of inputs or parameters, or a value not of its declared type.
    BadArguments {
        /// What is wrong, with the value printed.
        reason: String,
    },
    /// The arguments' encoding passes the runtime's limits.
    InputTooLarge {
        /// The limit, in bytes of canonical encoding.
        limit: usize,
    },
    /// The engine could not compile or instantiate the module.
    Engine {
        /// What wasmtime reported.
        reason: String,
    },
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecError::OutOfGas { limit } => write!(f, "out of gas: the call needs more than {limit}"),
            ExecError::Abort { message } => write!(f, "aborted: {message}"),
            ExecError::Trap { reason } => write!(f, "failed: {reason}"),
            ExecError::BadArguments { reason } => write!(f, "bad arguments: {reason}"),
            ExecError::InputTooLarge { limit } => write!(f, "the arguments take more than {limit} bytes"),
            ExecError::Engine { reason } => write!(f, "the engine cannot run the contract: {reason}"),
        }
    }
}

impl std::error::Error for ExecError {}
