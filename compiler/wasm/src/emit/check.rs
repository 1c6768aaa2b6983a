//! The rules of the LIR the translation relies on, checked first so that a
//! bug in the lowering is an error rather than a crash or a wrong module.
//! Argument counts are left to Wasm validation.

use min_lir::{Expr, Function, Label, Program, Stmt};

use crate::WasmError;

/// How deeply statements and expressions may nest. The translation
/// recurses on nesting, and this keeps it well within a 2 MiB thread stack
/// even in a debug build.
pub(super) const NESTING_LIMIT: usize = 1_000;

/// Checks that a function nests at most [`NESTING_LIMIT`] deep, that its
/// variables, functions, statics and cells exist, and that every break is
/// inside its block. The walk keeps a stack of its own rather than
/// recursing, so that any nesting is checked without running out of stack.
pub(super) fn check(function: &Function, program: &Program) -> Result<(), WasmError> {
    let malformed = |what: String| Err(WasmError::Malformed(format!("{what} in {}", function.name)));
    if function.params > function.vars {
        return malformed(format!("{} parameters but {} variables", function.params, function.vars));
    }
    let mut labels: Vec<Label> = Vec::new();
    let mut work: Vec<Work> = function.body.iter().rev().map(|stmt| Work::Stmt(stmt, 1)).collect();
    while let Some(item) = work.pop() {
        let depth = match item {
            Work::Stmt(_, depth) | Work::Expr(_, depth) => depth,
            Work::EndBlock => {
                labels.pop();
                continue;
            }
        };
        if depth > NESTING_LIMIT {
            return malformed(format!("statements and expressions nest deeper than {NESTING_LIMIT}"));
        }
        match item {
            Work::Stmt(stmt, _) => {
                match stmt {
                    Stmt::Set(var, _) if *var >= function.vars => {
                        return malformed(format!("variable v{var} out of range"));
                    }
                    Stmt::Break(label) if !labels.contains(label) => {
                        return malformed(format!("break L{label} outside its block"));
                    }
                    Stmt::TailCall(callee, _) if *callee as usize >= program.functions.len() => {
                        return malformed(format!("function f{callee} does not exist"));
                    }
                    _ => {}
                }
                let inner = match stmt {
                    Stmt::If(_, then, otherwise) => [&then[..], &otherwise[..]],
                    Stmt::Block(label, body) => {
                        labels.push(*label);
                        work.push(Work::EndBlock);
                        [&body[..], &[]]
                    }
                    _ => [&[][..], &[]],
                };
                work.extend(inner.into_iter().flatten().rev().map(|stmt| Work::Stmt(stmt, depth + 1)));
                push_stmt_operands(stmt, depth + 1, &mut work);
            }
            Work::Expr(expr, _) => {
                let missing = match expr {
                    Expr::Var(var) if *var >= function.vars => Some(format!("variable v{var} out of range")),
                    Expr::Call(callee, _) | Expr::Code(callee) if *callee as usize >= program.functions.len() => {
                        Some(format!("function f{callee} does not exist"))
                    }
                    Expr::Static(object) if *object as usize >= program.statics.len() => {
                        Some(format!("static s{object} does not exist"))
                    }
                    Expr::Cell(cell) if *cell >= program.cells => Some(format!("cell{cell} does not exist")),
                    _ => None,
                };
                if let Some(what) = missing {
                    return malformed(what);
                }
                push_expr_operands(expr, depth + 1, &mut work);
            }
            Work::EndBlock => {}
        }
    }
    Ok(())
}

/// What is left to check, last first, with its nesting depth.
enum Work<'a> {
    Stmt(&'a Stmt, usize),
    Expr(&'a Expr, usize),
    /// The end of a block: its label goes out of scope.
    EndBlock,
}

/// Adds the expressions directly in a statement to the work.
fn push_stmt_operands<'a>(stmt: &'a Stmt, depth: usize, work: &mut Vec<Work<'a>>) {
    match stmt {
        Stmt::Set(_, value) | Stmt::SetVm(_, value) | Stmt::Drop(value) | Stmt::Return(value) => {
            work.push(Work::Expr(value, depth));
        }
        Stmt::Store(address, _, value) => work.extend([Work::Expr(address, depth), Work::Expr(value, depth)]),
        Stmt::If(condition, _, _) => work.push(Work::Expr(condition, depth)),
        Stmt::Block(..) | Stmt::Break(_) => {}
        Stmt::TailCall(_, args) => work.extend(args.iter().map(|arg| Work::Expr(arg, depth))),
        Stmt::TailCallIndirect(code, args) => {
            work.push(Work::Expr(code, depth));
            work.extend(args.iter().map(|arg| Work::Expr(arg, depth)));
        }
    }
}

/// Adds the operands of an expression to the work.
fn push_expr_operands<'a>(expr: &'a Expr, depth: usize, work: &mut Vec<Work<'a>>) {
    match expr {
        Expr::Const(_) | Expr::Var(_) | Expr::Vm(_) | Expr::Code(_) | Expr::Static(_) | Expr::Cell(_) => {}
        Expr::Unary(_, operand) | Expr::Load(operand, _) => work.push(Work::Expr(operand, depth)),
        Expr::Binary(_, left, right) => work.extend([Work::Expr(left, depth), Work::Expr(right, depth)]),
        Expr::Call(_, args) | Expr::Helper(_, args) => work.extend(args.iter().map(|arg| Work::Expr(arg, depth))),
        Expr::CallIndirect(code, args) => {
            work.push(Work::Expr(code, depth));
            work.extend(args.iter().map(|arg| Work::Expr(arg, depth)));
        }
        Expr::Select(condition, then, otherwise) => {
            work.extend([condition, then, otherwise].map(|operand| Work::Expr(operand, depth)));
        }
    }
}
