//! Calls: of a known global with its arity (direct), of constructors and
//! primitives (inline), and of any other function value (through
//! `apply_k`). A call not in tail position opens a scratch region for the
//! callee and frees it when the callee returns.

use min_core::Expr as CoreExpr;
use min_diagnostics::Span;

use super::function::{DEST, FnBuilder, SCRATCH, add, eq, load};
use crate::abi::{self, FAIL, NO_NAME};
use crate::{Expr, FuncId, Helper, Stmt, VmVar};

impl FnBuilder<'_, '_> {
    /// Emits `function args`. In tail position (`tail`) a call becomes a
    /// tail call and the result is `None`; otherwise the result is the value.
    pub(crate) fn apply(
        &mut self,
        function: &CoreExpr,
        args: &[CoreExpr],
        span: Span,
        escapes: bool,
        tail: bool,
    ) -> Option<Expr> {
        let span_index = self.pb.span(span);
        match function {
            CoreExpr::Global(name) => {
                if let Some(info) = self.pb.global(name)
                    && info.cell.is_none()
                {
                    let arity = info.global.arity as usize;
                    let values: Vec<Expr> = args
                        .iter()
                        .enumerate()
                        .map(|(index, arg)| {
                            let escapes = escapes && self.pb.summaries.argument_escapes(name, index, args.len());
                            self.value(arg, escapes)
                        })
                        .collect();
                    if values.len() < arity {
                        let closure = Expr::Static(self.pb.global_closure(name).expect("the global exists"));
                        return Some(self.partial(closure, arity as u32, values, escapes));
                    }
                    let mut values = values;
                    let rest = values.split_off(arity);
                    let callee = info.function;
                    if rest.is_empty() {
                        return self.call(callee, values, escapes, tail, info.name, span_index);
                    }
                    let function = self.call(callee, values, escapes, false, info.name, span_index)?;
                    return self.call_value(function, rest, escapes, tail, span_index);
                }
            }
            CoreExpr::Constructor(constructor) if constructor.arity as usize == args.len() && !args.is_empty() => {
                let fields: Vec<Expr> = args.iter().map(|arg| self.value(arg, escapes)).collect();
                let id = self.pb.constructor(constructor);
                let header = Expr::Const(abi::data_header(id, constructor.tag, constructor.arity));
                let region = self.region(escapes);
                return Some(self.object(region, header, fields));
            }
            CoreExpr::Prim(prim) if prim.arity() as usize == args.len() && !args.is_empty() => {
                let mut values: Vec<Expr> = args.iter().map(|arg| self.value(arg, false)).collect();
                return Some(self.prim(*prim, &mut values, escapes, span_index));
            }
            _ => {}
        }
        let function = self.value(function, escapes);
        let values: Vec<Expr> = args.iter().map(|arg| self.value(arg, escapes)).collect();
        self.call_value(function, values, escapes, tail, span_index)
    }

    /// Applies a function value (a variable or constant) through `apply_k`.
    fn call_value(&mut self, function: Expr, args: Vec<Expr>, escapes: bool, tail: bool, span: u64) -> Option<Expr> {
        let apply = self.pb.apply_function(args.len() as u32);
        let mut all = vec![function];
        all.extend(args);
        self.call(apply, all, escapes, tail, NO_NAME, span)
    }

    /// A partial application: a closure holding `function` (of `arity`
    /// parameters) and the arguments given so far.
    pub(crate) fn partial(&mut self, function: Expr, arity: u32, args: Vec<Expr>, escapes: bool) -> Expr {
        let given = args.len() as u32;
        let code = self.pb.pap_function(given, arity - given);
        let header = Expr::Const(abi::header(abi::Kind::Closure, arity - given, given + 1));
        let mut words = vec![Expr::Code(code), function];
        words.extend(args);
        let region = self.region(escapes);
        self.object(region, header, words)
    }

    /// Opens a fresh scratch region for a callee on the region stack.
    pub(crate) fn open_scratch(&mut self) -> crate::Var {
        let scratch = self.var();
        self.emit(Stmt::Set(scratch, Expr::Vm(VmVar::RegionTop)));
        for word in 0..abi::REGION_WORDS as i32 {
            self.emit(Stmt::Store(Expr::Var(scratch), 8 * word, Expr::Const(0)));
        }
        let words = abi::words(abi::REGION_WORDS);
        self.emit(Stmt::SetVm(VmVar::RegionTop, add(Expr::Var(scratch), Expr::Const(words))));
        scratch
    }

    /// Pops a scratch region [`FnBuilder::open_scratch`] opened and frees
    /// it if anything was allocated in it.
    pub(crate) fn close_scratch(&mut self, scratch: crate::Var) {
        self.emit(Stmt::SetVm(VmVar::RegionTop, Expr::Var(scratch)));
        let used = Expr::Binary(
            crate::BinOp::Ne,
            Box::new(load(Expr::Var(scratch), abi::REGION_CHUNKS)),
            Box::new(Expr::Const(0)),
        );
        let release = Stmt::Drop(Expr::Helper(Helper::RegionRelease, vec![Expr::Var(scratch)]));
        self.emit(Stmt::If(used, vec![release], Vec::new()));
    }

    /// Emits a call with the result built in the region `escapes` picks.
    /// Not in tail position, a callee that uses its scratch region gets a
    /// fresh one, freed after it returns (one that never does gets the
    /// caller's); a failure adds the callee's name and the call's span.
    fn call(
        &mut self,
        callee: FuncId,
        args: Vec<Expr>,
        escapes: bool,
        tail: bool,
        name: u64,
        span: u64,
    ) -> Option<Expr> {
        let args: Vec<Expr> = args.into_iter().map(|arg| self.temp(arg)).collect();
        if tail {
            let mut all = vec![Expr::Var(DEST), Expr::Var(SCRATCH)];
            all.extend(args);
            self.leave();
            self.emit(Stmt::TailCall(callee, all));
            return None;
        }
        let scratch = (!self.pb.is_scratch_free(callee)).then(|| self.open_scratch());
        let mut all = vec![self.region(escapes), Expr::Var(scratch.unwrap_or(SCRATCH))];
        all.extend(args);
        let result = self.var();
        self.emit(Stmt::Set(result, Expr::Call(callee, all)));
        if let Some(scratch) = scratch {
            self.close_scratch(scratch);
        }
        let unwind = Stmt::Return(Expr::Helper(Helper::Unwind, vec![Expr::Const(name), Expr::Const(span)]));
        self.emit(Stmt::If(eq(Expr::Var(result), Expr::Const(FAIL)), vec![unwind], Vec::new()));
        Some(Expr::Var(result))
    }
}
