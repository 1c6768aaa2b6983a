//! Every code has a long explanation for `minc explain`, and the example in
//! the explanation of each checker code really produces that code, while
//! its fixed version produces no error.

use min_analysis::Workspace;
use min_diagnostics::{Code, Diagnostic, render_plain};

/// The ```min blocks of a Markdown text, in order.
fn min_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```min") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().expect("inside a block")),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn every_checker_code_is_shown_by_its_explanation_example() {
    let mut workspace = Workspace::new();
    let mut failures = Vec::new();
    for code in Code::all() {
        let info = code.info();
        assert!(info.explanation.starts_with(&format!("# {}", info.name)), "{} has a title line", info.name);
        // Run-time and command-line codes have no checker example, and an
        // import cycle needs two files (its example shows both).
        if info.name.starts_with("E04") || info.name == "E0109" {
            continue;
        }
        let blocks = min_blocks(info.explanation);
        let Some(example) = blocks.first() else {
            failures.push(format!("{}: no ```min example", info.name));
            continue;
        };
        let file = workspace.add_file(&format!("{}_example.min", info.name), example.clone());
        let diagnostics: Vec<Diagnostic> = workspace.diagnostics(file).to_vec();
        if !diagnostics.iter().any(|d| d.code == code) {
            failures.push(format!(
                "{}: the example does not produce it; it gives:\n{}",
                info.name,
                render_plain(&diagnostics, &workspace)
            ));
        }
        if let Some(fixed) = blocks.get(1) {
            let file = workspace.add_file(&format!("{}_fixed.min", info.name), fixed.clone());
            let errors: Vec<Diagnostic> =
                workspace.diagnostics(file).iter().filter(|d| d.is_error() || d.code == code).cloned().collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{}: the fixed example still fails:\n{}",
                    info.name,
                    render_plain(&errors, &workspace)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
