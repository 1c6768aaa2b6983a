//! `minc fmt`: the canonical form of a Min file. It changes only what
//! cannot change the program: runs of spaces between tokens become one space
//! (a missing space stays missing: spacing decides precedence), ASCII
//! operator spellings become their Unicode forms (`->` → `→`, `<=` → `≤`,
//! `\x` → `λx`), trailing blanks and extra blank lines go, and the file ends
//! with one newline. Line breaks, indentation and comments (with the spaces
//! that align them) stay as written. Formatting is idempotent.

use crate::lexer::lex;
use crate::parse_module;
use min_diagnostics::{Diagnostic, FileId};

/// The formatted text, or the syntax errors that prevent formatting.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let file = FileId(0);
    let (_, diagnostics) = parse_module(file, text);
    let syntax_errors: Vec<Diagnostic> =
        diagnostics.into_iter().filter(|d| d.is_error() && d.code.info().name < "E0100").collect();
    if !syntax_errors.is_empty() {
        return Err(syntax_errors);
    }
    let (tokens, _) = lex(file, text);
    let mut out = String::with_capacity(text.len());
    let mut next_token = tokens.iter().filter(|(_, tok, _)| *tok != crate::token::Tok::Newline).peekable();
    let mut blank_lines = 0;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            blank_lines += 1;
            line_start = line_end;
            continue;
        }
        if !out.is_empty() && blank_lines > 0 {
            out.push('\n');
        }
        blank_lines = 0;
        // Tokens on this line; a multi-line token cannot occur (literals end at the line).
        let mut cursor = line_start;
        let indentation = content.len() - content.trim_start().len();
        out.push_str(&" ".repeat(content[..indentation].chars().count()));
        cursor += indentation;
        let mut first = true;
        while let Some(&&(start, _, end)) = next_token.peek() {
            if start >= line_start + content.len() {
                break;
            }
            next_token.next();
            if !first && start > cursor {
                out.push(' ');
            }
            first = false;
            out.push_str(canonical(&text[start..end]));
            cursor = end;
        }
        let rest = &text[cursor..line_start + content.len()];
        let comment = rest.trim_start();
        if !comment.is_empty() {
            // A comment keeps the spaces that align it; a comment line keeps its indentation.
            if !first {
                out.push_str(&rest[..rest.len() - comment.len()]);
            }
            out.push_str(comment.trim_end());
        }
        out.push('\n');
        line_start = line_end;
    }
    Ok(out)
}

/// The canonical spelling of a token.
fn canonical(token: &str) -> &str {
    match token {
        "->" => "→",
        "<=" => "≤",
        ">=" => "≥",
        "!=" => "≠",
        "&&" => "∧",
        "||" => "∨",
        "\\" => "λ",
        "!" => "¬",
        _ => token,
    }
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn spacing_is_normalized_but_never_added_or_removed() {
        let formatted = format("f x  =  x/2   +  1\n").unwrap();
        assert_eq!(formatted, "f x = x/2 + 1\n");
    }

    #[test]
    fn ascii_spellings_become_unicode_and_comments_stay_aligned() {
        let source = "f : Nat -> Nat   # doubles\nf x = if x <= 1 then x else 2 x\ng = \\y -> y\n\n\n\nh = 1   \n";
        let formatted = format(source).unwrap();
        assert_eq!(formatted, "f : Nat → Nat   # doubles\nf x = if x ≤ 1 then x else 2 x\ng = λy → y\n\nh = 1\n");
        assert_eq!(format(&formatted).unwrap(), formatted, "idempotent");
    }

    #[test]
    fn files_with_syntax_errors_are_not_formatted() {
        assert!(format("f x = (x +\n").is_err());
    }
}
