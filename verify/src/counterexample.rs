//! A counterexample as Min source: each argument of the function, read
//! from Z3's model, written as a literal that `minc run` accepts. Parts of
//! an argument that the verifier did not model get a default value of
//! their type: the failing path never looked at them. A list is written
//! with the items the path took apart, then as many more as its length
//! says, the first of which carries its total of an asset when the items
//! are that asset.
//!
//! The model comes back from a solver thread as values of named constants;
//! a constant it leaves out may take any value, so it takes zero (or
//! `false`), as Z3's model completion would give it.

use crate::answer::Value;
use crate::conservation;
use crate::program::Program;
use crate::symbolic::{Rest, Sym, Tail};
use min_core::Ty;
use std::collections::HashMap;
use z3::ast::{Ast, Bool, Int};

/// A model: the value of each constant, by its name in the walk's context.
pub(crate) type Model<'v> = HashMap<&'v str, &'v Value>;

/// The value of the integer term `x` in `model`: a constant's, or a
/// numeral's own.
fn integer(model: &Model<'_>, x: &Int) -> Option<String> {
    if let Some(n) = x.as_i128() {
        return Some(n.to_string());
    }
    if let Some(n) = x.as_u128() {
        return Some(n.to_string());
    }
    if !x.is_const() {
        return None;
    }
    match model.get(x.decl().name().as_str()) {
        Some(Value::Int(text)) => Some(text.clone()),
        Some(Value::Bool(_)) => None,
        None => Some("0".to_string()),
    }
}

/// The value of the boolean term `b` in `model`.
fn boolean(model: &Model<'_>, b: &Bool) -> Option<bool> {
    if let Some(value) = b.as_bool() {
        return Some(value);
    }
    if !b.is_const() {
        return None;
    }
    match model.get(b.decl().name().as_str()) {
        Some(Value::Bool(value)) => Some(*value),
        Some(Value::Int(_)) => None,
        None => Some(false),
    }
}

/// How deep default values of data types may nest.
const DEFAULT_DEPTH: u32 = 4;

/// The arguments as Min literals, or the type of one that cannot be written.
pub(crate) fn arguments(program: &Program<'_>, model: &Model<'_>, parameters: &[(Sym, Ty)]) -> Result<Vec<String>, Ty> {
    parameters.iter().map(|(value, ty)| literal(program, model, value, ty, false)).collect()
}

/// `value` of type `ty` as a literal; `nested` when it is the argument of a
/// constructor (so that it needs parentheses unless it is atomic).
fn literal(program: &Program<'_>, model: &Model<'_>, value: &Sym, ty: &Ty, nested: bool) -> Result<String, Ty> {
    match (value, ty) {
        (Sym::Int(x, _), _) => {
            let text = integer(model, x).ok_or_else(|| ty.clone())?;
            Ok(if nested && text.starts_with('-') { format!("({text})") } else { text })
        }
        (Sym::Bool(b, _), _) => {
            let evaluated = boolean(model, b).ok_or_else(|| ty.clone())?;
            Ok(evaluated.to_string())
        }
        (Sym::Tuple(items), Ty::Tuple(types)) if items.len() == types.len() => {
            let items: Vec<String> = items
                .iter()
                .zip(types.iter())
                .map(|(item, ty)| literal(program, model, item, ty, false))
                .collect::<Result<_, _>>()?;
            Ok(format!("({})", items.join(", ")))
        }
        (Sym::Sum(tag, _, variants), Ty::Data(..)) => {
            let tag = integer(model, tag).and_then(|t| t.parse::<u64>().ok()).ok_or_else(|| ty.clone())?;
            let tag = u32::try_from(tag).map_err(|_| ty.clone())?;
            match variants.get(&tag) {
                Some(fields) => literal(program, model, &Sym::Con(tag, fields.clone()), ty, nested),
                None => default(program, ty, nested, 0).ok_or_else(|| ty.clone()),
            }
        }
        (Sym::List(list), Ty::List(item)) => {
            let mut texts: Vec<String> =
                list.items.iter().map(|value| literal(program, model, value, item, false)).collect::<Result<_, _>>()?;
            match &list.rest {
                Rest::Empty => {}
                Rest::Unknown(tail) => tail_items(program, model, tail, &mut texts).ok_or_else(|| ty.clone())?,
                Rest::Joined(..) | Rest::Appended(..) => return Err(ty.clone()),
            }
            Ok(format!("[{}]", texts.join(", ")))
        }
        (Sym::Con(tag, fields), Ty::Data(..)) => {
            let (def, types) = program.constructors(ty).ok_or_else(|| ty.clone())?;
            let field_types = types.get(*tag as usize).ok_or_else(|| ty.clone())?;
            let constructor = def.constructors.get(*tag as usize).ok_or_else(|| ty.clone())?;
            let texts: Vec<String> = fields
                .iter()
                .zip(field_types)
                .map(|(field, ty)| literal(program, model, field, ty, !def.record))
                .collect::<Result<_, _>>()?;
            Ok(constructed(def.record, constructor, texts, nested))
        }
        _ => default(program, ty, nested, 0).ok_or_else(|| ty.clone()),
    }
}

/// The most items a list in a counterexample is written with.
const LIST_LIMIT: u64 = 1000;

/// The items of `tail` as literals, after `texts`: those a pattern took
/// apart, then items of its remaining length carrying its remaining total;
/// `None` when they cannot be written (a total held by items that are not
/// the asset, a list too long).
fn tail_items(program: &Program<'_>, model: &Model<'_>, tail: &Tail, texts: &mut Vec<String>) -> Option<()> {
    let length: u64 = integer(model, &tail.length)?.parse().ok()?;
    if length == 0 {
        return Some(());
    }
    if let Some((head, rest)) = tail.split.get() {
        texts.push(literal(program, model, head, &tail.item, false).ok()?);
        return tail_items(program, model, rest, texts);
    }
    if length > LIST_LIMIT {
        return None;
    }
    // Only items that are the asset themselves can carry a total.
    let mut carried: Option<(usize, u128)> = None;
    for asset in conservation::assets_in(program, &tail.item) {
        let total: u128 = integer(model, tail.totals.get(&asset.name)?)?.parse().ok()?;
        if total == 0 {
            continue;
        }
        match &tail.item {
            Ty::Data(name, _) if *name == asset.name && carried.is_none() => carried = Some((asset.amount, total)),
            _ => return None,
        }
    }
    let (def, types) = program.constructors(&tail.item).unzip();
    for _ in 0..length {
        let text = match (&mut carried, def, &types) {
            (Some((amount, remaining)), Some(def), Some(types)) if def.constructors.len() == 1 => {
                // A total that fits in 128 bits fits in the first item.
                let part = std::mem::take(remaining);
                let fields: Vec<Sym> =
                    (0..types[0].len())
                        .map(|index| {
                            if index == *amount {
                                Sym::Int(Int::from_u128(part), None)
                            } else {
                                Sym::opaque("a default")
                            }
                        })
                        .collect();
                literal(program, model, &Sym::Con(0, fields), &tail.item, false).ok()?
            }
            (Some(_), _, _) => return None,
            (None, _, _) => default(program, &tail.item, false, 0)?,
        };
        texts.push(text);
    }
    Some(())
}

/// A constructor applied to its fields' literals.
fn constructed(
    record: bool,
    constructor: &min_analysis::interface::ConstructorDef,
    fields: Vec<String>,
    nested: bool,
) -> String {
    if record {
        let fields: Vec<String> = constructor
            .fields
            .iter()
            .zip(fields)
            .map(|((name, _), value)| format!("{} = {value}", name.as_deref().unwrap_or("_")))
            .collect();
        return format!("{{{}}}", fields.join(", "));
    }
    if fields.is_empty() {
        return constructor.name.clone();
    }
    let text = format!("{} {}", constructor.name, fields.join(" "));
    if nested { format!("({text})") } else { text }
}

/// Some value of type `ty`, or `None` for types with no literal (functions,
/// type variables).
fn default(program: &Program<'_>, ty: &Ty, nested: bool, depth: u32) -> Option<String> {
    Some(match ty {
        Ty::Nat | Ty::Int => "0".to_string(),
        Ty::Real => "0.0".to_string(),
        Ty::Bool => "false".to_string(),
        Ty::Char => "'a'".to_string(),
        Ty::Str => "\"\"".to_string(),
        Ty::List(_) => "[]".to_string(),
        Ty::Tuple(items) => {
            let items: Vec<String> =
                items.iter().map(|item| default(program, item, false, depth)).collect::<Option<_>>()?;
            format!("({})", items.join(", "))
        }
        Ty::Data(..) if depth < DEFAULT_DEPTH => {
            let (def, types) = program.constructors(ty)?;
            // The first constructor whose fields all have values.
            def.constructors.iter().zip(&types).find_map(|(constructor, field_types)| {
                let fields: Vec<String> = field_types
                    .iter()
                    .map(|field| default(program, field, !def.record, depth + 1))
                    .collect::<Option<_>>()?;
                Some(constructed(def.record, constructor, fields, nested))
            })?
        }
        _ => return None,
    })
}
