//! Word operations against their meaning in Rust, on edge values: integer
//! limits, shift counts, signed zeros, infinities and NaNs.

mod support;

use min_lir::host::Backend;
use min_lir::{BinOp, UnOp, abi};
use support::{StandInHost, backend, bin, func, program, ret, un, v};

fn values() -> Vec<u64> {
    let integers = [0, 1, 2, 3, 63, 64, 65, -1i64 as u64, -7i64 as u64, i64::MIN as u64, i64::MAX as u64];
    let words = [0x1234_5678_9ABC_DEF0, abi::TRUE, abi::pointer_word(0x40), abi::FAIL];
    let reals = [0.0, -0.0, 1.5, -2.25, 1e308, 5e-324, -9.2e18, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE];
    let nans = [abi::CANONICAL_NAN, 0x7FF0_0000_0000_0001, 0xFFF8_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF];
    integers.into_iter().chain(words).chain(reals.map(f64::to_bits)).chain(nans).collect()
}

fn real(word: u64) -> f64 {
    f64::from_bits(word)
}

/// A real result as the engine gives it: every NaN canonical.
fn real_word(x: f64) -> u64 {
    if x.is_nan() { abi::CANONICAL_NAN } else { x.to_bits() }
}

/// What the operation means under wasmtime, which makes every NaN canonical.
fn binary(op: BinOp, a: u64, b: u64) -> Option<u64> {
    let result = op.eval(a, b)?;
    Some(if op.gives_real() { real_word(real(result)) } else { result })
}

fn unary(op: UnOp, a: u64) -> Option<u64> {
    let result = op.eval(a)?;
    Some(if op.gives_real() { real_word(real(result)) } else { result })
}

#[test]
fn binary_operations_mean_what_they_mean_in_rust() {
    let functions =
        BinOp::ALL.iter().map(|op| func(&format!("{op:?}"), 2, 2, vec![ret(bin(*op, v(0), v(1)))])).collect();
    let mut backend = backend(&program(functions));
    let mut host = StandInHost::default();
    let values = values();
    for (id, op) in BinOp::ALL.into_iter().enumerate() {
        for &a in &values {
            for &b in &values {
                let Some(expected) = binary(op, a, b) else { continue };
                let got = backend.invoke(id as u32, &[a, b], &mut host);
                assert_eq!(got, expected, "{op:?}({a:#x}, {b:#x})");
            }
        }
    }
    assert!(host.calls.is_empty());
}

#[test]
fn unary_operations_mean_what_they_mean_in_rust() {
    let functions = UnOp::ALL.iter().map(|op| func(&format!("{op:?}"), 1, 1, vec![ret(un(*op, v(0)))])).collect();
    let mut backend = backend(&program(functions));
    let mut host = StandInHost::default();
    for (id, op) in UnOp::ALL.into_iter().enumerate() {
        for a in values() {
            let Some(expected) = unary(op, a) else { continue };
            assert_eq!(backend.invoke(id as u32, &[a], &mut host), expected, "{op:?}({a:#x})");
        }
    }
}

#[test]
fn real_operations_canonicalise_nan() {
    let functions = vec![
        func("sub", 2, 2, vec![ret(bin(BinOp::FSub, v(0), v(1)))]),
        func("sqrt", 1, 1, vec![ret(un(UnOp::FSqrt, v(0)))]),
    ];
    let mut backend = backend(&program(functions));
    let mut host = StandInHost::default();
    let infinity = f64::INFINITY.to_bits();
    assert_eq!(backend.invoke(0, &[infinity, infinity], &mut host), abi::CANONICAL_NAN);
    assert_eq!(backend.invoke(0, &[0xFFF8_0000_0000_0001, 0], &mut host), abi::CANONICAL_NAN);
    assert_eq!(backend.invoke(1, &[(-1.0f64).to_bits()], &mut host), abi::CANONICAL_NAN);
}
