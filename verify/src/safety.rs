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
//! abort (running out of stack is not modelled).

use crate::execute::{Unit, walk};
use crate::obligation::Check;
use crate::program::{Program, reachable};
use crate::report::Outcome;
use crate::solve;
use std::collections::BTreeSet;

/// How long one obligation of a callee may take: a callee that is not
/// proved quickly stays unsafe, which is sound.
const CALLEE_TIMEOUT_MS: u32 = 500;

/// Removes from `program.may_abort` the globals proved never to abort.
pub(crate) fn prove_safe_globals(program: &mut Program<'_>, timeout_ms: u32) {
    let syntactic = program.may_abort.clone();
    let reached = reachable(&program.globals, &program.verified);
    let mut assumed: BTreeSet<&str> = syntactic.intersection(&reached).copied().collect();
    loop {
        program.may_abort = syntactic.difference(&assumed).copied().collect();
        let unsafe_now: Vec<&str> =
            assumed.iter().copied().filter(|name| !proved_safe(program, name, timeout_ms)).collect();
        if unsafe_now.is_empty() {
            return;
        }
        for name in unsafe_now {
            assumed.remove(name);
        }
    }
}

/// Whether every obligation of `name` and its local functions is proved
/// (no declared abort, nothing unknown) and it refers to no global that may
/// abort.
fn proved_safe(program: &Program<'_>, name: &str, timeout_ms: u32) -> bool {
    let Some(global) = program.globals.get(name) else { return false };
    let timeout_ms = timeout_ms.min(CALLEE_TIMEOUT_MS);
    let mut pending = vec![Unit::Global(global)];
    while let Some(unit) = pending.pop() {
        let walked = walk(program, &unit);
        if walked.refers_to_aborting {
            return false;
        }
        for obligation in &walked.obligations {
            if !matches!(obligation.check, Check::Query { .. })
                || solve::decide(program, obligation, &walked.parameters, timeout_ms) != Outcome::Proved
            {
                return false;
            }
        }
        pending.extend(walked.lambdas);
    }
    true
}
