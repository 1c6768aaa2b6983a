//! The LIR as text, for `minc build --emit lir` and for tests.

use std::fmt::Write;

use crate::{Expr, Function, Program, Static, StaticWord, Stmt};

/// The whole program as readable text.
pub fn program_to_string(program: &Program) -> String {
    let mut out = String::new();
    for (id, object) in program.statics.iter().enumerate() {
        write_static(&mut out, id, object);
    }
    if program.cells > 0 {
        let _ = writeln!(out, "cells {}", program.cells);
    }
    for export in &program.exports {
        let _ = writeln!(out, "export {} = f{} / {}", export.name, export.function, export.arity);
    }
    for (id, function) in program.functions.iter().enumerate() {
        write_function(&mut out, id, function);
    }
    out
}

fn write_static(out: &mut String, id: usize, object: &Static) {
    let _ = write!(out, "static s{id} =");
    for word in &object.words {
        let _ = match word {
            StaticWord::Raw(raw) => write!(out, " {raw:#x}"),
            StaticWord::Code(function) => write!(out, " code(f{function})"),
            StaticWord::Object(object) => write!(out, " s{object}"),
        };
    }
    out.push('\n');
}

fn write_function(out: &mut String, id: usize, function: &Function) {
    let _ = writeln!(out, "\nf{id} {} (params {}, vars {}):", function.name, function.params, function.vars);
    write_block(out, &function.body, 1);
}

fn write_block(out: &mut String, body: &[Stmt], depth: usize) {
    for stmt in body {
        write_stmt(out, stmt, depth);
    }
}

fn write_stmt(out: &mut String, stmt: &Stmt, depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = match stmt {
        Stmt::Set(var, value) => writeln!(out, "{indent}v{var} = {}", expr(value)),
        Stmt::Store(address, offset, value) => {
            writeln!(out, "{indent}[{} + {offset}] = {}", expr(address), expr(value))
        }
        Stmt::SetVm(var, value) => writeln!(out, "{indent}{var:?} = {}", expr(value)),
        Stmt::Drop(value) => writeln!(out, "{indent}drop {}", expr(value)),
        Stmt::If(condition, then, otherwise) => {
            let _ = writeln!(out, "{indent}if {}:", expr(condition));
            write_block(out, then, depth + 1);
            if !otherwise.is_empty() {
                let _ = writeln!(out, "{indent}else:");
                write_block(out, otherwise, depth + 1);
            }
            Ok(())
        }
        Stmt::Block(label, body) => {
            let _ = writeln!(out, "{indent}block L{label}:");
            write_block(out, body, depth + 1);
            Ok(())
        }
        Stmt::Break(label) => writeln!(out, "{indent}break L{label}"),
        Stmt::Return(value) => writeln!(out, "{indent}return {}", expr(value)),
        Stmt::TailCall(function, args) => writeln!(out, "{indent}tail f{function}({})", exprs(args)),
        Stmt::TailCallIndirect(code, args) => writeln!(out, "{indent}tail *{}({})", expr(code), exprs(args)),
    };
}

fn exprs(args: &[Expr]) -> String {
    args.iter().map(expr).collect::<Vec<_>>().join(", ")
}

fn expr(e: &Expr) -> String {
    match e {
        Expr::Const(word) => format!("{word:#x}"),
        Expr::Var(var) => format!("v{var}"),
        Expr::Vm(var) => format!("{var:?}"),
        Expr::Unary(op, a) => format!("{op:?}({})", expr(a)),
        Expr::Binary(op, a, b) => format!("{op:?}({}, {})", expr(a), expr(b)),
        Expr::Load(address, offset) => format!("[{} + {offset}]", expr(address)),
        Expr::Call(function, args) => format!("f{function}({})", exprs(args)),
        Expr::CallIndirect(code, args) => format!("*{}({})", expr(code), exprs(args)),
        Expr::Helper(helper, args) => format!("{}({})", helper.name(), exprs(args)),
        Expr::Code(function) => format!("code(f{function})"),
        Expr::Static(object) => format!("s{object}"),
        Expr::Cell(cell) => format!("cell{cell}"),
        Expr::Select(c, a, b) => format!("select({}, {}, {})", expr(c), expr(a), expr(b)),
    }
}
