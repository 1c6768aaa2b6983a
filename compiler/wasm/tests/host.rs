//! What the program shares with the run-time library: helper calls, linear
//! memory, VM variables, cells and static objects.

mod support;

use std::collections::BTreeSet;

use min_lir::host::Backend;
use min_lir::{Expr, Helper, Static, StaticWord, Stmt, UnOp, VmVar, abi};
use min_wasm::abi::{PAGE_BYTES, STATIC_BASE, code_word};
use support::{PROBE, StandInHost, backend, bin, c, func, load, program, ret, un, v};

#[test]
fn every_helper_gets_its_arguments_and_gives_its_result() {
    let arities: BTreeSet<usize> = Helper::ALL.iter().map(|helper| helper.arity()).collect();
    assert_eq!(arities, (0..=5).collect(), "the helpers cover every arity");
    // Prim1's first argument is not PROBE, and RegionGrow gets its own test.
    let helpers: Vec<Helper> = Helper::ALL.into_iter().filter(|helper| *helper != Helper::RegionGrow).collect();
    let functions = helpers
        .iter()
        .map(|helper| {
            let args = (0..helper.arity() as u64).map(|i| c(100 + i)).collect();
            func(helper.name(), 1, 1, vec![ret(bin(min_lir::BinOp::Xor, Expr::Helper(*helper, args), v(0)))])
        })
        .collect();
    let mut backend = backend(&program(functions));
    for (id, helper) in helpers.into_iter().enumerate() {
        let mut host = StandInHost::default();
        let result = backend.invoke(id as u32, &[0xFF], &mut host);
        let args: Vec<u64> = (0..helper.arity() as u64).map(|i| 100 + i).collect();
        assert_eq!(result, StandInHost::answer(helper, &args) ^ 0xFF, "{}", helper.name());
        assert_eq!(host.calls, [(helper, args)]);
    }
}

/// The program gets memory from the host, stores a word there, and the host
/// reads it and stores another next to it.
#[test]
fn host_and_program_share_memory() {
    let body = vec![
        Stmt::Set(0, Expr::Helper(Helper::RegionGrow, vec![Expr::Cell(0), c(16)])),
        Stmt::Store(v(0), 0, c(41)),
        Stmt::Set(1, Expr::Helper(Helper::Prim1, vec![c(PROBE), v(0), c(0), c(abi::NO_SPAN)])),
        ret(bin(min_lir::BinOp::Add, bin(min_lir::BinOp::Mul, load(v(0), 8), c(1000)), v(1))),
    ];
    let mut program = program(vec![func("share", 0, 2, body)]);
    program.cells = 1;
    let mut backend = backend(&program);
    let mut host = StandInHost::default();
    assert_eq!(backend.invoke(0, &[], &mut host), 42_041);

    let heap_base = STATIC_BASE + 8;
    assert_eq!(host.calls[0], (Helper::RegionGrow, vec![STATIC_BASE, 16]));
    assert_eq!(host.calls[1].1[1], heap_base, "the first memory handed out is at the heap base");
    let memory = backend.memory();
    assert_eq!(memory.load(STATIC_BASE), heap_base + 16, "the host's store into the cell");
    assert_eq!(memory.load(heap_base), 41);
    assert_eq!(memory.load(heap_base + 8), 42);
}

#[test]
fn memory_grows_by_pages_and_is_zero() {
    let mut backend = backend(&program(vec![func("unit", 0, 0, vec![ret(c(abi::UNIT))])]));
    let memory = backend.memory();
    let first = memory.grow(3 * PAGE_BYTES).expect("room");
    let second = memory.grow(16).expect("room");
    assert_eq!(first, STATIC_BASE);
    assert_eq!(second, first + 3 * PAGE_BYTES);
    assert!(memory.read(first, 3 * PAGE_BYTES as usize + 16).iter().all(|byte| *byte == 0));
    memory.write(second + 3, b"min");
    assert_eq!(memory.load(second), u64::from_le_bytes(*b"\0\0\0min\0\0"));
    memory.store(second + 8, 7);
    assert_eq!(memory.read(second + 8, 2), [7, 0]);
    assert_eq!(memory.grow(1 << 33), None, "a 32-bit memory holds 4 GiB");
    assert_eq!(memory.grow(8), Some(second + 16), "a failed grow takes nothing");
}

#[test]
fn vm_variables_are_shared_with_the_program() {
    let vars = [VmVar::Depth, VmVar::DepthLimit, VmVar::RegionTop, VmVar::StaticRegion];
    let mut functions = Vec::new();
    for var in vars {
        functions.push(func(&format!("get_{var:?}"), 0, 0, vec![ret(bin(min_lir::BinOp::Add, Expr::Vm(var), c(1)))]));
        functions.push(func(&format!("set_{var:?}"), 1, 1, vec![Stmt::SetVm(var, v(0)), ret(c(0))]));
    }
    let mut backend = backend(&program(functions));
    let mut host = StandInHost::default();
    for (index, var) in vars.into_iter().enumerate() {
        let (get, set) = (2 * index as u32, 2 * index as u32 + 1);
        assert_eq!(backend.vm(var), 0, "{var:?} starts at zero");
        backend.set_vm(var, 10 + index as u64);
        assert_eq!(backend.invoke(get, &[], &mut host), 11 + index as u64, "{var:?}");
        backend.invoke(set, &[u64::MAX - index as u64], &mut host);
        assert_eq!(backend.vm(var), u64::MAX - index as u64, "{var:?}");
    }
}

#[test]
fn cells_start_empty_and_keep_what_is_stored() {
    let functions = vec![
        func("get", 0, 0, vec![ret(load(Expr::Cell(1), 0))]),
        func("set", 1, 1, vec![Stmt::Store(Expr::Cell(1), 0, v(0)), ret(c(0))]),
        func("get_back", 0, 0, vec![ret(load(bin(min_lir::BinOp::Add, Expr::Cell(1), c(8)), -8))]),
    ];
    let mut program = program(functions);
    program.cells = 2;
    let mut backend = backend(&program);
    let mut host = StandInHost::default();
    assert_eq!(backend.invoke(0, &[], &mut host), abi::CELL_EMPTY);
    backend.invoke(1, &[abi::TRUE], &mut host);
    assert_eq!(backend.invoke(0, &[], &mut host), abi::TRUE);
    assert_eq!(backend.invoke(2, &[], &mut host), abi::TRUE);
    assert_eq!(backend.memory().load(STATIC_BASE), abi::CELL_EMPTY, "cell 0 is untouched");
}

#[test]
fn statics_are_laid_out_before_the_program_runs() {
    let tuple = abi::header(abi::Kind::Tuple, 2, 0);
    let pair = Static { words: vec![StaticWord::Raw(tuple), StaticWord::Object(1), StaticWord::Code(1)] };
    let functions = vec![
        func("pair", 0, 0, vec![ret(Expr::Static(0))]),
        func("first_of_pair", 0, 0, vec![ret(load(un(UnOp::Untag, Expr::Static(0)), 8))]),
    ];
    let mut program = program(functions);
    program.statics = vec![pair, Static::string("hello, Min")];
    program.cells = 1;
    let mut backend = backend(&program);
    let mut host = StandInHost::default();
    let pair_word = backend.invoke(0, &[], &mut host);
    let string_word = backend.invoke(1, &[], &mut host);
    assert_eq!(pair_word, abi::pointer_word(STATIC_BASE));
    assert_eq!(string_word, abi::pointer_word(STATIC_BASE + 24));

    let memory = backend.memory();
    assert_eq!(memory.load(STATIC_BASE), tuple);
    assert_eq!(memory.load(STATIC_BASE + 16), code_word(1));
    assert_eq!(memory.load(STATIC_BASE + 24), abi::header(abi::Kind::Str, 10, 0));
    assert_eq!(memory.read(STATIC_BASE + 32, 16), b"hello, Min\0\0\0\0\0\0");
    assert_eq!(memory.load(STATIC_BASE + 48), abi::CELL_EMPTY);
    assert_eq!(memory.grow(8), Some(STATIC_BASE + 56), "the heap starts after the cell");
}
