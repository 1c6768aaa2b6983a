//! Direct and indirect calls, closures, and entering the program.

use std::panic::{AssertUnwindSafe, catch_unwind};

use min_lir::host::Backend;
use min_lir::{BinOp, Expr, Static, StaticWord, Stmt, UnOp, abi};

use crate::support::*;

#[test]
fn direct_and_indirect_calls() {
    // f0(x) = f1(x, 3) * 1000 + *code(f1)(x, 4); f1(a, b) = a * 10 + b.
    let main = function(
        "main",
        1,
        1,
        vec![ret(bin(
            BinOp::Add,
            bin(BinOp::Mul, Expr::Call(1, vec![v(0), c(3)]), c(1000)),
            call_indirect(Expr::Code(1), vec![v(0), c(4)]),
        ))],
    );
    let digits = function("digits", 2, 2, vec![ret(bin(BinOp::Add, bin(BinOp::Mul, v(0), c(10)), v(1)))]);
    let mut backend = compile(&program(vec![main, digits]));
    assert_eq!(run(&mut backend, 0, &[7]), 73_074);
    assert_eq!(run(&mut backend, 1, &[1, 2]), 12);
}

#[test]
fn arguments_are_evaluated_left_to_right() {
    // Each argument bumps Depth and returns its previous value.
    let next = || Expr::Call(2, vec![]);
    let main = function("main", 0, 0, vec![ret(call_indirect(Expr::Code(1), vec![next(), next(), next()]))]);
    let digits = function(
        "digits",
        3,
        3,
        vec![ret(bin(BinOp::Add, bin(BinOp::Add, bin(BinOp::Mul, v(0), c(100)), bin(BinOp::Mul, v(1), c(10))), v(2)))],
    );
    let depth = Expr::Vm(min_lir::VmVar::Depth);
    let counter = function(
        "next",
        0,
        1,
        vec![Stmt::Set(0, depth.clone()), Stmt::SetVm(min_lir::VmVar::Depth, bin(BinOp::Add, depth, c(1))), ret(v(0))],
    );
    let mut backend = compile(&program(vec![main, digits, counter]));
    backend.set_vm(min_lir::VmVar::Depth, 1);
    assert_eq!(run(&mut backend, 0, &[]), 123);
}

#[test]
fn a_closure_in_a_static_object_is_called_through_its_code_word() {
    // s0 is a closure of one argument with one environment word, 100;
    // f0(dest, scratch, x) calls it; its code f1(dest, scratch, closure, x)
    // adds the environment word to x.
    let closure = Static {
        words: vec![StaticWord::Raw(abi::header(abi::Kind::Closure, 1, 1)), StaticWord::Code(1), StaticWord::Raw(100)],
    };
    // s1 is a tuple whose first component is s0.
    let tuple = Static {
        words: vec![StaticWord::Raw(abi::header(abi::Kind::Tuple, 2, 0)), StaticWord::Object(0), StaticWord::Raw(5)],
    };
    let object = || Expr::Static(0);
    let main = function(
        "main",
        3,
        3,
        vec![ret(call_indirect(load(un(UnOp::Untag, object()), 8), vec![v(0), v(1), object(), v(2)]))],
    );
    let code = function("code", 4, 4, vec![ret(bin(BinOp::Add, v(3), load(un(UnOp::Untag, v(2)), 16)))]);
    let first = function("first", 0, 0, vec![ret(load(un(UnOp::Untag, Expr::Static(1)), 8))]);
    let code_word = function("code_word", 0, 0, vec![ret(Expr::Code(1))]);
    let mut program = program(vec![main, code, first, code_word]);
    program.statics = vec![closure, tuple];
    let mut backend = compile(&program);

    assert_eq!(run(&mut backend, 0, &[0, 0, 23]), 123);
    let word = backend.static_word(0).unwrap();
    assert_eq!(word & abi::TAG_MASK, abi::TAG_PTR);
    assert_eq!(run(&mut backend, 2, &[]), word);
    let address = word & abi::PAYLOAD_MASK;
    assert_eq!(backend.memory().load(address), abi::header(abi::Kind::Closure, 1, 1));
    let code_word = run(&mut backend, 3, &[]);
    assert_eq!(backend.memory().load(address + 8), code_word);
    assert_eq!(backend.memory().load(address + 16), 100);
    assert_eq!(backend.static_word(2), None);
}

#[test]
fn many_parameters() {
    // f0(a0, ..., a15) = Σ ai · (i + 1), also through a direct call.
    let weighted = (0..16).fold(c(0), |sum, var| bin(BinOp::Add, sum, bin(BinOp::Mul, v(var), c(var as u64 + 1))));
    let wide = function("wide", 16, 16, vec![ret(weighted)]);
    let main = function("main", 0, 0, vec![ret(Expr::Call(0, (1..=16).map(c).collect()))]);
    let mut backend = compile(&program(vec![wide, main]));
    let args: Vec<u64> = (1..=16).collect();
    let expected: u64 = (1..=16).map(|i| i * i).sum();
    assert_eq!(run(&mut backend, 0, &args), expected);
    assert_eq!(run(&mut backend, 1, &[]), expected);
}

#[test]
fn invoking_with_the_wrong_arguments_is_a_programmer_error() {
    let mut backend = compile(&program(vec![function("f", 1, 1, vec![ret(v(0))])]));
    assert!(catch_unwind(AssertUnwindSafe(|| run(&mut backend, 0, &[1, 2]))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| run(&mut backend, 1, &[]))).is_err());
    assert_eq!(run(&mut backend, 0, &[9]), 9);
}
