//! The report as SARIF 2.1.0, the format of code-scanning services (GitHub
//! code scanning among them): one run of the tool `minc verify`, one rule
//! per code (`E0701` refuted, `E0702` unknown, declared aborts and vacuous
//! functions as notes and warnings), and one result per obligation that is
//! not proved, located by a file URI relative to the working directory and
//! a region of lines and columns (counted in Unicode code points, as the
//! run declares).

use crate::report::{Outcome, Report, Verdict};
use min_diagnostics::{SourceLookup, Span, codes, line_column};
use serde_json::{Value, json};
use std::path::Path;

/// The schema the output follows.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A rule: its id, its level, a short description and a longer one.
struct Rule {
    id: &'static str,
    level: &'static str,
    short: &'static str,
    full: &'static str,
}

/// The rules, in the order of their `ruleIndex`.
const RULES: [Rule; 4] = [
    Rule {
        id: "E0701",
        level: "error",
        short: "Obligation refuted",
        full: "An operation fails (overflow, ℕ below zero, division by zero, a failing conversion) on the \
               arguments of the counterexample.",
    },
    Rule {
        id: "E0702",
        level: "warning",
        short: "Obligation not proved",
        full: "The verifier could neither prove nor refute that an operation cannot fail: a timeout, or \
               something it does not model.",
    },
    Rule {
        id: "declared-abort",
        level: "note",
        short: "Declared abort",
        full: "An explicit `Prim.abort`: the function rejects such inputs on purpose. Not a failure.",
    },
    Rule {
        id: "vacuous",
        level: "warning",
        short: "Function proved vacuously",
        full: "The facts at the function's entry cannot all hold, so every obligation of the function is \
               proved vacuously.",
    },
];

/// The index of the rule `id` in [`RULES`].
fn rule_index(id: &str) -> usize {
    RULES.iter().position(|rule| rule.id == id).unwrap_or(0)
}

impl Report {
    /// The report as a SARIF 2.1.0 log; file URIs are relative to `base`
    /// (the working directory) when the file lies under it.
    pub fn to_sarif(&self, sources: &dyn SourceLookup, base: &Path) -> String {
        let rules: Vec<Value> = RULES
            .iter()
            .map(|rule| {
                json!({
                    "id": rule.id,
                    "name": rule.short.replace(' ', ""),
                    "shortDescription": { "text": rule.short },
                    "fullDescription": { "text": rule.full },
                    "defaultConfiguration": { "level": rule.level },
                })
            })
            .collect();
        let mut results: Vec<Value> =
            self.verdicts.iter().filter_map(|verdict| result(verdict, sources, base)).collect();
        for vacuous in &self.vacuous {
            results.push(json!({
                "ruleId": "vacuous",
                "ruleIndex": rule_index("vacuous"),
                "level": "warning",
                "message": { "text": vacuous.message() },
                "locations": [location(vacuous.span, sources, base)],
                "properties": { "function": vacuous.qualified },
            }));
        }
        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "minc verify",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [{
                    "executionSuccessful": true,
                    "exitCode": self.exit_code(),
                }],
                "properties": { "counts": self.counts(), "solver": self.solver },
            }],
        });
        serde_json::to_string_pretty(&log).unwrap_or_default()
    }
}

/// The result of one verdict, unless it is proved.
fn result(verdict: &Verdict, sources: &dyn SourceLookup, base: &Path) -> Option<Value> {
    let (rule, text) = match &verdict.outcome {
        Outcome::Proved => return None,
        Outcome::Refuted { .. } => (
            codes::E0701.info().name,
            format!(
                "In `{}`, {}. Counterexample: `{}`.",
                verdict.function,
                verdict.failure(),
                verdict.failing_call().unwrap_or_default()
            ),
        ),
        Outcome::Unknown { reason } => (
            codes::E0702.info().name,
            format!(
                "In `{}`, not proved that {} {}: {reason}.",
                verdict.function,
                verdict.operation,
                verdict.kind.property()
            ),
        ),
        Outcome::Declared { message } => (
            "declared-abort",
            match message {
                Some(message) => format!("In `{}`, a declared abort: {message:?}.", verdict.function),
                None => format!("In `{}`, a declared abort.", verdict.function),
            },
        ),
    };
    let mut properties = json!({
        "function": verdict.qualified,
        "kind": verdict.kind,
        "operation": verdict.operation,
        "cached": verdict.cached,
    });
    if let (Outcome::Refuted { arguments }, Some(object)) = (&verdict.outcome, properties.as_object_mut()) {
        object.insert("arguments".into(), json!(arguments));
        object.insert("call".into(), json!(verdict.failing_call()));
    }
    let index = rule_index(rule);
    Some(json!({
        "ruleId": rule,
        "ruleIndex": index,
        "level": RULES[index].level,
        "message": { "text": text },
        "locations": [location(verdict.span, sources, base)],
        "properties": properties,
    }))
}

/// A physical location: the file's URI and the span's region.
fn location(span: Span, sources: &dyn SourceLookup, base: &Path) -> Value {
    let text = sources.text(span.file);
    let (start_line, start_column) = line_column(text, span.start as usize);
    let (end_line, end_column) = line_column(text, span.end.max(span.start) as usize);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&sources.name(span.file), base) },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    })
}

/// The URI of the file shown as `name`: relative to `base` when it lies
/// under it, with `/` separators and reserved characters escaped.
fn uri(name: &str, base: &Path) -> String {
    let path = Path::new(name);
    let relative = path.strip_prefix(base).unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out += &format!("%{byte:02X}");
        }
    }
    if path.is_absolute() && relative == path { format!("file://{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::uri;
    use std::path::Path;

    #[test]
    fn uris_are_relative_to_the_base_and_escaped() {
        assert_eq!(uri("/work/project/src/bank.min", Path::new("/work/project")), "src/bank.min");
        assert_eq!(uri("examples/a b.min", Path::new("/anywhere")), "examples/a%20b.min");
        assert_eq!(uri("./x.min", Path::new("/anywhere")), "x.min");
        assert_eq!(uri("/elsewhere/x.min", Path::new("/work")), "file:///elsewhere/x.min");
    }
}
