//! Pattern matching: does a value match a pattern, and what does it bind.

use min_core::{Lit, Pattern};

use crate::error::{Fault, RuntimeError};
use crate::real::canonical;
use crate::value::Value;

/// Whether `value` matches `pattern`; variables bind into `slots` as they
/// are met, so a failed match may leave some slots written.
pub(crate) fn matches<'p>(pattern: &'p Pattern, value: &Value<'p>, slots: &mut [Value<'p>]) -> Result<bool, Fault> {
    Ok(match (pattern, value) {
        (Pattern::Wildcard, _) => true,
        (Pattern::Bind(slot), _) => {
            let Some(target) = slots.get_mut(*slot as usize) else {
                return Err(RuntimeError::ill_formed(format_args!("pattern binds slot {slot} outside the frame")));
            };
            *target = value.clone();
            true
        }
        (Pattern::Lit(Lit::PendingInt(..) | Lit::PendingChar(..)), _) => {
            return Err(RuntimeError::ill_formed("a literal pattern left unresolved by the checker"));
        }
        (Pattern::Lit(lit), _) => literal_matches(lit, value),
        (Pattern::Constructor(tag, patterns), Value::Data(data)) => {
            data.constructor.tag == *tag && all_match(patterns, &data.fields, slots)?
        }
        (Pattern::Constructor(..), _) => false,
        // A tuple of one is its component, and the empty tuple is unit,
        // exactly as `Expr::Tuple` builds them.
        (Pattern::Tuple(patterns), _) if patterns.is_empty() => matches!(value, Value::Unit),
        (Pattern::Tuple(patterns), _) if patterns.len() == 1 => matches(&patterns[0], value, slots)?,
        (Pattern::Tuple(patterns), Value::Tuple(items)) => all_match(patterns, items, slots)?,
        (Pattern::Tuple(_), _) => false,
        (Pattern::Nil, _) => matches!(value, Value::Nil),
        (Pattern::Cons(head, tail), Value::Cons(pair)) => {
            matches(head, &pair.head, slots)? && matches(tail, &pair.tail, slots)?
        }
        (Pattern::Cons(..), _) => false,
    })
}

/// Whether the values match the patterns one by one (and are as many).
fn all_match<'p>(patterns: &'p [Pattern], values: &[Value<'p>], slots: &mut [Value<'p>]) -> Result<bool, Fault> {
    if patterns.len() != values.len() {
        return Ok(false);
    }
    for (pattern, value) in patterns.iter().zip(values) {
        if !matches(pattern, value, slots)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `value` equals the literal: numbers numerically (reals bit for
/// bit after canonicalisation, so `0.0` does not match `-0.0`), a character
/// literal also the one-character string (a character literal may stand
/// for an `S`).
fn literal_matches(lit: &Lit, value: &Value<'_>) -> bool {
    match (lit, value) {
        (Lit::Nat(n), _) => integer_matches(IntegerLit::Nat(*n), value),
        (Lit::Int(i) | Lit::Dyn(i), _) => integer_matches(IntegerLit::Int(*i), value),
        (Lit::Real(bits), Value::Real(x)) => same_real(f64::from_bits(*bits), *x),
        (Lit::Bool(b), Value::Bool(v)) => b == v,
        (Lit::Char(c), Value::Char(v)) => c == v,
        (Lit::Char(c), Value::Str(s)) => {
            let mut chars = s.chars();
            chars.next() == Some(*c) && chars.next().is_none()
        }
        (Lit::Str(s), Value::Str(v)) => **s == **v,
        (Lit::Str(s), Value::Char(v)) => {
            let mut chars = s.chars();
            chars.next() == Some(*v) && chars.next().is_none()
        }
        (Lit::Unit, Value::Unit) => true,
        _ => false,
    }
}

/// An integer literal of either sign class.
enum IntegerLit {
    Nat(u128),
    Int(i128),
}

/// Whether a number value equals an integer literal: exactly against ℕ and
/// ℤ values, and against a real (a generic literal met by a real) as the
/// literal converted to ℝ, bit for bit.
fn integer_matches(lit: IntegerLit, value: &Value<'_>) -> bool {
    match (lit, value) {
        (IntegerLit::Nat(n), Value::Nat(v)) => n == *v,
        (IntegerLit::Nat(n), Value::Int(v)) => u128::try_from(*v) == Ok(n),
        (IntegerLit::Int(i), Value::Int(v)) => i == *v,
        (IntegerLit::Int(i), Value::Nat(v)) => u128::try_from(i) == Ok(*v),
        (IntegerLit::Nat(n), Value::Real(x)) => same_real(n as f64, *x),
        (IntegerLit::Int(i), Value::Real(x)) => same_real(i as f64, *x),
        _ => false,
    }
}

/// Bit equality after canonicalisation: every NaN is the same NaN.
fn same_real(x: f64, y: f64) -> bool {
    canonical(x).to_bits() == canonical(y).to_bits()
}
