//! Constructor values, records, lists, strings, pattern matching and how
//! values print.

use min_core::{Constructor, Expr, Lit, Otherwise, Pattern, Prim};
use min_diagnostics::{Span, codes};
use min_interp::{Machine, Value};

use crate::fixture::*;

/// The seed snippet's `Term = Tag Nil | Apply fun arg | If test pos neg | Binary left op right`.
struct Term {
    nil: Constructor,
    apply: Constructor,
    if_: Constructor,
    binary: Constructor,
}

fn term() -> Term {
    Term {
        nil: variant("Nil", 0, 0),
        apply: named("Apply", 1, &["fun", "arg"], false),
        if_: named("If", 2, &["test", "pos", "neg"], false),
        binary: named("Binary", 3, &["left", "op", "right"], false),
    }
}

#[test]
fn constructor_values_print_as_min_source() {
    let t = term();
    let nil = || build(&t.nil, vec![]);
    let value = build(&t.binary, vec![build(&t.apply, vec![nil(), nil()]), string("&"), nil()]);
    assert_eq!(run(value, 0).unwrap(), r#"Binary (Apply Nil Nil) "&" Nil"#);
    let nested = build(&t.if_, vec![nil(), build(&t.apply, vec![nil(), build(&t.apply, vec![nil(), nil()])]), nil()]);
    assert_eq!(run(nested, 0).unwrap(), "If Nil (Apply Nil (Apply Nil Nil)) Nil");
    let some = variant("Some", 1, 1);
    assert_eq!(run(build(&some, vec![int(-3)]), 0).unwrap(), "Some (-3)");
    assert_eq!(run(build(&some, vec![real(-0.0)]), 0).unwrap(), "Some (-0.0)");
    assert_eq!(run(build(&some, vec![build(&some, vec![nat(3)])]), 0).unwrap(), "Some (Some 3)");
    assert_eq!(run(build(&some, vec![list(vec![int(-1)])]), 0).unwrap(), "Some [-1]");
    assert_eq!(run(build(&some, vec![tuple(vec![])]), 0).unwrap(), "Some ()");
}

#[test]
fn records_print_with_field_names() {
    let point = named("Point", 0, &["x", "y"], true);
    let segment = named("Segment", 0, &["from", "to"], true);
    let wrap = variant("Wrap", 0, 1);
    let p = |x, y| build(&point, vec![real(x), real(y)]);
    assert_eq!(run(p(1.0, 2.0), 0).unwrap(), "{x = 1.0, y = 2.0}");
    assert_eq!(
        run(build(&segment, vec![p(0.0, 0.0), p(1.0, -2.5)]), 0).unwrap(),
        "{from = {x = 0.0, y = 0.0}, to = {x = 1.0, y = -2.5}}"
    );
    assert_eq!(run(build(&wrap, vec![p(1.0, 2.0)]), 0).unwrap(), "Wrap {x = 1.0, y = 2.0}");
}

#[test]
fn fields_read_and_update_copies() {
    let point = named("Point", 0, &["x", "y"], true);
    let body = let_(
        0,
        build(&point, vec![real(1.0), real(2.0)]),
        tuple(vec![
            Expr::Field(Box::new(local(0)), 1),
            Expr::Update(Box::new(local(0)), vec![(0, real(5.0))], Span::default()),
            local(0),
            Expr::Field(Box::new(tuple(vec![int(1), string("a")])), 1),
        ]),
    );
    assert_eq!(run(body, 1).unwrap(), r#"(2.0, {x = 5.0, y = 2.0}, {x = 1.0, y = 2.0}, "a")"#);
}

/// The seed snippet's `rewrite`, its rules lowered to one match on the
/// argument; `otherwise` decides what a `Nil` (which no rule matches) does.
fn rewrite(otherwise: Otherwise) -> Vec<min_core::Module> {
    let t = term();
    let binary = |left, op: char, right| Pattern::Constructor(3, vec![left, Pattern::Lit(Lit::Char(op)), right]);
    let (a, b, c) = (Pattern::Bind(1), Pattern::Bind(2), Pattern::Bind(3));
    let arms = vec![
        (binary(binary(a.clone(), '&', b.clone()), '|', c.clone()), build(&t.if_, vec![local(1), local(2), local(3)])),
        (binary(a.clone(), '&', b.clone()), build(&t.if_, vec![local(1), local(2), build(&t.nil, vec![])])),
        (binary(a.clone(), '.', b.clone()), build(&t.apply, vec![local(2), local(1)])),
        (binary(a, '@', b), build(&t.binary, vec![local(2), string(";"), local(1)])),
    ];
    let body = matching(local(0), arms, otherwise, span(100, 200));
    program(vec![def("Main.rewrite", 1, 4, body)])
}

#[test]
fn rewrite_rules_leave_unmatched_terms_alone() {
    let t = term();
    let modules = rewrite(Otherwise::ReturnScrutinee);
    let machine = Machine::new(&modules);
    let nil = || Value::data(&t.nil, vec![]);
    let bin = |l, op: &str, r| Value::data(&t.binary, vec![l, Value::string(op), r]);
    let rewrite = |term| machine.call("Main.rewrite", vec![term]).unwrap().to_string();
    assert_eq!(rewrite(bin(nil(), "&", nil())), "If Nil Nil Nil");
    assert_eq!(rewrite(bin(bin(nil(), "&", nil()), "|", nil())), "If Nil Nil Nil");
    assert_eq!(rewrite(bin(nil(), ".", Value::data(&t.apply, vec![nil(), nil()]))), "Apply (Apply Nil Nil) Nil");
    assert_eq!(rewrite(bin(nil(), "@", bin(nil(), "+", nil()))), r#"Binary (Binary Nil "+" Nil) ";" Nil"#);
    assert_eq!(rewrite(nil()), "Nil");
    assert_eq!(rewrite(bin(nil(), "&&", nil())), r#"Binary Nil "&&" Nil"#);
}

#[test]
fn an_exhaustive_match_that_fails_aborts_at_its_span() {
    let t = term();
    let modules = rewrite(Otherwise::Abort);
    let machine = Machine::new(&modules);
    let error = machine.call("Main.rewrite", vec![Value::data(&t.nil, vec![])]).unwrap_err();
    assert_eq!(error.code, codes::E0414);
    assert_eq!(error.message, "no rule matched Nil");
    assert_eq!(error.span, Some(span(100, 200)));
    assert_eq!(error.trace, vec!["Main.rewrite"]);
}

#[test]
fn patterns_match_literals_tuples_and_lists() {
    // classify (n, s) by rules over a tuple of the parameters.
    let arms = vec![
        (Pattern::Tuple(vec![Pattern::Lit(Lit::Int(0)), Pattern::Wildcard]), string("zero")),
        (Pattern::Tuple(vec![Pattern::Wildcard, Pattern::Lit(Lit::Str("hi".into()))]), string("greeting")),
        (
            Pattern::Tuple(vec![Pattern::Bind(2), Pattern::Wildcard]),
            matching(
                Expr::Apply(Box::new(prim(Prim::Chars)), vec![local(1)], anywhere()),
                vec![
                    (Pattern::Nil, string("empty")),
                    (Pattern::Cons(Box::new(Pattern::Lit(Lit::Char('x'))), Box::new(Pattern::Nil)), string("x")),
                    (Pattern::Cons(Box::new(Pattern::Bind(3)), Box::new(Pattern::Wildcard)), local(3)),
                ],
                Otherwise::Abort,
                anywhere(),
            ),
        ),
    ];
    let body = matching(tuple(vec![local(0), local(1)]), arms, Otherwise::Abort, anywhere());
    let modules = program(vec![def("Main.classify", 2, 4, body)]);
    let machine = Machine::new(&modules);
    let classify = |n, s| machine.call("Main.classify", vec![Value::Int(n), Value::string(s)]).unwrap().to_string();
    assert_eq!(classify(0, "hi"), r#""zero""#);
    assert_eq!(classify(1, "hi"), r#""greeting""#);
    assert_eq!(classify(1, ""), r#""empty""#);
    assert_eq!(classify(1, "x"), r#""x""#);
    assert_eq!(classify(1, "yes"), "'y'");
}

#[test]
fn real_literal_patterns_match_bit_for_bit() {
    let arms = vec![(Pattern::Lit(Lit::Real(0.0f64.to_bits())), string("zero")), (Pattern::Wildcard, string("other"))];
    let body = matching(local(0), arms, Otherwise::Abort, anywhere());
    let nan_arms =
        vec![(Pattern::Lit(Lit::Real(f64::NAN.to_bits())), string("nan")), (Pattern::Wildcard, string("number"))];
    let nan_body = matching(local(0), nan_arms, Otherwise::Abort, anywhere());
    let modules = program(vec![def("Main.is_zero", 1, 1, body), def("Main.is_nan", 1, 1, nan_body)]);
    let machine = Machine::new(&modules);
    let call = |name, x| machine.call(name, vec![Value::Real(x)]).unwrap().to_string();
    assert_eq!(call("Main.is_zero", 0.0), r#""zero""#);
    assert_eq!(call("Main.is_zero", -0.0), r#""other""#);
    assert_eq!(call("Main.is_nan", f64::NAN), r#""nan""#);
    assert_eq!(call("Main.is_nan", 1.0), r#""number""#);
}

#[test]
fn strings_print_escaped() {
    assert_eq!(run(string("a\"b\\c\nd\te\u{7}\u{1b}é"), 0).unwrap(), r#""a\"b\\c\nd\te\u{7}\u{1b}é""#);
    assert_eq!(run(character('\''), 0).unwrap(), r"'\''");
    assert_eq!(run(character('"'), 0).unwrap(), r#"'"'"#);
    assert_eq!(run(character('\n'), 0).unwrap(), r"'\n'");
    assert_eq!(run(tuple(vec![int(1), string("a")]), 0).unwrap(), r#"(1, "a")"#);
    assert_eq!(run(tuple(vec![]), 0).unwrap(), "()");
    assert_eq!(run(list(vec![]), 0).unwrap(), "[]");
    assert_eq!(run(apply(prim(Prim::Show), vec![list(vec![string("x")])]), 0).unwrap(), r#""[\"x\"]""#);
}

#[test]
fn strings_and_lists_concatenate() {
    let concat = |a, b| Expr::Concat(Box::new(a), Box::new(b));
    assert_eq!(run(concat(string("ab"), string("cd")), 0).unwrap(), r#""abcd""#);
    assert_eq!(run(concat(list(vec![int(1), int(2)]), list(vec![int(3)])), 0).unwrap(), "[1, 2, 3]");
    assert_eq!(run(concat(list(vec![]), list(vec![int(3)])), 0).unwrap(), "[3]");
    assert_eq!(run(Expr::Cons(Box::new(int(0)), Box::new(list(vec![int(1)]))), 0).unwrap(), "[0, 1]");
}

#[test]
fn string_primitives_work_on_characters() {
    let call = |p, arg| run(apply(prim(p), vec![arg]), 0).unwrap();
    assert_eq!(call(Prim::Length, string("σ²")), "2");
    assert_eq!(call(Prim::Chars, string("σ²")), "['σ', '²']");
    assert_eq!(call(Prim::FromChars, list(vec![character('o'), character('k')])), r#""ok""#);
    assert_eq!(call(Prim::Code, character('σ')), "963");
    assert_eq!(call(Prim::FromCode, nat(963)), "'σ'");
    let error = fault(apply_at(prim(Prim::FromCode), vec![nat(0xD800)], span(7, 9)));
    assert_eq!((error.code, error.span), (codes::E0410, Some(span(7, 9))));
    let error = fault(apply_at(prim(Prim::Abort), vec![string("stop here")], span(1, 2)));
    assert_eq!((error.code, error.message.as_str(), error.span), (codes::E0412, "stop here", Some(span(1, 2))));
}

#[test]
fn conversions_between_number_types_are_checked() {
    let call = |p, arg| run(apply(prim(p), vec![arg]), 0);
    assert_eq!(call(Prim::IntOfNat, nat(5)).unwrap(), "5");
    assert_eq!(call(Prim::IntOfNat, nat(u128::MAX)).unwrap_err().code, codes::E0410);
    assert_eq!(call(Prim::NatOfInt, int(-1)).unwrap_err().code, codes::E0410);
    assert_eq!(call(Prim::RealOfNat, nat(u128::MAX)).unwrap(), "3.402823669209385e38");
    assert_eq!(call(Prim::RealOfInt, int(-3)).unwrap(), "-3.0");
    // 2^53 + 1 rounds to nearest even.
    assert_eq!(call(Prim::RealOfInt, int((1 << 53) + 1)).unwrap(), "9007199254740992.0");
}
