//! A counterexample as Min source: each argument of the function, read
//! from Z3's model, written as a literal that `minc run` accepts. Parts of
//! an argument that the verifier did not model get a default value of
//! their type: the failing path never looked at them.

use crate::program::Program;
use crate::symbolic::Sym;
use min_core::Ty;
use z3::Model;

/// How deep default values of data types may nest.
const DEFAULT_DEPTH: u32 = 4;

/// The arguments as Min literals, or the type of one that cannot be written.
pub(crate) fn arguments(program: &Program<'_>, model: &Model, parameters: &[(Sym, Ty)]) -> Result<Vec<String>, Ty> {
    parameters.iter().map(|(value, ty)| literal(program, model, value, ty, false)).collect()
}

/// `value` of type `ty` as a literal; `nested` when it is the argument of a
/// constructor (so that it needs parentheses unless it is atomic).
fn literal(program: &Program<'_>, model: &Model, value: &Sym, ty: &Ty, nested: bool) -> Result<String, Ty> {
    match (value, ty) {
        (Sym::Int(x, _), _) => {
            let evaluated = model.eval(x, true).ok_or_else(|| ty.clone())?;
            let text =
                evaluated.as_i128().map(|i| i.to_string()).or_else(|| evaluated.as_u128().map(|n| n.to_string()));
            let text = text.ok_or_else(|| ty.clone())?;
            Ok(if nested && text.starts_with('-') { format!("({text})") } else { text })
        }
        (Sym::Bool(b, _), _) => {
            let evaluated = model.eval(b, true).and_then(|b| b.as_bool()).ok_or_else(|| ty.clone())?;
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
            let tag = model.eval(tag, true).and_then(|t| t.as_u64()).ok_or_else(|| ty.clone())?;
            let tag = u32::try_from(tag).map_err(|_| ty.clone())?;
            match variants.get(&tag) {
                Some(fields) => literal(program, model, &Sym::Con(tag, fields.clone()), ty, nested),
                None => default(program, ty, nested, 0).ok_or_else(|| ty.clone()),
            }
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
