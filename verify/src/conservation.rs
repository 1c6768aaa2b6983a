//! Asset conservation (`spec/verification.md`). An asset type with exactly
//! one `ℕ` field, `asset Coin = Record value:ℕ`, has an *amount*: that
//! field. Linearity already keeps every asset value from being copied or
//! dropped outside its module (`spec/assets.md`); inside the module, where
//! values are built and taken apart, each function must keep the total
//! amount of the assets it receives in what it returns, unless its type
//! says it creates or destroys them: a *mint* receives no value of the
//! asset and returns some, a *burn* receives some and returns none.
//!
//! The total of a value is the sum of the amounts of the asset values it
//! holds: in its fields, tuple components and constructors' fields, through
//! any data type, and in lists: the items known one by one, and the rest
//! of a list by the total it carries ([`Tail`](crate::symbolic::Tail)).

use crate::program::Program;
use crate::symbolic::{ListSym, Rest, Sym, Taint, join};
use min_core::{Global, Ty};
use z3::ast::{Bool, Int};

pub(crate) use min_analysis::conservation::Asset;

/// What a function does to an asset's total, by its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// It receives and returns values of the asset: it keeps the total.
    Keeps,
    /// It creates or destroys them (a mint or a burn), or never sees them.
    Free,
}

/// The assets with an amount that `global`'s module declares.
pub(crate) fn assets_of(program: &Program<'_>, global: &Global) -> Vec<Asset> {
    let module = global.name.rsplit_once('.').map_or("", |(module, _)| module);
    min_analysis::conservation::assets(&program.types, Some(module))
}

/// The assets with an amount that values of `ty` may hold, of any module.
pub(crate) fn assets_in(program: &Program<'_>, ty: &Ty) -> Vec<Asset> {
    min_analysis::conservation::assets(&program.types, None)
        .into_iter()
        .filter(|asset| holds(program, ty, asset))
        .collect()
}

/// Whether `global` keeps the total of `asset`, by its type
/// ([`min_analysis::conservation::kept`], which `minc test` checks too).
pub(crate) fn shape(program: &Program<'_>, global: &Global, asset: &Asset) -> Shape {
    if min_analysis::conservation::kept(&program.types, global).contains(asset) { Shape::Keeps } else { Shape::Free }
}

pub(crate) use min_analysis::conservation::signature;

/// Whether values of `ty` may hold a value of `asset`.
fn holds(program: &Program<'_>, ty: &Ty, asset: &Asset) -> bool {
    min_analysis::conservation::holds(&program.types, ty, asset)
}

/// The total amount of `asset` that `value`, of type `ty`, holds, with
/// the taint of what it was computed from; `Err` says why it is not modelled.
pub(crate) fn total(program: &Program<'_>, value: &Sym, ty: &Ty, asset: &Asset) -> Result<(Int, Taint), String> {
    if !holds(program, ty, asset) {
        return Ok((Int::from_u64(0), None));
    }
    let short = crate::execute::short(&asset.name);
    match (ty, value) {
        (_, Sym::Never) => Ok((Int::from_u64(0), None)),
        (Ty::List(item), Sym::List(list)) => list_total(program, list, item, asset),
        (_, Sym::Opaque(reason)) => Err(format!("the total of `{short}` in a value that is not modelled ({reason})")),
        (Ty::Tuple(items), Sym::Tuple(parts)) if items.len() == parts.len() => {
            sum(items.iter().zip(parts).map(|(item, part)| total(program, part, item, asset)))
        }
        (Ty::Data(name, _), Sym::Con(_, fields)) if *name == asset.name => match fields.get(asset.amount) {
            Some(Sym::Int(amount, taint)) => Ok((amount.clone(), taint.clone())),
            _ => Err(format!("the amount of a `{short}` is not modelled")),
        },
        (Ty::Data(..), Sym::Con(tag, fields)) => {
            let Some((_, constructors)) = program.constructors(ty) else {
                return Err(format!("the total of `{short}` in a value of an unknown type"));
            };
            let Some(types) = constructors.get(*tag as usize) else {
                return Err(format!("the total of `{short}` in a value of an unknown constructor"));
            };
            sum(types.iter().zip(fields).map(|(field_ty, field)| total(program, field, field_ty, asset)))
        }
        (Ty::Data(..), Sym::Sum(tag, taint, variants)) => {
            let Some((_, constructors)) = program.constructors(ty) else {
                return Err(format!("the total of `{short}` in a value of an unknown type"));
            };
            let mut result = (Int::from_u64(0), taint.clone());
            for (variant, fields) in variants.iter() {
                let types = constructors.get(*variant as usize).ok_or("a constructor of an unknown tag")?;
                let (amount, field_taint) =
                    sum(types.iter().zip(fields).map(|(field_ty, field)| total(program, field, field_ty, asset)))?;
                let chosen: Bool = tag.eq(Int::from_u64(u64::from(*variant)));
                result = (chosen.ite(&amount, &result.0), join(&result.1, &field_taint));
            }
            Ok(result)
        }
        _ => Err(format!("the total of `{short}` in a value that is not modelled")),
    }
}

/// The total of `asset` in `list`, whose items are of type `item`.
fn list_total(program: &Program<'_>, list: &ListSym, item: &Ty, asset: &Asset) -> Result<(Int, Taint), String> {
    let (known, known_taint) = sum(list.items.iter().map(|value| total(program, value, item, asset)))?;
    let (rest, rest_taint) = match &list.rest {
        Rest::Empty => (Int::from_u64(0), None),
        Rest::Unknown(tail) => match tail.totals.get(&asset.name) {
            Some(amount) => (amount.clone(), tail.taint.clone()),
            None => {
                let short = crate::execute::short(&asset.name);
                return Err(format!("the total of `{short}` in a list of `{item}` is not modelled"));
            }
        },
        Rest::Joined(condition, condition_taint, a, b) => {
            let (x, tx) = list_total(program, a, item, asset)?;
            let (y, ty) = list_total(program, b, item, asset)?;
            (condition.ite(&x, &y), join(&join(&tx, &ty), condition_taint))
        }
        Rest::Appended(a, b) => sum([a, b].into_iter().map(|part| list_total(program, part, item, asset)))?,
    };
    Ok((&known + &rest, join(&known_taint, &rest_taint)))
}

/// The sum of `amounts`, or the first reason one is not modelled.
fn sum(amounts: impl Iterator<Item = Result<(Int, Taint), String>>) -> Result<(Int, Taint), String> {
    let mut total = (Int::from_u64(0), None);
    for amount in amounts {
        let (amount, taint) = amount?;
        total = (&total.0 + &amount, join(&total.1, &taint));
    }
    Ok(total)
}

/// The total of `asset` in `values`, each of the type in `types`.
pub(crate) fn total_of(
    program: &Program<'_>,
    values: &[Sym],
    types: &[&Ty],
    asset: &Asset,
) -> Result<(Int, Taint), String> {
    sum(values.iter().zip(types).map(|(value, ty)| total(program, value, ty, asset)))
}
