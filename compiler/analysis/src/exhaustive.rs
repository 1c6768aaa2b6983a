//! Exhaustiveness and redundancy of patterns, by Maranget's usefulness
//! algorithm ("Warnings for pattern matching", 2007): a row is useful when
//! some value matches it and no row above it. A missing case is a useful
//! wildcard row; it comes back as a witness to show the user.

use crate::interface::AdtDef;
use std::fmt;
use std::sync::Arc;

/// A pattern reduced to what matters for exhaustiveness.
#[derive(Clone, Debug)]
pub enum SPat {
    /// Matches everything.
    Wild,
    /// A constructor of a finite family, with its argument patterns.
    Constructor(Family, u32, Vec<SPat>),
    /// A literal of an infinite type (numbers, characters, strings).
    Literal(String),
}

/// A closed set of constructors.
#[derive(Clone, Debug)]
pub enum Family {
    /// The constructors of an algebraic data type or record.
    Adt(Arc<AdtDef>),
    /// `false` (0) and `true` (1).
    Bool,
    /// `[]` (0) and `_ :: _` (1).
    List,
    /// The one constructor of a tuple of this size.
    Tuple(u32),
}

impl Family {
    fn size(&self) -> u32 {
        match self {
            Family::Adt(adt) => adt.constructors.len() as u32,
            Family::Bool | Family::List => 2,
            Family::Tuple(_) => 1,
        }
    }

    fn arity(&self, tag: u32) -> usize {
        match self {
            Family::Adt(adt) => adt.constructors.get(tag as usize).map_or(0, |c| c.fields.len()),
            Family::Bool => 0,
            Family::List => 2 * tag as usize,
            Family::Tuple(n) => *n as usize,
        }
    }

    fn same(&self, other: &Family) -> bool {
        match (self, other) {
            (Family::Adt(a), Family::Adt(b)) => a.qualified == b.qualified,
            (Family::Bool, Family::Bool) | (Family::List, Family::List) => true,
            (Family::Tuple(a), Family::Tuple(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for SPat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

impl SPat {
    fn write(&self, f: &mut fmt::Formatter<'_>, nested: bool) -> fmt::Result {
        match self {
            SPat::Wild => f.write_str("_"),
            SPat::Literal(text) => f.write_str(text),
            SPat::Constructor(family, tag, args) => match family {
                Family::Bool => f.write_str(if *tag == 1 { "true" } else { "false" }),
                Family::List if *tag == 0 => f.write_str("[]"),
                Family::List => {
                    if nested {
                        f.write_str("(")?;
                    }
                    args[0].write(f, true)?;
                    f.write_str(" :: ")?;
                    args[1].write(f, false)?;
                    if nested {
                        f.write_str(")")?;
                    }
                    Ok(())
                }
                Family::Tuple(_) => {
                    f.write_str("(")?;
                    for (i, arg) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        arg.write(f, false)?;
                    }
                    f.write_str(")")
                }
                Family::Adt(adt) => {
                    let name = adt.constructors.get(*tag as usize).map_or("?", |c| c.name.as_str());
                    if args.is_empty() {
                        return f.write_str(name);
                    }
                    if nested {
                        f.write_str("(")?;
                    }
                    f.write_str(name)?;
                    for arg in args {
                        f.write_str(" ")?;
                        arg.write(f, true)?;
                    }
                    if nested {
                        f.write_str(")")?;
                    }
                    Ok(())
                }
            },
        }
    }
}

/// Rows of patterns, one per rule; every row has the same length.
pub type Matrix = Vec<Vec<SPat>>;

/// A value (as patterns) that `row` matches and no row of `rows` does, if any.
pub fn useful(rows: &[Vec<SPat>], row: &[SPat]) -> Option<Vec<SPat>> {
    let Some((first, rest)) = row.split_first() else {
        return if rows.is_empty() { Some(Vec::new()) } else { None };
    };
    match first {
        SPat::Constructor(family, tag, args) => {
            let specialized = specialize(rows, family, *tag, args.len());
            let mut vector = args.clone();
            vector.extend_from_slice(rest);
            let witness = useful(&specialized, &vector)?;
            Some(rebuild(family, *tag, args.len(), witness))
        }
        SPat::Literal(literal) => {
            let specialized: Matrix = rows
                .iter()
                .filter_map(|r| match &r[0] {
                    SPat::Literal(l) if l == literal => Some(r[1..].to_vec()),
                    SPat::Wild => Some(r[1..].to_vec()),
                    _ => None,
                })
                .collect();
            let mut witness = useful(&specialized, rest)?;
            witness.insert(0, first.clone());
            Some(witness)
        }
        SPat::Wild => {
            let family = rows.iter().find_map(|r| match &r[0] {
                SPat::Constructor(family, _, _) => Some(family.clone()),
                _ => None,
            });
            let present: Vec<u32> = rows
                .iter()
                .filter_map(|r| match &r[0] {
                    SPat::Constructor(_, tag, _) => Some(*tag),
                    _ => None,
                })
                .collect();
            if let Some(family) = &family
                && (0..family.size()).all(|tag| present.contains(&tag))
            {
                for tag in 0..family.size() {
                    let arity = family.arity(tag);
                    let specialized = specialize(rows, family, tag, arity);
                    let mut vector = vec![SPat::Wild; arity];
                    vector.extend_from_slice(rest);
                    if let Some(witness) = useful(&specialized, &vector) {
                        return Some(rebuild(family, tag, arity, witness));
                    }
                }
                return None;
            }
            let default: Matrix = rows.iter().filter(|r| matches!(r[0], SPat::Wild)).map(|r| r[1..].to_vec()).collect();
            let mut witness = useful(&default, rest)?;
            let missing = match &family {
                Some(family) => (0..family.size())
                    .find(|tag| !present.contains(tag))
                    .map(|tag| SPat::Constructor(family.clone(), tag, vec![SPat::Wild; family.arity(tag)]))
                    .unwrap_or(SPat::Wild),
                None => SPat::Wild,
            };
            witness.insert(0, missing);
            Some(witness)
        }
    }
}

fn specialize(rows: &[Vec<SPat>], family: &Family, tag: u32, arity: usize) -> Matrix {
    rows.iter()
        .filter_map(|r| match &r[0] {
            SPat::Constructor(f, t, args) if f.same(family) && *t == tag => {
                let mut out = args.clone();
                out.extend_from_slice(&r[1..]);
                Some(out)
            }
            SPat::Wild => {
                let mut out = vec![SPat::Wild; arity];
                out.extend_from_slice(&r[1..]);
                Some(out)
            }
            _ => None,
        })
        .collect()
}

fn rebuild(family: &Family, tag: u32, arity: usize, mut witness: Vec<SPat>) -> Vec<SPat> {
    let rest = witness.split_off(arity.min(witness.len()));
    let mut out = vec![SPat::Constructor(family.clone(), tag, witness)];
    out.extend(rest);
    out
}

/// The result of checking a list of rules.
pub struct Coverage {
    /// A value no rule matches, if there is one.
    pub missing: Option<Vec<SPat>>,
    /// Indices of rules that can never be reached.
    pub unreachable: Vec<usize>,
}

/// Checks the rows of a match or of a function's rules.
pub fn coverage(rows: &[Vec<SPat>], width: usize) -> Coverage {
    let mut unreachable = Vec::new();
    for i in 0..rows.len() {
        if useful(&rows[..i], &rows[i]).is_none() {
            unreachable.push(i);
        }
    }
    let missing = useful(rows, &vec![SPat::Wild; width]);
    Coverage { missing, unreachable }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_nil() -> SPat {
        SPat::Constructor(Family::List, 0, vec![])
    }
    fn list_cons(h: SPat, t: SPat) -> SPat {
        SPat::Constructor(Family::List, 1, vec![h, t])
    }

    #[test]
    fn a_missing_empty_list_is_reported() {
        let rows = vec![vec![list_cons(SPat::Wild, SPat::Wild)]];
        let result = coverage(&rows, 1);
        assert_eq!(result.missing.expect("not exhaustive")[0].to_string(), "[]");
    }

    #[test]
    fn nil_and_cons_cover_lists_and_a_later_wildcard_is_unreachable() {
        let rows = vec![vec![list_nil()], vec![list_cons(SPat::Wild, SPat::Wild)], vec![SPat::Wild]];
        let result = coverage(&rows, 1);
        assert!(result.missing.is_none());
        assert_eq!(result.unreachable, vec![2]);
    }

    #[test]
    fn literals_never_cover_their_type() {
        let rows = vec![vec![SPat::Literal("0".into())]];
        assert!(coverage(&rows, 1).missing.is_some());
    }
}
