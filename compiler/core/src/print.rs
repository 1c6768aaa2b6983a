//! The core IR as text: what `minc build --emit ir` prints and what the IR
//! golden tests compare. Slots print as `%n`, globals as `@Module.name`,
//! operators carry their number type (`+ℝ`), and the constructs that bind
//! (`let`, `letrec`, `match`, `λ`) open indented blocks.

use crate::*;
use std::fmt::Write;

/// The module as readable text.
pub fn module_to_string(module: &Module) -> String {
    let mut out = String::new();
    for (index, global) in module.globals.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{} (arity {}, frame {}) =", global.name, global.arity, global.frame_size);
        write_block(&mut out, &global.body, 1);
    }
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Writes `expr` on its own lines at `depth`.
fn write_block(out: &mut String, expr: &Expr, depth: usize) {
    match expr {
        Expr::Let(slot, value, body) => {
            indent(out, depth);
            let _ = write!(out, "let %{slot} =");
            write_tail(out, value, depth);
            write_block(out, body, depth);
        }
        Expr::LetRec(lambdas, body) => {
            for (slot, lambda) in lambdas {
                indent(out, depth);
                let _ = writeln!(out, "letrec %{slot} = {}", lambda_header(lambda));
                write_block(out, &lambda.body, depth + 1);
            }
            write_block(out, body, depth);
        }
        Expr::If(condition, then, otherwise) => {
            indent(out, depth);
            let _ = writeln!(out, "if {}", inline(condition));
            write_block(out, then, depth + 1);
            indent(out, depth);
            out.push_str("else\n");
            write_block(out, otherwise, depth + 1);
        }
        Expr::Match(matching) => {
            indent(out, depth);
            let _ = writeln!(out, "match {}", inline(&matching.scrutinee));
            for (pattern, body) in &matching.arms {
                indent(out, depth + 1);
                let _ = write!(out, "{} →", pattern_to_string(pattern));
                write_tail(out, body, depth + 1);
            }
            indent(out, depth + 1);
            match matching.otherwise {
                Otherwise::Abort => out.push_str("otherwise → abort E0414\n"),
                Otherwise::ReturnScrutinee => out.push_str("otherwise → the scrutinee, unchanged\n"),
            }
        }
        Expr::Lambda(lambda) => {
            indent(out, depth);
            let _ = writeln!(out, "{}", lambda_header(lambda));
            write_block(out, &lambda.body, depth + 1);
        }
        other => {
            indent(out, depth);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// After `let %n =` or a rule's `→`: on the same line when simple.
fn write_tail(out: &mut String, expr: &Expr, depth: usize) {
    if is_block(expr) {
        out.push('\n');
        write_block(out, expr, depth + 1);
    } else {
        out.push(' ');
        out.push_str(&inline(expr));
        out.push('\n');
    }
}

fn is_block(expr: &Expr) -> bool {
    matches!(expr, Expr::Let(..) | Expr::LetRec(..) | Expr::If(..) | Expr::Match(..) | Expr::Lambda(..))
}

fn lambda_header(lambda: &Lambda) -> String {
    let captures: Vec<String> = lambda.captures.iter().map(|(outer, inner)| format!("%{outer}→%{inner}")).collect();
    format!("λ (params {}, captures [{}], frame {})", lambda.params, captures.join(", "), lambda.frame_size)
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

fn list(items: &[Expr]) -> String {
    items.iter().map(inline).collect::<Vec<_>>().join(", ")
}

/// `expr` on one line; a block inside is written in braces.
fn inline(expr: &Expr) -> String {
    match expr {
        Expr::Lit(literal) => literal_to_string(literal),
        Expr::Local(slot) => format!("%{slot}"),
        Expr::Global(name) => format!("@{name}"),
        Expr::Prim(prim) => {
            let name = prim.name();
            format!("Prim.{name}")
        }
        Expr::Constructor(constructor) => format!("{}/{}", constructor.name, constructor.arity),
        Expr::Apply(function, args, _) => format!("{}({})", inline(function), list(args)),
        Expr::Arith(op, kind, a, b, _) => {
            let symbol = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
                ArithOp::Div => "/",
                ArithOp::Rem => "%",
            };
            format!("({} {symbol}{} {})", inline(a), kind_suffix(*kind), inline(b))
        }
        Expr::Pow(kind, a, b, _) => format!("({} ^{} {})", inline(a), kind_suffix(*kind), inline(b)),
        Expr::Neg(kind, a, _) => format!("(-{} {})", kind_suffix(*kind), inline(a)),
        Expr::Compare(op, a, b, _) => {
            let symbol = match op {
                CmpOp::Eq => "==",
                CmpOp::Ne => "≠",
                CmpOp::Lt => "<",
                CmpOp::Le => "≤",
                CmpOp::Gt => ">",
                CmpOp::Ge => "≥",
            };
            format!("({} {symbol} {})", inline(a), inline(b))
        }
        Expr::And(a, b) => format!("({} ∧ {})", inline(a), inline(b)),
        Expr::Or(a, b) => format!("({} ∨ {})", inline(a), inline(b)),
        Expr::Not(a) => format!("¬{}", inline(a)),
        Expr::Concat(a, b) => format!("({} ++ {})", inline(a), inline(b)),
        Expr::Cons(a, b) => format!("({} :: {})", inline(a), inline(b)),
        Expr::List(items) => format!("[{}]", list(items)),
        Expr::Tuple(items) => format!("({})", list(items)),
        Expr::Field(record, index) => format!("{}.{index}", inline(record)),
        Expr::Update(record, fields) => {
            let fields: Vec<String> =
                fields.iter().map(|(index, value)| format!("{index} = {}", inline(value))).collect();
            format!("{{{} | {}}}", inline(record), fields.join(", "))
        }
        block => {
            let mut out = String::from("{\n");
            write_block(&mut out, block, 1);
            out.push('}');
            out.replace('\n', " ").split_whitespace().collect::<Vec<_>>().join(" ")
        }
    }
}

/// A pattern on one line.
pub fn pattern_to_string(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Wildcard => "_".to_string(),
        Pattern::Bind(slot) => format!("%{slot}"),
        Pattern::Lit(literal) => literal_to_string(literal),
        Pattern::Constructor(tag, fields) if fields.is_empty() => format!("#{tag}"),
        Pattern::Constructor(tag, fields) => {
            format!("#{tag}({})", fields.iter().map(pattern_to_string).collect::<Vec<_>>().join(", "))
        }
        Pattern::Tuple(items) => format!("({})", items.iter().map(pattern_to_string).collect::<Vec<_>>().join(", ")),
        Pattern::Nil => "[]".to_string(),
        Pattern::Cons(head, tail) => format!("({} :: {})", pattern_to_string(head), pattern_to_string(tail)),
    }
}
