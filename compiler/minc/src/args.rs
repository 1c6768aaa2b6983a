//! Command-line arguments of `minc run`: Min literals read at the type of
//! the parameter they are passed to.

use min_analysis::interface::{AdtDef, Interface};
use min_analysis::types::{Con, Type, TypePrinter};
use min_analysis::unify::substitute_generics;
use min_core::Constructor;
use min_diagnostics::FileId;
use min_interp::Value;
use min_syntax::ast::{Expr, ExprKind, Name, UnOp};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An argument value, owning what the interpreter's values will borrow.
#[derive(Debug)]
pub enum Argument {
    /// A ℕ.
    Nat(u128),
    /// A ℤ.
    Int(i128),
    /// A ℝ.
    Real(f64),
    /// A Bool.
    Bool(bool),
    /// A Char.
    Char(char),
    /// An S.
    Str(String),
    /// A list.
    List(Vec<Argument>),
    /// A tuple (unit when empty).
    Tuple(Vec<Argument>),
    /// A constructor applied to its fields.
    Data(Box<Constructor>, Vec<Argument>),
}

impl Argument {
    /// The interpreter's view of the argument.
    pub fn to_value(&self) -> Value<'_> {
        match self {
            Argument::Nat(n) => Value::Nat(*n),
            Argument::Int(n) => Value::Int(*n),
            Argument::Real(x) => Value::Real(*x),
            Argument::Bool(b) => Value::Bool(*b),
            Argument::Char(c) => Value::Char(*c),
            Argument::Str(s) => Value::string(s),
            Argument::List(items) => Value::list(items.iter().map(Argument::to_value).collect()),
            Argument::Tuple(items) => Value::tuple(items.iter().map(Argument::to_value).collect()),
            Argument::Data(constructor, fields) => {
                Value::data(constructor, fields.iter().map(Argument::to_value).collect())
            }
        }
    }
}

/// What the arguments read so far fixed about a generic function's type
/// variables: `same x y = x == y` cannot take `1` and `"a"`.
#[derive(Default)]
pub struct Bindings(Vec<(Type, Type)>);

/// Reads `text` as a literal of type `ty`. `interfaces` resolves the
/// constructors of user-defined types; `bindings` carries type variables
/// from one argument to the next.
pub fn parse_argument(
    text: &str,
    ty: &Type,
    interfaces: &BTreeMap<String, Arc<Interface>>,
    bindings: &mut Bindings,
) -> Result<Argument, String> {
    let expr = min_syntax::parse_expression(FileId(u32::MAX), text).map_err(|diagnostics| {
        diagnostics.first().map_or_else(|| "not an expression".to_string(), |d| d.message.clone())
    })?;
    read(&expr, &Reader { text, interfaces }, ty, bindings)
}

struct Reader<'a> {
    text: &'a str,
    interfaces: &'a BTreeMap<String, Arc<Interface>>,
}

fn show(ty: &Type) -> String {
    TypePrinter::default().show(ty)
}

fn read(expr: &Expr, reader: &Reader, ty: &Type, bindings: &mut Bindings) -> Result<Argument, String> {
    let (text, interfaces) = (reader.text, reader.interfaces);
    let source = || text.get(expr.span.range()).unwrap_or(text).to_string();
    let wrong = || format!("`{}` is not a literal of type `{}`", source(), show(ty));
    let negative_int = |e: &Expr| match &e.kind {
        ExprKind::Unary(UnOp::Neg, inner) => match inner.kind {
            ExprKind::Int(n) => Some((n, true)),
            _ => None,
        },
        ExprKind::Int(n) => Some((*n, false)),
        _ => None,
    };
    let real = |e: &Expr| match &e.kind {
        ExprKind::Real(bits) => Some(f64::from_bits(*bits)),
        ExprKind::Int(n) => Some(*n as f64),
        ExprKind::Unary(UnOp::Neg, inner) => match inner.kind {
            ExprKind::Real(bits) => Some(-f64::from_bits(bits)),
            ExprKind::Int(n) => Some(-(n as f64)),
            _ => None,
        },
        _ => None,
    };
    match ty {
        Type::App(Con::Nat, _) => match negative_int(expr) {
            Some((n, false)) => Ok(Argument::Nat(n)),
            Some((_, true)) => Err(format!("`{}` is negative, and a ℕ cannot be", source())),
            None => Err(wrong()),
        },
        Type::App(Con::Int, _) => match negative_int(expr) {
            Some((n, negative)) => {
                let value = if negative { 0i128.checked_sub_unsigned(n) } else { i128::try_from(n).ok() };
                value.map(Argument::Int).ok_or_else(|| format!("`{}` does not fit in ℤ", source()))
            }
            None => Err(wrong()),
        },
        Type::App(Con::Real, _) => real(expr).map(Argument::Real).ok_or_else(wrong),
        Type::App(Con::Bool, _) => match expr.kind {
            ExprKind::Bool(b) => Ok(Argument::Bool(b)),
            _ => Err(wrong()),
        },
        Type::App(Con::Char, _) => match expr.kind {
            ExprKind::Char(c) => Ok(Argument::Char(c)),
            _ => Err(wrong()),
        },
        Type::App(Con::Str, _) => match &expr.kind {
            ExprKind::Str(s) => Ok(Argument::Str(s.clone())),
            ExprKind::Char(c) => Ok(Argument::Str(c.to_string())),
            _ => Err(wrong()),
        },
        Type::App(Con::List, args) => match &expr.kind {
            ExprKind::List(items) => items
                .iter()
                .map(|item| read(item, reader, &args[0], bindings))
                .collect::<Result<_, _>>()
                .map(Argument::List),
            _ => Err(wrong()),
        },
        Type::App(Con::Tuple(0), _) => match &expr.kind {
            ExprKind::Tuple(items) if items.is_empty() => Ok(Argument::Tuple(Vec::new())),
            _ => Err(wrong()),
        },
        Type::App(Con::Tuple(_), args) => match &expr.kind {
            ExprKind::Tuple(items) if items.len() == args.len() => items
                .iter()
                .zip(args)
                .map(|(item, ty)| read(item, reader, ty, bindings))
                .collect::<Result<_, _>>()
                .map(Argument::Tuple),
            _ => Err(wrong()),
        },
        Type::App(Con::Adt(qualified), args) => {
            let adt = find_adt(qualified, interfaces).ok_or_else(wrong)?;
            read_data(expr, reader, &adt, args, bindings).ok_or_else(wrong)?
        }
        Type::Var(_) | Type::Gen(_) => {
            if let Some((_, bound)) = bindings.0.iter().find(|(var, _)| var == ty) {
                let bound = bound.clone();
                return read(expr, reader, &bound, bindings);
            }
            let literal = literal_type(expr).ok_or_else(|| {
                format!("`{}` is not a literal whose type can be told without the function's signature", source())
            })?;
            bindings.0.push((ty.clone(), literal.clone()));
            read(expr, reader, &literal, bindings)
        }
        Type::Fun(_, _) | Type::App(Con::Rigid(_), _) => {
            Err(format!("`minc run` cannot pass a `{}` from the command line", show(ty)))
        }
    }
}

/// The type a literal has by its form alone, for a generic parameter.
fn literal_type(expr: &Expr) -> Option<Type> {
    Some(match &expr.kind {
        ExprKind::Int(_) => Type::con(Con::Int),
        ExprKind::Unary(UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Int(_)) => Type::con(Con::Int),
        ExprKind::Real(_) | ExprKind::Unary(UnOp::Neg, _) => Type::con(Con::Real),
        ExprKind::Bool(_) => Type::con(Con::Bool),
        ExprKind::Char(_) => Type::con(Con::Char),
        ExprKind::Str(_) => Type::con(Con::Str),
        ExprKind::List(items) => Type::list(match items.first() {
            Some(first) => literal_type(first)?,
            None => Type::unit(),
        }),
        ExprKind::Tuple(items) => {
            let items: Vec<Type> = items.iter().map(literal_type).collect::<Option<_>>()?;
            Type::App(Con::Tuple(items.len() as u32), items)
        }
        _ => return None,
    })
}

fn find_adt(qualified: &str, interfaces: &BTreeMap<String, Arc<Interface>>) -> Option<Arc<AdtDef>> {
    let (module, name) = qualified.rsplit_once('.')?;
    interfaces.get(module)?.types.get(name).cloned()
}

fn read_data(
    expr: &Expr,
    reader: &Reader,
    adt: &AdtDef,
    args: &[Type],
    bindings: &mut Bindings,
) -> Option<Result<Argument, String>> {
    if let ExprKind::Record(fields) = &expr.kind {
        return read_record(fields, reader, adt, args, bindings);
    }
    let (head, fields): (&Expr, &[Expr]) = match &expr.kind {
        ExprKind::Juxtaposition(items) => match items.as_slice() {
            [single] => return read_data(single, reader, adt, args, bindings),
            [head, rest @ ..] => (head, rest),
            [] => return None,
        },
        ExprKind::Path(_) => (expr, &[]),
        _ => return None,
    };
    let ExprKind::Path(path) = &head.kind else { return None };
    let name = &path.last()?.text;
    let tag = adt.constructor_index(name)?;
    let def = &adt.constructors[tag as usize];
    if def.fields.len() != fields.len() {
        return Some(Err(format!("`{name}` takes {} field(s), {} given", def.fields.len(), fields.len())));
    }
    let values: Result<Vec<Argument>, String> = fields
        .iter()
        .zip(&def.fields)
        .map(|(field, (_, field_ty))| read(field, reader, &substitute_generics(field_ty, args), bindings))
        .collect();
    Some(values.map(|values| Argument::Data(Box::new(constructor(adt, tag)), values)))
}

/// `{x = 1.0, y = 2.0}` for a record type: every field, once.
fn read_record(
    fields: &[(Name, Expr)],
    reader: &Reader,
    adt: &AdtDef,
    args: &[Type],
    bindings: &mut Bindings,
) -> Option<Result<Argument, String>> {
    if !adt.record {
        return None;
    }
    let declared = &adt.constructors[0].fields;
    let mut values = Vec::with_capacity(declared.len());
    for (name, ty) in declared {
        let given: Vec<&Expr> = fields.iter().filter(|(n, _)| Some(&n.text) == name.as_ref()).map(|(_, e)| e).collect();
        let [value] = given.as_slice() else {
            let name = name.as_deref().unwrap_or("?");
            return Some(Err(format!("the record needs the field `{name}` exactly once")));
        };
        match read(value, reader, &substitute_generics(ty, args), bindings) {
            Ok(value) => values.push(value),
            Err(error) => return Some(Err(error)),
        }
    }
    if fields.len() != declared.len() {
        return Some(Err("the record has a field its type does not have".to_string()));
    }
    Some(Ok(Argument::Data(Box::new(constructor(adt, 0)), values)))
}

fn constructor(adt: &AdtDef, tag: u32) -> Constructor {
    adt.core_constructor(tag)
}
