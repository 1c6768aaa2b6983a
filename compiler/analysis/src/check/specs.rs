//! Specification clauses (`requires`, `ensures`, `decreases`;
//! `spec/verification.md`): each is checked like a function of the
//! function's parameters (and, for `ensures`, of its `result`) whose body
//! must be `Bool` (`ℕ` for `decreases`), and lowered to a core global of
//! its own, `Module.f#requires0`, kept in the core module's `specs` beside
//! its globals. Like tests, clauses are exempt from the linear-type rules:
//! they only read the values they are given.

use super::Checker;
use crate::types::{Con, Type};
use min_core as core;
use min_diagnostics::{Diagnostic, Span, codes};
use min_syntax::ast;

/// The name of the global of clause number `index` of `function`, which no
/// source can refer to.
fn spec_global_name(function: &str, kind: ast::SpecKind, index: usize) -> String {
    format!("{function}#{}{index}", kind.keyword())
}

impl Checker {
    /// Checks and lowers the clauses of every definition of the module.
    pub(crate) fn check_specs(&mut self, defs: &[ast::Def]) -> Vec<core::Spec> {
        let mut specs = Vec::new();
        for def in defs.iter().filter(|def| !def.specs.is_empty()) {
            let Some(entry) = self.env.globals.get(&def.name.text) else { continue };
            let (qualified, scheme) = (entry.qualified.clone(), entry.scheme.clone());
            let Some(params) = self.spec_parameters(def) else { continue };
            let ty = self.u.instantiate(&scheme);
            let Some((param_types, result_type)) = self.split_parameters(&ty, params.len()) else {
                self.error(
                    Diagnostic::error(
                        codes::E0112,
                        def.specs[0].span,
                        format!("`{}` takes fewer parameters than its equation names", def.name.text),
                    )
                    .with_help(
                        "the clauses see the parameters the equation names; give the signature one type for each",
                    ),
                );
                continue;
            };
            for (index, spec) in def.specs.iter().enumerate() {
                specs.push(self.check_spec(def, &qualified, index, spec, &params, &param_types, &result_type));
            }
        }
        specs
    }

    /// The names the clauses give the parameters: those of the
    /// one-per-line form, or of the one equation whose parameters are all
    /// plain names. `E0112` otherwise.
    fn spec_parameters(&mut self, def: &ast::Def) -> Option<Vec<(String, Span)>> {
        if !def.param_names.is_empty() {
            return Some(def.param_names.iter().map(|name| (name.text.clone(), name.span)).collect());
        }
        let names: Option<Vec<(String, Span)>> = match def.clauses.as_slice() {
            [clause] if !def.rules => clause
                .patterns
                .iter()
                .map(|pattern| match &pattern.kind {
                    ast::PatKind::Var(name) => Some((name.clone(), pattern.span)),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        if names.is_none() {
            self.error(
                Diagnostic::error(
                    codes::E0112,
                    def.specs[0].span,
                    format!("the clauses of `{}` cannot name its parameters", def.name.text),
                )
                .with_help(format!(
                    "define `{}` with one equation whose parameters are names (`{} a b = match …`), so the clauses can refer to them",
                    def.name.text, def.name.text
                )),
            );
        }
        names
    }

    /// The types of the first `count` parameters of a function of type
    /// `ty`, and the type of its result after them.
    fn split_parameters(&mut self, ty: &Type, count: usize) -> Option<(Vec<Type>, Type)> {
        let mut params = Vec::with_capacity(count);
        let mut rest = self.u.resolve(ty);
        for _ in 0..count {
            match rest {
                Type::Fun(param, result) => {
                    params.push((*param).clone());
                    rest = self.u.resolve(&result);
                }
                _ => return None,
            }
        }
        Some((params, rest))
    }

    #[allow(clippy::too_many_arguments)]
    fn check_spec(
        &mut self,
        def: &ast::Def,
        qualified: &str,
        index: usize,
        spec: &ast::Spec,
        params: &[(String, Span)],
        param_types: &[Type],
        result_type: &Type,
    ) -> core::Spec {
        let mut patterns: Vec<ast::Pat> =
            params.iter().map(|(name, span)| ast::Pat { kind: ast::PatKind::Var(name.clone()), span: *span }).collect();
        let mut types: Vec<Type> = param_types.to_vec();
        let (kind, body_type) = match spec.kind {
            ast::SpecKind::Requires => (core::SpecKind::Requires, Type::con(Con::Bool)),
            ast::SpecKind::Ensures => {
                patterns.push(ast::Pat { kind: ast::PatKind::Var(ast::RESULT_NAME.to_string()), span: spec.span });
                types.push(result_type.clone());
                (core::SpecKind::Ensures, Type::con(Con::Bool))
            }
            ast::SpecKind::Decreases => (core::SpecKind::Decreases, Type::con(Con::Nat)),
        };
        let name = spec_global_name(&def.name.text, spec.kind, index);
        let clause =
            Clause { name, kind, patterns, types, body_type, expr: &spec.expr, text: &spec.text, span: spec.span };
        self.lower_clause(qualified, clause)
    }

    /// Lowers one clause, a function of `patterns` (of `types`) whose body
    /// `expr` has type `body_type`, to a core global of its own.
    fn lower_clause(&mut self, qualified: &str, clause: Clause<'_>) -> core::Spec {
        let Clause { name, kind, patterns, types, body_type, expr, text, span } = clause;
        let expected = types.into_iter().rev().fold(body_type, |result, param| Type::fun(param, result));
        let name = ast::Name { text: name, span };
        let clause = ast::Clause { patterns, body: expr.clone(), span, name_span: None };
        let clause_def = ast::Def {
            name,
            signature: None,
            param_names: Vec::new(),
            clauses: vec![clause],
            rules: false,
            procedure: false,
            doc: String::new(),
            specs: Vec::new(),
            span,
        };
        self.u.level += 1;
        let recording = std::mem::replace(&mut self.recording_flows, false);
        let global = self.lower_global(&clause_def, &expected);
        self.recording_flows = recording;
        // Clauses only read their values: no linear-type rules.
        self.flow_bodies.pop();
        self.u.level -= 1;
        core::Spec { function: qualified.to_string(), kind, text: text.to_string(), span, global }
    }

    /// The invariants of the module's record types (`invariant P` under
    /// the type, `spec/verification.md`) as clauses of every definition
    /// that receives or returns values of those types: a `requires` for
    /// each such parameter, an `ensures` for the result or each such
    /// component of a tuple result.
    pub(crate) fn check_invariants(&mut self, types: &[ast::TypeDef], defs: &[ast::Def]) -> Vec<core::Spec> {
        let module = self.env.module.clone();
        // Each invariant as a condition on one value of its type: the
        // pattern that takes the value apart, and the condition over it.
        let guarded: Vec<(Type, ast::Pat, ast::Expr, &ast::Invariant)> = types
            .iter()
            .flat_map(|ty| {
                let own = Type::App(Con::Adt(format!("{module}.{}", ty.name.text).into()), Vec::new());
                ty.invariants.iter().filter_map(move |invariant| {
                    let (pattern, condition) = guarded_value(ty, invariant)?;
                    Some((own.clone(), pattern, condition, invariant))
                })
            })
            .collect();
        if guarded.is_empty() {
            return Vec::new();
        }
        let mut specs = Vec::new();
        for def in defs {
            let Some(entry) = self.env.globals.get(&def.name.text) else { continue };
            let (qualified, scheme) = (entry.qualified.clone(), entry.scheme.clone());
            let arity = def.param_names.len().max(def.clauses.first().map_or(0, |c| c.patterns.len()));
            let ty = self.u.instantiate(&scheme);
            let Some((param_types, result_type)) = self.split_parameters(&ty, arity) else { continue };
            let mut count = 0;
            let mut add = |checker: &mut Checker,
                           kind,
                           patterns: Vec<ast::Pat>,
                           types: Vec<Type>,
                           condition: &ast::Expr,
                           invariant: &ast::Invariant| {
                let name = format!("{}#invariant{count}", def.name.text);
                count += 1;
                let clause = Clause {
                    name,
                    kind,
                    patterns,
                    types,
                    body_type: Type::con(Con::Bool),
                    expr: condition,
                    text: &invariant.text,
                    span: invariant.span,
                };
                specs.push(checker.lower_clause(&qualified, clause));
            };
            for (own, value, condition, invariant) in &guarded {
                let holder = |candidate: &Type, checker: &Checker| checker.u.resolve(candidate) == *own;
                for position in 0..arity {
                    if !holder(&param_types[position], self) {
                        continue;
                    }
                    let patterns = (0..arity)
                        .map(|i| if i == position { value.clone() } else { wildcard(invariant.span) })
                        .collect();
                    add(self, core::SpecKind::Requires, patterns, param_types.clone(), condition, invariant);
                }
                let mut types = param_types.clone();
                types.push(result_type.clone());
                let mut ensure = |checker: &mut Checker, result: ast::Pat| {
                    let mut patterns: Vec<ast::Pat> = (0..arity).map(|_| wildcard(invariant.span)).collect();
                    patterns.push(result);
                    add(checker, core::SpecKind::Ensures, patterns, types.clone(), condition, invariant);
                };
                match self.u.resolve(&result_type) {
                    result if result == *own => ensure(self, value.clone()),
                    Type::App(Con::Tuple(n), items) => {
                        for (j, item) in items.iter().enumerate() {
                            if !holder(item, self) {
                                continue;
                            }
                            let parts = (0..n as usize)
                                .map(|k| if k == j { value.clone() } else { wildcard(invariant.span) })
                                .collect();
                            ensure(self, ast::Pat { kind: ast::PatKind::Tuple(parts), span: invariant.span });
                        }
                    }
                    _ => {}
                }
            }
        }
        specs
    }
}

/// A clause to lower: its global's name, kind, parameters, body and text.
struct Clause<'a> {
    name: String,
    kind: core::SpecKind,
    patterns: Vec<ast::Pat>,
    types: Vec<Type>,
    body_type: Type,
    expr: &'a ast::Expr,
    text: &'a str,
    span: Span,
}

/// An invariant as a pattern that takes one value of its type apart and a
/// condition over what it binds: a record's fields and the invariant; for
/// a variant, the whole value and `match value` with the variant's fields
/// giving the invariant and any other variant `true`. `None` when the
/// invariant is not under a record or a variant of its type.
fn guarded_value(ty: &ast::TypeDef, invariant: &ast::Invariant) -> Option<(ast::Pat, ast::Expr)> {
    let span = invariant.span;
    match (&ty.body, invariant.variant) {
        (ast::TypeBody::Record(fields), None) => {
            let names: Vec<String> = fields.iter().filter_map(|f| f.name.as_ref().map(|n| n.text.clone())).collect();
            Some((fields_pattern(&names, span), invariant.expr.clone()))
        }
        (ast::TypeBody::Variants(variants), Some(index)) => {
            let variant = variants.get(index as usize)?;
            let constructor = ast::Pat { kind: ast::PatKind::Constructor(vec![variant.name.clone()]), span };
            let pattern = if variant.fields.is_empty() {
                constructor
            } else {
                let mut parts = vec![constructor];
                parts.extend(variant.fields.iter().map(|field| match &field.name {
                    Some(name) => ast::Pat { kind: ast::PatKind::Var(name.text.clone()), span },
                    None => wildcard(span),
                }));
                ast::Pat { kind: ast::PatKind::Sequence(parts), span }
            };
            let mut arms =
                vec![ast::Clause { patterns: vec![pattern], body: invariant.expr.clone(), span, name_span: None }];
            if variants.len() > 1 {
                let otherwise = ast::Expr::new(ast::ExprKind::Bool(true), span);
                arms.push(ast::Clause { patterns: vec![wildcard(span)], body: otherwise, span, name_span: None });
            }
            let value = ast::Name { text: INVARIANT_VALUE.to_string(), span };
            let scrutinee = ast::Expr::new(ast::ExprKind::Path(vec![value]), span);
            let condition = ast::Expr::new(ast::ExprKind::Match(Box::new(scrutinee), arms), span);
            Some((ast::Pat { kind: ast::PatKind::Var(INVARIANT_VALUE.to_string()), span }, condition))
        }
        _ => None,
    }
}

/// The name a variant's invariant gives the value it is about (one no
/// program can write, so it hides nothing).
const INVARIANT_VALUE: &str = "invariant#value";

/// `_`.
fn wildcard(span: Span) -> ast::Pat {
    ast::Pat { kind: ast::PatKind::Wildcard, span }
}

/// `{f₁, f₂, …}`: a record pattern naming every field.
fn fields_pattern(fields: &[String], span: Span) -> ast::Pat {
    let bound = fields
        .iter()
        .map(|field| {
            let name = ast::Name { text: field.clone(), span };
            (name, ast::Pat { kind: ast::PatKind::Var(field.clone()), span })
        })
        .collect();
    ast::Pat { kind: ast::PatKind::Record(bound), span }
}
