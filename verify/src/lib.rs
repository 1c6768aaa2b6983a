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
//! a declared abort, not a failure. A recursive function also owes that
//! its recursion ends, proved with a measure the verifier finds among its
//! parameters ([`termination`](crate::termination)) or a written
//! `decreases` clause. `spec/verification.md` states what is modelled.
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
mod termination;
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
/// parameters, the query of its entry facts, and what the termination
/// check needs (its calls within its recursion group, its walk's axioms).
struct Walked<'p> {
    obligations: Vec<obligation::Obligation>,
    parameters: Vec<(symbolic::Sym, min_core::Ty)>,
    entry: Option<query::Query>,
    calls: Vec<execute::RecursiveCall>,
    axioms: Vec<z3::ast::Bool>,
    /// The local functions of `let rec` groups inside the global.
    locals: Vec<LocalWalk<'p>>,
}

/// A local function of a `let rec` group, walked: what the termination
/// check needs of it.
struct LocalWalk<'p> {
    group: execute::LocalGroup<'p>,
    parameters: Vec<(symbolic::Sym, min_core::Ty)>,
    calls: Vec<execute::RecursiveCall>,
    axioms: Vec<z3::ast::Bool>,
}

/// A recursion group's termination check, and whose verdicts it gives.
struct PlannedTermination {
    group: termination::Group,
    /// For each function of the group: the index of its global (the one
    /// that holds it, for a local function), and a local function's name.
    members: Vec<(usize, Option<String>)>,
}

/// The verdicts of `globals` and of the local functions inside them, all
/// their queries solved as one batch.
fn verify_globals<'p>(
    program: &program::Program<'p>,
    globals: &[&'p min_core::Global],
    timeout_ms: u32,
    pool: &mut pool::Pool<'_>,
) -> Report {
    let walked: Vec<Walked<'p>> = globals.iter().map(|global| walk_global(program, global, timeout_ms)).collect();
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
    let terminations = plan_terminations(program, globals, &walked, &mut queries, timeout_ms);
    let answers = pool.solve(&queries);
    let mut report = Report::default();
    for planned in &terminations {
        for (member, operation, outcome) in termination::conclude(&planned.group, &answers) {
            let (index, local) = &planned.members[member];
            let global = globals[*index];
            let operation = match local {
                None => operation,
                Some(name) => {
                    let measure = operation.strip_prefix("recursion").unwrap_or_default();
                    format!("recursion of the local function `{name}`{measure}")
                }
            };
            report.verdicts.push(Verdict {
                function: execute::short(&global.name).to_string(),
                qualified: global.name.clone(),
                local: local.is_some(),
                kind: Kind::Termination,
                operation,
                span: global.span,
                outcome,
                cached: false,
            });
        }
    }
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

/// The termination checks of the recursion groups among `globals` that
/// have no `decreases` clauses, and of the recursive `let rec` groups of
/// local functions inside them, their questions pushed onto `queries`.
fn plan_terminations(
    program: &program::Program<'_>,
    globals: &[&min_core::Global],
    walked: &[Walked<'_>],
    queries: &mut Vec<query::Query>,
    timeout_ms: u32,
) -> Vec<PlannedTermination> {
    let mut planned = Vec::new();
    for members in termination::recursive_groups(program, globals) {
        let definitions: Vec<&min_core::Global> = members.iter().map(|&index| globals[index]).collect();
        let unknown = match termination::written_measures(program, &definitions) {
            termination::WrittenMeasures::All => continue,
            termination::WrittenMeasures::Some(reason) => Some(reason),
            termination::WrittenMeasures::None => termination::indirect_use(program, &definitions),
        };
        let views: Vec<termination::Member<'_>> = members
            .iter()
            .map(|&index| termination::Member {
                name: globals[index].name.clone(),
                arity: globals[index].arity as usize,
                slots: &globals[index].slots,
                parameters: &walked[index].parameters,
                calls: &walked[index].calls,
                axioms: &walked[index].axioms,
            })
            .collect();
        let group = termination::plan(program, &views, false, unknown, queries, timeout_ms);
        planned.push(PlannedTermination { group, members: members.into_iter().map(|index| (index, None)).collect() });
    }
    for (index, global) in walked.iter().enumerate() {
        for locals in local_groups(&global.locals) {
            let first = locals[0].group;
            let names: Vec<String> = (0..first.bindings.len()).map(|member| first.name(member)).collect();
            let reached: Vec<Vec<(u32, usize)>> =
                first.bindings.iter().map(|(_, lambda)| first.reached_from(lambda)).collect();
            if reached.iter().all(Vec::is_empty) {
                continue;
            }
            let unknown = termination::indirect_local_use(first.bindings, &reached, &names);
            let views: Vec<termination::Member<'_>> = locals
                .iter()
                .map(|local| {
                    let lambda = &local.group.bindings[local.group.index].1;
                    termination::Member {
                        name: names[local.group.index].clone(),
                        arity: lambda.params as usize,
                        slots: &lambda.slots,
                        parameters: &local.parameters,
                        calls: &local.calls,
                        axioms: &local.axioms,
                    }
                })
                .collect();
            let group = termination::plan(program, &views, true, unknown, queries, timeout_ms);
            let members = names.iter().map(|name| (index, Some(name.clone()))).collect();
            planned.push(PlannedTermination { group, members });
        }
    }
    planned
}

/// The walked local functions grouped by their `let rec` group, each
/// group complete and in the order of its definitions (a function walked
/// twice counts once).
fn local_groups<'a, 'p>(locals: &'a [LocalWalk<'p>]) -> Vec<Vec<&'a LocalWalk<'p>>> {
    let mut groups: Vec<Vec<&LocalWalk<'p>>> = Vec::new();
    for local in locals {
        let same = |other: &&LocalWalk<'p>| std::ptr::eq(other.group.bindings, local.group.bindings);
        match groups.iter_mut().find(|group| group.first().is_some_and(same)) {
            Some(group) if group.iter().any(|other| other.group.index == local.group.index) => {}
            Some(group) => group.push(local),
            None => groups.push(vec![local]),
        }
    }
    for group in &mut groups {
        group.sort_by_key(|local| local.group.index);
    }
    groups.retain(|group| group.len() == group[0].group.bindings.len());
    groups
}

/// Walks `global` and the local functions inside it.
fn walk_global<'p>(program: &program::Program<'p>, global: &'p min_core::Global, timeout_ms: u32) -> Walked<'p> {
    let walked = execute::walk(program, &execute::Unit::Global(global));
    let entry = vacuity::entry_query(&walked.obligations, &walked.axioms, &walked.entry, timeout_ms);
    let parameters = walked.parameters;
    let (calls, axioms) = (walked.calls, walked.axioms);
    let mut obligations = walked.obligations;
    let mut locals = Vec::new();
    let mut pending = walked.lambdas;
    while let Some(unit) = pending.pop() {
        let inner = execute::walk(program, &unit);
        obligations.extend(inner.obligations);
        pending.extend(inner.lambdas);
        if let execute::Unit::Lambda(_, _, _, Some(group)) = unit {
            locals.push(LocalWalk { group, parameters: inner.parameters, calls: inner.calls, axioms: inner.axioms });
        }
    }
    Walked { obligations, parameters, entry, calls, axioms, locals }
}
