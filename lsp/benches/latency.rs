//! The real `min-lsp` over stdio on a generated 5,000-line file: latency
//! from a one-character edit to the published diagnostics (a character
//! replaced, which moves nothing; one added halfway down and taken away
//! again, which moves what follows; and typing there, each keystroke a
//! text the server has not seen), of hover and of completion (p50, p95,
//! max), and the server's peak memory. Baseline, in the same run: checking the same text
//! in process, from scratch.
//!
//! `cargo bench -p min-lsp --bench latency` (a plain binary: the numbers are
//! percentiles, which divan does not report).

// The integration tests' client; the benchmark uses only part of it.
#[allow(dead_code)]
#[path = "../tests/client/mod.rs"]
mod client;

use client::Client;
use serde_json::json;
use std::time::{Duration, Instant};

const LINES: usize = 5_000;
const EDITS: usize = 100;
const QUERIES: usize = 200;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, samples: &mut [Duration], baseline: Duration) {
    let (p50, p95, max) = (percentile(samples, 0.5), percentile(samples, 0.95), percentile(samples, 1.0));
    println!(
        "{name:<34} p50 {:>8.2} ms   p95 {:>8.2} ms   max {:>8.2} ms   p95/baseline {:.2}×",
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        p95.as_secs_f64() / baseline.as_secs_f64()
    );
}

/// The latency of `EDITS` changes of the open document at `uri` from
/// `text` to `edited` and back, each until its diagnostics are published;
/// the versions start at `first_version`.
fn edit_latencies(client: &mut Client, uri: &str, text: &str, edited: &str, first_version: usize) -> Vec<Duration> {
    let texts: Vec<&str> = (0..EDITS).map(|step| if step % 2 == 0 { edited } else { text }).collect();
    latencies(client, uri, &texts, first_version)
}

/// The latency of changing the open document at `uri` to each of `texts`
/// in turn, each until its diagnostics are published; the versions start
/// at `first_version`.
fn latencies(client: &mut Client, uri: &str, texts: &[&str], first_version: usize) -> Vec<Duration> {
    texts
        .iter()
        .enumerate()
        .map(|(step, new_text)| {
            let start = Instant::now();
            client.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": first_version + step },
                    "contentChanges": [{ "text": new_text }]
                }),
            );
            let published = client.diagnostics(uri);
            let elapsed = start.elapsed();
            assert_eq!(published["diagnostics"], json!([]));
            elapsed
        })
        .collect()
}

fn main() {
    let text = min_benches::generated_program(LINES);
    let baseline = {
        let mut samples: Vec<Duration> = (0..10)
            .map(|_| {
                let mut workspace = min_analysis::Workspace::new();
                let file = workspace.add_file("big.min", String::new());
                let _ = workspace.diagnostics(file);
                let start = Instant::now();
                workspace.set_text(file, text.clone());
                assert!(workspace.diagnostics(file).is_empty());
                start.elapsed()
            })
            .collect();
        percentile(&mut samples, 0.5)
    };
    println!("baseline: check {LINES} lines in process, from scratch: {:.2} ms (median)", baseline.as_secs_f64() * 1e3);

    let folder = std::env::temp_dir().join(format!("min-lsp-latency-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a temporary folder");
    let path = folder.join("Big.min");
    std::fs::write(&path, &text).expect("write the file");
    let uri = format!("file://{}", path.display());
    let (mut client, _) = Client::initialized(&["utf-16"]);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "min", "version": 1, "text": text } }),
    );
    assert_eq!(client.diagnostics(&uri)["diagnostics"], json!([]));

    // A character replaced in the last body: nothing moves.
    let at = text.rfind("3.14159").expect("a literal to edit");
    let replaced = format!("{}3.14158{}", &text[..at], &text[at + 7..]);
    let mut edits = edit_latencies(&mut client, &uri, &text, &replaced, 2);
    // A character added in a body halfway down: everything below it moves.
    let at = text[text.len() / 2..].find("3.14159").expect("a literal to edit") + text.len() / 2;
    let inserted = format!("{}3.141592{}", &text[..at], &text[at + 7..]);
    let mut insertions = edit_latencies(&mut client, &uri, &text, &inserted, 2 + EDITS);
    // Typing there: one more digit at each keystroke, so every text is new
    // and everything below moves to a place it has not been.
    let typed: Vec<String> =
        (1..=EDITS).map(|digits| format!("{}3.14159{}{}", &text[..at], "2".repeat(digits), &text[at + 7..])).collect();
    let typed: Vec<&str> = typed.iter().map(String::as_str).collect();
    let mut typing = latencies(&mut client, &uri, &typed, 2 + 2 * EDITS);
    let _ = latencies(&mut client, &uri, &[text.as_str()], 2 + 3 * EDITS);

    let line = text[..text.rfind("area").expect("a name")].matches('\n').count();
    let hover_at = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 1 } });
    let mut hovers: Vec<Duration> = (0..QUERIES)
        .map(|_| {
            let start = Instant::now();
            let hover = client.request("textDocument/hover", hover_at.clone());
            assert!(hover["contents"]["value"].as_str().is_some_and(|v| v.contains('→')), "{hover}");
            start.elapsed()
        })
        .collect();
    let body_line = text[..text.rfind("k x").expect("a body")].matches('\n').count();
    let complete_at = json!({ "textDocument": { "uri": uri }, "position": { "line": body_line, "character": 30 } });
    let mut completions: Vec<Duration> = (0..QUERIES)
        .map(|_| {
            let start = Instant::now();
            let items = client.request("textDocument/completion", complete_at.clone());
            assert!(items.as_array().is_some_and(|items| !items.is_empty()));
            start.elapsed()
        })
        .collect();

    report("edit → publishDiagnostics", &mut edits, baseline);
    report("insertion → publishDiagnostics", &mut insertions, baseline);
    report("typing → publishDiagnostics", &mut typing, baseline);
    report("hover", &mut hovers, baseline);
    report("completion", &mut completions, baseline);
    let status = std::fs::read_to_string(format!("/proc/{}/status", client.pid())).unwrap_or_default();
    let peak = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap_or("VmHWM: unknown");
    println!("server peak resident memory (VmHWM): {}", peak.trim_start_matches("VmHWM:").trim());
    assert!(client.shutdown_and_exit().success());
    let _ = std::fs::remove_dir_all(&folder);
}
