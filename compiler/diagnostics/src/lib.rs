//! Min's diagnostics: every phase of the compiler reports problems as values of
//! [`Diagnostic`], and the edges of the toolchain render them once (ariadne on
//! a terminal, JSON for tools, LSP in the editor).
//!
//! Every diagnostic carries an error code from [`codes`], whose long form is
//! printed by `minc explain`.

pub mod codes;
mod render;
mod span;

pub use codes::{Code, CodeInfo};
pub use render::{SourceLookup, line_column, position, render_json, render_plain, render_terminal};
pub use span::{FileId, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The program is rejected.
    Error,
    /// The program is accepted, but probably not what the author meant.
    Warning,
}

/// A secondary location with a message, shown beside the primary one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there, in the user's words.
    pub message: String,
}

/// One problem found in a program: what was found, where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Diagnostic {
    /// The error code, such as `E0201`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what was found and what was expected.
    pub message: String,
    /// The main location of the problem.
    pub span: Span,
    /// The message attached to the main location.
    pub span_label: String,
    /// Other locations that explain the problem.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Moves its spans `by` bytes in their file (see [`Span::shifted`]).
    pub fn shift(&mut self, by: u32) {
        self.map_spans(&|span| span.shifted(by));
    }

    /// Replaces each of its spans by `place(span)`.
    pub fn map_spans(&mut self, place: &dyn Fn(Span) -> Span) {
        self.span = place(self.span);
        for label in &mut self.labels {
            label.span = place(label.span);
        }
    }

    /// An error with `code` at `span`; the message is also used as the label.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        Diagnostic {
            code,
            severity: code.info().severity,
            span_label: String::new(),
            message,
            span,
            labels: Vec::new(),
            help: None,
        }
    }

    /// Sets the text shown under the primary span.
    pub fn with_span_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.span_label = label.into();
        self
    }

    /// Adds a secondary location.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic rejects the program.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
