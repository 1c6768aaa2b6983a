//! Checked arithmetic on ℕ and ℤ, run-time number types, powers, negation
//! and comparison.

use min_core::{ArithOp, CmpOp, Expr, NumKind, Prim};
use min_diagnostics::codes;
use min_interp::{Machine, Value};

use crate::fixture::*;

#[test]
fn natural_subtraction_below_zero_is_an_overflow_at_its_span() {
    let error = fault(arith_at(ArithOp::Sub, NumKind::Nat, nat(3), nat(5), span(10, 15)));
    assert_eq!(error.code, codes::E0410);
    assert_eq!(error.message, "3 - 5 is below zero in ℕ");
    assert_eq!(error.span, Some(span(10, 15)));
    let diagnostic = error.to_diagnostic().unwrap();
    assert_eq!((diagnostic.code, diagnostic.span), (codes::E0410, span(10, 15)));
    assert_eq!(diagnostic.span_label, "arithmetic overflow");
}

#[test]
fn the_innermost_span_wins() {
    let inner = arith_at(ArithOp::Add, NumKind::Nat, nat(u128::MAX), nat(1), span(20, 30));
    let error = fault(arith_at(ArithOp::Mul, NumKind::Nat, inner, nat(2), span(10, 40)));
    assert_eq!(error.span, Some(span(20, 30)));
    assert_eq!(error.message, format!("{} + 1 overflows ℕ", u128::MAX));
}

#[test]
fn integer_overflow_is_checked() {
    assert_eq!(fault(arith(ArithOp::Add, NumKind::Int, int(i128::MAX), int(1))).code, codes::E0410);
    assert_eq!(fault(arith(ArithOp::Mul, NumKind::Int, int(i128::MIN), int(-1))).code, codes::E0410);
    let error = fault(arith(ArithOp::Div, NumKind::Int, int(i128::MIN), int(-1)));
    assert_eq!((error.code, error.message), (codes::E0410, format!("{} / -1 overflows ℤ", i128::MIN)));
    assert_eq!(run(arith(ArithOp::Rem, NumKind::Int, int(i128::MIN), int(-1)), 0).unwrap(), "0");
    assert_eq!(run(arith(ArithOp::Sub, NumKind::Int, int(3), int(5)), 0).unwrap(), "-2");
}

#[test]
fn division_by_zero_is_its_own_error() {
    for (op, kind, message) in [
        (ArithOp::Div, NumKind::Int, "7 / 0 divides by zero"),
        (ArithOp::Rem, NumKind::Int, "7 % 0 divides by zero"),
        (ArithOp::Div, NumKind::Nat, "7 / 0 divides by zero"),
        (ArithOp::Rem, NumKind::Nat, "7 % 0 divides by zero"),
    ] {
        let (seven, zero) = if kind == NumKind::Nat { (nat(7), nat(0)) } else { (int(7), int(0)) };
        let error = fault(arith_at(op, kind, seven, zero, span(1, 6)));
        assert_eq!((error.code, error.message.as_str(), error.span), (codes::E0411, message, Some(span(1, 6))));
    }
    // ℝ follows IEEE instead.
    assert_eq!(run(arith(ArithOp::Div, NumKind::Real, real(1.0), real(0.0)), 0).unwrap(), "∞");
    assert_eq!(run(arith(ArithOp::Rem, NumKind::Real, real(1.0), real(0.0)), 0).unwrap(), "NaN");
}

#[test]
fn integer_division_truncates_toward_zero() {
    let cases = [(7, 2, "3", "1"), (-7, 2, "-3", "-1"), (7, -2, "-3", "1"), (-7, -2, "3", "-1")];
    for (a, b, quotient, remainder) in cases {
        assert_eq!(run(arith(ArithOp::Div, NumKind::Int, int(a), int(b)), 0).unwrap(), quotient);
        assert_eq!(run(arith(ArithOp::Rem, NumKind::Int, int(a), int(b)), 0).unwrap(), remainder);
    }
    assert_eq!(run(arith(ArithOp::Rem, NumKind::Real, real(-7.5), real(2.0)), 0).unwrap(), "-1.5");
}

#[test]
fn generic_arithmetic_lets_the_operands_decide() {
    // twice x = 2 * x, generic over numbers.
    let modules = program(vec![
        def("Main.twice", 1, 1, arith(ArithOp::Mul, NumKind::Dyn, generic(2), local(0))),
        def("Main.pred", 1, 1, arith(ArithOp::Sub, NumKind::Dyn, local(0), generic(1))),
        def("Main.mix", 2, 2, arith(ArithOp::Add, NumKind::Dyn, local(0), local(1))),
    ]);
    let machine = Machine::new(&modules);
    let call = |name: &str, args| machine.call(name, args).map(|value| value.to_string());
    assert_eq!(call("Main.twice", vec![Value::Real(1.5)]).unwrap(), "3.0");
    assert_eq!(call("Main.twice", vec![Value::Int(-4)]).unwrap(), "-8");
    assert_eq!(call("Main.twice", vec![Value::Nat(4)]).unwrap(), "8");
    assert!(matches!(machine.call("Main.twice", vec![Value::Nat(4)]), Ok(Value::Nat(8))));
    assert!(matches!(machine.call("Main.twice", vec![Value::Real(1.5)]), Ok(Value::Real(3.0))));
    assert_eq!(call("Main.pred", vec![Value::Int(0)]).unwrap(), "-1");
    assert_eq!(call("Main.pred", vec![Value::Real(0.5)]).unwrap(), "-0.5");
    let error = machine.call("Main.pred", vec![Value::Nat(0)]).unwrap_err();
    assert_eq!((error.code, error.message.as_str()), (codes::E0410, "0 - 1 is below zero in ℕ"));
    assert_eq!(call("Main.mix", vec![Value::Int(1), Value::Real(0.25)]).unwrap(), "1.25");
    assert_eq!(call("Main.mix", vec![Value::Real(0.25), Value::Int(1)]).unwrap(), "1.25");
    assert_eq!(call("Main.mix", vec![Value::Int(2), Value::Nat(3)]).unwrap(), "5");
    let error = machine.call("Main.mix", vec![Value::Int(-2), Value::Nat(3)]).unwrap_err();
    assert_eq!((error.code, error.message.as_str()), (codes::E0410, "-2 is below zero in ℕ"));
    assert_eq!(run(arith(ArithOp::Add, NumKind::Dyn, generic(1), generic(2)), 0).unwrap(), "3");
}

#[test]
fn powers_use_one_fixed_square_and_multiply() {
    assert_eq!(real_result(pow(NumKind::Real, real(2.0), nat(10))).to_bits(), 1024.0f64.to_bits());
    // 0.1^3 is 0.1 · (0.1 · 0.1): the loop's order, not 0.1 · 0.1 · 0.1 left to right.
    let square = 0.1f64 * 0.1;
    assert_eq!(real_result(pow(NumKind::Real, real(0.1), nat(3))).to_bits(), (0.1 * square).to_bits());
    assert_eq!(real_result(pow(NumKind::Real, real(-0.0), nat(0))).to_bits(), 1.0f64.to_bits());
    assert_eq!(run(pow(NumKind::Nat, nat(2), nat(127)), 0).unwrap(), (1u128 << 127).to_string());
    assert_eq!(run(pow(NumKind::Int, int(-2), nat(127)), 0).unwrap(), i128::MIN.to_string());
    assert_eq!(run(pow(NumKind::Nat, nat(0), nat(0)), 0).unwrap(), "1");
    assert_eq!(run(pow(NumKind::Nat, nat(1), nat(u128::MAX)), 0).unwrap(), "1");
    let error = fault(Expr::Pow(NumKind::Nat, Box::new(nat(2)), Box::new(nat(128)), span(2, 7)));
    assert_eq!(error.code, codes::E0410);
    assert_eq!(error.message, "2 ^ 128 overflows ℕ");
    assert_eq!(error.span, Some(span(2, 7)));
    assert_eq!(fault(pow(NumKind::Int, int(2), nat(127))).code, codes::E0410);
    assert_eq!(run(pow(NumKind::Dyn, generic(3), nat(4)), 0).unwrap(), "81");
    assert_eq!(run(pow(NumKind::Dyn, real(1.5), generic(2)), 0).unwrap(), "2.25");
    assert_eq!(fault(pow(NumKind::Dyn, real(1.5), generic(-2))).code, codes::E0410);
}

#[test]
fn negation_is_checked() {
    assert_eq!(run(neg(NumKind::Nat, nat(0)), 0).unwrap(), "0");
    let error = fault(Expr::Neg(NumKind::Nat, Box::new(nat(5)), span(0, 2)));
    assert_eq!(
        (error.code, error.message.as_str(), error.span),
        (codes::E0410, "-5 is below zero in ℕ", Some(span(0, 2)))
    );
    assert_eq!(fault(neg(NumKind::Int, int(i128::MIN))).code, codes::E0410);
    assert_eq!(run(neg(NumKind::Int, int(i128::MAX)), 0).unwrap(), (-i128::MAX).to_string());
    assert_eq!(run(neg(NumKind::Real, real(0.0)), 0).unwrap(), "-0.0");
    assert_eq!(run(neg(NumKind::Dyn, generic(3)), 0).unwrap(), "-3");
}

#[test]
fn comparison_is_structural() {
    let compares = |op, a, b| run(compare(op, a, b), 0).unwrap();
    assert_eq!(compares(CmpOp::Eq, list(vec![int(1), int(2)]), list(vec![int(1), int(2)])), "true");
    assert_eq!(compares(CmpOp::Lt, list(vec![int(1), int(2)]), list(vec![int(1), int(3)])), "true");
    assert_eq!(compares(CmpOp::Lt, list(vec![int(1)]), list(vec![int(1), int(0)])), "true");
    assert_eq!(compares(CmpOp::Ge, tuple(vec![int(2), string("a")]), tuple(vec![int(2), string("b")])), "false");
    assert_eq!(compares(CmpOp::Lt, string("apple"), string("apricot")), "true");
    assert_eq!(compares(CmpOp::Gt, string("β"), string("z")), "true");
    assert_eq!(compares(CmpOp::Le, character('a'), character('a')), "true");
    assert_eq!(compares(CmpOp::Ne, boolean(true), boolean(false)), "true");
    let some = variant("Some", 1, 1);
    let none = variant("None", 0, 0);
    assert_eq!(compares(CmpOp::Lt, build(&none, vec![]), build(&some, vec![int(0)])), "true");
    assert_eq!(compares(CmpOp::Eq, build(&some, vec![int(4)]), build(&some, vec![int(4)])), "true");
}

#[test]
fn reals_compare_as_ieee_does() {
    let nan = prim(Prim::Nan);
    assert_eq!(run(compare(CmpOp::Eq, nan.clone(), nan.clone()), 0).unwrap(), "false");
    assert_eq!(run(compare(CmpOp::Ne, nan.clone(), nan.clone()), 0).unwrap(), "true");
    assert_eq!(run(compare(CmpOp::Le, nan.clone(), real(1.0)), 0).unwrap(), "false");
    assert_eq!(run(compare(CmpOp::Gt, nan.clone(), real(1.0)), 0).unwrap(), "false");
    assert_eq!(run(compare(CmpOp::Eq, real(0.0), real(-0.0)), 0).unwrap(), "true");
    assert_eq!(run(compare(CmpOp::Eq, list(vec![nan.clone()]), list(vec![nan])), 0).unwrap(), "false");
}

#[test]
fn functions_cannot_be_compared() {
    let error = fault(Expr::Compare(
        CmpOp::Eq,
        Box::new(list(vec![prim(Prim::Sqrt)])),
        Box::new(list(vec![prim(Prim::Sqrt)])),
        span(3, 9),
    ));
    assert_eq!((error.code, error.message.as_str()), (codes::E0412, "functions cannot be compared"));
    assert_eq!(error.span, Some(span(3, 9)));
    // The walk stops at the first difference, before reaching a function.
    let first_differs =
        compare(CmpOp::Eq, tuple(vec![int(1), prim(Prim::Sqrt)]), tuple(vec![int(2), prim(Prim::Sqrt)]));
    assert_eq!(run(first_differs, 0).unwrap(), "false");
}
