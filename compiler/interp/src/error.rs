//! Run-time errors: the faults a checked program can still hit.

use std::fmt;

use min_diagnostics::{Code, Diagnostic, Span, codes};

/// How many callers a trace keeps; deeper frames are dropped.
const TRACE_LENGTH_MAX: usize = 20;

/// A run-time fault: what happened, where, and in which calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    /// The error code: `E0410` overflow, `E0411` division by zero, `E0412`
    /// abort, `E0413` recursion limit, `E0414` no rule matched, `E0402`
    /// unknown global, `E0403` wrong number of arguments.
    pub code: Code,
    /// What happened, in the user's words ("3 - 5 is below zero in ℕ").
    pub message: String,
    /// The innermost expression involved, when known.
    pub span: Option<Span>,
    /// Qualified names of the functions being called, innermost first, at
    /// most twenty; a lambda appears as `Module.owner.λ`. Direct recursion
    /// is one entry, with its depth in `repeats`.
    pub trace: Vec<String>,
    /// How many nested calls each entry of `trace` stands for.
    pub repeats: Vec<u32>,
}

/// How evaluation reports faults internally: boxed, to keep the hot
/// `Result` small.
pub(crate) type Fault = Box<RuntimeError>;

impl RuntimeError {
    /// A fault with no span or trace yet.
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Fault {
        Box::new(RuntimeError { code, message: message.into(), span: None, trace: Vec::new(), repeats: Vec::new() })
    }

    /// `E0410`: an integer result outside its type.
    pub(crate) fn overflow(message: impl Into<String>) -> Fault {
        RuntimeError::new(codes::E0410, message)
    }

    /// A fault that only an ill-formed program (one the checker would
    /// reject) can cause; reported as an abort rather than a panic.
    pub(crate) fn ill_formed(message: impl fmt::Display) -> Fault {
        RuntimeError::new(codes::E0412, format!("internal error, the program is ill-formed: {message}"))
    }

    /// Sets the span unless an inner expression already did.
    pub fn at(mut self: Box<Self>, span: Span) -> Box<RuntimeError> {
        self.span.get_or_insert(span);
        self
    }

    /// Records that the fault passed out of a call of `function`: a new
    /// innermost-last entry of the trace, or one more repeat of the last.
    pub fn called_from(mut self: Box<Self>, function: impl fmt::Display) -> Box<RuntimeError> {
        let name = function.to_string();
        if self.trace.last() == Some(&name) {
            if let Some(count) = self.repeats.last_mut() {
                *count += 1;
            }
        } else if self.trace.len() < TRACE_LENGTH_MAX {
            self.trace.push(name);
            self.repeats.push(1);
        }
        self
    }

    /// The error as a diagnostic, when it has a span to point at; the trace
    /// becomes the help line.
    pub fn to_diagnostic(&self) -> Option<Diagnostic> {
        let span = self.span?;
        let diagnostic =
            Diagnostic::error(self.code, span, self.message.clone()).with_span_label(self.code.info().title);
        Some(match self.trace_line() {
            Some(trace) => diagnostic.with_help(trace),
            None => diagnostic,
        })
    }

    /// "in Main.f, called from Main.g, …", or `None` without a trace.
    fn trace_line(&self) -> Option<String> {
        let shown = |index: usize| match self.repeats.get(index) {
            Some(&count) if count > 1 => format!("{} ({count} nested calls)", self.trace[index]),
            _ => self.trace[index].clone(),
        };
        if self.trace.is_empty() {
            return None;
        }
        let mut line = format!("in {}", shown(0));
        for index in 1..self.trace.len() {
            line.push_str(", called from ");
            line.push_str(&shown(index));
        }
        Some(line)
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(trace) = self.trace_line() {
            write!(f, " ({trace})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuntimeError {}
