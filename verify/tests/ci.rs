//! What `minc verify` offers CI: the cache (a second run solves nothing, an
//! edit re-solves only what it changed, a corrupted cache is ignored),
//! parallel solving with the same report as one thread, and SARIF output
//! with the fields code-scanning services require.

use min_analysis::Workspace;
use min_verify::{Options, Outcome, Report};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("min-verify-ci-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Verifies the file at `path` with `options`.
fn verify(path: &Path, options: &Options) -> (Workspace, Report) {
    let mut workspace = Workspace::new();
    let file = minc::load::load(&mut workspace, path).expect("the program loads");
    let report = min_verify::verify(&workspace, &[file], options).expect("the program has no errors");
    (workspace, report)
}

/// Whether the verdict needed the solver (proved or refuted).
fn asked(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Proved | Outcome::Refuted { .. })
}

/// Two independent functions; `bound` is the guard of the second.
fn program(bound: &str) -> String {
    format!(
        "checked_sub : ℕ → ℕ → ℕ\n\
         checked_sub a b = if b ≤ a then a - b else 0\n\
         \n\
         bump : ℕ → ℕ\n\
         bump n = if n < {bound} then n + 1 else n\n\
         \n\
         halve : ℤ → ℤ → ℤ\n\
         halve x y = if y == 0 then 0 else x / y\n"
    )
}

#[test]
fn a_second_run_answers_every_query_from_the_cache() {
    let dir = scratch("second");
    let file = dir.join("pay.min");
    std::fs::write(&file, program("1000")).unwrap();
    let options = Options { cache_dir: Some(dir.join("cache")), jobs: 2, ..Options::default() };
    let (workspace, first) = verify(&file, &options);
    assert!(first.solver.queries > 0);
    assert_eq!(first.solver.cached, 0, "the cache starts empty");
    assert!(first.verdicts.iter().all(|v| !v.cached));
    let (_, second) = verify(&file, &options);
    assert_eq!(second.solver.solved, 0, "nothing is solved again: {:?}", second.solver);
    assert_eq!(second.solver.cached + second.solver.repeated, second.solver.queries);
    assert!(second.verdicts.iter().filter(|v| asked(&v.outcome)).all(|v| v.cached));
    assert_eq!(first.lines(&workspace), second.lines(&workspace), "the same outcomes");
    let json: serde_json::Value = serde_json::from_str(&second.to_json(&workspace)).unwrap();
    assert_eq!(json["solver"]["solved"], 0);
    assert!(json["verdicts"].as_array().unwrap().iter().any(|v| v["cached"] == true));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refutations_come_back_from_the_cache_with_their_counterexample() {
    let dir = scratch("refuted");
    let options = Options { cache_dir: Some(dir.join("cache")), ..Options::default() };
    let bank = root().join("tests/programs/buggy_bank.min");
    let (workspace, first) = verify(&bank, &options);
    let (_, second) = verify(&bank, &options);
    assert_eq!(second.solver.solved, 0);
    let refuted = |report: &Report| -> Vec<Vec<String>> {
        report
            .verdicts
            .iter()
            .filter_map(|v| match &v.outcome {
                Outcome::Refuted { arguments } => Some(arguments.clone()),
                _ => None,
            })
            .collect()
    };
    assert!(!refuted(&first).is_empty(), "{}", first.lines(&workspace));
    assert_eq!(refuted(&first), refuted(&second));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_edit_re_solves_only_the_edited_function() {
    let dir = scratch("edit");
    let file = dir.join("pay.min");
    std::fs::write(&file, program("1000")).unwrap();
    let options = Options { cache_dir: Some(dir.join("cache")), ..Options::default() };
    let _ = verify(&file, &options);
    // A new definition before the others shifts every fresh name in the run.
    let edited = format!("first : ℕ → ℕ\nfirst n = n * 2\n\n{}", program("2000"));
    std::fs::write(&file, edited).unwrap();
    let (workspace, report) = verify(&file, &options);
    for verdict in report.verdicts.iter().filter(|v| asked(&v.outcome)) {
        let edited = matches!(verdict.function.as_str(), "first" | "bump");
        assert_eq!(verdict.cached, !edited, "{}: {}", verdict.function, report.lines(&workspace));
    }
    assert!(report.solver.solved > 0 && report.solver.cached > 0, "{:?}", report.solver);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupted_cache_is_ignored_and_solved_again() {
    let dir = scratch("corrupt");
    let file = dir.join("pay.min");
    std::fs::write(&file, program("1000")).unwrap();
    let cache = dir.join("cache");
    let options = Options { cache_dir: Some(cache.clone()), ..Options::default() };
    let (workspace, first) = verify(&file, &options);
    let entries: Vec<PathBuf> = std::fs::read_dir(&cache).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert!(!entries.is_empty());
    for (index, entry) in entries.iter().enumerate() {
        let garbage: &[u8] = match index % 3 {
            0 => b"{\"key\": \"not this one\", \"answer\": {\"result\": \"unsat\"}}",
            1 => b"{ truncated",
            _ => &[0xff, 0x00, 0xfe],
        };
        std::fs::write(entry, garbage).unwrap();
    }
    let (_, again) = verify(&file, &options);
    assert_eq!(again.solver.cached, 0, "no corrupted entry is trusted");
    assert_eq!(first.lines(&workspace), again.lines(&workspace));
    let (_, third) = verify(&file, &options);
    assert_eq!(third.solver.solved, 0, "the entries were written anew");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parallel_solving_gives_the_report_of_one_thread() {
    let files = ["../examples/bank.min", "tests/programs/buggy_bank.min", "tests/programs/arithmetic.min"];
    for path in files {
        let path = root().join(path);
        let (workspace, one) = verify(&path, &Options { jobs: 1, ..Options::default() });
        let (_, four) = verify(&path, &Options { jobs: 4, ..Options::default() });
        assert_eq!(one.lines(&workspace), four.lines(&workspace), "{}", path.display());
        assert_eq!(one.solver.cached + four.solver.cached, 0, "no cache was asked for");
    }
}

#[test]
fn sarif_output_has_the_fields_code_scanning_requires() {
    let bank = root().join("tests/programs/buggy_bank.min");
    let (workspace, report) = verify(&bank, &Options::default());
    let base = root();
    let sarif: serde_json::Value = serde_json::from_str(&report.to_sarif(&workspace, &base)).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "minc verify");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|rule| {
            assert!(rule["shortDescription"]["text"].is_string() && rule["fullDescription"]["text"].is_string());
            rule["id"].as_str().expect("a rule id")
        })
        .collect();
    for id in ["E0701", "E0702", "declared-abort", "vacuous"] {
        assert!(rules.contains(&id), "{rules:?}");
    }
    let results = run["results"].as_array().expect("results");
    let counts = report.counts();
    assert_eq!(results.len(), counts.refuted + counts.unknown + counts.declared + report.vacuous.len());
    for result in results {
        let rule = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index], rule);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().expect("message.text").is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "tests/programs/buggy_bank.min", "relative to the base");
        let region = &location["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().is_some_and(|n| n >= 1), "{field}: {region}");
        }
        assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
    }
    let refuted = results.iter().find(|r| r["ruleId"] == "E0701").expect("the buggy bank has a refuted obligation");
    assert_eq!(refuted["level"], "error");
    let message = refuted["message"]["text"].as_str().unwrap();
    assert!(message.contains("Counterexample: `") && message.contains("balance = "), "{message}");
    // The region spans the operation's source text.
    let verdict = report.verdicts.iter().find(|v| matches!(v.outcome, Outcome::Refuted { .. })).unwrap();
    let text = &workspace.file_text(verdict.span.file)[verdict.span.range()];
    let region = &refuted["locations"][0]["physicalLocation"]["region"];
    if region["startLine"] == region["endLine"] {
        let width = region["endColumn"].as_u64().unwrap() - region["startColumn"].as_u64().unwrap();
        assert_eq!(width as usize, text.chars().count());
    }
    assert!(results.iter().any(|r| r["ruleId"] == "declared-abort" && r["level"] == "note"));
}

#[test]
fn an_edited_clause_is_solved_again() {
    let dir = scratch("clause");
    let file = dir.join("grow.min");
    let program = |bound: &str| {
        format!(
            "grow : ℕ → ℕ\n  requires n ≤ {bound}\n  ensures result ≥ n\ngrow n = n * 1000\n\ncaller : ℕ\ncaller = grow 7\n"
        )
    };
    let options = Options { cache_dir: Some(dir.join("cache")), ..Options::default() };
    std::fs::write(&file, program("1000")).unwrap();
    let (workspace, first) = verify(&file, &options);
    assert_eq!(first.counts().proved, first.verdicts.len(), "{}", first.lines(&workspace));
    let (_, again) = verify(&file, &options);
    assert_eq!(again.solver.solved, 0, "an unchanged clause is answered from the cache");
    // A weaker precondition lets the product overflow: the cached proof must not answer it.
    std::fs::write(&file, program("340282366920938463463374607431768211455")).unwrap();
    let (workspace, edited) = verify(&file, &options);
    let lines = edited.lines(&workspace);
    assert!(edited.solver.solved > 0, "{lines}");
    let product =
        edited.verdicts.iter().find(|v| v.function == "grow" && v.operation.contains('*')).expect("the product");
    assert!(matches!(product.outcome, Outcome::Refuted { .. }), "{lines}");
    let _ = std::fs::remove_dir_all(&dir);
}
