//! The interpreter's operations on values, one call each, for the run-time
//! library of the compiled backends: so that compiled code computes every
//! result and reports every fault exactly as the interpreter does.
//!
//! Every error comes without a span or trace; the caller attaches them with
//! [`RuntimeError::at`] and [`RuntimeError::called_from`], where the
//! interpreter would.

use std::fmt;

use min_core::{ArithOp, CmpOp, NumKind, Prim};

use crate::error::RuntimeError;
use crate::value::Value;
use crate::{arith, compare, eval, machine, prims};

/// `a op b` on the number type `kind` (`E0410` on overflow, `E0411` on
/// division by zero).
pub fn arith<'p>(op: ArithOp, kind: NumKind, a: &Value<'p>, b: &Value<'p>) -> Result<Value<'p>, RuntimeError> {
    arith::arith(op, kind, a, b).map_err(|fault| *fault)
}

/// `base ^ exponent` on the number type `kind`.
pub fn pow<'p>(kind: NumKind, base: &Value<'p>, exponent: &Value<'p>) -> Result<Value<'p>, RuntimeError> {
    arith::pow(kind, base, exponent).map_err(|fault| *fault)
}

/// `-a` on the number type `kind`.
pub fn neg<'p>(kind: NumKind, a: &Value<'p>) -> Result<Value<'p>, RuntimeError> {
    arith::neg(kind, a).map_err(|fault| *fault)
}

/// `a op b`, structurally (`E0412` when the walk meets two functions).
pub fn compare(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> Result<bool, RuntimeError> {
    compare::compare(op, a, b).map_err(|fault| *fault)
}

/// `a ++ b` on strings, characters or lists.
pub fn concat<'p>(a: Value<'p>, b: Value<'p>) -> Result<Value<'p>, RuntimeError> {
    eval::concat(a, b).map_err(|fault| *fault)
}

/// The primitive `prim` on exactly `prim.arity()` arguments.
pub fn prim<'p>(prim: Prim, args: &[Value<'p>]) -> Result<Value<'p>, RuntimeError> {
    prims::call(prim, args).map_err(|fault| *fault)
}

/// `E0414`: `scrutinee` matched no rule.
pub fn match_failure(scrutinee: &Value<'_>) -> RuntimeError {
    *eval::match_failure(scrutinee)
}

/// `E0413`: calls would nest deeper than `limit`.
pub fn depth_exceeded(limit: usize) -> RuntimeError {
    *machine::depth_exceeded(limit)
}

/// `E0207`: the value of the zero-arity global `name` depends on itself.
pub fn cycle(name: &str) -> RuntimeError {
    *machine::cycle(name)
}

/// `E0412` for what only an ill-formed program can cause, worded as the
/// interpreter words it.
pub fn ill_formed(message: impl fmt::Display) -> RuntimeError {
    *RuntimeError::ill_formed(message)
}
