//! Parsing a whole file: lex, lay out, split into items, parse each item on
//! its own (so one broken item never hides errors in the next), and assemble
//! the module.

use crate::ast::Expr;
use crate::ast::Name;
use crate::ast::{Import, Module, Test, TypeDef};
use crate::depth::{DEPTH_LIMIT, def_depth};
use crate::grammar::{ExprParser, ItemParser};
use crate::layout::{layout, line_column, split_items};
use crate::lexer::{Spanned, lex, token_starts};
use crate::raw::{Binding, RawItem, merge_bindings};
use crate::shift::Shift;
use crate::test_decl::{is_test, test_declaration};
use crate::token::Tok;
use lalrpop_util::ParseError;
use min_diagnostics::{Diagnostic, FileId, Span, codes};

/// The deepest bracket nesting an item may have. Deeper input is rejected
/// with `E0013` before it reaches the recursive passes.
pub const NESTING_LIMIT: usize = 128;

/// Parses `text` as the module in `file`. Always returns a module (with the
/// items that parsed) and every syntax diagnostic found.
pub fn parse_module(file: FileId, text: &str) -> (Module, Vec<Diagnostic>) {
    let items = item_regions(text)
        .into_iter()
        .map(|region| parse_item(file, &text[region.start..region.end], region.followed).moved(region.start))
        .collect();
    assemble(file, text, items)
}

/// Where one top-level item's text is: from the start of its first line
/// (the start of the file for the first item) to the start of the next
/// item. Items start at the tokens that begin a line in column 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemRegion {
    /// The offset of its first byte.
    pub start: usize,
    /// The offset one past its last byte.
    pub end: usize,
    /// Whether another item follows (brackets left open are then reported
    /// when the item ends).
    pub followed: bool,
}

/// The regions of the top-level items of `text`, in order. Each parses on
/// its own ([`parse_item`]) to what the whole file gives for it, so an
/// item whose text did not change need not be parsed again.
pub fn item_regions(text: &str) -> Vec<ItemRegion> {
    let mut starts: Vec<usize> = Vec::new();
    let mut line_break = true;
    for (start, newline) in token_starts(text) {
        if newline {
            line_break = true;
            continue;
        }
        if std::mem::take(&mut line_break) && (starts.is_empty() || line_column(text, start) == 0) {
            starts.push(if starts.is_empty() { 0 } else { start });
        }
    }
    let count = starts.len();
    (0..count)
        .map(|i| ItemRegion {
            start: starts[i],
            end: starts.get(i + 1).copied().unwrap_or(text.len()),
            followed: i + 1 < count,
        })
        .collect()
}

/// One top-level item parsed on its own text, with spans counted from the
/// start of that text until it is [moved](ParsedItem::moved) to its place.
#[derive(Clone, Debug)]
pub struct ParsedItem {
    /// What the item is.
    outcome: Outcome,
    /// Its lexical, layout and syntax diagnostics.
    diagnostics: Vec<Diagnostic>,
    /// Where its first token starts.
    first: usize,
    /// How many tokens it has.
    tokens: usize,
}

/// What one item parsed to.
#[derive(Clone, Debug)]
enum Outcome {
    /// Nothing to keep: no tokens, or an error already reported.
    Nothing,
    /// An import line.
    Import(Import),
    /// A type definition.
    Type(Box<TypeDef>),
    /// A test (none if its declaration was malformed).
    Test(Option<Box<Test>>),
    /// A signature, equation or vertical definition.
    Binding(Binding),
    /// The same, marked `procedure`.
    Procedure(Binding),
    /// `procedure name` alone.
    ProcedureName(Name),
    /// An item that did not parse, with the name it defines if it has one.
    Failed(Option<String>),
}

/// Parses the text of one item region (see [`item_regions`]); `followed`
/// as in [`ItemRegion`]. Spans count from the start of `text`.
pub fn parse_item(file: FileId, text: &str, followed: bool) -> ParsedItem {
    let (tokens, mut diagnostics) = lex(file, text);
    let (tokens, layout_diagnostics) = layout_item(file, text, tokens, followed);
    diagnostics.extend(layout_diagnostics);
    let mut items = split_items(tokens);
    let Some(item_tokens) = items.pop().filter(|_| items.is_empty()) else {
        // A region holds one item by construction; anything else has no tokens.
        return ParsedItem { outcome: Outcome::Nothing, diagnostics, first: 0, tokens: 0 };
    };
    let (first, count) = (item_tokens[0].0, item_tokens.len());
    let mut item = ParsedItem { outcome: Outcome::Nothing, diagnostics: Vec::new(), first, tokens: count };
    if let Some(diagnostic) = check_nesting(file, &item_tokens) {
        diagnostics.push(diagnostic);
        item.diagnostics = diagnostics;
        return item;
    }
    let mut recovered = Vec::new();
    let end = item_tokens.last().map_or(0, |(_, _, end)| *end);
    let name = item_name(&item_tokens);
    let starts_with_let = matches!(item_tokens.first(), Some((_, Tok::Let, _)));
    let result =
        ItemParser::new().parse(file, &mut recovered, &mut diagnostics, item_tokens.into_iter().map(Ok::<Spanned, ()>));
    if starts_with_let {
        // A script-style `let` at the top level: one clear error, not a parse trace.
        diagnostics.push(
            Diagnostic::error(
                codes::E0014,
                Span::new(file, first, first + 3),
                "`let` cannot start a top-level definition",
            )
            .with_help("write the definition without `let`: `name = …`; `let` is for definitions inside an expression"),
        );
        item.diagnostics = diagnostics;
        return item;
    }
    for recovery in recovered {
        diagnostics.push(syntax_error(file, recovery.error, end));
    }
    item.outcome = match result {
        Ok(RawItem::Import(import)) => Outcome::Import(import),
        Ok(RawItem::Type(def)) => Outcome::Type(def),
        Ok(RawItem::Binding(binding)) if is_test(&binding) => {
            Outcome::Test(test_declaration(&mut diagnostics, binding).map(Box::new))
        }
        Ok(RawItem::Binding(binding)) => Outcome::Binding(binding),
        Ok(RawItem::Procedure(binding)) => Outcome::Procedure(binding),
        Ok(RawItem::ProcedureName(name)) => Outcome::ProcedureName(name),
        Ok(RawItem::Error) => Outcome::Failed(name),
        Err(error) => {
            diagnostics.push(syntax_error(file, error, end));
            Outcome::Failed(name)
        }
    };
    item.diagnostics = diagnostics;
    item
}

/// Lays out one item's tokens as [`layout`] does in the whole file, where
/// the next item's first line reports the brackets this one left open.
fn layout_item(file: FileId, text: &str, tokens: Vec<Spanned>, followed: bool) -> (Vec<Spanned>, Vec<Diagnostic>) {
    let brackets_left_open = if followed { open_brackets(&tokens) } else { Vec::new() };
    let (tokens, mut diagnostics) = layout(file, text, tokens);
    diagnostics.extend(brackets_left_open.into_iter().map(|(start, end)| {
        Diagnostic::error(codes::E0010, Span::new(file, start, end), "this bracket is never closed")
            .with_help("close it before the end of the definition")
    }));
    (tokens, diagnostics)
}

/// The brackets still open after `tokens`, outermost first, as the layout
/// pass counts them (a closing bracket closes the latest open one).
fn open_brackets(tokens: &[Spanned]) -> Vec<(usize, usize)> {
    let mut brackets = Vec::new();
    for (start, tok, end) in tokens {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => brackets.push((*start, *end)),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                brackets.pop();
            }
            _ => {}
        }
    }
    brackets
}

impl ParsedItem {
    /// A copy with every span moved `by` bytes later: the item as it is
    /// where its region starts.
    pub fn moved(&self, by: usize) -> ParsedItem {
        let mut item = self.clone();
        let by32 = by as u32;
        if by32 != 0 {
            item.diagnostics.shift(by32);
            match &mut item.outcome {
                Outcome::Nothing | Outcome::Failed(_) => {}
                Outcome::Import(import) => import.shift(by32),
                Outcome::Type(def) => def.shift(by32),
                Outcome::Test(test) => test.shift(by32),
                Outcome::Binding(binding) | Outcome::Procedure(binding) => binding.shift(by32),
                Outcome::ProcedureName(name) => name.shift(by32),
            }
        }
        item.first += by;
        item
    }
}

/// Assembles the module of `file` from its items, parsed and moved to their
/// places in `text`: merges signatures with their equations, attaches doc
/// comments, marks procedures, and measures nesting.
pub fn assemble(file: FileId, text: &str, items: Vec<ParsedItem>) -> (Module, Vec<Diagnostic>) {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut imports: Vec<Import> = Vec::new();
    let mut types: Vec<TypeDef> = Vec::new();
    let mut bindings: Vec<(Binding, String)> = Vec::new();
    let mut tests: Vec<Test> = Vec::new();
    // Where each definition marked `procedure` starts, and the procedures
    // named without a signature.
    let mut procedures: Vec<Span> = Vec::new();
    let mut unsigned_procedures: Vec<crate::ast::Name> = Vec::new();
    // Names of items that did not parse: their signatures are not orphans.
    let mut failed: Vec<String> = Vec::new();
    // An item's nesting depth is at most about twice its token count: only
    // files with a long item need their definitions measured.
    let mut longest_item = 0;
    for item in items {
        longest_item = longest_item.max(item.tokens);
        diagnostics.extend(item.diagnostics);
        let start = item.first;
        match item.outcome {
            Outcome::Nothing => {}
            Outcome::Import(import) => imports.push(import),
            Outcome::Type(mut def) => {
                def.doc = doc_comment(text, start);
                for invariant in &mut def.invariants {
                    invariant.text = text.get(invariant.span.range()).unwrap_or_default().to_string();
                }
                types.push(*def);
            }
            Outcome::Test(test) => tests.extend(test.map(|test| *test)),
            Outcome::Binding(binding) => bindings.push((binding, doc_comment(text, start))),
            Outcome::Procedure(binding) => {
                procedures.push(binding.span());
                bindings.push((binding, doc_comment(text, start)));
            }
            Outcome::ProcedureName(name) => unsigned_procedures.push(name),
            Outcome::Failed(name) => failed.extend(name),
        }
    }
    let mut docs: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (binding, doc) in &bindings {
        if let Some(name) = binding.name()
            && !doc.is_empty()
        {
            docs.entry(name.to_string()).or_insert_with(|| doc.clone());
        }
    }
    let mut merge_diagnostics = Vec::new();
    let mut defs = merge_bindings(&mut merge_diagnostics, bindings.into_iter().map(|(binding, _)| binding).collect());
    diagnostics.extend(merge_diagnostics.into_iter().filter(|diagnostic| {
        diagnostic.code != codes::E0108 || !failed.iter().any(|name| text.get(diagnostic.span.range()) == Some(name))
    }));
    for def in &mut defs {
        if let Some(doc) = docs.get(&def.name.text) {
            def.doc = doc.clone();
        }
        for spec in &mut def.specs {
            spec.text = text.get(spec.span.range()).unwrap_or_default().to_string();
        }
        def.procedure = procedures.iter().any(|span| def.span.start == span.start)
            || unsigned_procedures.iter().any(|name| name.text == def.name.text);
    }
    for name in unsigned_procedures.iter().filter(|name| !defs.iter().any(|def| def.name.text == name.text)) {
        diagnostics.push(
            Diagnostic::error(codes::E0108, name.span, format!("the procedure `{}` has no definition", name.text))
                .with_help(format!(
                    "write its signature and equations: `procedure {} : …` then `{} … = …`",
                    name.text, name.text
                )),
        );
    }
    defs.retain(|def| {
        let shallow = 2 * longest_item < DEPTH_LIMIT || def_depth(def, DEPTH_LIMIT) <= DEPTH_LIMIT;
        if !shallow {
            diagnostics.push(
                Diagnostic::error(codes::E0013, def.name.span, format!("`{}` is nested too deeply", def.name.text))
                    .with_help(format!(
                        "Min accepts expressions nested at most {DEPTH_LIMIT} deep; name the inner parts with `@` bindings"
                    )),
            );
        }
        shallow
    });
    for def in &mut types {
        def.invariants.retain(|invariant| {
            let shallow =
                2 * longest_item < DEPTH_LIMIT || crate::depth::expr_depth(&invariant.expr, DEPTH_LIMIT) <= DEPTH_LIMIT;
            if !shallow {
                diagnostics.push(
                    Diagnostic::error(codes::E0013, invariant.span, "this invariant is nested too deeply")
                        .with_help(format!("Min accepts expressions nested at most {DEPTH_LIMIT} deep")),
                );
            }
            shallow
        });
    }
    tests.retain(|test| {
        let shallow = 2 * longest_item < DEPTH_LIMIT || test_depth(test) <= DEPTH_LIMIT;
        if !shallow {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0013,
                    test.name_span,
                    format!("the test \"{}\" is nested too deeply", test.name),
                )
                .with_help(format!(
                    "Min accepts expressions nested at most {DEPTH_LIMIT} deep; name the inner parts with `@` bindings"
                )),
            );
        }
        shallow
    });
    diagnostics.sort_by_key(|diagnostic| (diagnostic.span.start, diagnostic.span.end));
    (Module { file, imports, types, defs, tests }, diagnostics)
}

/// How deeply a test's body nests, measured as a definition's.
fn test_depth(test: &Test) -> usize {
    let name = crate::ast::Name { text: crate::test_decl::TEST_KEYWORD.to_string(), span: test.name_span };
    let def = test.definition(name);
    def_depth(&def, DEPTH_LIMIT)
}

/// Parses `text` as one expression (a command-line argument, a REPL line).
pub fn parse_expression(file: FileId, text: &str) -> Result<Expr, Vec<Diagnostic>> {
    let (tokens, mut diagnostics) = lex(file, text);
    let (tokens, layout_diagnostics) = layout(file, text, tokens);
    diagnostics.extend(layout_diagnostics);
    if let Some(diagnostic) = check_nesting(file, &tokens) {
        diagnostics.push(diagnostic);
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let mut recovered = Vec::new();
    let result =
        ExprParser::new().parse(file, &mut recovered, &mut diagnostics, tokens.into_iter().map(Ok::<Spanned, ()>));
    diagnostics.extend(recovered.into_iter().map(|recovery| syntax_error(file, recovery.error, text.len())));
    match result {
        Ok(expr) if diagnostics.is_empty() => Ok(expr),
        Ok(_) => Err(diagnostics),
        Err(error) => {
            diagnostics.push(syntax_error(file, error, text.len()));
            Err(diagnostics)
        }
    }
}

/// The name an item defines, read from its first token.
fn item_name(tokens: &[Spanned]) -> Option<String> {
    let unmarked = match tokens.first() {
        Some((_, Tok::Procedure, _)) => &tokens[1..],
        _ => tokens,
    };
    match unmarked.first() {
        Some((_, Tok::Lower(name), _)) => Some(name.clone()),
        _ => None,
    }
}

fn check_nesting(file: FileId, tokens: &[Spanned]) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for (start, tok, end) in tokens {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace | Tok::Indent => {
                depth += 1;
                if depth > NESTING_LIMIT {
                    return Some(
                        Diagnostic::error(codes::E0013, Span::new(file, *start, *end), "this item is nested too deeply")
                            .with_help(format!(
                                "Min accepts at most {NESTING_LIMIT} nested brackets or blocks; name the inner parts with `@` bindings"
                            )),
                    );
                }
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace | Tok::Dedent => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The `#` comment lines directly above byte `start`, without the `#`.
fn doc_comment(text: &str, start: usize) -> String {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut lines: Vec<&str> = Vec::new();
    let mut rest = &text[..line_start];
    while let Some(stripped) = rest.strip_suffix('\n') {
        let previous_start = stripped.rfind('\n').map_or(0, |i| i + 1);
        let line = stripped[previous_start..].trim();
        let Some(comment) = line.strip_prefix('#') else { break };
        lines.push(comment.strip_prefix(' ').unwrap_or(comment));
        rest = &stripped[..previous_start];
    }
    lines.reverse();
    lines.join("\n")
}

fn syntax_error(file: FileId, error: ParseError<usize, Tok, ()>, end: usize) -> Diagnostic {
    match error {
        ParseError::UnrecognizedToken { token: (start, tok, stop), expected } => {
            let span = Span::new(file, start, stop);
            let help = help_for(&tok);
            let message = match tok {
                Tok::Indent => "unexpected indentation".to_string(),
                Tok::Dedent => "this block ended too early".to_string(),
                Tok::Newline => "this line ended too early".to_string(),
                other => format!("unexpected {other}"),
            };
            Diagnostic::error(codes::E0010, span, message)
                .with_span_label(format!("expected {}", describe_expected(&expected)))
                .with_help(help)
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let at = location.max(end);
            Diagnostic::error(codes::E0011, Span::new(file, at, at), "the definition ends too early")
                .with_span_label(format!("expected {}", describe_expected(&expected)))
        }
        ParseError::ExtraToken { token: (start, tok, stop) } => {
            Diagnostic::error(codes::E0010, Span::new(file, start, stop), format!("unexpected {tok}"))
        }
        ParseError::InvalidToken { location } => {
            Diagnostic::error(codes::E0001, Span::new(file, location, location), "invalid token")
        }
        ParseError::User { .. } => Diagnostic::error(codes::E0010, Span::new(file, end, end), "syntax error"),
    }
}

fn help_for(tok: &Tok) -> String {
    match tok {
        Tok::Indent => {
            "a deeper line starts a block only after `=`, `→`, `@`, `then`, `else`, `match …` or a type's `Tag`/`Record`; \
             to continue an expression, end the previous line with an operator"
                .to_string()
        }
        Tok::Equals => "`=` defines a name; to compare two values write `==`".to_string(),
        _ => "check the line against the grammar in spec/syntax.md".to_string(),
    }
}

/// Turns lalrpop's terminal names into words.
fn describe_expected(expected: &[String]) -> String {
    let has = |terminal: &str| expected.iter().any(|t| t == terminal);
    if has("LOWER") && has("INT") && has("\"(\"") {
        return "an expression".to_string();
    }
    let mut words: Vec<String> = expected
        .iter()
        .map(|terminal| {
            let word = match terminal.as_str() {
                "LOWER" => "a name",
                "UPPER" => "a type or constructor name",
                "INT" | "REAL" => "a number",
                "STR" => "a string",
                "CHAR" => "a character",
                "INDENT" => "an indented block",
                "DEDENT" => "the end of the block",
                "NL" => "a new line",
                "SUP" => "a superscript",
                t if t.starts_with('L') || t.starts_with('T') && t.len() > 2 && t != "\"Tag\"" => "an operator",
                t => {
                    return t
                        .trim_matches('"')
                        .to_string()
                        .replace(t.trim_matches('"'), &format!("`{}`", t.trim_matches('"')));
                }
            };
            word.to_string()
        })
        .collect();
    words.sort();
    words.dedup();
    match words.len() {
        0 => "something else".to_string(),
        1 => words.remove(0),
        n if n > 6 => format!("{} or another token", words[..5].join(", ")),
        _ => {
            let last = words.pop().expect("several words");
            format!("{} or {last}", words.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_start_at_the_tokens_that_begin_a_line_in_column_zero() {
        let text = "# A doc comment.\nx = 1\n  + 2\n\ny : ℕ\ny = \"a\n b\"\n";
        let starts: Vec<usize> = item_regions(text).iter().map(|region| region.start).collect();
        let y = text.find("y :").expect("a signature");
        assert_eq!(starts, vec![0, y, text.rfind("y =").expect("an equation")]);
        let last = item_regions(text).last().copied().expect("items");
        assert_eq!((last.end, last.followed), (text.len(), false));
    }

    #[test]
    fn an_item_parsed_elsewhere_and_moved_is_the_item_parsed_in_place() {
        let first = "h = 1\n";
        let rest = "f : ℕ → ℕ\nf x = (x\ng = [1, 2]\n";
        let text = format!("{first}{rest}");
        let file = FileId(4);
        // The items of `rest` parsed as if they were a file of their own,
        // then moved below `first`.
        let mut items = vec![parse_item(file, first, true)];
        items.extend(item_regions(rest).into_iter().map(|region| {
            let item = parse_item(file, &rest[region.start..region.end], region.followed);
            item.moved(first.len() + region.start)
        }));
        let moved = assemble(file, &text, items);
        let in_place = parse_module(file, &text);
        assert_eq!(moved, in_place);
        assert!(in_place.1.iter().any(|diagnostic| diagnostic.code == codes::E0010), "{:?}", in_place.1);
    }
}
