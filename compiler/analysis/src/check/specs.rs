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
        let expected = types.into_iter().rev().fold(body_type, |result, param| Type::fun(param, result));
        let name = ast::Name { text: spec_global_name(&def.name.text, spec.kind, index), span: spec.span };
        let clause = ast::Clause { patterns, body: spec.expr.clone(), span: spec.span, name_span: None };
        let clause_def = ast::Def {
            name,
            signature: None,
            param_names: Vec::new(),
            clauses: vec![clause],
            rules: false,
            procedure: false,
            doc: String::new(),
            specs: Vec::new(),
            span: spec.span,
        };
        self.u.level += 1;
        let recording = std::mem::replace(&mut self.recording_flows, false);
        let global = self.lower_global(&clause_def, &expected);
        self.recording_flows = recording;
        // Clauses only read their values: no linear-type rules.
        self.flow_bodies.pop();
        self.u.level -= 1;
        core::Spec { function: qualified.to_string(), kind, text: spec.text.clone(), span: spec.span, global }
    }
}
