//! Checked arithmetic on ℕ, ℤ and ℝ, and the run-time choice of number type
//! for `NumKind::Dyn`.
//!
//! ℕ and ℤ are 128-bit and every result outside the type is `E0410`; ℝ is
//! IEEE binary64 with every NaN result made canonical.

use min_core::{ArithOp, NumKind};

use crate::error::{Fault, RuntimeError};
use crate::real::{self, canonical};
use crate::value::Value;
use min_diagnostics::codes;

/// `a op b` on the number type `kind`.
pub(crate) fn arith<'p>(op: ArithOp, kind: NumKind, a: &Value<'p>, b: &Value<'p>) -> Result<Value<'p>, Fault> {
    Ok(match resolve(kind, a, b)? {
        NumKind::Nat => Value::Nat(nat_op(op, to_nat(a)?, to_nat(b)?)?),
        NumKind::Int => Value::Int(int_op(op, to_int(a)?, to_int(b)?)?),
        NumKind::Real | NumKind::Dyn | NumKind::Pending(_) => Value::Real(real_op(op, to_real(a)?, to_real(b)?)),
    })
}

/// `base ^ exponent` by square-and-multiply, the same sequence of roundings
/// (or overflow checks) on every backend.
pub(crate) fn pow<'p>(kind: NumKind, base: &Value<'p>, exponent: &Value<'p>) -> Result<Value<'p>, Fault> {
    let n = match exponent {
        Value::Int(i) if *i < 0 => return Err(RuntimeError::overflow(format!("the exponent {i} is below zero"))),
        _ => to_nat(exponent)?,
    };
    let kind = resolve(kind, base, base)?;
    let overflow = || RuntimeError::overflow(format!("{base} ^ {n} overflows {}", type_name(kind)));
    Ok(match kind {
        NumKind::Nat => Value::Nat(power(to_nat(base)?, n, 1, u128::checked_mul).ok_or_else(overflow)?),
        NumKind::Int => Value::Int(power(to_int(base)?, n, 1, i128::checked_mul).ok_or_else(overflow)?),
        _ => Value::Real(power(to_real(base)?, n, 1.0, |x, y| Some(canonical(x * y))).unwrap_or(real::CANONICAL_NAN)),
    })
}

/// `-a` on the number type `kind`.
pub(crate) fn neg<'p>(kind: NumKind, a: &Value<'p>) -> Result<Value<'p>, Fault> {
    Ok(match resolve(kind, a, a)? {
        NumKind::Nat => match to_nat(a)? {
            0 => Value::Nat(0),
            n => return Err(RuntimeError::overflow(format!("-{n} is below zero in ℕ"))),
        },
        NumKind::Int => {
            let i = to_int(a)?;
            Value::Int(i.checked_neg().ok_or_else(|| RuntimeError::overflow(format!("-({i}) overflows ℤ")))?)
        }
        _ => Value::Real(canonical(-to_real(a)?)),
    })
}

/// The number type an operation on `a` and `b` works in: `kind` itself,
/// unless it is `Dyn`, when the operands decide. A real wins over the
/// integers (an integer literal meeting a real is a real), and a natural
/// over an integer (an integer literal meeting a natural is a natural).
pub(crate) fn resolve(kind: NumKind, a: &Value<'_>, b: &Value<'_>) -> Result<NumKind, Fault> {
    match kind {
        NumKind::Nat | NumKind::Int | NumKind::Real => return Ok(kind),
        NumKind::Pending(_) => return Err(RuntimeError::ill_formed("a number type left unresolved by the checker")),
        NumKind::Dyn => {}
    }
    let rank = |value: &Value<'_>| match value {
        Value::Int(_) => Ok(0),
        Value::Nat(_) => Ok(1),
        Value::Real(_) => Ok(2),
        other => Err(RuntimeError::ill_formed(format_args!("arithmetic on {}", other.kind()))),
    };
    Ok(match rank(a)?.max(rank(b)?) {
        0 => NumKind::Int,
        1 => NumKind::Nat,
        _ => NumKind::Real,
    })
}

/// The value as a natural number: integers must not be negative.
pub(crate) fn to_nat(value: &Value<'_>) -> Result<u128, Fault> {
    match value {
        Value::Nat(n) => Ok(*n),
        Value::Int(i) => u128::try_from(*i).map_err(|_| RuntimeError::overflow(format!("{i} is below zero in ℕ"))),
        other => Err(RuntimeError::ill_formed(format_args!("expected a natural number, found {}", other.kind()))),
    }
}

/// The value as an integer: naturals must fit.
pub(crate) fn to_int(value: &Value<'_>) -> Result<i128, Fault> {
    match value {
        Value::Int(i) => Ok(*i),
        Value::Nat(n) => i128::try_from(*n).map_err(|_| RuntimeError::overflow(format!("{n} is above the largest ℤ"))),
        other => Err(RuntimeError::ill_formed(format_args!("expected an integer, found {}", other.kind()))),
    }
}

/// The value as a real: integers and naturals round to nearest.
pub(crate) fn to_real(value: &Value<'_>) -> Result<f64, Fault> {
    match value {
        Value::Real(x) => Ok(*x),
        Value::Int(i) => Ok(*i as f64),
        Value::Nat(n) => Ok(*n as f64),
        other => Err(RuntimeError::ill_formed(format_args!("expected a real, found {}", other.kind()))),
    }
}

/// `ℕ`, `ℤ` or `ℝ`, for messages.
fn type_name(kind: NumKind) -> &'static str {
    match kind {
        NumKind::Nat => "ℕ",
        NumKind::Int => "ℤ",
        _ => "ℝ",
    }
}

/// `E0411` for `x / 0` or `x % 0`.
fn division_by_zero(op: ArithOp, x: impl std::fmt::Display) -> Fault {
    RuntimeError::new(codes::E0411, format!("{x} {} 0 divides by zero", op.symbol()))
}

fn nat_op(op: ArithOp, x: u128, y: u128) -> Result<u128, Fault> {
    let result = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => x.checked_div(y),
        ArithOp::Rem => x.checked_rem(y),
    };
    result.ok_or_else(|| match op {
        ArithOp::Div | ArithOp::Rem => division_by_zero(op, x),
        ArithOp::Sub => RuntimeError::overflow(format!("{x} - {y} is below zero in ℕ")),
        _ => RuntimeError::overflow(format!("{x} {} {y} overflows ℕ", op.symbol())),
    })
}

fn int_op(op: ArithOp, x: i128, y: i128) -> Result<i128, Fault> {
    let result = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div | ArithOp::Rem if y == 0 => return Err(division_by_zero(op, x)),
        ArithOp::Div => x.checked_div(y),
        // The only overflowing case, MIN % -1, has the exact answer 0 (as
        // Wasm's rem_s gives): no reason to abort.
        ArithOp::Rem => Some(x.wrapping_rem(y)),
    };
    result.ok_or_else(|| RuntimeError::overflow(format!("{x} {} {y} overflows ℤ", op.symbol())))
}

fn real_op(op: ArithOp, x: f64, y: f64) -> f64 {
    canonical(match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
        ArithOp::Rem => real::remainder(x, y),
    })
}

/// `base ^ n` by the fixed square-and-multiply loop; `None` on overflow.
fn power<T: Copy>(base: T, mut n: u128, one: T, mul: impl Fn(T, T) -> Option<T>) -> Option<T> {
    let mut result = one;
    let mut square = base;
    while n > 0 {
        if n & 1 == 1 {
            result = mul(result, square)?;
        }
        n >>= 1;
        if n > 0 {
            square = mul(square, square)?;
        }
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_truncates_and_remainder_follows_the_dividend() {
        assert_eq!(int_op(ArithOp::Div, -7, 2).ok(), Some(-3));
        assert_eq!(int_op(ArithOp::Rem, -7, 2).ok(), Some(-1));
        assert_eq!(int_op(ArithOp::Rem, 7, -2).ok(), Some(1));
        assert_eq!(int_op(ArithOp::Rem, i128::MIN, -1).ok(), Some(0));
        assert_eq!(int_op(ArithOp::Div, i128::MIN, -1).map_err(|e| e.code).err(), Some(codes::E0410));
    }

    #[test]
    fn power_squares_only_while_bits_remain() {
        assert_eq!(power(2u128, 127, 1, u128::checked_mul), Some(1 << 127));
        assert_eq!(power(-2i128, 127, 1, i128::checked_mul), Some(i128::MIN));
        assert_eq!(power(2i128, 127, 1, i128::checked_mul), None);
        assert_eq!(power(7u128, 0, 1, u128::checked_mul), Some(1));
    }
}
