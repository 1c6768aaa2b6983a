//! Symbolic values: what the verifier knows about a value of the core IR
//! while it walks a function. ℕ and ℤ are Z3 integers (exact, unbounded,
//! with the 128-bit range asserted for every fresh one), booleans are Z3
//! booleans, tuples and values of a known constructor keep their fields,
//! and a value of a data type whose constructor is not known has a
//! symbolic tag and the fields of each constructor it may be. A list keeps
//! its first items when they are known and summarises the rest ([`Tail`]:
//! its length and the total of each asset it may hold). Everything else
//! (ℝ, strings, characters, functions) is `Opaque`, with the reason.
//!
//! A value that depends on something not modelled (a callee's result, a
//! decision on an opaque value) carries a [`Taint`]: a proof may still use
//! it (it stands for every value of its type), but a counterexample that
//! needs it is not trusted.

use min_core::Ty;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use z3::ast::{Bool, Int};

/// Why a value is only an over-approximation; `None` for an exact value.
pub(crate) type Taint = Option<Rc<str>>;

/// The first of two taints.
pub(crate) fn join(a: &Taint, b: &Taint) -> Taint {
    a.clone().or_else(|| b.clone())
}

/// A symbolic value.
#[derive(Clone, Debug)]
pub(crate) enum Sym {
    /// A ℕ or ℤ.
    Int(Int, Taint),
    /// A `Bool`.
    Bool(Bool, Taint),
    /// A tuple (unit when empty).
    Tuple(Vec<Sym>),
    /// A value of a known constructor (records included), with its fields.
    Con(u32, Vec<Sym>),
    /// A value of a type with several constructors, which one unknown: its
    /// tag (the constructor's index), and the fields of each constructor it
    /// may be, by tag.
    Sum(Int, Taint, Rc<BTreeMap<u32, Vec<Sym>>>),
    /// A list.
    List(Rc<ListSym>),
    /// A value that is not modelled, and why.
    Opaque(Rc<str>),
    /// No value: evaluation aborted before producing one.
    Never,
}

/// A list: its first items when they are known, then the rest.
#[derive(Clone, Debug)]
pub(crate) struct ListSym {
    /// The first items, in order.
    pub items: Vec<Sym>,
    /// What follows them.
    pub rest: Rest,
}

/// What follows a list's known items.
#[derive(Clone, Debug)]
pub(crate) enum Rest {
    /// Nothing: the list is its items.
    Empty,
    /// A list not known item by item.
    Unknown(Rc<Tail>),
    /// One of two lists: `condition ? a : b` (branches joined).
    Joined(Bool, Taint, Rc<ListSym>, Rc<ListSym>),
    /// One list followed by another (`a ++ b`, `a` not known to its end).
    Appended(Rc<ListSym>, Rc<ListSym>),
}

/// A list known only by its length and its totals.
#[derive(Debug)]
pub(crate) struct Tail {
    /// The type of its items.
    pub item: Ty,
    /// Its length, an integer at least zero.
    pub length: Int,
    /// The total amount of each asset (by qualified name) that its items
    /// may hold, each at least zero.
    pub totals: BTreeMap<Arc<str>, Int>,
    /// Why its length and totals are only an over-approximation, if they are.
    pub taint: Taint,
    /// Its first item and the rest, once a pattern asked for them: the same
    /// values for every match on this list.
    pub split: OnceCell<(Sym, Rc<Tail>)>,
}

impl ListSym {
    /// A list of exactly `items`.
    pub(crate) fn of(items: Vec<Sym>) -> Sym {
        Sym::List(Rc::new(ListSym { items, rest: Rest::Empty }))
    }

    /// The list's length, with the taint of what it was computed from.
    pub(crate) fn length(&self) -> (Int, Taint) {
        let known = Int::from_u64(self.items.len() as u64);
        let (rest, taint) = match &self.rest {
            Rest::Empty => (Int::from_u64(0), None),
            Rest::Unknown(tail) => (tail.length.clone(), tail.taint.clone()),
            Rest::Joined(condition, condition_taint, a, b) => {
                let ((la, ta), (lb, tb)) = (a.length(), b.length());
                (condition.ite(&la, &lb), join(&join(&ta, &tb), condition_taint))
            }
            Rest::Appended(a, b) => {
                let ((la, ta), (lb, tb)) = (a.length(), b.length());
                (&la + &lb, join(&ta, &tb))
            }
        };
        (&known + &rest, taint)
    }

    /// The list with its first `count` items left out (`count` at most the
    /// number of known items).
    pub(crate) fn skip(&self, count: usize) -> Sym {
        Sym::List(Rc::new(ListSym { items: self.items[count..].to_vec(), rest: self.rest.clone() }))
    }

    /// `self ++ other`.
    pub(crate) fn append(self: &Rc<ListSym>, other: &Rc<ListSym>) -> Sym {
        match self.rest {
            Rest::Empty => {
                let mut items = self.items.clone();
                items.extend(other.items.iter().cloned());
                Sym::List(Rc::new(ListSym { items, rest: other.rest.clone() }))
            }
            _ => Sym::List(Rc::new(ListSym { items: Vec::new(), rest: Rest::Appended(self.clone(), other.clone()) })),
        }
    }

    /// `condition ? a : b`: item by item when both have as many known
    /// items and the same rest, else a joined rest.
    fn merge(condition: &Bool, condition_taint: &Taint, a: &Rc<ListSym>, b: &Rc<ListSym>) -> Sym {
        let same_rest = match (&a.rest, &b.rest) {
            (Rest::Empty, Rest::Empty) => true,
            (Rest::Unknown(x), Rest::Unknown(y)) => Rc::ptr_eq(x, y),
            _ => false,
        };
        if same_rest && a.items.len() == b.items.len() {
            let items = a
                .items
                .iter()
                .zip(&b.items)
                .map(|(x, y)| Sym::merge(condition, condition_taint, x.clone(), y.clone()))
                .collect();
            return Sym::List(Rc::new(ListSym { items, rest: a.rest.clone() }));
        }
        let rest = Rest::Joined(condition.clone(), condition_taint.clone(), a.clone(), b.clone());
        Sym::List(Rc::new(ListSym { items: Vec::new(), rest }))
    }
}

/// The bounds of the checked integer types.
pub(crate) mod bounds {
    /// The largest ℕ, `2^128 − 1`.
    pub const NAT_MAX: u128 = u128::MAX;
    /// The smallest ℤ, `−2^127`.
    pub const INT_MIN: i128 = i128::MIN;
    /// The largest ℤ, `2^127 − 1`.
    pub const INT_MAX: i128 = i128::MAX;
}

/// The conjunction of `conditions`: true when there are none (Z3's `and`
/// is not to be given an empty list).
pub(crate) fn all_of<T: Into<Bool> + Clone>(conditions: &[T]) -> Bool {
    if conditions.is_empty() { Bool::from_bool(true) } else { Bool::and(conditions) }
}

/// The disjunction of `conditions`: false when there are none.
pub(crate) fn any_of<T: Into<Bool> + Clone>(conditions: &[T]) -> Bool {
    if conditions.is_empty() { Bool::from_bool(false) } else { Bool::or(conditions) }
}

/// Whether `x` lies in the range of ℕ.
pub(crate) fn in_nat_range(x: &Int) -> Bool {
    Bool::and(&[x.ge(Int::from_u64(0)), x.le(Int::from_u128(bounds::NAT_MAX))])
}

/// Whether `x` lies in the range of ℤ.
pub(crate) fn in_int_range(x: &Int) -> Bool {
    Bool::and(&[x.ge(Int::from_i128(bounds::INT_MIN)), x.le(Int::from_i128(bounds::INT_MAX))])
}

impl Sym {
    /// An opaque value with `reason`.
    pub(crate) fn opaque(reason: impl AsRef<str>) -> Sym {
        Sym::Opaque(Rc::from(reason.as_ref()))
    }

    /// The value `c ? a : b`, field by field where both sides have the same
    /// shape; opaque where they do not.
    pub(crate) fn merge(condition: &Bool, condition_taint: &Taint, a: Sym, b: Sym) -> Sym {
        match (a, b) {
            (Sym::Never, other) | (other, Sym::Never) => other,
            (Sym::Int(x, tx), Sym::Int(y, ty)) => {
                Sym::Int(condition.ite(&x, &y), join(&join(&tx, &ty), condition_taint))
            }
            (Sym::Bool(x, tx), Sym::Bool(y, ty)) => {
                Sym::Bool(condition.ite(&x, &y), join(&join(&tx, &ty), condition_taint))
            }
            (Sym::Tuple(xs), Sym::Tuple(ys)) if xs.len() == ys.len() => {
                Sym::Tuple(xs.into_iter().zip(ys).map(|(x, y)| Sym::merge(condition, condition_taint, x, y)).collect())
            }
            (Sym::Con(tx, xs), Sym::Con(ty, ys)) if tx == ty && xs.len() == ys.len() => Sym::Con(
                tx,
                xs.into_iter().zip(ys).map(|(x, y)| Sym::merge(condition, condition_taint, x, y)).collect(),
            ),
            (Sym::List(xs), Sym::List(ys)) => ListSym::merge(condition, condition_taint, &xs, &ys),
            (Sym::Opaque(reason), _) | (_, Sym::Opaque(reason)) => Sym::Opaque(reason),
            (a @ (Sym::Con(..) | Sym::Sum(..)), b @ (Sym::Con(..) | Sym::Sum(..))) => {
                let (Some((ta, xa, va)), Some((tb, xb, vb))) = (a.as_sum(), b.as_sum()) else {
                    return Sym::opaque("a value built by different constructors on different paths");
                };
                let mut variants = va;
                for (tag, fields) in vb {
                    let merged = match variants.remove(&tag) {
                        Some(mine) if mine.len() == fields.len() => mine
                            .into_iter()
                            .zip(fields)
                            .map(|(x, y)| Sym::merge(condition, condition_taint, x, y))
                            .collect(),
                        // The other side cannot have this tag: its fields are the ones.
                        _ => fields,
                    };
                    variants.insert(tag, merged);
                }
                Sym::Sum(condition.ite(&ta, &tb), join(&join(&xa, &xb), condition_taint), Rc::new(variants))
            }
            _ => Sym::opaque("a value built by different constructors on different paths"),
        }
    }

    /// A constructed value as a sum of one or more constructors.
    fn as_sum(&self) -> Option<(Int, Taint, BTreeMap<u32, Vec<Sym>>)> {
        match self {
            Sym::Con(tag, fields) => {
                Some((Int::from_u64(u64::from(*tag)), None, BTreeMap::from([(*tag, fields.clone())])))
            }
            Sym::Sum(tag, taint, variants) => Some((tag.clone(), taint.clone(), (**variants).clone())),
            _ => None,
        }
    }
}
