//! Every unary and binary operation, against Rust's own.

use min_lir::{BinOp, Expr, Stmt, UnOp, abi};

use crate::support::*;

fn words() -> Vec<u64> {
    let ints = [0i64, 1, -1, 2, 3, -7, 63, 64, 65, 1 << 40, i64::MAX, i64::MIN];
    let floats =
        [0.0f64, -0.0, 1.5, -2.25, 1e300, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE, 2.0, -9.2e18, 5e-324];
    let mut words: Vec<u64> = ints.iter().map(|&i| i as u64).collect();
    words.extend(floats.iter().map(|x| x.to_bits()));
    words.extend([
        abi::CANONICAL_NAN,
        0x7FF0_0000_0000_0001,
        0xFFF8_0000_0000_1234,
        abi::TRUE,
        abi::pointer_word(0x1000),
    ]);
    words
}

#[test]
fn binary_operations_agree_with_rust() {
    let functions =
        BinOp::ALL.iter().map(|&op| function(&format!("{op:?}"), 2, 2, vec![ret(bin(op, v(0), v(1)))])).collect();
    let mut backend = compile(&program(functions));
    let words = words();
    for (id, &op) in BinOp::ALL.iter().enumerate() {
        for &a in &words {
            for &b in &words {
                let Some(expected) = op.eval(a, b) else { continue };
                let got = run(&mut backend, id as u32, &[a, b]);
                let both_nan = f64::from_bits(got).is_nan() && f64::from_bits(expected).is_nan();
                // Which NaN an operation on NaNs gives is up to the machine.
                if !(op.gives_real() && both_nan) {
                    assert_eq!(got, expected, "{op:?}({a:#x}, {b:#x})");
                }
            }
        }
    }
}

#[test]
fn unary_operations_agree_with_rust() {
    let functions = UnOp::ALL.iter().map(|&op| function(&format!("{op:?}"), 1, 1, vec![ret(un(op, v(0)))])).collect();
    let mut backend = compile(&program(functions));
    for (id, &op) in UnOp::ALL.iter().enumerate() {
        for a in words() {
            let Some(expected) = op.eval(a) else { continue };
            let got = run(&mut backend, id as u32, &[a]);
            if !(op.gives_real() && f64::from_bits(got).is_nan() && f64::from_bits(expected).is_nan()) {
                assert_eq!(got, expected, "{op:?}({a:#x})");
            }
        }
    }
}

#[test]
fn nan_compares_false_and_is_not_canonicalised_by_negation() {
    let nan = abi::CANONICAL_NAN;
    let one = 1.0f64.to_bits();
    let functions = vec![
        function("eq", 2, 2, vec![ret(bin(BinOp::FEq, v(0), v(1)))]),
        function("lt", 2, 2, vec![ret(bin(BinOp::FLt, v(0), v(1)))]),
        function("le", 2, 2, vec![ret(bin(BinOp::FLe, v(0), v(1)))]),
        function("is_nan_sqrt", 1, 1, vec![ret(un(UnOp::FIsNan, un(UnOp::FSqrt, v(0))))]),
        function("neg", 1, 1, vec![ret(un(UnOp::FNeg, v(0)))]),
    ];
    let mut backend = compile(&program(functions));
    for id in 0..3 {
        assert_eq!(run(&mut backend, id, &[nan, nan]), 0);
        assert_eq!(run(&mut backend, id, &[nan, one]), 0);
        assert_eq!(run(&mut backend, id, &[one, nan]), 0);
    }
    assert_eq!(run(&mut backend, 0, &[one, one]), 1);
    assert_eq!(run(&mut backend, 2, &[one, one]), 1);
    assert_eq!(run(&mut backend, 3, &[(-1.0f64).to_bits()]), 1);
    assert_eq!(run(&mut backend, 3, &[4.0f64.to_bits()]), 0);
    assert_eq!(run(&mut backend, 4, &[nan]), nan | 1 << 63);
    assert_eq!(run(&mut backend, 4, &[0]), (-0.0f64).to_bits());
}

#[test]
fn select_evaluates_both_and_picks_by_non_zero() {
    use min_lir::{Expr, Stmt};
    // v1 counts the evaluations of both arms through a store-free trick:
    // each arm is a call that bumps VM variable Depth.
    let bump = |value: u64| Expr::Call(1, vec![c(value)]);
    let main = function("main", 1, 1, vec![ret(Expr::Select(Box::new(v(0)), Box::new(bump(10)), Box::new(bump(20))))]);
    let bump_function = function(
        "bump",
        1,
        1,
        vec![Stmt::SetVm(min_lir::VmVar::Depth, bin(BinOp::Add, Expr::Vm(min_lir::VmVar::Depth), c(1))), ret(v(0))],
    );
    let mut backend = compile(&program(vec![main, bump_function]));
    use min_lir::host::Backend;
    assert_eq!(run(&mut backend, 0, &[7]), 10);
    assert_eq!(run(&mut backend, 0, &[0]), 20);
    assert_eq!(run(&mut backend, 0, &[u64::MAX]), 10);
    assert_eq!(backend.vm(min_lir::VmVar::Depth), 6);
}

#[test]
fn canonicalising_selects_give_the_canonical_nan_and_keep_other_reals() {
    let difference = || Stmt::Set(2, bin(BinOp::FSub, v(0), v(1)));
    let canonical = || Expr::Select(Box::new(un(UnOp::FIsNan, v(2))), Box::new(c(abi::CANONICAL_NAN)), Box::new(v(2)));
    let doubled = bin(BinOp::FMul, canonical(), c(2.0f64.to_bits()));
    let functions = vec![
        function("canonical_difference", 2, 3, vec![difference(), ret(canonical())]),
        function("canonical_difference_doubled", 2, 3, vec![difference(), ret(doubled)]),
    ];
    let mut backend = compile(&program(functions));
    let real = |x: f64| x.to_bits();
    let infinity = real(f64::INFINITY);
    assert_eq!(run(&mut backend, 0, &[infinity, infinity]), abi::CANONICAL_NAN);
    assert_eq!(run(&mut backend, 0, &[0xFFF8_0000_0000_1234, real(1.0)]), abi::CANONICAL_NAN);
    assert_eq!(run(&mut backend, 0, &[real(-0.0), real(0.0)]), real(-0.0));
    assert_eq!(run(&mut backend, 1, &[real(1.0), real(0.25)]), real(1.5));
    assert_eq!(run(&mut backend, 1, &[real(1e308), real(-1e308)]), infinity);
}
