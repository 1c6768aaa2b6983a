//! Types as the checker sees them: unification variables with levels and
//! numeric classes, type constructors, and generalized schemes.

use std::fmt::Write;
use std::sync::Arc;

/// A type constructor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Con {
    /// `ℕ`: checked 128-bit natural numbers.
    Nat,
    /// `ℤ`: checked 128-bit integers.
    Int,
    /// `ℝ`: IEEE binary64 with canonical NaN.
    Real,
    /// `Bool`.
    Bool,
    /// `Char`.
    Char,
    /// `S`: strings.
    Str,
    /// `[a]`.
    List,
    /// `(a, b, …)` with this many components; zero is the unit type `()`.
    Tuple(u32),
    /// A user-defined algebraic data type or record, by qualified name.
    Adt(Arc<str>),
    /// A type variable of a signature, which must stay abstract.
    Rigid(Arc<str>),
}

impl Con {
    /// The core IR's type of this constructor applied to `args`, already
    /// in the core IR's form. A rigid variable keeps the name its signature
    /// gave it (without the checker's `#` suffix).
    pub fn core_type(&self, mut args: Vec<min_core::Ty>) -> min_core::Ty {
        use min_core::Ty;
        match self {
            Con::Nat => Ty::Nat,
            Con::Int => Ty::Int,
            Con::Real => Ty::Real,
            Con::Bool => Ty::Bool,
            Con::Char => Ty::Char,
            Con::Str => Ty::Str,
            Con::List => Ty::List(Box::new(args.pop().unwrap_or_default())),
            Con::Tuple(_) => Ty::Tuple(args.into()),
            Con::Adt(name) => Ty::Data(name.clone(), args.into()),
            Con::Rigid(name) => Ty::Param(name.split('#').next().unwrap_or(name).into()),
        }
    }
}

/// A type. `Var` is a unification variable; `Gen` a quantified variable of a scheme.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A unification variable.
    Var(u32),
    /// The `i`th quantified variable of a scheme.
    Gen(u32),
    /// A constructor applied to arguments.
    App(Con, Vec<Type>),
    /// `A → B`.
    Fun(Arc<Type>, Arc<Type>),
}

impl Type {
    /// A constructor with no arguments.
    pub fn con(con: Con) -> Type {
        Type::App(con, Vec::new())
    }
    /// `A → B`.
    pub fn fun(param: Type, result: Type) -> Type {
        Type::Fun(Arc::new(param), Arc::new(result))
    }
    /// The parameters of a curried function type and its final result
    /// (no parameters and the type itself for anything but a function).
    pub fn parameters_and_result(&self) -> (Vec<&Type>, &Type) {
        let mut params = Vec::new();
        let mut ty = self;
        while let Type::Fun(param, result) = ty {
            params.push(&**param);
            ty = result;
        }
        (params, ty)
    }

    /// `[item]`.
    pub fn list(item: Type) -> Type {
        Type::App(Con::List, vec![item])
    }
    /// The unit type `()`.
    pub fn unit() -> Type {
        Type::App(Con::Tuple(0), Vec::new())
    }
}

/// The set of base types a constrained variable may still become. `None`
/// means any type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Class(pub Option<u8>);

impl Class {
    /// No constraint.
    pub const ANY: Class = Class(None);
    /// `ℕ`, `ℤ` or `ℝ`: arithmetic.
    pub const NUM: Class = Class(Some(NAT | INT | REAL));
    /// `ℤ` or `ℝ`: negation.
    pub const SIGNED: Class = Class(Some(INT | REAL));
    /// `ℕ` or `ℤ`: remainder.
    pub const INTEGRAL: Class = Class(Some(NAT | INT));
    /// Numbers, characters and strings: ordering.
    pub const ORD: Class = Class(Some(NAT | INT | REAL | CHAR | STR));
    /// `Char` or `S`: character literals.
    pub const TEXT: Class = Class(Some(CHAR | STR));
    /// `S` or a list: `++`.
    pub const APPEND: Class = Class(Some(STR | LIST));

    /// Both constraints at once, or `None` when no type satisfies both.
    pub fn meet(self, other: Class) -> Option<Class> {
        match (self.0, other.0) {
            (None, c) | (c, None) => Some(Class(c)),
            (Some(a), Some(b)) if a & b != 0 => Some(Class(Some(a & b))),
            _ => None,
        }
    }

    /// Whether a constructor satisfies the constraint.
    pub fn admits(self, con: &Con) -> bool {
        let Some(mask) = self.0 else { return true };
        let bit = match con {
            Con::Nat => NAT,
            Con::Int => INT,
            Con::Real => REAL,
            Con::Char => CHAR,
            Con::Str => STR,
            Con::List => LIST,
            _ => 0,
        };
        mask & bit != 0
    }

    /// The type a variable of this class becomes when nothing else decides.
    pub fn default_type(self) -> Option<Type> {
        let mask = self.0?;
        let con = if mask & INT != 0 {
            Con::Int
        } else if mask & NAT != 0 {
            Con::Nat
        } else if mask & REAL != 0 {
            Con::Real
        } else if mask & CHAR != 0 {
            Con::Char
        } else {
            Con::Str
        };
        Some(Type::con(con))
    }

    /// Words for diagnostics: "a number", "a number or text".
    pub fn describe(self) -> &'static str {
        match self.0 {
            None => "any type",
            Some(m) if m == NAT | INT | REAL => "a number",
            Some(m) if m == INT | REAL => "a signed number (ℤ or ℝ)",
            Some(m) if m == NAT | INT => "an integer (ℕ or ℤ)",
            Some(m) if m == CHAR | STR => "a character or string",
            Some(m) if m == STR | LIST => "a string or a list",
            Some(_) => "a number, character or string",
        }
    }
}

const NAT: u8 = 1;
const INT: u8 = 2;
const REAL: u8 = 4;
const CHAR: u8 = 8;
const STR: u8 = 16;
const LIST: u8 = 32;

/// A generalized type: `∀ a b. T`, where each quantified variable may carry a class.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scheme {
    /// The class of each quantified variable `Gen(i)`.
    pub classes: Vec<Class>,
    /// The type, with `Gen` for quantified variables.
    pub ty: Type,
}

impl Scheme {
    /// A type with nothing quantified.
    pub fn mono(ty: Type) -> Scheme {
        Scheme { classes: Vec::new(), ty }
    }
}

/// Writes types the way users write them, naming variables `a`, `b`, …
#[derive(Default)]
pub struct TypePrinter {
    names: Vec<(Type, String)>,
    /// Signature variables shown so far: full name and display name. Two
    /// signatures' `a` are different types and print as `a` and `a′`.
    rigid: Vec<(Arc<str>, String)>,
}

impl TypePrinter {
    /// `ty` as Min source.
    pub fn show(&mut self, ty: &Type) -> String {
        let mut out = String::new();
        self.write(ty, false, &mut out);
        out
    }

    fn var_name(&mut self, var: &Type) -> String {
        if let Some((_, name)) = self.names.iter().find(|(v, _)| v == var) {
            return name.clone();
        }
        let index = self.names.len();
        let letter = (b'a' + (index % 26) as u8) as char;
        let name = if index < 26 { letter.to_string() } else { format!("{letter}{}", index / 26) };
        self.names.push((var.clone(), name.clone()));
        name
    }

    fn rigid_name(&mut self, full: &Arc<str>) -> String {
        if let Some((_, shown)) = self.rigid.iter().find(|(name, _)| name == full) {
            return shown.clone();
        }
        let base = full.split('#').next().unwrap_or(full);
        let mut shown = base.to_string();
        while self.rigid.iter().any(|(_, other)| *other == shown) {
            shown.push('′');
        }
        self.rigid.push((full.clone(), shown.clone()));
        shown
    }

    fn write(&mut self, ty: &Type, parenthesize_functions: bool, out: &mut String) {
        match ty {
            Type::Var(_) | Type::Gen(_) => {
                let name = self.var_name(ty);
                out.push_str(&name);
            }
            Type::Fun(param, result) => {
                if parenthesize_functions {
                    out.push('(');
                }
                self.write(param, true, out);
                out.push_str(" → ");
                self.write(result, false, out);
                if parenthesize_functions {
                    out.push(')');
                }
            }
            Type::App(con, args) => match con {
                Con::List => {
                    out.push('[');
                    if let Some(item) = args.first() {
                        self.write(item, false, out);
                    }
                    out.push(']');
                }
                Con::Tuple(_) => {
                    out.push('(');
                    for (i, arg) in args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.write(arg, false, out);
                    }
                    out.push(')');
                }
                _ => {
                    let name: &str = match con {
                        Con::Nat => "ℕ",
                        Con::Int => "ℤ",
                        Con::Real => "ℝ",
                        Con::Bool => "Bool",
                        Con::Char => "Char",
                        Con::Str => "S",
                        Con::Adt(name) => short_name(name),
                        Con::Rigid(name) => {
                            let shown = self.rigid_name(name);
                            out.push_str(&shown);
                            return;
                        }
                        Con::List | Con::Tuple(_) => unreachable!("handled above"),
                    };
                    if args.is_empty() {
                        out.push_str(name);
                    } else {
                        if parenthesize_functions {
                            out.push('(');
                        }
                        out.push_str(name);
                        for arg in args {
                            out.push(' ');
                            let atomic = matches!(arg, Type::App(_, a) if a.is_empty())
                                || matches!(arg, Type::App(Con::List | Con::Tuple(_), _) | Type::Var(_) | Type::Gen(_));
                            if atomic {
                                self.write(arg, false, out);
                            } else {
                                let _ = write!(out, "(");
                                self.write(arg, false, out);
                                out.push(')');
                            }
                        }
                        if parenthesize_functions {
                            out.push(')');
                        }
                    }
                }
            },
        }
    }
}

/// `Option` for `Prelude.Option`: the name users wrote.
pub fn short_name(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}
