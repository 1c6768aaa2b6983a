//! Run-time glue written in LIR: forcing a zero-argument global, the code
//! of globals, constructors and primitives used as function values, calling
//! an unknown function value (`apply_k`) and partial applications (`pap_s_r`).

use min_core::{Constructor, Prim};

use super::ProgramBuilder;
use super::function::{DEST, FnBuilder, SCRATCH, SELF, closure_env_offset, eq, load};
use crate::abi::{self, CELL_BUSY, CELL_EMPTY, FAIL, NO_SPAN};
use crate::{BinOp, CellId, Expr, FuncId, Function, Helper, Stmt, VmVar};

/// The entry of a zero-argument global: its cell's value, computed by
/// `init` in the static region on first use.
pub(crate) fn force(pb: &mut ProgramBuilder, owner: &str, cell: CellId, init: FuncId, name: u64) -> Function {
    let mut builder = FnBuilder::new(pb, owner, 2, 2);
    let value = builder.temp(load(Expr::Cell(cell), 0));
    let cycle = Stmt::Return(Expr::Helper(Helper::CellCycle, vec![Expr::Const(name)]));
    builder.emit(Stmt::If(eq(value.clone(), Expr::Const(CELL_BUSY)), vec![cycle], Vec::new()));
    let ready = Expr::Binary(BinOp::Ne, Box::new(value.clone()), Box::new(Expr::Const(CELL_EMPTY)));
    builder.emit(Stmt::If(ready, vec![Stmt::Return(value)], Vec::new()));
    builder.emit(Stmt::Store(Expr::Cell(cell), 0, Expr::Const(CELL_BUSY)));
    let scratch = builder.open_scratch();
    let result = builder.var();
    builder.emit(Stmt::Set(result, Expr::Call(init, vec![Expr::Vm(VmVar::StaticRegion), Expr::Var(scratch)])));
    builder.close_scratch(scratch);
    let failed = vec![
        Stmt::Store(Expr::Cell(cell), 0, Expr::Const(CELL_EMPTY)),
        Stmt::Return(Expr::Helper(Helper::Unwind, vec![Expr::Const(name), Expr::Const(NO_SPAN)])),
    ];
    builder.emit(Stmt::If(eq(Expr::Var(result), Expr::Const(FAIL)), failed, Vec::new()));
    builder.emit(Stmt::Store(Expr::Cell(cell), 0, Expr::Var(result)));
    builder.emit(Stmt::Return(Expr::Var(result)));
    builder.finish()
}

/// The parameters of code reached through a closure of `arity` arguments.
fn closure_params(arity: u32) -> u32 {
    SELF + 1 + arity
}

/// The arguments of code reached through a closure, as expressions.
fn closure_args(arity: u32) -> Vec<Expr> {
    (0..arity).map(|index| Expr::Var(SELF + 1 + index)).collect()
}

/// The code of a global's closure: calls the global.
pub(crate) fn global_entry(pb: &mut ProgramBuilder, function: FuncId, arity: u32) -> FuncId {
    let name = format!("{}.closure", pb.program.functions[function as usize].name);
    let id = pb.reserve(&name);
    let mut args = vec![Expr::Var(DEST), Expr::Var(SCRATCH)];
    args.extend(closure_args(arity));
    let body = vec![Stmt::TailCall(function, args)];
    pb.define(id, Function { name: String::new(), params: closure_params(arity), vars: closure_params(arity), body });
    id
}

/// The code of a constructor's closure: builds the value in `dest`.
pub(crate) fn constructor_entry(pb: &mut ProgramBuilder, constructor: &Constructor, id: u32) -> FuncId {
    let code = pb.reserve(&format!("{}.closure", constructor.name));
    let mut builder = FnBuilder::new(pb, &constructor.name, closure_params(constructor.arity), SELF + 1);
    let header = Expr::Const(abi::data_header(id, constructor.tag, constructor.arity));
    let value = builder.object(Expr::Var(DEST), header, closure_args(constructor.arity));
    builder.emit(Stmt::Return(value));
    let function = builder.finish();
    pb.define(code, function);
    code
}

/// The code of a primitive's closure: runs the primitive.
pub(crate) fn prim_entry(pb: &mut ProgramBuilder, prim: Prim) -> FuncId {
    let code = pb.reserve(&format!("Prim.{}.closure", prim.name()));
    let mut builder = FnBuilder::new(pb, "Prim", closure_params(prim.arity()), SELF + 1);
    let mut args = closure_args(prim.arity());
    let value = builder.prim(prim, &mut args, true, NO_SPAN);
    builder.emit(Stmt::Return(value));
    let function = builder.finish();
    pb.define(code, function);
    code
}

/// `apply_k(dest, scratch, f, a1 … ak)`: calls the function value `f` on
/// `k` arguments, as the interpreter curries: exactly its arity runs it,
/// fewer make a partial application, more apply its result to the rest.
pub(crate) fn apply(pb: &mut ProgramBuilder, k: u32) -> Function {
    let max_arity = pb.max_arity;
    let mut builder = FnBuilder::new(pb, "apply", 3 + k, 0);
    let function = Expr::Var(SELF);
    let args: Vec<Expr> = (0..k).map(|index| Expr::Var(3 + index)).collect();
    let address = builder.untag(function.clone());
    let header = load(address.clone(), 0);
    let arity = builder.temp(Expr::Binary(
        BinOp::And,
        Box::new(Expr::Binary(BinOp::ShrU, Box::new(header), Box::new(Expr::Const(8)))),
        Box::new(Expr::Const(0xFFFF_FFFF)),
    ));
    let code = builder.temp(load(address, 8));
    let with_args = |prefix: Vec<Expr>, rest: &[Expr]| {
        let mut all = prefix;
        all.extend_from_slice(rest);
        all
    };
    let exact = Stmt::TailCallIndirect(
        code.clone(),
        with_args(vec![Expr::Var(DEST), Expr::Var(SCRATCH), function.clone()], &args),
    );
    builder.emit(Stmt::If(eq(arity.clone(), Expr::Const(u64::from(k))), vec![exact], Vec::new()));
    for m in 1..k {
        let over = builder.nested(|builder| {
            let call = Expr::CallIndirect(
                Box::new(code.clone()),
                with_args(vec![Expr::Var(DEST), Expr::Var(SCRATCH), function.clone()], &args[..m as usize]),
            );
            let result = builder.temp(call);
            builder.fail_if(&result);
            let rest_apply = builder.pb.apply_function(k - m);
            builder.emit(Stmt::TailCall(
                rest_apply,
                with_args(vec![Expr::Var(DEST), Expr::Var(SCRATCH), result], &args[m as usize..]),
            ));
        });
        builder.emit(Stmt::If(eq(arity.clone(), Expr::Const(u64::from(m))), over, Vec::new()));
    }
    for r in 1..=max_arity.saturating_sub(k) {
        let under = builder.nested(|builder| {
            let closure = builder.partial(function.clone(), k + r, args.clone(), true);
            builder.emit(Stmt::Return(closure));
        });
        builder.emit(Stmt::If(eq(arity.clone(), Expr::Const(u64::from(k + r))), under, Vec::new()));
    }
    builder.emit(Stmt::Return(Expr::Const(FAIL)));
    builder.finish()
}

/// `pap_s_r(dest, scratch, self, b1 … br)`: the code of a partial
/// application whose environment is the function and its first `s`
/// arguments; calls the function with those and the `r` new ones.
pub(crate) fn pap(s: u32, r: u32) -> Function {
    let address = Expr::Unary(crate::UnOp::Untag, Box::new(Expr::Var(SELF)));
    let function_var = SELF + 1 + r;
    let mut body = vec![Stmt::Set(function_var, load(address.clone(), closure_env_offset(0)))];
    let mut args = vec![Expr::Var(DEST), Expr::Var(SCRATCH), Expr::Var(function_var)];
    args.extend((0..s).map(|index| load(address.clone(), closure_env_offset(index as usize + 1))));
    args.extend(closure_args(r));
    let code = load(Expr::Unary(crate::UnOp::Untag, Box::new(Expr::Var(function_var))), 8);
    body.push(Stmt::TailCallIndirect(code, args));
    Function { name: String::new(), params: closure_params(r), vars: closure_params(r) + 1, body }
}
