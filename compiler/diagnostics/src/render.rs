//! Rendering diagnostics at the edge: ariadne for terminals, a plain one-line
//! form for logs and golden files, and JSON for tools.

use crate::{Diagnostic, FileId, Severity, Span};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};

/// Gives the renderer each file's display name and text.
pub trait SourceLookup {
    /// The path to show for `file`.
    fn name(&self, file: FileId) -> String;
    /// The full text of `file`.
    fn text(&self, file: FileId) -> &str;
}

/// Renders diagnostics the way `minc` prints them on a terminal: source
/// excerpts with underlined spans. `color` adds ANSI colours.
pub fn render_terminal(diagnostics: &[Diagnostic], sources: &dyn SourceLookup, color: bool) -> String {
    let mut out = Vec::new();
    for diagnostic in diagnostics {
        write_report(diagnostic, sources, color, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn write_report(diagnostic: &Diagnostic, sources: &dyn SourceLookup, color: bool, out: &mut Vec<u8>) {
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::new().with_color(color).with_index_type(IndexType::Byte);
    let location = |span: Span| (sources.name(span.file), clamp(span, sources));
    let mut report = Report::build(kind, location(diagnostic.span))
        .with_config(config)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message);
    let primary_message = if diagnostic.span_label.is_empty() { &diagnostic.message } else { &diagnostic.span_label };
    report =
        report.with_label(Label::new(location(diagnostic.span)).with_message(primary_message).with_color(Color::Red));
    for label in &diagnostic.labels {
        report =
            report.with_label(Label::new(location(label.span)).with_message(&label.message).with_color(Color::Blue));
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    let mut files: Vec<FileId> = vec![diagnostic.span.file];
    files.extend(diagnostic.labels.iter().map(|label| label.span.file));
    files.sort();
    files.dedup();
    let cache = ariadne::sources(files.iter().map(|&file| (sources.name(file), sources.text(file).to_string())));
    // Writing to a Vec cannot fail.
    report.finish().write(cache, &mut *out).expect("writing a report to memory");
}

/// Keeps a span inside its file's text, so a stale span never panics the renderer.
fn clamp(span: Span, sources: &dyn SourceLookup) -> std::ops::Range<usize> {
    let len = sources.text(span.file).len();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    start..end
}

/// One line per diagnostic, `path:line:column: error[E0201]: message`, with
/// labels and help on indented lines. Stable across terminals: golden tests
/// compare this form.
pub fn render_plain(diagnostics: &[Diagnostic], sources: &dyn SourceLookup) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out += &format!(
            "{}: {severity}[{}]: {}\n",
            position(diagnostic.span, sources),
            diagnostic.code,
            diagnostic.message
        );
        if !diagnostic.span_label.is_empty() {
            out += &format!("  here: {}\n", diagnostic.span_label);
        }
        for label in &diagnostic.labels {
            out += &format!("  {}: {}\n", position(label.span, sources), label.message);
        }
        if let Some(help) = &diagnostic.help {
            out += &format!("  help: {help}\n");
        }
    }
    out
}

/// `path:line:column` of the start of `span`, both 1-based, columns in characters.
pub fn position(span: Span, sources: &dyn SourceLookup) -> String {
    let (line, column) = line_column(sources.text(span.file), span.start as usize);
    format!("{}:{line}:{column}", sources.name(span.file))
}

/// The 1-based line and character column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The diagnostics as a JSON array, for tools and CI annotations.
pub fn render_json(diagnostics: &[Diagnostic], sources: &dyn SourceLookup) -> String {
    #[derive(serde::Serialize)]
    struct JsonDiagnostic<'a> {
        #[serde(flatten)]
        diagnostic: &'a Diagnostic,
        file: String,
        line: usize,
        column: usize,
    }
    let items: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|diagnostic| {
            let (line, column) = line_column(sources.text(diagnostic.span.file), diagnostic.span.start as usize);
            JsonDiagnostic { diagnostic, file: sources.name(diagnostic.span.file), line, column }
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("diagnostics serialize")
}
