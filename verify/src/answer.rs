//! What the solver answered to one query, and how a solver thread gets the
//! answer: it parses the query's text into its own Z3 context (Z3's
//! contexts are per thread), checks it, and reads back the values of the
//! declared constants when there is a model.

use crate::query::{Query, Sort};
use std::collections::BTreeMap;
use z3::ast::{Bool, Int};
use z3::{Params, SatResult, Solver};

/// The value of one constant in a model.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum Value {
    /// A boolean.
    Bool(bool),
    /// An integer, in decimal.
    Int(String),
}

/// The solver's answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub(crate) enum Answer {
    /// No assignment satisfies the query.
    Unsat,
    /// One does: the values of the declared integer and boolean constants,
    /// by canonical name.
    Sat {
        /// The values.
        values: BTreeMap<String, Value>,
    },
    /// Neither, and why.
    Unknown {
        /// A timeout, or what made the solver give up.
        reason: String,
    },
}

impl Answer {
    /// Whether the answer holds whatever the timeout (so it may be cached).
    pub(crate) fn is_definitive(&self) -> bool {
        !matches!(self, Answer::Unknown { .. })
    }
}

/// Asks Z3 `query` in a context of its own (so that what was solved before
/// on the thread cannot change the model: answers do not depend on which
/// thread solves what).
pub(crate) fn ask(query: &Query) -> Answer {
    z3::with_z3_config(&z3::Config::new(), || ask_here(query))
}

/// Asks Z3 `query` in the thread's current context.
fn ask_here(query: &Query) -> Answer {
    let solver = Solver::new();
    let mut params = Params::new();
    params.set_u32("timeout", query.timeout_ms);
    solver.set_params(&params);
    solver.from_string(query.text.as_str());
    if solver.get_assertions().len() != query.assertions {
        return Answer::Unknown { reason: "the solver could not read the query".to_string() };
    }
    match solver.check() {
        SatResult::Unsat => Answer::Unsat,
        SatResult::Unknown => {
            let reason = solver.get_reason_unknown().unwrap_or_else(|| "unknown".to_string());
            let reason = if reason.contains("timeout") || reason.contains("canceled") {
                format!("timeout after {} ms", query.timeout_ms)
            } else {
                format!("the solver gave up ({reason})")
            };
            Answer::Unknown { reason }
        }
        SatResult::Sat => {
            let Some(model) = solver.get_model() else {
                return Answer::Unknown { reason: "the solver found a failure but gave no model".to_string() };
            };
            let mut values = BTreeMap::new();
            for (name, _, sort) in &query.constants {
                let value = match sort {
                    Sort::Int => model
                        .eval(&Int::new_const(name.as_str()), true)
                        .and_then(|x| x.as_i128().map(|i| i.to_string()).or_else(|| x.as_u128().map(|n| n.to_string())))
                        .map(Value::Int),
                    Sort::Bool => {
                        model.eval(&Bool::new_const(name.as_str()), true).and_then(|b| b.as_bool()).map(Value::Bool)
                    }
                    Sort::Other => None,
                };
                if let Some(value) = value {
                    values.insert(name.clone(), value);
                }
            }
            Answer::Sat { values }
        }
    }
}
