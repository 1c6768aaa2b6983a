//! Bounds: the nesting limit, and values too big for naive recursion.

use std::thread;

use min_core::{ArithOp, CmpOp, NumKind};
use min_diagnostics::codes;
use min_interp::{Machine, Value};

use crate::fixture::*;

/// `count n = if n == 0 then 0 else 1 + count (n - 1)`: n nested calls.
fn count() -> Vec<min_core::Module> {
    let recurse =
        apply_at(global("Main.count"), vec![arith(ArithOp::Sub, NumKind::Nat, local(0), nat(1))], span(40, 60));
    let body = if_(compare(CmpOp::Eq, local(0), nat(0)), nat(0), arith(ArithOp::Add, NumKind::Nat, nat(1), recurse));
    program(vec![def("Main.count", 1, 1, body)])
}

#[test]
fn recursion_past_the_limit_is_an_error() {
    let modules = count();
    let machine = Machine::new(&modules).with_depth_limit(100);
    assert_eq!(machine.call("Main.count", vec![Value::Nat(99)]).unwrap().to_string(), "99");
    let error = machine.call("Main.count", vec![Value::Nat(100)]).unwrap_err();
    assert_eq!(error.code, codes::E0413);
    assert_eq!(error.message, "recursion deeper than 100 calls");
    assert_eq!(error.span, Some(span(40, 60)));
    assert_eq!(error.trace, vec!["Main.count".to_string()]);
    assert_eq!(error.repeats, vec![100]);
    // The machine is usable again after the error.
    assert_eq!(machine.call("Main.count", vec![Value::Nat(3)]).unwrap().to_string(), "3");
}

/// `count_local n = go n @ go k = if k == 0 then 0 else 1 + go (k - 1)`:
/// n + 1 nested calls of a recursive closure.
fn count_local() -> Vec<min_core::Module> {
    let recurse = apply(local(1), vec![arith(ArithOp::Sub, NumKind::Nat, local(0), nat(1))]);
    let go_body = if_(compare(CmpOp::Eq, local(0), nat(0)), nat(0), arith(ArithOp::Add, NumKind::Nat, nat(1), recurse));
    let go = lambda(1, &[(1, 1)], 2, go_body);
    let body = min_core::Expr::LetRec(vec![(1, go)], Box::new(apply(local(1), vec![local(0)])));
    program(vec![def("Main.count_local", 1, 2, body)])
}

#[test]
fn the_default_limit_is_reached_before_the_rust_stack_runs_out() {
    // 50 000 nested Min calls must fit in the stack the CLI gives its
    // interpreter thread: about 1 KiB a call optimized, under 5 KiB
    // unoptimized, so 512 MiB leaves room for both.
    let runner = thread::Builder::new().stack_size(512 << 20).spawn(|| {
        let (globals, closures) = (count(), count_local());
        let (globals, closures) = (Machine::new(&globals), Machine::new(&closures));
        let show = |result: Result<Value<'_>, min_interp::RuntimeError>| result.map(|value| value.to_string());
        [
            show(globals.call("Main.count", vec![Value::Nat(49_999)])),
            show(globals.call("Main.count", vec![Value::Nat(50_000)])),
            // The first call of `go` is a tail call: it reuses the frame of `count_local`.
            show(closures.call("Main.count_local", vec![Value::Nat(49_999)])),
            show(closures.call("Main.count_local", vec![Value::Nat(50_000)])),
        ]
    });
    let [deepest, too_deep, deepest_local, too_deep_local] = runner.unwrap().join().unwrap();
    assert_eq!(deepest.unwrap(), "49999");
    assert_eq!(too_deep.unwrap_err().code, codes::E0413);
    assert_eq!(deepest_local.unwrap(), "49999");
    assert_eq!(too_deep_local.unwrap_err().code, codes::E0413);
}

#[test]
fn long_lists_are_built_compared_printed_and_dropped_without_deep_recursion() {
    // A small stack: anything recursive per element would overflow it.
    let runner = thread::Builder::new().stack_size(256 * 1024).spawn(|| {
        let long = || Value::list((0..1_000_000).map(Value::Nat).collect());
        let (a, b) = (long(), long());
        let modules = program(vec![def("Main.same", 2, 2, compare(CmpOp::Eq, local(0), local(1)))]);
        let same = Machine::new(&modules).call("Main.same", vec![a.clone(), b]).unwrap().to_string();
        let printed = a.to_string().len();
        drop(a);
        (same, printed)
    });
    let (same, printed) = runner.unwrap().join().unwrap();
    assert_eq!(same, "true");
    assert_eq!(printed, 5_888_890 + 2 * 999_999 + 2);
}

#[test]
fn long_chains_of_constructors_are_dropped_and_printed_without_deep_recursion() {
    let runner = thread::Builder::new().stack_size(256 * 1024).spawn(|| {
        let zero = variant("Z", 0, 0);
        let succ = variant("S", 1, 1);
        let mut n = Value::data(&zero, vec![]);
        for _ in 0..200_000 {
            n = Value::data(&succ, vec![n]);
        }
        let printed = n.to_string();
        let closed = printed.trim_end_matches(')');
        (printed.starts_with("S (S (S"), closed.ends_with("(S Z"), printed.len() - closed.len())
    });
    let (starts, ends, closers) = runner.unwrap().join().unwrap();
    assert!(starts && ends);
    assert_eq!(closers, 199_999);
}

#[test]
fn tail_calls_run_in_constant_stack() {
    // loop n = if n == 0 then 0 else loop (n - 1): a million calls, no nesting.
    let body = if_(
        compare(CmpOp::Eq, local(0), nat(0)),
        nat(0),
        apply(global("Main.loop"), vec![arith(ArithOp::Sub, NumKind::Nat, local(0), nat(1))]),
    );
    let modules = program(vec![def("Main.loop", 1, 1, body)]);
    let runner = thread::Builder::new().stack_size(256 * 1024).spawn(move || {
        let machine = Machine::new(&modules).with_depth_limit(10);
        machine.call("Main.loop", vec![Value::Nat(1_000_000)]).map(|value| value.to_string())
    });
    assert_eq!(runner.unwrap().join().unwrap().unwrap(), "0");
}
