//! The vacuity check: if the facts at a function's entry (the ranges of
//! its arguments and unknown values, and its `requires` clauses) cannot
//! all hold, every obligation of the function is proved vacuously, and the
//! proofs say nothing. The run asks one query per function for it and
//! warns when the answer is unsatisfiable.

use crate::answer::Answer;
use crate::obligation::{Check, Obligation};
use crate::query::Query;
use z3::ast::Bool;

/// The query of the facts at the entry of the unit whose obligations are
/// `obligations`: its `axioms` and its `requires` clauses `entry`; `None`
/// when there are no clauses and no obligation asks the solver.
pub(crate) fn entry_query(
    obligations: &[Obligation],
    axioms: &[Bool],
    entry: &[Bool],
    timeout_ms: u32,
) -> Option<Query> {
    let asks = obligations.iter().any(|obligation| matches!(obligation.check, Check::Query { .. }));
    if entry.is_empty() && !asks {
        return None;
    }
    let facts: Vec<Bool> = axioms.iter().chain(entry).cloned().collect();
    Some(facts_query(&facts, timeout_ms))
}

/// The query whether all of `facts` can hold together.
pub(crate) fn facts_query(facts: &[Bool], timeout_ms: u32) -> Query {
    Query::new(facts, timeout_ms)
}

/// Whether the answer to an entry query makes the function vacuous.
pub(crate) fn is_vacuous(answer: &Answer) -> bool {
    *answer == Answer::Unsat
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::ask;
    use crate::symbolic::in_nat_range;
    use z3::ast::Int;

    #[test]
    fn contradictory_entry_facts_are_vacuous_and_consistent_ones_are_not() {
        let n = Int::fresh_const("nat");
        let range = in_nat_range(&n);
        // A precondition `n < 0` on a ℕ argument can never hold.
        let contradictory = [range.clone(), n.lt(Int::from_i64(0))];
        assert!(is_vacuous(&ask(&facts_query(&contradictory, 1000))));
        let consistent = [range.clone(), n.gt(Int::from_i64(10))];
        assert!(!is_vacuous(&ask(&facts_query(&consistent, 1000))));
        assert!(!is_vacuous(&ask(&facts_query(&[], 1000))), "no facts at all hold");
    }
}
