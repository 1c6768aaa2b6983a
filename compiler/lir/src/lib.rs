//! Min's low-level IR (LIR): the program as the JIT and Wasm backends see it.
//!
//! Everything the core IR leaves implicit is explicit here: every value is a
//! 64-bit word ([`abi`]), every allocation names its region, closures are
//! objects with a code word, pattern matching is tests and branches, and
//! anything too large to inline is a call of a run-time [`Helper`]. Control
//! flow is structured (blocks, breaks, `if`), so that it maps onto Wasm as
//! directly as onto Cranelift.
//!
//! The lowering from the core IR lives in [`lower`]; the region analysis it
//! uses in [`regions`]. [`print`] writes a program readably.

#![warn(missing_docs)]

pub mod abi;
mod depth;
pub mod host;
pub mod lower;
mod print;
pub mod regions;
mod semantics;

pub use depth::depth_bound;
pub use print::program_to_string;

use min_core::Constructor;
use min_diagnostics::Span;

/// A variable of a function: parameters first, then locals.
pub type Var = u32;
/// A function, by index in [`Program::functions`].
pub type FuncId = u32;
/// A static object, by index in [`Program::statics`].
pub type StaticId = u32;
/// A mutable one-word cell (the value of a zero-argument global), by index.
pub type CellId = u32;
/// A block label, unique within its function.
pub type Label = u32;

/// A whole program: the modules a run or a build needs, lowered together.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Every function, entry points and internal ones.
    pub functions: Vec<Function>,
    /// Immutable objects laid out before the program runs: string and big
    /// number literals, the closures of globals used as values.
    pub statics: Vec<Static>,
    /// How many cells the program has; each starts as [`abi::CELL_EMPTY`].
    pub cells: u32,
    /// Constructors by id: what a `Data` header or an atom refers to.
    pub constructors: Vec<Constructor>,
    /// Spans by index, for the faults helpers report.
    pub spans: Vec<Span>,
    /// Names by index, for traces and cycle errors.
    pub names: Vec<String>,
    /// The globals callable from outside, by qualified name.
    pub exports: Vec<Export>,
}

/// An entry point: a global of the source program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// Qualified name, `Main.f`.
    pub name: String,
    /// Its function: parameters `dest`, `scratch`, then `arity` arguments.
    pub function: FuncId,
    /// How many arguments it takes (zero for a value).
    pub arity: u32,
}

/// A function. Every parameter, variable and result is a 64-bit word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// A readable name, unique in the program (`Main.f`, `Main.f.λ1`).
    pub name: String,
    /// Number of parameters; they are variables `0..params`.
    pub params: u32,
    /// Number of variables, parameters included. All start at zero.
    pub vars: u32,
    /// The body. Every path ends in a [`Stmt::Return`] or a tail call.
    pub body: Vec<Stmt>,
}

/// A statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `var = expr`.
    Set(Var, Expr),
    /// Stores a word at `address + offset` (address untagged).
    Store(Expr, i32, Expr),
    /// Sets a VM variable.
    SetVm(VmVar, Expr),
    /// Evaluates an expression for its effect and drops the result.
    Drop(Expr),
    /// Runs the first branch if the condition is non-zero, else the second.
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// A block that [`Stmt::Break`] with its label leaves.
    Block(Label, Vec<Stmt>),
    /// Leaves the enclosing block with this label.
    Break(Label),
    /// Returns from the function.
    Return(Expr),
    /// Calls a function as the last thing this one does, in constant stack.
    TailCall(FuncId, Vec<Expr>),
    /// Calls a code word (of as many parameters as arguments) in tail position.
    TailCallIndirect(Expr, Vec<Expr>),
}

/// An expression: a word. Operands are evaluated left to right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A constant word.
    Const(u64),
    /// A variable.
    Var(Var),
    /// A VM variable.
    Vm(VmVar),
    /// A unary operation.
    Unary(UnOp, Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// The word at `address + offset` (address untagged).
    Load(Box<Expr>, i32),
    /// A direct call.
    Call(FuncId, Vec<Expr>),
    /// A call of a code word, with as many parameters as arguments.
    CallIndirect(Box<Expr>, Vec<Expr>),
    /// A call of the run-time library.
    Helper(Helper, Vec<Expr>),
    /// The code word of a function, as a closure stores it.
    Code(FuncId),
    /// The tagged word of a static object.
    Static(StaticId),
    /// The (untagged) address of a cell.
    Cell(CellId),
    /// `if c ≠ 0 then a else b`; both are evaluated.
    Select(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// Variables of the virtual machine, kept by the backend (JIT context
/// fields, Wasm globals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VmVar {
    /// Calls now nested.
    Depth,
    /// How deep calls may nest.
    DepthLimit,
    /// Address of the next free region descriptor on the region stack.
    RegionTop,
    /// Address of the static region's descriptor.
    StaticRegion,
}

/// Unary operations on words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// The address in a heap object's word: the low 48 bits.
    Untag,
    /// Real negation (flips the sign bit).
    FNeg,
    /// Real square root, correctly rounded.
    FSqrt,
    /// 1 if the real is a NaN, else 0.
    FIsNan,
    /// The real nearest to the word read as a signed integer.
    FFromInt,
    /// The real truncated toward zero to a signed integer (the real is
    /// never a NaN and its integer part always fits in 64 bits).
    FTrunc,
}

/// Binary operations on words. Comparisons give 0 or 1; `F`-operations read
/// their operands as IEEE binary64 and NaN results are not canonicalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// Wrapping addition.
    Add,
    /// Wrapping subtraction.
    Sub,
    /// Wrapping multiplication.
    Mul,
    /// Signed division, truncating (the divisor is never 0 nor the pair `MIN / -1`).
    DivS,
    /// Signed remainder, with the dividend's sign (same preconditions).
    RemS,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise exclusive or.
    Xor,
    /// Shift left (by the right operand mod 64).
    Shl,
    /// Arithmetic shift right.
    ShrS,
    /// Logical shift right.
    ShrU,
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Signed less than.
    LtS,
    /// Signed less than or equal.
    LeS,
    /// Unsigned less than.
    LtU,
    /// Unsigned less than or equal.
    LeU,
    /// Real addition.
    FAdd,
    /// Real subtraction.
    FSub,
    /// Real multiplication.
    FMul,
    /// Real division.
    FDiv,
    /// Real equality (false with a NaN).
    FEq,
    /// Real less than (false with a NaN).
    FLt,
    /// Real less than or equal (false with a NaN).
    FLe,
}

/// The run-time library's entry points. Every argument and result is a
/// word; "region" arguments are descriptor addresses, "span" arguments
/// indexes into [`Program::spans`] (or [`abi::NO_SPAN`]), "name" arguments
/// indexes into [`Program::names`]. A helper that fails records the fault
/// and returns [`abi::FAIL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Helper {
    /// `(region, bytes) → address`: makes room in a region whose current
    /// chunk is full and returns the (untagged, 8-aligned) address of `bytes`
    /// fresh bytes, advancing the region's cursor past them.
    RegionGrow,
    /// `(region) → 0`: gives every chunk of the region back.
    RegionRelease,
    /// `(operation, a, b, region, span) → number`: checked arithmetic,
    /// operation = [`arith_operation`]; a big result is built in `region`.
    Arith,
    /// `(kind, base, exponent, region, span) → number`, kind = [`num_kind_code`].
    Pow,
    /// `(kind, a, region, span) → number`.
    Neg,
    /// `(operation, a, b, span) → bool`: structural comparison, operation = [`cmp_code`].
    Compare,
    /// `(a, b, region) → a ++ b` on strings or lists.
    Concat,
    /// `(primitive, a, region, span) → result` for a primitive of one
    /// argument, primitive = its index in [`min_core::Prim::ALL`].
    Prim1,
    /// `(primitive, a, b, region, span) → result` for a primitive of two arguments.
    Prim2,
    /// `(scrutinee, span) → FAIL`: no arm matched (`E0414`).
    MatchFailure,
    /// `() → FAIL`: calls nested past the depth limit (`E0413`).
    DepthExceeded,
    /// `(name) → FAIL`: a zero-argument global needed its own value (`E0207`).
    CellCycle,
    /// `(name, span) → FAIL`: a fault passed out of a call, at `span`, of
    /// the named function: adds the name to the fault's trace and gives the
    /// fault the span if it has none (like the interpreter's `at`). Either
    /// may be absent ([`abi::NO_NAME`], [`abi::NO_SPAN`]).
    Unwind,
}

impl Helper {
    /// Every helper, in the order of their indexes.
    pub const ALL: [Helper; 13] = [
        Helper::RegionGrow,
        Helper::RegionRelease,
        Helper::Arith,
        Helper::Pow,
        Helper::Neg,
        Helper::Compare,
        Helper::Concat,
        Helper::Prim1,
        Helper::Prim2,
        Helper::MatchFailure,
        Helper::DepthExceeded,
        Helper::CellCycle,
        Helper::Unwind,
    ];

    /// How many words the helper takes.
    pub const fn arity(self) -> usize {
        match self {
            Helper::DepthExceeded => 0,
            Helper::RegionRelease | Helper::CellCycle => 1,
            Helper::RegionGrow | Helper::MatchFailure | Helper::Unwind => 2,
            Helper::Concat => 3,
            Helper::Neg | Helper::Compare | Helper::Prim1 => 4,
            Helper::Arith | Helper::Pow | Helper::Prim2 => 5,
        }
    }

    /// The helper's name, as a Wasm import or a JIT symbol (`min_arith`).
    pub const fn name(self) -> &'static str {
        match self {
            Helper::RegionGrow => "region_grow",
            Helper::RegionRelease => "region_release",
            Helper::Arith => "arith",
            Helper::Pow => "pow",
            Helper::Neg => "neg",
            Helper::Compare => "compare",
            Helper::Concat => "concat",
            Helper::Prim1 => "prim1",
            Helper::Prim2 => "prim2",
            Helper::MatchFailure => "match_failure",
            Helper::DepthExceeded => "depth_exceeded",
            Helper::CellCycle => "cell_cycle",
            Helper::Unwind => "unwind",
        }
    }
}

/// The code of a number type in helper arguments: 0 ℕ, 1 ℤ, 2 ℝ, 3 decided
/// by the operands.
pub fn num_kind_code(kind: min_core::NumKind) -> u64 {
    match kind {
        min_core::NumKind::Nat => 0,
        min_core::NumKind::Int => 1,
        min_core::NumKind::Real => 2,
        min_core::NumKind::Dyn | min_core::NumKind::Pending(_) => 3,
    }
}

/// The number type of a helper's kind code.
pub fn num_kind_of_code(code: u64) -> min_core::NumKind {
    match code {
        0 => min_core::NumKind::Nat,
        1 => min_core::NumKind::Int,
        2 => min_core::NumKind::Real,
        _ => min_core::NumKind::Dyn,
    }
}

/// The operation argument of [`Helper::Arith`]: the operator in the low
/// byte, the number kind code in the next.
pub fn arith_operation(op: min_core::ArithOp, kind: min_core::NumKind) -> u64 {
    let op = match op {
        min_core::ArithOp::Add => 0,
        min_core::ArithOp::Sub => 1,
        min_core::ArithOp::Mul => 2,
        min_core::ArithOp::Div => 3,
        min_core::ArithOp::Rem => 4,
    };
    op | num_kind_code(kind) << 8
}

/// The operator and number type of an [`arith_operation`] argument.
pub fn arith_operation_parts(operation: u64) -> (min_core::ArithOp, min_core::NumKind) {
    let op = match operation & 0xFF {
        0 => min_core::ArithOp::Add,
        1 => min_core::ArithOp::Sub,
        2 => min_core::ArithOp::Mul,
        3 => min_core::ArithOp::Div,
        _ => min_core::ArithOp::Rem,
    };
    (op, num_kind_of_code(operation >> 8))
}

/// The operation argument of [`Helper::Compare`].
pub fn cmp_code(op: min_core::CmpOp) -> u64 {
    match op {
        min_core::CmpOp::Eq => 0,
        min_core::CmpOp::Ne => 1,
        min_core::CmpOp::Lt => 2,
        min_core::CmpOp::Le => 3,
        min_core::CmpOp::Gt => 4,
        min_core::CmpOp::Ge => 5,
    }
}

/// The comparison of a [`cmp_code`].
pub fn cmp_of_code(code: u64) -> min_core::CmpOp {
    match code {
        0 => min_core::CmpOp::Eq,
        1 => min_core::CmpOp::Ne,
        2 => min_core::CmpOp::Lt,
        3 => min_core::CmpOp::Le,
        4 => min_core::CmpOp::Gt,
        _ => min_core::CmpOp::Ge,
    }
}

/// An immutable object laid out before the program runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Static {
    /// Its words, header first.
    pub words: Vec<StaticWord>,
}

/// One word of a static object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticWord {
    /// A word as it is.
    Raw(u64),
    /// The code word of a function.
    Code(FuncId),
    /// The tagged word of another static object.
    Object(StaticId),
}

impl Static {
    /// A string object.
    pub fn string(text: &str) -> Static {
        Static { words: abi::string_words(text).into_iter().map(StaticWord::Raw).collect() }
    }

    /// A big natural or integer: low and high 64 bits.
    pub fn big(kind: abi::Kind, bits: u128) -> Static {
        Static {
            words: vec![
                StaticWord::Raw(abi::header(kind, 0, 0)),
                StaticWord::Raw(bits as u64),
                StaticWord::Raw((bits >> 64) as u64),
            ],
        }
    }
}

impl Program {
    /// The export of a qualified name.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|export| export.name == name)
    }

    /// The largest number of parameters of any function: backends size
    /// their signatures by it.
    pub fn max_params(&self) -> u32 {
        self.functions.iter().map(|function| function.params).max().unwrap_or(0)
    }
}
