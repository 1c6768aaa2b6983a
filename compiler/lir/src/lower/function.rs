//! One LIR function under construction: variables, labels, nested
//! statement lists, and the few patterns every lowering repeats (checking a
//! call for failure, returning, allocating in a region).

use min_core::{Global, Lambda};

use super::ProgramBuilder;
use crate::abi::{self, FAIL};
use crate::regions;
use crate::{BinOp, Expr, Function, Helper, Label, Stmt, UnOp, Var, VmVar};

/// Parameter 0 of every function: the region its result is built in.
pub(crate) const DEST: Var = 0;
/// Parameter 1 of every function: the region for what does not escape.
pub(crate) const SCRATCH: Var = 1;
/// Parameter 2 of code reached through a closure: the closure.
pub(crate) const SELF: Var = 2;

/// A function being lowered.
pub(crate) struct FnBuilder<'b, 'm> {
    pub(crate) pb: &'b mut ProgramBuilder<'m>,
    /// The global whose body this is or is inside, for lambda names and traces.
    pub(crate) owner: String,
    /// The LIR variable of core slot 0.
    base: Var,
    params: u32,
    vars: u32,
    labels: Label,
    /// Core slots whose values may reach the result.
    pub(crate) escaping: Vec<bool>,
    stmts: Vec<Stmt>,
    /// Whether the function counts as a nested call for the depth limit
    /// (globals and lambdas do; glue does not).
    counted: bool,
}

impl<'b, 'm> FnBuilder<'b, 'm> {
    /// An empty function of `params` parameters whose core slots start at `base`.
    pub(crate) fn new(pb: &'b mut ProgramBuilder<'m>, owner: &str, params: u32, base: Var) -> FnBuilder<'b, 'm> {
        FnBuilder {
            pb,
            owner: owner.to_string(),
            base,
            params,
            vars: params,
            labels: 0,
            escaping: Vec::new(),
            stmts: Vec::new(),
            counted: false,
        }
    }

    /// The function of a global's body: parameters dest, scratch, then its arguments.
    pub(crate) fn lower_body(
        pb: &'b mut ProgramBuilder<'m>,
        owner: &str,
        global: &Global,
        base: Var,
        arity: u32,
    ) -> Function {
        let mut builder = FnBuilder::new(pb, owner, base + arity, base);
        builder.frame(global.frame_size, &global.body);
        builder.counted_prologue();
        builder.tail(&global.body);
        builder.finish()
    }

    /// The code of a lambda: parameters dest, scratch, the closure, then its
    /// arguments; the captures are loaded from the closure's environment.
    pub(crate) fn lower_lambda(pb: &'b mut ProgramBuilder<'m>, owner: &str, lambda: &Lambda) -> Function {
        let base = SELF + 1;
        let mut builder = FnBuilder::new(pb, owner, base + lambda.params, base);
        builder.frame(lambda.frame_size, &lambda.body);
        builder.counted_prologue();
        let closure = builder.untag(Expr::Var(SELF));
        for (index, (_, inner)) in lambda.captures.iter().enumerate() {
            let slot = builder.slot(*inner);
            builder.emit(Stmt::Set(slot, load(closure.clone(), closure_env_offset(index))));
        }
        builder.tail(&lambda.body);
        builder.finish()
    }

    /// Makes room for a core frame and runs the region analysis on its body.
    fn frame(&mut self, frame_size: u32, body: &min_core::Expr) {
        self.vars = self.vars.max(self.base + frame_size);
        self.escaping = regions::escaping_slots(&self.pb.summaries, frame_size, body);
    }

    /// The finished function. A counted function that calls no other only
    /// checks the depth limit: nothing can read the depth while it runs, so
    /// it need not count itself in.
    pub(crate) fn finish(mut self) -> Function {
        if self.counted && !stmts_call(&self.stmts) {
            drop_depth_updates(&mut self.stmts);
        }
        Function { name: String::new(), params: self.params, vars: self.vars, body: self.stmts }
    }

    /// The LIR variable of a core slot.
    pub(crate) fn slot(&self, slot: u32) -> Var {
        self.base + slot
    }

    /// A fresh variable.
    pub(crate) fn var(&mut self) -> Var {
        self.vars += 1;
        self.vars - 1
    }

    /// A fresh label.
    pub(crate) fn label(&mut self) -> Label {
        self.labels += 1;
        self.labels - 1
    }

    /// Appends a statement.
    pub(crate) fn emit(&mut self, stmt: Stmt) {
        self.stmts.push(stmt);
    }

    /// The statements `build` emits, collected apart.
    pub(crate) fn nested(&mut self, build: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        let outer = std::mem::take(&mut self.stmts);
        build(self);
        std::mem::replace(&mut self.stmts, outer)
    }

    /// Stores `value` in a fresh variable and returns the variable.
    pub(crate) fn temp(&mut self, value: Expr) -> Expr {
        match value {
            Expr::Const(_) | Expr::Var(_) | Expr::Static(_) | Expr::Code(_) | Expr::Cell(_) => value,
            value => {
                let var = self.var();
                self.emit(Stmt::Set(var, value));
                Expr::Var(var)
            }
        }
    }

    /// The untagged address of a heap object word, in a variable.
    pub(crate) fn untag(&mut self, word: Expr) -> Expr {
        self.temp(Expr::Unary(UnOp::Untag, Box::new(word)))
    }

    /// The region a value goes in: the destination when it escapes.
    pub(crate) fn region(&self, escapes: bool) -> Expr {
        Expr::Var(if escapes { DEST } else { SCRATCH })
    }

    /// Counts this call against the depth limit.
    fn counted_prologue(&mut self) {
        self.counted = true;
        let depth = self.temp(add(Expr::Vm(VmVar::Depth), Expr::Const(1)));
        let exceeded = Expr::Binary(BinOp::LtU, Box::new(Expr::Vm(VmVar::DepthLimit)), Box::new(depth.clone()));
        self.emit(Stmt::If(exceeded, vec![Stmt::Return(Expr::Helper(Helper::DepthExceeded, Vec::new()))], Vec::new()));
        self.emit(Stmt::SetVm(VmVar::Depth, depth));
    }

    /// Ends the call in the depth count, before a return or a tail call.
    pub(crate) fn leave(&mut self) {
        if self.counted {
            self.emit(Stmt::SetVm(VmVar::Depth, sub(Expr::Vm(VmVar::Depth), Expr::Const(1))));
        }
    }

    /// Returns a value.
    pub(crate) fn ret(&mut self, value: Expr) {
        let value = self.temp(value);
        self.leave();
        self.emit(Stmt::Return(value));
    }

    /// Returns `FAIL` if `value` (a variable) is `FAIL`: a helper failed
    /// and recorded why.
    pub(crate) fn fail_if(&mut self, value: &Expr) {
        self.emit(Stmt::If(eq(value.clone(), Expr::Const(FAIL)), vec![Stmt::Return(Expr::Const(FAIL))], Vec::new()));
    }

    /// Calls a helper and passes a failure on.
    pub(crate) fn helper(&mut self, helper: Helper, args: Vec<Expr>) -> Expr {
        let result = self.temp(Expr::Helper(helper, args));
        self.fail_if(&result);
        result
    }

    /// Allocates `bytes` in `region` (a variable) and returns the untagged
    /// address, in a variable.
    pub(crate) fn alloc(&mut self, region: Expr, bytes: Expr) -> Expr {
        let address = self.var();
        let next = self.temp(add(load(region.clone(), abi::REGION_CURSOR), bytes.clone()));
        self.emit(Stmt::Set(address, sub(next.clone(), bytes.clone())));
        let full = Expr::Binary(BinOp::LtU, Box::new(load(region.clone(), abi::REGION_LIMIT)), Box::new(next.clone()));
        let grow = vec![
            Stmt::Set(address, Expr::Helper(Helper::RegionGrow, vec![region.clone(), bytes])),
            Stmt::If(eq(Expr::Var(address), Expr::Const(FAIL)), vec![Stmt::Return(Expr::Const(FAIL))], Vec::new()),
        ];
        self.emit(Stmt::If(full, grow, vec![Stmt::Store(region, abi::REGION_CURSOR, next)]));
        Expr::Var(address)
    }

    /// Allocates an object of `header` and `fields` in `region` and returns
    /// its tagged word.
    pub(crate) fn object(&mut self, region: Expr, header: Expr, fields: Vec<Expr>) -> Expr {
        let address = self.alloc(region, Expr::Const(abi::words(fields.len() as u32 + 1)));
        self.emit(Stmt::Store(address.clone(), 0, header));
        for (index, field) in fields.into_iter().enumerate() {
            self.emit(Stmt::Store(address.clone(), field_offset(index), field));
        }
        self.temp(or(address, Expr::Const(abi::TAG_PTR)))
    }
}

/// Byte offset of field `index` (0-based) of a tuple, cell or data object.
pub(crate) fn field_offset(index: usize) -> i32 {
    8 * (index as i32 + 1)
}

/// Byte offset of environment word `index` of a closure.
pub(crate) fn closure_env_offset(index: usize) -> i32 {
    16 + 8 * index as i32
}

/// `[address + offset]`.
pub(crate) fn load(address: Expr, offset: i32) -> Expr {
    Expr::Load(Box::new(address), offset)
}

/// `a + b`.
pub(crate) fn add(a: Expr, b: Expr) -> Expr {
    Expr::Binary(BinOp::Add, Box::new(a), Box::new(b))
}

/// `a - b`.
pub(crate) fn sub(a: Expr, b: Expr) -> Expr {
    Expr::Binary(BinOp::Sub, Box::new(a), Box::new(b))
}

/// `a == b`.
pub(crate) fn eq(a: Expr, b: Expr) -> Expr {
    Expr::Binary(BinOp::Eq, Box::new(a), Box::new(b))
}

/// `a & b`.
pub(crate) fn and(a: Expr, b: Expr) -> Expr {
    Expr::Binary(BinOp::And, Box::new(a), Box::new(b))
}

/// `a | b`.
pub(crate) fn or(a: Expr, b: Expr) -> Expr {
    Expr::Binary(BinOp::Or, Box::new(a), Box::new(b))
}

/// The tag bits of a word.
pub(crate) fn tag_of(word: Expr) -> Expr {
    and(word, Expr::Const(abi::TAG_MASK))
}

/// 1 if `word` has the tag `tag`.
pub(crate) fn has_tag(word: Expr, tag: u64) -> Expr {
    eq(tag_of(word), Expr::Const(tag))
}

/// Whether statements call a function: directly, through a code word, or in tail position.
fn stmts_call(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|stmt| match stmt {
        Stmt::TailCall(..) | Stmt::TailCallIndirect(..) => true,
        Stmt::Set(_, expr) | Stmt::SetVm(_, expr) | Stmt::Drop(expr) | Stmt::Return(expr) => expr_calls(expr),
        Stmt::Store(address, _, value) => expr_calls(address) || expr_calls(value),
        Stmt::If(condition, then, otherwise) => expr_calls(condition) || stmts_call(then) || stmts_call(otherwise),
        Stmt::Block(_, body) => stmts_call(body),
        Stmt::Break(_) => false,
    })
}

/// Whether an expression calls a function (helpers do not count).
fn expr_calls(expr: &Expr) -> bool {
    match expr {
        Expr::Call(..) | Expr::CallIndirect(..) => true,
        Expr::Const(_) | Expr::Var(_) | Expr::Vm(_) | Expr::Code(_) | Expr::Static(_) | Expr::Cell(_) => false,
        Expr::Unary(_, a) | Expr::Load(a, _) => expr_calls(a),
        Expr::Binary(_, a, b) => expr_calls(a) || expr_calls(b),
        Expr::Helper(_, args) => args.iter().any(expr_calls),
        Expr::Select(c, a, b) => expr_calls(c) || expr_calls(a) || expr_calls(b),
    }
}

/// Removes every update of the depth count from statements.
fn drop_depth_updates(stmts: &mut Vec<Stmt>) {
    stmts.retain(|stmt| !matches!(stmt, Stmt::SetVm(VmVar::Depth, _)));
    for stmt in stmts {
        match stmt {
            Stmt::If(_, then, otherwise) => {
                drop_depth_updates(then);
                drop_depth_updates(otherwise);
            }
            Stmt::Block(_, body) => drop_depth_updates(body),
            _ => {}
        }
    }
}
