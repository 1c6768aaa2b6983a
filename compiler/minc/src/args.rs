//! Command-line arguments of `minc run`: Min literals read at the type of
//! the parameter they are passed to.

use min_analysis::interface::{AdtDef, Interface};
use min_analysis::types::{Con, Type, TypePrinter};
use min_core::Constructor;
use min_diagnostics::FileId;
use min_interp::Value;
use min_syntax::ast::{Expr, ExprKind, UnOp};
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

/// Reads `text` as a literal of type `ty`. `interfaces` resolves the
/// constructors of user-defined types.
pub fn parse_argument(
    text: &str,
    ty: &Type,
    interfaces: &BTreeMap<String, Arc<Interface>>,
) -> Result<Argument, String> {
    let expr = min_syntax::parse_expression(FileId(u32::MAX), text).map_err(|diagnostics| {
        diagnostics.first().map_or_else(|| "not an expression".to_string(), |d| d.message.clone())
    })?;
    read(&expr, text, ty, interfaces)
}

fn show(ty: &Type) -> String {
    TypePrinter::default().show(ty)
}

fn read(expr: &Expr, text: &str, ty: &Type, interfaces: &BTreeMap<String, Arc<Interface>>) -> Result<Argument, String> {
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
                .map(|item| read(item, text, &args[0], interfaces))
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
                .map(|(item, ty)| read(item, text, ty, interfaces))
                .collect::<Result<_, _>>()
                .map(Argument::Tuple),
            _ => Err(wrong()),
        },
        Type::App(Con::Adt(qualified), args) => {
            let adt = find_adt(qualified, interfaces).ok_or_else(wrong)?;
            read_data(expr, text, &adt, args, interfaces).ok_or_else(wrong)?
        }
        Type::Var(_) | Type::Gen(_) => read_untyped(expr, text, interfaces).ok_or_else(|| {
            format!("`{}` is not a literal whose type can be told without the function's signature", source())
        }),
        Type::Fun(_, _) | Type::App(Con::Rigid(_), _) => {
            Err(format!("`minc run` cannot pass a `{}` from the command line", show(ty)))
        }
    }
}

/// A literal whose type the parameter does not fix: read by its form.
fn read_untyped(expr: &Expr, text: &str, interfaces: &BTreeMap<String, Arc<Interface>>) -> Option<Argument> {
    let ty = match &expr.kind {
        ExprKind::Int(_) => Type::con(Con::Int),
        ExprKind::Unary(UnOp::Neg, inner) if matches!(inner.kind, ExprKind::Int(_)) => Type::con(Con::Int),
        ExprKind::Real(_) | ExprKind::Unary(UnOp::Neg, _) => Type::con(Con::Real),
        ExprKind::Bool(_) => Type::con(Con::Bool),
        ExprKind::Char(_) => Type::con(Con::Char),
        ExprKind::Str(_) => Type::con(Con::Str),
        ExprKind::List(items) => {
            return items
                .iter()
                .map(|item| read_untyped(item, text, interfaces))
                .collect::<Option<_>>()
                .map(Argument::List);
        }
        ExprKind::Tuple(items) => {
            return items
                .iter()
                .map(|item| read_untyped(item, text, interfaces))
                .collect::<Option<_>>()
                .map(Argument::Tuple);
        }
        _ => return None,
    };
    read(expr, text, &ty, interfaces).ok()
}

fn find_adt(qualified: &str, interfaces: &BTreeMap<String, Arc<Interface>>) -> Option<Arc<AdtDef>> {
    let (module, name) = qualified.rsplit_once('.')?;
    interfaces.get(module)?.types.get(name).cloned()
}

fn read_data(
    expr: &Expr,
    text: &str,
    adt: &AdtDef,
    args: &[Type],
    interfaces: &BTreeMap<String, Arc<Interface>>,
) -> Option<Result<Argument, String>> {
    let (head, fields): (&Expr, &[Expr]) = match &expr.kind {
        ExprKind::Juxtaposition(items) => match items.as_slice() {
            [single] => return read_data(single, text, adt, args, interfaces),
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
        .map(|(field, (_, field_ty))| {
            read(field, text, &min_analysis::unify::substitute_generics(field_ty, args), interfaces)
        })
        .collect();
    let constructor = Constructor {
        name: def.name.clone(),
        tag,
        arity: def.fields.len() as u32,
        fields: def.fields.iter().filter_map(|(n, _)| n.clone()).collect(),
        record: adt.record,
    };
    Some(values.map(|values| Argument::Data(Box::new(constructor), values)))
}
