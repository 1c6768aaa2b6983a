//! The attack classes of `examples/attacks/` (`spec/security.md`): each
//! attack is rejected with the code its header names, with the diagnostics
//! in `tests/attacks/NAME.stderr`, and its fixed twin checks without a
//! diagnostic and passes its tests.

use min_analysis::Workspace;
use min_diagnostics::render_plain;
use min_tests::{cases_in, compare_golden, relative, root};
use minc::testing::{Options, run_files};
use std::path::{Path, PathBuf};

/// The attacks and their fixed twins; a module whose name starts with a
/// capital (`WalletLibrary.min`) is a contract they call, neither.
fn attacks() -> (Vec<PathBuf>, Vec<PathBuf>) {
    cases_in(&root().join("examples/attacks"))
        .into_iter()
        .filter(|path| !path.file_stem().is_some_and(|stem| stem.to_string_lossy().starts_with(char::is_uppercase)))
        .partition(|path| !path.file_stem().is_some_and(|stem| stem.to_string_lossy().ends_with("_fixed")))
}

/// The code an attack's header says rejects it: `Rejected with E0802`.
fn expected_code(text: &str) -> Option<&str> {
    let at = text.find("Rejected with E")? + "Rejected with ".len();
    text.get(at..at + 5)
}

/// Checks the example, with the contracts it imports from beside it.
fn check(path: &Path) -> (Workspace, min_analysis::db::SourceFile) {
    let mut workspace = Workspace::new();
    let file = workspace.add_file(&relative(path), std::fs::read_to_string(path).expect("read the example"));
    let imports: Vec<String> = workspace.syntax(file).imports.iter().map(|i| i.module.text.clone()).collect();
    for module in imports {
        let beside = path.with_file_name(format!("{module}.min"));
        if beside.is_file() {
            workspace.add_file(&relative(&beside), std::fs::read_to_string(&beside).expect("read the contract"));
        }
    }
    (workspace, file)
}

#[test]
fn every_attack_is_rejected_with_the_code_it_names() {
    let (rejected, fixed) = attacks();
    assert!(rejected.len() >= 4, "the attack examples are there: {rejected:?}");
    let mut problems = Vec::new();
    for path in &rejected {
        let text = std::fs::read_to_string(path).expect("read the example");
        let Some(code) = expected_code(&text) else {
            problems.push(format!("{}: the header names no code (`Rejected with E…`)", relative(path)));
            continue;
        };
        let (workspace, file) = check(path);
        let diagnostics = workspace.diagnostics(file);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.info().name).collect();
        if codes.is_empty() || codes.iter().any(|found| *found != code) {
            problems.push(format!("{}: expected only {code}, found {codes:?}", relative(path)));
        }
        let stem = path.file_stem().expect("a file name").to_string_lossy().to_string();
        let golden = root().join("tests/attacks").join(format!("{stem}.stderr"));
        if let Some(difference) = compare_golden(&golden, &render_plain(diagnostics, &workspace)) {
            problems.push(format!("{}: {difference}", relative(path)));
        }
        let twin = path.with_file_name(format!("{stem}_fixed.min"));
        if !fixed.contains(&twin) {
            problems.push(format!("{}: no fixed twin {}", relative(path), relative(&twin)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixed_twin_checks_and_passes_its_tests() {
    let (_, fixed) = attacks();
    for path in &fixed {
        let (workspace, file) = check(path);
        let rendered = render_plain(workspace.diagnostics(file), &workspace);
        assert!(rendered.is_empty(), "{}:\n{rendered}", relative(path));
    }
    let options = Options {
        filter: None,
        cases: 20,
        seed: 0,
        gas_report: false,
        depth_limit: minc::run::CALL_DEPTH_LIMIT,
        color: false,
    };
    let report = run_files(&fixed, &options).expect("the fixed twins load");
    assert!(report.tests.len() >= fixed.len(), "every fixed twin has tests");
    let failed: Vec<String> =
        report.tests.iter().filter(|t| t.failure.is_some()).map(|t| format!("{}: {}", t.file, t.name)).collect();
    assert!(failed.is_empty(), "failed: {failed:?}");
}
