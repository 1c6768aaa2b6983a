//! `minc verify` in CI: SARIF on standard output, the cache directory and
//! `--no-cache`, `--jobs`, and no progress line when standard error is not
//! a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn minc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minc")).current_dir(dir).args(args).output().expect("minc runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("minc-verify-ci-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON on standard output")
}

#[test]
fn verify_prints_sarif_and_caches_in_the_working_directory() {
    let dir = scratch("sarif");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bank.min"), dir.join("bank.min")).unwrap();
    let output = minc(&dir, &["verify", "--format", "sarif", "bank.min"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty() || !String::from_utf8_lossy(&output.stderr).contains("verifying"));
    let sarif = json(&output);
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "bank.min");
    assert!(dir.join(".min-cache/verify").is_dir(), "the default cache is in the working directory");

    let output = minc(&dir, &["verify", "--format", "json", "--jobs", "1", "bank.min"]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["solver"]["solved"], 0, "{}", report["solver"]);
    let solver = &report["solver"];
    assert_eq!(solver["cached"].as_u64().unwrap() + solver["repeated"].as_u64().unwrap(), solver["queries"]);

    let output = minc(&dir, &["verify", "--format", "json", "--no-cache", "bank.min"]);
    let report = json(&output);
    assert_eq!(report["solver"]["cached"], 0);

    let other = dir.join("elsewhere");
    let output = minc(&dir, &["verify", "--format", "json", "--cache-dir", other.to_str().unwrap(), "bank.min"]);
    assert_eq!(json(&output)["solver"]["cached"], 0);
    assert!(other.is_dir());
    let _ = std::fs::remove_dir_all(&dir);
}
