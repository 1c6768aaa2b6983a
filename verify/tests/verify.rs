//! `minc verify` on the bank and on variants of it: what is proved, what is
//! refuted, and every counterexample replayed in the reference interpreter
//! (through `minc run`'s own path, checking specification clauses as
//! `minc test` does), where it must fail at the operation or clause the
//! verifier named, with the matching run-time error.

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_diagnostics::codes;
use min_verify::{Kind, Options, Outcome, Report, Verdict};
use minc::run::{Engine, RunError, Runner};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads `path` and verifies it.
fn verify(path: &Path) -> (Workspace, SourceFile, Report) {
    let mut workspace = Workspace::new();
    let file = minc::load::load(&mut workspace, path).expect("the program loads");
    let report = min_verify::verify(&workspace, &[file], &Options::default()).expect("the program has no errors");
    (workspace, file, report)
}

/// The source text of a verdict's operation.
fn source<'w>(workspace: &'w Workspace, verdict: &Verdict) -> &'w str {
    &workspace.file_text(verdict.span.file)[verdict.span.range()]
}

/// The verdict of `function` at the operation written `text`, of `kind`
/// (an application's span leaves out a closing parenthesis).
fn verdict<'r>(workspace: &Workspace, report: &'r Report, function: &str, text: &str, kind: Kind) -> &'r Verdict {
    let candidates = || report.verdicts.iter().filter(|v| v.function == function && v.kind == kind);
    candidates()
        .find(|v| source(workspace, v) == text)
        .or_else(|| candidates().find(|v| text.starts_with(source(workspace, v))))
        .or_else(|| candidates().find(|v| source(workspace, v).starts_with(text)))
        .unwrap_or_else(|| panic!("no {kind:?} verdict for `{text}` in `{function}`: {}", report.lines(workspace)))
}

/// The names of the amount fields of the assets `file` declares.
fn asset_amount_fields(workspace: &Workspace, file: SourceFile) -> Vec<String> {
    let checked = workspace.check(file);
    let nat = min_analysis::types::Type::App(min_analysis::types::Con::Nat, Vec::new());
    checked
        .interface
        .types
        .values()
        .filter(|adt| adt.kind == min_analysis::interface::TypeKind::Asset)
        .filter_map(|adt| match &adt.constructors[..] {
            [constructor] => {
                let amounts: Vec<&String> = constructor
                    .fields
                    .iter()
                    .filter(|(_, ty)| *ty == nat)
                    .filter_map(|(name, _)| name.as_ref())
                    .collect();
                (amounts.len() == 1).then(|| amounts[0].clone())
            }
            _ => None,
        })
        .collect()
}

/// The sum of the amounts written `field = N` in a value printed as Min
/// (the test programs' assets are records, printed with their field names).
fn total(printed: &str, fields: &[String]) -> u128 {
    let mut sum = 0;
    for field in fields {
        for (at, _) in printed.match_indices(&format!("{field} = ")) {
            let digits: String = printed[at + field.len() + 3..].chars().take_while(char::is_ascii_digit).collect();
            sum += digits.parse::<u128>().expect("an amount");
        }
    }
    sum
}

/// Runs every refuted verdict's counterexample in the interpreter and
/// checks that it fails there, with the error of the verdict's kind.
/// Returns how many were replayed.
fn replay_counterexamples(workspace: &Workspace, file: SourceFile, report: &Report) -> usize {
    let mut replayed = 0;
    for verdict in &report.verdicts {
        let Outcome::Refuted { arguments } = &verdict.outcome else { continue };
        let mut runner = Runner::new(workspace, file, 10_000).with_spec_checks();
        let result = runner.run(&verdict.function, arguments, Engine::Interpreter);
        let call = verdict.failing_call().unwrap_or_default();
        if verdict.kind == Kind::Conservation {
            let returned = result.unwrap_or_else(|error| panic!("`{call}` failed instead of returning: {error:?}"));
            let amounts = asset_amount_fields(workspace, file);
            let before: u128 = arguments.iter().map(|argument| total(argument, &amounts)).sum();
            assert_ne!(before, total(&returned, &amounts), "`{call}` returned {returned}, which keeps the total");
            replayed += 1;
            continue;
        }
        let error = match result {
            Err(RunError::Runtime(error)) => error,
            Ok(value) => panic!("`{call}` returned {value} instead of failing at `{}`", source(workspace, verdict)),
            Err(other) => panic!("`{call}` did not run: {other:?}"),
        };
        let expected = match verdict.kind {
            Kind::DivisionByZero => codes::E0411,
            Kind::Requires => codes::E0416,
            Kind::Ensures => codes::E0417,
            Kind::Decreases => codes::E0418,
            _ => codes::E0410,
        };
        assert_eq!(error.code, expected, "`{call}`: {}", error.message);
        assert_eq!(error.span, Some(verdict.span), "`{call}` fails elsewhere: {}", error.message);
        replayed += 1;
    }
    replayed
}

#[test]
fn the_bank_is_proved_with_its_specifications() {
    let (workspace, _, report) = verify(&root().join("../examples/bank.min"));
    let lines = report.lines(&workspace);
    let proved = |function: &str, text: &str, kind: Kind| {
        let v = verdict(&workspace, &report, function, text, kind);
        assert_eq!(v.outcome, Outcome::Proved, "`{text}` in `{function}`: {lines}");
    };
    proved("transfer", "from.balance - amount", Kind::Underflow);
    // The preconditions bound both balances, so the credit cannot overflow.
    proved("transfer", "to.balance + amount", Kind::Overflow);
    proved("transfer", "f.balance + t.balance", Kind::Overflow);
    proved("deposit", "a.balance + amount", Kind::Overflow);
    let ensures: Vec<&Verdict> = report.verdicts.iter().filter(|v| v.kind == Kind::Ensures).collect();
    assert_eq!(ensures.len(), 2, "{lines}");
    assert!(ensures.iter().all(|v| v.outcome == Outcome::Proved), "{lines}");
    assert!(lines.contains("proved: `ensures match result"), "{lines}");
    let declared = report.verdicts.iter().find(|v| v.kind == Kind::DeclaredAbort).expect("the abort is listed");
    assert_eq!(declared.outcome, Outcome::Declared { message: Some("insufficient funds".into()) });
    assert!(report.vacuous.is_empty(), "{lines}");
    assert_eq!(report.exit_code(), 0, "{lines}");
}

#[test]
fn broken_specifications_are_refuted_and_their_counterexamples_break_the_clause() {
    let (workspace, file, report) = verify(&root().join("tests/programs/buggy_specs.min"));
    let lines = report.lines(&workspace);
    let refuted = |function: &str, text: &str, kind: Kind| {
        let v = verdict(&workspace, &report, function, text, kind);
        let Outcome::Refuted { arguments } = &v.outcome else { panic!("`{text}` in `{function}` is refuted: {lines}") };
        arguments.clone()
    };
    // Off by one.
    assert_eq!(refuted("fee", "ensures result ≤ amount / 100", Kind::Ensures), vec!["0".to_string()]);
    // A missing check: the callee's precondition, at the call.
    let pay = refuted("pay", "withdraw a amount", Kind::Requires);
    assert_eq!(pay.len(), 2, "{lines}");
    // A transfer that creates coins.
    refuted("leaky_transfer", "ensures match result", Kind::Ensures);
    // A measure that does not decrease.
    assert_eq!(refuted("halve", "halve (n / 2 + 1)", Kind::Decreases), vec!["2".to_string()]);
    // One that does not decrease on the way back through another function.
    assert_eq!(refuted("pong", "ping (n / 2 + 1)", Kind::Decreases), vec!["2".to_string()]);
    // What the clauses allow is proved: the guarded subtraction, and the
    // callee's own clauses.
    let proved = |function: &str, text: &str, kind: Kind| {
        assert_eq!(verdict(&workspace, &report, function, text, kind).outcome, Outcome::Proved, "{lines}");
    };
    proved("withdraw", "a.balance - amount", Kind::Underflow);
    proved("withdraw", "ensures result.balance + amount == a.balance", Kind::Ensures);
    // An unsatisfiable precondition is a vacuity warning.
    let vacuous: Vec<&str> = report.vacuous.iter().map(|v| v.function.as_str()).collect();
    assert_eq!(vacuous, ["never"], "{lines}");
    assert!(lines.contains("never: warning: the facts at the entry"), "{lines}");
    assert_eq!(report.counts().unknown, 0, "{lines}");
    assert_eq!(report.exit_code(), 1);
    assert_eq!(replay_counterexamples(&workspace, file, &report), report.counts().refuted);
    let json: serde_json::Value = serde_json::from_str(&report.to_json(&workspace)).expect("JSON");
    let kinds: Vec<&str> =
        json["verdicts"].as_array().expect("verdicts").iter().filter_map(|v| v["kind"].as_str()).collect();
    for kind in ["requires", "ensures", "decreases"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
}

#[test]
fn specifications_are_proved_and_callers_use_them() {
    let (workspace, _, report) = verify(&root().join("tests/programs/specs.min"));
    let lines = report.lines(&workspace);
    let counts = report.counts();
    assert_eq!((counts.refuted, counts.unknown), (0, 0), "{lines}");
    let proved = |function: &str, text: &str, kind: Kind| {
        assert_eq!(verdict(&workspace, &report, function, text, kind).outcome, Outcome::Proved, "{lines}");
    };
    proved("pay", "withdraw a amount", Kind::Requires);
    // Only `withdraw`'s postcondition bounds `b.balance`.
    proved("round_trip", "b.balance + amount", Kind::Overflow);
    proved("round_trip", "ensures result.balance == a.balance", Kind::Ensures);
    proved("countdown", "countdown (n - 1)", Kind::Decreases);
    proved("countdown", "ensures result == 0", Kind::Ensures);
    // Mutual recursion: each call to the other function of the pair.
    proved("is_even", "is_odd (n - 1)", Kind::Decreases);
    proved("is_odd", "is_even (n - 1)", Kind::Decreases);
    proved("add_small", "a + b", Kind::Overflow);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn buggy_variants_are_refuted_and_their_counterexamples_really_fail() {
    let (workspace, file, report) = verify(&root().join("tests/programs/buggy_bank.min"));
    let refuted = |function: &str, text: &str, kind: Kind| {
        let v = verdict(&workspace, &report, function, text, kind);
        assert!(matches!(v.outcome, Outcome::Refuted { .. }), "`{text}` in `{function}` is refuted: {v:?}");
    };
    refuted("withdraw", "a.balance - amount", Kind::Underflow);
    refuted("share", "a.balance / parts", Kind::DivisionByZero);
    refuted("careless", "a.balance - amount", Kind::Underflow);
    refuted("careless", "a.balance + 1", Kind::Overflow);
    refuted("with_fee", "from.balance - amount - fee", Kind::Underflow);
    refuted("flip", "-x", Kind::Overflow);
    refuted("ratio", "x / y", Kind::DivisionByZero);
    refuted("ratio", "x / y", Kind::Overflow);
    refuted("as_natural", "Prim.nat_of_int (x + 1)", Kind::Conversion);
    // The fee's first subtraction is guarded; only the second is not.
    let first = verdict(&workspace, &report, "with_fee", "from.balance - amount", Kind::Underflow);
    assert_eq!(first.outcome, Outcome::Proved);
    let counts = report.counts();
    assert_eq!(counts.unknown, 0, "{:#?}", report.verdicts);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(replay_counterexamples(&workspace, file, &report), counts.refuted);
    assert!(counts.refuted >= 9);
}

#[test]
fn the_token_keeps_its_units_and_cannot_overflow() {
    let (workspace, _, report) = verify(&root().join("../examples/token.min"));
    let lines = report.lines(&workspace);
    assert_eq!(report.exit_code(), 0, "{lines}");
    let kept: Vec<&str> =
        report.verdicts.iter().filter(|v| v.kind == Kind::Conservation).map(|v| v.function.as_str()).collect();
    for function in ["transfer", "pay", "split", "merge", "join", "deposit", "settle", "bid", "close"] {
        assert!(kept.contains(&function), "{function} keeps the units: {lines}");
    }
    assert!(!kept.contains(&"balance"), "reading a coin by reference moves no units: {lines}");
    assert!(!kept.contains(&"mint"), "minting owes no total: {lines}");
    let refund = report.verdicts.iter().find(|v| v.function == "outbid" && v.kind == Kind::Ensures);
    assert_eq!(refund.map(|v| &v.outcome), Some(&Outcome::Proved), "a beaten bid is refunded whole: {lines}");
}

#[test]
fn the_tips_marketplace_and_oracle_keep_their_units_and_prove_their_clauses() {
    let examples: [(&str, &[&str]); 3] = [
        ("tips.min", &["tip", "collect", "withdraw", "balance"]),
        ("marketplace.min", &["order", "deliver", "decline", "confirm", "dispute", "rule", "settle"]),
        ("oracle.min", &["fund", "report", "fix", "reward", "slash", "close"]),
    ];
    for (example, keepers) in examples {
        let (workspace, _, report) = verify(&root().join("../examples").join(example));
        let lines = report.lines(&workspace);
        assert_eq!(report.exit_code(), 0, "{example}: {lines}");
        let counts = report.counts();
        assert_eq!((counts.refuted, counts.unknown), (0, 0), "{example}: {lines}");
        let kept: Vec<&str> =
            report.verdicts.iter().filter(|v| v.kind == Kind::Conservation).map(|v| v.function.as_str()).collect();
        for function in keepers {
            assert!(kept.contains(function), "{example}: {function} keeps the units: {lines}");
        }
        assert!(!kept.contains(&"mint"), "{example}: minting owes no total: {lines}");
        assert!(report.verdicts.iter().any(|v| v.kind == Kind::Ensures), "{example} proves clauses: {lines}");
    }
}

#[test]
fn invariants_are_assumed_of_inputs_and_proved_of_results() {
    let (workspace, file, report) = verify(&root().join("tests/programs/buggy_invariants.min"));
    let lines = report.lines(&workspace);
    let invariant = |function: &str| {
        report
            .verdicts
            .iter()
            .find(|v| v.function == function && v.kind == Kind::Ensures && v.operation.contains("invariant"))
            .map(|v| &v.outcome)
    };
    assert_eq!(invariant("open"), Some(&Outcome::Proved), "{lines}");
    assert_eq!(invariant("deposit"), Some(&Outcome::Proved), "{lines}");
    assert!(matches!(invariant("careless"), Some(Outcome::Refuted { .. })), "{lines}");
    // The invariant on the input is what proves the subtraction safe.
    let headroom = verdict(&workspace, &report, "deposit", "a.limit - a.balance", Kind::Underflow);
    assert_eq!(headroom.outcome, Outcome::Proved, "{lines}");
    assert_eq!(replay_counterexamples(&workspace, file, &report), report.counts().refuted);
}

#[test]
fn coins_that_appear_or_vanish_are_refuted_and_their_counterexamples_really_do() {
    let (workspace, file, report) = verify(&root().join("tests/programs/buggy_coins.min"));
    let lines = report.lines(&workspace);
    let conservation = |function: &str| {
        report.verdicts.iter().find(|v| v.function == function && v.kind == Kind::Conservation).map(|v| &v.outcome)
    };
    for leaky in ["leaky_merge", "lossy_split"] {
        assert!(matches!(conservation(leaky), Some(Outcome::Refuted { .. })), "{leaky}: {lines}");
    }
    for kept in ["merge", "split", "pay"] {
        assert_eq!(conservation(kept), Some(&Outcome::Proved), "{kept}: {lines}");
    }
    for free in ["mint", "burn"] {
        assert_eq!(conservation(free), None, "a {free} owes no total: {lines}");
    }
    assert_eq!(replay_counterexamples(&workspace, file, &report), 2);
}

#[test]
fn correct_variants_are_proved() {
    let (workspace, _, report) = verify(&root().join("tests/programs/safe_bank.min"));
    let counts = report.counts();
    assert_eq!((counts.refuted, counts.unknown), (0, 0), "{}", report.lines(&workspace));
    assert!(counts.proved >= 9, "{}", report.lines(&workspace));
    assert_eq!(counts.declared, 4);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn what_is_not_modelled_is_unknown_and_never_proved() {
    let dir = std::env::temp_dir().join(format!("min-verify-unknown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("opaque.min");
    let program = "\
twice_length : S → ℕ
twice_length s = Prim.length s + Prim.length s

floor_of : ℝ → ℤ
floor_of x = Prim.floor x

fold_sum : [ℕ] → ℕ
fold_sum xs = foldl (λa b → a + b) 0 xs
";
    std::fs::write(&path, program).unwrap();
    let (workspace, _, report) = verify(&path);
    let lines = report.lines(&workspace);
    for verdict in &report.verdicts {
        assert!(matches!(verdict.outcome, Outcome::Unknown { .. }), "{lines}");
    }
    assert_eq!(report.verdicts.len(), 3, "{lines}");
    assert_eq!(report.exit_code(), 2);
    let floor = report.verdicts.iter().find(|v| v.function == "floor_of").expect("floor's verdict");
    assert!(matches!(&floor.outcome, Outcome::Unknown { reason } if reason.contains("not modelled")), "{lines}");
}

#[test]
fn a_program_with_errors_is_not_verified() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("broken.min", "x : ℕ\nx = 1 + \"a\"\n".to_string());
    let errors = min_verify::verify(&workspace, &[file], &Options::default()).expect_err("errors stop verification");
    assert!(errors.iter().any(|d| d.code == codes::E0204), "{errors:?}");
}

#[test]
fn the_explanations_of_the_verifier_codes_show_their_outcomes() {
    for (code, expected) in [(codes::E0701, "refuted"), (codes::E0702, "unknown")] {
        let explanation = code.info().explanation;
        let (example, fixed) = explanation.split_once("## How to fix it").expect("a fix section");
        let outcome = |markdown: &str| {
            let block = markdown.split("```min\n").nth(1).and_then(|b| b.split("```").next()).expect("a min block");
            let mut workspace = Workspace::new();
            let file = workspace.add_file(&format!("{code}.min"), block.to_string());
            let report = min_verify::verify(&workspace, &[file], &Options::default()).expect("the example checks");
            report.exit_code()
        };
        let example_exit = outcome(example);
        assert_eq!(example_exit, if expected == "refuted" { 1 } else { 2 }, "{code}'s example is {expected}");
        assert_eq!(outcome(fixed), 0, "{code}'s fixed version is proved");
    }
}

#[test]
fn every_counterexample_in_the_examples_and_test_programs_fails_in_the_interpreter() {
    let mut paths: Vec<PathBuf> = Vec::new();
    for folder in [root().join("../examples"), root().join("tests/programs")] {
        for entry in std::fs::read_dir(&folder).expect("the folder exists") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|e| e == "min") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut replayed = 0;
    for path in &paths {
        let (workspace, file, report) = verify(path);
        replayed += replay_counterexamples(&workspace, file, &report);
    }
    assert!(replayed >= 20, "{replayed} counterexamples replayed in {} programs", paths.len());
}

#[test]
fn arithmetic_of_every_kind_is_decided() {
    let (workspace, _, report) = verify(&root().join("tests/programs/arithmetic.min"));
    let lines = report.lines(&workspace);
    let outcome =
        |function: &str, text: &str, kind: Kind| verdict(&workspace, &report, function, text, kind).outcome.clone();
    assert_eq!(outcome("digit", "n % base", Kind::DivisionByZero), Outcome::Proved, "{lines}");
    assert_eq!(outcome("remainder", "a % b", Kind::DivisionByZero), Outcome::Proved, "{lines}");
    assert!(!report.verdicts.iter().any(|v| v.function == "remainder" && v.kind == Kind::Overflow), "{lines}");
    assert_eq!(
        outcome("step", "b - 1", Kind::Underflow),
        Outcome::Refuted { arguments: vec!["(0, 0)".into()] },
        "{lines}"
    );
    assert_eq!(outcome("step", "a - b", Kind::Underflow), Outcome::Proved, "{lines}");
    assert_eq!(outcome("step", "b - a", Kind::Underflow), Outcome::Proved, "{lines}");
    assert_eq!(
        outcome("choose", "n - 1", Kind::Underflow),
        Outcome::Refuted { arguments: vec!["true".into(), "0".into()] },
        "{lines}"
    );
    assert!(matches!(outcome("scaled", "price * count", Kind::Overflow), Outcome::Refuted { .. }), "{lines}");
    assert!(matches!(outcome("widen", "Prim.int_of_nat n", Kind::Conversion), Outcome::Refuted { .. }), "{lines}");
    assert_eq!(report.counts().unknown, 0, "{lines}");
}

#[test]
fn data_types_with_several_constructors_are_modelled_by_their_tag() {
    let (workspace, _, report) = verify(&root().join("tests/programs/options.min"));
    let lines = report.lines(&workspace);
    let outcome =
        |function: &str, text: &str, kind: Kind| verdict(&workspace, &report, function, text, kind).outcome.clone();
    assert_eq!(
        outcome("less", "n - 1", Kind::Underflow),
        Outcome::Refuted { arguments: vec!["Some 0".into()] },
        "{lines}"
    );
    assert_eq!(outcome("pred", "n - 1", Kind::Underflow), Outcome::Proved, "{lines}");
    assert_eq!(outcome("size", "3 * r * r", Kind::Overflow), Outcome::Proved, "{lines}");
    let Outcome::Refuted { arguments } = outcome("size", "w * h", Kind::Overflow) else { panic!("{lines}") };
    assert!(arguments[0].starts_with("Rect "), "{lines}");
    assert_eq!(
        outcome("pick", "r - 1", Kind::Underflow),
        Outcome::Refuted { arguments: vec!["true".into(), "0".into()] },
        "{lines}"
    );
    assert_eq!(outcome("known", "ensures result == 1", Kind::Ensures), Outcome::Proved, "{lines}");
}

#[test]
fn calls_of_functions_proved_never_to_abort_need_no_obligation() {
    let (workspace, _, report) = verify(&root().join("tests/programs/calls.min"));
    let lines = report.lines(&workspace);
    // `List.take` is recursive and proved safe: no obligation at the call.
    assert!(!report.verdicts.iter().any(|v| v.function == "firsts"), "{lines}");
    // The helper is safe, so the path past its call is exact.
    let Outcome::Refuted { arguments } = &verdict(&workspace, &report, "after", "b - 1", Kind::Underflow).outcome
    else {
        panic!("{lines}")
    };
    assert_eq!(arguments[1], "0", "{lines}");
    // Its result stands for any ℕ: the sum is not refuted.
    let sum = verdict(&workspace, &report, "after", "helper a + (b - 1)", Kind::Overflow);
    assert!(matches!(&sum.outcome, Outcome::Unknown { reason } if reason.contains("helper")), "{lines}");
    // `range` stops before its counter could pass the largest ℕ: proved
    // safe too, so no obligation at the call.
    assert!(!report.verdicts.iter().any(|v| v.function == "upto"), "{lines}");
}

#[test]
fn totals_in_lists_are_kept_and_coins_lost_or_made_in_a_list_are_refuted() {
    let (workspace, file, report) = verify(&root().join("tests/programs/coin_lists.min"));
    let lines = report.lines(&workspace);
    let conservation = |function: &str| {
        report.verdicts.iter().find(|v| v.function == function && v.kind == Kind::Conservation).map(|v| &v.outcome)
    };
    for kept in ["sum_all", "move_all", "merge_two", "join_all", "gather"] {
        assert_eq!(conservation(kept), Some(&Outcome::Proved), "{kept}: {lines}");
    }
    for leaky in ["lossy_move", "leaky_move"] {
        let Some(Outcome::Refuted { arguments }) = conservation(leaky) else { panic!("{leaky}: {lines}") };
        // The lists are written as Min literals.
        assert!(arguments.iter().all(|argument| argument.starts_with('[')), "{leaky}: {arguments:?}");
    }
    let Some(Outcome::Refuted { arguments }) = conservation("lossy_move") else { unreachable!() };
    assert!(arguments[0].starts_with("[{value = ") && !arguments[0].contains(", "), "one coin, lost: {arguments:?}");
    let overflow = verdict(&workspace, &report, "sum_all", "v + w", Kind::Overflow);
    assert_eq!(overflow.outcome, Outcome::Proved, "{lines}");
    assert_eq!(replay_counterexamples(&workspace, file, &report), 2);
    // The example's purse paid out into a list keeps its total.
    let (workspace, _, report) = verify(&root().join("../examples/coins.min"));
    let pay_each = report.verdicts.iter().find(|v| v.function == "pay_each" && v.kind == Kind::Conservation);
    assert_eq!(pay_each.map(|v| &v.outcome), Some(&Outcome::Proved), "{}", report.lines(&workspace));
}

#[test]
fn invariants_under_variants_hold_of_the_values_their_variant_makes() {
    let (workspace, file, report) = verify(&root().join("tests/programs/variant_invariants.min"));
    let lines = report.lines(&workspace);
    let ensures = |function: &str, text: &str| verdict(&workspace, &report, function, text, Kind::Ensures);
    assert!(matches!(ensures("halve", "invariant radius > 0").outcome, Outcome::Refuted { .. }), "{lines}");
    assert_eq!(ensures("halve", "invariant width ≤ height").outcome, Outcome::Proved, "{lines}");
    for invariant in ["invariant radius > 0", "invariant width ≤ height"] {
        assert_eq!(ensures("grow", invariant).outcome, Outcome::Proved, "{lines}");
    }
    let room = verdict(&workspace, &report, "room", "h - w", Kind::Underflow);
    assert_eq!(room.outcome, Outcome::Proved, "the invariant of `Rect` is assumed: {lines}");
    assert_eq!(report.counts().refuted, 1, "{lines}");
    assert_eq!(replay_counterexamples(&workspace, file, &report), 1);
}

#[test]
fn a_contract_verifies_with_the_contract_it_calls() {
    let mut workspace = Workspace::new();
    let shop = minc::load::load(&mut workspace, &root().join("../examples/calls/Shop.min")).expect("the example loads");
    let gold = workspace.module_file("Gold").expect("the called contract is loaded beside it");
    let report = min_verify::verify(&workspace, &[gold, shop], &Options::default()).expect("no errors");
    let lines = report.lines(&workspace);
    assert_eq!(report.exit_code(), 0, "{lines}");
    // The sale's count is proved not to overflow, given that `Gold.pay`,
    // verified with it, aborts only where it declares.
    let counted = verdict(&workspace, &report, "buy", "s.sold + 1", Kind::Overflow);
    assert_eq!(counted.outcome, Outcome::Proved, "{lines}");
}

#[test]
fn recursion_ends_by_a_measure_the_verifier_finds_or_is_unknown_with_the_reason() {
    let (workspace, _, report) = verify(&root().join("tests/programs/termination.min"));
    let lines = report.lines(&workspace);
    let termination = |function: &str| {
        let mut found = report.verdicts.iter().filter(|v| v.function == function && v.kind == Kind::Termination);
        let verdict = found.next().unwrap_or_else(|| panic!("no termination verdict for `{function}`: {lines}"));
        assert!(found.next().is_none(), "one termination verdict for `{function}`");
        verdict
    };
    let measured = [
        ("countdown", "`n`"),
        ("largest_of", "the length of `xs`"),
        ("largest", "`tree`"),
        ("count_up", "`limit - i`"),
        ("interleave", "`length xs + length ys`"),
        ("drain", "`c.count`"),
        ("even", "`n`"),
        ("odd", "`n`"),
    ];
    for (function, measure) in measured {
        let verdict = termination(function);
        assert_eq!(verdict.outcome, Outcome::Proved, "`{function}`: {verdict:?}");
        assert_eq!(verdict.operation, format!("recursion on {measure}"));
    }
    let unknown = [
        ("forever", "gets smaller at every recursive call; a `decreases` clause gives one"),
        ("by_steps", "no measure found"),
        ("sizes", "`sizes` uses `nodes` inside a local function or as a function value"),
        ("nodes", "`sizes` uses `nodes` inside a local function or as a function value"),
        ("ping", "`ping` of this recursion group has a `decreases` clause and `pong` has none"),
        ("pong", "`ping` of this recursion group has a `decreases` clause and `pong` has none"),
    ];
    for (function, expected) in unknown {
        match &termination(function).outcome {
            Outcome::Unknown { reason } => assert!(reason.contains(expected), "`{function}`: {reason}"),
            other => panic!("`{function}` is unknown, not {other:?}"),
        }
    }
    // Functions that do not recurse owe nothing.
    for function in ["higher", "first"] {
        assert!(!report.verdicts.iter().any(|v| v.function == function && v.kind == Kind::Termination));
    }
    // Local functions: one verdict for each function of a recursive group,
    // marked local, named in the operation.
    let local = |function: &str| -> Vec<&Verdict> {
        report.verdicts.iter().filter(|v| v.function == function && v.kind == Kind::Termination).collect()
    };
    let proved_locally = [
        ("largest_in", vec!["recursion of the local function `go` on the length of `ys`"]),
        (
            "parity",
            vec![
                "recursion of the local function `even_here` on `m`",
                "recursion of the local function `odd_here` on `m`",
            ],
        ),
    ];
    for (function, operations) in proved_locally {
        let verdicts = local(function);
        let found: Vec<&str> = verdicts.iter().map(|v| v.operation.as_str()).collect();
        assert_eq!(found, operations, "{lines}");
        assert!(verdicts.iter().all(|v| v.local && v.outcome == Outcome::Proved), "{lines}");
    }
    for (function, expected) in [
        ("spin", "a local function takes no `decreases` clause"),
        ("nested", "`go` uses `go` inside a local function or as a function value"),
    ] {
        let verdicts = local(function);
        assert_eq!(verdicts.len(), 1, "{lines}");
        match &verdicts[0].outcome {
            Outcome::Unknown { reason } => assert!(reason.contains(expected), "`{function}`: {reason}"),
            other => panic!("`{function}` is unknown, not {other:?}"),
        }
    }
    // Nothing is refuted, and what is unknown makes the run's exit code 2.
    assert_eq!(report.counts().refuted, 0, "{lines}");
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn the_vote_counts_each_vote_once_and_loses_none_when_tallies_combine() {
    let (workspace, _, report) = verify(&root().join("../examples/vote.min"));
    let lines = report.lines(&workspace);
    assert_eq!(report.exit_code(), 0, "{lines}");
    for function in ["cast", "count", "combine", "add"] {
        let ensures = report.verdicts.iter().filter(|v| v.function == function && v.kind == Kind::Ensures).count();
        assert_eq!(ensures, 1, "`{function}` has its postcondition proved: {lines}");
    }
}

#[test]
fn every_contract_of_the_examples_verifies_with_nothing_refuted_or_unknown() {
    // A contract is a file that declares procedures; the contracts that call
    // each other (`examples/calls/`) are verified together.
    let contract = |path: &Path| {
        path.extension().is_some_and(|ext| ext == "min")
            && std::fs::read_to_string(path).is_ok_and(|text| text.lines().any(|line| line.starts_with("procedure ")))
    };
    let files_in = |folder: PathBuf| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .expect("the folder lists")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| contract(path))
            .collect();
        files.sort();
        files
    };
    let mut runs: Vec<Vec<PathBuf>> = files_in(root().join("../examples")).into_iter().map(|file| vec![file]).collect();
    runs.push(files_in(root().join("../examples/calls")));
    assert!(runs.len() >= 8, "{runs:?}");
    for files in runs {
        let mut workspace = Workspace::new();
        let loaded: Vec<SourceFile> =
            files.iter().map(|path| minc::load::load(&mut workspace, path).expect("the contract loads")).collect();
        let report = min_verify::verify(&workspace, &loaded, &Options::default()).expect("the contract has no errors");
        assert_eq!(report.exit_code(), 0, "{files:?}:\n{}", report.lines(&workspace));
    }
}
