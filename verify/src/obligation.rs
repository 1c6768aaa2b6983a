//! Proof obligations: each operation of a function that can abort, with
//! the condition under which it fails and the facts that hold on the path
//! that reaches it.

use crate::symbolic::Taint;
use min_diagnostics::Span;
use z3::ast::Bool;

/// What can go wrong at an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A ℕ subtraction or negation below zero.
    Underflow,
    /// A ℕ or ℤ result outside its 128 bits.
    Overflow,
    /// Division or remainder by zero.
    DivisionByZero,
    /// A conversion primitive given a value it cannot convert.
    Conversion,
    /// A call of a global that this run does not verify and that may abort.
    Call,
    /// An operation the verifier does not model (ℝ, `^`, number-generic code).
    NotModelled,
    /// An explicit `Prim.abort`: the author's own rejection.
    DeclaredAbort,
    /// A callee's `requires` clause, at a call.
    Requires,
    /// The function's `ensures` clause, at its return.
    Ensures,
    /// The function's `decreases` measure, at a recursive call.
    Decreases,
    /// A recursive function with no `decreases` clause: a measure the
    /// verifier finds gets smaller at every recursive call.
    Termination,
    /// The total of an asset's amounts, which a function of the asset's
    /// module keeps unless it is a mint or a burn.
    Conservation,
}

impl Kind {
    /// The property the obligation states, in words.
    pub fn property(self) -> &'static str {
        match self {
            Kind::Underflow => "does not go below zero",
            Kind::Overflow => "does not overflow 128 bits",
            Kind::DivisionByZero => "does not divide by zero",
            Kind::Conversion => "converts only values it can",
            Kind::Call => "calls only code that cannot abort",
            Kind::NotModelled => "cannot abort",
            Kind::DeclaredAbort => "is a declared abort",
            Kind::Requires => "holds at the call",
            Kind::Ensures => "holds of every result",
            Kind::Decreases => "decreases at the recursive call",
            Kind::Termination => "ends",
            Kind::Conservation => "is the same after as before",
        }
    }
}

/// A fact on a path: a condition, and whether it is exact.
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    /// The condition.
    pub condition: Bool,
    /// Why it is only an over-approximation, if it is one.
    pub taint: Taint,
}

/// How an obligation is decided.
#[derive(Clone, Debug)]
pub(crate) enum Check {
    /// Ask Z3 whether `failure` can hold together with `path`.
    Query {
        /// The operation fails exactly when this holds.
        failure: Bool,
        /// Why `failure` is only an over-approximation, if it is one.
        taint: Taint,
        /// The facts on the path to the operation.
        path: Vec<Fact>,
        /// The ranges of the unit's unknown values.
        axioms: Vec<Bool>,
        /// When `failure` or `path` is not exact: the condition that the
        /// operation fails on one of the ways it is reached whose facts and
        /// values are all exact (paths included), if it has such ways.
        exact: Option<Bool>,
    },
    /// Nothing to ask: the operation is not modelled, for this reason.
    NotModelled(String),
    /// An explicit abort, with its message when it is a literal.
    Declared(Option<String>),
}

/// One obligation of one function.
#[derive(Clone, Debug)]
pub(crate) struct Obligation {
    /// The global it belongs to (a local function belongs to its global).
    pub function: String,
    /// Whether it is inside a local function (whose arguments are unknown).
    pub local: bool,
    /// What can go wrong.
    pub kind: Kind,
    /// The operation, in words (`ℕ subtraction`).
    pub operation: String,
    /// Where the operation is.
    pub span: Span,
    /// How it is decided.
    pub check: Check,
}
