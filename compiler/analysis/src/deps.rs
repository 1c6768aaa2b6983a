//! Dependencies between definitions: which names a definition mentions, and
//! the order (strongly connected components, dependencies first) in which a
//! group of definitions is inferred.

use min_syntax::ast::{Def, Expr, ExprKind, Pat, PatKind};
use rustc_hash::FxHashSet as HashSet;

/// The unqualified value names `def` refers to and does not bind itself.
pub fn def_free_names(def: &Def) -> HashSet<String> {
    let mut free = HashSet::default();
    for clause in &def.clauses {
        let mut bound: Vec<String> = Vec::new();
        for pattern in &clause.patterns {
            pattern_vars(pattern, &mut bound);
        }
        expr_free_names(&clause.body, &mut bound, &mut free);
    }
    free
}

/// Adds the variables a pattern binds to `out`.
pub fn pattern_vars(pattern: &Pat, out: &mut Vec<String>) {
    match &pattern.kind {
        PatKind::Var(name) => out.push(name.clone()),
        PatKind::Sequence(items) | PatKind::Tuple(items) | PatKind::List(items) => {
            items.iter().for_each(|item| pattern_vars(item, out))
        }
        PatKind::Cons(head, tail) => {
            pattern_vars(head, out);
            pattern_vars(tail, out);
        }
        PatKind::Record(fields) => fields.iter().for_each(|(_, pattern)| pattern_vars(pattern, out)),
        PatKind::Annotated(inner, _) => pattern_vars(inner, out),
        PatKind::Wildcard | PatKind::Constructor(_) | PatKind::Literal(_) | PatKind::Error => {}
    }
}

fn expr_free_names(expr: &Expr, bound: &mut Vec<String>, free: &mut HashSet<String>) {
    match &expr.kind {
        ExprKind::Path(path) => {
            if let [name] = path.as_slice()
                && !bound.contains(&name.text)
            {
                free.insert(name.text.clone());
            }
        }
        ExprKind::Int(_)
        | ExprKind::Real(_)
        | ExprKind::Str(_)
        | ExprKind::Char(_)
        | ExprKind::Bool(_)
        | ExprKind::Wildcard
        | ExprKind::Error => {}
        ExprKind::Juxtaposition(items) | ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().for_each(|item| expr_free_names(item, bound, free))
        }
        ExprKind::Binary(_, a, b) => {
            expr_free_names(a, bound, free);
            expr_free_names(b, bound, free);
        }
        ExprKind::Unary(_, a) | ExprKind::Field(a, _) | ExprKind::Annotated(a, _) => expr_free_names(a, bound, free),
        ExprKind::Record(fields) => fields.iter().for_each(|(_, value)| expr_free_names(value, bound, free)),
        ExprKind::Update(base, fields) => {
            expr_free_names(base, bound, free);
            fields.iter().for_each(|(_, value)| expr_free_names(value, bound, free));
        }
        ExprKind::If(c, a, b) => {
            expr_free_names(c, bound, free);
            expr_free_names(a, bound, free);
            expr_free_names(b, bound, free);
        }
        ExprKind::Lambda(patterns, body) => {
            let mark = bound.len();
            patterns.iter().for_each(|pattern| pattern_vars(pattern, bound));
            expr_free_names(body, bound, free);
            bound.truncate(mark);
        }
        ExprKind::Let(defs, body) | ExprKind::Where(body, defs) => {
            let mark = bound.len();
            bound.extend(defs.iter().map(|def| def.name.text.clone()));
            for def in defs {
                for name in def_free_names(def) {
                    if !bound.contains(&name) {
                        free.insert(name);
                    }
                }
            }
            expr_free_names(body, bound, free);
            bound.truncate(mark);
        }
        ExprKind::Match(scrutinee, clauses) => {
            expr_free_names(scrutinee, bound, free);
            for clause in clauses {
                let mark = bound.len();
                clause.patterns.iter().for_each(|pattern| pattern_vars(pattern, bound));
                expr_free_names(&clause.body, bound, free);
                bound.truncate(mark);
            }
        }
    }
}

pub use min_core::graph::components;
