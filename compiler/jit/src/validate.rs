//! The rules of the LIR the code generator relies on, checked before any
//! code is made, so that a bug in the lowering is an error and not a crash.
//! Whether a body can run off its end is checked while generating code,
//! where reachability is known (see [`crate::function`]).

use min_lir::{Expr, FuncId, Function, Label, Program, StaticWord, Stmt};

use crate::error::JitError;
use crate::walk::{expr_operands, stmt_operands};

/// How deeply statements and expressions may nest. The code generator
/// recurses on nesting, at up to about 800 bytes of stack a level in a debug
/// build (150 optimised), so this keeps it within a 2 MiB thread stack.
pub(crate) const NESTING_LIMIT: usize = 1_000;

/// Checks the program and counts its statements and expressions.
pub(crate) fn program(program: &Program) -> Result<usize, JitError> {
    for (id, object) in program.statics.iter().enumerate() {
        for word in &object.words {
            let fine = match *word {
                StaticWord::Raw(_) => true,
                StaticWord::Code(function) => (function as usize) < program.functions.len(),
                StaticWord::Object(other) => (other as usize) < program.statics.len(),
            };
            if !fine {
                return Err(JitError::Invalid(format!("static s{id} refers to a missing function or object")));
            }
        }
    }
    let mut nodes = 0;
    for (id, function) in program.functions.iter().enumerate() {
        let mut checker = Checker { program, function, id: id as FuncId, labels: Vec::new(), nodes: 0 };
        if function.params > function.vars {
            return Err(checker.error(format!("has {} parameters but {} variables", function.params, function.vars)));
        }
        checker.body(&function.body)?;
        nodes += checker.nodes;
    }
    Ok(nodes)
}

/// The name of a function in messages.
pub(crate) fn describe(id: FuncId, function: &Function) -> String {
    format!("f{id} `{}`", function.name)
}

/// What is left to check, last first.
enum Work<'a> {
    Stmt(&'a Stmt, usize),
    Expr(&'a Expr, usize),
    /// The end of a block: its label goes out of scope.
    EndBlock,
}

struct Checker<'a> {
    program: &'a Program,
    function: &'a Function,
    id: FuncId,
    /// The labels of the blocks around the statement being checked.
    labels: Vec<Label>,
    nodes: usize,
}

impl<'a> Checker<'a> {
    #[cold]
    fn error(&self, message: String) -> JitError {
        JitError::Invalid(format!("{} {message}", describe(self.id, self.function)))
    }

    fn enter(&mut self, depth: usize) -> Result<(), JitError> {
        self.nodes += 1;
        if depth >= NESTING_LIMIT {
            return Err(self.error(format!("nests statements and expressions deeper than {NESTING_LIMIT}")));
        }
        Ok(())
    }

    /// Checks a body, walking it with a stack of its own rather than by
    /// recursion, so that any nesting is checked without running out of stack.
    fn body(&mut self, body: &'a [Stmt]) -> Result<(), JitError> {
        let mut work: Vec<Work<'a>> = body.iter().rev().map(|stmt| Work::Stmt(stmt, 0)).collect();
        while let Some(item) = work.pop() {
            match item {
                Work::Stmt(stmt, depth) => {
                    self.enter(depth)?;
                    self.check_stmt(stmt)?;
                    let inner = match stmt {
                        Stmt::If(_, then, otherwise) => [&then[..], &otherwise[..]],
                        Stmt::Block(label, body) => {
                            self.labels.push(*label);
                            work.push(Work::EndBlock);
                            [&body[..], &[]]
                        }
                        _ => [&[][..], &[]],
                    };
                    let stmts = inner.into_iter().flatten().rev().map(|stmt| Work::Stmt(stmt, depth + 1));
                    work.extend(stmts);
                    let operands = stmt_operands(stmt);
                    work.extend(operands.all().rev().map(|expr| Work::Expr(expr, depth + 1)));
                }
                Work::Expr(expr, depth) => {
                    self.enter(depth)?;
                    self.check_expr(expr)?;
                    let operands = expr_operands(expr);
                    work.extend(operands.all().rev().map(|expr| Work::Expr(expr, depth + 1)));
                }
                Work::EndBlock => {
                    self.labels.pop();
                }
            }
        }
        Ok(())
    }

    /// The rules of one statement, without the statements and expressions in it.
    #[inline(never)]
    fn check_stmt(&self, stmt: &Stmt) -> Result<(), JitError> {
        match stmt {
            Stmt::Set(var, _) => self.var(*var),
            Stmt::Break(label) if !self.labels.contains(label) => {
                Err(self.error(format!("breaks to L{label} outside a block with that label")))
            }
            Stmt::TailCall(callee, args) => self.call(*callee, args.len()),
            _ => Ok(()),
        }
    }

    /// The rules of one expression, without its operands.
    #[inline(never)]
    fn check_expr(&self, expr: &Expr) -> Result<(), JitError> {
        match expr {
            Expr::Var(var) => self.var(*var),
            Expr::Call(callee, args) => self.call(*callee, args.len()),
            Expr::Helper(helper, args) if args.len() != helper.arity() => Err(self.error(format!(
                "calls helper {} with {} arguments; it takes {}",
                helper.name(),
                args.len(),
                helper.arity()
            ))),
            Expr::Code(function) => self.function(*function),
            Expr::Static(object) if *object as usize >= self.program.statics.len() => {
                Err(self.error(format!("refers to a missing static s{object}")))
            }
            Expr::Cell(cell) if *cell >= self.program.cells => {
                Err(self.error(format!("refers to a missing cell{cell}")))
            }
            _ => Ok(()),
        }
    }

    fn var(&self, var: u32) -> Result<(), JitError> {
        if var < self.function.vars {
            Ok(())
        } else {
            Err(self.error(format!("uses v{var} but has {} variables", self.function.vars)))
        }
    }

    fn function(&self, function: FuncId) -> Result<(), JitError> {
        if (function as usize) < self.program.functions.len() {
            Ok(())
        } else {
            Err(self.error(format!("refers to a missing function f{function}")))
        }
    }

    fn call(&self, callee: FuncId, args: usize) -> Result<(), JitError> {
        self.function(callee)?;
        let params = self.program.functions[callee as usize].params as usize;
        if args == params {
            Ok(())
        } else {
            Err(self.error(format!("calls f{callee} with {args} arguments; it takes {params}")))
        }
    }
}
