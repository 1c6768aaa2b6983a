//! The examples check without a diagnostic, and the paper's two snippets
//! compute what the paper means on every engine.

use min_analysis::Workspace;
use min_diagnostics::render_plain;
use min_tests::{cases_in, relative, root};
use minc::run::{Engine, run};

fn run_example(name: &str, function: &str, args: &[&str]) -> String {
    let path = root().join("examples").join(name);
    let mut workspace = Workspace::new();
    let file = workspace.add_file(&relative(&path), std::fs::read_to_string(&path).expect("example exists"));
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut results = Engine::ALL.iter().map(|&engine| {
        let result = run(&workspace, file, function, &args, 50_000, engine);
        result.unwrap_or_else(|error| panic!("{name} on {}: {error:?}", engine.name()))
    });
    let interpreted = results.next().expect("the interpreter ran");
    for (compiled, engine) in results.zip(&Engine::ALL[1..]) {
        assert_eq!(compiled, interpreted, "{name} {function} {args:?} on {}", engine.name());
    }
    interpreted
}

/// The examples: `examples/*.min`, and the contracts that call each
/// other in `examples/calls/`.
fn examples() -> Vec<std::path::PathBuf> {
    let mut files = cases_in(&root().join("examples"));
    files.extend(cases_in(&root().join("examples/calls")));
    files
}

#[test]
fn every_example_checks_without_diagnostics() {
    let mut workspace = Workspace::new();
    let mut problems = String::new();
    for path in examples() {
        let file = minc::load::load(&mut workspace, &path).expect("the example loads");
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

#[test]
fn every_example_builds_to_a_wasm_module_and_its_metadata() {
    for path in examples() {
        let mut workspace = Workspace::new();
        let file = minc::load::load(&mut workspace, &path).expect("the example loads");
        let artifact =
            minc::artifact::build(&workspace, file).unwrap_or_else(|error| panic!("{}: {error}", relative(&path)));
        assert!(artifact.wasm.starts_with(b"\0asm"), "{}", relative(&path));
        let metadata: serde_json::Value = serde_json::from_str(&artifact.metadata).expect("the metadata is JSON");
        let exported: Vec<&str> =
            metadata["exports"].as_array().expect("exports").iter().filter_map(|e| e["name"].as_str()).collect();
        let checked = workspace.check(file);
        for value in checked.interface.values.values() {
            assert!(exported.contains(&value.qualified.as_str()), "{} lacks {}", relative(&path), value.qualified);
        }
    }
}

#[test]
fn every_examples_tests_pass_and_their_contracts_report_gas() {
    // The examples, and the attack examples' fixed twins (the attacks
    // themselves are meant not to compile).
    let mut files = examples();
    files.extend(
        cases_in(&root().join("examples/attacks"))
            .into_iter()
            .filter(|path| path.file_stem().is_some_and(|stem| stem.to_string_lossy().ends_with("_fixed"))),
    );
    let options = minc::testing::Options {
        filter: None,
        cases: 32,
        seed: 7,
        gas_report: true,
        depth_limit: minc::run::CALL_DEPTH_LIMIT,
        color: false,
    };
    let report = minc::testing::run_files(&files, &options).unwrap_or_else(|error| panic!("{error:?}"));
    let failures: Vec<String> = report
        .tests
        .iter()
        .filter_map(|test| {
            test.failure.as_ref().map(|failure| format!("{}: {}\n{}", test.file, test.name, failure.rendered))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let tested: std::collections::BTreeSet<&str> = report.tests.iter().map(|test| test.file.as_str()).collect();
    for contract in ["token.min", "vote.min", "ledger.min", "bank.min"] {
        assert!(tested.iter().any(|file| file.ends_with(contract)), "{contract} has tests: {tested:?}");
    }
    let gas = report.gas.expect("a gas report");
    assert!(gas.iter().any(|row| row.procedure.ends_with("token.pay")), "{gas:?}");
    assert!(gas.iter().any(|row| row.procedure == "Shop.buy"), "a call between contracts reports its gas: {gas:?}");
}

#[test]
fn the_gas_report_measures_a_called_contracts_procedure_on_that_contract() {
    let options = minc::testing::Options {
        filter: None,
        cases: 1,
        seed: 7,
        gas_report: true,
        depth_limit: minc::run::CALL_DEPTH_LIMIT,
        color: false,
    };
    let report = minc::testing::run_files(&[root().join("examples/calls/Shop.min")], &options)
        .unwrap_or_else(|error| panic!("{error:?}"));
    let gas = report.gas.expect("a gas report");
    let row = |name: &str| gas.iter().find(|row| row.procedure == name).unwrap_or_else(|| panic!("{name}: {gas:?}"));
    // The shop's one sale calls `Gold.pay` once; its two failed sales
    // abort in `Gold.pay`.
    let (buy, pay) = (row("Shop.buy"), row("Gold.pay"));
    assert_eq!((buy.calls, buy.aborted, pay.calls, pay.aborted), (1, 2, 1, 2), "{gas:?}");
    assert!(pay.max <= pay.bound.expect("Gold.pay has a bound"), "{gas:?}");
    assert!(buy.max <= buy.bound.expect("Shop.buy has a bound"), "{gas:?}");
}
