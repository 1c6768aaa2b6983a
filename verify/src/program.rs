//! What the verifier knows about the whole program: every global of the
//! files and of what they import, the data types by name, and which globals
//! may abort (a syntactic summary, for calls into code this run does not
//! verify).

use min_analysis::interface::AdtDef;
use min_core::{Expr, Global, NumKind, Prim, Spec, Ty};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The program a verification run looks at.
pub(crate) struct Program<'p> {
    /// Every global, by qualified name.
    pub globals: BTreeMap<&'p str, &'p Global>,
    /// Every data and record type, by qualified name.
    pub types: BTreeMap<Arc<str>, Arc<AdtDef>>,
    /// The globals whose obligations this run checks.
    pub verified: BTreeSet<&'p str>,
    /// The globals that may abort: at first those that contain an
    /// operation that can fail, then without those proved safe
    /// (`safety.rs`).
    pub may_abort: BTreeSet<&'p str>,
    /// The specification clauses of each function that has some, by the
    /// function's qualified name.
    pub specs: BTreeMap<&'p str, Vec<&'p Spec>>,
    /// The recursion group of every global: functions that may call each
    /// other share one (`min_core::graph::recursion_groups`).
    groups: std::collections::HashMap<&'p str, usize>,
}

impl<'p> Program<'p> {
    /// The program of `modules`, verifying the globals of `verified_modules`.
    pub fn new(
        modules: &'p [min_core::Module],
        types: BTreeMap<Arc<str>, Arc<AdtDef>>,
        verified_modules: &BTreeSet<String>,
    ) -> Program<'p> {
        let globals: BTreeMap<&str, &Global> =
            modules.iter().flat_map(|m| m.globals.iter().map(|g| (g.name.as_str(), g))).collect();
        let verified = modules
            .iter()
            .filter(|m| verified_modules.contains(&m.name))
            .flat_map(|m| m.globals.iter().map(|g| g.name.as_str()))
            .collect();
        let may_abort = may_abort(&globals);
        let mut specs: BTreeMap<&str, Vec<&Spec>> = BTreeMap::new();
        for spec in modules.iter().flat_map(|m| &m.specs) {
            specs.entry(spec.function.as_str()).or_default().push(spec);
        }
        let groups = min_core::graph::recursion_groups(modules);
        Program { globals, types, verified, may_abort, specs, groups }
    }

    /// The clauses of `function` of `kind`, in order.
    pub fn clauses(&self, function: &str, kind: min_core::SpecKind) -> Vec<&'p Spec> {
        self.specs
            .get(function)
            .map_or_else(Vec::new, |specs| specs.iter().copied().filter(|s| s.kind == kind).collect())
    }

    /// Whether `a` and `b` may call each other: the same global, or two of
    /// one recursion group.
    pub fn same_group(&self, a: &str, b: &str) -> bool {
        a == b || matches!((self.groups.get(a), self.groups.get(b)), (Some(x), Some(y)) if x == y)
    }

    /// The index of `name`'s recursion group, if it is a global.
    pub fn group_of(&self, name: &str) -> Option<usize> {
        self.groups.get(name).copied()
    }

    /// Whether evaluating `expr` (a local function's body) may abort.
    pub fn may_abort_in(&self, expr: &Expr) -> bool {
        can_abort(expr, &self.may_abort)
    }

    /// The definition of data type `ty` and the field types of each of its
    /// constructors, if `ty` is a data type this program declares.
    pub fn constructors(&self, ty: &Ty) -> Option<(&AdtDef, Vec<Vec<Ty>>)> {
        min_analysis::conservation::constructors(&self.types, ty)
    }
}

/// The globals that may abort: those whose body holds an operation that
/// can fail (checked integer arithmetic, a failing primitive, an explicit
/// abort) or refers to a global that may abort, to a fixed point.
fn may_abort<'p>(globals: &BTreeMap<&'p str, &'p Global>) -> BTreeSet<&'p str> {
    let mut aborting: BTreeSet<&str> = BTreeSet::new();
    loop {
        let before = aborting.len();
        for (&name, global) in globals {
            if !aborting.contains(name) && can_abort(&global.body, &aborting) {
                aborting.insert(name);
            }
        }
        if aborting.len() == before {
            return aborting;
        }
    }
}

/// The globals that the bodies of `roots` refer to, directly or through
/// other globals, the roots included.
pub(crate) fn reachable<'p>(globals: &BTreeMap<&'p str, &'p Global>, roots: &BTreeSet<&'p str>) -> BTreeSet<&'p str> {
    let mut seen: BTreeSet<&str> = roots.clone();
    let mut pending: Vec<&str> = roots.iter().copied().collect();
    while let Some(name) = pending.pop() {
        let Some(global) = globals.get(name) else { continue };
        let mut referenced = Vec::new();
        globals_in(&global.body, &mut referenced);
        for callee in referenced {
            if let Some((&key, _)) = globals.get_key_value(callee)
                && seen.insert(key)
            {
                pending.push(key);
            }
        }
    }
    seen
}

/// The names of the globals `expr` refers to.
fn globals_in<'e>(expr: &'e Expr, found: &mut Vec<&'e str>) {
    if let Expr::Global(name) = expr {
        found.push(name);
    }
    for child in expr.children() {
        globals_in(child, found);
    }
}

/// Whether `expr` holds an operation that can fail, or refers to a global in `aborting`.
fn can_abort(expr: &Expr, aborting: &BTreeSet<&str>) -> bool {
    let here = match expr {
        Expr::Arith(_, kind, ..) | Expr::Pow(kind, ..) | Expr::Neg(kind, ..) => integer(*kind),
        Expr::Prim(prim) => prim_can_abort(*prim),
        Expr::Global(name) => aborting.contains(name.as_str()),
        _ => false,
    };
    here || expr.children().into_iter().any(|child| can_abort(child, aborting))
}

/// Whether arithmetic of this kind is checked (and so can abort).
fn integer(kind: NumKind) -> bool {
    !matches!(kind, NumKind::Real)
}

/// Whether a primitive can abort.
pub(crate) fn prim_can_abort(prim: Prim) -> bool {
    matches!(prim, Prim::Abort | Prim::Floor | Prim::IntOfNat | Prim::NatOfInt | Prim::FromCode)
}
