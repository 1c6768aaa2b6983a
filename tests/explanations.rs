//! Every code has a long explanation for `minc explain`, and the example in
//! the explanation of each checker code really produces that code, while
//! its fixed version produces no error. An example of several modules
//! names each file on its first line.

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

/// The files of one part of an explanation: a block whose first line names
/// a file (`# Coin.min`) becomes that module, any other block one module of
/// its own.
fn part_files(code: &str, part: &str, blocks: &[String]) -> Vec<(String, String)> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let named = block.lines().next().and_then(|line| line.strip_prefix("# ")).filter(|n| n.ends_with(".min"));
            let name = named.map_or_else(|| format!("{code}_{part}{i}.min"), str::to_string);
            (name, block.clone())
        })
        .collect()
}

/// Checks the files together; returns the diagnostics of all of them, rendered, and their codes.
fn check_files(files: &[(String, String)]) -> (Vec<Diagnostic>, String) {
    let mut workspace = Workspace::new();
    let handles: Vec<_> = files.iter().map(|(name, text)| workspace.add_file(name, text.clone())).collect();
    let diagnostics: Vec<Diagnostic> = handles.iter().flat_map(|&file| workspace.diagnostics(file).to_vec()).collect();
    let rendered = render_plain(&diagnostics, &workspace);
    (diagnostics, rendered)
}

#[test]
fn every_checker_code_is_shown_by_its_explanation_example() {
    let mut failures = Vec::new();
    for code in Code::all() {
        let info = code.info();
        assert!(info.explanation.starts_with(&format!("# {}", info.name)), "{} has a title line", info.name);
        // Run-time, command-line and verifier codes have no checker example
        // (the verifier's are checked in `verify/tests`).
        if info.name.starts_with("E04") || info.name.starts_with("E07") {
            continue;
        }
        let (example, fixed) = info.explanation.split_once("## How to fix it").unwrap_or((info.explanation, ""));
        let example_blocks = min_blocks(example);
        if example_blocks.is_empty() {
            failures.push(format!("{}: no ```min example", info.name));
            continue;
        }
        let (diagnostics, rendered) = check_files(&part_files(info.name, "example", &example_blocks));
        if !diagnostics.iter().any(|d| d.code == code) {
            failures.push(format!("{}: the example does not produce it; it gives:\n{rendered}", info.name));
        }
        let fixed_blocks = min_blocks(fixed);
        if !fixed_blocks.is_empty() {
            // A fixed version of several modules shows only the files it changes.
            let mut files = part_files(info.name, "fixed", &fixed_blocks);
            let kept: Vec<(String, String)> = part_files(info.name, "example", &example_blocks)
                .into_iter()
                .filter(|(name, _)| !name.starts_with(info.name) && !files.iter().any(|(other, _)| other == name))
                .collect();
            files.extend(kept);
            let (diagnostics, rendered) = check_files(&files);
            if diagnostics.iter().any(|d| d.is_error() || d.code == code) {
                failures.push(format!("{}: the fixed example still fails:\n{rendered}", info.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
