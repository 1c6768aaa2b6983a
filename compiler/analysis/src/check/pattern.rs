//! Patterns: grouping a flat sequence by constructor arity, typing, binding
//! variables to slots, and the reduced form used for exhaustiveness.

use super::linearity::{Discard, Flow};
use super::types::{TypeVars, join};
use super::{Checker, Target};
use crate::exhaustive::{Family, SPat};
use crate::interface::AdtDef;
use crate::types::{Class, Con, Scheme, Type};
use crate::unify::substitute_generics;
use min_core as core;
use min_diagnostics::{Diagnostic, Span, codes};
use min_syntax::ast::{self, Literal, Pat, PatKind};
use std::sync::Arc;

/// A pattern with constructor arguments grouped.
pub(crate) enum Grouped<'p> {
    /// A pattern that is complete as written.
    Single(&'p Pat),
    /// A constructor applied to its argument patterns.
    Applied(&'p Pat, Arc<AdtDef>, u32, Vec<Grouped<'p>>),
    /// A pattern that could not be grouped (already reported).
    Invalid,
}

impl Checker {
    /// Finds a constructor: this module's, imported ones, or `Module.Name`.
    pub(crate) fn find_constructor(&self, path: &[ast::Name]) -> Option<(Arc<AdtDef>, u32)> {
        match path {
            [name] => self.env.constructor_index.get(&name.text).cloned(),
            [module, name] => self.env.modules.get(&module.text)?.constructor(&name.text),
            _ => None,
        }
    }

    /// Groups a flat sequence into exactly `count` patterns.
    pub(crate) fn group_patterns<'p>(&mut self, items: &'p [Pat], count: usize, span: Span) -> Vec<Grouped<'p>> {
        let mut rest = items.iter();
        let mut out = Vec::new();
        while let Some(item) = rest.next() {
            out.push(self.group_one(item, &mut rest));
        }
        if out.len() != count {
            self.error(
                Diagnostic::error(
                    codes::E0206,
                    span,
                    format!(
                        "this rule has {} pattern{} but the function takes {count} parameter{}",
                        out.len(),
                        if out.len() == 1 { "" } else { "s" },
                        if count == 1 { "" } else { "s" }
                    ),
                )
                .with_help("write one pattern per parameter; a constructor takes as many patterns as it has fields"),
            );
            out.resize_with(count, || Grouped::Invalid);
            out.truncate(count);
        }
        out
    }

    pub(crate) fn group_one<'p>(&mut self, item: &'p Pat, rest: &mut std::slice::Iter<'p, Pat>) -> Grouped<'p> {
        match &item.kind {
            PatKind::Constructor(path) => {
                let Some((adt, tag)) = self.find_constructor(path) else {
                    self.unknown_constructor(path, item.span);
                    return Grouped::Invalid;
                };
                let arity = adt.constructors[tag as usize].fields.len();
                let mut args = Vec::with_capacity(arity);
                for _ in 0..arity {
                    match rest.next() {
                        Some(next) => args.push(self.group_one(next, rest)),
                        None => {
                            self.error(
                                Diagnostic::error(
                                    codes::E0105,
                                    item.span,
                                    format!(
                                        "the constructor `{}` has {arity} field{} but is given {}",
                                        join(path),
                                        if arity == 1 { "" } else { "s" },
                                        args.len()
                                    ),
                                )
                                .with_help("give one pattern per field, `_` for the ones you do not need"),
                            );
                            return Grouped::Invalid;
                        }
                    }
                }
                Grouped::Applied(item, adt, tag, args)
            }
            PatKind::Sequence(items) => {
                let mut inner = items.iter();
                let Some(first) = inner.next() else { return Grouped::Invalid };
                let grouped = self.group_one(first, &mut inner);
                if let Some(extra) = inner.next() {
                    self.error(
                        Diagnostic::error(codes::E0105, extra.span, "too many patterns inside these parentheses")
                            .with_help("a constructor takes exactly as many patterns as it has fields"),
                    );
                }
                grouped
            }
            _ => Grouped::Single(item),
        }
    }

    /// How many patterns a flat sequence groups into, without reporting anything.
    pub(crate) fn count_patterns(&self, items: &[Pat]) -> usize {
        fn skip(checker: &Checker, items: &[Pat], mut at: usize) -> usize {
            let item = &items[at];
            at += 1;
            if let PatKind::Constructor(path) = &item.kind
                && let Some((adt, tag)) = checker.find_constructor(path)
            {
                for _ in 0..adt.constructors[tag as usize].fields.len() {
                    if at >= items.len() {
                        break;
                    }
                    at = skip(checker, items, at);
                }
            }
            at
        }
        let mut count = 0;
        let mut at = 0;
        while at < items.len() {
            at = skip(self, items, at);
            count += 1;
        }
        count
    }

    pub(crate) fn unknown_constructor(&mut self, path: &[ast::Name], span: Span) {
        self.error(
            Diagnostic::error(codes::E0101, span, format!("unknown constructor `{}`", join(path)))
                .with_help("constructors are declared in a type definition: `T = Tag A | B x:ℕ`"),
        );
    }

    /// Types a grouped pattern against `expected`, binding its variables in
    /// the innermost scope. `bound` collects names to catch duplicates.
    pub(crate) fn check_pattern(
        &mut self,
        pattern: &Grouped,
        expected: &Type,
        bound: &mut Vec<String>,
    ) -> (core::Pattern, SPat) {
        match pattern {
            Grouped::Invalid => (core::Pattern::Wildcard, SPat::Wild),
            Grouped::Applied(item, adt, tag, args) => {
                self.check_asset_access(adt, item.span, false);
                let (fields, result) = self.instantiate_constructor(adt, *tag);
                let constructor_ty = fields.iter().rev().fold(result.clone(), |acc, f| Type::fun(f.clone(), acc));
                self.record_name(
                    item.span,
                    constructor_ty,
                    Target::Constructor(adt.qualified.to_string(), *tag),
                    false,
                );
                self.unify_at(&result, expected, item.span, "this pattern has the wrong type");
                let mut core_args = Vec::new();
                let mut s_args = Vec::new();
                for (arg, field) in args.iter().zip(&fields) {
                    let (c, s) = self.check_pattern(arg, field, bound);
                    core_args.push(c);
                    s_args.push(s);
                }
                (core::Pattern::Constructor(*tag, core_args), SPat::Constructor(Family::Adt(adt.clone()), *tag, s_args))
            }
            Grouped::Single(item) => self.check_single(item, expected, bound),
        }
    }

    fn check_single(&mut self, item: &Pat, expected: &Type, bound: &mut Vec<String>) -> (core::Pattern, SPat) {
        let span = item.span;
        match &item.kind {
            PatKind::Wildcard => {
                self.flow(Flow::Discard { ty: expected.clone(), span, why: Discard::Wildcard });
                (core::Pattern::Wildcard, SPat::Wild)
            }
            PatKind::Error => (core::Pattern::Wildcard, SPat::Wild),
            PatKind::Var(name) => {
                if bound.contains(name) {
                    self.error(
                        Diagnostic::error(codes::E0110, span, format!("`{name}` is bound twice in this pattern"))
                            .with_help(
                                "use a different name, and compare the two values with `==` if they must be equal",
                            ),
                    );
                }
                bound.push(name.clone());
                let slot = self.bind_local(name, Scheme::mono(expected.clone()), span);
                (core::Pattern::Bind(slot), SPat::Wild)
            }
            PatKind::Constructor(_) | PatKind::Sequence(_) => {
                let mut none = [].iter();
                let grouped = self.group_one(item, &mut none);
                self.check_pattern(&grouped, expected, bound)
            }
            PatKind::Literal(literal) => self.check_literal(literal, expected, span),
            PatKind::Tuple(items) if items.is_empty() => {
                self.unify_at(&Type::unit(), expected, span, "this pattern has the wrong type");
                (core::Pattern::Tuple(Vec::new()), SPat::Constructor(Family::Tuple(0), 0, Vec::new()))
            }
            PatKind::Tuple(items) => {
                let types: Vec<Type> = items.iter().map(|_| self.u.fresh()).collect();
                let tuple = Type::App(Con::Tuple(items.len() as u32), types.clone());
                self.unify_at(&tuple, expected, span, "this pattern has the wrong type");
                let (cores, spats): (Vec<_>, Vec<_>) = items
                    .iter()
                    .zip(&types)
                    .map(|(item, ty)| {
                        let mut none = [].iter();
                        let grouped = self.group_one(item, &mut none);
                        self.check_pattern(&grouped, ty, bound)
                    })
                    .unzip();
                (core::Pattern::Tuple(cores), SPat::Constructor(Family::Tuple(items.len() as u32), 0, spats))
            }
            PatKind::List(items) => {
                let element = self.u.fresh();
                self.unify_at(&Type::list(element.clone()), expected, span, "this pattern has the wrong type");
                let mut checked: Vec<(core::Pattern, SPat)> = items
                    .iter()
                    .map(|item| {
                        let mut none = [].iter();
                        let grouped = self.group_one(item, &mut none);
                        self.check_pattern(&grouped, &element, bound)
                    })
                    .collect();
                let mut core_pattern = core::Pattern::Nil;
                let mut spat = SPat::Constructor(Family::List, 0, Vec::new());
                while let Some((c, s)) = checked.pop() {
                    core_pattern = core::Pattern::Cons(Box::new(c), Box::new(core_pattern));
                    spat = SPat::Constructor(Family::List, 1, vec![s, spat]);
                }
                (core_pattern, spat)
            }
            PatKind::Cons(head, tail) => {
                let element = self.u.fresh();
                let list = Type::list(element.clone());
                self.unify_at(&list, expected, span, "this pattern has the wrong type");
                let mut none = [].iter();
                let head = self.group_one(head, &mut none);
                let (head_core, head_s) = self.check_pattern(&head, &element, bound);
                let mut none = [].iter();
                let tail = self.group_one(tail, &mut none);
                let (tail_core, tail_s) = self.check_pattern(&tail, &list, bound);
                (
                    core::Pattern::Cons(Box::new(head_core), Box::new(tail_core)),
                    SPat::Constructor(Family::List, 1, vec![head_s, tail_s]),
                )
            }
            PatKind::Record(fields) => {
                let names: Vec<&str> = fields.iter().map(|(name, _)| name.text.as_str()).collect();
                let Some(adt) = self.record_with_fields(&names, expected, span, false) else {
                    return (core::Pattern::Wildcard, SPat::Wild);
                };
                self.check_asset_access(&adt, span, false);
                let (field_types, result) = self.instantiate_constructor(&adt, 0);
                self.unify_at(&result, expected, span, "this pattern has the wrong type");
                let declared = &adt.constructors[0].fields;
                for ((field, _), ty) in declared.iter().zip(&field_types).filter(|((field, _), _)| {
                    !fields.iter().any(|(name, _)| Some(name.text.as_str()) == field.as_deref())
                }) {
                    let why = Discard::UnnamedField(field.clone().unwrap_or_default());
                    self.flow(Flow::Discard { ty: ty.clone(), span, why });
                }
                let mut cores = vec![core::Pattern::Wildcard; declared.len()];
                let mut spats = vec![SPat::Wild; declared.len()];
                for (name, pattern) in fields {
                    let Some(index) = declared.iter().position(|(n, _)| n.as_deref() == Some(&name.text)) else {
                        self.error(Diagnostic::error(
                            codes::E0106,
                            name.span,
                            format!("`{}` has no field `{}`", crate::types::short_name(&adt.qualified), name.text),
                        ));
                        continue;
                    };
                    let mut none = [].iter();
                    let grouped = self.group_one(pattern, &mut none);
                    let (c, s) = self.check_pattern(&grouped, &field_types[index], bound);
                    cores[index] = c;
                    spats[index] = s;
                }
                (core::Pattern::Constructor(0, cores), SPat::Constructor(Family::Adt(adt), 0, spats))
            }
            PatKind::Annotated(inner, ty) => {
                let mut vars = Vec::new();
                let annotated = self.lower_type(ty, &mut TypeVars::Flexible(&mut vars));
                self.unify_at(&annotated, expected, span, "this pattern's annotation does not fit");
                let mut none = [].iter();
                let grouped = self.group_one(inner, &mut none);
                self.check_pattern(&grouped, expected, bound)
            }
        }
    }

    fn check_literal(&mut self, literal: &Literal, expected: &Type, span: Span) -> (core::Pattern, SPat) {
        let context = "this literal pattern has the wrong type";
        match literal {
            Literal::Int(magnitude, negative) => {
                let class = if *negative { Class::SIGNED } else { Class::NUM };
                let ty = self.u.fresh_class(class);
                self.unify_at(&ty, expected, span, context);
                let pending = self.pend(&ty);
                let text = if *negative { format!("-{magnitude}") } else { magnitude.to_string() };
                (core::Pattern::Lit(core::Lit::PendingInt(*magnitude, *negative, pending)), SPat::Literal(text))
            }
            Literal::Real(bits) => {
                self.unify_at(&Type::con(Con::Real), expected, span, context);
                (core::Pattern::Lit(core::Lit::Real(*bits)), SPat::Literal(f64::from_bits(*bits).to_string()))
            }
            Literal::Str(text) => {
                self.unify_at(&Type::con(Con::Str), expected, span, context);
                (core::Pattern::Lit(core::Lit::Str(text.clone())), SPat::Literal(format!("{text:?}")))
            }
            Literal::Char(c) => {
                let ty = self.u.fresh_class(Class::TEXT);
                self.unify_at(&ty, expected, span, context);
                let pending = self.pend(&ty);
                (core::Pattern::Lit(core::Lit::PendingChar(*c, pending)), SPat::Literal(format!("{c:?}")))
            }
            Literal::Bool(value) => {
                self.unify_at(&Type::con(Con::Bool), expected, span, context);
                (
                    core::Pattern::Lit(core::Lit::Bool(*value)),
                    SPat::Constructor(Family::Bool, u32::from(*value), Vec::new()),
                )
            }
        }
    }

    /// Fresh field types and result type of constructor `tag` of `adt`.
    pub(crate) fn instantiate_constructor(&mut self, adt: &AdtDef, tag: u32) -> (Vec<Type>, Type) {
        let args: Vec<Type> = adt.params.iter().map(|_| self.u.fresh()).collect();
        let fields =
            adt.constructors[tag as usize].fields.iter().map(|(_, ty)| substitute_generics(ty, &args)).collect();
        (fields, Type::App(Con::Adt(adt.qualified.clone()), args))
    }

    /// The record type that has the fields `names`: the expected type's when
    /// it is already known, else the one record type in scope with them all.
    pub(crate) fn record_with_fields(
        &mut self,
        names: &[&str],
        expected: &Type,
        span: Span,
        exact: bool,
    ) -> Option<Arc<AdtDef>> {
        if let Type::App(Con::Adt(qualified), _) = self.u.shallow(expected)
            && let Some(adt) = self.adt_by_qualified(&qualified)
            && adt.record
        {
            return Some(adt);
        }
        let candidates: Vec<Arc<AdtDef>> = names
            .first()
            .and_then(|first| self.env.record_index.get(*first))
            .into_iter()
            .flatten()
            .filter(|adt| {
                let fields = &adt.constructors[0].fields;
                names.iter().all(|name| fields.iter().any(|(n, _)| n.as_deref() == Some(*name)))
            })
            .cloned()
            .collect();
        let exact_matches: Vec<&Arc<AdtDef>> =
            candidates.iter().filter(|adt| adt.constructors[0].fields.len() == names.len()).collect();
        if exact && candidates.len() > 1 && exact_matches.len() == 1 {
            return Some(exact_matches[0].clone());
        }
        match candidates.len() {
            1 => candidates.into_iter().next(),
            0 => {
                self.error(
                    Diagnostic::error(
                        codes::E0106,
                        span,
                        format!("no record type has the field{} {}", plural(names.len()), quoted(names)),
                    )
                    .with_help("declare one: `Point = Record x:ℝ y:ℝ`"),
                );
                None
            }
            _ => {
                let mut shown: Vec<&str> =
                    candidates.iter().map(|adt| crate::types::short_name(&adt.qualified)).collect();
                shown.sort_unstable();
                self.error(
                    Diagnostic::error(
                        codes::E0208,
                        span,
                        format!(
                            "the field{} {} belong{} to several record types",
                            plural(names.len()),
                            quoted(names),
                            if names.len() == 1 { "s" } else { "" }
                        ),
                    )
                    .with_help(format!("say which one with an annotation, `(… : {})`", shown.join(")` or `(… : "))),
                );
                None
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
