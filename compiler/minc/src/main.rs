//! `minc`: the Min compiler's command line.

use clap::{Parser, Subcommand};
use min_diagnostics::{Code, Diagnostic, FileId, SourceLookup, render_terminal};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// The Min toolchain: check, run and explain Min programs.
#[derive(Parser)]
#[command(name = "minc", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check source files for errors without running them.
    Check {
        /// The `.min` files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the long explanation of an error code, such as E0201.
    Explain {
        /// The code, e.g. `E0201` (case does not matter).
        code: String,
    },
}

/// Files read from disk, for rendering diagnostics.
struct Sources {
    files: Vec<(String, String)>,
}

impl SourceLookup for Sources {
    fn name(&self, file: FileId) -> String {
        self.files.get(file.0 as usize).map_or_else(|| "<unknown>".to_string(), |(name, _)| name.clone())
    }
    fn text(&self, file: FileId) -> &str {
        self.files.get(file.0 as usize).map_or("", |(_, text)| text.as_str())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files } => check(&files),
        Command::Explain { code } => explain(&code),
    }
}

fn check(paths: &[PathBuf]) -> ExitCode {
    let mut sources = Sources { files: Vec::new() };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {}: {error}", path.display());
                return ExitCode::from(1);
            }
        };
        let file = FileId(sources.files.len() as u32);
        let (_, found) = min_syntax::parse_module(file, &text);
        diagnostics.extend(found);
        sources.files.push((path.display().to_string(), text));
    }
    report(&diagnostics, &sources)
}

fn report(diagnostics: &[Diagnostic], sources: &Sources) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    eprint!("{}", render_terminal(diagnostics, sources, color));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!("error: {errors} error{} found", if errors == 1 { "" } else { "s" });
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn explain(name: &str) -> ExitCode {
    match Code::from_name(name) {
        Some(code) => {
            print!("{}", code.info().explanation);
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: `{name}` is not a Min error code; codes look like E0201");
            ExitCode::from(1)
        }
    }
}
