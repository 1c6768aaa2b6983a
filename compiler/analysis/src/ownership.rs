//! What region and ownership inference decided for each top-level
//! definition of a file, in the user's terms: how each parameter is passed
//! and where the result and each constructor application live. `minc build
//! --emit regions` prints it; the editor shows it on hover.
//!
//! The inference itself is `min_lir::regions` (the rules are in
//! `spec/regions.md`); this module runs it over the file and the modules it
//! needs, and names what it found.

use crate::db::{Project, SourceFile, check, dependency_order, parse};
use crate::types::{Con, Type};
use min_diagnostics::Span;
pub use min_lir::regions::Allocation;
use min_lir::regions::Summaries;
use min_syntax::ast::{Def, PatKind};
use std::sync::Arc;

/// How a parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passing {
    /// A single word (a number, boolean, character or unit): copied, never allocated.
    Copied,
    /// It may become part of the result: the caller's value is moved into it.
    MovedIntoResult,
    /// Linear: used up by the call (destroyed, or passed on) without reaching the result.
    Consumed,
    /// Only read; the caller keeps it.
    Borrowed,
}

impl Passing {
    /// The words `--emit regions` and hover use.
    pub fn describe(self) -> &'static str {
        match self {
            Passing::Copied => "copied",
            Passing::MovedIntoResult => "moved into the result",
            Passing::Consumed => "consumed",
            Passing::Borrowed => "borrowed",
        }
    }
}

/// One parameter of a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// Its name as written, or `#n` when the equations match it with patterns.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// How it is passed.
    pub passing: Passing,
}

/// What was inferred for one top-level definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// `Module.name`.
    pub qualified: String,
    /// The whole definition.
    pub span: Span,
    /// Its parameters.
    pub parameters: Vec<Parameter>,
    /// The result's type.
    pub result: Type,
    /// Whether the result is a single word, copied to the caller (rather
    /// than built in the caller's region).
    pub result_copied: bool,
    /// Its constructor applications.
    pub allocations: Vec<Allocation>,
}

impl Definition {
    /// One line for the editor: each parameter's passing, then the result's.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> =
            self.parameters.iter().map(|p| format!("`{}` {}", p.name, p.passing.describe())).collect();
        parts.push(if self.result_copied {
            "result copied".to_string()
        } else {
            "result built in the caller's region".to_string()
        });
        parts.join(" · ")
    }
}

/// What region and ownership inference decided for each top-level
/// definition of `file`, in source order.
#[salsa::tracked(returns(ref))]
pub fn ownership(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Arc<Vec<Definition>> {
    let order = dependency_order(db, project, file);
    let summaries = Summaries::of(order.iter().map(|&f| &check(db, project, f).core));
    let checked = check(db, project, file);
    let syntax = &parse(db, file).module;
    let mut definitions = Vec::new();
    for global in &checked.core.globals {
        let Some(value) = checked.interface.values.values().find(|value| value.qualified == global.name) else {
            continue;
        };
        let names =
            syntax.defs.iter().find(|def| def.span.start == global.span.start).map(parameter_names).unwrap_or_default();
        let (params, result) = value.scheme.ty.parameters_and_result();
        let result_copied = is_word(result);
        let parameters = params
            .iter()
            .enumerate()
            .map(|(index, &param)| {
                let linear = global.slots.get(index).is_some_and(|slot| slot.linear);
                // Nothing reaches a result that is a single word.
                let escapes = !result_copied && summaries.parameter_escapes(&global.name, index);
                let passing = match (is_word(param), escapes, linear) {
                    (true, _, _) => Passing::Copied,
                    (false, true, _) => Passing::MovedIntoResult,
                    (false, false, true) => Passing::Consumed,
                    (false, false, false) => Passing::Borrowed,
                };
                let name = names.get(index).cloned().unwrap_or_else(|| format!("#{}", index + 1));
                Parameter { name, ty: param.clone(), passing }
            })
            .collect();
        let allocations = summaries.allocations(global);
        definitions.push(Definition {
            qualified: global.name.clone(),
            span: global.span,
            parameters,
            result: result.clone(),
            result_copied,
            allocations,
        });
    }
    Arc::new(definitions)
}

/// Whether values of `ty` are single words that are copied, never allocated.
fn is_word(ty: &Type) -> bool {
    matches!(ty, Type::App(Con::Nat | Con::Int | Con::Real | Con::Bool | Con::Char | Con::Tuple(0), _))
}

/// The parameters' names as written, where a definition names them.
fn parameter_names(def: &Def) -> Vec<String> {
    if !def.param_names.is_empty() {
        return def.param_names.iter().map(|name| name.text.clone()).collect();
    }
    let Some(clause) = def.clauses.first().filter(|_| !def.rules) else {
        return Vec::new();
    };
    clause
        .patterns
        .iter()
        .enumerate()
        .map(|(index, pattern)| match &pattern.kind {
            PatKind::Var(name) => name.clone(),
            _ => format!("#{}", index + 1),
        })
        .collect()
}
