//! Which functions must keep the total of an asset (`spec/verification.md`,
//! "Asset conservation"), decided from types alone, for the verifier (which
//! proves it) and for `minc test` (which checks it at run time).
//!
//! An asset type with exactly one `ℕ` field has an *amount*, that field.
//! A function of the asset's module that receives values of the asset and
//! returns some keeps their total; one that only returns them (a *mint*) or
//! only receives them (a *burn*) owes nothing.

use crate::interface::{AdtDef, TypeKind};
use crate::types::{Con, Type};
use min_core::{Global, Ty};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// The data and record types of a program, by qualified name.
pub type Types = BTreeMap<Arc<str>, Arc<AdtDef>>;

/// An asset type with an amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// Its qualified name.
    pub name: Arc<str>,
    /// The index of its `ℕ` field.
    pub amount: usize,
}

/// The assets with an amount declared by `module`, or by any module when `None`.
pub fn assets(types: &Types, module: Option<&str>) -> Vec<Asset> {
    types
        .values()
        .filter(|adt| adt.kind == TypeKind::Asset && module.is_none_or(|module| adt.module() == module))
        .filter_map(|adt| {
            let [constructor] = &adt.constructors[..] else { return None };
            let nat = Type::App(Con::Nat, Vec::new());
            let mut amounts = constructor.fields.iter().enumerate().filter(|(_, (_, ty))| *ty == nat);
            match (amounts.next(), amounts.next()) {
                (Some((index, _)), None) => Some(Asset { name: adt.qualified.clone(), amount: index }),
                _ => None,
            }
        })
        .collect()
}

/// The assets of `global`'s module whose total it keeps: it receives and
/// returns values that may hold them.
pub fn kept(types: &Types, global: &Global) -> Vec<Asset> {
    let module = global.name.rsplit_once('.').map_or("", |(module, _)| module);
    let (params, result) = signature(global);
    assets(types, Some(module))
        .into_iter()
        .filter(|asset| params.iter().any(|ty| holds(types, ty, asset)) && holds(types, result, asset))
        .collect()
}

/// The parameter types and result type of `global`.
pub fn signature(global: &Global) -> (Vec<&Ty>, &Ty) {
    let mut params = Vec::new();
    let mut ty = &global.ty;
    while params.len() < global.arity as usize
        && let Ty::Fun(param, result) = ty
    {
        params.push(&**param);
        ty = result;
    }
    (params, ty)
}

/// Whether values of `ty` may hold a value of `asset` that the holder may
/// move (a reference's object is only read).
pub fn holds(types: &Types, ty: &Ty, asset: &Asset) -> bool {
    holds_in(types, ty, asset, &mut HashSet::new())
}

fn holds_in(types: &Types, ty: &Ty, asset: &Asset, visiting: &mut HashSet<Ty>) -> bool {
    match ty {
        Ty::Data(name, _) if *name == asset.name => true,
        // A reference input reads its object and moves none of its assets.
        Ty::Data(name, _) if &**name == crate::interface::REF => false,
        Ty::List(item) => holds_in(types, item, asset, visiting),
        Ty::Tuple(items) => items.iter().any(|item| holds_in(types, item, asset, visiting)),
        Ty::Data(..) => {
            if !visiting.insert(ty.clone()) {
                return false;
            }
            let Some((_, constructors)) = constructors(types, ty) else { return false };
            constructors.iter().flatten().any(|field| holds_in(types, field, asset, visiting))
        }
        _ => false,
    }
}

/// The definition of data type `ty` and the field types of each of its
/// constructors, if `types` declares it.
pub fn constructors<'t>(types: &'t Types, ty: &Ty) -> Option<(&'t AdtDef, Vec<Vec<Ty>>)> {
    let Ty::Data(name, args) = ty else { return None };
    let def = types.get(name)?;
    let fields =
        def.constructors.iter().map(|c| c.fields.iter().map(|(_, field)| core_type(field, args)).collect()).collect();
    Some((def, fields))
}

/// An analysis type as a core type, the data type's parameters replaced by `args`.
pub fn core_type(ty: &Type, args: &[Ty]) -> Ty {
    match ty {
        Type::Gen(i) => args.get(*i as usize).cloned().unwrap_or_default(),
        Type::Var(_) => Ty::Unknown,
        Type::Fun(a, b) => Ty::Fun(Box::new(core_type(a, args)), Box::new(core_type(b, args))),
        Type::App(con, items) => con.core_type(items.iter().map(|t| core_type(t, args)).collect()),
    }
}
