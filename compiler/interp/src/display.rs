//! Values printed as Min source: what `Prim.show`, `minc run` and error
//! messages print.

use std::fmt::{self, Write};

use min_core::Constructor;

use crate::value::{Data, Function, Pair, Value};

/// How many characters of a value an error message quotes.
const QUOTE_CHARS_MAX: usize = 200;

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

impl fmt::Debug for Data<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Data").field("constructor", &self.constructor.name).field("fields", &self.fields).finish()
    }
}

impl fmt::Debug for Pair<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pair").field("head", &self.head).field("tail", &self.tail).finish()
    }
}

impl fmt::Debug for Function<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<function of arity {}>", self.arity())
    }
}

/// The value as Min source, cut after a couple of hundred characters: for
/// quoting in error messages, where the value may be a huge list.
pub(crate) fn quote(value: &Value<'_>) -> String {
    let mut bounded = Bounded { text: String::new(), chars_left: QUOTE_CHARS_MAX };
    if write_value(&mut bounded, value).is_err() {
        bounded.text.push('…');
    }
    bounded.text
}

/// A writer that refuses to take more than `chars_left` characters.
struct Bounded {
    text: String,
    chars_left: usize,
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.chars_left == 0 {
                return Err(fmt::Error);
            }
            self.chars_left -= 1;
            self.text.push(c);
        }
        Ok(())
    }
}

/// Writes `value`. The last field of a constructor or record is printed by
/// looping rather than recursing, so long chains of data (user-defined lists,
/// Peano numbers) print without deep recursion; lists are loops too.
fn write_value(out: &mut dyn Write, value: &Value<'_>) -> fmt::Result {
    let mut value = value;
    // Closing brackets owed by the enclosing levels, innermost last.
    let mut closers = String::new();
    while let Value::Data(data) = value {
        let Some((last, init)) = data.fields.split_last() else {
            if data.constructor.record {
                out.write_str("{}")?;
            } else {
                out.write_str(&data.constructor.name)?;
            }
            return close(out, &closers);
        };
        if data.constructor.record {
            out.write_char('{')?;
            for (index, field) in init.iter().enumerate() {
                write_field_name(out, data.constructor, index)?;
                write_value(out, field)?;
                out.write_str(", ")?;
            }
            write_field_name(out, data.constructor, init.len())?;
            closers.push('}');
        } else {
            out.write_str(&data.constructor.name)?;
            for field in init {
                out.write_char(' ')?;
                write_argument(out, field)?;
            }
            out.write_char(' ')?;
            if needs_parentheses(last) {
                out.write_char('(')?;
                closers.push(')');
            }
        }
        value = last;
    }
    write_leaf(out, value)?;
    close(out, &closers)
}

/// Writes the brackets owed, innermost first.
fn close(out: &mut dyn Write, closers: &str) -> fmt::Result {
    closers.chars().rev().try_for_each(|c| out.write_char(c))
}

/// Writes a value that is not constructor data.
fn write_leaf(out: &mut dyn Write, value: &Value<'_>) -> fmt::Result {
    match value {
        Value::Nat(n) => write!(out, "{n}"),
        Value::Int(i) => write!(out, "{i}"),
        Value::Real(x) => write_real(out, *x),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Char(c) => {
            out.write_char('\'')?;
            write_escaped(out, *c, '\'')?;
            out.write_char('\'')
        }
        Value::Str(s) => {
            out.write_char('"')?;
            s.chars().try_for_each(|c| write_escaped(out, c, '"'))?;
            out.write_char('"')
        }
        Value::Unit => out.write_str("()"),
        Value::Tuple(items) => {
            out.write_char('(')?;
            write_separated(out, items.iter())?;
            out.write_char(')')
        }
        Value::Nil | Value::Cons(_) => {
            out.write_char('[')?;
            write_separated(out, value.elements())?;
            out.write_char(']')
        }
        Value::Data(_) => write_value(out, value),
        Value::Function(_) => out.write_str("<function>"),
    }
}

/// Writes values separated by `", "`.
fn write_separated<'a, 'p: 'a>(out: &mut dyn Write, items: impl Iterator<Item = &'a Value<'p>>) -> fmt::Result {
    for (index, item) in items.enumerate() {
        if index > 0 {
            out.write_str(", ")?;
        }
        write_value(out, item)?;
    }
    Ok(())
}

/// Writes `name = ` for field `index` of a record.
fn write_field_name(out: &mut dyn Write, constructor: &Constructor, index: usize) -> fmt::Result {
    match constructor.fields.get(index) {
        Some(name) => write!(out, "{name} = "),
        None => write!(out, "{index} = "),
    }
}

/// Writes a constructor argument, parenthesized when it would not read as one.
fn write_argument(out: &mut dyn Write, value: &Value<'_>) -> fmt::Result {
    if needs_parentheses(value) {
        out.write_char('(')?;
        write_value(out, value)?;
        out.write_char(')')
    } else {
        write_value(out, value)
    }
}

/// Whether `value` as a constructor argument needs parentheses: it is itself
/// a constructor with fields, or it starts with a minus sign.
fn needs_parentheses(value: &Value<'_>) -> bool {
    match value {
        Value::Data(data) => !data.constructor.record && !data.fields.is_empty(),
        Value::Int(i) => *i < 0,
        Value::Real(x) => x.is_sign_negative() && !x.is_nan(),
        _ => false,
    }
}

/// Writes a real so that reading it back gives the same bits: the shortest
/// round-trip digits, always with a `.` or an exponent (`4.0`, `1e-7`).
pub(crate) fn write_real(out: &mut dyn Write, x: f64) -> fmt::Result {
    if x.is_nan() {
        return out.write_str("NaN");
    }
    if x.is_infinite() {
        return out.write_str(if x > 0.0 { "∞" } else { "-∞" });
    }
    // Debug, unlike Display, switches to exponent notation for very large and
    // very small magnitudes (`1e-7`, `1e16`), which Min's literals accept.
    let text = format!("{x:?}");
    out.write_str(&text)?;
    if !text.contains(['.', 'e', 'E']) {
        out.write_str(".0")?;
    }
    Ok(())
}

/// Writes one character of a string or character literal quoted by `quote`.
fn write_escaped(out: &mut dyn Write, c: char, quote: char) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\t' => out.write_str("\\t"),
        '\\' => out.write_str("\\\\"),
        _ if c == quote => {
            out.write_char('\\')?;
            out.write_char(c)
        }
        _ if c.is_control() => write!(out, "\\u{{{:x}}}", u32::from(c)),
        _ => out.write_char(c),
    }
}
