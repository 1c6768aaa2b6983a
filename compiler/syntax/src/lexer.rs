//! The lexer: source text to tokens with byte spans. Line breaks are kept as
//! [`Tok::Newline`] for the layout pass; spacing around operators is read off
//! the source to tell tight operators from loose ones.

use crate::token::{BinOp, Prec, Tok};
use logos::Logos;
use min_diagnostics::{Diagnostic, FileId, Span, codes};

/// A token with its byte range, the triple the grammar consumes.
pub type Spanned = (usize, Tok, usize);

#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\r\f\u{FEFF}]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
enum Raw {
    #[token("\n")]
    Newline,
    #[regex(r"[\p{XID_Start}_][\p{XID_Continue}]*")]
    Ident,
    #[regex(r"[0-9][0-9_]*")]
    Int,
    #[regex(r"0[xX][0-9a-zA-Z_]*")]
    Hex,
    #[regex(r"0[bB][0-9a-zA-Z_]*")]
    Bin,
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?")]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+")]
    Real,
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    Str,
    #[regex(r#""([^"\\\n]|\\[^\n])*"#)]
    UnterminatedStr,
    #[regex(r"'([^'\\\n]|\\[^\n])*'")]
    Char,
    #[regex(r"'([^'\\\n]|\\[^\n])*")]
    UnterminatedChar,
    #[token("→")]
    #[token("->")]
    Arrow,
    #[token("=")]
    Equals,
    #[token("==")]
    EqEq,
    #[token("≠")]
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    #[token("≤")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    #[token("≥")]
    Ge,
    #[token("+")]
    Plus,
    #[token("++")]
    PlusPlus,
    #[token("-")]
    Minus,
    #[token("*")]
    #[token("×")]
    Star,
    #[token("/")]
    #[token("÷")]
    Slash,
    #[token("%")]
    Percent,
    #[token("^")]
    Caret,
    #[token("²")]
    Sup2,
    #[token("³")]
    Sup3,
    #[token("√")]
    Sqrt,
    #[token("¬")]
    #[token("!")]
    Not,
    #[token("∧")]
    #[token("&&")]
    And,
    #[token("∨")]
    #[token("||")]
    Or,
    #[token("::")]
    ColonColon,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("|")]
    Bar,
    #[token("@")]
    At,
    #[token("\\")]
    Backslash,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
}

/// Lexes `text` into tokens (line breaks included) and diagnostics. Never
/// panics; an unknown character is reported and skipped.
pub fn lex(file: FileId, text: &str) -> (Vec<Spanned>, Vec<Diagnostic>) {
    let mut tokens: Vec<Spanned> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut lexer = Raw::lexer(text);
    while let Some(raw) = lexer.next() {
        let range = lexer.span();
        let slice = lexer.slice();
        let span = Span::new(file, range.start, range.end);
        let raw = match raw {
            Ok(raw) => raw,
            Err(()) => {
                let shown = slice.chars().next().map(|c| format!("{c:?} (U+{:04X})", c as u32)).unwrap_or_default();
                diagnostics.push(
                    Diagnostic::error(codes::E0001, span, format!("unexpected character {shown}"))
                        .with_span_label("no token starts with this character")
                        .with_help("remove it, or put it inside a string literal"),
                );
                continue;
            }
        };
        let previous = tokens.last().map(|(_, tok, _)| tok);
        let tok = match raw {
            Raw::Newline => Tok::Newline,
            Raw::Ident => {
                if let Some(rest) = slice.strip_prefix('λ') {
                    // `λx` is a lambda binding `x`, not an identifier.
                    tokens.push((range.start, Tok::Lambda, range.start + 'λ'.len_utf8()));
                    if rest.is_empty() {
                        continue;
                    }
                    tokens.push((range.start + 'λ'.len_utf8(), identifier(rest), range.end));
                    continue;
                }
                identifier(slice)
            }
            Raw::Int => integer(slice, 10, span, &mut diagnostics),
            Raw::Hex => radix_integer(&slice[2..], 16, "hexadecimal", span, &mut diagnostics),
            Raw::Bin => radix_integer(&slice[2..], 2, "binary", span, &mut diagnostics),
            Raw::Real => {
                let cleaned: String = slice.chars().filter(|&c| c != '_').collect();
                match cleaned.parse::<f64>() {
                    Ok(value) if value.is_finite() => Tok::Real(value.to_bits()),
                    _ => {
                        diagnostics.push(
                            Diagnostic::error(codes::E0005, span, "this real literal is too large")
                                .with_help("the largest finite ℝ is about 1.7976931348623157e308"),
                        );
                        Tok::Real(0f64.to_bits())
                    }
                }
            }
            Raw::Str => Tok::Str(unescape(&slice[1..slice.len() - 1], range.start + 1, file, &mut diagnostics)),
            Raw::UnterminatedStr => {
                diagnostics.push(
                    Diagnostic::error(codes::E0002, span, "this string literal has no closing `\"`")
                        .with_help("close the string on the same line; use `\\n` for a line break inside it"),
                );
                Tok::Str(String::new())
            }
            Raw::Char => {
                let reported = diagnostics.len();
                let body = unescape(&slice[1..slice.len() - 1], range.start + 1, file, &mut diagnostics);
                let mut chars = body.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Tok::Char(c),
                    _ if diagnostics.len() > reported => Tok::Char('?'),
                    _ => {
                        diagnostics.push(
                            Diagnostic::error(codes::E0006, span, "a character literal holds exactly one character")
                                .with_help("use double quotes for a string: \"…\""),
                        );
                        Tok::Char('?')
                    }
                }
            }
            Raw::UnterminatedChar => {
                diagnostics.push(
                    Diagnostic::error(codes::E0002, span, "this character literal has no closing `'`")
                        .with_help("write a character as 'a'"),
                );
                Tok::Char('?')
            }
            Raw::Arrow => Tok::Arrow,
            Raw::Equals => Tok::Equals,
            Raw::EqEq => binary(BinOp::Eq, text, &range),
            Raw::Ne => binary(BinOp::Ne, text, &range),
            Raw::Lt => binary(BinOp::Lt, text, &range),
            Raw::Le => binary(BinOp::Le, text, &range),
            Raw::Gt => binary(BinOp::Gt, text, &range),
            Raw::Ge => binary(BinOp::Ge, text, &range),
            Raw::Plus => binary(BinOp::Add, text, &range),
            Raw::PlusPlus => binary(BinOp::Concat, text, &range),
            Raw::Minus => {
                let after_operand = previous.is_some_and(Tok::ends_operand);
                let (space_before, space_after) = spacing(text, &range);
                if !after_operand || (space_before && !space_after) {
                    Tok::Neg
                } else {
                    binary(BinOp::Sub, text, &range)
                }
            }
            Raw::Star => binary(BinOp::Mul, text, &range),
            Raw::Slash => binary(BinOp::Div, text, &range),
            Raw::Percent => binary(BinOp::Rem, text, &range),
            Raw::Caret => Tok::Caret,
            Raw::Sup2 => Tok::Sup(2),
            Raw::Sup3 => Tok::Sup(3),
            Raw::Sqrt => Tok::Sqrt,
            Raw::Not => Tok::Not,
            Raw::And => binary(BinOp::And, text, &range),
            Raw::Or => binary(BinOp::Or, text, &range),
            Raw::ColonColon => binary(BinOp::Cons, text, &range),
            Raw::Colon => Tok::Colon,
            Raw::Comma => Tok::Comma,
            Raw::Dot => Tok::Dot,
            Raw::DotDot => Tok::DotDot,
            Raw::Bar => Tok::Bar,
            Raw::At => Tok::At,
            Raw::Backslash => Tok::Lambda,
            Raw::LParen => Tok::LParen,
            Raw::RParen => Tok::RParen,
            Raw::LBracket => Tok::LBracket,
            Raw::RBracket => Tok::RBracket,
            Raw::LBrace => Tok::LBrace,
            Raw::RBrace => Tok::RBrace,
        };
        tokens.push((range.start, tok, range.end));
    }
    (tokens, diagnostics)
}

/// Where each token [`lex`] gives for `text` starts, and whether it is a
/// line break, without building the tokens: what cutting a file into items
/// needs.
pub(crate) fn token_starts(text: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    let mut lexer = Raw::lexer(text);
    // The identifier of a `λx` that was just given as its `λ`.
    let mut pending: Option<usize> = None;
    std::iter::from_fn(move || {
        if let Some(start) = pending.take() {
            return Some((start, false));
        }
        loop {
            match lexer.next()? {
                Ok(raw) => {
                    let start = lexer.span().start;
                    let lambda = 'λ'.len_utf8();
                    if raw == Raw::Ident && lexer.slice().starts_with('λ') && lexer.slice().len() > lambda {
                        pending = Some(start + lambda);
                    }
                    return Some((start, raw == Raw::Newline));
                }
                // `lex` reports a character no token starts with and skips it.
                Err(()) => continue,
            }
        }
    })
}

fn identifier(text: &str) -> Tok {
    match text {
        "import" => Tok::Import,
        "asset" => Tok::Asset,
        "object" => Tok::Object,
        "event" => Tok::Event,
        "procedure" => Tok::Procedure,
        "let" => Tok::Let,
        "in" => Tok::In,
        "if" => Tok::If,
        "then" => Tok::Then,
        "else" => Tok::Else,
        "match" => Tok::Match,
        "Tag" => Tok::Tag,
        "Record" => Tok::Record,
        "true" => Tok::True,
        "false" => Tok::False,
        "_" => Tok::Underscore,
        _ if text.chars().next().is_some_and(char::is_uppercase) => Tok::Upper(text.to_string()),
        _ => Tok::Lower(text.to_string()),
    }
}

/// `0x…` or `0b…`: every letter and digit up to the next other character
/// belongs to the literal, so `0xfg` is one malformed literal, not `0xf g`.
fn radix_integer(digits: &str, radix: u32, name: &str, span: Span, diagnostics: &mut Vec<Diagnostic>) -> Tok {
    let valid = !digits.trim_matches('_').is_empty() && digits.chars().all(|c| c == '_' || c.is_digit(radix));
    if !valid {
        diagnostics.push(Diagnostic::error(codes::E0005, span, format!("this is not a {name} number")).with_help(
            if radix == 16 {
                "hexadecimal digits are 0-9 and a-f: `0xff`"
            } else {
                "binary digits are 0 and 1: `0b1010`"
            },
        ));
        return Tok::Int(0);
    }
    integer(digits, radix, span, diagnostics)
}

fn integer(digits: &str, radix: u32, span: Span, diagnostics: &mut Vec<Diagnostic>) -> Tok {
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    match u128::from_str_radix(&cleaned, radix) {
        Ok(value) => Tok::Int(value),
        Err(_) => {
            diagnostics.push(
                Diagnostic::error(codes::E0005, span, "this integer literal does not fit in 128 bits")
                    .with_help("the largest ℕ is 340282366920938463463374607431768211455"),
            );
            Tok::Int(0)
        }
    }
}

/// Whether there is white space (or the start or end of a line) right before
/// and right after the token.
fn spacing(text: &str, range: &std::ops::Range<usize>) -> (bool, bool) {
    let before = text[..range.start].chars().next_back().is_none_or(char::is_whitespace);
    let after = text[range.end..].chars().next().is_none_or(char::is_whitespace);
    (before, after)
}

/// A binary operator, tight when written with no space on either side.
fn binary(op: BinOp, text: &str, range: &std::ops::Range<usize>) -> Tok {
    let (before, after) = spacing(text, range);
    let prec: Prec = op.prec();
    Tok::Op(prec, !before && !after, op)
}

/// Resolves escapes in a literal's body that starts at byte `offset`.
fn unescape(body: &str, offset: usize, file: FileId, diagnostics: &mut Vec<Diagnostic>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escape)) = chars.next() else { break };
        let resolved = match escape {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '0' => Some('\0'),
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'u' => unicode_escape(&mut chars),
            _ => None,
        };
        match resolved {
            Some(c) => out.push(c),
            None => {
                let end = chars.peek().map_or(body.len(), |&(j, _)| j);
                diagnostics.push(
                    Diagnostic::error(
                        codes::E0006,
                        Span::new(file, offset + i, offset + end),
                        "unknown escape sequence",
                    )
                    .with_help("the escapes are \\n \\t \\r \\0 \\\\ \\' \\\" and \\u{…}"),
                );
            }
        }
    }
    out
}

fn unicode_escape(chars: &mut std::iter::Peekable<std::str::CharIndices>) -> Option<char> {
    chars.next_if(|&(_, c)| c == '{')?;
    let mut digits = String::new();
    while let Some((_, c)) = chars.next_if(|&(_, c)| c != '}') {
        digits.push(c);
    }
    chars.next_if(|&(_, c)| c == '}')?;
    u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_starts_are_where_the_lexed_tokens_start() {
        let texts = [
            "area : ℝ → ℝ\narea r = 3.14159 r²\n",
            "f = λx → x\n  # a comment\ng = \\y → y -1\n",
            "s = \"a\\nb\" ++ \"open\nc = 'x' § 0x1F 0b10 1_000.5e3\n",
            "\u{feff}  x = λ\n\t\ty = {p | x = 1} :: [] @ ~\n",
        ];
        for text in texts {
            let (tokens, _) = lex(FileId(0), text);
            let lexed: Vec<(usize, bool)> =
                tokens.iter().map(|(start, tok, _)| (*start, *tok == Tok::Newline)).collect();
            assert_eq!(token_starts(text).collect::<Vec<_>>(), lexed, "{text:?}");
        }
    }
}
