//! Structural comparison: `==`, `≠`, `<`, `≤`, `>`, `≥` on every type but
//! functions.
//!
//! Both walks go left to right, depth first, and stop at the first
//! difference; reaching two functions on the way is `E0412`. Reals compare
//! as IEEE does (NaN equals nothing and is unordered; an unordered component
//! makes the whole comparison false). Constructor values compare by tag, then
//! fields; lists and tuples element by element, a proper prefix being less.

use std::cmp::Ordering;

use min_core::CmpOp;
use min_diagnostics::codes;

use crate::arith::to_real;
use crate::error::{Fault, RuntimeError};
use crate::value::Value;

/// `a op b`.
pub(crate) fn compare(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> Result<bool, Fault> {
    Ok(match op {
        CmpOp::Eq => equal(a, b)?,
        CmpOp::Ne => !equal(a, b)?,
        CmpOp::Lt => order(a, b)? == Some(Ordering::Less),
        CmpOp::Le => matches!(order(a, b)?, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(a, b)? == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(a, b)?, Some(Ordering::Greater | Ordering::Equal)),
    })
}

/// One step of a walk over two compound values: either decided, or
/// continue with the last components (looping there instead of recursing
/// keeps long lists and right-nested data off the Rust stack).
enum Step<'a, 'p, T> {
    Decided(T),
    Continue(&'a Value<'p>, &'a Value<'p>),
}

/// Structural equality; IEEE equality on reals.
pub(crate) fn equal<'a, 'p>(mut a: &'a Value<'p>, mut b: &'a Value<'p>) -> Result<bool, Fault> {
    loop {
        let step = match (a, b) {
            (Value::Data(x), Value::Data(y)) if x.constructor.tag != y.constructor.tag => Step::Decided(false),
            (Value::Data(x), Value::Data(y)) => equal_components(&x.fields, &y.fields)?,
            (Value::Tuple(x), Value::Tuple(y)) => equal_components(x, y)?,
            (Value::Cons(x), Value::Cons(y)) if !equal(&x.head, &y.head)? => Step::Decided(false),
            (Value::Cons(x), Value::Cons(y)) => Step::Continue(&x.tail, &y.tail),
            _ => Step::Decided(equal_leaves(a, b)?),
        };
        match step {
            Step::Decided(result) => return Ok(result),
            Step::Continue(x, y) => (a, b) = (x, y),
        }
    }
}

/// Compares all components but the last; the caller continues with those.
fn equal_components<'a, 'p>(xs: &'a [Value<'p>], ys: &'a [Value<'p>]) -> Result<Step<'a, 'p, bool>, Fault> {
    if xs.len() != ys.len() {
        return Ok(Step::Decided(false));
    }
    let (Some((x_last, x_init)), Some((y_last, y_init))) = (xs.split_last(), ys.split_last()) else {
        return Ok(Step::Decided(true));
    };
    for (x, y) in x_init.iter().zip(y_init) {
        if !equal(x, y)? {
            return Ok(Step::Decided(false));
        }
    }
    Ok(Step::Continue(x_last, y_last))
}

/// Equality of two values that are not both compound.
fn equal_leaves(a: &Value<'_>, b: &Value<'_>) -> Result<bool, Fault> {
    if let Some(ordering) = numeric_order(a, b)? {
        return Ok(ordering == Some(Ordering::Equal));
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Unit, Value::Unit) | (Value::Nil, Value::Nil) => true,
        (Value::Nil, Value::Cons(_)) | (Value::Cons(_), Value::Nil) => false,
        _ => text_order(a, b)? == Ordering::Equal,
    })
}

/// Structural order; `None` when a NaN makes the values unordered.
pub(crate) fn order<'a, 'p>(mut a: &'a Value<'p>, mut b: &'a Value<'p>) -> Result<Option<Ordering>, Fault> {
    loop {
        let step = match (a, b) {
            (Value::Data(x), Value::Data(y)) => match x.constructor.tag.cmp(&y.constructor.tag) {
                Ordering::Equal => order_components(&x.fields, &y.fields)?,
                unequal => Step::Decided(Some(unequal)),
            },
            (Value::Tuple(x), Value::Tuple(y)) => order_components(x, y)?,
            (Value::Cons(x), Value::Cons(y)) => match order(&x.head, &y.head)? {
                Some(Ordering::Equal) => Step::Continue(&x.tail, &y.tail),
                decided => Step::Decided(decided),
            },
            _ => Step::Decided(order_leaves(a, b)?),
        };
        match step {
            Step::Decided(result) => return Ok(result),
            Step::Continue(x, y) => (a, b) = (x, y),
        }
    }
}

/// Orders all components but the last, lexicographically.
fn order_components<'a, 'p>(xs: &'a [Value<'p>], ys: &'a [Value<'p>]) -> Result<Step<'a, 'p, Option<Ordering>>, Fault> {
    if xs.len() != ys.len() {
        return Ok(Step::Decided(Some(xs.len().cmp(&ys.len()))));
    }
    let (Some((x_last, x_init)), Some((y_last, y_init))) = (xs.split_last(), ys.split_last()) else {
        return Ok(Step::Decided(Some(Ordering::Equal)));
    };
    for (x, y) in x_init.iter().zip(y_init) {
        match order(x, y)? {
            Some(Ordering::Equal) => {}
            decided => return Ok(Step::Decided(decided)),
        }
    }
    Ok(Step::Continue(x_last, y_last))
}

/// Order of two values that are not both compound.
fn order_leaves(a: &Value<'_>, b: &Value<'_>) -> Result<Option<Ordering>, Fault> {
    if let Some(ordering) = numeric_order(a, b)? {
        return Ok(ordering);
    }
    Ok(Some(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Unit, Value::Unit) | (Value::Nil, Value::Nil) => Ordering::Equal,
        (Value::Nil, Value::Cons(_)) => Ordering::Less,
        (Value::Cons(_), Value::Nil) => Ordering::Greater,
        _ => text_order(a, b)?,
    }))
}

/// The order of two numbers, `None` (outer) when they are not both numbers.
/// Naturals and integers compare exactly; with a real, the other is
/// converted to a real, as arithmetic on `NumKind::Dyn` does.
fn numeric_order(a: &Value<'_>, b: &Value<'_>) -> Result<Option<Option<Ordering>>, Fault> {
    Ok(Some(match (a, b) {
        (Value::Nat(x), Value::Nat(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Nat(y)) => Some(u128::try_from(*x).map_or(Ordering::Less, |x| x.cmp(y))),
        (Value::Nat(x), Value::Int(y)) => Some(u128::try_from(*y).map_or(Ordering::Greater, |y| x.cmp(&y))),
        (Value::Real(_), Value::Nat(_) | Value::Int(_) | Value::Real(_))
        | (Value::Nat(_) | Value::Int(_), Value::Real(_)) => to_real(a)?.partial_cmp(&to_real(b)?),
        _ => return Ok(None),
    }))
}

/// The order of characters and strings; a character meets a string as the
/// one-character string (a character literal may be written for an `S`).
/// Anything else is two functions or an ill-typed comparison.
fn text_order(a: &Value<'_>, b: &Value<'_>) -> Result<Ordering, Fault> {
    let (mut a_buffer, mut b_buffer) = ([0; 4], [0; 4]);
    match (as_text(a, &mut a_buffer), as_text(b, &mut b_buffer)) {
        // UTF-8 byte order is the order of the characters' scalar values.
        (Some(x), Some(y)) => Ok(x.cmp(y)),
        _ if matches!(a, Value::Function(_)) || matches!(b, Value::Function(_)) => {
            Err(RuntimeError::new(codes::E0412, "functions cannot be compared"))
        }
        _ => Err(RuntimeError::ill_formed(format_args!("comparing {} with {}", a.kind(), b.kind()))),
    }
}

/// A string's text, or a character's as a one-character string.
fn as_text<'a>(value: &'a Value<'_>, buffer: &'a mut [u8; 4]) -> Option<&'a str> {
    match value {
        Value::Str(s) => Some(s),
        Value::Char(c) => Some(c.encode_utf8(buffer)),
        _ => None,
    }
}
