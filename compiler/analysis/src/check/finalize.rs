//! The end of a module: numeric defaults, and replacing the core IR's
//! `Pending` placeholders by the number and text types inference settled on.

use super::Checker;
use crate::types::{Con, Type, TypePrinter};
use crate::unify::GENERIC;
use min_core::{self as core, Lit, NumKind};
use min_diagnostics::{Diagnostic, codes};

impl Checker {
    /// Gives every still-undecided constrained variable outside a generalized
    /// function its default: ℤ for numbers, `Char` for character literals.
    pub(crate) fn apply_defaults(&mut self) {
        for var in 0..self.u.var_count() {
            if !self.u.is_unbound(var) || self.u.level_of(var) == GENERIC {
                continue;
            }
            if let Some(ty) = self.u.class_of(var).default_type() {
                self.u.bind(var, ty);
            }
        }
    }

    /// Reports `==` on values that contain functions: they have no equality.
    pub(crate) fn check_equalities(&mut self) {
        for (ty, span) in std::mem::take(&mut self.equality_checks) {
            let resolved = self.u.resolve(&ty);
            if contains_function(&resolved) {
                let shown = TypePrinter::default().show(&resolved);
                self.error(
                    Diagnostic::error(codes::E0204, span, format!("values of type `{shown}` cannot be compared"))
                        .with_span_label("functions have no equality")
                        .with_help(
                            "compare what the functions compute, or give the values a data type with an identity",
                        ),
                );
            }
        }
    }

    fn resolved_con(&self, pending: u32) -> Option<Con> {
        match self.u.resolve(&self.pending[pending as usize]) {
            Type::App(con, args) if args.is_empty() => Some(con),
            _ => None,
        }
    }

    fn num_kind(&self, kind: NumKind) -> NumKind {
        match kind {
            NumKind::Pending(index) => match self.resolved_con(index) {
                Some(Con::Nat) => NumKind::Nat,
                Some(Con::Int) => NumKind::Int,
                Some(Con::Real) => NumKind::Real,
                _ => NumKind::Dyn,
            },
            other => other,
        }
    }

    fn literal(&mut self, literal: &mut Lit, span: min_diagnostics::Span) {
        let resolved = match literal {
            Lit::PendingInt(magnitude, negative, index) => {
                let (magnitude, negative) = (*magnitude, *negative);
                let signed =
                    if negative { 0i128.checked_sub_unsigned(magnitude) } else { i128::try_from(magnitude).ok() };
                match self.resolved_con(*index) {
                    Some(Con::Nat) if !negative => Lit::Nat(magnitude),
                    Some(Con::Real) => {
                        let value = magnitude as f64;
                        Lit::Real(if negative { -value } else { value }.to_bits())
                    }
                    con => match signed {
                        Some(value) if con == Some(Con::Int) => Lit::Int(value),
                        Some(value) => Lit::Dyn(value),
                        None => {
                            self.error(
                                Diagnostic::error(codes::E0005, span, "this literal does not fit in ℤ's 128 bits")
                                    .with_help("ℤ holds values from -2¹²⁷ to 2¹²⁷ - 1; use ℕ for larger naturals"),
                            );
                            Lit::Int(0)
                        }
                    },
                }
            }
            Lit::PendingChar(c, index) => match self.resolved_con(*index) {
                Some(Con::Str) => Lit::Str(c.to_string()),
                _ => Lit::Char(*c),
            },
            _ => return,
        };
        *literal = resolved;
    }

    /// Replaces every placeholder in `expr`, a definition at `span`.
    /// Settles a lowered top-level definition: its type, its slots' types,
    /// and the placeholders in its body.
    pub(crate) fn finalize_global(&mut self, global: &mut core::Global) {
        self.var_names.clear();
        let short = global.name.rsplit_once('.').map_or(global.name.as_str(), |(_, name)| name);
        if let Some(instance) = self.global_instances.get(short).cloned() {
            global.ty = self.core_type(&instance);
        }
        self.finalize_slots(&mut global.slots);
        self.finalize_in(&mut global.body, Some(global.span));
    }

    /// The slots of a frame that has just been lowered: a type already
    /// settled (no unification variable left) is converted now, any other
    /// is a placeholder settled at the end of the module.
    pub(crate) fn pending_slots(&mut self, frame: &super::scope::Frame) -> Vec<core::Slot> {
        frame
            .slots
            .iter()
            .map(|(name, ty)| {
                let mut slot = core::Slot { name: name.clone(), ty: core::Ty::Unknown, linear: false };
                if self.is_settled(ty) {
                    slot.linear = super::linearity::is_linear(&self.u, &self.linear_types, ty, None);
                    slot.ty = self.core_type(ty);
                } else {
                    slot.ty = core::Ty::Pending(self.pend(ty));
                }
                slot
            })
            .collect()
    }

    /// Whether `ty` has no unification variable left: inference cannot change it.
    fn is_settled(&self, ty: &Type) -> bool {
        match self.u.shallow_ref(ty) {
            Type::Var(_) => false,
            Type::Gen(_) => true,
            Type::App(_, args) => args.iter().all(|arg| self.is_settled(arg)),
            Type::Fun(a, b) => self.is_settled(a) && self.is_settled(b),
        }
    }

    fn finalize_slots(&mut self, slots: &mut [core::Slot]) {
        let pending = std::mem::take(&mut self.pending);
        for slot in slots {
            if let core::Ty::Pending(index) = slot.ty {
                let ty = &pending[index as usize];
                slot.linear = super::linearity::is_linear(&self.u, &self.linear_types, ty, None);
                slot.ty = self.core_type(ty);
            }
        }
        self.pending = pending;
    }

    /// The core IR's form of `ty`. Unification variables are numbered in
    /// the order the definition being finished shows them.
    fn core_type(&mut self, ty: &Type) -> core::Ty {
        core_type(&self.u, &mut self.var_names, ty)
    }
}

impl Checker {
    fn finalize_in(&mut self, expr: &mut core::Expr, span: Option<min_diagnostics::Span>) {
        use core::Expr as E;
        let here = span.unwrap_or_default();
        match expr {
            E::Lit(literal) => self.literal(literal, here),
            E::Local(_) | E::Global(_) | E::Prim(_) | E::Constructor(_) => {}
            E::Apply(function, args, span) => {
                let span = Some(*span);
                self.finalize_in(function, span);
                args.iter_mut().for_each(|arg| self.finalize_in(arg, span));
            }
            E::Lambda(lambda) => {
                self.finalize_slots(&mut lambda.slots);
                self.finalize_in(&mut lambda.body, span);
            }
            E::Let(_, value, body) => {
                self.finalize_in(value, span);
                self.finalize_in(body, span);
            }
            E::LetRec(lambdas, body) => {
                for (_, lambda) in lambdas.iter_mut() {
                    self.finalize_slots(&mut lambda.slots);
                    self.finalize_in(&mut lambda.body, span);
                }
                self.finalize_in(body, span);
            }
            E::If(c, a, b) => {
                self.finalize_in(c, span);
                self.finalize_in(a, span);
                self.finalize_in(b, span);
            }
            E::Match(m) => {
                let span = Some(m.span);
                self.finalize_in(&mut m.scrutinee, span);
                for (pattern, body) in &mut m.arms {
                    self.finalize_pattern(pattern, m.span);
                    self.finalize_in(body, span);
                }
            }
            E::Arith(_, kind, a, b, span) | E::Pow(kind, a, b, span) => {
                *kind = self.num_kind(*kind);
                let span = Some(*span);
                self.finalize_in(a, span);
                self.finalize_in(b, span);
            }
            E::Neg(kind, a, span) => {
                *kind = self.num_kind(*kind);
                let span = Some(*span);
                self.finalize_in(a, span);
            }
            E::Compare(_, a, b, span) => {
                let span = Some(*span);
                self.finalize_in(a, span);
                self.finalize_in(b, span);
            }
            E::And(a, b) | E::Or(a, b) | E::Concat(a, b) | E::Cons(a, b) => {
                self.finalize_in(a, span);
                self.finalize_in(b, span);
            }
            E::Not(a) | E::Field(a, _) => self.finalize_in(a, span),
            E::List(items) | E::Tuple(items) => items.iter_mut().for_each(|item| self.finalize_in(item, span)),
            E::Update(base, fields, _) => {
                self.finalize_in(base, span);
                fields.iter_mut().for_each(|(_, value)| self.finalize_in(value, span));
            }
        }
    }

    fn finalize_pattern(&mut self, pattern: &mut core::Pattern, span: min_diagnostics::Span) {
        match pattern {
            core::Pattern::Lit(literal) => self.literal(literal, span),
            core::Pattern::Constructor(_, items) | core::Pattern::Tuple(items) => {
                items.iter_mut().for_each(|item| self.finalize_pattern(item, span))
            }
            core::Pattern::Cons(head, tail) => {
                self.finalize_pattern(head, span);
                self.finalize_pattern(tail, span);
            }
            core::Pattern::Wildcard | core::Pattern::Bind(_) | core::Pattern::Nil => {}
        }
    }
}

fn contains_function(ty: &Type) -> bool {
    match ty {
        Type::Fun(_, _) => true,
        Type::App(_, args) => args.iter().any(contains_function),
        Type::Var(_) | Type::Gen(_) => false,
    }
}

/// The core IR's form of `ty`, numbering unification variables through `names`.
fn core_type(u: &crate::unify::Unifier, names: &mut rustc_hash::FxHashMap<u32, u32>, ty: &Type) -> core::Ty {
    use core::Ty;
    match u.shallow_ref(ty) {
        Type::Var(v) => {
            let next = names.len() as u32;
            Ty::Var(*names.entry(*v).or_insert(next))
        }
        Type::Gen(i) => Ty::Var(*i),
        Type::Fun(a, b) => Ty::Fun(Box::new(core_type(u, names, a)), Box::new(core_type(u, names, b))),
        Type::App(con, args) => con.core_type(args.iter().map(|arg| core_type(u, names, arg)).collect()),
    }
}
