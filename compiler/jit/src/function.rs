//! The translation of one LIR function into a Cranelift function.
//!
//! Every LIR function becomes a function of the `tail` calling convention
//! whose first parameter is the context pointer and whose other parameters
//! and result are words, so that `Stmt::TailCall` runs in constant stack.
//! Structured control flow maps onto blocks: an `if` branches to two blocks
//! that meet again, and a `Block` that is broken out of gets an exit block
//! after it that its breaks jump to. Statements after a `Return`, `Break` or tail call in the same
//! list are never reached and are not translated.
//!
//! A function whose end can be reached (a path without a `Return`, tail call
//! or `Break` out of the body) breaks the LIR's rule and is rejected.

use std::collections::HashMap;

use cranelift_codegen::Context;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::Ieee64;
use cranelift_codegen::ir::types::{F64, I64};
use cranelift_codegen::ir::{
    AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, SigRef, Signature, UserFuncName, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::Module;
use min_lir::{BinOp, Expr, FuncId, Helper, Label, Program, Stmt, UnOp, abi};

use crate::ctx::Ctx;
use crate::error::JitError;
use crate::validate::describe;
use crate::walk::expr_operands;

/// What the translation of a function needs to know about the whole program.
pub(crate) struct Env<'a> {
    pub(crate) program: &'a Program,
    /// The module's function of each LIR function.
    pub(crate) functions: Vec<cranelift_module::FuncId>,
    /// The module's import of the helper entry point of each arity.
    pub(crate) helpers: Vec<cranelift_module::FuncId>,
    /// The address of each static object.
    pub(crate) statics: Vec<u64>,
    /// The address of cell 0; the others follow it.
    pub(crate) cells: u64,
}

/// The signature of a generated function of `arity` LIR parameters.
pub(crate) fn tail_signature(arity: usize) -> Signature {
    let mut signature = Signature::new(CallConv::Tail);
    signature.params.extend(std::iter::repeat_n(AbiParam::new(I64), arity + 1));
    signature.returns.push(AbiParam::new(I64));
    signature
}

/// Translates function `id` and defines it in the module.
pub(crate) fn define(
    module: &mut JITModule,
    env: &Env<'_>,
    id: FuncId,
    context: &mut Context,
    builder_context: &mut FunctionBuilderContext,
) -> Result<(), JitError> {
    let function = &env.program.functions[id as usize];
    let module_id = env.functions[id as usize];
    context.func.signature = tail_signature(function.params as usize);
    context.func.name = UserFuncName::user(0, module_id.as_u32());
    let target = module.target_config();

    let mut builder = FunctionBuilder::new(&mut context.func, builder_context);
    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    builder.seal_block(entry);
    let params = builder.block_params(entry).to_vec();
    let zero = builder.ins().iconst(I64, 0);
    let vars = (0..function.vars as usize)
        .map(|index| {
            let var = builder.declare_var(I64);
            builder.def_var(var, params.get(index + 1).copied().unwrap_or(zero));
            var
        })
        .collect();

    let mut translator = Translator {
        builder,
        module,
        env,
        ctx: params[0],
        vars,
        labels: Vec::new(),
        functions: HashMap::new(),
        signatures: HashMap::new(),
        helpers: HashMap::new(),
        floats: HashMap::new(),
        reachable: true,
    };
    translator.stmts(&function.body);
    if translator.reachable {
        let message = format!("{} can reach the end of its body without returning", describe(id, function));
        module.clear_context(context);
        return Err(JitError::Invalid(message));
    }
    translator.builder.finalize(target);

    let defined = module.define_function(module_id, context);
    module.clear_context(context);
    defined.map_err(|error| JitError::Backend(format!("{}: {error}", describe(id, function))))
}

struct Translator<'a, 'b> {
    builder: FunctionBuilder<'a>,
    module: &'b mut JITModule,
    env: &'b Env<'b>,
    /// The context pointer, the hidden first parameter.
    ctx: Value,
    vars: Vec<Variable>,
    /// The blocks around the current statement, innermost last, with their
    /// exit once a break needs one.
    labels: Vec<(Label, Option<Block>)>,
    functions: HashMap<FuncId, FuncRef>,
    /// Signatures of indirect calls, by arity.
    signatures: HashMap<usize, SigRef>,
    /// Helper entry points, by arity.
    helpers: HashMap<usize, FuncRef>,
    /// The real behind each word made from or read as a real in the
    /// current Cranelift block, so that a chain of real operations stays in
    /// float registers instead of moving every result through an integer one.
    floats: HashMap<Value, Value>,
    /// Whether the current position can be reached. Once it cannot, the
    /// rest of the statement list is skipped.
    reachable: bool,
}

impl Translator<'_, '_> {
    fn stmts(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            if !self.reachable {
                break;
            }
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::If(condition, then, otherwise) => self.if_(condition, then, otherwise),
            Stmt::Block(label, body) => self.block(*label, body),
            _ => self.simple_stmt(stmt),
        }
    }

    /// A statement that contains no statements.
    #[inline(never)]
    fn simple_stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Set(var, value) => {
                let value = self.expr(value);
                self.builder.def_var(self.vars[*var as usize], value);
            }
            Stmt::Store(address, offset, value) => {
                let address = self.expr(address);
                let value = self.expr(value);
                self.builder.ins().store(MemFlagsData::trusted(), value, address, *offset);
            }
            Stmt::SetVm(var, value) => {
                let value = self.expr(value);
                self.builder.ins().store(MemFlagsData::trusted(), value, self.ctx, Ctx::vm_offset(*var));
            }
            Stmt::Drop(value) => {
                self.expr(value);
            }
            Stmt::Break(label) => {
                let exit = self.exit(*label);
                self.builder.ins().jump(exit, &[]);
                self.reachable = false;
            }
            Stmt::Return(value) => {
                let value = self.expr(value);
                self.builder.ins().return_(&[value]);
                self.reachable = false;
            }
            Stmt::TailCall(callee, args) => {
                let args = self.args(args);
                let callee = self.function(*callee);
                self.builder.ins().return_call(callee, &args);
                self.reachable = false;
            }
            Stmt::TailCallIndirect(code, args) => {
                let code = self.expr(code);
                let signature = self.signature(args.len());
                let args = self.args(args);
                self.builder.ins().return_call_indirect(signature, code, &args);
                self.reachable = false;
            }
            Stmt::If(..) | Stmt::Block(..) => unreachable!("`stmt` translates statements that contain statements"),
        }
    }

    fn if_(&mut self, condition: &Expr, then: &[Stmt], otherwise: &[Stmt]) {
        let condition = self.expr(condition);
        let then_block = self.builder.create_block();
        let else_block = self.builder.create_block();
        self.builder.ins().brif(condition, then_block, &[], else_block, &[]);
        self.builder.seal_block(then_block);
        self.builder.seal_block(else_block);
        let mut merge = None;
        for (block, body) in [(then_block, then), (else_block, otherwise)] {
            self.switch_to(block);
            self.reachable = true;
            self.stmts(body);
            if self.reachable {
                let merge = *merge.get_or_insert_with(|| self.builder.create_block());
                self.builder.ins().jump(merge, &[]);
            }
        }
        self.reachable = merge.is_some();
        if let Some(merge) = merge {
            self.builder.seal_block(merge);
            self.switch_to(merge);
        }
    }

    fn block(&mut self, label: Label, body: &[Stmt]) {
        self.labels.push((label, None));
        self.stmts(body);
        let (_, exit) = self.labels.pop().expect("the block's own label is on the stack");
        // Without a break, the code after the block simply goes on in the
        // current Cranelift block.
        if let Some(exit) = exit {
            if self.reachable {
                self.builder.ins().jump(exit, &[]);
            }
            self.builder.seal_block(exit);
            self.switch_to(exit);
            self.reachable = true;
        }
    }

    /// The exit of the innermost enclosing block with this label.
    fn exit(&mut self, label: Label) -> Block {
        let index = self
            .labels
            .iter()
            .rposition(|(other, _)| *other == label)
            .expect("validation found every break inside a block with its label");
        match self.labels[index].1 {
            Some(exit) => exit,
            None => {
                let exit = self.builder.create_block();
                self.labels[index].1 = Some(exit);
                exit
            }
        }
    }

    /// The context followed by the values of the arguments.
    fn args(&mut self, args: &[Expr]) -> Vec<Value> {
        let mut values = Vec::with_capacity(args.len() + 1);
        values.push(self.ctx);
        values.extend(args.iter().map(|arg| self.expr(arg)));
        values
    }

    fn function(&mut self, callee: FuncId) -> FuncRef {
        if let Some(&callee) = self.functions.get(&callee) {
            return callee;
        }
        let reference = self.module.declare_func_in_func(self.env.functions[callee as usize], self.builder.func);
        self.functions.insert(callee, reference);
        reference
    }

    fn signature(&mut self, arity: usize) -> SigRef {
        *self.signatures.entry(arity).or_insert_with(|| self.builder.import_signature(tail_signature(arity)))
    }

    fn helper(&mut self, arity: usize) -> FuncRef {
        if let Some(&entry) = self.helpers.get(&arity) {
            return entry;
        }
        let entry = self.module.declare_func_in_func(self.env.helpers[arity], self.builder.func);
        self.helpers.insert(arity, entry);
        entry
    }

    fn expr(&mut self, expr: &Expr) -> Value {
        let operands = expr_operands(expr);
        let mut values = [self.ctx; 3];
        for (value, operand) in values.iter_mut().zip(operands.single) {
            if let Some(operand) = operand {
                *value = self.expr(operand);
            }
        }
        let args = operands.args.map(|args| self.args(args)).unwrap_or_default();
        self.operation(expr, values, args)
    }

    /// The value of an expression from the values of its operands: the
    /// single ones in `values`, the context and the arguments of a call in
    /// `args`.
    #[inline(never)]
    fn operation(&mut self, expr: &Expr, values: [Value; 3], args: Vec<Value>) -> Value {
        let [first, second, third] = values;
        match expr {
            Expr::Const(word) => self.word(*word),
            Expr::Var(var) => self.builder.use_var(self.vars[*var as usize]),
            Expr::Vm(var) => self.builder.ins().load(I64, MemFlagsData::trusted(), self.ctx, Ctx::vm_offset(*var)),
            Expr::Unary(op, _) => self.unary(*op, first),
            Expr::Binary(op, _, _) => self.binary(*op, first, second),
            Expr::Load(_, offset) => self.builder.ins().load(I64, MemFlagsData::trusted(), first, *offset),
            Expr::Call(callee, _) => {
                let callee = self.function(*callee);
                let call = self.builder.ins().call(callee, &args);
                self.builder.inst_results(call)[0]
            }
            Expr::CallIndirect(_, _) => {
                let signature = self.signature(args.len() - 1);
                let call = self.builder.ins().call_indirect(signature, first, &args);
                self.builder.inst_results(call)[0]
            }
            Expr::Helper(helper, _) => self.helper_call(*helper, args),
            Expr::Code(function) => {
                let function = self.function(*function);
                self.builder.ins().func_addr(I64, function)
            }
            Expr::Static(object) => self.word(abi::pointer_word(self.env.statics[*object as usize])),
            Expr::Cell(cell) => self.word(self.env.cells + abi::words(*cell)),
            Expr::Select(condition, then, otherwise) if is_canonicalisation(condition, then, otherwise) => {
                self.canonical(third)
            }
            Expr::Select(..) => self.builder.ins().select(first, second, third),
        }
    }

    fn word(&mut self, word: u64) -> Value {
        self.builder.ins().iconst(I64, word as i64)
    }

    /// Calls the helper entry point of the helper's arity with the context
    /// (first in `args`), the helper's index in `Helper::ALL` and the
    /// arguments.
    fn helper_call(&mut self, helper: Helper, mut args: Vec<Value>) -> Value {
        let index = Helper::ALL.iter().position(|other| *other == helper).expect("every helper is in Helper::ALL");
        let index = self.word(index as u64);
        args.insert(1, index);
        let entry = self.helper(helper.arity());
        let call = self.builder.ins().call(entry, &args);
        self.builder.inst_results(call)[0]
    }

    /// Goes on translating in `block`. The reals known in the previous
    /// block may not dominate it, so they are forgotten.
    fn switch_to(&mut self, block: Block) {
        self.floats.clear();
        self.builder.switch_to_block(block);
    }

    fn float_of(&mut self, word: Value) -> Value {
        if let Some(&float) = self.floats.get(&word) {
            return float;
        }
        let float = self.builder.ins().bitcast(F64, MemFlagsData::new(), word);
        self.floats.insert(word, float);
        float
    }

    fn word_of(&mut self, float: Value) -> Value {
        let word = self.builder.ins().bitcast(I64, MemFlagsData::new(), float);
        self.floats.insert(word, float);
        word
    }

    /// The word with a NaN replaced by the canonical NaN, chosen among
    /// reals: the lowering's `select(FIsNan(x), CANONICAL_NAN, x)`.
    fn canonical(&mut self, word: Value) -> Value {
        let float = self.float_of(word);
        let nan = self.builder.ins().fcmp(FloatCC::Unordered, float, float);
        let canonical = self.builder.ins().f64const(Ieee64::with_bits(abi::CANONICAL_NAN));
        let chosen = self.builder.ins().select(nan, canonical, float);
        self.word_of(chosen)
    }

    /// 0 or 1 as a word, from a comparison's truth value.
    fn truth(&mut self, truth: Value) -> Value {
        self.builder.ins().uextend(I64, truth)
    }

    fn unary(&mut self, op: UnOp, operand: Value) -> Value {
        match op {
            UnOp::Untag => {
                let mask = self.word(abi::PAYLOAD_MASK);
                self.builder.ins().band(operand, mask)
            }
            UnOp::FNeg => {
                let sign = self.word(1 << 63);
                self.builder.ins().bxor(operand, sign)
            }
            UnOp::FSqrt => {
                let float = self.float_of(operand);
                let root = self.builder.ins().sqrt(float);
                self.word_of(root)
            }
            UnOp::FIsNan => {
                let float = self.float_of(operand);
                let nan = self.builder.ins().fcmp(FloatCC::Unordered, float, float);
                self.truth(nan)
            }
            UnOp::FFromInt => {
                let float = self.builder.ins().fcvt_from_sint(cranelift_codegen::ir::types::F64, operand);
                self.word_of(float)
            }
            UnOp::FTrunc => {
                let float = self.float_of(operand);
                self.builder.ins().fcvt_to_sint_sat(I64, float)
            }
        }
    }

    fn binary(&mut self, op: BinOp, left: Value, right: Value) -> Value {
        match op {
            BinOp::Add => self.builder.ins().iadd(left, right),
            BinOp::Sub => self.builder.ins().isub(left, right),
            BinOp::Mul => self.builder.ins().imul(left, right),
            BinOp::DivS => self.builder.ins().sdiv(left, right),
            BinOp::RemS => self.builder.ins().srem(left, right),
            BinOp::And => self.builder.ins().band(left, right),
            BinOp::Or => self.builder.ins().bor(left, right),
            BinOp::Xor => self.builder.ins().bxor(left, right),
            // Cranelift takes shift amounts modulo the width, as the LIR does.
            BinOp::Shl => self.builder.ins().ishl(left, right),
            BinOp::ShrS => self.builder.ins().sshr(left, right),
            BinOp::ShrU => self.builder.ins().ushr(left, right),
            BinOp::Eq => self.compare(IntCC::Equal, left, right),
            BinOp::Ne => self.compare(IntCC::NotEqual, left, right),
            BinOp::LtS => self.compare(IntCC::SignedLessThan, left, right),
            BinOp::LeS => self.compare(IntCC::SignedLessThanOrEqual, left, right),
            BinOp::LtU => self.compare(IntCC::UnsignedLessThan, left, right),
            BinOp::LeU => self.compare(IntCC::UnsignedLessThanOrEqual, left, right),
            BinOp::FAdd | BinOp::FSub | BinOp::FMul | BinOp::FDiv => {
                let left = self.float_of(left);
                let right = self.float_of(right);
                let result = match op {
                    BinOp::FAdd => self.builder.ins().fadd(left, right),
                    BinOp::FSub => self.builder.ins().fsub(left, right),
                    BinOp::FMul => self.builder.ins().fmul(left, right),
                    _ => self.builder.ins().fdiv(left, right),
                };
                self.word_of(result)
            }
            // Cranelift's ordered comparisons are false with a NaN.
            BinOp::FEq => self.compare_floats(FloatCC::Equal, left, right),
            BinOp::FLt => self.compare_floats(FloatCC::LessThan, left, right),
            BinOp::FLe => self.compare_floats(FloatCC::LessThanOrEqual, left, right),
        }
    }

    fn compare(&mut self, condition: IntCC, left: Value, right: Value) -> Value {
        let truth = self.builder.ins().icmp(condition, left, right);
        self.truth(truth)
    }

    fn compare_floats(&mut self, condition: FloatCC, left: Value, right: Value) -> Value {
        let left = self.float_of(left);
        let right = self.float_of(right);
        let truth = self.builder.ins().fcmp(condition, left, right);
        self.truth(truth)
    }
}

/// Whether a select is `select(FIsNan(x), CANONICAL_NAN, x)`, which makes a
/// real's NaN canonical.
fn is_canonicalisation(condition: &Expr, then: &Expr, otherwise: &Expr) -> bool {
    matches!(condition, Expr::Unary(UnOp::FIsNan, operand) if **operand == *otherwise)
        && *then == Expr::Const(abi::CANONICAL_NAN)
}
