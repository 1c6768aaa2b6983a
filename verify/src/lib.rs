//! `minc verify`: the safety obligations of Min functions, proved or refuted
//! with Z3.
//!
//! Every operation of a checked module that can abort at run time (ℕ
//! subtraction below zero, ℕ/ℤ results outside 128 bits, division by zero,
//! failing conversions) becomes an obligation: it cannot fail on any input
//! that reaches it. The verifier walks each function of the core IR
//! symbolically ([`execute`](crate::execute)), asks Z3 one question per
//! obligation, and reports it proved, refuted with the function's arguments
//! as Min literals, or unknown with the reason. An explicit `Prim.abort` is
//! a declared abort, not a failure. `spec/verification.md` states what is
//! modelled.
//!
//! Z3 runs on the calling thread (its context is thread-local).

#![warn(missing_docs)]

mod counterexample;
mod execute;
mod obligation;
mod program;
mod report;
mod safety;
mod solve;
mod symbolic;

pub use obligation::Kind;
pub use report::{Counts, Outcome, Report, Verdict};

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_diagnostics::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};

/// How a run verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How long Z3 may take for one obligation, in milliseconds.
    pub timeout_ms: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options { timeout_ms: 2000 }
    }
}

/// Verifies every function of `files` (which must be loaded in
/// `workspace`). Programs with errors are not verified: their diagnostics
/// come back instead.
pub fn verify(workspace: &Workspace, files: &[SourceFile], options: &Options) -> Result<Report, Vec<Diagnostic>> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    for &file in files {
        errors.extend(workspace.diagnostics(file).iter().filter(|d| d.is_error()).cloned());
        for broken in workspace.broken_dependencies(file) {
            errors.extend(workspace.diagnostics(broken).iter().filter(|d| d.is_error()).cloned());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut modules: Vec<min_core::Module> = Vec::new();
    let mut types = BTreeMap::new();
    for &file in files {
        for module in workspace.program(file) {
            if !modules.iter().any(|m| m.name == module.name) {
                modules.push(module);
            }
        }
        for interface in workspace.interfaces(file).values() {
            for def in interface.types.values() {
                types.insert(def.qualified.clone(), def.clone());
            }
        }
    }
    let verified: BTreeSet<String> = files.iter().map(|&file| workspace.module_name(file).to_string()).collect();
    let mut program = program::Program::new(&modules, types, &verified);
    safety::prove_safe_globals(&mut program, options.timeout_ms);
    let mut report = Report::default();
    for module in modules.iter().filter(|m| verified.contains(&m.name)) {
        for global in &module.globals {
            verify_global(&program, global, options, &mut report);
        }
    }
    report.verdicts.sort_by_key(|verdict| (verdict.span.file, verdict.span.start, verdict.span.end));
    Ok(report)
}

/// The verdicts of one global and of the local functions inside it.
fn verify_global(program: &program::Program<'_>, global: &min_core::Global, options: &Options, report: &mut Report) {
    let walked = execute::walk(program, &execute::Unit::Global(global));
    let parameters = walked.parameters;
    let mut obligations = walked.obligations;
    let mut pending = walked.lambdas;
    while let Some(unit) = pending.pop() {
        let inner = execute::walk(program, &unit);
        obligations.extend(inner.obligations);
        pending.extend(inner.lambdas);
    }
    for obligation in &obligations {
        let outcome = solve::decide(program, obligation, &parameters, options.timeout_ms);
        report.verdicts.push(Verdict {
            function: execute::short(&obligation.function).to_string(),
            qualified: obligation.function.clone(),
            local: obligation.local,
            kind: obligation.kind,
            operation: obligation.operation.clone(),
            span: obligation.span,
            outcome,
        });
    }
}
