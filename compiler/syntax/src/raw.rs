//! What the grammar builds before the syntax tree is final: items, bodies
//! and block lines as written, and the conversions from them to [`crate::ast`]
//! (blocks to `let` chains, rule left-hand sides to patterns, signatures
//! merged with their equations).

use crate::ast::*;
use crate::token::BinOp;
use min_diagnostics::{Diagnostic, Span, codes};

/// One top-level item as parsed.
#[derive(Debug)]
pub enum RawItem {
    /// An `import` line.
    Import(Import),
    /// A type definition.
    Type(Box<TypeDef>),
    /// A signature, equation or one-parameter-per-line definition.
    Binding(Binding),
    /// The same, marked `procedure`.
    Procedure(Binding),
    /// `procedure name` alone: the equations that follow define a
    /// procedure, but its signature is missing.
    ProcedureName(Name),
    /// An item that did not parse; the error is reported already.
    Error,
}

/// What an import line lists.
#[derive(Debug)]
pub enum ImportList {
    /// No list.
    Qualified,
    /// `(..)`
    All,
    /// `(a, b)`
    Some(Vec<Name>),
}

/// A definition as written, before signatures and equations are merged.
#[derive(Clone, Debug)]
pub enum Binding {
    /// `name : T` and, optionally, `= body`.
    Signature { name: Name, ty: Box<TypeExpr>, body: Option<Box<Body>>, specs: Vec<Spec>, span: Span },
    /// `name p q = body`.
    Equation { name: Name, params: Vec<Expr>, body: Box<Body>, span: Span },
    /// The one-parameter-per-line form.
    Vertical { name: Name, params: Vec<(Name, TypeExpr)>, result: Box<TypeExpr>, body: Box<Body>, span: Span },
    /// A binding that did not parse.
    Error(Span),
}

impl Binding {
    /// Where the whole binding is.
    pub(crate) fn span(&self) -> Span {
        match self {
            Binding::Signature { span, .. }
            | Binding::Equation { span, .. }
            | Binding::Vertical { span, .. }
            | Binding::Error(span) => *span,
        }
    }

    /// The name it defines, unless it did not parse.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            Binding::Signature { name, .. } | Binding::Equation { name, .. } | Binding::Vertical { name, .. } => {
                Some(&name.text)
            }
            Binding::Error(_) => None,
        }
    }
}

/// The right-hand side of a definition or rule.
#[derive(Clone, Debug)]
pub struct Body {
    /// The lines: one expression, or an indented block.
    pub lines: Vec<Line>,
    /// Whether the lines came as an indented block.
    pub block: bool,
    /// Where-bindings after `@`.
    pub bindings: Vec<Binding>,
    /// The whole body.
    pub span: Span,
}

/// One line of a block.
#[derive(Clone, Debug)]
pub enum Line {
    /// An expression.
    Expr(Expr),
    /// `pattern → body`.
    Rule(Expr, Box<Body>, Span),
    /// `let binding`.
    Let(Binding),
    /// A line that did not parse.
    Error,
}

pub(crate) fn import(module: Name, list: ImportList, span: Span) -> RawItem {
    let names = match list {
        ImportList::Qualified => ImportNames::Qualified,
        ImportList::All => ImportNames::All,
        ImportList::Some(names) => ImportNames::Some(names),
    };
    RawItem::Import(Import { module, names, span })
}

pub(crate) fn variants(kind: TypeKind, name: Name, params: Vec<Name>, variants: Vec<Variant>, span: Span) -> RawItem {
    RawItem::Type(Box::new(TypeDef {
        kind,
        name,
        params,
        body: TypeBody::Variants(variants),
        invariants: Vec::new(),
        doc: String::new(),
        span,
    }))
}

pub(crate) fn record(kind: TypeKind, name: Name, params: Vec<Name>, fields: Vec<Field>, span: Span) -> RawItem {
    RawItem::Type(Box::new(TypeDef {
        kind,
        name,
        params,
        body: TypeBody::Record(fields),
        invariants: Vec::new(),
        doc: String::new(),
        span,
    }))
}

/// A clause line as the grammar reads it: its first word, its expression
/// and its span.
pub(crate) type ClauseLine = (Name, Expr, Span);

/// A data type whose variants are on lines of their own, with the clauses
/// on the lines under each variant, each of which must be `invariant P`
/// (`E0112` otherwise), over that variant's field names.
pub(crate) fn variant_lines(
    diagnostics: &mut Vec<Diagnostic>,
    kind: TypeKind,
    name: Name,
    params: Vec<Name>,
    lines: Vec<(Variant, Vec<ClauseLine>)>,
    span: Span,
) -> RawItem {
    let mut invariants = Vec::new();
    let mut list = Vec::new();
    for (index, (variant, clauses)) in lines.into_iter().enumerate() {
        for (word, expr, span) in clauses {
            if word.text != "invariant" {
                diagnostics.push(
                    Diagnostic::error(
                        codes::E0112,
                        word.span,
                        format!("`{}` does not start a variant's clause", word.text),
                    )
                    .with_help("a line under a variant is `invariant P`, over the variant's field names"),
                );
                continue;
            }
            invariants.push(Invariant { expr, text: String::new(), span, variant: Some(index as u32) });
        }
        list.push(variant);
    }
    let item = variants(kind, name, params, list, span);
    let RawItem::Type(mut def) = item else { return item };
    def.invariants = invariants;
    RawItem::Type(def)
}

/// A record type with the clauses on the lines under it, each of which
/// must be `invariant P` (`E0112` otherwise).
pub(crate) fn with_invariants(
    diagnostics: &mut Vec<Diagnostic>,
    item: RawItem,
    lines: Vec<(Name, Expr, Span)>,
) -> RawItem {
    let RawItem::Type(mut def) = item else { return item };
    for (word, expr, span) in lines {
        if word.text != "invariant" {
            diagnostics.push(
                Diagnostic::error(codes::E0112, word.span, format!("`{}` does not start a type's clause", word.text))
                    .with_help("a line under a record type is `invariant P`, over the record's field names"),
            );
            continue;
        }
        def.invariants.push(Invariant { expr, text: String::new(), span, variant: None });
    }
    RawItem::Type(def)
}

pub(crate) fn path(name: Name) -> Expr {
    let span = name.span;
    Expr::new(ExprKind::Path(vec![name]), span)
}

/// `e.n`: a qualified name when `e` is a module or type path, else field access.
pub(crate) fn field(base: Expr, name: Name, span: Span) -> Expr {
    match base.kind {
        ExprKind::Path(mut path) if path.last().is_some_and(|last| starts_upper(&last.text)) => {
            path.push(name);
            Expr::new(ExprKind::Path(path), span)
        }
        kind => Expr::new(ExprKind::Field(Box::new(Expr::new(kind, base.span)), name), span),
    }
}

fn starts_upper(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

pub(crate) fn superscript(base: Expr, power: u8, power_span: Span, span: Span) -> Expr {
    let exponent = Expr::new(ExprKind::Int(power as u128), power_span);
    Expr::new(ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)), span)
}

pub(crate) fn juxtaposition(mut items: Vec<Expr>, span: Span) -> Expr {
    if items.len() == 1 {
        return items.pop().expect("one item");
    }
    Expr::new(ExprKind::Juxtaposition(items), span)
}

pub(crate) fn parenthesized(inner: Expr, span: Span) -> Expr {
    // A parenthesized sequence stays one unit: `(Binary a b c)` is one pattern.
    match inner.kind {
        ExprKind::Juxtaposition(_) => Expr::new(ExprKind::Juxtaposition(vec![inner]), span),
        _ => inner,
    }
}

pub(crate) fn tuple_expr(first: Expr, rest: Vec<Expr>, span: Span) -> Expr {
    let mut items = vec![first];
    items.extend(rest);
    Expr::new(ExprKind::Tuple(items), span)
}

pub(crate) fn lambda(diagnostics: &mut Vec<Diagnostic>, params: Vec<Expr>, body: Expr, span: Span) -> Expr {
    let patterns = params.into_iter().map(|param| pattern(diagnostics, param)).collect();
    Expr::new(ExprKind::Lambda(patterns, Box::new(body)), span)
}

pub(crate) fn let_in(diagnostics: &mut Vec<Diagnostic>, binding: Binding, body: Expr, span: Span) -> Expr {
    let defs = merge_bindings(diagnostics, vec![binding]);
    Expr::new(ExprKind::Let(defs, Box::new(body)), span)
}

pub(crate) fn match_expr(diagnostics: &mut Vec<Diagnostic>, scrutinee: Expr, lines: Vec<Line>, span: Span) -> Expr {
    let mut clauses = Vec::new();
    for line in lines {
        match line {
            Line::Rule(lhs, body, span) => {
                let patterns = vec![pattern(diagnostics, lhs)];
                clauses.push(Clause { patterns, body: body_expr(diagnostics, *body), span, name_span: None });
            }
            Line::Error => {}
            Line::Expr(expr) => diagnostics.push(misplaced(expr.span, "a rule `pattern → result`")),
            Line::Let(binding) => diagnostics.push(misplaced(binding.span(), "a rule `pattern → result`")),
        }
    }
    Expr::new(ExprKind::Match(Box::new(scrutinee), clauses), span)
}

fn misplaced(span: Span, expected: &str) -> Diagnostic {
    Diagnostic::error(codes::E0014, span, format!("expected {expected} here"))
        .with_help("a `match` block holds rules, and any other block holds `let` lines followed by one expression")
}

/// An indented block used as an expression: `let` lines, then the value.
pub(crate) fn block(diagnostics: &mut Vec<Diagnostic>, lines: Vec<Line>, span: Span) -> Expr {
    let mut lets: Vec<Vec<Binding>> = Vec::new();
    let mut value: Option<Expr> = None;
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        match line {
            Line::Let(binding) => {
                let continues = matches!(lets.last().and_then(|group| group.last()), Some(last) if last.name().is_some() && last.name() == binding.name());
                match lets.last_mut() {
                    Some(group) if continues => group.push(binding),
                    _ => lets.push(vec![binding]),
                }
                if index + 1 == count {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::E0014,
                            span.end_point(),
                            "this block ends with a `let` and has no value",
                        )
                        .with_help("add a last line with the block's value"),
                    );
                }
            }
            Line::Expr(expr) if index + 1 == count => value = Some(expr),
            Line::Expr(expr) => diagnostics.push(
                Diagnostic::error(codes::E0014, expr.span, "only the last line of a block can be an expression")
                    .with_help("bind it with `let name = …`, or remove it: Min expressions have no side effects"),
            ),
            Line::Rule(_, _, rule_span) => diagnostics.push(
                Diagnostic::error(codes::E0014, rule_span, "a rule `pattern → result` is not allowed in this block")
                    .with_help("rules belong after a signature ending in `=`, or in a `match` block"),
            ),
            Line::Error => {}
        }
    }
    let mut result = value.unwrap_or_else(|| Expr::new(ExprKind::Error, span));
    for group in lets.into_iter().rev() {
        let defs = merge_bindings(diagnostics, group);
        let span = defs.first().map_or(result.span, |def| def.span.to(result.span));
        result = Expr::new(ExprKind::Let(defs, Box::new(result)), span);
    }
    result
}

/// The expression a body denotes (a block becomes a `let` chain; where-bindings wrap it).
pub(crate) fn body_expr(diagnostics: &mut Vec<Diagnostic>, body: Body) -> Expr {
    let Body { lines, block: is_block, bindings, span } = body;
    let expr = if is_block {
        block(diagnostics, lines, span)
    } else {
        match lines.into_iter().next() {
            Some(Line::Expr(expr)) => expr,
            _ => Expr::new(ExprKind::Error, span),
        }
    };
    if bindings.is_empty() {
        return expr;
    }
    let defs = merge_bindings(diagnostics, bindings);
    Expr::new(ExprKind::Where(Box::new(expr), defs), span)
}

fn is_rules(body: &Body) -> bool {
    body.block && body.lines.iter().any(|line| matches!(line, Line::Rule(..)))
}

/// Merges signatures with the equations that follow them and consecutive
/// equations of one name into definitions.
pub(crate) fn merge_bindings(diagnostics: &mut Vec<Diagnostic>, bindings: Vec<Binding>) -> Vec<Def> {
    let mut defs: Vec<Def> = Vec::new();
    // A signature waiting for its equations: its index in `defs`.
    let mut open: Option<usize> = None;
    for binding in bindings {
        match binding {
            Binding::Signature { name, ty, body: None, specs, span } => {
                close_signature(diagnostics, &mut defs, open.take());
                defs.push(Def {
                    name,
                    signature: Some(*ty),
                    param_names: Vec::new(),
                    clauses: Vec::new(),
                    rules: false,
                    doc: String::new(),
                    procedure: false,
                    specs,
                    span,
                });
                open = Some(defs.len() - 1);
            }
            Binding::Signature { name, ty, body: Some(body), span, .. } => {
                close_signature(diagnostics, &mut defs, open.take());
                let rules = is_rules(&body);
                let clauses =
                    if rules { rule_clauses(diagnostics, *body) } else { vec![value_clause(diagnostics, *body)] };
                defs.push(Def {
                    name,
                    signature: Some(*ty),
                    param_names: Vec::new(),
                    clauses,
                    rules,
                    doc: String::new(),
                    procedure: false,
                    specs: Vec::new(),
                    span,
                });
            }
            Binding::Equation { name, params, body, span } => {
                let patterns = params.into_iter().map(|param| pattern(diagnostics, param)).collect();
                let clause = Clause { patterns, body: body_expr(diagnostics, *body), span, name_span: Some(name.span) };
                let continues = defs.last().is_some_and(|last| last.name.text == name.text && !last.rules)
                    && (open.is_some() || defs.last().is_some_and(|last| !last.clauses.is_empty()));
                if continues {
                    let last = defs.last_mut().expect("checked above");
                    last.clauses.push(clause);
                    last.span = last.span.to(span);
                    open = None;
                } else {
                    close_signature(diagnostics, &mut defs, open.take());
                    defs.push(Def {
                        name,
                        signature: None,
                        param_names: Vec::new(),
                        clauses: vec![clause],
                        rules: false,
                        doc: String::new(),
                        procedure: false,
                        specs: Vec::new(),
                        span,
                    });
                }
            }
            Binding::Vertical { name, params, result, body, span } => {
                close_signature(diagnostics, &mut defs, open.take());
                let mut ty = *result;
                for (_, param_ty) in params.iter().rev() {
                    let span = param_ty.span.to(ty.span);
                    ty = TypeExpr { kind: TypeExprKind::Function(Box::new(param_ty.clone()), Box::new(ty)), span };
                }
                let patterns = params
                    .iter()
                    .map(|(param, _)| Pat { kind: PatKind::Var(param.text.clone()), span: param.span })
                    .collect();
                let body = body_expr(diagnostics, *body);
                let clause = Clause { patterns, body, span, name_span: None };
                defs.push(Def {
                    name,
                    signature: Some(ty),
                    param_names: params.into_iter().map(|(name, _)| name).collect(),
                    clauses: vec![clause],
                    rules: false,
                    doc: String::new(),
                    procedure: false,
                    specs: Vec::new(),
                    span,
                });
            }
            Binding::Error(_) => close_signature(diagnostics, &mut defs, open.take()),
        }
    }
    close_signature(diagnostics, &mut defs, open.take());
    defs
}

/// Reports a signature that no equation followed, and drops it.
fn close_signature(diagnostics: &mut Vec<Diagnostic>, defs: &mut Vec<Def>, open: Option<usize>) {
    let Some(index) = open else { return };
    if defs[index].clauses.is_empty() {
        let def = defs.remove(index);
        diagnostics.push(
            Diagnostic::error(
                codes::E0108,
                def.name.span,
                format!("`{}` has a signature but no definition", def.name.text),
            )
            .with_help(format!("define it on the next line: `{} … = …`", def.name.text)),
        );
    }
}

fn value_clause(diagnostics: &mut Vec<Diagnostic>, body: Body) -> Clause {
    let span = body.span;
    Clause { patterns: Vec::new(), body: body_expr(diagnostics, body), span, name_span: None }
}

fn rule_clauses(diagnostics: &mut Vec<Diagnostic>, body: Body) -> Vec<Clause> {
    let mut clauses = Vec::new();
    for line in body.lines {
        match line {
            Line::Rule(lhs, rhs, span) => {
                let patterns = match lhs.kind {
                    ExprKind::Juxtaposition(items) => {
                        items.into_iter().map(|item| pattern(diagnostics, item)).collect()
                    }
                    _ => vec![pattern(diagnostics, lhs)],
                };
                clauses.push(Clause { patterns, body: body_expr(diagnostics, *rhs), span, name_span: None });
            }
            Line::Error => {}
            Line::Expr(expr) => diagnostics.push(misplaced(expr.span, "a rule `pattern → result`")),
            Line::Let(binding) => diagnostics.push(misplaced(binding.span(), "a rule `pattern → result`")),
        }
    }
    if !body.bindings.is_empty() {
        diagnostics.push(
            Diagnostic::error(codes::E0014, body.span, "where-bindings after rules are not supported")
                .with_help("put the `@` bindings after the result of the rule that uses them"),
        );
    }
    clauses
}

/// Reads an expression as a pattern, reporting what cannot be one.
pub(crate) fn pattern(diagnostics: &mut Vec<Diagnostic>, expr: Expr) -> Pat {
    let span = expr.span;
    let kind = match expr.kind {
        ExprKind::Wildcard => PatKind::Wildcard,
        ExprKind::Path(path) => {
            if path.len() == 1 && !starts_upper(&path[0].text) {
                PatKind::Var(path.into_iter().next().expect("one segment").text)
            } else if path.last().is_some_and(|last| starts_upper(&last.text)) {
                PatKind::Constructor(path)
            } else {
                return invalid_pattern(diagnostics, span, "a qualified value name cannot be a pattern");
            }
        }
        ExprKind::Int(value) => PatKind::Literal(Literal::Int(value, false)),
        ExprKind::Real(bits) => PatKind::Literal(Literal::Real(bits)),
        ExprKind::Str(text) => PatKind::Literal(Literal::Str(text)),
        ExprKind::Char(c) => PatKind::Literal(Literal::Char(c)),
        ExprKind::Bool(value) => PatKind::Literal(Literal::Bool(value)),
        ExprKind::Unary(crate::ast::UnOp::Neg, inner) => match inner.kind {
            ExprKind::Int(value) => PatKind::Literal(Literal::Int(value, true)),
            ExprKind::Real(bits) => PatKind::Literal(Literal::Real((-f64::from_bits(bits)).to_bits())),
            _ => return invalid_pattern(diagnostics, span, "only a number literal can be negated in a pattern"),
        },
        ExprKind::Juxtaposition(items) => {
            PatKind::Sequence(items.into_iter().map(|item| pattern(diagnostics, item)).collect())
        }
        ExprKind::Binary(BinOp::Cons, head, tail) => {
            PatKind::Cons(Box::new(pattern(diagnostics, *head)), Box::new(pattern(diagnostics, *tail)))
        }
        ExprKind::Tuple(items) => PatKind::Tuple(items.into_iter().map(|item| pattern(diagnostics, item)).collect()),
        ExprKind::List(items) => PatKind::List(items.into_iter().map(|item| pattern(diagnostics, item)).collect()),
        ExprKind::Record(fields) => {
            PatKind::Record(fields.into_iter().map(|(name, value)| (name, pattern(diagnostics, value))).collect())
        }
        ExprKind::Annotated(inner, ty) => PatKind::Annotated(Box::new(pattern(diagnostics, *inner)), ty),
        ExprKind::Error => PatKind::Error,
        _ => return invalid_pattern(diagnostics, span, "this expression cannot be a pattern"),
    };
    Pat { kind, span }
}

fn invalid_pattern(diagnostics: &mut Vec<Diagnostic>, span: Span, message: &str) -> Pat {
    diagnostics.push(Diagnostic::error(codes::E0012, span, message).with_help(
        "a pattern is a variable, `_`, a literal, a constructor with patterns, a tuple, a list, `p :: ps` or a record",
    ));
    Pat { kind: PatKind::Error, span }
}

/// A signature with specification clauses. A clause that starts with
/// another word than `requires`, `ensures` or `decreases`, or a second
/// `decreases`, is `E0112`; the clause's text is filled in by the parser,
/// which has the source.
pub(crate) fn specified(
    diagnostics: &mut Vec<Diagnostic>,
    name: Name,
    ty: TypeExpr,
    lines: Vec<(Name, Expr, Span)>,
    span: Span,
) -> Binding {
    let mut specs: Vec<Spec> = Vec::new();
    for (word, expr, clause_span) in lines {
        let Some(kind) = SpecKind::from_keyword(&word.text) else {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0112,
                    word.span,
                    format!("`{}` does not start a specification clause", word.text),
                )
                .with_help("a line under a signature is `requires P`, `ensures Q` or `decreases m`"),
            );
            continue;
        };
        if kind == SpecKind::Decreases && specs.iter().any(|spec| spec.kind == SpecKind::Decreases) {
            diagnostics.push(
                Diagnostic::error(codes::E0112, word.span, "a function has at most one `decreases` clause")
                    .with_help("combine the measures into one ℕ expression"),
            );
            continue;
        }
        specs.push(Spec { kind, expr: without_old(expr), text: String::new(), span: clause_span });
    }
    Binding::Signature { name, ty: Box::new(ty), body: None, specs, span }
}

/// `expr` with every `old e` read as `e`: Min's values are immutable, so a
/// value on entry is the value.
fn without_old(expr: Expr) -> Expr {
    let span = expr.span;
    let kind = match expr.kind {
        ExprKind::Juxtaposition(items) => {
            let mut items: Vec<Expr> = items.into_iter().map(without_old).collect();
            let starts_with_old = items.len() > 1
                && matches!(&items[0].kind, ExprKind::Path(path) if path.len() == 1 && path[0].text == OLD_NAME);
            if starts_with_old {
                items.remove(0);
            }
            if items.len() == 1 {
                return items.remove(0);
            }
            ExprKind::Juxtaposition(items)
        }
        ExprKind::Binary(op, a, b) => ExprKind::Binary(op, Box::new(without_old(*a)), Box::new(without_old(*b))),
        ExprKind::Unary(op, a) => ExprKind::Unary(op, Box::new(without_old(*a))),
        ExprKind::Field(a, name) => ExprKind::Field(Box::new(without_old(*a)), name),
        ExprKind::Annotated(a, ty) => ExprKind::Annotated(Box::new(without_old(*a)), ty),
        ExprKind::Tuple(items) => ExprKind::Tuple(items.into_iter().map(without_old).collect()),
        ExprKind::List(items) => ExprKind::List(items.into_iter().map(without_old).collect()),
        ExprKind::Record(fields) => ExprKind::Record(fields.into_iter().map(|(n, e)| (n, without_old(e))).collect()),
        ExprKind::Update(base, fields) => ExprKind::Update(
            Box::new(without_old(*base)),
            fields.into_iter().map(|(n, e)| (n, without_old(e))).collect(),
        ),
        ExprKind::If(c, a, b) => {
            ExprKind::If(Box::new(without_old(*c)), Box::new(without_old(*a)), Box::new(without_old(*b)))
        }
        ExprKind::Match(scrutinee, clauses) => ExprKind::Match(
            Box::new(without_old(*scrutinee)),
            clauses.into_iter().map(|clause| Clause { body: without_old(clause.body), ..clause }).collect(),
        ),
        other => other,
    };
    Expr::new(kind, span)
}
