//! How deep the calls of a program can nest, read off its code: the most
//! functions that count against the depth limit (those that set
//! [`VmVar::Depth`] on entry) along any chain of calls from an export,
//! plus one where the last of them calls a function that checks the limit
//! without counting itself. A backend sizes the region stack by it, and a
//! host that knows it lowers the depth limit to it, which no run of the
//! program reaches.

use crate::{Expr, FuncId, Program, Stmt, VmVar};

/// What one function's body holds that the bound depends on.
#[derive(Default)]
struct Calls {
    /// Whether it counts against the depth limit.
    counted: bool,
    /// Whether it checks the depth limit (`Depth + 1 ≤ DepthLimit`), which
    /// every function that counts does, and some that do not.
    checks: bool,
    /// The functions it calls and waits for.
    nested: Vec<FuncId>,
    /// The functions it calls in tail position, after leaving the count.
    tail: Vec<FuncId>,
    /// Whether it calls a code word, whose function is not known here.
    indirect: bool,
}

/// The most counted functions along any chain of calls from an export of
/// `program`: how deep [`VmVar::Depth`] can get. `None` when no bound is
/// known: some function reachable from an export may recurse (directly,
/// through others or by tail calls), or calls a code word.
pub fn depth_bound(program: &Program) -> Option<u32> {
    let calls: Vec<Calls> = program.functions.iter().map(|function| calls_of(&function.body)).collect();
    let mut memo: Vec<Visit> = vec![Visit::New; calls.len()];
    program.exports.iter().try_fold(0, |deepest, export| Some(deepest.max(depth(&calls, export.function, &mut memo)?)))
}

#[derive(Clone, Copy)]
enum Visit {
    New,
    OnPath,
    Done(Option<u32>),
}

fn depth(calls: &[Calls], function: FuncId, memo: &mut [Visit]) -> Option<u32> {
    let index = function as usize;
    match *memo.get(index)? {
        Visit::Done(known) => return known,
        Visit::OnPath => return None,
        Visit::New => {}
    }
    memo[index] = Visit::OnPath;
    let found = calls[index].bound(calls, memo);
    memo[index] = Visit::Done(found);
    found
}

impl Calls {
    fn bound(&self, calls: &[Calls], memo: &mut [Visit]) -> Option<u32> {
        if self.indirect {
            return None;
        }
        let deepest = |callees: &[FuncId], memo: &mut [Visit]| {
            callees.iter().try_fold(0, |deepest, callee| Some(deepest.max(depth(calls, *callee, memo)?)))
        };
        let nested = deepest(&self.nested, memo)?.checked_add(u32::from(self.counted))?;
        Some(nested.max(deepest(&self.tail, memo)?).max(u32::from(self.checks)))
    }
}

fn calls_of(body: &[Stmt]) -> Calls {
    let mut calls = Calls::default();
    for stmt in body {
        stmt_calls(stmt, &mut calls);
    }
    calls
}

fn stmt_calls(stmt: &Stmt, calls: &mut Calls) {
    match stmt {
        Stmt::Set(_, expr) | Stmt::Drop(expr) | Stmt::Return(expr) => expr_calls(expr, calls),
        Stmt::SetVm(var, expr) => {
            calls.counted |= *var == VmVar::Depth;
            expr_calls(expr, calls);
        }
        Stmt::Store(address, _, value) => {
            expr_calls(address, calls);
            expr_calls(value, calls);
        }
        Stmt::If(condition, then, otherwise) => {
            expr_calls(condition, calls);
            then.iter().chain(otherwise).for_each(|stmt| stmt_calls(stmt, calls));
        }
        Stmt::Block(_, body) => body.iter().for_each(|stmt| stmt_calls(stmt, calls)),
        Stmt::Break(_) => {}
        Stmt::TailCall(callee, args) => {
            calls.tail.push(*callee);
            args.iter().for_each(|arg| expr_calls(arg, calls));
        }
        Stmt::TailCallIndirect(_, _) => calls.indirect = true,
    }
}

fn expr_calls(expr: &Expr, calls: &mut Calls) {
    match expr {
        Expr::Vm(var) => calls.checks |= *var == VmVar::DepthLimit,
        Expr::Const(_) | Expr::Var(_) | Expr::Code(_) | Expr::Static(_) | Expr::Cell(_) => {}
        Expr::Unary(_, operand) | Expr::Load(operand, _) => expr_calls(operand, calls),
        Expr::Binary(_, left, right) => {
            expr_calls(left, calls);
            expr_calls(right, calls);
        }
        Expr::Call(callee, args) => {
            calls.nested.push(*callee);
            args.iter().for_each(|arg| expr_calls(arg, calls));
        }
        Expr::CallIndirect(_, _) => calls.indirect = true,
        Expr::Helper(_, args) => args.iter().for_each(|arg| expr_calls(arg, calls)),
        Expr::Select(condition, then, otherwise) => {
            expr_calls(condition, calls);
            expr_calls(then, calls);
            expr_calls(otherwise, calls);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BinOp, Export, Function};

    /// The prologue of a function that counts against the depth limit.
    fn counted() -> Vec<Stmt> {
        vec![
            Stmt::If(
                Expr::Binary(BinOp::LtU, Box::new(Expr::Vm(VmVar::DepthLimit)), Box::new(Expr::Vm(VmVar::Depth))),
                vec![Stmt::Return(Expr::Const(0))],
                Vec::new(),
            ),
            Stmt::SetVm(VmVar::Depth, Expr::Vm(VmVar::Depth)),
        ]
    }

    /// The check of a function that reads the limit without counting.
    fn checking() -> Vec<Stmt> {
        vec![Stmt::Drop(Expr::Vm(VmVar::DepthLimit))]
    }

    fn call(callee: FuncId) -> Stmt {
        Stmt::Drop(Expr::Call(callee, Vec::new()))
    }

    /// A program of functions given as their bodies, the first exported.
    fn program(bodies: Vec<Vec<Stmt>>) -> Program {
        let functions = bodies
            .into_iter()
            .enumerate()
            .map(|(index, mut body)| {
                body.push(Stmt::Return(Expr::Const(0)));
                Function { name: format!("f{index}"), params: 0, vars: 0, body }
            })
            .collect();
        Program {
            functions,
            exports: vec![Export { name: "Test.f0".into(), function: 0, arity: 0 }],
            ..Program::default()
        }
    }

    fn with(mut body: Vec<Stmt>, more: impl IntoIterator<Item = Stmt>) -> Vec<Stmt> {
        body.extend(more);
        body
    }

    #[test]
    fn a_chain_of_counted_calls_is_as_deep_as_its_counted_functions() {
        // f0 → f1 → f2, all counted; f3 is called by f0 too and is shallower.
        let bodies = vec![with(counted(), [call(1), call(3)]), with(counted(), [call(2)]), counted(), counted()];
        assert_eq!(depth_bound(&program(bodies)), Some(3));
        // Functions that neither count nor check add nothing.
        assert_eq!(depth_bound(&program(vec![with(counted(), [call(1)]), vec![call(2)], vec![]])), Some(1));
    }

    #[test]
    fn a_function_that_only_checks_the_limit_needs_one_level_more() {
        let bodies = vec![with(counted(), [call(1)]), with(counted(), [call(2)]), checking()];
        assert_eq!(depth_bound(&program(bodies)), Some(3));
        assert_eq!(depth_bound(&program(vec![checking()])), Some(1));
    }

    #[test]
    fn a_tail_call_takes_its_callers_place() {
        let tail = Stmt::TailCall(1, Vec::new());
        let bodies = vec![with(counted(), [tail]), with(counted(), [call(2)]), counted()];
        assert_eq!(depth_bound(&program(bodies)), Some(2));
    }

    #[test]
    fn recursion_and_calls_of_code_words_have_no_bound() {
        let mutual = vec![with(counted(), [call(1)]), with(counted(), [call(0)])];
        assert_eq!(depth_bound(&program(mutual)), None);
        let looping = vec![with(counted(), [Stmt::TailCall(0, Vec::new())])];
        assert_eq!(depth_bound(&program(looping)), None);
        let indirect = vec![with(counted(), [Stmt::Drop(Expr::CallIndirect(Box::new(Expr::Code(0)), Vec::new()))])];
        assert_eq!(depth_bound(&program(indirect)), None);
        // A recursive function no export reaches does not matter.
        let unreached = vec![counted(), with(counted(), [call(1)])];
        assert_eq!(depth_bound(&program(unreached)), Some(1));
    }
}
