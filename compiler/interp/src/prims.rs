//! The primitives of the built-in module `Prim`.

use std::rc::Rc;

use min_core::Prim;
use min_diagnostics::codes;

use crate::arith::{to_int, to_nat, to_real};
use crate::error::{Fault, RuntimeError};
use crate::real::{self, canonical};
use crate::value::Value;

/// The value of a primitive constant (`Prim.infinity`, `Prim.nan`), or
/// `None` for a primitive that takes arguments.
pub(crate) fn constant<'p>(prim: Prim) -> Option<Value<'p>> {
    match prim {
        Prim::Infinity => Some(Value::Real(f64::INFINITY)),
        Prim::Nan => Some(Value::Real(real::CANONICAL_NAN)),
        _ => None,
    }
}

/// Runs `prim` on exactly `prim.arity()` arguments.
pub(crate) fn call<'p>(prim: Prim, args: &[Value<'p>]) -> Result<Value<'p>, Fault> {
    let (first, second) = match args {
        [] => return constant(prim).ok_or_else(|| arity_mismatch(prim, 0)),
        [first] if prim.arity() == 1 => (first, None),
        [first, second] if prim.arity() == 2 => (first, Some(second)),
        _ => return Err(arity_mismatch(prim, args.len())),
    };
    Ok(match prim {
        Prim::Sqrt => Value::Real(canonical(to_real(first)?.sqrt())),
        Prim::Scale => {
            let exponent = second.map_or(Ok(0), to_int)?;
            Value::Real(real::scale(to_real(first)?, exponent))
        }
        Prim::Exponent => Value::Int(real::exponent(to_real(first)?)),
        Prim::Floor => {
            let x = to_real(first)?;
            let floor = real::floor(x);
            Value::Int(floor.ok_or_else(|| RuntimeError::overflow(format!("the floor of {first} is outside ℤ")))?)
        }
        Prim::RealOfInt => Value::Real(to_int(first)? as f64),
        Prim::RealOfNat => Value::Real(to_nat(first)? as f64),
        Prim::IntOfNat => {
            let n = to_nat(first)?;
            let i = i128::try_from(n).map_err(|_| RuntimeError::overflow(format!("{n} is above the largest ℤ")))?;
            Value::Int(i)
        }
        Prim::NatOfInt => {
            let i = to_int(first)?;
            Value::Nat(u128::try_from(i).map_err(|_| RuntimeError::overflow(format!("{i} is below zero in ℕ")))?)
        }
        Prim::IsNan => Value::Bool(to_real(first)?.is_nan()),
        Prim::Abort => return Err(RuntimeError::new(codes::E0412, text(first)?.to_string())),
        Prim::Show => Value::string(&first.to_string()),
        Prim::Length => Value::Nat(text(first)?.chars().count() as u128),
        Prim::Chars => Value::list(text(first)?.chars().map(Value::Char).collect()),
        Prim::FromChars => {
            let mut s = String::new();
            for element in first.elements() {
                match element {
                    Value::Char(c) => s.push(*c),
                    other => return Err(RuntimeError::ill_formed(format_args!("from_chars got {}", other.kind()))),
                }
            }
            Value::Str(Rc::from(s))
        }
        Prim::Code => match first {
            Value::Char(c) => Value::Nat(u128::from(u32::from(*c))),
            other => return Err(RuntimeError::ill_formed(format_args!("code got {}", other.kind()))),
        },
        Prim::FromCode => {
            let n = to_nat(first)?;
            let c = u32::try_from(n).ok().and_then(char::from_u32);
            Value::Char(c.ok_or_else(|| RuntimeError::overflow(format!("{n} is not the code of a character")))?)
        }
        // The interpreter runs a called contract's procedure as a function;
        // only a built contract calls it through the contract runtime.
        Prim::CallContract => {
            return Err(RuntimeError::ill_formed(format_args!(
                "a call of another contract's procedure runs only in the contract runtime"
            )));
        }
        Prim::Infinity | Prim::Nan => return Err(arity_mismatch(prim, args.len())),
    })
}

/// The text of a string value (or of a character, which may stand for one).
fn text(value: &Value<'_>) -> Result<Rc<str>, Fault> {
    match value {
        Value::Str(s) => Ok(Rc::clone(s)),
        Value::Char(c) => Ok(Rc::from(c.to_string())),
        other => Err(RuntimeError::ill_formed(format_args!("expected a string, found {}", other.kind()))),
    }
}

/// The machine called a primitive with the wrong number of arguments.
fn arity_mismatch(prim: Prim, count: usize) -> Fault {
    RuntimeError::ill_formed(format_args!("the primitive {prim:?} called with {count} arguments"))
}
