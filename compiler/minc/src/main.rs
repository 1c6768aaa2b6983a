//! `minc`: the Min compiler's command line.

use clap::{Parser, Subcommand};
use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_chain::objects::ObjectId;
use min_chain::shard::ShardId;
use min_diagnostics::{Code, Diagnostic, SourceLookup, render_json, render_plain, render_terminal};
use min_node::hex;
use minc::run::RunError;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod verify_command;

/// A faster allocator: the front end allocates many small nodes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Min toolchain: check, run and explain Min programs.
#[derive(Parser)]
#[command(
    name = "minc",
    version,
    about = "The Min toolchain: check, run, build, verify, format and explain Min programs; run a devnet, deploy contracts on it and call them.",
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  minc check examples/*.min\n  minc run examples/black_scholes.min black_scholes 42 40 0.5 0.1 0.2\n  minc run examples/rewrite.min rewrite 'Binary Nil \".\" (Apply Nil Nil)'\n  minc verify examples/bank.min\n  minc explain E0201\n  minc devnet --ephemeral\n  minc deploy examples/bank.min --account 0\n  minc tx transfer --key SECRET --to ADDRESS --amount 100\n\nExit codes: 0 success, 1 errors in the program or the command line, 2 internal error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check source files for errors without running them.
    Check {
        /// The `.min` files to check (the modules they import from their
        /// folders are checked too).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print diagnostics: `human` (source excerpts), `short`
        /// (one line each, `path:line:column: error[E0201]: …`) or `json`.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run a function of a Min file and print its result.
    Run {
        /// What runs it: `interp`, the reference interpreter; `jit`, native
        /// code from Cranelift; `wasm`, the Wasm module under wasmtime.
        #[arg(long, value_enum, default_value_t = Backend::Interp)]
        backend: Backend,
        /// The `.min` file.
        file: PathBuf,
        /// The function (or value) to run.
        function: String,
        /// Its arguments, as Min literals: `42`, `-7`, `0.5`, `'"text"'`, `'[1, 2]'`, `'Some 3'`.
        #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
        args: Vec<String>,
    },
    /// Compile a Min file to a validated Wasm module and its metadata
    /// (`OUT_DIR/MODULE.wasm`, `OUT_DIR/MODULE.json`), or print an
    /// intermediate form with `--emit`.
    Build {
        /// The `.min` file.
        file: PathBuf,
        /// Print an intermediate form instead: `ir`, the core IR of the
        /// module; `lir`, the low-level IR of the program; `regions`, the
        /// source annotated with inferred ownership and regions.
        #[arg(long, value_enum)]
        emit: Option<Emit>,
        /// Where to write the module and its metadata.
        #[arg(long, default_value = "out")]
        out_dir: PathBuf,
    },
    /// Run the `test` declarations of Min files on the interpreter: each
    /// test once, a test with parameters on generated inputs. Exit codes: 0
    /// every test passed, 1 a test failed or the program has errors, 2
    /// internal error.
    Test {
        /// `.min` files, or folders to search for them (default: the
        /// current folder). Files that declare no test are skipped.
        paths: Vec<PathBuf>,
        /// Run only the tests whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// How many generated cases each test with parameters runs.
        #[arg(long, default_value_t = minc::testing::CASES_DEFAULT)]
        cases: u32,
        /// The seed of the generated inputs; a failure prints the one that
        /// reproduces it.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Measure the gas of the contract procedure calls the tests make,
        /// by replaying them on the built contract under the contract runtime.
        #[arg(long)]
        gas_report: bool,
        /// How to print the outcome: `human` or `json` (one object on standard output).
        #[arg(long, value_enum, default_value_t = TestFormat::Human)]
        format: TestFormat,
    },
    /// Format Min files in place: canonical spacing and operator spellings,
    /// line breaks, indentation and comments kept.
    Fmt {
        /// The `.min` files to format.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing; exit 1 if some file is not formatted (for CI).
        #[arg(long)]
        check: bool,
    },
    /// Prove that the functions of Min files cannot fail at run time
    /// (overflow, ℕ below zero, division by zero), or show arguments on
    /// which they do. Exit codes: 0 all proved, 1 something refuted, 2
    /// something unknown or the program has errors.
    Verify(verify_command::VerifyArgs),
    /// Print the long explanation of an error code, such as E0201.
    Explain {
        /// The code, e.g. `E0201` (case does not matter).
        code: String,
    },
    /// Run a local chain until Ctrl-C: shards of validators on loopback,
    /// funded accounts, a faucet, and a JSON-RPC server on 127.0.0.1.
    Devnet {
        /// The number of shards.
        #[arg(long, default_value_t = 2)]
        shards: u32,
        /// The number of validators of each shard.
        #[arg(long, default_value_t = 4)]
        validators: u32,
        /// The JSON-RPC port (0 picks a free one).
        #[arg(long, default_value_t = min_node::config::DEFAULT_RPC_PORT)]
        port: u16,
        /// Where to keep state: started again on the same directory, the
        /// devnet resumes where it stopped.
        #[arg(long, default_value = min_node::config::DEFAULT_DIR)]
        dir: PathBuf,
        /// Clear the state in the directory and start from genesis.
        #[arg(long, conflicts_with = "ephemeral")]
        reset: bool,
        /// Keep state in memory and a temporary directory removed at exit.
        #[arg(long, conflicts_with = "dir")]
        ephemeral: bool,
        /// The number of funded accounts.
        #[arg(long, default_value_t = 4)]
        accounts: u32,
        /// The seed of every key (validators, faucet, accounts).
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Publish a Min file's contract on a devnet: build it, send its module
    /// and metadata, and wait until every shard holds the package. Prints
    /// the package id, which names the contract for `minc call`.
    Deploy {
        /// The contract's `.min` file.
        file: PathBuf,
        /// The package of a contract it calls, as `MODULE=PACKAGE` (`Gold=9f…`);
        /// one for each contract it calls.
        #[arg(long = "link")]
        links: Vec<String>,
        #[command(flatten)]
        signer: SignerArgs,
    },
    /// Call a procedure of a published contract: run it locally, send the
    /// transaction with the outputs it computed, and wait until it commits.
    Call(CallCommand),
    /// Send a transaction to a devnet, or ask about one.
    Tx {
        #[command(subcommand)]
        command: TxCommand,
    },
}

/// `minc call`: the procedure, its arguments and objects, and the signer.
#[derive(clap::Args)]
struct CallCommand {
    /// The contract's `.min` file (it gives the parameters' types).
    file: PathBuf,
    /// The procedure.
    procedure: String,
    /// Its parameters (not the objects it consumes or reads), as Min literals.
    args: Vec<String>,
    /// The contract's package id, as `minc deploy` printed it.
    #[arg(long)]
    package: String,
    /// An object the procedure consumes, by id; repeat in the order of its parameters.
    #[arg(long = "input")]
    inputs: Vec<String>,
    /// An object the procedure reads by reference (a `Ref` parameter), by
    /// id; repeat in the order of its parameters.
    #[arg(long = "ref")]
    references: Vec<String>,
    /// The shard to create the outputs on when the procedure consumes nothing.
    #[arg(long)]
    shard: Option<u32>,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Who signs a transaction, and where it goes.
#[derive(clap::Args)]
struct SignerArgs {
    /// The devnet's JSON-RPC address.
    #[arg(long, default_value = minc::tx::DEFAULT_RPC)]
    rpc: String,
    /// The signer's ed25519 secret key, 64 hex digits.
    #[arg(long, conflicts_with = "account")]
    key: Option<String>,
    /// Sign with the devnet's funded account of this number (`minc devnet` lists them).
    #[arg(long)]
    account: Option<usize>,
}

#[derive(Subcommand)]
enum TxCommand {
    /// Pay AMOUNT to an address from the coins of a key, and wait until it commits.
    Transfer {
        /// The devnet's JSON-RPC address.
        #[arg(long, default_value = minc::tx::DEFAULT_RPC)]
        rpc: String,
        /// The payer's ed25519 secret key, 64 hex digits (`minc devnet` prints the funded ones).
        #[arg(long)]
        key: String,
        /// The payee's address, 64 hex digits.
        #[arg(long)]
        to: String,
        /// How much to pay.
        #[arg(long)]
        amount: u128,
    },
    /// Print whether a transaction is pending, committed (with its height) or aborted (with the reason).
    Status {
        /// The transaction id, 64 hex digits.
        id: String,
        /// The devnet's JSON-RPC address.
        #[arg(long, default_value = minc::tx::DEFAULT_RPC)]
        rpc: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Help and version are successes; a wrong command line is the user's error (1), not ours (2).
            return if error.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Check { files, format } => on_big_stack(move || check(&files, format)),
        Command::Explain { code } => explain(&code),
        Command::Verify(args) => on_big_stack(move || verify_command::verify(&args)),
        Command::Fmt { files, check } => format(&files, check),
        Command::Test { paths, filter, cases, seed, gas_report, format } => on_big_stack(move || {
            let options = minc::testing::Options {
                filter,
                cases,
                seed,
                gas_report,
                depth_limit: minc::run::CALL_DEPTH_LIMIT,
                color: std::io::stdout().is_terminal(),
            };
            test(&paths, &options, format == TestFormat::Json)
        }),
        Command::Build { file, emit, out_dir } => on_big_stack(move || build(&file, emit, &out_dir)),
        Command::Run { backend, file, function, args } => {
            on_big_stack(move || run(&file, &function, &args, backend.engine()))
        }
        Command::Devnet { shards, validators, port, dir, reset, ephemeral, accounts, seed } => {
            let config = min_node::DevnetConfig {
                shards,
                validators,
                accounts,
                seed,
                rpc_port: port,
                dir,
                reset,
                ephemeral,
                ..min_node::DevnetConfig::default()
            };
            devnet(config)
        }
        Command::Tx { command } => tx(command),
        Command::Deploy { file, links, signer } => on_big_stack(move || deploy(&file, &links, &signer)),
        Command::Call(command) => on_big_stack(move || call(&command)),
    }
}

/// Loads `path` for `deploy` and `call`, printing its diagnostics if it has errors.
fn contract_source(path: &Path) -> Result<(Workspace, SourceFile), ExitCode> {
    let mut workspace = Workspace::new();
    let file = load_or_report(&mut workspace, path).ok_or(ExitCode::from(1))?;
    let diagnostics = workspace.diagnostics(file).to_vec();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(report(&diagnostics, &workspace));
    }
    Ok((workspace, file))
}

/// Prints `result`'s text, or its error with exit code 1.
fn print_outcome(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(text) => {
            eprintln!("error: {text}");
            ExitCode::from(1)
        }
    }
}

/// `minc deploy`.
fn deploy(path: &Path, links: &[String], signer: &SignerArgs) -> ExitCode {
    let (workspace, file) = match contract_source(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    print_outcome((|| {
        let links = links
            .iter()
            .map(|link| {
                let (module, id) =
                    link.split_once('=').ok_or_else(|| format!("--link {link}: write MODULE=PACKAGE"))?;
                let id = hex::decode32(id).map_err(|reason| format!("--link {link}: {reason}"))?;
                Ok((module.to_string(), ObjectId(id)))
            })
            .collect::<Result<std::collections::BTreeMap<_, _>, String>>()?;
        let (rpc, key) = minc::chain::connect(&signer.rpc, signer.key.as_deref(), signer.account)?;
        let deployed = minc::chain::deploy(&workspace, file, &links, &rpc, &key)?;
        Ok(format!(
            "deployed {} ({} bytes of Wasm, {} bytes of metadata) on every shard\n  package     {}\n  transaction {}",
            workspace.module_name(file),
            deployed.bytes.0,
            deployed.bytes.1,
            hex::encode(&deployed.package.0),
            hex::encode(&deployed.transaction.0)
        ))
    })())
}

/// `minc call`.
fn call(command: &CallCommand) -> ExitCode {
    let (workspace, file) = match contract_source(&command.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let signer = &command.signer;
    print_outcome((|| {
        let (rpc, key) = minc::chain::connect(&signer.rpc, signer.key.as_deref(), signer.account)?;
        let package = ObjectId(hex::decode32(&command.package).map_err(|reason| format!("--package: {reason}"))?);
        let ids = |ids: &[String], flag: &str| {
            ids.iter()
                .map(|id| hex::decode32(id).map(ObjectId).map_err(|reason| format!("{flag} {id}: {reason}")))
                .collect::<Result<Vec<_>, _>>()
        };
        let (inputs, references) = (ids(&command.inputs, "--input")?, ids(&command.references, "--ref")?);
        let options = minc::chain::CallOptions {
            package,
            procedure: &command.procedure,
            args: &command.args,
            inputs: &inputs,
            references: &references,
            shard: command.shard.map(ShardId),
        };
        let called = minc::chain::call(&workspace, file, &rpc, &key, &options)?;
        let mut lines = vec![format!(
            "{} committed (gas {})\n  transaction {}",
            called.procedure,
            called.gas_used,
            hex::encode(&called.transaction.0)
        )];
        lines.extend(called.calls.iter().map(|(procedure, gas)| format!("  called {procedure} (gas {gas})")));
        lines.extend(
            called.created.iter().map(|(id, ty, value)| format!("  created {} : {ty} = {value}", hex::encode(&id.0))),
        );
        lines.extend(called.returns.iter().map(|value| format!("  returned {value}")));
        lines.extend(called.events.iter().map(|(ty, value)| format!("  logged {ty} = {value}")));
        Ok(lines.join("\n"))
    })())
}

/// Runs a devnet until Ctrl-C, printing what started.
fn devnet(config: min_node::DevnetConfig) -> ExitCode {
    let ready = |started: &min_node::Started| println!("{}\nPress Ctrl-C to stop.", started.summary());
    match min_node::run(config, min_node::devnet::ctrl_c(), ready) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

/// Sends a transaction or asks about one.
fn tx(command: TxCommand) -> ExitCode {
    print_outcome(match command {
        TxCommand::Transfer { rpc, key, to, amount } => minc::tx::transfer(&rpc, &key, &to, amount),
        TxCommand::Status { id, rpc } => minc::tx::status(&rpc, &id),
    })
}

/// What `minc build` produces.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Emit {
    /// The core IR of the file's module, as text.
    Ir,
    /// The low-level IR of the whole program (the module and what it
    /// imports), as the JIT and Wasm backends compile it.
    Lir,
    /// The source with the inferred ownership of each parameter and the
    /// region of each allocation, as `#|` comments.
    Regions,
}

/// What `minc run` runs a program with.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Backend {
    /// The reference interpreter.
    Interp,
    /// Native code from the Cranelift JIT.
    Jit,
    /// The Wasm module under wasmtime.
    Wasm,
}

impl Backend {
    fn engine(self) -> minc::run::Engine {
        match self {
            Backend::Interp => minc::run::Engine::Interpreter,
            Backend::Jit => minc::run::Engine::Jit,
            Backend::Wasm => minc::run::Engine::Wasm,
        }
    }
}

/// How `minc check` prints diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Source excerpts with underlined spans.
    Human,
    /// One line per diagnostic, for logs and editors' problem matchers.
    Short,
    /// A JSON array on standard output, for tools.
    Json,
}

/// How `minc test` prints its outcome.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TestFormat {
    /// One line per test, failures with diagnostics, a summary.
    Human,
    /// One JSON object on standard output, for CI.
    Json,
}

/// The checker and the interpreter recurse over the program: run them on a
/// thread whose stack is large (only the pages touched use memory).
fn on_big_stack(job: impl FnOnce() -> ExitCode + Send + 'static) -> ExitCode {
    match std::thread::Builder::new().name("minc".into()).stack_size(minc::run::STACK_BYTES).spawn(job) {
        Ok(handle) => handle.join().unwrap_or(ExitCode::from(2)),
        Err(error) => {
            eprintln!("internal error: cannot start the interpreter thread: {error}");
            ExitCode::from(2)
        }
    }
}

/// Loads a file and the modules it imports, or says why not.
fn load_or_report(workspace: &mut Workspace, path: &std::path::Path) -> Option<min_analysis::db::SourceFile> {
    minc::load::load(workspace, path).map_err(|message| eprintln!("error: {message}")).ok()
}

fn run(path: &std::path::Path, function: &str, args: &[String], engine: minc::run::Engine) -> ExitCode {
    let mut workspace = Workspace::new();
    let Some(file) = load_or_report(&mut workspace, path) else {
        return ExitCode::from(1);
    };
    let warnings: Vec<Diagnostic> = workspace.diagnostics(file).iter().filter(|d| !d.is_error()).cloned().collect();
    if !warnings.is_empty() {
        eprint!("{}", render_terminal(&warnings, &workspace, std::io::stderr().is_terminal()));
    }
    match minc::run::run(&workspace, file, function, args, minc::run::CALL_DEPTH_LIMIT, engine) {
        Ok(value) => {
            print_stdout(&value);
            ExitCode::SUCCESS
        }
        Err(RunError::Compile(diagnostics)) => report(&diagnostics, &workspace),
        Err(RunError::Usage { code, message, help }) => {
            eprintln!("error[{code}]: {message}\n  help: {help}");
            ExitCode::from(1)
        }
        Err(RunError::Runtime(error)) => {
            match error.to_diagnostic() {
                Some(diagnostic) => {
                    eprint!("{}", render_terminal(&[diagnostic], &workspace, std::io::stderr().is_terminal()))
                }
                None => {
                    eprintln!("error[{}]: {}", error.code, error.message);
                    for frame in &error.trace {
                        eprintln!("  in {frame}");
                    }
                }
            }
            ExitCode::from(1)
        }
    }
}

/// Loads every file of `paths` (and what they import), or says why one
/// cannot be read and gives `failure`.
fn load_all(workspace: &mut Workspace, paths: &[PathBuf], failure: u8) -> Result<Vec<SourceFile>, ExitCode> {
    paths.iter().map(|path| load_or_report(workspace, path).ok_or(ExitCode::from(failure))).collect()
}

fn check(paths: &[PathBuf], format: Format) -> ExitCode {
    let mut workspace = Workspace::new();
    let files = match load_all(&mut workspace, paths, 1) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for &file in &files {
        diagnostics.extend(workspace.diagnostics(file).iter().cloned());
    }
    match format {
        Format::Human => report(&diagnostics, &workspace),
        Format::Short => {
            eprint!("{}", render_plain(&diagnostics, &workspace));
            exit_code(&diagnostics)
        }
        Format::Json => {
            print_stdout(&render_json(&diagnostics, &workspace));
            exit_code(&diagnostics)
        }
    }
}

/// Prints a line on standard output; a closed pipe (`minc … | head`) is not an error.
fn print_stdout(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn exit_code(diagnostics: &[Diagnostic]) -> ExitCode {
    if diagnostics.iter().any(Diagnostic::is_error) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn report(diagnostics: &[Diagnostic], sources: &dyn SourceLookup) -> ExitCode {
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

fn build(path: &std::path::Path, emit: Option<Emit>, out_dir: &std::path::Path) -> ExitCode {
    let mut workspace = Workspace::new();
    let Some(file) = load_or_report(&mut workspace, path) else {
        return ExitCode::from(1);
    };
    let diagnostics = workspace.diagnostics(file).to_vec();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return report(&diagnostics, &workspace);
    }
    match emit {
        Some(Emit::Ir) => print_stdout(min_core::module_to_string(&workspace.check(file).core).trim_end()),
        Some(Emit::Lir) => {
            let lowered = min_lir::lower::lower_module(&workspace.program(file), workspace.module_name(file));
            print_stdout(min_lir::program_to_string(&lowered).trim_end())
        }
        Some(Emit::Regions) => print_stdout(minc::regions::annotate(&workspace, file).trim_end()),
        None => return write_artifact(&workspace, file, out_dir),
    }
    ExitCode::SUCCESS
}

/// Builds the Wasm module and metadata of a checked file into `out_dir`.
fn write_artifact(workspace: &Workspace, file: min_analysis::db::SourceFile, out_dir: &std::path::Path) -> ExitCode {
    let artifact = match minc::artifact::build(workspace, file) {
        Ok(artifact) => artifact,
        Err(error) => {
            eprintln!("internal error: the Wasm backend cannot compile this program: {error}");
            return ExitCode::from(2);
        }
    };
    let wasm_path = out_dir.join(format!("{}.wasm", artifact.module));
    let metadata_path = out_dir.join(format!("{}.json", artifact.module));
    let written = std::fs::create_dir_all(out_dir)
        .and_then(|()| std::fs::write(&wasm_path, &artifact.wasm))
        .and_then(|()| std::fs::write(&metadata_path, &artifact.metadata));
    if let Err(error) = written {
        eprintln!("error: cannot write to {}: {error}", out_dir.display());
        return ExitCode::from(1);
    }
    eprintln!(
        "   Built {} → {} ({:.1} KiB, {} export{}) and {}",
        artifact.module,
        wasm_path.display(),
        artifact.wasm.len() as f64 / 1024.0,
        artifact.exports,
        if artifact.exports == 1 { "" } else { "s" },
        metadata_path.display()
    );
    if !artifact.costs.is_empty() {
        eprint!("\n{}", minc::gas_bound::table(&artifact.costs, &artifact.procedures));
        eprintln!("\n  interface {}", artifact.interface);
        for called in &artifact.calls {
            eprintln!("  calls {} through interface {}", called.module, called.interface);
        }
    }
    ExitCode::SUCCESS
}

fn format(paths: &[PathBuf], check: bool) -> ExitCode {
    let mut unformatted = 0;
    let mut failed = false;
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {}: {error}", path.display());
                failed = true;
                continue;
            }
        };
        match min_syntax::format::format(&text) {
            Ok(formatted) if formatted == text => {}
            Ok(_) if check => {
                eprintln!("{} is not formatted", path.display());
                unformatted += 1;
            }
            Ok(formatted) => {
                if let Err(error) = std::fs::write(path, formatted) {
                    eprintln!("error: cannot write {}: {error}", path.display());
                    failed = true;
                }
            }
            Err(diagnostics) => {
                eprintln!("error: {} has syntax errors and was not formatted:", path.display());
                let mut workspace = Workspace::new();
                let file = workspace.add_file(&path.display().to_string(), text);
                let syntax: Vec<Diagnostic> = workspace
                    .diagnostics(file)
                    .iter()
                    .filter(|d| diagnostics.iter().any(|s| s.code == d.code && s.span.start == d.span.start))
                    .cloned()
                    .collect();
                eprint!("{}", render_terminal(&syntax, &workspace, std::io::stderr().is_terminal()));
                failed = true;
            }
        }
    }
    if failed || unformatted > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// `minc test`.
fn test(paths: &[PathBuf], options: &minc::testing::Options, json: bool) -> ExitCode {
    use minc::testing::{TestError, collect_files, report, run_files};
    match collect_files(paths).and_then(|files| run_files(&files, options)) {
        Ok(outcome) => {
            if json {
                print_stdout(&report::json(&outcome));
            } else {
                print_stdout(report::human(&outcome).trim_end());
            }
            ExitCode::from(report::exit_code(&outcome))
        }
        Err(TestError::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(TestError::Compile(rendered)) => {
            eprint!("{rendered}");
            eprintln!("error: the program has errors; no test ran");
            ExitCode::from(1)
        }
        Err(TestError::Internal(message)) => {
            eprintln!("internal error: {message}");
            ExitCode::from(2)
        }
    }
}

fn explain(name: &str) -> ExitCode {
    match Code::from_name(name) {
        Some(code) => {
            print_stdout(code.info().explanation.trim_end());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: `{name}` is not a Min error code; codes look like E0201");
            ExitCode::from(1)
        }
    }
}
