//! `minc run FILE FUNCTION ARGS…`: check a file, read the arguments as Min
//! literals of the parameters' types, and call the function in the
//! reference interpreter, the Cranelift JIT or Wasm under wasmtime.

use crate::args::{Argument, Bindings, parse_argument};
use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_analysis::types::{Type, TypePrinter};
use min_diagnostics::{Code, Diagnostic, codes};
use min_interp::{Machine, RuntimeError};

/// Why a run produced no value.
#[derive(Debug)]
pub enum RunError {
    /// The program (or a module it imports) has errors.
    Compile(Vec<Diagnostic>),
    /// The command line is wrong: no such function, wrong arguments.
    Usage {
        /// `E0401`, `E0402` or `E0403`.
        code: Code,
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
    /// The program failed while running.
    Runtime(RuntimeError),
}

/// What runs the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The reference interpreter: the executable semantics.
    Interpreter,
    /// Native code from the Cranelift JIT.
    Jit,
    /// The Wasm module `minc build` writes, under wasmtime.
    Wasm,
}

impl Engine {
    /// Every engine, the interpreter first.
    pub const ALL: [Engine; 3] = [Engine::Interpreter, Engine::Jit, Engine::Wasm];

    /// The engine's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interp",
            Engine::Jit => "jit",
            Engine::Wasm => "wasm",
        }
    }
}

/// How deep `run` lets Min calls nest (tail calls do not count). Each
/// nested call takes about 1 KiB of the Rust stack in a release build.
pub const CALL_DEPTH_LIMIT: usize = 500_000;

/// The Rust stack the interpreter needs for [`CALL_DEPTH_LIMIT`] nested calls.
pub const STACK_BYTES: usize = 2 << 30;

/// Runs `function` of `file` on `args` with `engine` and returns the result
/// as Min source. `depth_limit` bounds nested calls; run it on a stack of
/// [`STACK_BYTES`] when using [`CALL_DEPTH_LIMIT`].
pub fn run(
    workspace: &Workspace,
    file: SourceFile,
    function: &str,
    args: &[String],
    depth_limit: usize,
    engine: Engine,
) -> Result<String, RunError> {
    Runner::new(workspace, file, depth_limit).run(function, args, engine)
}

/// Runs functions of one file, compiling the program at most once per
/// engine: a test that makes many calls pays for code generation once.
/// Zero-argument globals are computed once per engine and kept.
pub struct Runner<'w> {
    workspace: &'w Workspace,
    file: SourceFile,
    depth_limit: usize,
    program: Option<Vec<min_core::Module>>,
    lowered: Option<min_lir::Program>,
    jit: Option<min_rt::Session<min_jit::JitBackend>>,
    wasm: Option<min_rt::Session<min_wasm::WasmBackend>>,
    check_specs: bool,
}

impl<'w> Runner<'w> {
    /// A runner for `file`, whose calls nest at most `depth_limit` deep.
    pub fn new(workspace: &'w Workspace, file: SourceFile, depth_limit: usize) -> Runner<'w> {
        Runner { workspace, file, depth_limit, program: None, lowered: None, jit: None, wasm: None, check_specs: false }
    }

    /// The same runner, checking the specification clauses of every
    /// function the interpreter calls (as `minc test` does); the compiled
    /// engines never check them.
    pub fn with_spec_checks(self) -> Runner<'w> {
        Runner { check_specs: true, ..self }
    }

    /// Runs `function` on `args` (Min literals) with `engine` and returns
    /// the result as Min source.
    pub fn run(&mut self, function: &str, args: &[String], engine: Engine) -> Result<String, RunError> {
        let (workspace, file) = (self.workspace, self.file);
        let mut diagnostics: Vec<Diagnostic> = workspace.diagnostics(file).to_vec();
        for broken in workspace.broken_dependencies(file) {
            diagnostics.extend(workspace.diagnostics(broken).iter().cloned());
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(RunError::Compile(diagnostics));
        }
        let checked = workspace.check(file);
        let Some(value) = checked.interface.values.get(function) else {
            let mut names: Vec<&str> = checked.interface.values.keys().map(String::as_str).collect();
            names.sort_unstable();
            return Err(RunError::Usage {
                code: codes::E0402,
                message: format!("`{}` defines no `{function}`", workspace.module_name(file)),
                help: if names.is_empty() {
                    "the file defines nothing to run".to_string()
                } else {
                    format!("it defines {}", names.join(", "))
                },
            });
        };
        let (params, ty) = value.scheme.ty.parameters_and_result();
        if args.len() != params.len() {
            let shown = TypePrinter::default().show(&value.scheme.ty);
            return Err(RunError::Usage {
                code: codes::E0403,
                message: format!(
                    "`{function}` takes {} argument{}, {} given",
                    params.len(),
                    plural(params.len()),
                    args.len()
                ),
                help: format!("`{function} : {shown}`"),
            });
        }
        let interfaces = workspace.interfaces(file);
        let mut arguments: Vec<Argument> = Vec::new();
        let mut bindings = Bindings::default();
        for (index, (text, &param)) in args.iter().zip(&params).enumerate() {
            match parse_argument(text, param, &interfaces, &mut bindings) {
                Ok(argument) => arguments.push(argument),
                Err(message) => {
                    return Err(RunError::Usage {
                        code: codes::E0401,
                        message: format!("argument {}: {message}", index + 1),
                        help: format!(
                            "write a Min literal of type `{}`; quote strings for the shell: '\"text\"'",
                            TypePrinter::default().show(param)
                        ),
                    });
                }
            }
        }
        let values: Vec<min_interp::Value> = arguments.iter().map(Argument::to_value).collect();
        let shown = |result: min_interp::Value| at_type(result, ty).to_string();
        let program = self.program.get_or_insert_with(|| workspace.program(file));
        if engine == Engine::Interpreter {
            let mut machine = Machine::new(program).with_depth_limit(self.depth_limit);
            if self.check_specs {
                machine = machine.with_spec_checks();
            }
            return machine.call(&value.qualified, values).map(shown).map_err(RunError::Runtime);
        }
        let module = workspace.module_name(file);
        let lowered = self.lowered.get_or_insert_with(|| min_lir::lower::lower_module(program, module));
        let result = match engine {
            Engine::Jit => {
                let session = match &mut self.jit {
                    Some(session) => session,
                    None => {
                        let backend = min_jit::JitBackend::compile(lowered).map_err(|error| internal(&error))?;
                        let session = min_rt::Session::new(backend, lowered, self.depth_limit);
                        self.jit.insert(session.map_err(RunError::Runtime)?)
                    }
                };
                session.call(lowered, &value.qualified, &values)
            }
            _ => {
                let session = match &mut self.wasm {
                    Some(session) => session,
                    None => {
                        let stack = wasm_stack_bytes(self.depth_limit);
                        let backend =
                            min_wasm::WasmBackend::compile(lowered, stack).map_err(|error| internal(&error))?;
                        let session = min_rt::Session::new(backend, lowered, self.depth_limit);
                        self.wasm.insert(session.map_err(RunError::Runtime)?)
                    }
                };
                session.call(lowered, &value.qualified, &values)
            }
        };
        result.map(shown).map_err(RunError::Runtime)
    }
}

/// The Wasm stack that `depth_limit` nested calls need, within what
/// [`STACK_BYTES`] of thread stack holds.
pub fn wasm_stack_bytes(depth_limit: usize) -> usize {
    depth_limit.saturating_mul(1024).clamp(min_wasm::WASM_STACK_BYTES_DEFAULT, STACK_BYTES / 2)
}

/// A backend that failed to compile a checked program: our bug, reported
/// as a run-time error so that it is never silent.
fn internal(error: &dyn std::fmt::Display) -> RunError {
    RunError::Runtime(RuntimeError {
        code: codes::E0412,
        message: format!("internal error: the backend cannot compile this program: {error}"),
        span: None,
        trace: Vec::new(),
        repeats: Vec::new(),
    })
}

/// A result shown at its declared type: an integer that a function generic
/// over numbers produced from a literal (`sum []` at ℝ) is a real.
fn at_type<'p>(value: min_interp::Value<'p>, ty: &Type) -> min_interp::Value<'p> {
    match (value, ty) {
        (min_interp::Value::Int(n), Type::App(min_analysis::types::Con::Real, _)) => min_interp::Value::Real(n as f64),
        (value, _) => value,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
