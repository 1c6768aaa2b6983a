//! One Z3 query per obligation: can the operation fail on a path that
//! reaches it? Unsatisfiable is a proof; a model is a counterexample when
//! everything it relies on is modelled exactly.

use crate::counterexample;
use crate::obligation::{Check, Obligation};
use crate::program::Program;
use crate::report::Outcome;
use crate::symbolic::{Sym, Taint, join};
use min_core::Ty;
use z3::{Params, SatResult, Solver};

/// Decides `obligation`; `parameters` are the symbolic arguments of the
/// global it belongs to, for the counterexample.
pub(crate) fn decide(
    program: &Program<'_>,
    obligation: &Obligation,
    parameters: &[(Sym, Ty)],
    timeout_ms: u32,
) -> Outcome {
    let (failure, taint, path, axioms) = match &obligation.check {
        Check::Declared(message) => return Outcome::Declared { message: message.clone() },
        Check::NotModelled(reason) => return Outcome::Unknown { reason: format!("not modelled: {reason}") },
        Check::Query { failure, taint, path, axioms } => (failure, taint, path, axioms),
    };
    let solver = Solver::new();
    let mut params = Params::new();
    params.set_u32("timeout", timeout_ms);
    solver.set_params(&params);
    for axiom in axioms {
        solver.assert(axiom);
    }
    let mut inexact: Taint = taint.clone();
    for fact in path {
        solver.assert(&fact.condition);
        inexact = join(&inexact, &fact.taint);
    }
    solver.assert(failure);
    match solver.check() {
        SatResult::Unsat => Outcome::Proved,
        SatResult::Unknown => {
            let reason = solver.get_reason_unknown().unwrap_or_else(|| "unknown".to_string());
            let reason = if reason.contains("timeout") || reason.contains("canceled") {
                format!("timeout after {timeout_ms} ms")
            } else {
                format!("the solver gave up ({reason})")
            };
            Outcome::Unknown { reason }
        }
        SatResult::Sat => {
            if obligation.local {
                return Outcome::Unknown {
                    reason: "may fail inside a local function, whose arguments are not modelled".to_string(),
                };
            }
            if let Some(reason) = inexact {
                return Outcome::Unknown { reason: format!("may fail, but the failing path relies on this: {reason}") };
            }
            let Some(model) = solver.get_model() else {
                return Outcome::Unknown { reason: "the solver found a failure but gave no model".to_string() };
            };
            match counterexample::arguments(program, &model, parameters) {
                Ok(arguments) => Outcome::Refuted { arguments },
                Err(ty) => Outcome::Unknown {
                    reason: format!("may fail, but an argument of type `{ty}` cannot be written as a literal"),
                },
            }
        }
    }
}
