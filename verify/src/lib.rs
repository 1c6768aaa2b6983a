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
//! The walk runs on the calling thread; the queries go, as SMT-LIB text,
//! to a pool of solver threads with a Z3 context each
//! ([`pool`](crate::pool)), through a cache of definitive answers keyed by
//! a hash of the text ([`cache`](crate::cache)). Each function's entry
//! facts are checked too ([`vacuity`](crate::vacuity)).

#![warn(missing_docs)]

mod answer;
mod cache;
mod conservation;
mod counterexample;
mod execute;
mod obligation;
mod pool;
mod program;
mod query;
mod report;
mod safety;
mod sarif;
mod solve;
mod symbolic;
mod vacuity;

pub use obligation::Kind;
pub use pool::Stats;
pub use report::{Counts, Outcome, Report, Vacuous, Verdict};

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_diagnostics::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How a run verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How long Z3 may take for one obligation, in milliseconds.
    pub timeout_ms: u32,
    /// How many solver threads run at once; 0 for one per core.
    pub jobs: usize,
    /// The directory of the answer cache, or `None` to solve everything.
    pub cache_dir: Option<PathBuf>,
}

impl Default for Options {
    /// A 2000 ms timeout, one thread per core, no cache.
    fn default() -> Options {
        Options { timeout_ms: 2000, jobs: 0, cache_dir: None }
    }
}

/// Verifies every function of `files` (which must be loaded in
/// `workspace`). Programs with errors are not verified: their diagnostics
/// come back instead.
pub fn verify(workspace: &Workspace, files: &[SourceFile], options: &Options) -> Result<Report, Vec<Diagnostic>> {
    verify_with_progress(workspace, files, options, &|_, _| {})
}

/// [`verify`], telling `progress` `(done, total)` as the queries of each
/// batch are answered (on the calling thread).
pub fn verify_with_progress(
    workspace: &Workspace,
    files: &[SourceFile],
    options: &Options,
    progress: &dyn Fn(usize, usize),
) -> Result<Report, Vec<Diagnostic>> {
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
    let mut pool = pool::Pool {
        cache: options.cache_dir.as_deref().map(cache::Cache::new),
        jobs: if options.jobs == 0 { pool::default_jobs() } else { options.jobs },
        progress,
        stats: Stats::default(),
        answered: std::collections::HashMap::new(),
    };
    let mut program = program::Program::new(&modules, types, &verified);
    safety::prove_safe_globals(&mut program, options.timeout_ms, &mut pool);
    let globals: Vec<&min_core::Global> =
        modules.iter().filter(|m| verified.contains(&m.name)).flat_map(|m| &m.globals).collect();
    let mut report = verify_globals(&program, &globals, options.timeout_ms, &mut pool);
    report.solver = pool.stats;
    report.verdicts.sort_by_key(|verdict| (verdict.span.file, verdict.span.start, verdict.span.end));
    report.vacuous.sort_by_key(|vacuous| (vacuous.span.file, vacuous.span.start));
    Ok(report)
}

/// One global walked: its obligations (and its local functions'), its
/// parameters, and the query of its entry facts.
struct Walked {
    obligations: Vec<obligation::Obligation>,
    parameters: Vec<(symbolic::Sym, min_core::Ty)>,
    entry: Option<query::Query>,
}

/// The verdicts of `globals` and of the local functions inside them, all
/// their queries solved as one batch.
fn verify_globals(
    program: &program::Program<'_>,
    globals: &[&min_core::Global],
    timeout_ms: u32,
    pool: &mut pool::Pool<'_>,
) -> Report {
    let walked: Vec<Walked> = globals.iter().map(|global| walk_global(program, global, timeout_ms)).collect();
    // Every question of the batch: each obligation's, then each entry's.
    let mut queries: Vec<query::Query> = Vec::new();
    type Asked = (solve::Prepared, Option<usize>, Option<(query::Query, usize)>);
    let mut prepared: Vec<Vec<Asked>> = Vec::new();
    for global in &walked {
        let own = global
            .obligations
            .iter()
            .map(|obligation| {
                let ready = solve::prepare(obligation, timeout_ms);
                let (asked, exact) = match &ready {
                    solve::Prepared::Ask(query, inexact) => {
                        queries.push(query.clone());
                        let asked = queries.len() - 1;
                        // An inexact question also asks about its exact ways, if any.
                        let exact =
                            inexact.as_ref().and_then(|_| solve::exact_query(obligation, timeout_ms)).map(|exact| {
                                queries.push(exact.clone());
                                (exact, queries.len() - 1)
                            });
                        (Some(asked), exact)
                    }
                    solve::Prepared::Decided(_) => (None, None),
                };
                (ready, asked, exact)
            })
            .collect();
        prepared.push(own);
    }
    let entries: Vec<Option<usize>> = walked
        .iter()
        .map(|global| {
            let query = global.entry.clone()?;
            queries.push(query);
            Some(queries.len() - 1)
        })
        .collect();
    let answers = pool.solve(&queries);
    let mut report = Report::default();
    for ((global, own), (entry, definition)) in walked.iter().zip(prepared).zip(entries.iter().zip(globals)) {
        for (obligation, (ready, asked, exact)) in global.obligations.iter().zip(own) {
            let exact = exact.as_ref().and_then(|(query, index)| Some((query, &answers.get(*index)?.answer)));
            let (outcome, cached) = match (ready, asked.and_then(|index| answers.get(index))) {
                (solve::Prepared::Ask(query, inexact), Some(solved)) => (
                    solve::outcome(program, obligation, &global.parameters, &query, &inexact, &solved.answer, exact),
                    solved.cached,
                ),
                (solve::Prepared::Decided(outcome), _) => (outcome, false),
                (solve::Prepared::Ask(..), None) => {
                    (Outcome::Unknown { reason: "the query was not answered".to_string() }, false)
                }
            };
            report.verdicts.push(Verdict {
                function: execute::short(&obligation.function).to_string(),
                qualified: obligation.function.clone(),
                local: obligation.local,
                kind: obligation.kind,
                operation: obligation.operation.clone(),
                span: obligation.span,
                outcome,
                cached,
            });
        }
        if entry.and_then(|index| answers.get(index)).is_some_and(|solved| vacuity::is_vacuous(&solved.answer)) {
            report.vacuous.push(Vacuous {
                function: execute::short(&definition.name).to_string(),
                qualified: definition.name.clone(),
                span: definition.span,
            });
        }
    }
    report
}

/// Walks `global` and the local functions inside it.
fn walk_global(program: &program::Program<'_>, global: &min_core::Global, timeout_ms: u32) -> Walked {
    let walked = execute::walk(program, &execute::Unit::Global(global));
    let entry = vacuity::entry_query(&walked.obligations, &walked.axioms, &walked.entry, timeout_ms);
    let parameters = walked.parameters;
    let mut obligations = walked.obligations;
    let mut pending = walked.lambdas;
    while let Some(unit) = pending.pop() {
        let inner = execute::walk(program, &unit);
        obligations.extend(inner.obligations);
        pending.extend(inner.lambdas);
    }
    Walked { obligations, parameters, entry }
}
