//! `minc run FILE FUNCTION ARGS…`: check a file, read the arguments as Min
//! literals of the parameters' types, and call the function in the
//! reference interpreter.

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

/// How deep `run` lets Min calls nest (tail calls do not count). Each
/// nested call takes about 1 KiB of the Rust stack in a release build.
pub const CALL_DEPTH_LIMIT: usize = 500_000;

/// The Rust stack the interpreter needs for [`CALL_DEPTH_LIMIT`] nested calls.
pub const STACK_BYTES: usize = 2 << 30;

/// Runs `function` of `file` on `args` and returns the result as Min source.
/// `depth_limit` bounds nested calls; run it on a stack of [`STACK_BYTES`]
/// when using [`CALL_DEPTH_LIMIT`].
pub fn run(
    workspace: &Workspace,
    file: SourceFile,
    function: &str,
    args: &[String],
    depth_limit: usize,
) -> Result<String, RunError> {
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
    let mut params: Vec<Type> = Vec::new();
    let mut ty = &value.scheme.ty;
    while let Type::Fun(param, result) = ty {
        params.push((**param).clone());
        ty = result;
    }
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
    for (index, (text, param)) in args.iter().zip(&params).enumerate() {
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
    let program = workspace.program(file);
    let machine = Machine::new(&program).with_depth_limit(depth_limit);
    let values = arguments.iter().map(Argument::to_value).collect();
    let result = machine.call(&value.qualified, values).map_err(RunError::Runtime)?;
    Ok(at_type(result, ty).to_string())
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
