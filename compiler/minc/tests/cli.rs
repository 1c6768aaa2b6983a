//! The `minc` binary as a user runs it: exit codes, output, help, and
//! modules found beside the file.

use std::path::PathBuf;
use std::process::{Command, Output};

fn minc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minc")).args(args).output().expect("minc runs")
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn run_prints_the_result_and_exits_zero() {
    let file = examples().join("black_scholes.min");
    let output = minc(&["run", file.to_str().unwrap(), "black_scholes", "42", "40", "0.5", "0.1", "0.2"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "4.759422392871532\n");
}

#[test]
fn a_program_with_errors_exits_one_with_coded_diagnostics() {
    let dir = tempdir("errors");
    let file = dir.join("broken.min");
    std::fs::write(&file, "x = 1 + \"a\"\ny = undefined\n").unwrap();
    let output = minc(&["check", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("E0204") && stderr.contains("E0101"), "{stderr}");
    assert!(stderr.contains("2 errors found"), "{stderr}");
}

#[test]
fn command_line_mistakes_exit_one_with_their_codes() {
    let file = examples().join("rewrite.min");
    let file = file.to_str().unwrap();
    for (args, code) in [
        (vec!["run", file, "rewrit", "Nil"], "E0402"),
        (vec!["run", file, "rewrite"], "E0403"),
        (vec!["run", file, "rewrite", "42"], "E0401"),
    ] {
        let output = minc(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(text(&output.stderr).contains(code), "{args:?}: {}", text(&output.stderr));
    }
    let missing = minc(&["check", "/nonexistent/nothing.min"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("cannot read"));
}

#[test]
fn a_runtime_error_exits_one_and_points_at_the_source() {
    let dir = tempdir("runtime");
    let file = dir.join("under.min");
    std::fs::write(&file, "f : ℕ → ℕ\nf n = n - 10\n").unwrap();
    let output = minc(&["run", file.to_str().unwrap(), "f", "3"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("E0410") && stderr.contains("under.min:2:7"), "{stderr}");
}

#[test]
fn explain_prints_the_long_form_and_rejects_unknown_codes() {
    let output = minc(&["explain", "e0201"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).starts_with("# E0201: type mismatch"));
    let unknown = minc(&["explain", "E9999"]);
    assert_eq!(unknown.status.code(), Some(1));
}

#[test]
fn imported_modules_are_found_beside_the_file() {
    let dir = tempdir("modules");
    std::fs::write(dir.join("Geometry.min"), "area : ℝ → ℝ\narea r = 3.0 r²\n").unwrap();
    std::fs::write(dir.join("app.min"), "import Geometry\nmain = Geometry.area 2.0\n").unwrap();
    let output = minc(&["run", dir.join("app.min").to_str().unwrap(), "main"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "12.0\n");
}

#[test]
fn help_lists_the_commands() {
    let output = minc(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for command in ["check", "run", "explain"] {
        assert!(help.contains(command), "{help}");
    }
}

/// A fresh folder under the target directory for one test.
fn tempdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_can_print_json_for_tools() {
    let dir = tempdir("json");
    let file = dir.join("broken.min");
    std::fs::write(&file, "x = 1 + \"a\"\n").unwrap();
    let output = minc(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.trim_start().starts_with('['), "{stdout}");
    assert!(stdout.contains("\"code\": \"E0204\"") && stdout.contains("\"line\": 1"), "{stdout}");
}

#[test]
fn negative_arguments_are_values_and_usage_errors_exit_one() {
    let dir = tempdir("negative");
    let file = dir.join("neg.min");
    std::fs::write(&file, "neg : ℤ → ℤ\nneg x = -x\n").unwrap();
    let output = minc(&["run", file.to_str().unwrap(), "neg", "-7"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "7\n");
    assert_eq!(minc(&["frobnicate"]).status.code(), Some(1));
    assert_eq!(minc(&["--version"]).status.code(), Some(0));
}

#[test]
fn verify_exits_by_outcome_and_prints_json_for_ci() {
    let dir = tempdir("verify");
    let safe = dir.join("safe.min");
    std::fs::write(&safe, "pay : ℕ → ℕ → ℕ\npay balance amount = if amount ≤ balance then balance - amount else 0\n")
        .unwrap();
    let output = minc(&["verify", "--no-cache", safe.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}{}", text(&output.stdout), text(&output.stderr));
    assert!(text(&output.stdout).contains("1 proved, 0 refuted, 0 unknown"), "{}", text(&output.stdout));

    let bank = examples().join("bank.min");
    let output = minc(&["verify", "--no-cache", bank.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("deposit: proved: `ensures result.balance == a.balance + amount` holds of every result"),
        "{stdout}"
    );

    let buggy = examples().join("../verify/tests/programs/buggy_bank.min");
    let output = minc(&["verify", "--no-cache", buggy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("E0701") && stderr.contains("counterexample: withdraw {holder = "), "{stderr}");

    let output = minc(&["verify", "--no-cache", "--format", "json", "--timeout-ms", "5000", buggy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("verify prints JSON");
    assert_eq!(json["exit_code"], 1);
    assert_eq!(json["counts"]["declared"], 2);
    let verdicts = json["verdicts"].as_array().expect("a list of verdicts");
    let refuted = verdicts
        .iter()
        .find(|v| v["function"] == "withdraw" && v["outcome"] == "refuted")
        .expect("withdraw's subtraction is refuted");
    assert_eq!(refuted["source"], "a.balance - amount");
    assert_eq!(refuted["arguments"].as_array().map(Vec::len), Some(2));
    assert!(
        refuted["line"].as_u64().is_some() && refuted["file"].as_str().is_some_and(|f| f.ends_with("buggy_bank.min"))
    );

    let broken = dir.join("broken.min");
    std::fs::write(&broken, "x = 1 + \"a\"\n").unwrap();
    assert_eq!(minc(&["verify", broken.to_str().unwrap()]).status.code(), Some(2));
    let output = minc(&["verify", "--format", "json", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("errors print as JSON too");
    assert_eq!(json["errors"][0]["code"], "E0204", "{json}");
}
