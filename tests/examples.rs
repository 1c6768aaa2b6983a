//! The examples check without a diagnostic, and the paper's two snippets
//! compute what the paper means.

use min_analysis::Workspace;
use min_diagnostics::render_plain;
use min_tests::{cases_in, relative, root};
use minc::run::run;

fn run_example(name: &str, function: &str, args: &[&str]) -> String {
    let path = root().join("examples").join(name);
    let mut workspace = Workspace::new();
    let file = workspace.add_file(&relative(&path), std::fs::read_to_string(&path).expect("example exists"));
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    run(&workspace, file, function, &args, 50_000).unwrap_or_else(|error| panic!("{name}: {error:?}"))
}

#[test]
fn every_example_checks_without_diagnostics() {
    let mut workspace = Workspace::new();
    let mut problems = String::new();
    for path in cases_in(&root().join("examples")) {
        let file = workspace.add_file(&relative(&path), std::fs::read_to_string(&path).expect("read example"));
        problems += &render_plain(workspace.diagnostics(file), &workspace);
    }
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn black_scholes_prints_the_textbook_call_price() {
    let printed = run_example("black_scholes.min", "black_scholes", &["42", "40", "0.5", "0.1", "0.2"]);
    // Hull, Options, Futures and Other Derivatives, example 15.6: c = 4.76.
    // The exact value is 4.759422392871533…; deterministic math gives these bits everywhere.
    assert_eq!(printed, "4.759422392871532");
}

#[test]
fn the_rewrite_rules_turn_operators_into_conditionals() {
    let cases = [
        ("Binary (Binary Nil \"&\" Nil) \"|\" (Apply Nil Nil)", "If Nil Nil (Apply Nil Nil)"),
        ("Binary Nil \"&\" (Apply Nil Nil)", "If Nil (Apply Nil Nil) Nil"),
        ("Binary Nil \".\" (Apply Nil Nil)", "Apply (Apply Nil Nil) Nil"),
        ("Binary Nil \"@\" (Apply Nil Nil)", "Binary (Apply Nil Nil) \";\" Nil"),
        // No rule matches: a `Term → Term` rewrite leaves the term as it is.
        ("Binary Nil \"+\" Nil", "Binary Nil \"+\" Nil"),
        ("Nil", "Nil"),
    ];
    for (input, expected) in cases {
        assert_eq!(run_example("rewrite.min", "rewrite", &[input]), expected, "rewrite ({input})");
    }
}
