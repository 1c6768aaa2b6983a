//! Blocks, breaks, conditionals and tail calls.

use min_lir::{BinOp, Expr, Stmt};

use crate::support::*;

/// `classify(x)`: 1 for a negative, 2 for zero, 3 for a positive.
fn classify() -> min_lir::Function {
    function(
        "classify",
        1,
        2,
        vec![
            Stmt::Block(
                0,
                vec![
                    Stmt::Block(
                        1,
                        vec![
                            if_(bin(BinOp::LtS, v(0), c(0)), vec![Stmt::Set(1, c(1)), Stmt::Break(0)], vec![]),
                            if_(bin(BinOp::Eq, v(0), c(0)), vec![Stmt::Break(1)], vec![Stmt::Set(1, c(3))]),
                            Stmt::Break(0),
                            // Never reached: skipped, not compiled.
                            Stmt::Set(1, c(99)),
                        ],
                    ),
                    Stmt::Set(1, c(2)),
                ],
            ),
            ret(v(1)),
        ],
    )
}

#[test]
fn blocks_breaks_and_ifs() {
    let mut backend = compile(&program(vec![classify()]));
    assert_eq!(run(&mut backend, 0, &[-5i64 as u64]), 1);
    assert_eq!(run(&mut backend, 0, &[0]), 2);
    assert_eq!(run(&mut backend, 0, &[8]), 3);
}

#[test]
fn variables_start_at_zero_and_code_after_a_return_is_skipped() {
    let body = vec![
        if_(v(0), vec![ret(c(10)), Stmt::Set(1, c(5))], vec![Stmt::Set(1, bin(BinOp::Add, v(1), c(20)))]),
        Stmt::Block(3, vec![ret(v(1)), Stmt::Break(3)]),
        ret(c(30)),
    ];
    let mut backend = compile(&program(vec![function("f", 1, 2, body)]));
    assert_eq!(run(&mut backend, 0, &[1]), 10);
    assert_eq!(run(&mut backend, 0, &[0]), 20);
}

#[test]
fn an_if_whose_branches_both_leave_ends_the_list() {
    let body = vec![if_(v(0), vec![ret(c(1))], vec![ret(c(2))]), Stmt::Drop(c(3))];
    let mut backend = compile(&program(vec![function("f", 1, 1, body)]));
    assert_eq!(run(&mut backend, 0, &[1]), 1);
    assert_eq!(run(&mut backend, 0, &[0]), 2);
}

/// `count(n, acc)`: `acc + n`, by `n` tail calls of itself.
fn count() -> min_lir::Function {
    function(
        "count",
        2,
        2,
        vec![
            if_(bin(BinOp::Eq, v(0), c(0)), vec![ret(v(1))], vec![]),
            Stmt::TailCall(0, vec![bin(BinOp::Sub, v(0), c(1)), bin(BinOp::Add, v(1), c(1))]),
        ],
    )
}

#[test]
fn a_million_deep_tail_recursion_runs_in_constant_stack() {
    // The test thread's stack is 2 MiB: a million frames would not fit.
    let mut backend = compile(&program(vec![count()]));
    assert_eq!(run(&mut backend, 0, &[1_000_000, 5]), 1_000_005);
}

#[test]
fn tail_calls_between_functions_of_different_arities_run_in_constant_stack() {
    // `down(n)` tail-calls `wide(n, 1, ..., 12)`, which checks its stack
    // arguments and tail-calls `down(n - 1)` through a code word.
    let args: Vec<Expr> = std::iter::once(v(0)).chain((1..=12).map(c)).collect();
    let down = function(
        "down",
        1,
        1,
        vec![if_(bin(BinOp::Eq, v(0), c(0)), vec![ret(c(77))], vec![]), Stmt::TailCall(1, args)],
    );
    let sum = (1..=12).fold(c(0), |sum, var| bin(BinOp::Add, sum, v(var)));
    let wide = function(
        "wide",
        13,
        13,
        vec![
            if_(bin(BinOp::Ne, sum, c(78)), vec![ret(c(0))], vec![]),
            Stmt::TailCallIndirect(Expr::Code(0), vec![bin(BinOp::Sub, v(0), c(1))]),
        ],
    );
    let mut backend = compile(&program(vec![down, wide]));
    assert_eq!(run(&mut backend, 0, &[1_000_000]), 77);
}

#[test]
fn factorial_by_a_tail_call_loop() {
    let fact = function(
        "fact",
        2,
        2,
        vec![
            if_(bin(BinOp::LeS, v(0), c(1)), vec![ret(v(1))], vec![]),
            Stmt::TailCall(0, vec![bin(BinOp::Sub, v(0), c(1)), bin(BinOp::Mul, v(1), v(0))]),
        ],
    );
    let mut backend = compile(&program(vec![fact]));
    assert_eq!(run(&mut backend, 0, &[0, 1]), 1);
    assert_eq!(run(&mut backend, 0, &[5, 1]), 120);
    assert_eq!(run(&mut backend, 0, &[20, 1]), 2_432_902_008_176_640_000);
}

#[test]
fn a_backend_moves_to_a_thread_with_a_large_stack_for_deep_recursion() {
    // `sum(n)`: n + sum(n - 1), not a tail call.
    let sum = function(
        "sum",
        1,
        1,
        vec![
            if_(bin(BinOp::Eq, v(0), c(0)), vec![ret(c(0))], vec![]),
            ret(bin(BinOp::Add, v(0), Expr::Call(0, vec![bin(BinOp::Sub, v(0), c(1))]))),
        ],
    );
    let mut backend = compile(&program(vec![sum]));
    let thread = std::thread::Builder::new().stack_size(256 << 20).spawn(move || run(&mut backend, 0, &[1_000_000]));
    assert_eq!(thread.unwrap().join().unwrap(), 500_000_500_000);
}
