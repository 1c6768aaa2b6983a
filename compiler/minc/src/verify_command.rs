//! `minc verify`: its options, and how it prints a report (human, JSON or
//! SARIF), with a progress line on a terminal.

use super::{load_all, print_stdout, report};
use min_analysis::Workspace;
use min_diagnostics::{render_json, render_terminal};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the cache goes unless `--cache-dir` says otherwise: in the
/// working directory, the project's root when `minc` runs from there.
const DEFAULT_CACHE_DIR: &str = ".min-cache/verify";

/// The options of `minc verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The `.min` files whose functions to verify.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// How to print the outcome: `human` (diagnostics and one line per
    /// obligation), `json` (one JSON object on standard output) or `sarif`
    /// (SARIF 2.1.0, for code scanning).
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    format: VerifyFormat,
    /// How long the solver may take for one obligation, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u32,
    /// How many obligations are solved at once; 0 (the default) for one per core.
    #[arg(long, default_value_t = 0)]
    jobs: usize,
    /// The directory of the cache of proved and refuted obligations.
    #[arg(long, default_value = DEFAULT_CACHE_DIR)]
    cache_dir: PathBuf,
    /// Solve every obligation, reading and writing no cache.
    #[arg(long)]
    no_cache: bool,
}

/// How `minc verify` prints its outcome.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum VerifyFormat {
    /// Diagnostics for what is refuted or unknown, one line per obligation, a summary.
    Human,
    /// One JSON object on standard output, for CI.
    Json,
    /// A SARIF 2.1.0 log on standard output, for code scanning.
    Sarif,
}

/// Runs `minc verify`; the exit code is 0 when everything is proved, 1 when
/// something is refuted, 2 when something is unknown or the program has errors.
pub fn verify(args: &VerifyArgs) -> ExitCode {
    let mut workspace = Workspace::new();
    let files = match load_all(&mut workspace, &args.files, 2) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let options = min_verify::Options {
        timeout_ms: args.timeout_ms,
        jobs: args.jobs,
        cache_dir: (!args.no_cache).then(|| args.cache_dir.clone()),
    };
    let progress = Progress { shown: args.format == VerifyFormat::Human && std::io::stderr().is_terminal() };
    let outcome = min_verify::verify_with_progress(&workspace, &files, &options, &|done, total| {
        progress.show(done, total);
    });
    progress.clear();
    let verified = match outcome {
        Ok(verified) => verified,
        Err(diagnostics) => {
            if args.format == VerifyFormat::Human {
                report(&diagnostics, &workspace);
            } else {
                let errors: serde_json::Value =
                    serde_json::from_str(&render_json(&diagnostics, &workspace)).unwrap_or_default();
                print_stdout(&serde_json::json!({ "errors": errors, "exit_code": 2 }).to_string());
            }
            eprintln!("error: the program has errors; nothing was verified");
            return ExitCode::from(2);
        }
    };
    match args.format {
        VerifyFormat::Json => print_stdout(&verified.to_json(&workspace)),
        VerifyFormat::Sarif => {
            let base = std::env::current_dir().unwrap_or_default();
            print_stdout(&verified.to_sarif(&workspace, &base));
        }
        VerifyFormat::Human => {
            let diagnostics = verified.diagnostics();
            if !diagnostics.is_empty() {
                eprint!("{}", render_terminal(&diagnostics, &workspace, std::io::stderr().is_terminal()));
            }
            print_stdout(verified.lines(&workspace).trim_end());
        }
    }
    ExitCode::from(verified.exit_code())
}

/// The progress line on standard error, when it is a terminal.
struct Progress {
    shown: bool,
}

impl Progress {
    /// Rewrites the line: `verifying 12/40 obligations…`.
    fn show(&self, done: usize, total: usize) {
        if self.shown && total > 0 {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[Kverifying {done}/{total} obligations…");
            let _ = stderr.flush();
        }
    }

    /// Erases the line.
    fn clear(&self) {
        if self.shown {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[K");
            let _ = stderr.flush();
        }
    }
}
