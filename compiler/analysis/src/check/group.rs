//! Function bodies (equations, rules, lambdas) and groups of local
//! definitions (`let`, where-blocks).

use super::Checker;
use super::linearity::{Discard, Flow};
use super::pattern::Grouped;
use crate::deps::{components, def_free_names};
use crate::exhaustive::coverage;
use crate::types::{Scheme, Type};
use min_core as core;
use min_diagnostics::{Diagnostic, Span, codes};
use min_syntax::ast::{self, Pat, PatKind};

/// One equation, rule or lambda: its patterns and its result.
pub(crate) struct ClauseRef<'a> {
    pub patterns: &'a [Pat],
    pub body: &'a ast::Expr,
    pub span: Span,
}

/// How a function body treats arguments that no clause matches.
pub(crate) struct BodyShape<'a> {
    /// Whether the clauses are rewrite rules with flat patterns.
    pub rules: bool,
    /// Whether an unmatched argument is returned unchanged (a `T → T` rewrite).
    pub may_fall_through: bool,
    /// The function's name, for messages.
    pub name: &'a str,
    /// Where to report a missing case.
    pub span: Span,
}

impl Checker {
    /// Lowers a definition's clauses in the current (fresh) frame: parameters
    /// in slots `0..arity`. Returns the arity and the body.
    pub(crate) fn lower_function_body(&mut self, def: &ast::Def, expected: &Type) -> (u32, core::Expr) {
        let arity = if def.rules {
            // The first rule says how many parameters the rules take: a
            // signature `S → (ℤ → ℤ)` may be matched on one argument.
            let mut arrows = 0;
            let mut ty = self.u.shallow(expected);
            while let Type::Fun(_, result) = ty {
                arrows += 1;
                ty = self.u.shallow(&result);
            }
            let written = def.clauses.first().map_or(arrows, |clause| self.count_patterns(&clause.patterns));
            if written >= 1 && written <= arrows { written } else { arrows }
        } else {
            def.clauses.first().map_or(0, |clause| clause.patterns.len())
        };
        for clause in def.clauses.iter().skip(1) {
            if !def.rules && clause.patterns.len() != arity {
                self.error(
                    Diagnostic::error(
                        codes::E0206,
                        clause.span,
                        format!(
                            "this equation of `{}` has {} parameter{}, the first has {arity}",
                            def.name.text,
                            clause.patterns.len(),
                            if clause.patterns.len() == 1 { "" } else { "s" }
                        ),
                    )
                    .with_help("every equation of a function takes the same number of parameters"),
                );
            }
        }
        if arity == 0 && def.clauses.len() > 1 {
            self.error(
                Diagnostic::error(codes::E0104, def.clauses[1].span, format!("`{}` is defined twice", def.name.text))
                    .with_label(def.clauses[0].span, "first defined here"),
            );
        }
        let params: Vec<Type> = (0..arity).map(|_| self.u.fresh()).collect();
        let result = self.u.fresh();
        let function = params.iter().rev().fold(result.clone(), |acc, param| Type::fun(param.clone(), acc));
        self.unify_at(&function, expected, def.name.span, &format!("`{}` does not match its signature", def.name.text));
        let clauses: Vec<ClauseRef> = def
            .clauses
            .iter()
            .filter(|clause| def.rules || clause.patterns.len() == arity)
            .map(|clause| ClauseRef { patterns: &clause.patterns, body: &clause.body, span: clause.span })
            .collect();
        let may_fall_through = def.rules && arity == 1 && self.u.resolve(&params[0]) == self.u.resolve(&result);
        let shape = BodyShape { rules: def.rules, may_fall_through, name: &def.name.text, span: def.name.span };
        let body = self.lower_clauses(&clauses, &params, &result, &shape);
        (arity as u32, body)
    }

    /// Lowers clauses over parameters in slots `0..params.len()` of the current frame.
    pub(crate) fn lower_clauses(
        &mut self,
        clauses: &[ClauseRef],
        params: &[Type],
        result: &Type,
        shape: &BodyShape,
    ) -> core::Expr {
        let slots: Vec<u32> = params.iter().map(|ty| self.alloc_slot(std::sync::Arc::from(""), ty)).collect();
        let simple = !shape.rules
            && clauses.len() == 1
            && clauses[0].patterns.iter().all(|p| matches!(p.kind, PatKind::Var(_) | PatKind::Wildcard));
        if simple {
            self.push_scope();
            let mut bound = Vec::new();
            for ((pattern, ty), &slot) in clauses[0].patterns.iter().zip(params).zip(&slots) {
                if matches!(pattern.kind, PatKind::Wildcard) {
                    self.flow(Flow::Discard { ty: ty.clone(), span: pattern.span, why: Discard::Wildcard });
                }
                if let PatKind::Var(name) = &pattern.kind {
                    if bound.contains(name) {
                        self.error(Diagnostic::error(
                            codes::E0110,
                            pattern.span,
                            format!("the parameter `{name}` is bound twice"),
                        ));
                    }
                    bound.push(name.clone());
                    self.bind_local_at(name, Scheme::mono(ty.clone()), pattern.span, slot);
                }
            }
            let body = self.check(clauses[0].body, result);
            self.pop_scope();
            return body;
        }
        let mut arms = Vec::new();
        let mut rows = Vec::new();
        let mut alternatives = Vec::new();
        for clause in clauses {
            self.push_scope();
            self.flow_open();
            let grouped: Vec<Grouped> = if shape.rules {
                self.group_patterns(clause.patterns, params.len(), clause.span)
            } else {
                clause
                    .patterns
                    .iter()
                    .map(|pattern| {
                        let mut none = [].iter();
                        self.group_one(pattern, &mut none)
                    })
                    .collect()
            };
            let mut bound = Vec::new();
            let mut cores = Vec::new();
            let mut row = Vec::new();
            for (pattern, ty) in grouped.iter().zip(params) {
                let (core_pattern, spat) = self.check_pattern(pattern, ty, &mut bound);
                cores.push(core_pattern);
                row.push(spat);
            }
            let body = self.check(clause.body, result);
            alternatives.push((clause.span, self.flow_close()));
            self.pop_scope();
            let pattern = if cores.len() == 1 { cores.pop().expect("one") } else { core::Pattern::Tuple(cores) };
            arms.push((pattern, body));
            rows.push((row, clause.span));
        }
        self.flow(Flow::Branch(alternatives));
        let matrix: Vec<_> = rows.iter().map(|(row, _)| row.clone()).collect();
        let coverage = coverage(&matrix, params.len());
        for index in coverage.unreachable {
            self.error(
                Diagnostic::error(codes::W0302, rows[index].1, "this rule is never reached")
                    .with_span_label("the rules above already match every value this one matches")
                    .with_help("remove it, or move it above the rule that covers it"),
            );
        }
        let otherwise = match coverage.missing {
            Some(_) if shape.may_fall_through => core::Otherwise::ReturnScrutinee,
            Some(witness) => {
                let shown = if witness.len() == 1 {
                    witness[0].to_string()
                } else {
                    witness.iter().map(|w| format!("({w})")).collect::<Vec<_>>().join(" ")
                };
                self.error(
                    Diagnostic::error(
                        codes::E0301,
                        shape.span,
                        format!("the rules of `{}` do not match `{shown}`", shape.name),
                    )
                    .with_span_label(format!("`{shown}` is not matched"))
                    .with_help(format!("add a rule for `{shown}`, or end with a catch-all rule `_ → …`")),
                );
                core::Otherwise::Abort
            }
            None => core::Otherwise::Abort,
        };
        let scrutinee = if slots.len() == 1 {
            core::Expr::Local(slots[0])
        } else {
            core::Expr::Tuple(slots.iter().map(|&slot| core::Expr::Local(slot)).collect())
        };
        core::Expr::Match(Box::new(core::Match { scrutinee, arms, otherwise, span: shape.span }))
    }

    /// Lowers a local function definition to a closure.
    fn lower_lambda_def(&mut self, def: &ast::Def, expected: &Type) -> core::Lambda {
        self.frames.push(Default::default());
        let (params, body) = self.lower_function_body(def, expected);
        let frame = self.frames.pop().expect("pushed above");
        core::Lambda {
            params,
            captures: frame.captures.iter().map(|&(_, outer, inner)| (outer, inner)).collect(),
            frame_size: frame.size,
            body,
            slots: self.pending_slots(&frame),
        }
    }

    /// Lowers `let`/where definitions around `body`: values in dependency
    /// order, mutually recursive functions together, each generalized.
    pub(crate) fn lower_local_group(&mut self, defs: &[ast::Def], body: &ast::Expr, span: Span) -> (core::Expr, Type) {
        for (i, def) in defs.iter().enumerate() {
            if let Some(first) = defs[..i].iter().find(|other| other.name.text == def.name.text) {
                self.error(
                    Diagnostic::error(
                        codes::E0104,
                        def.name.span,
                        format!("`{}` is defined twice here", def.name.text),
                    )
                    .with_label(first.name.span, "first defined here"),
                );
            }
        }
        let edges: Vec<Vec<usize>> = defs
            .iter()
            .map(|def| {
                let free = def_free_names(def);
                defs.iter().enumerate().filter(|(_, other)| free.contains(&other.name.text)).map(|(j, _)| j).collect()
            })
            .collect();
        let is_function = |def: &ast::Def| {
            def.rules
                || def
                    .clauses
                    .first()
                    .is_some_and(|c| !c.patterns.is_empty() || matches!(c.body.kind, ast::ExprKind::Lambda(..)))
        };
        self.push_scope();
        let mut wrappers: Vec<Wrapper> = Vec::new();
        for component in components(&edges) {
            let self_reference = component.len() == 1 && edges[component[0]].contains(&component[0]);
            if component.len() == 1 && !is_function(&defs[component[0]]) && !self_reference {
                let def = &defs[component[0]];
                self.u.level += 1;
                let (expected, signature) = self.local_expected_type(def);
                let value = match def.clauses.first() {
                    Some(clause) => self.check(&clause.body, &expected),
                    None => core::Expr::Lit(core::Lit::Unit),
                };
                if def.clauses.len() > 1 {
                    self.error(
                        Diagnostic::error(
                            codes::E0104,
                            def.clauses[1].span,
                            format!("`{}` is defined twice", def.name.text),
                        )
                        .with_label(def.clauses[0].span, "first defined here"),
                    );
                }
                self.u.level -= 1;
                let scheme = signature.unwrap_or_else(|| self.u.generalize(&expected, false));
                let slot = self.bind_local(&def.name.text, scheme, def.name.span);
                wrappers.push(Wrapper::Let(slot, value));
            } else if component.iter().all(|&i| is_function(&defs[i])) {
                self.u.level += 1;
                let mut members = Vec::new();
                for &i in &component {
                    let def = &defs[i];
                    let (expected, signature) = self.local_expected_type(def);
                    let scheme = signature.clone().unwrap_or_else(|| Scheme::mono(expected.clone()));
                    let slot = self.bind_local(&def.name.text, scheme, def.name.span);
                    members.push((i, slot, expected, signature));
                }
                let mut lambdas = Vec::new();
                for (i, slot, expected, _) in &members {
                    lambdas.push((*slot, self.lower_lambda_def(&defs[*i], expected)));
                }
                self.u.level -= 1;
                for (i, _, expected, signature) in &members {
                    if signature.is_none() {
                        let scheme = self.u.generalize(expected, true);
                        self.set_local_scheme(&defs[*i].name.text, scheme);
                    }
                }
                wrappers.push(Wrapper::LetRec(lambdas));
            } else {
                let names: Vec<&str> = component.iter().map(|&i| defs[i].name.text.as_str()).collect();
                let first = &defs[component[0]];
                self.error(
                    Diagnostic::error(
                        codes::E0207,
                        first.name.span,
                        format!(
                            "{} depend{} on {} to be computed",
                            quoted(&names),
                            if names.len() == 1 { "s" } else { "" },
                            if names.len() == 1 { "itself" } else { "each other" }
                        ),
                    )
                    .with_help("a value cannot be defined in terms of itself; make it a function, or break the cycle"),
                );
                for &i in &component {
                    let fresh = self.u.fresh();
                    let slot = self.bind_local(&defs[i].name.text, Scheme::mono(fresh), defs[i].name.span);
                    wrappers.push(Wrapper::Let(slot, core::Expr::Lit(core::Lit::Unit)));
                }
            }
        }
        let (mut result, ty) = self.infer(body);
        self.pop_scope();
        let _ = span;
        for wrapper in wrappers.into_iter().rev() {
            result = match wrapper {
                Wrapper::Let(slot, value) => core::Expr::Let(slot, Box::new(value), Box::new(result)),
                Wrapper::LetRec(lambdas) => core::Expr::LetRec(lambdas, Box::new(result)),
            };
        }
        (result, ty)
    }

    /// The type a local definition is checked against, and its declared scheme.
    fn local_expected_type(&mut self, def: &ast::Def) -> (Type, Option<Scheme>) {
        match &def.signature {
            Some(signature) => {
                let scheme = self.signature_scheme(signature);
                let rigid = self.rigid_instance(&scheme, signature);
                (rigid, Some(scheme))
            }
            None => (self.u.fresh(), None),
        }
    }

    fn set_local_scheme(&mut self, name: &str, scheme: Scheme) {
        if let Some(local) =
            self.scopes.last_mut().and_then(|scope| scope.iter_mut().rev().find(|local| &*local.name == name))
        {
            local.scheme = scheme;
        }
    }
}

enum Wrapper {
    Let(u32, core::Expr),
    LetRec(Vec<(u32, core::Lambda)>),
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
