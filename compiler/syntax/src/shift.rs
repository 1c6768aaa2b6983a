//! Moving parsed syntax to another place in its file: every span is moved
//! by the same number of bytes. An item parsed once, on its own text, is
//! reused wherever that text sits after an edit above it.

use crate::ast::{
    Clause, Def, Expr, ExprKind, Field, Import, ImportNames, Name, Pat, PatKind, Spec, Test, TypeBody, TypeDef,
    TypeExpr, TypeExprKind, Variant,
};
use crate::raw::{Binding, Body, Line};
use min_diagnostics::{Diagnostic, Span};

/// Syntax whose spans can be moved.
pub(crate) trait Shift {
    /// Moves every span `by` bytes later in the file (wrapping).
    fn shift(&mut self, by: u32);
}

impl Shift for Span {
    fn shift(&mut self, by: u32) {
        *self = self.shifted(by);
    }
}

/// `def` with its spans counted from its own start ([`Def::start`])
/// instead of from the start of its file: the same definition at another
/// place in the file gives an equal copy.
pub fn def_from_start(def: &Def) -> Def {
    let mut relative = def.clone();
    relative.shift(0u32.wrapping_sub(def.start()));
    relative
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: u32) {
        for item in self {
            item.shift(by);
        }
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: u32) {
        if let Some(item) = self {
            item.shift(by);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, by: u32) {
        (**self).shift(by);
    }
}

impl<A: Shift, B: Shift> Shift for (A, B) {
    fn shift(&mut self, by: u32) {
        self.0.shift(by);
        self.1.shift(by);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, by: u32) {
        Diagnostic::shift(self, by);
    }
}

impl Shift for Name {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
    }
}

impl Shift for Import {
    fn shift(&mut self, by: u32) {
        self.module.shift(by);
        if let ImportNames::Some(names) = &mut self.names {
            names.shift(by);
        }
        self.span.shift(by);
    }
}

impl Shift for TypeDef {
    fn shift(&mut self, by: u32) {
        self.name.shift(by);
        self.params.shift(by);
        match &mut self.body {
            TypeBody::Variants(variants) => variants.shift(by),
            TypeBody::Record(fields) => fields.shift(by),
        }
        for invariant in &mut self.invariants {
            invariant.expr.shift(by);
            invariant.span.shift(by);
        }
        self.span.shift(by);
    }
}

impl Shift for Variant {
    fn shift(&mut self, by: u32) {
        self.name.shift(by);
        self.fields.shift(by);
        self.span.shift(by);
    }
}

impl Shift for Field {
    fn shift(&mut self, by: u32) {
        self.name.shift(by);
        self.ty.shift(by);
        self.authority.shift(by);
    }
}

impl Shift for TypeExpr {
    fn shift(&mut self, by: u32) {
        match &mut self.kind {
            TypeExprKind::Named(path, arguments) => {
                path.shift(by);
                arguments.shift(by);
            }
            TypeExprKind::Var(name) => name.shift(by),
            TypeExprKind::Function(from, to) => {
                from.shift(by);
                to.shift(by);
            }
            TypeExprKind::List(element) => element.shift(by),
            TypeExprKind::Tuple(elements) => elements.shift(by),
            TypeExprKind::Error => {}
        }
        self.span.shift(by);
    }
}

impl Shift for Pat {
    fn shift(&mut self, by: u32) {
        match &mut self.kind {
            PatKind::Wildcard | PatKind::Var(_) | PatKind::Literal(_) | PatKind::Error => {}
            PatKind::Constructor(path) => path.shift(by),
            PatKind::Sequence(items) | PatKind::Tuple(items) | PatKind::List(items) => items.shift(by),
            PatKind::Cons(head, tail) => {
                head.shift(by);
                tail.shift(by);
            }
            PatKind::Record(fields) => fields.shift(by),
            PatKind::Annotated(pattern, ty) => {
                pattern.shift(by);
                ty.shift(by);
            }
        }
        self.span.shift(by);
    }
}

impl Shift for Expr {
    fn shift(&mut self, by: u32) {
        match &mut self.kind {
            ExprKind::Int(_)
            | ExprKind::Real(_)
            | ExprKind::Str(_)
            | ExprKind::Char(_)
            | ExprKind::Bool(_)
            | ExprKind::Wildcard
            | ExprKind::Error => {}
            ExprKind::Path(path) => path.shift(by),
            ExprKind::Juxtaposition(items) | ExprKind::Tuple(items) | ExprKind::List(items) => items.shift(by),
            ExprKind::Binary(_, left, right) => {
                left.shift(by);
                right.shift(by);
            }
            ExprKind::Unary(_, operand) => operand.shift(by),
            ExprKind::Field(base, name) => {
                base.shift(by);
                name.shift(by);
            }
            ExprKind::Record(fields) => fields.shift(by),
            ExprKind::Update(base, fields) => {
                base.shift(by);
                fields.shift(by);
            }
            ExprKind::Annotated(expr, ty) => {
                expr.shift(by);
                ty.shift(by);
            }
            ExprKind::If(condition, then, otherwise) => {
                condition.shift(by);
                then.shift(by);
                otherwise.shift(by);
            }
            ExprKind::Lambda(params, body) => {
                params.shift(by);
                body.shift(by);
            }
            ExprKind::Let(defs, body) | ExprKind::Where(body, defs) => {
                defs.shift(by);
                body.shift(by);
            }
            ExprKind::Match(scrutinee, clauses) => {
                scrutinee.shift(by);
                clauses.shift(by);
            }
        }
        self.span.shift(by);
    }
}

impl Shift for Clause {
    fn shift(&mut self, by: u32) {
        self.patterns.shift(by);
        self.body.shift(by);
        self.span.shift(by);
        self.name_span.shift(by);
    }
}

impl Shift for Def {
    fn shift(&mut self, by: u32) {
        self.name.shift(by);
        self.signature.shift(by);
        self.param_names.shift(by);
        self.clauses.shift(by);
        self.specs.shift(by);
        self.span.shift(by);
    }
}

impl Shift for Spec {
    fn shift(&mut self, by: u32) {
        self.expr.shift(by);
        self.span.shift(by);
    }
}

impl Shift for Test {
    fn shift(&mut self, by: u32) {
        self.name_span.shift(by);
        self.params.shift(by);
        self.body.shift(by);
        self.span.shift(by);
    }
}

impl Shift for Binding {
    fn shift(&mut self, by: u32) {
        match self {
            Binding::Signature { name, ty, body, specs, span } => {
                name.shift(by);
                ty.shift(by);
                body.shift(by);
                specs.shift(by);
                span.shift(by);
            }
            Binding::Equation { name, params, body, span } => {
                name.shift(by);
                params.shift(by);
                body.shift(by);
                span.shift(by);
            }
            Binding::Vertical { name, params, result, body, span } => {
                name.shift(by);
                params.shift(by);
                result.shift(by);
                body.shift(by);
                span.shift(by);
            }
            Binding::Error(span) => span.shift(by),
        }
    }
}

impl Shift for Body {
    fn shift(&mut self, by: u32) {
        self.lines.shift(by);
        self.bindings.shift(by);
        self.span.shift(by);
    }
}

impl Shift for Line {
    fn shift(&mut self, by: u32) {
        match self {
            Line::Expr(expr) => expr.shift(by),
            Line::Rule(pattern, body, span) => {
                pattern.shift(by);
                body.shift(by);
                span.shift(by);
            }
            Line::Let(binding) => binding.shift(by),
            Line::Error => {}
        }
    }
}
