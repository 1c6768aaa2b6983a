//! How deeply a definition nests, measured without recursion, so that
//! input nested deeper than the later (recursive) passes can take is
//! rejected here with `E0013` instead of overflowing the stack there.

use crate::ast::{Def, Expr, ExprKind, Pat, PatKind, TypeExpr, TypeExprKind};

/// The deepest nesting of expressions, patterns and types a definition may have.
pub const DEPTH_LIMIT: usize = 200;

enum Node<'a> {
    Expr(&'a Expr),
    Pat(&'a Pat),
    Type(&'a TypeExpr),
    Def(&'a Def),
}

/// The maximum nesting depth in `def`, stopping early past `limit`.
pub fn def_depth(def: &Def, limit: usize) -> usize {
    depth_from(Node::Def(def), limit)
}

/// The maximum nesting depth in `expr`, stopping early past `limit`.
pub fn expr_depth(expr: &Expr, limit: usize) -> usize {
    depth_from(Node::Expr(expr), limit)
}

fn depth_from(root: Node<'_>, limit: usize) -> usize {
    let mut stack: Vec<(Node, usize)> = vec![(root, 1)];
    let mut deepest = 0;
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if deepest > limit {
            break;
        }
        let next = depth + 1;
        match node {
            Node::Def(def) => {
                if let Some(signature) = &def.signature {
                    stack.push((Node::Type(signature), next));
                }
                stack.extend(def.specs.iter().map(|spec| (Node::Expr(&spec.expr), next)));
                for clause in &def.clauses {
                    stack.extend(clause.patterns.iter().map(|p| (Node::Pat(p), next)));
                    stack.push((Node::Expr(&clause.body), next));
                }
            }
            Node::Type(ty) => match &ty.kind {
                TypeExprKind::Named(_, args) | TypeExprKind::Tuple(args) => {
                    stack.extend(args.iter().map(|a| (Node::Type(a), next)))
                }
                TypeExprKind::Function(a, b) => {
                    stack.push((Node::Type(a), next));
                    stack.push((Node::Type(b), next));
                }
                TypeExprKind::List(item) => stack.push((Node::Type(item), next)),
                TypeExprKind::Var(_) | TypeExprKind::Error => {}
            },
            Node::Pat(pattern) => match &pattern.kind {
                PatKind::Sequence(items) | PatKind::Tuple(items) | PatKind::List(items) => {
                    stack.extend(items.iter().map(|p| (Node::Pat(p), next)))
                }
                PatKind::Cons(head, tail) => {
                    stack.push((Node::Pat(head), next));
                    stack.push((Node::Pat(tail), next));
                }
                PatKind::Record(fields) => stack.extend(fields.iter().map(|(_, p)| (Node::Pat(p), next))),
                PatKind::Annotated(inner, ty) => {
                    stack.push((Node::Pat(inner), next));
                    stack.push((Node::Type(ty), next));
                }
                PatKind::Wildcard
                | PatKind::Var(_)
                | PatKind::Constructor(_)
                | PatKind::Literal(_)
                | PatKind::Error => {}
            },
            Node::Expr(expr) => match &expr.kind {
                ExprKind::Juxtaposition(items) | ExprKind::Tuple(items) | ExprKind::List(items) => {
                    stack.extend(items.iter().map(|e| (Node::Expr(e), next)))
                }
                ExprKind::Binary(_, a, b) => {
                    stack.push((Node::Expr(a), next));
                    stack.push((Node::Expr(b), next));
                }
                ExprKind::Unary(_, a) | ExprKind::Field(a, _) => stack.push((Node::Expr(a), next)),
                ExprKind::Annotated(a, ty) => {
                    stack.push((Node::Expr(a), next));
                    stack.push((Node::Type(ty), next));
                }
                ExprKind::Record(fields) => stack.extend(fields.iter().map(|(_, e)| (Node::Expr(e), next))),
                ExprKind::Update(base, fields) => {
                    stack.push((Node::Expr(base), next));
                    stack.extend(fields.iter().map(|(_, e)| (Node::Expr(e), next)));
                }
                ExprKind::If(c, a, b) => {
                    stack.push((Node::Expr(c), next));
                    stack.push((Node::Expr(a), next));
                    stack.push((Node::Expr(b), next));
                }
                ExprKind::Lambda(patterns, body) => {
                    stack.extend(patterns.iter().map(|p| (Node::Pat(p), next)));
                    stack.push((Node::Expr(body), next));
                }
                ExprKind::Let(defs, body) | ExprKind::Where(body, defs) => {
                    stack.extend(defs.iter().map(|d| (Node::Def(d), next)));
                    stack.push((Node::Expr(body), next));
                }
                ExprKind::Match(scrutinee, clauses) => {
                    stack.push((Node::Expr(scrutinee), next));
                    for clause in clauses {
                        stack.extend(clause.patterns.iter().map(|p| (Node::Pat(p), next)));
                        stack.push((Node::Expr(&clause.body), next));
                    }
                }
                ExprKind::Path(_)
                | ExprKind::Int(_)
                | ExprKind::Real(_)
                | ExprKind::Str(_)
                | ExprKind::Char(_)
                | ExprKind::Bool(_)
                | ExprKind::Wildcard
                | ExprKind::Error => {}
            },
        }
    }
    deepest
}
