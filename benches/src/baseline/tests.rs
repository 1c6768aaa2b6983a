//! The Rust baseline computes what Min computes: the same bits for every
//! real, the same counts and sums, checked against the reference
//! interpreter on `benches/programs/workloads.min`.

use super::*;
use min_interp::{Machine, Value};

/// Nested calls the interpreter may make: `range 1 n` nests n deep.
const DEPTH_LIMIT: usize = 100_000;

/// Enough Rust stack for [`DEPTH_LIMIT`] nested interpreter calls.
const STACK_BYTES: usize = 1 << 30;

/// Runs `check` with the checked workloads program, on a thread with a
/// stack deep enough for the interpreter.
fn with_program(check: impl FnOnce(&[min_core::Module], &str) + Send) {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || {
                let mut workspace = min_analysis::Workspace::new();
                let file = minc::load::load(&mut workspace, &crate::workloads_path()).expect("the workloads load");
                assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
                let program = workspace.program(file);
                check(&program, workspace.module_name(file));
            })
            .expect("a thread starts")
            .join()
            .expect("the check passes");
    });
}

fn real(value: Value<'_>) -> f64 {
    match value {
        Value::Real(x) => x,
        other => panic!("expected a real, got {other}"),
    }
}

fn nat(value: Value<'_>) -> u128 {
    match value {
        Value::Nat(n) => n,
        // `sum []` is the literal 0, generic over numbers.
        Value::Int(n) => u128::try_from(n).expect("a natural number"),
        other => panic!("expected a natural number, got {other}"),
    }
}

/// The same bits, with every NaN the same (Min has one NaN).
fn assert_same_bits(rust: f64, min: f64, what: &str) {
    let same = rust.to_bits() == min.to_bits() || (rust.is_nan() && min.is_nan());
    assert!(same, "{what}: Rust gives {rust:e} ({:#x}), Min {min:e} ({:#x})", rust.to_bits(), min.to_bits());
}

/// A small deterministic generator of reals in `[0, 1)`.
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn prices_are_bit_identical_to_the_interpreter() {
    with_program(|program, module| {
        let machine = Machine::new(program).with_depth_limit(DEPTH_LIMIT);
        for n in [0, 1, 2, 1000] {
            let min = machine.call(&format!("{module}.prices"), vec![Value::Nat(n), Value::Real(0.0)]);
            assert_same_bits(prices(n as u64, 0.0), real(min.expect("prices runs")), &format!("prices {n} 0"));
        }
        let min = machine.call(&format!("{module}.prices"), vec![Value::Nat(10), Value::Real(-7.25)]);
        assert_same_bits(prices(10, -7.25), real(min.expect("prices runs")), "prices 10 -7.25");
    });
}

#[test]
fn single_prices_are_bit_identical_to_the_interpreter() {
    with_program(|program, module| {
        let machine = Machine::new(program).with_depth_limit(DEPTH_LIMIT);
        let mut next = uniform(0x9e37_79b9_7f4a_7c15);
        // Ordinary options, then deep in and out of the money, where the
        // normal distribution is evaluated in its tails.
        let mut inputs: Vec<[f64; 5]> = (0..300)
            .map(|_| [1.0 + 199.0 * next(), 1.0 + 199.0 * next(), 0.01 + 5.0 * next(), 0.2 * next(), 0.05 + next()])
            .collect();
        inputs.extend([[200.0, 1.0, 0.5, 0.1, 0.2], [1.0, 200.0, 0.5, 0.1, 0.2], [42.0, 40.0, 0.5, 0.1, 0.2]]);
        inputs.extend([[100.0, 100.0, 1.0, 0.0, 0.3], [50.0, 60.0, 2.0, 0.05, 0.01], [80.0, 20.0, 0.1, 0.1, 0.05]]);
        for [s, x, t, r, sigma] in inputs {
            let args = [s, x, t, r, sigma].map(Value::Real).to_vec();
            let min = real(machine.call(&format!("{module}.price"), args).expect("price runs"));
            assert_same_bits(price(s, x, t, r, sigma), min, &format!("price {s} {x} {t} {r} {sigma}"));
        }
    });
}

#[test]
fn exp_log_and_cdf_are_bit_identical_to_the_interpreter() {
    with_program(|program, _| {
        let machine = Machine::new(program).with_depth_limit(DEPTH_LIMIT);
        let call = |name: &str, x: f64| real(machine.call(name, vec![Value::Real(x)]).expect("the function runs"));
        let mut next = uniform(0x2545_f491_4f6c_dd1d);
        let specials = [0.0, -0.0, 1.0, -1.0, 0.5, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::MIN_POSITIVE];
        let mut exps: Vec<f64> = (0..400).map(|_| -750.0 + 1462.0 * next()).collect();
        exps.extend((0..100).map(|_| -2.0 + 4.0 * next()));
        for x in exps.into_iter().chain(specials).chain([709.78, -745.0, -740.0, 1e-300, 5e-324]) {
            assert_same_bits(exp(x), call("Math.exp", x), &format!("exp {x:e}"));
        }
        // Logarithms over every binade, subnormals included.
        let logs = (0..500).map(|_| f64::from_bits((next() * f64::MAX.to_bits() as f64) as u64));
        for x in logs.chain(specials).chain([5e-324, 1e-310, f64::MAX, 0.999_999_999, 1.000_000_001]) {
            assert_same_bits(log(x), call("Math.log", x), &format!("log {x:e}"));
        }
        let mut cdfs: Vec<f64> = (0..500).map(|_| -45.0 + 90.0 * next()).collect();
        cdfs.extend((0..100).map(|_| -1.0 + 2.0 * next()));
        for x in cdfs.into_iter().chain(specials).chain([-38.5, -27.3 * std::f64::consts::SQRT_2, -5.66, 8.0]) {
            assert_same_bits(normal_cdf(x), call("Normal.cdf", x), &format!("Normal.cdf {x:e}"));
        }
    });
}

/// The distance between two finite reals of the same sign, in units in the
/// last place.
fn ulps(a: f64, b: f64) -> u64 {
    assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{a:e} and {b:e} differ in sign");
    a.to_bits().abs_diff(b.to_bits())
}

#[test]
fn exp_and_log_are_within_one_ulp_of_std() {
    let mut next = uniform(0x1234_5678_9abc_def1);
    for _ in 0..100_000 {
        let x = -700.0 + 1400.0 * next();
        assert!(ulps(exp(x), x.exp()) <= 1, "exp {x:e}: {:e} against std's {:e}", exp(x), x.exp());
        let y = f64::from_bits((next() * f64::MAX.to_bits() as f64) as u64);
        assert!(ulps(log(y), y.ln()) <= 1, "log {y:e}: {:e} against std's {:e}", log(y), y.ln());
        let z = 0.5 + next();
        assert!(ulps(log(z), z.ln()) <= 1, "log {z:e}: {:e} against std's {:e}", log(z), z.ln());
    }
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(log(1.0), 0.0);
    assert_eq!(exp(-746.0), 0.0);
    assert_eq!(log(0.0), f64::NEG_INFINITY);
}

#[test]
fn terms_count_the_same_nodes_as_the_interpreter() {
    with_program(|program, module| {
        let machine = Machine::new(program).with_depth_limit(DEPTH_LIMIT);
        for d in 0..=12 {
            let min = machine.call(&format!("{module}.terms"), vec![Value::Nat(d)]).expect("terms runs");
            assert_eq!(terms(d as u32) as u128, nat(min), "terms {d}");
        }
    });
    // The rules that the complete `&`/`|` trees never reach.
    let leaf = || Box::new(Term::Nil);
    let apply = Term::Apply(leaf(), Box::new(Term::Binary(leaf(), "&", leaf())));
    assert_eq!(rewrite(Term::Binary(Box::new(apply.clone()), ".", leaf())), Term::Apply(leaf(), Box::new(apply)));
    let swapped = Term::Binary(Box::new(Term::If(leaf(), leaf(), leaf())), ";", leaf());
    assert_eq!(rewrite(Term::Binary(leaf(), "@", Box::new(Term::If(leaf(), leaf(), leaf())))), swapped);
    assert_eq!(rewrite(Term::Binary(leaf(), "|", leaf())), Term::Binary(leaf(), "|", leaf()));
}

#[test]
fn lists_sum_the_same_as_the_interpreter() {
    with_program(|program, module| {
        let machine = Machine::new(program).with_depth_limit(DEPTH_LIMIT);
        for n in [0, 1, 2, 3, 10, 1000, 30_000] {
            let min = nat(machine.call(&format!("{module}.lists"), vec![Value::Nat(n)]).expect("lists runs"));
            assert_eq!(lists(n), Some(min), "lists {n}");
            assert_eq!(lists_fused(n), Some(min), "lists {n}");
        }
    });
}
