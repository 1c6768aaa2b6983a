//! Blocks, breaks, ifs, selects, direct and indirect calls, tail calls in
//! constant stack, and traps.

mod support;

use min_lir::host::Backend;
use min_lir::{BinOp, Expr, Helper, Static, StaticWord, Stmt, UnOp, abi};
use min_wasm::WasmBackend;
use support::{StandInHost, backend, bin, c, func, load, program, ret, run, un, v};

/// `x < 10` → 200, `x < 20` → 100, otherwise 300, through breaks out of
/// ifs nested in blocks.
#[test]
fn breaks_leave_the_labelled_block() {
    let lt = |bound| bin(BinOp::LtS, v(0), c(bound));
    let body = vec![
        Stmt::Set(1, c(100)),
        Stmt::Block(
            0,
            vec![
                Stmt::Block(
                    1,
                    vec![
                        Stmt::If(lt(10), vec![Stmt::Break(1)], vec![Stmt::If(lt(20), vec![Stmt::Break(0)], vec![])]),
                        Stmt::Set(1, c(300)),
                        Stmt::Break(0),
                    ],
                ),
                Stmt::Set(1, c(200)),
            ],
        ),
        ret(v(1)),
    ];
    let mut backend = backend(&program(vec![func("classify", 1, 2, body)]));
    let mut host = StandInHost::default();
    for (x, expected) in [(3, 200), (9, 200), (10, 100), (19, 100), (20, 300), (1000, 300)] {
        assert_eq!(backend.invoke(0, &[x], &mut host), expected, "classify {x}");
    }
}

#[test]
fn if_runs_one_branch_and_select_picks_one_value() {
    let body =
        vec![Stmt::If(v(0), vec![ret(c(1))], vec![ret(Expr::Select(Box::new(v(1)), Box::new(c(2)), Box::new(c(3))))])];
    let program = program(vec![func("pick", 2, 2, body)]);
    assert_eq!(run(&program, 0, &[5, 0]), 1);
    assert_eq!(run(&program, 0, &[0, 7]), 2);
    assert_eq!(run(&program, 0, &[0, 0]), 3);
    assert_eq!(run(&program, 0, &[0, 1 << 40]), 2, "the whole word is the condition");
}

#[test]
fn direct_calls_pass_arguments_and_results() {
    let square = func("square", 1, 1, vec![ret(bin(BinOp::Mul, v(0), v(0)))]);
    let sum = func(
        "sum",
        2,
        3,
        vec![Stmt::Set(2, Expr::Call(1, vec![v(0)])), ret(bin(BinOp::Add, v(2), Expr::Call(1, vec![v(1)])))],
    );
    assert_eq!(run(&program(vec![sum, square]), 0, &[3, 4]), 25);
}

/// The closure of the ABI: a static object whose word 1 is the code of a
/// function of (dest, scratch, closure, argument).
fn closure_program(tail: bool) -> min_lir::Program {
    let closure = Expr::Static(0);
    let code = load(un(UnOp::Untag, closure.clone()), 8);
    let args = vec![v(0), v(1), closure.clone(), v(2)];
    let apply = if tail {
        func("apply", 3, 3, vec![Stmt::TailCallIndirect(code, args)])
    } else {
        func("apply", 3, 3, vec![ret(Expr::CallIndirect(Box::new(code), args))])
    };
    // 3x + 1 if it got its own closure.
    let body = vec![ret(bin(BinOp::Add, bin(BinOp::Mul, v(3), c(3)), bin(BinOp::Eq, v(2), Expr::Static(0))))];
    let triple = func("triple", 4, 4, body);
    let mut program = program(vec![apply, triple]);
    let header = abi::header(abi::Kind::Closure, 1, 0);
    program.statics = vec![Static { words: vec![StaticWord::Raw(header), StaticWord::Code(1)] }];
    program
}

#[test]
fn indirect_calls_go_through_a_closure_code_word() {
    assert_eq!(run(&closure_program(false), 0, &[0, 0, 14]), 43);
    assert_eq!(run(&closure_program(true), 0, &[0, 0, 14]), 43);
}

#[test]
fn code_words_are_callable() {
    let double = func("double", 1, 1, vec![ret(bin(BinOp::Add, v(0), v(0)))]);
    let call =
        func("call", 1, 2, vec![Stmt::Set(1, Expr::Code(1)), ret(Expr::CallIndirect(Box::new(v(1)), vec![v(0)]))]);
    assert_eq!(run(&program(vec![call, double]), 0, &[21]), 42);
}

/// Operands are evaluated left to right, also where Wasm wants the code
/// word (or the condition) after the other operands.
#[test]
fn code_and_conditions_are_evaluated_first() {
    let effect = |helper, arg| Expr::Helper(helper, if arg { vec![c(5)] } else { vec![] });
    let zero = |e| bin(BinOp::And, e, c(0));
    let code = bin(BinOp::Add, Expr::Code(1), zero(effect(Helper::DepthExceeded, false)));
    let call = func("call", 0, 0, vec![ret(Expr::CallIndirect(Box::new(code), vec![effect(Helper::CellCycle, true)]))]);
    let select = func(
        "select",
        0,
        0,
        vec![ret(Expr::Select(
            Box::new(zero(effect(Helper::DepthExceeded, false))),
            Box::new(effect(Helper::CellCycle, true)),
            Box::new(c(9)),
        ))],
    );
    let identity = func("identity", 1, 1, vec![ret(v(0))]);
    let mut backend = backend(&program(vec![call, identity, select]));
    for function in [0, 2] {
        let mut host = StandInHost::default();
        let result = backend.invoke(function, &[], &mut host);
        let helpers: Vec<Helper> = host.calls.iter().map(|(helper, _)| *helper).collect();
        assert_eq!(helpers, [Helper::DepthExceeded, Helper::CellCycle], "f{function}");
        let expected = if function == 0 { StandInHost::answer(Helper::CellCycle, &[5]) } else { 9 };
        assert_eq!(result, expected, "f{function}");
    }
}

/// `count(n, acc)` = `acc + n`, by a million tail calls: far more frames
/// than the default Wasm stack limit holds, so they run in constant stack.
#[test]
fn a_million_tail_calls_run_in_constant_stack() {
    let count = func(
        "count",
        2,
        2,
        vec![
            Stmt::If(bin(BinOp::Eq, v(0), c(0)), vec![ret(v(1))], vec![]),
            Stmt::TailCall(0, vec![bin(BinOp::Sub, v(0), c(1)), bin(BinOp::Add, v(1), c(1))]),
        ],
    );
    assert_eq!(run(&program(vec![count]), 0, &[1_000_000, 5]), 1_000_005);
}

/// `even` and `odd` call each other in tail position through code words.
#[test]
fn a_million_indirect_tail_calls_run_in_constant_stack() {
    let parity = |other, at_zero| {
        vec![
            Stmt::If(bin(BinOp::Eq, v(0), c(0)), vec![ret(c(at_zero))], vec![]),
            Stmt::TailCallIndirect(Expr::Code(other), vec![bin(BinOp::Sub, v(0), c(1))]),
        ]
    };
    let program = program(vec![func("even", 1, 1, parity(1, 1)), func("odd", 1, 1, parity(0, 0))]);
    let mut backend = backend(&program);
    assert_eq!(backend.invoke(0, &[1_000_000], &mut StandInHost::default()), 1);
    assert_eq!(backend.invoke(1, &[1_000_001], &mut StandInHost::default()), 1);
}

/// `sum(n)` = `n + sum(n - 1)`, not in tail position.
fn sum_program() -> min_lir::Program {
    let sum = func(
        "sum",
        1,
        1,
        vec![
            Stmt::If(bin(BinOp::Eq, v(0), c(0)), vec![ret(c(0))], vec![]),
            ret(bin(BinOp::Add, v(0), Expr::Call(0, vec![bin(BinOp::Sub, v(0), c(1))]))),
        ],
    );
    program(vec![sum])
}

#[test]
fn a_stack_overflow_is_a_trap_and_the_backend_still_works() {
    let mut backend = backend(&sum_program());
    let mut host = StandInHost::default();
    assert_eq!(backend.invoke(0, &[1_000_000], &mut host), abi::FAIL);
    let trap = backend.last_trap().expect("a trap");
    assert!(trap.contains("call stack exhausted"), "{trap}");
    assert_eq!(backend.invoke(0, &[100], &mut host), 5050);
    assert_eq!(backend.last_trap(), None);
}

#[test]
fn deep_recursion_runs_with_a_big_stack_and_limit() {
    let stack_bytes = 1 << 30;
    // Made here and moved: a backend may run on another thread than the one
    // that made it.
    let mut backend = WasmBackend::compile(&sum_program(), stack_bytes / 2).expect("compiles");
    let thread = std::thread::Builder::new()
        .stack_size(stack_bytes)
        .spawn(move || backend.invoke(0, &[1_000_000], &mut StandInHost::default()));
    assert_eq!(thread.expect("spawns").join().expect("runs"), 500_000_500_000);
}

#[test]
fn falling_off_the_end_is_a_trap() {
    let program = program(vec![func("nothing", 0, 0, vec![Stmt::Drop(c(1))])]);
    let mut backend = backend(&program);
    assert_eq!(backend.invoke(0, &[], &mut StandInHost::default()), abi::FAIL);
    let trap = backend.last_trap().expect("a trap");
    assert!(trap.contains("unreachable"), "{trap}");
}

#[test]
fn an_access_outside_memory_is_a_trap() {
    let program = program(vec![func("far", 0, 0, vec![ret(load(c(0xFFFF_FFF0), 0))])]);
    let mut backend = backend(&program);
    assert_eq!(backend.invoke(0, &[], &mut StandInHost::default()), abi::FAIL);
    let trap = backend.last_trap().expect("a trap");
    assert!(trap.contains("out of bounds"), "{trap}");
}
