//! One Z3 query per obligation: can the operation fail on a path that
//! reaches it? Unsatisfiable is a proof; a model is a counterexample when
//! everything it relies on is modelled exactly. The query is made here (on
//! the walking thread, as text), answered by the [`pool`](crate::pool), and
//! read back into an outcome here.

use crate::answer::{Answer, Value};
use crate::counterexample;
use crate::obligation::{Check, Obligation};
use crate::program::Program;
use crate::query::Query;
use crate::report::Outcome;
use crate::symbolic::{Sym, Taint, join};
use min_core::Ty;
use std::collections::HashMap;

/// An obligation ready to be decided.
pub(crate) enum Prepared {
    /// Decided without the solver (declared aborts, what is not modelled).
    Decided(Outcome),
    /// The solver's question, and why a model would not be a
    /// counterexample to trust, if it would not.
    Ask(Query, Taint),
}

/// The question `obligation` asks, if it asks one.
pub(crate) fn prepare(obligation: &Obligation, timeout_ms: u32) -> Prepared {
    let (failure, taint, path, axioms) = match &obligation.check {
        Check::Declared(message) => return Prepared::Decided(Outcome::Declared { message: message.clone() }),
        Check::NotModelled(reason) => {
            return Prepared::Decided(Outcome::Unknown { reason: format!("not modelled: {reason}") });
        }
        Check::Query { failure, taint, path, axioms, .. } => (failure, taint, path, axioms),
    };
    let inexact = path.iter().fold(taint.clone(), |inexact, fact| join(&inexact, &fact.taint));
    let assertions = axioms.iter().chain(path.iter().map(|fact| &fact.condition)).chain(std::iter::once(failure));
    Prepared::Ask(Query::new(assertions, timeout_ms), inexact)
}

/// The question of `obligation`'s exact failures, when it has one
/// ([`Check::Query`]'s `exact`): a model of it is a counterexample even
/// when a model of the whole question would not be.
pub(crate) fn exact_query(obligation: &Obligation, timeout_ms: u32) -> Option<Query> {
    let Check::Query { axioms, exact: Some(exact), .. } = &obligation.check else { return None };
    Some(Query::new(axioms.iter().chain(std::iter::once(exact)), timeout_ms))
}

/// The outcome of `obligation` given the solver's `answer` to `query`;
/// `parameters` are the symbolic arguments of the global it belongs to,
/// for the counterexample.
pub(crate) fn outcome(
    program: &Program<'_>,
    obligation: &Obligation,
    parameters: &[(Sym, Ty)],
    query: &Query,
    inexact: &Taint,
    answer: &Answer,
    exact: Option<(&Query, &Answer)>,
) -> Outcome {
    if let (Answer::Sat { .. }, Some(_), Some((exact_query, exact_answer @ Answer::Sat { .. }))) =
        (answer, inexact, exact)
    {
        return outcome(program, obligation, parameters, exact_query, &None, exact_answer, None);
    }
    match answer {
        Answer::Unsat => Outcome::Proved,
        Answer::Unknown { reason } => Outcome::Unknown { reason: reason.clone() },
        Answer::Sat { values } => {
            if obligation.local {
                return Outcome::Unknown {
                    reason: "may fail inside a local function, whose arguments are not modelled".to_string(),
                };
            }
            if let Some(reason) = inexact {
                return Outcome::Unknown { reason: format!("may fail, but the failing path relies on this: {reason}") };
            }
            // The model's values under the walk's own names of the constants.
            let values: HashMap<&str, &Value> =
                values.iter().filter_map(|(canonical, value)| Some((query.original(canonical)?, value))).collect();
            match counterexample::arguments(program, &values, parameters) {
                Ok(arguments) => Outcome::Refuted { arguments },
                Err(ty) => Outcome::Unknown {
                    reason: format!("may fail, but an argument of type `{ty}` cannot be written as a literal"),
                },
            }
        }
    }
}
