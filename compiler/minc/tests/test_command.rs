//! `minc test` as a user runs it: the bank's tests pass, failures exit 1
//! with the failing inputs and the compiler's rendering, `--filter` picks
//! tests, a seed reproduces its inputs, and the gas report shows what the
//! contract runtime charges for the same calls.

use min_analysis::Workspace;
use min_runtime::{Contract, Engine, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

fn minc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minc")).args(args).output().expect("minc runs")
}

fn bank() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/bank.min").display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder under the target directory for one test.
fn tempdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("test-command-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}: {}", text(&output.stdout)))
}

const FAILING: &str = "\
double : ℕ → ℕ
double n = 2 * n

test \"double of two\" = double 2 == 4
test \"double is identity\" = double 3 == 3
test \"small doubles\" (n : ℕ) = double n < 50
test \"aborts\" aborts \"yes\" = Prim.abort \"no\"
";

#[test]
fn the_bank_tests_pass() {
    let output = minc(&["test", &bank()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("running 5 tests"), "{stdout}");
    assert!(stdout.contains("an overdraft aborts ... ok"), "{stdout}");
    assert!(stdout.contains("a transfer keeps the total (256 cases) ... ok"), "{stdout}");
    assert!(stdout.contains("test result: ok. 5 passed; 0 failed; 0 filtered out"), "{stdout}");
}

#[test]
fn failures_exit_one_with_the_message_span_and_inputs() {
    let dir = tempdir("failing");
    let file = dir.join("double.min");
    std::fs::write(&file, FAILING).unwrap();
    let output = minc(&["test", file.to_str().unwrap(), "--seed", "7"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("double of two ... ok"), "{stdout}");
    assert!(stdout.contains("double is identity ... FAILED"), "{stdout}");
    assert!(stdout.contains("[E0415] Error: test \"double is identity\" failed: it evaluated to false"), "{stdout}");
    assert!(stdout.contains("double.min:5:"), "the failure points at the test: {stdout}");
    assert!(stdout.contains("failing inputs (case "), "{stdout}");
    assert!(stdout.contains("--seed 7"), "{stdout}");
    assert!(stdout.contains("it aborted with another message than \"yes\""), "{stdout}");
    assert!(stdout.contains("test result: FAILED. 1 passed; 3 failed"), "{stdout}");
}

#[test]
fn filter_runs_only_the_matching_tests() {
    let output = minc(&["test", &bank(), "--filter", "overdraft"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("running 1 test\n"), "{stdout}");
    assert!(stdout.contains("1 passed; 0 failed; 4 filtered out"), "{stdout}");
}

#[test]
fn a_seed_reproduces_the_failing_inputs() {
    let dir = tempdir("seed");
    let file = dir.join("double.min");
    std::fs::write(&file, FAILING).unwrap();
    let file = file.to_str().unwrap();
    let failing = |seed: &str| {
        let output = minc(&["test", file, "--filter", "small", "--seed", seed, "--format", "json"]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
        let report = json(&output);
        let test = &report["tests"][0];
        assert_eq!(test["status"], "failed");
        (test["failure"]["case"].clone(), test["failure"]["inputs"].clone())
    };
    let first = failing("42");
    assert_eq!(first, failing("42"), "the same seed runs the same inputs");
    let value: u128 = first.1[0]["value"].as_str().unwrap().parse().unwrap();
    assert!(2 * value >= 50, "the reported input fails the property: {value}");
    // Other tests do not change a test's inputs.
    let output = minc(&["test", file, "--seed", "42", "--format", "json"]);
    let report = json(&output);
    let small = report["tests"].as_array().unwrap().iter().find(|t| t["name"] == "small doubles").unwrap();
    assert_eq!((small["failure"]["case"].clone(), small["failure"]["inputs"].clone()), first);
}

#[test]
fn a_test_with_errors_stops_the_run() {
    let dir = tempdir("errors");
    let file = dir.join("broken.min");
    std::fs::write(&file, "test \"not a truth\" = 1 + 1\ntest \"a function\" (f : ℕ → ℕ) = f 1 == 1\n").unwrap();
    let output = minc(&["test", file.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("E0201") && stderr.contains("E0209"), "{stderr}");
    assert!(text(&output.stdout).is_empty());
}

#[test]
fn build_leaves_the_tests_out() {
    let with_tests = std::fs::read_to_string(bank()).unwrap();
    let without: String = with_tests.split("\n# Tests,").next().unwrap().to_string();
    assert!(without.len() < with_tests.len());
    let build = |text: &str| {
        let mut workspace = Workspace::new();
        let file = workspace.add_file("bank.min", text.to_string());
        assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
        let artifact = minc::artifact::build(&workspace, file).expect("the bank builds");
        (artifact.wasm, artifact.metadata)
    };
    assert!(build(&with_tests) == build(&without), "the tests change nothing in the contract");
}

#[test]
fn the_gas_report_shows_what_the_runtime_charges() {
    let output = minc(&["test", &bank(), "--filter", "closing", "--gas-report", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = json(&output);
    let rows = report["gas"].as_array().expect("a gas report");
    let row =
        |name: &str| rows.iter().find(|row| row["procedure"] == name).unwrap_or_else(|| panic!("{name}: {rows:?}"));

    // The same calls, made on the built contract directly.
    let mut workspace = Workspace::new();
    let file = workspace.add_file("bank.min", std::fs::read_to_string(bank()).unwrap());
    let artifact = minc::artifact::build(&workspace, file).expect("the bank builds");
    let contract = Contract::load(&artifact.wasm, artifact.metadata.as_bytes()).expect("the bank loads");
    let engine = Engine::new().expect("an engine");
    let limit = min_contract_host::CALL_GAS_LIMIT;
    let opened = contract.call(&engine, "open", &[], &[Value::string("ada")], limit).expect("open");
    let deposited =
        contract.call(&engine, "deposit", &[opened.outputs[0].clone()], &[Value::Nat(7)], limit).expect("deposit");
    let closed = contract.call(&engine, "close", &[deposited.outputs[0].clone()], &[], limit).expect("close");
    for (name, outcome) in [("bank.open", &opened), ("bank.deposit", &deposited), ("bank.close", &closed)] {
        let row = row(name);
        assert_eq!(row["calls"], 1, "{row}");
        assert_eq!(row["min"], outcome.gas_used, "{name}");
        assert_eq!(row["max"], outcome.gas_used, "{name}");
        assert_eq!(row["avg"], outcome.gas_used, "{name}");
    }
    assert!(rows.iter().all(|row| row["procedure"] != "bank.transfer"), "{rows:?}");
}

#[test]
fn the_gas_report_counts_every_case_and_the_aborted_calls() {
    let output = minc(&["test", &bank(), "--gas-report", "--cases", "20"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("gas report"), "{stdout}");
    let transfer = stdout.lines().find(|line| line.trim_start().starts_with("bank.transfer")).expect(&stdout);
    let cells: Vec<&str> = transfer.split_whitespace().collect();
    // 20 cases of the property test; the overdraft's call aborts; the
    // static bound is above the most any call used.
    assert_eq!((cells[1], cells[6]), ("20", "1"), "{transfer}");
    let (max, bound): (u64, u64) = (cells[4].parse().expect("max"), cells[5].parse().expect("bound"));
    assert!(max <= bound, "{transfer}");
}

const SPECIFIED: &str = "\
withdraw : ℕ → ℕ → ℕ
  requires amount ≤ balance
withdraw balance amount = balance - amount

double : ℕ → ℕ
  ensures result == n + n
double n = n + n + 1

count : ℕ → ℕ
  decreases n
count n = if n == 0 then 0 else count n

is_even : ℕ → Bool
  decreases n
is_even n = if n == 0 then true else is_odd (n - 1)

is_odd : ℕ → Bool
  decreases n
is_odd n = if n == 0 then false else is_even (n - 1)

ping : ℕ → ℕ
  decreases n
ping n = if n == 0 then 0 else pong n

pong : ℕ → ℕ
  decreases n
pong n = ping (n - 1)

test \"withdraw within the balance\" = withdraw 5 2 == 3
test \"parity\" = is_even 10 ∧ is_odd 7
test \"ping pong\" = ping 3 == 0
test \"overdraw\" = withdraw 5 7 == 0
test \"doubles\" = double 2 == 4
test \"counts\" = count 3 == 0
";

#[test]
fn specification_clauses_are_checked_when_tests_call_the_function() {
    let dir = tempdir("specified");
    let file = dir.join("specified.min");
    std::fs::write(&file, SPECIFIED).unwrap();
    let output = minc(&["test", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("withdraw within the balance ... ok"), "{stdout}");
    assert!(
        stdout.contains(
            "`withdraw` was called on arguments that break its `requires amount ≤ balance`: the caller's fault"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("E0416"), "{stdout}");
    assert!(
        stdout.contains("`double` returned a result that breaks its `ensures result == n + n`: the function's fault"),
        "{stdout}"
    );
    assert!(stdout.contains("E0417"), "{stdout}");
    assert!(stdout.contains("`count` called itself with `decreases n` at 3, not below 3"), "{stdout}");
    assert!(stdout.contains("E0418"), "{stdout}");
    // Mutual recursion: the measure is compared with the call of the other
    // function it runs inside.
    assert!(stdout.contains("parity ... ok"), "{stdout}");
    assert!(
        stdout
            .contains("`pong` was called back with `decreases n` at 3, not below the measure 3 of the call of `ping`"),
        "{stdout}"
    );
    assert!(stdout.contains("test result: FAILED. 2 passed; 4 failed"), "{stdout}");
}

#[test]
fn build_leaves_the_specification_clauses_out() {
    let with_specs = std::fs::read_to_string(bank()).unwrap();
    // The clauses' lines become blank lines of the same length, so that
    // every other span stays where it was.
    let without: String = with_specs
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let clause =
                line.starts_with("  ") && ["requires ", "ensures ", "(f, t) → "].iter().any(|w| trimmed.starts_with(w));
            if clause { format!("{}\n", " ".repeat(line.len())) } else { format!("{line}\n") }
        })
        .collect();
    assert_eq!(without.len(), with_specs.len());
    assert!(!without.contains("  ensures"), "{without}");
    let build = |text: &str| {
        let mut workspace = Workspace::new();
        let file = workspace.add_file("bank.min", text.to_string());
        assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
        let artifact = minc::artifact::build(&workspace, file).expect("the bank builds");
        (artifact.wasm, artifact.metadata)
    };
    assert!(build(&with_specs) == build(&without), "the clauses change nothing in the contract");
}

const COINS: &str = "\
asset Coin = Record value:ℕ

leaky_merge : Coin → Coin → Coin
leaky_merge {value = a} {value = b} = {value = a + b + 1}

gather : [Coin] → Coin
gather coins = match coins
  [] → {value = 0}
  {value = v} :: rest → match gather rest
    {value = w} → {value = v + w}

mint : ℕ → Coin
mint n = {value = n}

burn : Coin → ℕ
burn {value = v} = v

test \"a leaky merge\" = burn (leaky_merge (mint 1) (mint 2)) == 4
test \"gathers a list\" = burn (gather [mint 1, mint 2, mint 3]) == 6
test \"mints and burns\" = burn (mint 5) == 5
";

#[test]
fn a_call_that_changes_an_asset_total_fails_at_the_call() {
    let dir = tempdir("coins");
    let file = dir.join("coins.min");
    std::fs::write(&file, COINS).unwrap();
    let output = minc(&["test", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("`leaky_merge` must keep the total of `Coin`: its arguments hold 3 and its result 4"),
        "{stdout}"
    );
    assert!(stdout.contains("E0419"), "{stdout}");
    assert!(stdout.contains("gathers a list ... ok"), "{stdout}");
    assert!(stdout.contains("mints and burns ... ok"), "{stdout}");
    assert!(stdout.contains("test result: FAILED. 2 passed; 1 failed"), "{stdout}");
}

#[test]
fn the_explanation_of_an_asset_total_not_kept_produces_it() {
    let explanation = min_diagnostics::codes::E0419.info().explanation;
    let (example, fixed) = explanation.split_once("## How to fix it").expect("a fix section");
    let block = example.split("```min\n").nth(1).and_then(|b| b.split("```").next()).expect("a min block");
    let dir = tempdir("e0419");
    let file = dir.join("e0419.min");
    std::fs::write(&file, block).unwrap();
    let output = minc(&["test", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("E0419"), "{stdout}");
    assert!(fixed.contains("{value = a + b}"), "the fix names the kept total");
    std::fs::write(&file, block.replace("a + b + 1", "a + b")).unwrap();
    let output = minc(&["test", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

const SHAPES: &str = "\
Shape = Tag
  Circle radius:ℕ
    invariant radius > 0
  Dot

halve : Shape → Shape
halve s = match s
  Circle r → Circle (r / 2)
  Dot → Dot

test \"halves a big circle\" = match halve (Circle 4)
  Circle r → r == 2
  Dot → false
test \"halves a small circle\" = match halve (Circle 1)
  Circle r → r == 0
  Dot → false
test \"keeps a dot\" = match halve Dot
  Dot → true
  _ → false
";

#[test]
fn an_invariant_under_a_variant_is_checked_of_the_values_it_makes() {
    let dir = tempdir("shapes");
    let file = dir.join("shapes.min");
    std::fs::write(&file, SHAPES).unwrap();
    let output = minc(&["test", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("`halve` returned a result that breaks its `invariant radius > 0`: the function's fault"),
        "{stdout}"
    );
    assert!(stdout.contains("halves a big circle ... ok"), "{stdout}");
    assert!(stdout.contains("keeps a dot ... ok"), "{stdout}");
    assert!(stdout.contains("test result: FAILED. 2 passed; 1 failed"), "{stdout}");
}
