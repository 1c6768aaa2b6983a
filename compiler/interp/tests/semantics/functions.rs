//! Globals, recursion, closures, currying and recursive local functions.

use min_core::{ArithOp, CmpOp, Expr, NumKind, Otherwise, Pattern, Prim};
use min_diagnostics::codes;
use min_interp::{Machine, Value};

use crate::fixture::*;

/// `fact : ℕ → ℕ`, by rules: `fact 0 = 1`, `fact m = m * fact (m - 1)`.
fn factorial() -> Vec<min_core::Module> {
    let recursive = arith_at(
        ArithOp::Mul,
        NumKind::Nat,
        local(1),
        apply(global("Main.fact"), vec![arith(ArithOp::Sub, NumKind::Nat, local(1), nat(1))]),
        span(30, 50),
    );
    let body = matching(
        local(0),
        vec![(Pattern::Lit(min_core::Lit::Nat(0)), nat(1)), (Pattern::Bind(1), recursive)],
        Otherwise::Abort,
        span(10, 60),
    );
    program(vec![def("Main.fact", 1, 2, body)])
}

#[test]
fn factorial_over_naturals_recurses_through_a_global() {
    let modules = factorial();
    let machine = Machine::new(&modules);
    let fact = |n| machine.call("Main.fact", vec![Value::Nat(n)]).map(|value| value.to_string());
    assert_eq!(fact(0).unwrap(), "1");
    assert_eq!(fact(5).unwrap(), "120");
    assert_eq!(fact(34).unwrap(), "295232799039604140847618609643520000000");
}

#[test]
fn factorial_overflow_points_at_the_product_and_traces_the_calls() {
    let modules = factorial();
    let error = Machine::new(&modules).call("Main.fact", vec![Value::Nat(35)]).unwrap_err();
    assert_eq!(error.code, codes::E0410);
    assert_eq!(error.message, "35 * 295232799039604140847618609643520000000 overflows ℕ");
    assert_eq!(error.span, Some(span(30, 50)));
    assert_eq!(error.trace, vec!["Main.fact"; 1]);
    let diagnostic = error.to_diagnostic().unwrap();
    assert_eq!(diagnostic.span, span(30, 50));
    assert_eq!(diagnostic.help.as_deref(), Some("in Main.fact"));
}

#[test]
fn errors_deep_in_a_recursion_collapse_into_one_entry() {
    // down n = if n == 0 then abort "bottom" else 0 + down (n - 1): thirty
    // nested calls (not tail calls, which would reuse one frame).
    let recurse = apply(global("Main.down"), vec![arith(ArithOp::Sub, NumKind::Nat, local(0), nat(1))]);
    let modules = program(vec![def(
        "Main.down",
        1,
        1,
        if_(
            compare(CmpOp::Eq, local(0), nat(0)),
            apply_at(prim(Prim::Abort), vec![string("bottom")], span(5, 9)),
            arith(ArithOp::Add, NumKind::Nat, nat(0), recurse),
        ),
    )]);
    let error = Machine::new(&modules).call("Main.down", vec![Value::Nat(30)]).unwrap_err();
    assert_eq!(error.code, codes::E0412);
    assert_eq!(error.message, "bottom");
    assert_eq!(error.span, Some(span(5, 9)));
    // Direct recursion is one entry of the trace, with its depth.
    assert_eq!(error.trace, vec!["Main.down".to_string()]);
    assert_eq!(error.repeats, vec![31]);
}

#[test]
fn traces_list_the_innermost_call_first() {
    // `outer x = 0 + inner x`: the call is not in tail position, so it stays in the trace.
    let modules = program(vec![
        def("Main.outer", 1, 1, arith(ArithOp::Add, NumKind::Int, int(0), apply(global("Main.inner"), vec![local(0)]))),
        def("Main.inner", 1, 1, arith_at(ArithOp::Div, NumKind::Int, int(1), local(0), span(3, 8))),
    ]);
    let error = Machine::new(&modules).call("Main.outer", vec![Value::Int(0)]).unwrap_err();
    assert_eq!(error.code, codes::E0411);
    assert_eq!(error.trace, vec!["Main.inner", "Main.outer"]);
    assert_eq!(error.to_diagnostic().unwrap().help.as_deref(), Some("in Main.inner, called from Main.outer"));
    assert_eq!(error.to_string(), "E0411: 1 / 0 divides by zero (in Main.inner, called from Main.outer)");
}

#[test]
fn a_tail_call_leaves_only_its_caller_in_the_trace() {
    // `outer x = inner x` reuses outer's frame for inner.
    let modules = program(vec![
        def("Main.outer", 1, 1, apply(global("Main.inner"), vec![local(0)])),
        def("Main.inner", 1, 1, arith_at(ArithOp::Div, NumKind::Int, int(1), local(0), span(3, 8))),
    ]);
    let error = Machine::new(&modules).call("Main.outer", vec![Value::Int(0)]).unwrap_err();
    assert_eq!(error.trace, vec!["Main.outer"]);
    assert_eq!(error.span, Some(span(3, 8)));
}

/// `add3 a b c = a + b + c` on ℤ.
fn add3() -> min_core::Global {
    let sum = arith(ArithOp::Add, NumKind::Int, arith(ArithOp::Add, NumKind::Int, local(0), local(1)), local(2));
    def("Main.add3", 3, 3, sum)
}

#[test]
fn missing_arguments_make_a_partial_application() {
    let modules = program(vec![
        add3(),
        def("Main.step", 0, 1, apply(apply(global("Main.add3"), vec![int(1)]), vec![int(2)])),
        def("Main.main", 0, 1, apply(global("Main.step"), vec![int(3)])),
    ]);
    let machine = Machine::new(&modules);
    assert_eq!(machine.call("Main.main", vec![]).unwrap().to_string(), "6");
    let partial = machine.call("Main.add3", vec![Value::Int(10)]).unwrap();
    assert_eq!(partial.to_string(), "<function>");
    let Value::Function(function) = &partial else { panic!("expected a function") };
    assert_eq!(function.arity(), 2);
    let partial = machine.apply(partial, vec![Value::Int(20)]).unwrap();
    assert_eq!(machine.apply(partial, vec![Value::Int(30)]).unwrap().to_string(), "60");
}

#[test]
fn extra_arguments_apply_the_result() {
    // adder n = λx. x + n, called as adder 1 2; and a zero-arity global
    // that is a function takes arguments too.
    let adder =
        def("Main.adder", 1, 1, closure(1, &[(0, 1)], 2, arith(ArithOp::Add, NumKind::Int, local(0), local(1))));
    let modules = program(vec![
        adder,
        add3(),
        def("Main.main", 0, 1, apply(global("Main.adder"), vec![int(1), int(2)])),
        def("Main.inc", 0, 1, apply(global("Main.adder"), vec![int(1)])),
        def("Main.six", 0, 1, apply(apply(global("Main.add3"), vec![int(1)]), vec![int(2), int(3)])),
    ]);
    let machine = Machine::new(&modules);
    assert_eq!(machine.call("Main.main", vec![]).unwrap().to_string(), "3");
    assert_eq!(machine.call("Main.adder", vec![Value::Int(5), Value::Int(6)]).unwrap().to_string(), "11");
    assert_eq!(machine.call("Main.inc", vec![Value::Int(41)]).unwrap().to_string(), "42");
    assert_eq!(machine.call("Main.six", vec![]).unwrap().to_string(), "6");
    assert_eq!(machine.call("Main.six", vec![Value::Int(1)]).unwrap_err().code, codes::E0403);
}

#[test]
fn constructors_and_primitives_are_functions_too() {
    let some = variant("Some", 1, 1);
    let pair = variant("Pair", 0, 2);
    let body = tuple(vec![
        apply(Expr::Constructor(pair.clone()), vec![int(1)]),
        apply(apply(Expr::Constructor(pair), vec![int(1)]), vec![build(&some, vec![int(2)])]),
        apply(prim(Prim::Scale), vec![real(3.0)]),
        apply(apply(prim(Prim::Scale), vec![real(3.0)]), vec![int(2)]),
    ]);
    assert_eq!(run(body, 1).unwrap(), "(<function>, Pair 1 (Some 2), <function>, 12.0)");
}

#[test]
fn closures_capture_values_when_created() {
    // map f xs by rules, and main = let n = 10 in map (λx. x + n) [1, 2, 3]
    let map_body = matching(
        local(1),
        vec![
            (Pattern::Nil, Expr::List(vec![])),
            (
                Pattern::Cons(Box::new(Pattern::Bind(2)), Box::new(Pattern::Bind(3))),
                Expr::Cons(
                    Box::new(apply(local(0), vec![local(2)])),
                    Box::new(apply(global("Main.map"), vec![local(0), local(3)])),
                ),
            ),
        ],
        Otherwise::Abort,
        anywhere(),
    );
    let add_n = closure(1, &[(0, 1)], 2, arith(ArithOp::Add, NumKind::Int, local(0), local(1)));
    let main = let_(
        0,
        int(10),
        let_(
            1,
            add_n,
            let_(0, int(1000), apply(global("Main.map"), vec![local(1), list(vec![int(1), int(2), int(3)])])),
        ),
    );
    let modules = program(vec![def("Main.map", 2, 4, map_body), def("Main.main", 0, 2, main)]);
    // The closure copied n = 10; rebinding slot 0 afterwards does not change it.
    assert_eq!(Machine::new(&modules).call("Main.main", vec![]).unwrap().to_string(), "[11, 12, 13]");
}

/// `parity n`: `even`/`odd` as mutually recursive local functions. Slots of
/// `parity`: 0 = n, 1 = even, 2 = odd. Each lambda finds its sibling in its slot 1.
fn parity() -> Vec<min_core::Module> {
    let countdown = |zero: bool| {
        matching(
            local(0),
            vec![
                (Pattern::Lit(min_core::Lit::Nat(0)), boolean(zero)),
                (Pattern::Wildcard, apply(local(1), vec![arith(ArithOp::Sub, NumKind::Nat, local(0), nat(1))])),
            ],
            Otherwise::Abort,
            anywhere(),
        )
    };
    let even = lambda(1, &[(2, 1)], 2, countdown(true));
    let odd = lambda(1, &[(1, 1)], 2, countdown(false));
    let body = Expr::LetRec(vec![(1, even), (2, odd)], Box::new(apply(local(1), vec![local(0)])));
    program(vec![def("Main.parity", 1, 3, body)])
}

#[test]
fn let_rec_functions_call_each_other() {
    let modules = parity();
    let machine = Machine::new(&modules);
    let even = |n| machine.call("Main.parity", vec![Value::Nat(n)]).unwrap().to_string();
    assert_eq!(even(0), "true");
    assert_eq!(even(7), "false");
    assert_eq!(even(100), "true");
    assert_eq!(even(101), "false");
}

#[test]
fn let_rec_functions_capture_themselves_and_outer_values() {
    // sum_to n = go 0 @ go k = if k > n then 0 else k + go (k + 1)
    // slots of sum_to: 0 = n, 1 = go; of go: 0 = k, 1 = go, 2 = n.
    let go_body = if_(
        compare(CmpOp::Gt, local(0), local(2)),
        nat(0),
        arith(
            ArithOp::Add,
            NumKind::Nat,
            local(0),
            apply(local(1), vec![arith(ArithOp::Add, NumKind::Nat, local(0), nat(1))]),
        ),
    );
    let go = lambda(1, &[(1, 1), (0, 2)], 3, go_body);
    let body = Expr::LetRec(vec![(1, go)], Box::new(apply(local(1), vec![nat(0)])));
    let modules = program(vec![def("Main.sum_to", 1, 2, body)]);
    let machine = Machine::new(&modules);
    assert_eq!(machine.call("Main.sum_to", vec![Value::Nat(100)]).unwrap().to_string(), "5050");
}

#[test]
fn a_global_value_is_computed_on_first_use_and_cycles_are_reported() {
    let modules = program(vec![
        def("Main.answer", 0, 0, arith(ArithOp::Mul, NumKind::Nat, nat(6), nat(7))),
        def("Main.twice", 0, 0, arith(ArithOp::Add, NumKind::Nat, global("Main.answer"), global("Main.answer"))),
        def("Main.loop", 0, 0, arith(ArithOp::Add, NumKind::Nat, global("Main.loop"), nat(1))),
    ]);
    let machine = Machine::new(&modules);
    assert_eq!(machine.call("Main.twice", vec![]).unwrap().to_string(), "84");
    assert_eq!(machine.call("Main.answer", vec![]).unwrap().to_string(), "42");
    assert_eq!(machine.call("Main.loop", vec![]).unwrap_err().code, codes::E0207);
    // A failed value is not cached as failed forever.
    assert_eq!(machine.call("Main.loop", vec![]).unwrap_err().code, codes::E0207);
}

#[test]
fn unknown_globals_are_errors_not_panics() {
    let modules = program(vec![def("Main.main", 0, 0, apply_at(global("Main.nope"), vec![int(1)], span(4, 8)))]);
    let machine = Machine::new(&modules);
    let error = machine.call("Main.missing", vec![]).unwrap_err();
    assert_eq!(error.code, codes::E0402);
    assert_eq!(error.span, None);
    assert!(error.to_diagnostic().is_none());
    let error = machine.call("Main.main", vec![]).unwrap_err();
    assert_eq!((error.code, error.span), (codes::E0402, Some(span(4, 8))));
}

#[test]
fn recursive_closures_free_what_they_captured() {
    // keep s = go 3 @ go k = if k == 0 then s else go (k - 1)
    // slots of keep: 0 = s, 1 = go; of go: 0 = k, 1 = go, 2 = s.
    let go_body = if_(
        compare(CmpOp::Eq, local(0), nat(0)),
        local(2),
        apply(local(1), vec![arith(ArithOp::Sub, NumKind::Nat, local(0), nat(1))]),
    );
    let go = lambda(1, &[(1, 1), (0, 2)], 3, go_body);
    let body = Expr::LetRec(vec![(1, go)], Box::new(apply(local(1), vec![nat(3)])));
    let modules = program(vec![def("Main.keep", 1, 2, body)]);
    let text: std::rc::Rc<str> = std::rc::Rc::from("kept");
    let result = Machine::new(&modules).call("Main.keep", vec![Value::Str(text.clone())]).unwrap();
    assert_eq!(result.to_string(), r#""kept""#);
    drop(result);
    assert_eq!(std::rc::Rc::strong_count(&text), 1);
}
