//! Which globals are proved never to abort, so that calling them needs no
//! obligation and leaves the caller's path exact.
//!
//! The syntactic summary (`program.rs`) says that a global may abort as
//! soon as its body holds an operation that can fail. Here every such
//! global that the verified files reach is assumed safe, its body (and the
//! local functions in it) is verified under that assumption, and those
//! with any obligation not proved, any declared abort, or a reference to a
//! global still unsafe are dropped; this repeats until nothing changes.
//! What remains is safe by induction on the depth of calls: a body whose
//! operations are all proved, given that its callees do not abort, does not
//! abort (running out of stack is not modelled). Each round's queries are
//! solved together on the pool.

use crate::answer::Answer;
use crate::execute::{Unit, walk};
use crate::pool::Pool;
use crate::program::{Program, reachable};
use crate::query::Query;
use crate::solve::{Prepared, prepare};
use std::collections::BTreeSet;

/// How long one obligation of a callee may take: a callee that is not
/// proved quickly stays unsafe, which is sound.
const CALLEE_TIMEOUT_MS: u32 = 500;

/// Removes from `program.may_abort` the globals proved never to abort.
pub(crate) fn prove_safe_globals(program: &mut Program<'_>, timeout_ms: u32, pool: &mut Pool<'_>) {
    let syntactic = program.may_abort.clone();
    let reached = reachable(&program.globals, &program.verified);
    let mut assumed: BTreeSet<&str> = syntactic.intersection(&reached).copied().collect();
    let timeout_ms = timeout_ms.min(CALLEE_TIMEOUT_MS);
    loop {
        program.may_abort = syntactic.difference(&assumed).copied().collect();
        let mut unsafe_now: BTreeSet<&str> = BTreeSet::new();
        let mut owners: Vec<&str> = Vec::new();
        let mut queries: Vec<Query> = Vec::new();
        for &name in &assumed {
            match safety_queries(program, name, timeout_ms) {
                Some(own) => {
                    owners.extend(std::iter::repeat_n(name, own.len()));
                    queries.extend(own);
                }
                None => {
                    unsafe_now.insert(name);
                }
            }
        }
        for (owner, solved) in owners.iter().zip(pool.solve(&queries)) {
            if solved.answer != Answer::Unsat {
                unsafe_now.insert(*owner);
            }
        }
        if unsafe_now.is_empty() {
            return;
        }
        assumed.retain(|name| !unsafe_now.contains(name));
    }
}

/// The queries that must all be unsatisfiable for `name` to be safe, or
/// `None` if it is not safe whatever they answer: it has an obligation
/// that is not a query (a declared abort, something not modelled), or it
/// refers to a global that may abort.
fn safety_queries(program: &Program<'_>, name: &str, timeout_ms: u32) -> Option<Vec<Query>> {
    let global = program.globals.get(name)?;
    let mut queries = Vec::new();
    let mut pending = vec![Unit::Global(global)];
    while let Some(unit) = pending.pop() {
        let walked = walk(program, &unit);
        if walked.refers_to_aborting {
            return None;
        }
        for obligation in &walked.obligations {
            match prepare(obligation, timeout_ms) {
                Prepared::Ask(query, _) => queries.push(query),
                Prepared::Decided(_) => return None,
            }
        }
        pending.extend(walked.lambdas);
    }
    Some(queries)
}
