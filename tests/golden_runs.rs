//! Every `tests/run/*.min` names the calls to make in `# run:` lines; what
//! they print (values, or run-time errors with their codes and positions)
//! must equal the `.stdout` file beside it, on the interpreter, the JIT and
//! Wasm alike.

use min_analysis::Workspace;
use min_diagnostics::{position, render_plain};
use min_tests::{cases, compare_golden, relative};
use minc::run::{Engine, RunError, Runner};

/// Nested calls allowed: the test thread's 512 MiB stack holds this many in a debug build.
const DEPTH_LIMIT: usize = 50_000;

/// Splits a `# run:` line into words, keeping quoted arguments together.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'') => quote = Some('\''),
            (Some('\''), '\'') => quote = None,
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (_, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn outcome(workspace: &Workspace, runner: &mut Runner, call: &[String], engine: Engine) -> String {
    match runner.run(&call[0], &call[1..], engine) {
        Ok(value) => value,
        Err(RunError::Compile(diagnostics)) => render_plain(&diagnostics, workspace),
        Err(RunError::Usage { code, message, .. }) => format!("error[{code}]: {message}"),
        Err(RunError::Runtime(error)) => {
            let at = error.span.map(|span| format!(" at {}", position(span, workspace))).unwrap_or_default();
            format!("error[{}]: {}{at}", error.code, error.message)
        }
    }
}

#[test]
fn run_outputs_match_their_golden_files() {
    // The interpreter recurses on the Rust stack, as `minc run` does on its big thread.
    let handle = std::thread::Builder::new().stack_size(1 << 29).spawn(check_all).expect("spawn");
    handle.join().expect("the golden runs finished");
}

fn check_all() {
    let mut workspace = Workspace::new();
    let mut failures = Vec::new();
    for path in cases("run") {
        let text = std::fs::read_to_string(&path).expect("read case");
        let calls: Vec<Vec<String>> =
            text.lines().filter_map(|line| line.strip_prefix("# run:")).map(words).filter(|w| !w.is_empty()).collect();
        if calls.is_empty() {
            failures.push(format!("{}: no `# run:` line", relative(&path)));
            continue;
        }
        let file = workspace.add_file(&relative(&path), text.clone());
        let mut runner = Runner::new(&workspace, file, DEPTH_LIMIT);
        let mut transcript = |engine: Engine| {
            let mut actual = String::new();
            for call in &calls {
                actual +=
                    &format!("> {}\n{}\n", call.join(" "), outcome(&workspace, &mut runner, call, engine).trim_end());
            }
            actual
        };
        let interpreted = transcript(Engine::Interpreter);
        failures.extend(compare_golden(&path.with_extension("stdout"), &interpreted));
        for engine in [Engine::Jit, Engine::Wasm] {
            let compiled = transcript(engine);
            if compiled != interpreted {
                failures.push(format!(
                    "{} on {}:\n{}",
                    relative(&path),
                    engine.name(),
                    min_tests::first_difference(&interpreted, &compiled)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
