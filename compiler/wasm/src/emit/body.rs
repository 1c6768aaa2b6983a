//! One LIR function as the body of a Wasm function.

use min_lir::{BinOp, Expr, FuncId, Function, Helper, Label, Stmt, UnOp, abi};
use wasm_encoder::{BlockType, InstructionSink, MemArg, ValType};

use super::layout::Layout;
use crate::abi::{code_word, helper_index, vm_global_index};

/// What every body needs to know about the rest of the module.
pub(super) struct Context<'a> {
    /// Where statics and cells are.
    pub layout: &'a Layout,
    /// The index of LIR function 0 (the helpers' imports come first).
    pub first_function: u32,
}

/// A translated body.
pub(super) struct Body {
    /// The Wasm function.
    pub function: wasm_encoder::Function,
    /// The largest argument count of an indirect call in it; its type
    /// (index = arity) must exist.
    pub indirect_arity_max: u32,
}

/// Translates a function. Every path of an LIR body ends in a return or a
/// tail call, so the Wasm body ends with `unreachable`.
///
/// The function must have passed [`check`](super::check::check).
pub(super) fn translate(function: &Function, context: &Context) -> Body {
    let mut writer = Writer {
        context,
        function,
        code: Vec::new(),
        labels: Vec::new(),
        temps_used: 0,
        temps_max: 0,
        indirect_arity_max: 0,
    };
    writer.stmts(&function.body);
    writer.sink().unreachable().end();
    let locals = function.vars - function.params + writer.temps_max;
    let mut wasm = wasm_encoder::Function::new([(locals, ValType::I64)]);
    wasm.raw(writer.code);
    Body { function: wasm, indirect_arity_max: writer.indirect_arity_max }
}

/// The state of one translation.
struct Writer<'a> {
    context: &'a Context<'a>,
    function: &'a Function,
    /// The instructions so far.
    code: Vec<u8>,
    /// The enclosing Wasm blocks, innermost last: an LIR block's label, or
    /// `None` for an `if`.
    labels: Vec<Option<Label>>,
    /// Scratch locals (after the variables) in use, and the most ever used.
    temps_used: u32,
    temps_max: u32,
    indirect_arity_max: u32,
}

impl Writer<'_> {
    fn sink(&mut self) -> InstructionSink<'_> {
        InstructionSink::new(&mut self.code)
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    // `stmt` and `expr` recurse on nesting, so they only pick the operands
    // and leave the instructions to `put`, to keep their frames small.
    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Set(var, value) => {
                self.expr(value);
                self.put(Op::LocalSet(*var));
            }
            Stmt::Store(address, offset, value) => {
                let at = self.address(address, *offset);
                self.expr(value);
                self.put(Op::Store(at));
            }
            Stmt::SetVm(var, value) => {
                self.expr(value);
                self.put(Op::GlobalSet(vm_global_index(*var)));
            }
            Stmt::Drop(value) => {
                self.expr(value);
                self.put(Op::Drop);
            }
            Stmt::If(condition, then, otherwise) => {
                self.expr(condition);
                self.put(Op::If);
                self.labels.push(None);
                self.stmts(then);
                if !otherwise.is_empty() {
                    self.put(Op::Else);
                    self.stmts(otherwise);
                }
                self.labels.pop();
                self.put(Op::End);
            }
            Stmt::Block(label, body) => {
                self.put(Op::Block);
                self.labels.push(Some(*label));
                self.stmts(body);
                self.labels.pop();
                self.put(Op::End);
            }
            Stmt::Break(label) => self.put(Op::Break(*label)),
            Stmt::Return(value) => {
                self.expr(value);
                self.put(Op::Return);
            }
            Stmt::TailCall(function, args) => {
                self.exprs(args);
                self.put(Op::ReturnCall(*function));
            }
            Stmt::TailCallIndirect(code, args) => {
                let arity = self.indirect(code, args);
                self.put(Op::ReturnCallIndirect(arity));
            }
        }
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for expr in exprs {
            self.expr(expr);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Unary(op, operand) => {
                self.expr(operand);
                self.put(Op::Unary(*op));
            }
            Expr::Binary(op, left, right) => {
                let real = is_real(*op);
                self.expr(left);
                self.put(Op::ToReal(real));
                self.expr(right);
                self.put(Op::ToReal(real));
                self.put(Op::Binary(*op));
            }
            Expr::Load(address, offset) => {
                let at = self.address(address, *offset);
                self.put(Op::Load(at));
            }
            Expr::Call(function, args) => {
                self.exprs(args);
                self.put(Op::Call(*function));
            }
            Expr::CallIndirect(code, args) => {
                let arity = self.indirect(code, args);
                self.put(Op::CallIndirect(arity));
            }
            Expr::Helper(helper, args) => {
                self.exprs(args);
                self.put(Op::Helper(*helper));
            }
            Expr::Select(condition, then, otherwise) => {
                self.first_then(condition, &[then, otherwise]);
                self.put(Op::Select);
            }
            leaf => self.put(Op::Leaf(leaf)),
        }
    }

    /// Pushes `operands` and then `first`, in the order Wasm needs, while
    /// keeping LIR's left-to-right evaluation: `first` is evaluated first
    /// into a scratch local unless evaluating it later cannot be told apart.
    fn first_then(&mut self, first: &Expr, operands: &[&Expr]) {
        let first_access = Access::of(first);
        if operands.iter().all(|operand| first_access.commutes(Access::of(operand))) {
            operands.iter().for_each(|operand| self.expr(operand));
            self.expr(first);
            return;
        }
        self.expr(first);
        let temp = self.function.vars + self.temps_used;
        self.temps_used += 1;
        self.temps_max = self.temps_max.max(self.temps_used);
        self.put(Op::LocalSet(temp));
        operands.iter().for_each(|operand| self.expr(operand));
        self.put(Op::LocalGet(temp));
        self.temps_used -= 1;
    }

    /// Pushes the arguments and the table index of an indirect call;
    /// returns its arity, which is also its type's index.
    fn indirect(&mut self, code: &Expr, args: &[Expr]) -> u32 {
        let operands: Vec<&Expr> = args.iter().collect();
        self.first_then(code, &operands);
        self.put(Op::Wrap);
        let arity = args.len() as u32;
        self.indirect_arity_max = self.indirect_arity_max.max(arity);
        arity
    }

    /// Pushes the 32-bit address of a word access and returns its memory
    /// argument. A negative offset is added to the address, since Wasm
    /// offsets are unsigned.
    fn address(&mut self, address: &Expr, offset: i32) -> MemArg {
        self.expr(address);
        self.put(Op::Address(offset));
        // Words are 8-aligned: `align` is log2 of 8.
        MemArg { offset: u64::try_from(offset).unwrap_or(0), align: 3, memory_index: 0 }
    }

    /// Writes the instructions of one step.
    #[inline(never)]
    fn put(&mut self, op: Op) {
        let first_function = self.context.first_function;
        let depth = match op {
            Op::Break(label) => self.labels.iter().rev().position(|enclosing| *enclosing == Some(label)),
            _ => None,
        };
        let layout = self.context.layout;
        let mut sink = self.sink();
        match op {
            Op::Leaf(leaf) => match *leaf {
                Expr::Const(word) => sink.i64_const(word as i64),
                Expr::Var(var) => sink.local_get(var),
                Expr::Vm(var) => sink.global_get(vm_global_index(var)),
                Expr::Code(function) => sink.i64_const(code_word(function) as i64),
                Expr::Static(object) => sink.i64_const(layout.static_word(object) as i64),
                Expr::Cell(cell) => sink.i64_const(layout.cell_address(cell) as i64),
                _ => unreachable!("not a leaf: {leaf:?}"),
            },
            Op::LocalSet(var) => sink.local_set(var),
            Op::LocalGet(var) => sink.local_get(var),
            Op::GlobalSet(global) => sink.global_set(global),
            Op::Address(offset) if offset < 0 => sink.i64_const(i64::from(offset)).i64_add().i32_wrap_i64(),
            Op::Address(_) | Op::Wrap => sink.i32_wrap_i64(),
            Op::Load(at) => sink.i64_load(at),
            Op::Store(at) => sink.i64_store(at),
            Op::Drop => sink.drop(),
            Op::If => sink.i64_const(0).i64_ne().if_(BlockType::Empty),
            Op::Else => sink.else_(),
            Op::Block => sink.block(BlockType::Empty),
            Op::End => sink.end(),
            Op::Break(_) => sink.br(depth.expect("breaks are checked to be inside their blocks") as u32),
            Op::Return => sink.return_(),
            Op::Call(function) => sink.call(first_function + function),
            Op::ReturnCall(function) => sink.return_call(first_function + function),
            Op::CallIndirect(arity) => sink.call_indirect(0, arity),
            Op::ReturnCallIndirect(arity) => sink.return_call_indirect(0, arity),
            Op::Helper(helper) => sink.call(helper_index(helper)),
            Op::Select => sink.i64_const(0).i64_ne().select(),
            Op::ToReal(false) => &mut sink,
            Op::ToReal(true) => sink.f64_reinterpret_i64(),
            Op::Unary(op) => unary(&mut sink, op),
            Op::Binary(op) => binary(&mut sink, op),
        };
    }
}

/// One step of the translation: the instructions that follow the operands
/// already pushed.
#[derive(Clone, Copy)]
enum Op<'a> {
    /// An expression without operands.
    Leaf(&'a Expr),
    LocalSet(u32),
    LocalGet(u32),
    GlobalSet(u32),
    /// Turns a word and an LIR offset into a Wasm address.
    Address(i32),
    /// Turns a code word into a table index.
    Wrap,
    Load(MemArg),
    Store(MemArg),
    Drop,
    /// Opens an `if` on a word.
    If,
    Else,
    Block,
    End,
    Break(Label),
    Return,
    Call(FuncId),
    ReturnCall(FuncId),
    CallIndirect(u32),
    ReturnCallIndirect(u32),
    Helper(Helper),
    /// Picks one of two words by a third.
    Select,
    /// Reads the word as a real, if the operation is on reals.
    ToReal(bool),
    Unary(UnOp),
    Binary(BinOp),
}

fn is_real(op: BinOp) -> bool {
    matches!(op, BinOp::FAdd | BinOp::FSub | BinOp::FMul | BinOp::FDiv | BinOp::FEq | BinOp::FLt | BinOp::FLe)
}

fn unary<'a, 'b>(sink: &'a mut InstructionSink<'b>, op: UnOp) -> &'a mut InstructionSink<'b> {
    match op {
        UnOp::Untag => sink.i64_const(abi::PAYLOAD_MASK as i64).i64_and(),
        UnOp::FNeg => sink.i64_const(i64::MIN).i64_xor(),
        UnOp::FSqrt => sink.f64_reinterpret_i64().f64_sqrt().i64_reinterpret_f64(),
        // A NaN's exponent is all ones and its mantissa non-zero: with the
        // sign cleared it is above the bits of infinity.
        UnOp::FIsNan => {
            sink.i64_const(i64::MAX).i64_and().i64_const(f64::INFINITY.to_bits() as i64).i64_gt_u().i64_extend_i32_u()
        }
        UnOp::FFromInt => sink.f64_convert_i64_s().i64_reinterpret_f64(),
        UnOp::FTrunc => sink.f64_reinterpret_i64().i64_trunc_f64_s(),
    }
}

/// The operation on two operands on the stack (already reals if
/// [`is_real`]).
fn binary<'a, 'b>(sink: &'a mut InstructionSink<'b>, op: BinOp) -> &'a mut InstructionSink<'b> {
    match op {
        BinOp::Add => sink.i64_add(),
        BinOp::Sub => sink.i64_sub(),
        BinOp::Mul => sink.i64_mul(),
        BinOp::DivS => sink.i64_div_s(),
        BinOp::RemS => sink.i64_rem_s(),
        BinOp::And => sink.i64_and(),
        BinOp::Or => sink.i64_or(),
        BinOp::Xor => sink.i64_xor(),
        BinOp::Shl => sink.i64_shl(),
        BinOp::ShrS => sink.i64_shr_s(),
        BinOp::ShrU => sink.i64_shr_u(),
        BinOp::Eq => sink.i64_eq().i64_extend_i32_u(),
        BinOp::Ne => sink.i64_ne().i64_extend_i32_u(),
        BinOp::LtS => sink.i64_lt_s().i64_extend_i32_u(),
        BinOp::LeS => sink.i64_le_s().i64_extend_i32_u(),
        BinOp::LtU => sink.i64_lt_u().i64_extend_i32_u(),
        BinOp::LeU => sink.i64_le_u().i64_extend_i32_u(),
        BinOp::FAdd => sink.f64_add().i64_reinterpret_f64(),
        BinOp::FSub => sink.f64_sub().i64_reinterpret_f64(),
        BinOp::FMul => sink.f64_mul().i64_reinterpret_f64(),
        BinOp::FDiv => sink.f64_div().i64_reinterpret_f64(),
        BinOp::FEq => sink.f64_eq().i64_extend_i32_u(),
        BinOp::FLt => sink.f64_lt().i64_extend_i32_u(),
        BinOp::FLe => sink.f64_le().i64_extend_i32_u(),
    }
}

/// What evaluating an expression does that its order relative to other
/// expressions could reveal.
#[derive(Clone, Copy)]
struct Access {
    /// It reads memory or a VM variable.
    reads: bool,
    /// It calls something, which may write memory or VM variables (or fail).
    writes: bool,
}

impl Access {
    fn of(expr: &Expr) -> Access {
        let mut access = Access { reads: false, writes: false };
        access.add(expr);
        access
    }

    fn add(&mut self, expr: &Expr) {
        match expr {
            Expr::Const(_) | Expr::Var(_) | Expr::Code(_) | Expr::Static(_) | Expr::Cell(_) => {}
            Expr::Vm(_) => self.reads = true,
            Expr::Unary(_, operand) => self.add(operand),
            Expr::Binary(_, left, right) => {
                self.add(left);
                self.add(right);
            }
            Expr::Load(address, _) => {
                self.reads = true;
                self.add(address);
            }
            Expr::Call(_, args) | Expr::Helper(_, args) => {
                self.reads = true;
                self.writes = true;
                args.iter().for_each(|arg| self.add(arg));
            }
            Expr::CallIndirect(code, args) => {
                self.reads = true;
                self.writes = true;
                self.add(code);
                args.iter().for_each(|arg| self.add(arg));
            }
            Expr::Select(condition, then, otherwise) => {
                self.add(condition);
                self.add(then);
                self.add(otherwise);
            }
        }
    }

    /// Whether the two may be evaluated in either order.
    fn commutes(self, other: Access) -> bool {
        !(self.writes && (other.reads || other.writes)) && !(other.writes && self.reads)
    }
}
