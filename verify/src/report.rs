//! The outcome of a verification run: one verdict per obligation, rendered
//! as diagnostics (refuted and unknown ones), as a summary, as JSON, or as
//! SARIF ([`sarif`](crate::sarif)).

use crate::obligation::Kind;
use crate::pool::Stats;
use min_diagnostics::{Diagnostic, SourceLookup, Span, codes, line_column, position};

/// What became of one obligation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// The operation cannot fail on any input that reaches it.
    Proved,
    /// It fails on these arguments of the function, written as Min literals.
    Refuted {
        /// One literal per parameter.
        arguments: Vec<String>,
    },
    /// Neither proved nor refuted.
    Unknown {
        /// Why: a timeout, or what is not modelled.
        reason: String,
    },
    /// An explicit `Prim.abort`: the function rejects such inputs on purpose.
    Declared {
        /// The abort's message, when it is a literal.
        message: Option<String>,
    },
}

/// One obligation and its outcome.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Verdict {
    /// The function, by its name in its module (`transfer`).
    pub function: String,
    /// The function's qualified name (`bank.transfer`).
    pub qualified: String,
    /// Whether the operation is inside a local function of `function`.
    pub local: bool,
    /// What could go wrong.
    pub kind: Kind,
    /// The operation, in words (`` `+` on ℕ ``).
    pub operation: String,
    /// Where it is.
    #[serde(skip)]
    pub span: Span,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Whether the solver's answer came from the cache.
    pub cached: bool,
}

/// A function whose entry facts cannot all hold: its obligations are
/// proved vacuously.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Vacuous {
    /// The function, by its name in its module.
    pub function: String,
    /// The function's qualified name.
    pub qualified: String,
    /// Its definition.
    #[serde(skip)]
    pub span: Span,
}

impl Vacuous {
    /// The warning, in words.
    pub fn message(&self) -> String {
        format!("the facts at the entry of `{}` cannot all hold: its obligations are proved vacuously", self.function)
    }
}

/// How many verdicts of each outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Proved.
    pub proved: usize,
    /// Refuted.
    pub refuted: usize,
    /// Unknown.
    pub unknown: usize,
    /// Declared aborts.
    pub declared: usize,
}

/// Every verdict of a run, in source order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The verdicts.
    pub verdicts: Vec<Verdict>,
    /// The functions proved vacuously, in source order.
    pub vacuous: Vec<Vacuous>,
    /// How many queries were asked, and how many the cache answered.
    pub solver: Stats,
}

impl Verdict {
    /// What a failure of the operation is, in words.
    pub fn failure(&self) -> String {
        let what = match self.kind {
            Kind::Underflow => "can go below zero",
            Kind::Overflow => "can overflow 128 bits",
            Kind::DivisionByZero => "can divide by zero",
            Kind::Conversion => "can be given a value it cannot convert",
            Kind::Call | Kind::NotModelled => "may abort",
            Kind::DeclaredAbort => "aborts",
            Kind::Requires => "does not hold at this call",
            Kind::Ensures => "does not hold of the result",
            Kind::Decreases => "does not decrease at this recursive call",
            Kind::Termination => "may not end",
            Kind::Conservation => "changes: the function creates or destroys some",
        };
        format!("{} {what}", self.operation)
    }

    /// The call that fails, `transfer {…} {…} 1`, for a refuted verdict.
    pub fn failing_call(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Refuted { arguments } if arguments.is_empty() => Some(self.function.clone()),
            Outcome::Refuted { arguments } => Some(format!("{} {}", self.function, arguments.join(" "))),
            _ => None,
        }
    }

    /// The diagnostic of a refuted or unknown verdict.
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        match &self.outcome {
            Outcome::Refuted { .. } => Some(
                Diagnostic::error(codes::E0701, self.span, format!("in `{}`, {}", self.function, self.failure()))
                    .with_span_label("fails on the counterexample")
                    .with_help(format!("counterexample: {}", self.failing_call().unwrap_or_default())),
            ),
            Outcome::Unknown { reason } => Some(
                Diagnostic::error(
                    codes::E0702,
                    self.span,
                    format!("in `{}`, not proved that {} {}", self.function, self.operation, self.kind.property()),
                )
                .with_span_label(reason.clone()),
            ),
            Outcome::Proved | Outcome::Declared { .. } => None,
        }
    }
}

impl Report {
    /// How many verdicts of each outcome.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for verdict in &self.verdicts {
            match verdict.outcome {
                Outcome::Proved => counts.proved += 1,
                Outcome::Refuted { .. } => counts.refuted += 1,
                Outcome::Unknown { .. } => counts.unknown += 1,
                Outcome::Declared { .. } => counts.declared += 1,
            }
        }
        counts
    }

    /// The exit code for CI: 0 when everything is proved (declared aborts
    /// included), 1 when something is refuted, 2 when something is unknown.
    pub fn exit_code(&self) -> u8 {
        let counts = self.counts();
        if counts.refuted > 0 {
            1
        } else if counts.unknown > 0 {
            2
        } else {
            0
        }
    }

    /// The diagnostics of the refuted and unknown verdicts.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.verdicts.iter().filter_map(Verdict::diagnostic).collect()
    }

    /// One line per verdict, `path:line:column: outcome: function: what`.
    pub fn lines(&self, sources: &dyn SourceLookup) -> String {
        let mut out = String::new();
        for verdict in &self.verdicts {
            let outcome = match &verdict.outcome {
                Outcome::Proved => format!("proved: {} {}", verdict.operation, verdict.kind.property()),
                Outcome::Refuted { .. } => {
                    format!("refuted: {}: {}", verdict.failure(), verdict.failing_call().unwrap_or_default())
                }
                Outcome::Unknown { reason } => format!("unknown: {}: {reason}", verdict.operation),
                Outcome::Declared { message: Some(message) } => format!("declared abort: {message:?}"),
                Outcome::Declared { message: None } => "declared abort".to_string(),
            };
            out += &format!("{}: {}: {outcome}\n", position(verdict.span, sources), verdict.function);
        }
        for vacuous in &self.vacuous {
            out +=
                &format!("{}: {}: warning: {}\n", position(vacuous.span, sources), vacuous.function, vacuous.message());
        }
        let counts = self.counts();
        out += &format!(
            "{} obligation{}: {} proved, {} refuted, {} unknown; {} declared abort{}\n",
            counts.proved + counts.refuted + counts.unknown,
            if counts.proved + counts.refuted + counts.unknown == 1 { "" } else { "s" },
            counts.proved,
            counts.refuted,
            counts.unknown,
            counts.declared,
            if counts.declared == 1 { "" } else { "s" },
        );
        out
    }

    /// The report as JSON: `{"verdicts": [...], "vacuous": [...], "counts":
    /// {...}, "solver": {...}, "exit_code": n}`.
    pub fn to_json(&self, sources: &dyn SourceLookup) -> String {
        let verdicts: Vec<serde_json::Value> = self
            .verdicts
            .iter()
            .map(|verdict| {
                let (line, column) = line_column(sources.text(verdict.span.file), verdict.span.start as usize);
                let mut value = serde_json::to_value(verdict).unwrap_or(serde_json::Value::Null);
                if let Some(object) = value.as_object_mut() {
                    object.insert("file".into(), sources.name(verdict.span.file).into());
                    object.insert("line".into(), line.into());
                    object.insert("column".into(), column.into());
                    object.insert("source".into(), source_text(sources, verdict.span).into());
                    if let Some(call) = verdict.failing_call() {
                        object.insert("call".into(), call.into());
                    }
                }
                value
            })
            .collect();
        let vacuous: Vec<serde_json::Value> = self
            .vacuous
            .iter()
            .map(|vacuous| {
                let (line, column) = line_column(sources.text(vacuous.span.file), vacuous.span.start as usize);
                serde_json::json!({
                    "function": vacuous.function,
                    "qualified": vacuous.qualified,
                    "file": sources.name(vacuous.span.file),
                    "line": line,
                    "column": column,
                    "message": vacuous.message(),
                })
            })
            .collect();
        let report = serde_json::json!({
            "verdicts": verdicts,
            "vacuous": vacuous,
            "counts": self.counts(),
            "solver": self.solver,
            "exit_code": self.exit_code(),
        });
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }
}

/// The source text of `span`, or nothing if it is out of range.
fn source_text(sources: &dyn SourceLookup, span: Span) -> String {
    sources.text(span.file).get(span.range()).unwrap_or("").to_string()
}
