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
        let guarded: Vec<(&ast::TypeDef, Vec<String>)> = types
            .iter()
            .filter(|ty| !ty.invariants.is_empty())
            .filter_map(|ty| match &ty.body {
                ast::TypeBody::Record(fields) => {
                    Some((ty, fields.iter().filter_map(|f| f.name.as_ref().map(|n| n.text.clone())).collect()))
                }
                ast::TypeBody::Variants(_) => None,
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
            let mut add =
                |checker: &mut Checker, kind, patterns: Vec<ast::Pat>, types: Vec<Type>, invariant: &ast::Invariant| {
                    let name = format!("{}#invariant{count}", def.name.text);
                    count += 1;
                    let clause = Clause {
                        name,
                        kind,
                        patterns,
                        types,
                        body_type: Type::con(Con::Bool),
                        expr: &invariant.expr,
                        text: &invariant.text,
                        span: invariant.span,
                    };
                    specs.push(checker.lower_clause(&qualified, clause));
                };
            for (ty, fields) in &guarded {
                let own = Type::App(Con::Adt(format!("{}.{}", self.env.module, ty.name.text).into()), Vec::new());
                let holder = |candidate: &Type, checker: &Checker| checker.u.resolve(candidate) == own;
                for invariant in &ty.invariants {
                    for position in 0..arity {
                        if !holder(&param_types[position], self) {
                            continue;
                        }
                        let patterns = (0..arity)
                            .map(|i| {
                                if i == position {
                                    fields_pattern(fields, invariant.span)
                                } else {
                                    wildcard(invariant.span)
                                }
                            })
                            .collect();
                        add(self, core::SpecKind::Requires, patterns, param_types.clone(), invariant);
                    }
                    let mut types = param_types.clone();
                    types.push(result_type.clone());
                    let mut ensure = |checker: &mut Checker, result: ast::Pat| {
                        let mut patterns: Vec<ast::Pat> = (0..arity).map(|_| wildcard(invariant.span)).collect();
                        patterns.push(result);
                        add(checker, core::SpecKind::Ensures, patterns, types.clone(), invariant);
                    };
                    match self.u.resolve(&result_type) {
                        result if result == own => ensure(self, fields_pattern(fields, invariant.span)),
                        Type::App(Con::Tuple(n), items) => {
                            for (j, item) in items.iter().enumerate() {
                                if !holder(item, self) {
                                    continue;
                                }
                                let parts = (0..n as usize)
                                    .map(|k| {
                                        if k == j {
                                            fields_pattern(fields, invariant.span)
                                        } else {
                                            wildcard(invariant.span)
                                        }
                                    })
                                    .collect();
                                ensure(self, ast::Pat { kind: ast::PatKind::Tuple(parts), span: invariant.span });
                            }
                        }
                        _ => {}
                    }
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
