//! The core IR as text: what `minc build --emit ir` prints and what the IR
//! golden tests compare. Each definition and closure starts with its type
//! and the types of its frame's slots. Slots print as `%n`, after the local's
//! name when it has one (`x%3`); a use that moves a linear value prints as
//! `move x%3` (every other use shares an immutable value). Globals print as
//! `@Module.name`, operators carry their number type (`+ℝ`), and the
//! constructs that bind (`let`, `letrec`, `match`, `λ`) open indented blocks.

use crate::*;
use std::fmt::Write;

/// The module as readable text.
pub fn module_to_string(module: &Module) -> String {
    let mut out = String::new();
    for (index, global) in module.globals.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ =
            writeln!(out, "{} : {} (arity {}, frame {}) =", global.name, global.ty, global.arity, global.frame_size);
        let printer = Printer { slots: &global.slots };
        printer.write_slots(&mut out, 1);
        printer.write_block(&mut out, &global.body, 1);
    }
    out
}

/// Prints the expressions of one frame, naming its slots.
#[derive(Clone, Copy)]
struct Printer<'a> {
    slots: &'a [Slot],
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

impl Printer<'_> {
    /// `%n`, or `name%n` for a named local.
    fn slot(&self, slot: u32) -> String {
        match self.slots.get(slot as usize) {
            Some(info) if !info.name.is_empty() => format!("{}%{slot}", info.name),
            _ => format!("%{slot}"),
        }
    }

    /// A use of a slot: `move` when it moves a linear value.
    fn use_of(&self, slot: u32) -> String {
        match self.slots.get(slot as usize) {
            Some(info) if info.linear => format!("move {}", self.slot(slot)),
            _ => self.slot(slot),
        }
    }

    /// An operand that is only read (a field read's record, a comparison's
    /// operands): a local there is not moved.
    fn read(&self, expr: &Expr) -> String {
        match expr {
            Expr::Local(slot) => self.slot(*slot),
            other => self.inline(other),
        }
    }

    /// The types of the frame's slots, one line, when they are known.
    fn write_slots(&self, out: &mut String, depth: usize) {
        if self.slots.is_empty() {
            return;
        }
        indent(out, depth);
        let described: Vec<String> = (0..self.slots.len() as u32)
            .map(|slot| {
                let info = &self.slots[slot as usize];
                let linear = if info.linear { ", linear" } else { "" };
                format!("{} : {}{linear}", self.slot(slot), info.ty)
            })
            .collect();
        let _ = writeln!(out, "slots: {}", described.join("; "));
    }

    /// A pattern on one line, naming the slots it binds.
    fn pattern(&self, pattern: &Pattern) -> String {
        pattern_with(pattern, &|slot| self.slot(slot))
    }

    /// Writes `expr` on its own lines at `depth`.
    fn write_block(&self, out: &mut String, expr: &Expr, depth: usize) {
        match expr {
            Expr::Let(slot, value, body) => {
                indent(out, depth);
                let _ = write!(out, "let {} =", self.slot(*slot));
                self.write_tail(out, value, depth);
                self.write_block(out, body, depth);
            }
            Expr::LetRec(lambdas, body) => {
                for (slot, lambda) in lambdas {
                    indent(out, depth);
                    let _ = writeln!(out, "letrec {} = {}", self.slot(*slot), self.lambda_header(lambda));
                    self.write_lambda_body(out, lambda, depth + 1);
                }
                self.write_block(out, body, depth);
            }
            Expr::If(condition, then, otherwise) => {
                indent(out, depth);
                let _ = writeln!(out, "if {}", self.inline(condition));
                self.write_block(out, then, depth + 1);
                indent(out, depth);
                out.push_str("else\n");
                self.write_block(out, otherwise, depth + 1);
            }
            Expr::Match(matching) => {
                indent(out, depth);
                let _ = writeln!(out, "match {}", self.inline(&matching.scrutinee));
                for (pattern, body) in &matching.arms {
                    indent(out, depth + 1);
                    let _ = write!(out, "{} →", self.pattern(pattern));
                    self.write_tail(out, body, depth + 1);
                }
                indent(out, depth + 1);
                match matching.otherwise {
                    Otherwise::Abort => out.push_str("otherwise → abort E0414\n"),
                    Otherwise::ReturnScrutinee => out.push_str("otherwise → the scrutinee, unchanged\n"),
                }
            }
            Expr::Lambda(lambda) => {
                indent(out, depth);
                let _ = writeln!(out, "{}", self.lambda_header(lambda));
                self.write_lambda_body(out, lambda, depth + 1);
            }
            other => {
                indent(out, depth);
                out.push_str(&self.inline(other));
                out.push('\n');
            }
        }
    }

    /// After `let %n =` or a rule's `→`: on the same line when simple.
    fn write_tail(&self, out: &mut String, expr: &Expr, depth: usize) {
        if is_block(expr) {
            out.push('\n');
            self.write_block(out, expr, depth + 1);
        } else {
            out.push(' ');
            out.push_str(&self.inline(expr));
            out.push('\n');
        }
    }

    /// A closure's body, in its own frame.
    fn write_lambda_body(&self, out: &mut String, lambda: &Lambda, depth: usize) {
        let inner = Printer { slots: &lambda.slots };
        inner.write_slots(out, depth);
        inner.write_block(out, &lambda.body, depth);
    }

    fn lambda_header(&self, lambda: &Lambda) -> String {
        let inner = Printer { slots: &lambda.slots };
        let captures: Vec<String> =
            lambda.captures.iter().map(|&(outer, here)| format!("{}→{}", self.slot(outer), inner.slot(here))).collect();
        format!("λ (params {}, captures [{}], frame {})", lambda.params, captures.join(", "), lambda.frame_size)
    }

    fn list(&self, items: &[Expr]) -> String {
        items.iter().map(|item| self.inline(item)).collect::<Vec<_>>().join(", ")
    }

    /// `expr` on one line; a block inside is written in braces.
    fn inline(&self, expr: &Expr) -> String {
        match expr {
            Expr::Lit(literal) => literal_to_string(literal),
            Expr::Local(slot) => self.use_of(*slot),
            Expr::Global(name) => format!("@{name}"),
            Expr::Prim(prim) => {
                let name = prim.name();
                format!("Prim.{name}")
            }
            Expr::Constructor(constructor) => format!("{}/{}", constructor.name, constructor.arity),
            Expr::Apply(function, args, _) => format!("{}({})", self.inline(function), self.list(args)),
            Expr::Arith(op, kind, a, b, _) => {
                let symbol = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                    ArithOp::Rem => "%",
                };
                format!("({} {symbol}{} {})", self.inline(a), kind_suffix(*kind), self.inline(b))
            }
            Expr::Pow(kind, a, b, _) => format!("({} ^{} {})", self.inline(a), kind_suffix(*kind), self.inline(b)),
            Expr::Neg(kind, a, _) => format!("(-{} {})", kind_suffix(*kind), self.inline(a)),
            Expr::Compare(op, a, b, _) => {
                let symbol = match op {
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "≠",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "≤",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => "≥",
                };
                format!("({} {symbol} {})", self.read(a), self.read(b))
            }
            Expr::And(a, b) => format!("({} ∧ {})", self.inline(a), self.inline(b)),
            Expr::Or(a, b) => format!("({} ∨ {})", self.inline(a), self.inline(b)),
            Expr::Not(a) => format!("¬{}", self.inline(a)),
            Expr::Concat(a, b) => format!("({} ++ {})", self.inline(a), self.inline(b)),
            Expr::Cons(a, b) => format!("({} :: {})", self.inline(a), self.inline(b)),
            Expr::List(items) => format!("[{}]", self.list(items)),
            Expr::Tuple(items) => format!("({})", self.list(items)),
            Expr::Field(record, index) => format!("{}.{index}", self.read(record)),
            Expr::Update(record, fields, _) => {
                let fields: Vec<String> =
                    fields.iter().map(|(index, value)| format!("{index} = {}", self.inline(value))).collect();
                format!("{{{} | {}}}", self.inline(record), fields.join(", "))
            }
            block => {
                let mut out = String::from("{\n");
                self.write_block(&mut out, block, 1);
                out.push('}');
                out.replace('\n', " ").split_whitespace().collect::<Vec<_>>().join(" ")
            }
        }
    }
}

fn is_block(expr: &Expr) -> bool {
    matches!(expr, Expr::Let(..) | Expr::LetRec(..) | Expr::If(..) | Expr::Match(..) | Expr::Lambda(..))
}

fn kind_suffix(kind: NumKind) -> &'static str {
    match kind {
        NumKind::Nat => "ℕ",
        NumKind::Int => "ℤ",
        NumKind::Real => "ℝ",
        NumKind::Dyn => "?",
        NumKind::Pending(_) => "…",
    }
}

fn literal_to_string(literal: &Lit) -> String {
    match literal {
        Lit::Nat(n) => format!("{n}ℕ"),
        Lit::Int(n) => format!("{n}ℤ"),
        Lit::Real(bits) => format!("{:?}ℝ", f64::from_bits(*bits)),
        Lit::Dyn(n) => format!("{n}?"),
        Lit::Bool(b) => b.to_string(),
        Lit::Char(c) => format!("{c:?}"),
        Lit::Str(s) => format!("{s:?}"),
        Lit::Unit => "()".to_string(),
        Lit::PendingInt(magnitude, negative, _) => format!("{}{magnitude}…", if *negative { "-" } else { "" }),
        Lit::PendingChar(c, _) => format!("{c:?}…"),
    }
}

/// A pattern on one line.
pub fn pattern_to_string(pattern: &Pattern) -> String {
    pattern_with(pattern, &|slot| format!("%{slot}"))
}

fn pattern_with(pattern: &Pattern, slot: &dyn Fn(u32) -> String) -> String {
    let all = |items: &[Pattern]| items.iter().map(|p| pattern_with(p, slot)).collect::<Vec<_>>().join(", ");
    match pattern {
        Pattern::Wildcard => "_".to_string(),
        Pattern::Bind(index) => slot(*index),
        Pattern::Lit(literal) => literal_to_string(literal),
        Pattern::Constructor(tag, fields) if fields.is_empty() => format!("#{tag}"),
        Pattern::Constructor(tag, fields) => format!("#{tag}({})", all(fields)),
        Pattern::Tuple(items) => format!("({})", all(items)),
        Pattern::Nil => "[]".to_string(),
        Pattern::Cons(head, tail) => format!("({} :: {})", pattern_with(head, slot), pattern_with(tail, slot)),
    }
}
