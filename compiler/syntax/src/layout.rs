//! The layout pass: turns line breaks and indentation into `Indent`,
//! `Dedent` and `Newline` tokens, then splits the file into top-level items.
//!
//! Rules (see `spec/syntax.md`): inside brackets line breaks are ignored; a
//! line that follows a line ending in an operator, `,` or an opening bracket,
//! or that starts with `then`, `else`, `|` or a binary operator, continues the
//! previous line; otherwise a deeper line opens a block, a line at the same
//! column separates entries, and a shallower line closes blocks.

use crate::lexer::Spanned;
use crate::token::Tok;
use min_diagnostics::{Diagnostic, FileId, Span, codes};

/// Applies the layout rules to the lexer's tokens.
pub fn layout(file: FileId, text: &str, tokens: Vec<Spanned>) -> (Vec<Spanned>, Vec<Diagnostic>) {
    let mut out: Vec<Spanned> = Vec::with_capacity(tokens.len() + tokens.len() / 4);
    let mut diagnostics = Vec::new();
    let mut columns: Vec<usize> = vec![0];
    // Open brackets, by start offset: inside them line breaks are not layout.
    let mut brackets: Vec<(usize, usize)> = Vec::new();
    let mut line_break = true;
    for (start, tok, end) in tokens {
        if tok == Tok::Newline {
            line_break = true;
            continue;
        }
        if line_break && !brackets.is_empty() {
            if line_column(text, start) == 0 {
                // A line in column 1 starts a new item: a bracket left open
                // above it will never be closed.
                for (open_start, open_end) in brackets.drain(..) {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::E0010,
                            Span::new(file, open_start, open_end),
                            "this bracket is never closed",
                        )
                        .with_help("close it before the end of the definition"),
                    );
                }
            } else {
                line_break = false;
            }
        }
        if line_break {
            line_break = false;
            let column = indentation(file, text, start, &mut diagnostics);
            let previous = out.last().map(|(_, tok, _)| tok);
            let top = *columns.last().expect("the layout stack keeps its base");
            if previous.is_none() {
                if column > 0 {
                    out.push((start, Tok::Indent, start));
                    columns.push(column);
                }
            } else if column == 0 {
                // Column 1 always starts a new top-level item, whatever the
                // previous line looked like: errors stay inside their item.
                while columns.len() > 1 {
                    columns.pop();
                    out.push((start, Tok::Dedent, start));
                }
                out.push((start, Tok::Newline, start));
            } else if tok.continues_previous_line() {
                while columns.len() > 1 && column < *columns.last().expect("non-empty") {
                    columns.pop();
                    out.push((start, Tok::Dedent, start));
                }
            } else if previous.is_some_and(Tok::continues_line) {
                // The expression goes on: no layout token.
            } else if column > top {
                columns.push(column);
                out.push((start, Tok::Indent, start));
            } else {
                let mut last_closed = None;
                while column < *columns.last().expect("non-empty") {
                    last_closed = columns.pop();
                    out.push((start, Tok::Dedent, start));
                }
                if column != *columns.last().expect("non-empty") {
                    // Recover as if the line were aligned with the block it
                    // left: a slightly misaligned line most likely belongs there.
                    if let Some(closed) = last_closed {
                        columns.push(closed);
                        out.pop();
                    }
                    diagnostics.push(
                        Diagnostic::error(
                            codes::E0003,
                            Span::new(file, start, end),
                            "this line's indentation matches no enclosing block",
                        )
                        .with_span_label("dedented to here")
                        .with_help("indent the line to the same column as the lines of the block it belongs to"),
                    );
                }
                out.push((start, Tok::Newline, start));
            }
        }
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => brackets.push((start, end)),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                brackets.pop();
            }
            _ => {}
        }
        out.push((start, tok, end));
    }
    let end = text.len();
    while columns.len() > 1 {
        columns.pop();
        out.push((end, Tok::Dedent, end));
    }
    (out, diagnostics)
}

pub(crate) fn line_column(text: &str, start: usize) -> usize {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..start].chars().filter(|&c| c != BYTE_ORDER_MARK).count()
}

/// Some editors start files with U+FEFF; it is not indentation.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// The column (in characters) of the token starting at `start`, reporting
/// tabs in the indentation.
fn indentation(file: FileId, text: &str, start: usize, diagnostics: &mut Vec<Diagnostic>) -> usize {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..start];
    if let Some(tab) = prefix.find('\t') {
        diagnostics.push(
            Diagnostic::error(
                codes::E0004,
                Span::new(file, line_start + tab, line_start + tab + 1),
                "tab in indentation",
            )
            .with_help("indent with spaces: a tab's width is not the same in every editor"),
        );
    }
    prefix.chars().filter(|&c| c != BYTE_ORDER_MARK).count()
}

/// Splits laid-out tokens into top-level items: the runs between `Newline`
/// tokens at block depth zero.
pub fn split_items(tokens: Vec<Spanned>) -> Vec<Vec<Spanned>> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut current: Vec<Spanned> = Vec::new();
    for token in tokens {
        match token.1 {
            Tok::Indent => depth += 1,
            Tok::Dedent => depth = depth.saturating_sub(1),
            Tok::Newline if depth == 0 => {
                if !current.is_empty() {
                    items.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(token);
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}
