//! Types in the core IR: what the checker inferred for every definition and
//! every slot, so that the IR says what each value is, and whether using it
//! moves it (a linear value) or shares it (everything else).

use std::fmt;
use std::sync::Arc;

/// A type, resolved by the checker.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Ty {
    /// `ℕ`.
    Nat,
    /// `ℤ`.
    Int,
    /// `ℝ`.
    Real,
    /// `Bool`.
    Bool,
    /// `Char`.
    Char,
    /// `S`.
    Str,
    /// `[a]`.
    List(Box<Ty>),
    /// `(a, b, …)`; no components is the unit type.
    Tuple(Box<[Ty]>),
    /// A data or record type, by qualified name, with its arguments.
    Data(Arc<str>, Box<[Ty]>),
    /// `a → b`.
    Fun(Box<Ty>, Box<Ty>),
    /// A type variable; those of a definition's own type are numbered from 0.
    Var(u32),
    /// A variable of a signature, by the name written there.
    Param(Arc<str>),
    /// Not recorded: IR built by hand, in tests.
    #[default]
    Unknown,
    /// The checker's placeholder while the type is inferred: an index into
    /// its pending types. Never present in a checked module.
    Pending(u32),
}

/// One slot of a frame: the local it holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Slot {
    /// The local's name as written, empty for a slot the compiler made (a
    /// parameter matched by patterns).
    pub name: Arc<str>,
    /// Its type.
    pub ty: Ty,
    /// Whether its type is linear: using it moves it, and it is used exactly
    /// once on every path (`spec/assets.md`).
    pub linear: bool,
}

impl Ty {
    fn write(&self, f: &mut fmt::Formatter<'_>, nested: bool) -> fmt::Result {
        match self {
            Ty::Nat => f.write_str("ℕ"),
            Ty::Int => f.write_str("ℤ"),
            Ty::Real => f.write_str("ℝ"),
            Ty::Bool => f.write_str("Bool"),
            Ty::Char => f.write_str("Char"),
            Ty::Str => f.write_str("S"),
            Ty::List(item) => {
                f.write_str("[")?;
                item.write(f, false)?;
                f.write_str("]")
            }
            Ty::Tuple(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    item.write(f, false)?;
                }
                f.write_str(")")
            }
            Ty::Data(name, args) => {
                let short = name.rsplit('.').next().unwrap_or(name);
                if args.is_empty() {
                    return f.write_str(short);
                }
                if nested {
                    f.write_str("(")?;
                }
                f.write_str(short)?;
                for arg in args.iter() {
                    f.write_str(" ")?;
                    arg.write(f, true)?;
                }
                if nested {
                    f.write_str(")")?;
                }
                Ok(())
            }
            Ty::Fun(param, result) => {
                if nested {
                    f.write_str("(")?;
                }
                param.write(f, true)?;
                f.write_str(" → ")?;
                result.write(f, false)?;
                if nested {
                    f.write_str(")")?;
                }
                Ok(())
            }
            Ty::Var(index) => write!(f, "{}", var_name(*index)),
            Ty::Param(name) => f.write_str(name),
            Ty::Unknown | Ty::Pending(_) => f.write_str("?"),
        }
    }
}

/// `a`, `b`, … `z`, `a1`, `b1`, …
fn var_name(index: u32) -> String {
    let letter = (b'a' + (index % 26) as u8) as char;
    match index / 26 {
        0 => letter.to_string(),
        round => format!("{letter}{round}"),
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

#[cfg(test)]
mod tests {
    use super::Ty;

    #[test]
    fn types_print_the_way_they_are_written() {
        let list_of_options = Ty::List(Box::new(Ty::Data("Option.Option".into(), [Ty::Nat].into())));
        let function = Ty::Fun(
            Box::new(Ty::Fun(Box::new(Ty::Var(0)), Box::new(Ty::Var(1)))),
            Box::new(Ty::Fun(Box::new(list_of_options.clone()), Box::new(Ty::Tuple([Ty::Real, Ty::Str].into())))),
        );
        assert_eq!(function.to_string(), "(a → b) → [Option ℕ] → (ℝ, S)");
        let nested = Ty::Data("M.Pair".into(), [Ty::Data("M.Box".into(), [Ty::Int].into()), Ty::Var(27)].into());
        assert_eq!(nested.to_string(), "Pair (Box ℤ) b1");
        assert_eq!(Ty::Tuple(Box::default()).to_string(), "()");
        assert!(std::mem::size_of::<Ty>() <= 40, "a slot's type stays small");
    }
}
