//! `minc test`: runs the `test` declarations of Min files on the reference
//! interpreter (`spec/testing.md`). A test without parameters runs once; a
//! property test runs on generated inputs (`generate`), seeded so that a
//! failure can be reproduced. With a gas report, the calls of contract
//! procedures that the tests make are recorded and replayed on the built
//! contract under `min-runtime` (`gas`). `report` prints the outcome.

mod conservation;
pub mod gas;
pub mod generate;
pub mod report;

use crate::args::{Argument, Bindings, parse_argument};
use generate::{Generator, Rng, test_seed};
use min_analysis::db::SourceFile;
use min_analysis::types::TypePrinter;
use min_analysis::{TestInfo, Workspace};
use min_diagnostics::{Diagnostic, codes, render_json, render_terminal};
use min_interp::{CallEvent, Machine, RuntimeError, Value};
use min_syntax::ast::TestExpect;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The number of generated cases of a property test unless `--cases` says otherwise.
pub const CASES_DEFAULT: u32 = 256;

/// What to run and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run only the tests whose name contains this.
    pub filter: Option<String>,
    /// Cases per property test.
    pub cases: u32,
    /// The seed of the generated inputs.
    pub seed: u64,
    /// Whether to measure the gas of the procedure calls the tests make.
    pub gas_report: bool,
    /// How deep interpreted calls may nest.
    pub depth_limit: usize,
    /// Whether failures' source excerpts are coloured.
    pub color: bool,
}

/// Why a test failed.
#[derive(Clone, Debug)]
pub struct Failure {
    /// One line: what happened.
    pub message: String,
    /// The diagnostics that show where.
    pub diagnostics: Vec<Diagnostic>,
    /// The same, rendered like the compiler's.
    pub rendered: String,
    /// The same, as the JSON array `minc check --format json` prints.
    pub json: serde_json::Value,
    /// The generated inputs that made it fail, as `name = literal`.
    pub inputs: Vec<(String, String)>,
    /// Which case failed (from 1) of a property test.
    pub case: Option<u32>,
}

/// One test's outcome.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    /// The file that declares it, as given.
    pub file: String,
    /// Its name.
    pub name: String,
    /// How many cases ran (1 for a test without parameters).
    pub cases: u32,
    /// The seed of its generated inputs (a property test's only).
    pub seed: Option<u64>,
    /// How long it took.
    pub duration: Duration,
    /// `None` when it passed.
    pub failure: Option<Failure>,
}

/// Everything `minc test` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every test run, in file and declaration order.
    pub tests: Vec<TestOutcome>,
    /// Tests not run because of `--filter`.
    pub filtered_out: usize,
    /// The seed of the run.
    pub seed: u64,
    /// Per procedure, the gas its recorded calls used (with `--gas-report`).
    pub gas: Option<Vec<gas::GasRow>>,
    /// How long the whole run took.
    pub duration: Duration,
}

impl Report {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.tests.iter().filter(|test| test.failure.is_none()).count()
    }

    /// How many tests failed.
    pub fn failed(&self) -> usize {
        self.tests.len() - self.passed()
    }
}

/// Why nothing could be reported.
#[derive(Debug)]
pub enum TestError {
    /// A file cannot be read, or a path holds no Min file.
    Usage(String),
    /// A file with tests (or a module it imports) has errors: their
    /// diagnostics, rendered.
    Compile(String),
    /// The toolchain failed: a bug to report, not a failing test.
    Internal(String),
}

/// The `.min` files of `paths`: a file as given, a folder's `.min` files
/// (and its subfolders'), in name order. No paths means the current folder.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestError> {
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &defaults[..] } else { paths };
    let mut files = BTreeSet::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files)
                .map_err(|error| TestError::Usage(format!("cannot read {}: {error}", path.display())))?;
        } else if path.is_file() {
            files.insert(path.clone());
        } else {
            return Err(TestError::Usage(format!("{} is neither a file nor a folder", path.display())));
        }
    }
    Ok(files.into_iter().collect())
}

fn walk(folder: &Path, files: &mut BTreeSet<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "min") {
            files.insert(path);
        }
    }
    Ok(())
}

/// Runs the tests of every file in `files`. Files that declare no test are
/// skipped; a file that declares tests must check without errors.
pub fn run_files(files: &[PathBuf], options: &Options) -> Result<Report, TestError> {
    let started = Instant::now();
    let mut report = Report { seed: options.seed, ..Report::default() };
    let mut recorder = gas::Recorder::default();
    for path in files {
        let mut workspace = Workspace::new();
        let file = crate::load::load(&mut workspace, path).map_err(TestError::Usage)?;
        let mut diagnostics: Vec<Diagnostic> = workspace.diagnostics(file).to_vec();
        let malformed = diagnostics.iter().any(|d| d.code == codes::E0111);
        if workspace.syntax(file).tests.is_empty() && !malformed {
            continue;
        }
        for broken in workspace.broken_dependencies(file) {
            diagnostics.extend(workspace.diagnostics(broken).iter().cloned());
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            let color = options.color && std::io::stderr().is_terminal();
            return Err(TestError::Compile(render_terminal(&diagnostics, &workspace, color)));
        }
        let recording = options.gas_report.then_some(&mut recorder);
        run_file(&workspace, file, &path.display().to_string(), options, &mut report, recording)?;
    }
    if options.gas_report {
        report.gas = Some(recorder.rows());
    }
    report.duration = started.elapsed();
    Ok(report)
}

/// Runs the tests of one checked file; with a `recorder`, measures the gas
/// of the procedure calls they made.
fn run_file(
    workspace: &Workspace,
    file: SourceFile,
    shown_path: &str,
    options: &Options,
    report: &mut Report,
    recorder: Option<&mut gas::Recorder>,
) -> Result<(), TestError> {
    let checked = workspace.check(file);
    let mut program = workspace.program(file);
    let module = workspace.module_name(file).to_string();
    program.push(min_core::Module {
        name: format!("{module}#tests"),
        globals: checked.tests.iter().map(|test| test.global.clone()).collect(),
        types: Vec::new(),
        specs: Vec::new(),
    });
    let procedures: BTreeSet<String> = checked.interface.procedures.iter().map(|p| p.name.clone()).collect();
    let interfaces = workspace.interfaces(file);
    let selected: Vec<&TestInfo> = checked
        .tests
        .iter()
        .filter(|test| options.filter.as_deref().is_none_or(|filter| test.name.contains(filter)))
        .collect();
    report.filtered_out += checked.tests.len() - selected.len();
    // Every input is generated before the machine starts: its values borrow them.
    let mut inputs: Vec<Option<(u64, Vec<Case>)>> = Vec::with_capacity(selected.len());
    for test in &selected {
        inputs.push(if test.params.is_empty() {
            None
        } else {
            let seed = test_seed(options.seed, &test.name);
            Some((seed, generate_cases(test, &interfaces, seed, options.cases)?))
        });
    }
    let calls: Rc<RefCell<Vec<gas::Call<'_>>>> = Rc::default();
    let machine = if recorder.is_some() && !procedures.is_empty() {
        Machine::new(&program).with_observer(Box::new(recording(procedures, calls.clone())))
    } else {
        Machine::new(&program)
    }
    .with_depth_limit(options.depth_limit)
    .with_spec_checks();
    let types = interfaces
        .values()
        .flat_map(|interface| interface.types.values())
        .map(|def| (def.qualified.clone(), def.clone()))
        .collect();
    let (kept, check) = conservation::check(&program, types);
    let machine = machine.with_conservation_check(kept, check);
    for (test, input) in selected.iter().copied().zip(&inputs) {
        let started = Instant::now();
        let (cases, seed, failure) = match input {
            None => (1, None, run_once(&machine, test, Vec::new())),
            Some((seed, cases)) => {
                let (ran, failure) = run_cases(&machine, test, cases);
                (ran, Some(*seed), failure)
            }
        };
        let duration = started.elapsed();
        let failure = failure.map(|mut failure| {
            failure.rendered = render_terminal(&failure.diagnostics, workspace, options.color);
            failure.json = serde_json::from_str(&render_json(&failure.diagnostics, workspace)).unwrap_or_default();
            failure
        });
        report.tests.push(TestOutcome {
            file: shown_path.to_string(),
            name: test.name.clone(),
            cases,
            seed,
            duration,
            failure,
        });
    }
    drop(machine);
    let calls = calls.take();
    if let Some(recorder) = recorder
        && !calls.is_empty()
    {
        recorder.replay(workspace, file, &calls).map_err(TestError::Internal)?;
    }
    Ok(())
}

/// The observer that records each outermost call of a procedure: a call a
/// procedure makes, directly or through other functions, is part of it, as
/// on the chain, where a transaction calls one procedure.
fn recording<'p>(
    procedures: BTreeSet<String>,
    calls: Rc<RefCell<Vec<gas::Call<'p>>>>,
) -> impl Fn(CallEvent<'_, 'p>) + 'p {
    // The depth at which the procedure call being recorded runs.
    let active: RefCell<Option<usize>> = RefCell::new(None);
    move |event: CallEvent<'_, 'p>| {
        let mut active = active.borrow_mut();
        if let Some(depth) = *active
            && (event.depth > depth || (event.depth == depth && event.tail))
        {
            return;
        }
        *active = None;
        if let Some(name) = event.callee
            && procedures.contains(name)
        {
            calls.borrow_mut().push(gas::Call { procedure: name.to_string(), args: event.args.to_vec() });
            *active = Some(event.depth);
        }
    }
}

/// One generated input of a property test.
struct Case {
    /// Each parameter's name and value as a Min literal.
    literals: Vec<(String, String)>,
    /// The values read from the literals.
    arguments: Vec<Argument>,
}

/// Generates the inputs of a property test.
fn generate_cases(
    test: &TestInfo,
    interfaces: &std::collections::BTreeMap<String, std::sync::Arc<min_analysis::interface::Interface>>,
    seed: u64,
    cases: u32,
) -> Result<Vec<Case>, TestError> {
    let mut rng = Rng::new(seed);
    let mut generated = Vec::with_capacity(cases as usize);
    for _ in 0..cases {
        let mut case = Case { literals: Vec::new(), arguments: Vec::new() };
        let mut bindings = Bindings::default();
        for (name, ty) in &test.params {
            let literal = Generator::new(&mut rng, interfaces).literal(ty).map_err(TestError::Internal)?;
            let argument = parse_argument(&literal, ty, interfaces, &mut bindings).map_err(|reason| {
                let shown = TypePrinter::default().show(ty);
                TestError::Internal(format!("the generated `{literal}` is not a `{shown}`: {reason}"))
            })?;
            case.literals.push((name.clone(), literal));
            case.arguments.push(argument);
        }
        generated.push(case);
    }
    Ok(generated)
}

/// Runs a property test on its generated inputs; stops at the first failure.
/// Returns how many cases ran, and the failure.
fn run_cases<'p>(machine: &Machine<'p>, test: &'p TestInfo, cases: &'p [Case]) -> (u32, Option<Failure>) {
    for (index, case) in cases.iter().enumerate() {
        let values: Vec<Value<'p>> = case.arguments.iter().map(Argument::to_value).collect();
        if let Some(mut failure) = run_once(machine, test, values) {
            failure.inputs = case.literals.clone();
            failure.case = Some(index as u32 + 1);
            return (index as u32 + 1, Some(failure));
        }
    }
    (cases.len() as u32, None)
}

/// Runs a test once on `args`; `None` when it passes.
fn run_once<'p>(machine: &Machine<'p>, test: &'p TestInfo, args: Vec<Value<'p>>) -> Option<Failure> {
    let result = machine.call(&test.global.name, args);
    match (&test.expect, result) {
        (TestExpect::True, Ok(Value::Bool(true))) => None,
        (TestExpect::True, Ok(Value::Bool(false))) => Some(failure(test, "it evaluated to false", Vec::new())),
        (TestExpect::True, Ok(other)) => {
            Some(failure(test, &format!("it evaluated to `{other}`, not a truth value"), Vec::new()))
        }
        (TestExpect::True, Err(error)) => Some(runtime_failure(test, &error, "it failed at run time")),
        (TestExpect::Aborts(expected), Ok(value)) => {
            let wanted =
                expected.as_ref().map_or("to abort".to_string(), |message| format!("to abort with \"{message}\""));
            Some(failure(test, &format!("it was expected {wanted}, but returned `{value}`"), Vec::new()))
        }
        (TestExpect::Aborts(expected), Err(error)) => {
            let aborted = error.code == codes::E0412 && !error.message.starts_with("internal error");
            match expected {
                _ if !aborted => Some(runtime_failure(test, &error, "it failed, but not by aborting")),
                Some(message) if *message != error.message => {
                    Some(runtime_failure(test, &error, &format!("it aborted with another message than \"{message}\"")))
                }
                _ => None,
            }
        }
    }
}

fn failure(test: &TestInfo, message: &str, mut extra: Vec<Diagnostic>) -> Failure {
    let main = Diagnostic::error(codes::E0415, test.name_span, format!("test \"{}\" failed: {message}", test.name))
        .with_span_label("this test failed")
        .with_label(test.body_span, "its body");
    extra.insert(0, main);
    Failure {
        message: message.to_string(),
        diagnostics: extra,
        rendered: String::new(),
        json: serde_json::Value::Null,
        inputs: Vec::new(),
        case: None,
    }
}

/// A failure at run time: the test's diagnostic says what was expected,
/// the run-time error's own diagnostic where it happened.
fn runtime_failure(test: &TestInfo, error: &RuntimeError, what: &str) -> Failure {
    let mut error = error.clone();
    // The trace names the test, not the global it was lowered to.
    for frame in &mut error.trace {
        if *frame == test.global.name {
            *frame = format!("test \"{}\"", test.name);
        }
    }
    let extra: Vec<Diagnostic> = error.to_diagnostic().into_iter().collect();
    let message = if extra.is_empty() {
        format!("{what}: {error}")
    } else {
        format!("{what} ({} {}, below)", error.code, error.code.info().title)
    };
    let mut failed = failure(test, &message, extra);
    failed.message = format!("{what}: {error}");
    failed
}
