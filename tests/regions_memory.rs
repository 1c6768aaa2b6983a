//! Regions really are freed: a million calls of a function that builds a
//! term, rewrites it everywhere and measures it leave the run-time
//! library's memory exactly where the first thousand calls left it, on the
//! JIT and on Wasm. Measured with the region allocator's own counters.

use min_analysis::Workspace;
use min_interp::Value;
use min_lir::host::Backend;
use min_rt::Session;
use min_tests::root;

/// Calls after the warm-up; `MIN_MEMORY_CALLS` overrides.
fn calls() -> u64 {
    std::env::var("MIN_MEMORY_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000)
}

fn calls_keep_memory_flat<B: Backend>(compile: impl FnOnce(&min_lir::Program) -> B) {
    let mut workspace = Workspace::new();
    let path = root().join("benches/programs/workloads.min");
    let file = minc::load::load(&mut workspace, &path).expect("the workloads load");
    let program = workspace.program(file);
    let lowered = min_lir::lower::lower(&program);
    let mut session = Session::new(compile(&lowered), &lowered, 10_000).expect("a session starts");
    let function = format!("{}.terms", workspace.module_name(file));
    let args = [Value::Nat(5)];
    let mut call = || session.call(&lowered, &function, &args).expect("terms runs").to_string();
    // A tree of depth 5 has 63 nodes; the rewrite turns every `|` over `&` into an `If`.
    let expected = call();
    for _ in 0..1_000 {
        assert_eq!(call(), expected);
    }
    let warm = session.stats();
    for _ in 0..calls() {
        session.call(&lowered, &function, &args).expect("terms runs");
    }
    let after = session.stats();
    assert_eq!(after.chunks_from_system, warm.chunks_from_system, "memory grew: {warm:?} → {after:?}");
    assert_eq!(after.bytes_in_use, warm.bytes_in_use, "regions were not freed: {warm:?} → {after:?}");
}

#[test]
fn a_million_jit_calls_keep_memory_flat() {
    calls_keep_memory_flat(|program| min_jit::JitBackend::compile(program).expect("the JIT compiles"));
}

#[test]
fn a_million_wasm_calls_keep_memory_flat() {
    calls_keep_memory_flat(|program| {
        min_wasm::WasmBackend::compile(program, min_wasm::WASM_STACK_BYTES_DEFAULT).expect("Wasm compiles")
    });
}
