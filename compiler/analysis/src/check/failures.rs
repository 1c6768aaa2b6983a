//! Failures a contract must not ignore (`spec/security.md`, mishandled
//! exceptions). In Min an operation that can fail either aborts, and the
//! whole transaction changes nothing, or returns a `Result`, whose failure
//! the caller must look at. In a module with procedures, a `Result` bound
//! to a name that is never used, or matched only by `_` (also as a
//! component of a tuple a call returns, as another contract's procedure
//! returns one beside its objects), is an error (`E0806`): the contract
//! would go on as if the operation had succeeded.

use min_core::{Expr, Global, Match, Pattern, Slot, Ty};
use min_diagnostics::{Diagnostic, Span, codes};
use rustc_hash::FxHashMap as HashMap;

/// The prelude's `Result`.
pub(crate) const RESULT: &str = "Prelude.Result";

/// The globals of the module, and for every function in scope the data type
/// its result has and how many parameters it takes.
pub(crate) struct Calls<'a> {
    /// The module's own globals, by qualified name.
    pub globals: &'a HashMap<&'a str, &'a Global>,
    /// Imported functions: parameters and the data type of the result.
    pub imported: &'a HashMap<String, (usize, Option<std::sync::Arc<str>>)>,
    /// Imported functions whose result is a tuple with `Result`
    /// components (another contract's procedure that returns objects and
    /// a `Result`): parameters and the indexes of those components.
    pub imported_tuples: &'a HashMap<String, (usize, Vec<usize>)>,
}

/// The ignored `Result`s in the module's globals.
pub(crate) fn check(calls: &Calls) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for global in calls.globals.values() {
        walk(&global.body, &global.slots, global.span, calls, &mut found);
    }
    found.sort_by_key(|d| (d.span.start, d.span.end));
    found.dedup();
    found
}

fn is_result(ty: &Ty) -> bool {
    matches!(ty, Ty::Data(name, _) if &**name == RESULT)
}

/// The type of `global` applied to `args` arguments, if it takes that many.
fn applied(global: &Global, args: usize) -> Option<&Ty> {
    let mut ty = &global.ty;
    for _ in 0..args {
        let Ty::Fun(_, result) = ty else { return None };
        ty = result;
    }
    Some(ty)
}

/// Whether `expr` is a call whose result is a `Result`, and its span.
fn result_call(expr: &Expr, calls: &Calls) -> Option<Span> {
    let Expr::Apply(function, args, span) = expr else { return None };
    let Expr::Global(name) = &**function else { return None };
    let returns_result = match calls.globals.get(name.as_str()) {
        Some(global) => is_result(applied(global, args.len())?),
        None => calls
            .imported
            .get(name)
            .is_some_and(|(arity, result)| *arity == args.len() && result.as_deref() == Some(RESULT)),
    };
    returns_result.then_some(*span)
}

/// Whether `expr` is a call whose result is a tuple with `Result`
/// components: their indexes, and the call's span.
fn result_components(expr: &Expr, calls: &Calls) -> Option<(Vec<usize>, Span)> {
    let Expr::Apply(function, args, span) = expr else { return None };
    let Expr::Global(name) = &**function else { return None };
    let components = match calls.globals.get(name.as_str()) {
        Some(global) => {
            let Ty::Tuple(items) = applied(global, args.len())? else { return None };
            items.iter().enumerate().filter(|(_, item)| is_result(item)).map(|(index, _)| index).collect()
        }
        None => match calls.imported_tuples.get(name) {
            Some((arity, components)) if *arity == args.len() => components.clone(),
            _ => return None,
        },
    };
    (!components.is_empty()).then_some((components, *span))
}

fn ignored(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        codes::E0806,
        span,
        format!("{what} is ignored: if it failed, the contract would go on as if it had not"),
    )
    .with_span_label("this `Result` is never looked at")
    .with_help("match on it, `Ok value → …` and `Err reason → …`; abort (`Prim.abort`) to undo the whole transaction")
}

fn walk(expr: &Expr, slots: &[Slot], span: Span, calls: &Calls, found: &mut Vec<Diagnostic>) {
    match expr {
        Expr::Let(slot, value, body) => {
            let typed = slots.get(*slot as usize).is_some_and(|s| is_result(&s.ty));
            if (typed || result_call(value, calls).is_some()) && !uses(body, *slot) {
                let at = result_call(value, calls).unwrap_or(span);
                found.push(ignored(at, "the `Result` bound here"));
            }
        }
        Expr::Match(matching) => matched(matching, slots, calls, found),
        // A function's body runs in a frame of its own.
        Expr::Lambda(lambda) => return walk(&lambda.body, &lambda.slots, span, calls, found),
        Expr::LetRec(bindings, body) => {
            for (_, lambda) in bindings {
                walk(&lambda.body, &lambda.slots, span, calls, found);
            }
            return walk(body, slots, span, calls, found);
        }
        _ => {}
    }
    let span = match expr {
        Expr::Apply(_, _, span) => *span,
        _ => span,
    };
    for child in expr.children() {
        walk(child, slots, span, calls, found);
    }
}

/// A match that binds a `Result` to a name its arm never uses, or has
/// only `_` where a call's `Result` is.
fn matched(matching: &Match, slots: &[Slot], calls: &Calls, found: &mut Vec<Diagnostic>) {
    for (pattern, body) in &matching.arms {
        let mut bound = Vec::new();
        binds(pattern, &mut bound);
        for slot in bound {
            if slots.get(slot as usize).is_some_and(|s| is_result(&s.ty)) && !uses(body, slot) {
                found.push(ignored(matching.span, "a `Result` matched here"));
            }
        }
    }
    let components: Vec<&Expr> = match &matching.scrutinee {
        Expr::Tuple(items) => items.iter().collect(),
        other => vec![other],
    };
    for (index, component) in components.iter().enumerate() {
        let Some(at) = result_call(component, calls) else { continue };
        let wild = matching.arms.iter().all(|(pattern, _)| match (pattern, components.len()) {
            (Pattern::Tuple(items), n) if n > 1 => matches!(items.get(index), Some(Pattern::Wildcard)),
            (pattern, 1) => matches!(pattern, Pattern::Wildcard),
            _ => false,
        });
        if wild {
            found.push(ignored(at, "the `Result` of this call"));
        }
    }
    // A call that returns a tuple holding a `Result`, taken apart with `_`
    // where the `Result` is.
    if let Some((indexes, at)) = result_components(&matching.scrutinee, calls) {
        for index in indexes {
            let wild = matching
                .arms
                .iter()
                .all(|(pattern, _)| matches!(pattern, Pattern::Tuple(items) if matches!(items.get(index), Some(Pattern::Wildcard))));
            if wild {
                found.push(ignored(at, "the `Result` this call returns"));
            }
        }
    }
}

fn binds(pattern: &Pattern, bound: &mut Vec<u32>) {
    match pattern {
        Pattern::Bind(slot) => bound.push(*slot),
        Pattern::Tuple(items) | Pattern::Constructor(_, items) => items.iter().for_each(|item| binds(item, bound)),
        Pattern::Cons(head, tail) => {
            binds(head, bound);
            binds(tail, bound);
        }
        Pattern::Wildcard | Pattern::Lit(_) | Pattern::Nil => {}
    }
}

/// Whether `expr` reads slot `slot` of its frame (a function value
/// capturing it reads it).
fn uses(expr: &Expr, slot: u32) -> bool {
    match expr {
        Expr::Local(used) => *used == slot,
        Expr::Lambda(lambda) => lambda.captures.iter().any(|&(outer, _)| outer == slot),
        Expr::LetRec(bindings, body) => {
            bindings.iter().any(|(_, lambda)| lambda.captures.iter().any(|&(outer, _)| outer == slot))
                || uses(body, slot)
        }
        other => other.children().into_iter().any(|child| uses(child, slot)),
    }
}
