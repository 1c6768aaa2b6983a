//! The three engines — the reference interpreter, the Cranelift JIT and Wasm
//! under wasmtime — on the workloads of `benches/programs/workloads.min`,
//! against the same algorithms in plain Rust (`min_benches::baseline`) in
//! the same run; and the time to lower and compile each example.
//!
//! Programs are checked, lowered and compiled, and sessions started, outside
//! the timed part. Each engine's result is compared with Rust's once before
//! timing.

use divan::Bencher;
use divan::counter::ItemsCount;
use min_benches::baseline;
use min_interp::{Machine, Value};
use min_rt::Session;

/// The allocator `minc` uses, so that the numbers are `minc`'s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How deep Min calls may nest: `range 1 n`, `map` and `filter` nest n deep.
const DEPTH_LIMIT: usize = 200_000;

/// The Wasm stack for [`DEPTH_LIMIT`] nested calls (wasmtime runs Wasm on
/// the thread's own stack).
const WASM_STACK_BYTES: usize = 256 << 20;

/// The stack of the thread the benchmarks run on: deep enough for the
/// interpreter (about 1 KiB per nested call) and for [`WASM_STACK_BYTES`].
const STACK_BYTES: usize = 1 << 30;

fn main() {
    assert_examples_listed();
    // Divan runs the benchmarks on the thread that calls it.
    std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(divan::main)
        .expect("the benchmark thread starts")
        .join()
        .expect("the benchmarks pass");
}

/// What a workload computes, compared between engines.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Real(u64),
    Nat(u128),
}

impl Outcome {
    fn of(value: Value<'_>) -> Outcome {
        match value {
            Value::Real(x) => Outcome::Real(x.to_bits()),
            Value::Nat(n) => Outcome::Nat(n),
            other => panic!("a workload returned {other}"),
        }
    }
}

#[derive(Clone, Copy)]
enum Engine {
    Interpreter,
    Jit,
    Wasm,
}

/// The checked workloads program and its module's name.
fn workloads() -> (Vec<min_core::Module>, String) {
    let mut workspace = min_analysis::Workspace::new();
    let file = minc::load::load(&mut workspace, &min_benches::workloads_path()).expect("the workloads load");
    assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
    (workspace.program(file), workspace.module_name(file).to_string())
}

/// Times `function` of the workloads on `args` with `engine`, after
/// checking that it computes `expected`.
fn bench_engine(bencher: Bencher, engine: Engine, function: &str, args: &[Value<'static>], expected: Outcome) {
    let (program, module) = workloads();
    let name = format!("{module}.{function}");
    match engine {
        Engine::Interpreter => {
            let machine = Machine::new(&program).with_depth_limit(DEPTH_LIMIT);
            let call = || Outcome::of(machine.call(&name, args.to_vec()).expect("the workload runs"));
            assert_eq!(call(), expected, "the interpreter disagrees with Rust on {function}");
            bencher.bench_local(call);
        }
        Engine::Jit | Engine::Wasm => {
            let lowered = min_lir::lower::lower_module(&program, &module);
            let mut call: Box<dyn FnMut() -> Outcome + '_> = match engine {
                Engine::Jit => {
                    let backend = min_jit::JitBackend::compile(&lowered).expect("the JIT compiles");
                    let mut session = Session::new(backend, &lowered, DEPTH_LIMIT).expect("a session starts");
                    Box::new(move || Outcome::of(session.call(&lowered, &name, args).expect("the workload runs")))
                }
                _ => {
                    let backend = min_wasm::WasmBackend::compile(&lowered, WASM_STACK_BYTES).expect("Wasm compiles");
                    let mut session = Session::new(backend, &lowered, DEPTH_LIMIT).expect("a session starts");
                    Box::new(move || Outcome::of(session.call(&lowered, &name, args).expect("the workload runs")))
                }
            };
            assert_eq!(call(), expected, "compiled code disagrees with Rust on {function}");
            bencher.bench_local(call);
        }
    }
}

/// Black–Scholes prices at strikes 40.001 … 40 + n/1000; the argument is
/// n, the number of prices per iteration (the throughput column is prices
/// per second).
mod prices {
    use super::*;

    /// A million prices; the interpreter is timed on a tenth of that.
    const N: u64 = 1_000_000;
    const N_INTERPRETER: u64 = 100_000;

    fn bench(bencher: Bencher, engine: Engine, n: u64) {
        let expected = Outcome::Real(baseline::prices(n, 0.0).to_bits());
        let args = [Value::Nat(u128::from(n)), Value::Real(0.0)];
        bench_engine(bencher.counter(ItemsCount::new(n)), engine, "prices", &args, expected);
    }

    #[divan::bench(args = [N], sample_count = 5, sample_size = 1)]
    fn rust(bencher: Bencher, n: u64) {
        bencher.counter(ItemsCount::new(n)).bench_local(|| baseline::prices(divan::black_box(n), 0.0));
    }

    #[divan::bench(args = [N_INTERPRETER], sample_count = 5, sample_size = 1)]
    fn interp(bencher: Bencher, n: u64) {
        bench(bencher, Engine::Interpreter, n);
    }

    #[divan::bench(args = [N], sample_count = 5, sample_size = 1)]
    fn jit(bencher: Bencher, n: u64) {
        bench(bencher, Engine::Jit, n);
    }

    #[divan::bench(args = [N], sample_count = 5, sample_size = 1)]
    fn wasm(bencher: Bencher, n: u64) {
        bench(bencher, Engine::Wasm, n);
    }
}

/// Build a complete `&`/`|` tree of depth d, rewrite it everywhere bottom
/// up, count its nodes; the argument is d.
mod terms {
    use super::*;

    /// The tree built has 2^17 - 1 = 131,071 nodes.
    const D: u32 = 16;

    fn bench(bencher: Bencher, engine: Engine, d: u32) {
        let expected = Outcome::Nat(baseline::terms(d) as u128);
        bench_engine(bencher, engine, "terms", &[Value::Nat(u128::from(d))], expected);
    }

    #[divan::bench(args = [D], sample_count = 20, sample_size = 1)]
    fn rust(bencher: Bencher, d: u32) {
        bencher.bench_local(|| baseline::terms(divan::black_box(d)));
    }

    #[divan::bench(args = [D], sample_count = 5, sample_size = 1)]
    fn interp(bencher: Bencher, d: u32) {
        bench(bencher, Engine::Interpreter, d);
    }

    #[divan::bench(args = [D], sample_count = 20, sample_size = 1)]
    fn jit(bencher: Bencher, d: u32) {
        bench(bencher, Engine::Jit, d);
    }

    #[divan::bench(args = [D], sample_count = 20, sample_size = 1)]
    fn wasm(bencher: Bencher, d: u32) {
        bench(bencher, Engine::Wasm, d);
    }
}

/// `sum (filter (λx → x % 3 == 0) (map (λx → 2 x) (range 1 n)))`; the
/// argument is n.
mod lists {
    use super::*;

    const N: u128 = 100_000;

    fn bench(bencher: Bencher, engine: Engine, n: u128) {
        let expected = Outcome::Nat(baseline::lists(n).expect("no overflow"));
        bench_engine(bencher, engine, "lists", &[Value::Nat(n)], expected);
    }

    /// Three vectors, as Min builds three lists.
    #[divan::bench(args = [N], sample_count = 20, sample_size = 1)]
    fn rust(bencher: Bencher, n: u128) {
        bencher.bench_local(|| baseline::lists(divan::black_box(n)));
    }

    /// One iterator chain and no vector: the Rust a programmer would write.
    #[divan::bench(args = [N], sample_count = 20, sample_size = 1)]
    fn rust_fused(bencher: Bencher, n: u128) {
        bencher.bench_local(|| baseline::lists_fused(divan::black_box(n)));
    }

    #[divan::bench(args = [N], sample_count = 5, sample_size = 1)]
    fn interp(bencher: Bencher, n: u128) {
        bench(bencher, Engine::Interpreter, n);
    }

    #[divan::bench(args = [N], sample_count = 20, sample_size = 1)]
    fn jit(bencher: Bencher, n: u128) {
        bench(bencher, Engine::Jit, n);
    }

    #[divan::bench(args = [N], sample_count = 20, sample_size = 1)]
    fn wasm(bencher: Bencher, n: u128) {
        bench(bencher, Engine::Wasm, n);
    }
}

/// Every program in `examples/`, by file name without `.min`.
const EXAMPLES: &[&str] = &[
    "bank",
    "black_scholes",
    "coins",
    "json",
    "ledger",
    "lists",
    "marketplace",
    "oracle",
    "rewrite",
    "shapes",
    "term",
    "tips",
    "token",
    "vote",
];

fn examples_folder() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Fails when `examples/` and [`EXAMPLES`] disagree, so that no example goes
/// unmeasured.
fn assert_examples_listed() {
    let mut found: Vec<String> = std::fs::read_dir(examples_folder())
        .expect("the examples folder")
        .filter_map(|entry| entry.expect("an entry").file_name().to_str()?.strip_suffix(".min").map(String::from))
        .collect();
    found.sort();
    assert_eq!(found, EXAMPLES, "list every example of `examples/` in EXAMPLES");
}

/// Lowering a checked example to the LIR and compiling it with what it uses
/// of the modules it imports (as `minc` does), ready to run; checking is not timed.
mod compile {
    use super::*;

    /// The checked example and its module's name.
    fn checked(example: &str) -> (Vec<min_core::Module>, String) {
        let mut workspace = min_analysis::Workspace::new();
        let path = examples_folder().join(format!("{example}.min"));
        let file = minc::load::load(&mut workspace, &path).expect("the example loads");
        assert!(workspace.diagnostics(file).is_empty(), "{example}: {:?}", workspace.diagnostics(file));
        (workspace.program(file), workspace.module_name(file).to_string())
    }

    /// Lowering alone: the part of `jit` and `wasm` that is not code generation.
    #[divan::bench(args = EXAMPLES, sample_count = 10, sample_size = 1)]
    fn lower(bencher: Bencher, example: &str) {
        let (program, module) = checked(example);
        bencher.bench_local(|| min_lir::lower::lower_module(divan::black_box(&program), &module));
    }

    #[divan::bench(args = EXAMPLES, sample_count = 10, sample_size = 1)]
    fn jit(bencher: Bencher, example: &str) {
        let (program, module) = checked(example);
        bencher.bench_local(|| {
            let lowered = min_lir::lower::lower_module(divan::black_box(&program), &module);
            min_jit::JitBackend::compile(&lowered).expect("the JIT compiles")
        });
    }

    #[divan::bench(args = EXAMPLES, sample_count = 10, sample_size = 1)]
    fn wasm(bencher: Bencher, example: &str) {
        let (program, module) = checked(example);
        bencher.bench_local(|| {
            let lowered = min_lir::lower::lower_module(divan::black_box(&program), &module);
            min_wasm::WasmBackend::compile(&lowered, min_wasm::WASM_STACK_BYTES_DEFAULT).expect("Wasm compiles")
        });
    }
}
