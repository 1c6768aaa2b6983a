//! Parser tests on the paper's snippets and on the layout and spacing rules.

use min_diagnostics::FileId;
use min_syntax::ast::{ExprKind, PatKind};
use min_syntax::lexer::lex;
use min_syntax::parse_module;
use min_syntax::token::{BinOp, Tok};

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))).expect("example exists")
}

#[test]
fn the_paper_snippets_parse_without_diagnostics() {
    for name in ["rewrite.min", "black_scholes.min"] {
        let (module, diagnostics) = parse_module(FileId(0), &example(name));
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
        assert_eq!(module.defs.len(), 1, "{name}");
    }
}

#[test]
fn rewrite_rules_keep_their_flat_patterns() {
    let (module, _) = parse_module(FileId(0), &example("rewrite.min"));
    let rewrite = &module.defs[0];
    assert!(rewrite.rules);
    assert_eq!(rewrite.clauses.len(), 4);
    let first = &rewrite.clauses[0].patterns;
    assert_eq!(first.len(), 4, "Binary, (Binary a '&' b), '|', c");
    assert!(matches!(&first[0].kind, PatKind::Constructor(path) if path[0].text == "Binary"));
    assert!(matches!(&first[1].kind, PatKind::Sequence(items) if items.len() == 1));
}

#[test]
fn spacing_decides_tight_and_loose_operators() {
    let (tokens, _) = lex(FileId(0), "log s/x + d0 / σ");
    let ops: Vec<(BinOp, bool)> = tokens
        .iter()
        .filter_map(|(_, tok, _)| match tok {
            Tok::Op(_, tight, op) => Some((*op, *tight)),
            _ => None,
        })
        .collect();
    assert_eq!(ops, vec![(BinOp::Div, true), (BinOp::Add, false), (BinOp::Div, false)]);
}

#[test]
fn minus_after_space_and_before_operand_is_prefix() {
    let (tokens, _) = lex(FileId(0), "e(-r t) a - b a -b");
    let minus: Vec<&Tok> = tokens
        .iter()
        .map(|(_, tok, _)| tok)
        .filter(|tok| matches!(tok, Tok::Neg | Tok::Op(_, _, BinOp::Sub)))
        .collect();
    assert_eq!(minus, vec![&Tok::Neg, &Tok::Op(min_syntax::token::Prec::Add, false, BinOp::Sub), &Tok::Neg]);
}

#[test]
fn loose_division_takes_a_whole_juxtaposition() {
    let (module, diagnostics) = parse_module(FileId(0), "d1 = d0 / σ √t\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let body = &module.defs[0].clauses[0].body;
    let ExprKind::Binary(BinOp::Div, _, right) = &body.kind else { panic!("expected a division, got {body:?}") };
    assert!(matches!(&right.kind, ExprKind::Juxtaposition(items) if items.len() == 2));
}

#[test]
fn one_broken_item_does_not_hide_the_next() {
    let (module, diagnostics) = parse_module(FileId(0), "f x = (x +\ng = 3 ) )\nh y = y\n");
    assert_eq!(module.defs.iter().map(|d| d.name.text.as_str()).collect::<Vec<_>>(), vec!["h"]);
    assert!(diagnostics.len() >= 2, "{diagnostics:#?}");
}

#[test]
fn a_byte_order_mark_is_not_indentation() {
    let (module, diagnostics) = parse_module(FileId(0), "\u{feff}x = 1\ny = x\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(module.defs.len(), 2);
}

#[test]
fn test_declarations_are_kept_apart_from_definitions() {
    use min_syntax::ast::TestExpect;
    let source = "\
test \"adds\" = 1 + 1 == 2
test \"aborts\" aborts \"no\" = Prim.abort \"no\"
test \"any abort\" aborts = Prim.abort \"no\"
test \"commutes\" (a : ℕ) (b : ℕ) = a + b == b + a
test x = x
";
    let (module, diagnostics) = parse_module(FileId(0), source);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let names: Vec<&str> = module.tests.iter().map(|test| test.name.as_str()).collect();
    assert_eq!(names, ["adds", "aborts", "any abort", "commutes"]);
    assert_eq!(module.tests[1].expect, TestExpect::Aborts(Some("no".to_string())));
    assert_eq!(module.tests[2].expect, TestExpect::Aborts(None));
    let params: Vec<&str> = module.tests[3].params.iter().map(|(name, _)| name.text.as_str()).collect();
    assert_eq!(params, ["a", "b"]);
    // An equation of `test` whose first parameter is not a string stays a function.
    assert_eq!(module.defs.len(), 1);
    assert_eq!(module.defs[0].name.text, "test");
}

#[test]
fn malformed_test_declarations_are_e0111() {
    for source in
        ["test \"untyped\" n = n == n\n", "test \"aborts on input\" aborts \"no\" (n : ℕ) = Prim.abort \"no\"\n"]
    {
        let (module, diagnostics) = parse_module(FileId(0), source);
        assert!(module.tests.is_empty(), "{source}");
        assert_eq!(diagnostics.len(), 1, "{source}: {diagnostics:#?}");
        assert_eq!(diagnostics[0].code, min_diagnostics::codes::E0111, "{source}");
    }
}

#[test]
fn specification_clauses_follow_a_signature() {
    use min_syntax::ast::SpecKind;
    let text = "\
procedure transfer : Account → Account → ℕ → (Account, Account)
  requires amount ≤ from.balance
  ensures match result
    (f, t) → f.balance + t.balance == old from.balance + old to.balance
  decreases amount
transfer from to amount = (from, to)

requires : ℕ → ℕ
requires n = n
";
    let (module, diagnostics) = parse_module(FileId(0), text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let transfer = &module.defs[0];
    let kinds: Vec<SpecKind> = transfer.specs.iter().map(|spec| spec.kind).collect();
    assert_eq!(kinds, [SpecKind::Requires, SpecKind::Ensures, SpecKind::Decreases]);
    assert_eq!(transfer.specs[0].text, "requires amount ≤ from.balance");
    assert!(transfer.specs[1].text.starts_with("ensures match result\n"));
    assert_eq!(transfer.clauses.len(), 1, "the equation still belongs to the signature");
    assert!(transfer.procedure);
    // `old e` is `e`: no `old` is left to resolve.
    assert!(!format!("{:?}", transfer.specs[1].expr).contains("\"old\""));
    // The words are not reserved.
    assert_eq!(module.defs[1].name.text, "requires");
    assert!(module.defs[1].specs.is_empty());
}

#[test]
fn an_unknown_clause_word_is_e0112() {
    let text =
        "half : ℕ → ℕ\n  assumes n > 0\nhalf n = n / 2\n\ntwice : ℕ → ℕ\n  decreases n\n  decreases n\ntwice n = n\n";
    let (module, diagnostics) = parse_module(FileId(0), text);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.info().name).collect();
    assert_eq!(codes, ["E0112", "E0112"], "{diagnostics:?}");
    assert_eq!(module.defs.len(), 2);
    assert_eq!(module.defs[1].specs.len(), 1);
}

#[test]
fn the_formatter_keeps_specification_clauses() {
    let text = "\
deposit : Account → ℕ → Account
  requires  a.balance <= 1000
  ensures   match result
    r → r.balance == old a.balance + amount
deposit a amount = {a | balance = a.balance + amount}
";
    let formatted = min_syntax::format::format(text).expect("formats");
    assert_eq!(
        formatted,
        "\
deposit : Account → ℕ → Account
  requires a.balance ≤ 1000
  ensures match result
    r → r.balance == old a.balance + amount
deposit a amount = {a | balance = a.balance + amount}
"
    );
    assert_eq!(min_syntax::format::format(&formatted).expect("formats again"), formatted);
}
