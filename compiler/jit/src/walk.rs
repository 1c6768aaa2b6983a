//! The operands of expressions and statements, in evaluation order.
//!
//! The validator and the code generator recurse on nesting; walking the
//! operands through these functions keeps their recursive frames small, so
//! that the nesting limit holds on a small stack.

use min_lir::{Expr, Stmt};

/// An expression's operands: up to three single ones, evaluated first, then
/// the arguments of a call (`Some`, possibly empty, for every kind of call).
pub(crate) struct Operands<'a> {
    pub(crate) single: [Option<&'a Expr>; 3],
    pub(crate) args: Option<&'a [Expr]>,
}

impl<'a> Operands<'a> {
    /// Every operand, in evaluation order.
    pub(crate) fn all(&self) -> impl DoubleEndedIterator<Item = &'a Expr> + use<'a> {
        self.single.into_iter().flatten().chain(self.args.unwrap_or_default())
    }
}

pub(crate) fn expr_operands(expr: &Expr) -> Operands<'_> {
    let (single, args) = match expr {
        Expr::Const(_) | Expr::Var(_) | Expr::Vm(_) | Expr::Code(_) | Expr::Static(_) | Expr::Cell(_) => {
            ([None, None, None], None)
        }
        Expr::Unary(_, operand) | Expr::Load(operand, _) => ([Some(&**operand), None, None], None),
        Expr::Binary(_, left, right) => ([Some(&**left), Some(&**right), None], None),
        Expr::Select(condition, then, otherwise) => ([Some(&**condition), Some(&**then), Some(&**otherwise)], None),
        Expr::Call(_, args) | Expr::Helper(_, args) => ([None, None, None], Some(&args[..])),
        Expr::CallIndirect(code, args) => ([Some(&**code), None, None], Some(&args[..])),
    };
    Operands { single, args }
}

/// The expressions a statement evaluates, in order, other than those of
/// the statements it contains.
pub(crate) fn stmt_operands(stmt: &Stmt) -> Operands<'_> {
    let (single, args) = match stmt {
        Stmt::Set(_, value) | Stmt::SetVm(_, value) | Stmt::Drop(value) | Stmt::Return(value) => {
            ([Some(value), None, None], None)
        }
        Stmt::If(condition, _, _) => ([Some(condition), None, None], None),
        Stmt::Store(address, _, value) => ([Some(address), Some(value), None], None),
        Stmt::Block(_, _) | Stmt::Break(_) => ([None, None, None], None),
        Stmt::TailCall(_, args) => ([None, None, None], Some(&args[..])),
        Stmt::TailCallIndirect(code, args) => ([Some(code), None, None], Some(&args[..])),
    };
    Operands { single, args }
}
