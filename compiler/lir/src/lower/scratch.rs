//! Which functions never touch their scratch region: a call of one needs
//! no fresh region of its own, so the caller passes its own scratch region
//! on and saves opening and closing one.
//!
//! A function uses its scratch region when its body mentions the `scratch`
//! parameter anywhere but as the scratch argument of a call of a function
//! that does not use its own. Starting from "no function uses it", the
//! users grow to a fixed point, so a recursive function that only passes
//! its scratch region on to itself does not use it.

use super::function::SCRATCH;
use crate::{Expr, Function, Program, Stmt};

/// For each function of `program`, whether it never uses its scratch region.
pub(crate) fn scratch_free(program: &Program) -> Vec<bool> {
    let mut free = vec![true; program.functions.len()];
    loop {
        let mut changed = false;
        for (index, function) in program.functions.iter().enumerate() {
            if free[index] && uses_scratch(function, &free) {
                free[index] = false;
                changed = true;
            }
        }
        if !changed {
            return free;
        }
    }
}

/// Whether a function's body uses its scratch region, given which functions do not.
fn uses_scratch(function: &Function, free: &[bool]) -> bool {
    function.params > SCRATCH && stmts_use(&function.body, free)
}

fn stmts_use(stmts: &[Stmt], free: &[bool]) -> bool {
    stmts.iter().any(|stmt| match stmt {
        Stmt::Set(_, expr) | Stmt::SetVm(_, expr) | Stmt::Drop(expr) | Stmt::Return(expr) => expr_uses(expr, free),
        Stmt::Store(address, _, value) => expr_uses(address, free) || expr_uses(value, free),
        Stmt::If(condition, then, otherwise) => {
            expr_uses(condition, free) || stmts_use(then, free) || stmts_use(otherwise, free)
        }
        Stmt::Block(_, body) => stmts_use(body, free),
        Stmt::Break(_) => false,
        Stmt::TailCall(callee, args) => call_uses(*callee, args, free),
        Stmt::TailCallIndirect(code, args) => expr_uses(code, free) || args.iter().any(|arg| expr_uses(arg, free)),
    })
}

fn expr_uses(expr: &Expr, free: &[bool]) -> bool {
    match expr {
        Expr::Var(var) => *var == SCRATCH,
        Expr::Const(_) | Expr::Vm(_) | Expr::Code(_) | Expr::Static(_) | Expr::Cell(_) => false,
        Expr::Unary(_, a) | Expr::Load(a, _) => expr_uses(a, free),
        Expr::Binary(_, a, b) => expr_uses(a, free) || expr_uses(b, free),
        Expr::Call(callee, args) => call_uses(*callee, args, free),
        Expr::CallIndirect(code, args) => expr_uses(code, free) || args.iter().any(|arg| expr_uses(arg, free)),
        Expr::Helper(_, args) => args.iter().any(|arg| expr_uses(arg, free)),
        Expr::Select(c, a, b) => expr_uses(c, free) || expr_uses(a, free) || expr_uses(b, free),
    }
}

/// Whether a direct call uses the caller's scratch region: the callee's
/// scratch argument counts only when the callee uses its own.
fn call_uses(callee: u32, args: &[Expr], free: &[bool]) -> bool {
    let callee_free = free.get(callee as usize).copied().unwrap_or(false);
    args.iter().enumerate().any(|(index, arg)| {
        let passed_on_unused = index == SCRATCH as usize && callee_free && *arg == Expr::Var(SCRATCH);
        !passed_on_unused && expr_uses(arg, free)
    })
}
