//! Test declarations (`spec/testing.md`). A top-level equation of `test`
//! whose first parameter is a string literal declares a test rather than a
//! function:
//!
//! ```text
//! test "deposit adds" = (deposit (open "a") 5).balance == 5
//! test "overdraft" aborts "insufficient funds" = transfer (open "a") (open "b") 1
//! test "deposits add up" (a : ℕ) (b : ℕ) = …
//! ```
//!
//! The grammar already reads these lines as equations, so the parser only
//! recognises their shape here and reports what does not fit it (`E0111`).

use crate::ast::{Expr, ExprKind, Name, Test, TestExpect, TypeExpr};
use crate::raw::{Binding, body_expr};
use min_diagnostics::{Diagnostic, Span, codes};

/// The word that starts a test declaration.
pub const TEST_KEYWORD: &str = "test";

/// The word that marks a test expected to abort.
pub const ABORTS_KEYWORD: &str = "aborts";

/// Whether `binding` is written as a test declaration: `test "name" …`.
pub(crate) fn is_test(binding: &Binding) -> bool {
    match binding {
        Binding::Equation { name, params, .. } => {
            name.text == TEST_KEYWORD && params.first().is_some_and(|first| matches!(first.kind, ExprKind::Str(_)))
        }
        _ => false,
    }
}

/// The test that `binding` declares; `None` (with the reasons in
/// `diagnostics`) when its parameters do not have the shape of one.
pub(crate) fn test_declaration(diagnostics: &mut Vec<Diagnostic>, binding: Binding) -> Option<Test> {
    let Binding::Equation { params, body, span, .. } = binding else { return None };
    let mut params = params.into_iter();
    let first = params.next()?;
    let ExprKind::Str(name) = first.kind else { return None };
    let name_span = first.span;
    let mut rest: Vec<Expr> = params.collect();
    let mut expect = TestExpect::True;
    let mut ok = true;
    if rest.first().is_some_and(|word| is_word(word, ABORTS_KEYWORD)) {
        rest.remove(0);
        let message = match rest.first().map(|e| &e.kind) {
            Some(ExprKind::Str(message)) => {
                let message = message.clone();
                rest.remove(0);
                Some(message)
            }
            _ => None,
        };
        expect = TestExpect::Aborts(message);
        if let Some(extra) = rest.first() {
            diagnostics.push(malformed(extra.span, "a test that aborts takes no parameters").with_help(
                "an abort on some generated input would prove nothing; write `test \"name\" aborts \"message\" = …`",
            ));
            ok = false;
            rest.clear();
        }
    }
    let mut typed: Vec<(Name, TypeExpr)> = Vec::new();
    {
        for param in rest {
            match parameter(param) {
                Ok(param) => typed.push(param),
                Err(span) => {
                    diagnostics.push(
                        malformed(span, "a test's parameter is written `(name : Type)`")
                            .with_help("the runner generates a value of each parameter's type; name it and give its type, e.g. `(amount : ℕ)`"),
                    );
                    ok = false;
                }
            }
        }
    }
    let body = body_expr(diagnostics, *body);
    ok.then_some(Test { name, name_span, params: typed, expect, body, span })
}

/// `(name : Type)` as a test's parameter, or the span of what it is instead.
fn parameter(param: Expr) -> Result<(Name, TypeExpr), Span> {
    let span = param.span;
    match param.kind {
        ExprKind::Annotated(inner, ty) => match inner.kind {
            ExprKind::Path(mut path)
                if path.len() == 1 && path[0].text.chars().next().is_some_and(|c| c.is_lowercase() || c == '_') =>
            {
                Ok((path.remove(0), *ty))
            }
            _ => Err(span),
        },
        _ => Err(span),
    }
}

fn is_word(expr: &Expr, word: &str) -> bool {
    matches!(&expr.kind, ExprKind::Path(path) if path.len() == 1 && path[0].text == word)
}

fn malformed(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error(codes::E0111, span, message)
}
