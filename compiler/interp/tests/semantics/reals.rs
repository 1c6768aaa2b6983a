//! ℝ: the exact primitives, NaN canonicalisation and how reals print.

use min_core::{ArithOp, Expr, NumKind, Prim};
use min_diagnostics::codes;

use crate::fixture::*;

const CANONICAL_NAN_BITS: u64 = 0x7ff8_0000_0000_0000;

fn scale(x: f64, k: i128) -> f64 {
    real_result(apply(prim(Prim::Scale), vec![real(x), int(k)]))
}

fn exponent(x: f64) -> String {
    run(apply(prim(Prim::Exponent), vec![real(x)]), 0).unwrap()
}

#[test]
fn scale_is_exact_and_rounds_subnormals_to_nearest_even() {
    let cases: &[(f64, i128, f64)] = &[
        (1.0, 10, 1024.0),
        (1.0, -1074, 5e-324),
        (1.0, -1022, f64::MIN_POSITIVE),
        (1.0, 1023, 8.98846567431158e307),
        (1.0, 1024, f64::INFINITY),
        (-1.0, 1024, f64::NEG_INFINITY),
        (1.0, -1075, 0.0),             // exactly half the least subnormal: ties to even, 0
        (3.0, -1075, 1e-323),          // 1.5 least subnormals: ties to even, 2
        (1.5, -1074, 1e-323),          // also 1.5 least subnormals
        (1.25, -1074, 5e-324),         // 1.25 rounds down
        (5e-324, 1074, 1.0),           // subnormal input
        (5e-324, 2098, f64::INFINITY), // 2^1024 overflows
        (5e-324, 2097, 8.98846567431158e307),
        (f64::MAX, -2098, 5e-324),
        (f64::MAX, -1023, 1.9999999999999998),
        (f64::MAX, i128::MIN, 0.0),
        (5e-324, i128::MAX, f64::INFINITY),
        (0.0, 5000, 0.0),
        (-0.0, 7, -0.0),
        (f64::INFINITY, -5000, f64::INFINITY),
    ];
    for &(x, k, expected) in cases {
        assert_eq!(scale(x, k).to_bits(), expected.to_bits(), "scale({x:e}, {k})");
    }
    assert_eq!(scale(-1.0, -1080).to_bits(), (-0.0f64).to_bits());
    assert_eq!(scale(f64::NAN, 3).to_bits(), CANONICAL_NAN_BITS);
}

#[test]
fn exponent_reads_the_binary_exponent() {
    assert_eq!(exponent(1.0), "0");
    assert_eq!(exponent(0.75), "-1");
    assert_eq!(exponent(-1024.5), "10");
    assert_eq!(exponent(f64::MAX), "1023");
    assert_eq!(exponent(f64::MIN_POSITIVE), "-1022");
    assert_eq!(exponent(f64::MIN_POSITIVE.next_down()), "-1023");
    assert_eq!(exponent(5e-324), "-1074");
    assert_eq!(exponent(1e-323), "-1073");
    assert_eq!(exponent(0.0), "0");
    assert_eq!(exponent(-0.0), "0");
    assert_eq!(exponent(f64::INFINITY), "0");
    assert_eq!(exponent(f64::NAN), "0");
}

#[test]
fn floor_aborts_outside_the_integers() {
    let floor = |x| run(apply_at(prim(Prim::Floor), vec![real(x)], span(4, 12)), 0);
    assert_eq!(floor(-2.5).unwrap(), "-3");
    assert_eq!(floor(1e20).unwrap(), "100000000000000000000");
    for x in [f64::NAN, f64::INFINITY, 1e300, -1e39] {
        let error = floor(x).unwrap_err();
        assert_eq!((error.code, error.span), (codes::E0410, Some(span(4, 12))), "floor {x}");
    }
    assert_eq!(floor(f64::NAN).unwrap_err().message, "the floor of NaN is outside ℤ");
}

#[test]
fn sqrt_is_correctly_rounded_and_nan_is_canonical() {
    let sqrt = |x| real_result(apply(prim(Prim::Sqrt), vec![real(x)]));
    assert_eq!(sqrt(2.0).to_bits(), std::f64::consts::SQRT_2.to_bits());
    assert_eq!(sqrt(0.01).to_bits(), 0.1f64.to_bits());
    assert_eq!(sqrt(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(sqrt(-1.0).to_bits(), CANONICAL_NAN_BITS);
    let negative_nan = f64::from_bits(0xfff8_0000_0000_0001);
    assert_eq!(real_result(real(negative_nan)).to_bits(), CANONICAL_NAN_BITS);
    let inf = || prim(Prim::Infinity);
    assert_eq!(real_result(arith(ArithOp::Sub, NumKind::Real, inf(), inf())).to_bits(), CANONICAL_NAN_BITS);
    assert_eq!(real_result(arith(ArithOp::Mul, NumKind::Real, real(0.0), inf())).to_bits(), CANONICAL_NAN_BITS);
    assert_eq!(real_result(neg(NumKind::Real, prim(Prim::Nan))).to_bits(), CANONICAL_NAN_BITS);
    assert_eq!(run(apply(prim(Prim::IsNan), vec![prim(Prim::Nan)]), 0).unwrap(), "true");
}

#[test]
fn reals_print_shortest_round_trip() {
    let cases: &[(f64, &str)] = &[
        (4.0, "4.0"),
        (0.1, "0.1"),
        (1e-7, "1e-7"),
        (-0.0, "-0.0"),
        (4.759422392871532, "4.759422392871532"),
        (1e16, "1e16"),
        (123456.789, "123456.789"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e308"),
        (f64::INFINITY, "∞"),
        (f64::NEG_INFINITY, "-∞"),
        (f64::NAN, "NaN"),
    ];
    for &(x, expected) in cases {
        assert_eq!(run(real(x), 0).unwrap(), expected);
        if x.is_finite() {
            assert_eq!(expected.parse::<f64>().map(f64::to_bits), Ok(x.to_bits()), "{expected} reads back");
        }
    }
    assert_eq!(run(Expr::List(vec![real(-1.5), prim(Prim::Infinity)]), 0).unwrap(), "[-1.5, ∞]");
}
