//! How `minc test` prints its outcome: lines like `cargo test`'s, failures
//! with the compiler's diagnostics renderer, a summary, and the gas table;
//! or one JSON object for tools.

use super::gas::GasRow;
use super::{Report, TestOutcome};
use std::fmt::Write;
use std::time::Duration;

/// The exit code of a report: 0 when every test passed, 1 otherwise.
pub fn exit_code(report: &Report) -> u8 {
    if report.failed() == 0 { 0 } else { 1 }
}

/// The human form.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    let count = report.tests.len();
    let _ = writeln!(out, "running {count} test{}", plural(count));
    for test in &report.tests {
        let status = if test.failure.is_none() { "ok" } else { "FAILED" };
        let _ = writeln!(out, "test {} ... {status} ({})", title(test), duration(test.duration));
    }
    let failures: Vec<&TestOutcome> = report.tests.iter().filter(|test| test.failure.is_some()).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures:\n");
        for test in &failures {
            let failure = test.failure.as_ref().expect("a failure");
            let _ = writeln!(out, "---- {} ----", title(test));
            out.push_str(&failure.rendered);
            if !failure.inputs.is_empty() {
                let inputs: Vec<String> =
                    failure.inputs.iter().map(|(name, value)| format!("{name} = {value}")).collect();
                let case = failure.case.unwrap_or(1);
                let _ = writeln!(out, "  failing inputs (case {case}, seed {}): {}", report.seed, inputs.join(", "));
                let _ = writeln!(
                    out,
                    "  reproduce: minc test {} --filter '{}' --seed {}",
                    test.file,
                    test.name.replace('\'', "'\\''"),
                    report.seed
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "failures:");
        for test in &failures {
            let _ = writeln!(out, "    {}", title(test));
        }
    }
    let result = if failures.is_empty() { "ok" } else { "FAILED" };
    let _ = writeln!(
        out,
        "\ntest result: {result}. {} passed; {} failed; {} filtered out; seed {}; finished in {}",
        report.passed(),
        report.failed(),
        report.filtered_out,
        report.seed,
        duration(report.duration)
    );
    if let Some(rows) = &report.gas {
        out.push('\n');
        out.push_str(&gas_table(rows));
    }
    out
}

/// The gas report as a table: one row per procedure.
pub fn gas_table(rows: &[GasRow]) -> String {
    let header = ["procedure", "calls", "min", "avg", "max", "bound", "aborted"];
    let mut table: Vec<[String; 7]> = vec![header.map(str::to_string)];
    for row in rows {
        table.push([
            row.procedure.clone(),
            row.calls.to_string(),
            row.min.to_string(),
            row.avg.to_string(),
            row.max.to_string(),
            row.bound.map_or_else(|| "-".to_string(), |bound| bound.to_string()),
            row.aborted.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7).map(|c| table.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::from("gas report (min-runtime, fuel of the built contract)\n");
    if rows.is_empty() {
        out.push_str("  no contract procedure was called\n");
        return out;
    }
    for row in &table {
        let mut line = format!("  {:<width$}", row[0], width = widths[0]);
        for (cell, width) in row.iter().zip(&widths).skip(1) {
            let _ = write!(line, "  {cell:>width$}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The JSON form: one object with every test, the summary and the gas.
pub fn json(report: &Report) -> String {
    let tests: Vec<serde_json::Value> = report
        .tests
        .iter()
        .map(|test| {
            let mut object = serde_json::json!({
                "file": test.file,
                "name": test.name,
                "status": if test.failure.is_none() { "ok" } else { "failed" },
                "cases": test.cases,
                "seed": test.seed,
                "duration_ms": test.duration.as_secs_f64() * 1000.0,
            });
            if let Some(failure) = &test.failure {
                object["failure"] = serde_json::json!({
                    "message": failure.message,
                    "case": failure.case,
                    "inputs": failure.inputs.iter().map(|(name, value)| serde_json::json!({"name": name, "value": value})).collect::<Vec<_>>(),
                    "diagnostics": failure.json,
                });
            }
            object
        })
        .collect();
    serde_json::json!({
        "tests": tests,
        "passed": report.passed(),
        "failed": report.failed(),
        "filtered_out": report.filtered_out,
        "seed": report.seed,
        "gas": report.gas,
        "exit_code": exit_code(report),
    })
    .to_string()
}

fn title(test: &TestOutcome) -> String {
    if test.seed.is_some() {
        format!("{}: {} ({} case{})", test.file, test.name, test.cases, plural(test.cases as usize))
    } else {
        format!("{}: {}", test.file, test.name)
    }
}

fn duration(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 1000.0 { format!("{ms:.2} ms") } else { format!("{:.2} s", ms / 1000.0) }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
