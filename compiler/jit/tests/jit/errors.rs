//! Programs that break the LIR's rules are refused with an error.

use min_jit::{JitBackend, JitError};
use min_lir::{BinOp, Expr, Program, Static, StaticWord, Stmt};

use crate::support::*;

fn refused(program: &Program) -> String {
    match JitBackend::compile(program) {
        Ok(_) => panic!("compiled an invalid program"),
        Err(JitError::Invalid(message)) => message,
        Err(other) => panic!("refused for another reason: {other}"),
    }
}

#[test]
fn a_body_that_can_reach_its_end_is_refused() {
    let falls = function("Main.f", 1, 1, vec![if_(v(0), vec![ret(c(1))], vec![])]);
    assert_eq!(refused(&program(vec![falls])), "f0 `Main.f` can reach the end of its body without returning");
    let empty = function("Main.g", 0, 0, vec![]);
    assert!(refused(&program(vec![empty])).contains("can reach the end"));
    let broken = function("Main.h", 0, 0, vec![Stmt::Block(0, vec![Stmt::Break(0)])]);
    assert!(refused(&program(vec![broken])).contains("can reach the end"));
}

#[test]
fn ids_and_arities_out_of_range_are_refused() {
    let cases: Vec<(Vec<Stmt>, &str)> = vec![
        (vec![ret(v(3))], "uses v3 but has 1 variables"),
        (vec![Stmt::Break(4)], "breaks to L4 outside a block with that label"),
        (vec![ret(Expr::Call(0, vec![]))], "calls f0 with 0 arguments; it takes 1"),
        (vec![Stmt::TailCall(9, vec![])], "refers to a missing function f9"),
        (vec![ret(Expr::Code(5))], "refers to a missing function f5"),
        (vec![ret(Expr::Static(0))], "refers to a missing static s0"),
        (vec![ret(Expr::Cell(0))], "refers to a missing cell0"),
    ];
    for (body, message) in cases {
        let program = program(vec![function("f", 1, 1, body)]);
        assert_eq!(refused(&program), format!("f0 `f` {message}"));
    }
    let helper = helper_of_arity(5);
    let wrong_arity = function("f", 1, 1, vec![ret(Expr::Helper(helper, vec![c(1)]))]);
    let expected = format!("f0 `f` calls helper {} with 1 arguments; it takes 5", helper.name());
    assert_eq!(refused(&program(vec![wrong_arity])), expected);
    let mut bad_static = program(vec![]);
    bad_static.statics = vec![Static { words: vec![StaticWord::Code(0)] }];
    assert!(refused(&bad_static).contains("static s0"));
    let too_few_vars = function("f", 2, 1, vec![ret(c(0))]);
    assert!(refused(&program(vec![too_few_vars])).contains("2 parameters but 1 variables"));
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let deep = (0..5_000).fold(c(0), |sum, _| bin(BinOp::Add, sum, c(1)));
    let message = refused(&program(vec![function("f", 0, 0, vec![ret(deep)])]));
    assert!(message.contains("deeper than"), "{message}");
    let fine = (0..900).fold(c(0), |sum, _| bin(BinOp::Add, sum, c(1)));
    let mut backend = compile(&program(vec![function("f", 0, 0, vec![ret(fine)])]));
    assert_eq!(run(&mut backend, 0, &[]), 900);
}

/// `if v0 { if v0 { … return depth … } else return … } else return …`,
/// `depth` levels deep, each with a block that is broken out of.
fn nested_ifs(depth: u32) -> Program {
    let body = (0..depth).fold(vec![ret(c(depth as u64))], |inner, level| {
        let block = Stmt::Block(level, vec![Stmt::Break(level)]);
        vec![if_(v(0), inner, vec![block, ret(c(level as u64))])]
    });
    program(vec![function("f", 1, 1, body)])
}

#[test]
fn deeply_nested_statements_compile_up_to_the_limit() {
    let mut backend = compile(&nested_ifs(900));
    assert_eq!(run(&mut backend, 0, &[1]), 900);
    assert_eq!(run(&mut backend, 0, &[0]), 899);
    assert!(refused(&nested_ifs(1_200)).contains("deeper than"));
}

#[test]
fn an_empty_program_compiles() {
    compile(&Program::default());
}
