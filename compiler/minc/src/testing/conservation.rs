//! Asset conservation checked at run time (`spec/verification.md`): a
//! call of a function that must keep the total of an asset (decided by
//! [`min_analysis::conservation`], as `minc verify` decides it) is checked
//! on its real arguments and result, and one that does not keep it fails
//! with `E0419` at the call.

use min_analysis::conservation::{Asset, Types, constructors, holds, kept, signature};
use min_core::{Global, Module, Ty};
use min_interp::{ConservationCheck, Value};
use std::collections::{BTreeMap, HashSet};

/// The functions of `modules` that must keep an asset's total, and the
/// check of a call of one of them.
pub fn check<'p>(modules: &'p [Module], types: Types) -> (HashSet<String>, Box<ConservationCheck<'p>>) {
    let duties: BTreeMap<&'p str, Vec<Asset>> = modules
        .iter()
        .flat_map(|module| &module.globals)
        .filter(|global| global.arity > 0)
        .map(|global| (global.name.as_str(), kept(&types, global)))
        .filter(|(_, assets)| !assets.is_empty())
        .collect();
    let names = duties.keys().map(|name| name.to_string()).collect();
    let check = move |global: &'p Global, args: &[Value<'p>], result: &Value<'p>| {
        let assets = duties.get(global.name.as_str())?;
        let (params, result_ty) = signature(global);
        for asset in assets {
            let mut before = Some(0u128);
            for (arg, ty) in args.iter().zip(&params) {
                before = before.zip(total(&types, arg, ty, asset)).and_then(|(a, b)| a.checked_add(b));
            }
            let after = total(&types, result, result_ty, asset);
            // A total beyond 128 bits is not compared.
            let (Some(before), Some(after)) = (before, after) else { continue };
            if before != after {
                let short = |name: &str| name.rsplit_once('.').map_or(name, |(_, short)| short).to_string();
                return Some(format!(
                    "`{}` must keep the total of `{}`: its arguments hold {before} and its result {after}",
                    short(&global.name),
                    short(&asset.name),
                ));
            }
        }
        None
    };
    (names, Box::new(check))
}

/// The total amount of `asset` in `value` of type `ty`, or `None` beyond 128 bits.
fn total(types: &Types, value: &Value<'_>, ty: &Ty, asset: &Asset) -> Option<u128> {
    if !holds(types, ty, asset) {
        return Some(0);
    }
    match (ty, value) {
        (Ty::Data(name, _), Value::Data(data)) if *name == asset.name => match data.fields.get(asset.amount) {
            Some(Value::Nat(amount)) => Some(*amount),
            _ => Some(0),
        },
        (Ty::Tuple(items), Value::Tuple(parts)) if items.len() == parts.len() => items
            .iter()
            .zip(parts.iter())
            .try_fold(0u128, |sum, (ty, part)| sum.checked_add(total(types, part, ty, asset)?)),
        (Ty::List(item), _) => {
            let mut sum = 0u128;
            let mut list = value;
            while let Value::Cons(pair) = list {
                sum = sum.checked_add(total(types, &pair.head, item, asset)?)?;
                list = &pair.tail;
            }
            Some(sum)
        }
        (Ty::Data(..), Value::Data(data)) => {
            let (_, fields) = constructors(types, ty)?;
            let field_types = fields.get(data.constructor.tag as usize)?;
            field_types
                .iter()
                .zip(data.fields.iter())
                .try_fold(0u128, |sum, (ty, field)| sum.checked_add(total(types, field, ty, asset)?))
        }
        _ => Some(0),
    }
}
