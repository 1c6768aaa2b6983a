//! Iteration without a bound (`spec/security.md`, unbounded iteration). A
//! transaction's inputs are bounded in size, so a recursion that always
//! recurses on a part of its input (the tail of a list, a field of a
//! value it took apart) runs at most as many times as the input has parts.
//! So does one that halves a number (at most 128 times). A recursion that
//! recurses on anything else, such as `n - 1` for a number the sender
//! chooses, has no such bound: no gas limit is enough for
//! every input. A function *may run without bound* when it is such a
//! recursion, or calls one; a procedure that may is an error (`E0807`).
//! The interface lists the module's functions that may, for importers.

use min_core::{ArithOp, Expr, Global, Lit, Pattern};
use min_diagnostics::{Diagnostic, codes};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;

/// The module's functions that may run without bound (qualified names),
/// given those of the modules it imports, each with the reason.
pub(crate) fn unbounded(globals: &[Global], imported: &BTreeSet<String>) -> HashMap<String, String> {
    let reaches = reachability(globals);
    let mut found: HashMap<String, String> = HashMap::default();
    for global in globals {
        if let Some(call) = unbounded_recursion(global, globals, &reaches) {
            found.insert(global.name.clone(), call);
        }
    }
    loop {
        let before = found.len();
        for global in globals {
            if found.contains_key(&global.name) {
                continue;
            }
            let callees = callees(&global.body);
            let reason = callees.iter().find_map(|callee| {
                if imported.contains(*callee) {
                    Some(format!("it calls `{callee}`, which may run without bound"))
                } else {
                    found.get(*callee).map(|why| match why.strip_prefix("it calls ") {
                        Some(_) => format!("it calls `{}`, which may run without bound", short(callee)),
                        None => format!("it calls `{}`, and {why}", short(callee)),
                    })
                }
            });
            if let Some(reason) = reason {
                found.insert(global.name.clone(), reason);
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

/// The procedures among `procedures` that may run without bound (`E0807`).
pub(crate) fn check(globals: &[Global], procedures: &[String], unbounded: &HashMap<String, String>) -> Vec<Diagnostic> {
    globals
        .iter()
        .filter(|global| procedures.contains(&global.name))
        .filter_map(|global| {
            let reason = unbounded.get(&global.name)?;
            Some(
                Diagnostic::error(
                    codes::E0807,
                    global.span,
                    format!("the procedure `{}` may run without bound: {reason}", short(&global.name)),
                )
                .with_help(
                    "recurse on a part of the input (a list's tail, a field taken apart), or bound the count by a constant the contract fixes",
                ),
            )
        })
        .collect()
}

fn short(name: &str) -> &str {
    crate::types::short_name(name)
}

/// For each global, the module's globals it may call, directly or not.
pub(crate) fn reachability(globals: &[Global]) -> HashMap<&str, BTreeSet<&str>> {
    let own: HashSet<&str> = globals.iter().map(|g| g.name.as_str()).collect();
    let direct: HashMap<&str, BTreeSet<&str>> = globals
        .iter()
        .map(|g| (g.name.as_str(), callees(&g.body).into_iter().filter(|c| own.contains(c)).collect()))
        .collect();
    let mut reaches = direct.clone();
    loop {
        let mut changed = false;
        for (name, reached) in reaches.clone() {
            let more: BTreeSet<&str> =
                reached.iter().flat_map(|r| direct.get(r).into_iter().flatten().copied()).collect();
            let entry = reaches.get_mut(name).expect("every global has an entry");
            let before = entry.len();
            entry.extend(more);
            changed |= entry.len() != before;
        }
        if !changed {
            return reaches;
        }
    }
}

/// The globals `expr` refers to.
pub(crate) fn callees(expr: &Expr) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        if let Expr::Global(name) = expr {
            found.insert(name.as_str());
        }
        stack.extend(expr.children());
    }
    found
}

/// How a call within a recursion passes its input on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Some argument is a strict part of a parameter.
    Smaller,
    /// No argument is smaller, but some is a parameter as it came.
    Same,
    /// Every argument is something else.
    Other,
}

/// The calls of `global` back into its own recursion (itself, or a
/// function that calls it back), each with how it passes its input on.
fn recursive_calls<'g>(global: &'g Global, reaches: &HashMap<&str, BTreeSet<&str>>) -> Vec<(&'g str, Step)> {
    let mut parts = Parts { whole: (0..global.arity).collect(), smaller: HashSet::default() };
    parts.collect(&global.body);
    let mut calls = Vec::new();
    let mut stack = vec![&global.body];
    while let Some(expr) = stack.pop() {
        if let Expr::Apply(function, args, _) = expr
            && let Expr::Global(callee) = &**function
            && (*callee == global.name
                || reaches.get(callee.as_str()).is_some_and(|reached| reached.contains(global.name.as_str())))
        {
            let step = if args.iter().any(|arg| parts.is_smaller(arg)) {
                Step::Smaller
            } else if args.iter().any(|arg| matches!(arg, Expr::Local(slot) if parts.whole.contains(slot))) {
                Step::Same
            } else {
                Step::Other
            };
            calls.push((callee.as_str(), step));
        }
        stack.extend(expr.children());
    }
    calls
}

/// If the recursion `global` belongs to has no bound, why: one of its
/// calls passes on no part of its input, or none of its calls makes the
/// input smaller.
fn unbounded_recursion(global: &Global, globals: &[Global], reaches: &HashMap<&str, BTreeSet<&str>>) -> Option<String> {
    let calls = recursive_calls(global, reaches);
    if calls.is_empty() {
        return None;
    }
    if let Some((callee, _)) = calls.iter().find(|(_, step)| *step == Step::Other) {
        return Some(format!(
            "`{}` recurses through `{}` on no part of its input, so nothing bounds how often",
            short(&global.name),
            short(callee)
        ));
    }
    let cycle = globals.iter().filter(|other| {
        other.name == global.name
            || (reaches.get(global.name.as_str()).is_some_and(|r| r.contains(other.name.as_str()))
                && reaches.get(other.name.as_str()).is_some_and(|r| r.contains(global.name.as_str())))
    });
    let shrinks = cycle.flat_map(|member| recursive_calls(member, reaches)).any(|(_, step)| step == Step::Smaller);
    (!shrinks).then(|| format!("`{}` recurses without ever making its input smaller", short(&global.name)))
}

/// Which slots of a global's frame hold its parameters (or copies of
/// them), and which hold strict parts of them.
struct Parts {
    whole: HashSet<u32>,
    smaller: HashSet<u32>,
}

impl Parts {
    fn collect(&mut self, expr: &Expr) {
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Let(slot, value, _) => match &**value {
                    Expr::Local(from) if self.whole.contains(from) => {
                        self.whole.insert(*slot);
                    }
                    value if self.is_smaller(value) => {
                        self.smaller.insert(*slot);
                    }
                    _ => {}
                },
                Expr::Match(matching) => {
                    for (pattern, _) in &matching.arms {
                        self.pattern(&matching.scrutinee, pattern);
                    }
                }
                _ => {}
            }
            stack.extend(expr.children());
        }
    }

    /// Records what `pattern` binds when it matches `scrutinee`.
    fn pattern(&mut self, scrutinee: &Expr, pattern: &Pattern) {
        match (scrutinee, pattern) {
            (Expr::Tuple(items), Pattern::Tuple(patterns)) => {
                for (item, pattern) in items.iter().zip(patterns) {
                    self.pattern(item, pattern);
                }
            }
            (Expr::Local(slot), Pattern::Bind(bound)) if self.whole.contains(slot) => {
                self.whole.insert(*bound);
            }
            (Expr::Local(slot), _) if self.whole.contains(slot) || self.smaller.contains(slot) => {
                self.inside(pattern, false);
            }
            _ => {}
        }
    }

    /// Every slot `pattern` binds below its top is a strict part.
    fn inside(&mut self, pattern: &Pattern, below_top: bool) {
        match pattern {
            Pattern::Bind(slot) if below_top => {
                self.smaller.insert(*slot);
            }
            Pattern::Constructor(_, fields) | Pattern::Tuple(fields) => {
                fields.iter().for_each(|field| self.inside(field, true));
            }
            Pattern::Cons(head, tail) => {
                self.inside(head, true);
                self.inside(tail, true);
            }
            _ => {}
        }
    }

    /// Whether `expr` is a strict part of a parameter, or a parameter
    /// divided by a constant of at least 2 (which can happen at most 128
    /// times to a 128-bit number).
    fn is_smaller(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Local(slot) => self.smaller.contains(slot),
            Expr::Arith(ArithOp::Div, _, dividend, divisor, _) => {
                let halving = matches!(&**divisor, Expr::Lit(Lit::Nat(k)) if *k >= 2)
                    || matches!(&**divisor, Expr::Lit(Lit::Int(k) | Lit::Dyn(k)) if *k >= 2);
                halving
                    && matches!(&**dividend, Expr::Local(slot) if self.whole.contains(slot) || self.smaller.contains(slot))
            }
            Expr::Field(base, _) => {
                matches!(&**base, Expr::Local(slot) if self.whole.contains(slot) || self.smaller.contains(slot))
            }
            _ => false,
        }
    }
}
