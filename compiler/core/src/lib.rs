//! Min's core IR: what the checker lowers a module to. Names are resolved,
//! juxtaposition is split into application and multiplication, numeric
//! operations know their type, patterns are grouped, and every local lives in
//! a numbered slot of its function's frame. The interpreter executes it; the
//! backends will compile it.

use min_diagnostics::Span;

pub mod graph;
pub mod prelude;
mod print;
mod ty;
pub use print::{module_to_string, pattern_to_string};
pub use ty::{Slot, Ty};

/// A checked module, lowered.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Module {
    /// The module's name, which qualifies its globals (`Math.exp`).
    pub name: String,
    /// Its top-level definitions.
    pub globals: Vec<Global>,
    /// The constructors of each data type and record type it declares, in
    /// tag order: what values of its types can be built from.
    pub types: Vec<Vec<Constructor>>,
    /// The specification clauses of its functions, each lowered to a global
    /// of its own outside `globals`: the interpreter checks them under
    /// `minc test` and `minc verify` proves them; the compiled backends never
    /// see them.
    pub specs: Vec<Spec>,
}

/// One specification clause of a function (`spec/verification.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The qualified name of the function it belongs to.
    pub function: String,
    /// Which clause.
    pub kind: SpecKind,
    /// The clause as written (`requires amount ≤ from.balance`).
    pub text: String,
    /// Where the clause is.
    pub span: Span,
    /// The clause as a global (`Module.f#requires0`) taking the function's
    /// parameters, then for `ensures` its result, and returning `Bool`
    /// (`ℕ` for `decreases`).
    pub global: Global,
}

/// The kinds of specification clauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecKind {
    /// `requires P`: holds of the arguments of every call.
    Requires,
    /// `ensures Q`: holds of the arguments and the result of every return.
    Ensures,
    /// `decreases m`: a ℕ measure that every recursive call makes smaller.
    Decreases,
}

impl Spec {
    /// The clause for messages: its first line, with `…` when it goes on.
    pub fn headline(&self) -> String {
        let mut lines = self.text.lines();
        let first = lines.next().unwrap_or_default().trim_end();
        if lines.next().is_some() { format!("{first} …") } else { first.to_string() }
    }
}

impl SpecKind {
    /// The word that starts the clause.
    pub fn keyword(self) -> &'static str {
        match self {
            SpecKind::Requires => "requires",
            SpecKind::Ensures => "ensures",
            SpecKind::Decreases => "decreases",
        }
    }
}

/// A top-level definition: a function of `arity` parameters (zero for a value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    /// Qualified name, `Module.name`.
    pub name: String,
    /// Parameters; they occupy slots `0..arity` of the frame.
    pub arity: u32,
    /// Slots the body's frame needs, parameters included.
    pub frame_size: u32,
    /// The body.
    pub body: Expr,
    /// Where the definition is.
    pub span: Span,
    /// Its type, with `Ty::Var(i)` for its quantified variables.
    pub ty: Ty,
    /// What each slot of the frame holds (may be shorter than the frame
    /// for hand-built IR).
    pub slots: Vec<Slot>,
}

/// Which number type an arithmetic operation works on. `Dyn` appears only
/// inside functions generalized over a numeric class: the operand values
/// decide at run time (an integer literal meeting a real becomes a real).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumKind {
    /// `ℕ`: checked, never below zero.
    Nat,
    /// `ℤ`: checked 128-bit.
    Int,
    /// `ℝ`: IEEE binary64, NaN canonicalised.
    Real,
    /// Decided by the operands at run time.
    Dyn,
    /// Not yet known: the checker's placeholder for the type it will
    /// resolve at the end of the module. Never present in a checked module.
    Pending(u32),
}

/// A literal value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lit {
    /// A natural number.
    Nat(u128),
    /// An integer.
    Int(i128),
    /// A real, as IEEE bits.
    Real(u64),
    /// An integer literal inside a function generic over numbers: an `Int`
    /// value that arithmetic converts to the other operand's type.
    Dyn(i128),
    /// A boolean.
    Bool(bool),
    /// A character.
    Char(char),
    /// A string.
    Str(String),
    /// `()`.
    Unit,
    /// An integer literal whose type the checker has not resolved yet
    /// (magnitude, negative, type index). Never present in a checked module.
    PendingInt(u128, bool, u32),
    /// A character literal that may still become a one-character string
    /// (character, type index). Never present in a checked module.
    PendingChar(char, u32),
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*` and numeric juxtaposition
    Mul,
    /// `/`: integer division truncates toward zero on ℕ and ℤ.
    Div,
    /// `%`: remainder with the sign of the dividend.
    Rem,
}

impl ArithOp {
    /// The operator as written, for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}

/// Comparison operators: structural on every type but functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `≠`
    Ne,
    /// `<`
    Lt,
    /// `≤`
    Le,
    /// `>`
    Gt,
    /// `≥`
    Ge,
}

/// A primitive operation of the built-in module `Prim`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prim {
    /// `Prim.sqrt : ℝ → ℝ`, correctly rounded (and so the same on every machine).
    Sqrt,
    /// `Prim.scale : ℝ → ℤ → ℝ`: `x · 2^k`, exact (like C's ldexp).
    Scale,
    /// `Prim.exponent : ℝ → ℤ`: `k` with `x = m · 2^k`, `1 ≤ |m| < 2`; 0 for 0, NaN and infinities.
    Exponent,
    /// `Prim.floor : ℝ → ℤ`: aborts on NaN, infinities and values out of range.
    Floor,
    /// `Prim.real_of_int : ℤ → ℝ`, rounding to nearest.
    RealOfInt,
    /// `Prim.real_of_nat : ℕ → ℝ`, rounding to nearest.
    RealOfNat,
    /// `Prim.int_of_nat : ℕ → ℤ`: aborts above the largest ℤ.
    IntOfNat,
    /// `Prim.nat_of_int : ℤ → ℕ`: aborts below zero.
    NatOfInt,
    /// `Prim.is_nan : ℝ → Bool`.
    IsNan,
    /// `Prim.infinity : ℝ`.
    Infinity,
    /// `Prim.nan : ℝ`, the canonical NaN.
    Nan,
    /// `Prim.abort : S → a`: stops the program with the message.
    Abort,
    /// `Prim.show : a → S`: the value as Min source.
    Show,
    /// `Prim.length : S → ℕ`: the number of characters.
    Length,
    /// `Prim.chars : S → [Char]`.
    Chars,
    /// `Prim.from_chars : [Char] → S`.
    FromChars,
    /// `Prim.code : Char → ℕ`: the Unicode scalar value.
    Code,
    /// `Prim.from_code : ℕ → Char`: aborts on values that are no character.
    FromCode,
    /// Internal: `call_contract name arguments` runs procedure `name` of
    /// another contract on the tuple of all its arguments, through the
    /// contract runtime (`spec/contracts.md`, "Calls between contracts").
    /// `minc build` makes the body of each such procedure a call of it in
    /// the caller's module; Min code cannot name it.
    CallContract,
}

impl Prim {
    /// Every primitive with its name under `Prim.`.
    pub const ALL: &[(&str, Prim)] = &[
        ("sqrt", Prim::Sqrt),
        ("scale", Prim::Scale),
        ("exponent", Prim::Exponent),
        ("floor", Prim::Floor),
        ("real_of_int", Prim::RealOfInt),
        ("real_of_nat", Prim::RealOfNat),
        ("int_of_nat", Prim::IntOfNat),
        ("nat_of_int", Prim::NatOfInt),
        ("is_nan", Prim::IsNan),
        ("infinity", Prim::Infinity),
        ("nan", Prim::Nan),
        ("abort", Prim::Abort),
        ("show", Prim::Show),
        ("length", Prim::Length),
        ("chars", Prim::Chars),
        ("from_chars", Prim::FromChars),
        ("code", Prim::Code),
        ("from_code", Prim::FromCode),
        ("call_contract", Prim::CallContract),
    ];

    /// The primitive's index in [`Prim::ALL`].
    pub fn index(self) -> usize {
        Prim::ALL.iter().position(|(_, p)| *p == self).expect("every primitive is in Prim::ALL")
    }

    /// The primitive's name under `Prim.`.
    pub fn name(self) -> &'static str {
        Prim::ALL[self.index()].0
    }

    /// How many arguments the primitive takes; zero for constants.
    pub fn arity(self) -> u32 {
        match self {
            Prim::Infinity | Prim::Nan => 0,
            Prim::Scale | Prim::CallContract => 2,
            _ => 1,
        }
    }

    /// Whether Min code may name it (`Prim.sqrt`): every primitive but the
    /// compiler's own.
    pub fn is_public(self) -> bool {
        self != Prim::CallContract
    }
}

/// An expression of the core IR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A literal.
    Lit(Lit),
    /// A slot of the current frame.
    Local(u32),
    /// A top-level definition, by qualified name.
    Global(String),
    /// A primitive, as a function value (or its value, for constants).
    Prim(Prim),
    /// A constructor as a value: applied to `arity` arguments it builds `Data`.
    Constructor(Constructor),
    /// Application of a function to one or more arguments (curried semantics:
    /// extra arguments apply the result, missing ones make a partial application).
    Apply(Box<Expr>, Vec<Expr>, Span),
    /// A closure. Inside `body`, slots `0..params` are the parameters; each
    /// capture `(outer, inner)` copies the enclosing frame's slot `outer` into
    /// the closure, and the body finds it in its own slot `inner`.
    Lambda(Box<Lambda>),
    /// `let slot = value in body`.
    Let(u32, Box<Expr>, Box<Expr>),
    /// Mutually recursive local functions: each lambda is created, stored in
    /// its slot, and may capture the others' slots.
    LetRec(Vec<(u32, Lambda)>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Pattern matching: the first arm whose pattern matches wins.
    Match(Box<Match>),
    /// Checked arithmetic.
    Arith(ArithOp, NumKind, Box<Expr>, Box<Expr>, Span),
    /// Power with a natural exponent: `x ^ n`.
    Pow(NumKind, Box<Expr>, Box<Expr>, Span),
    /// Checked negation.
    Neg(NumKind, Box<Expr>, Span),
    /// Structural comparison.
    Compare(CmpOp, Box<Expr>, Box<Expr>, Span),
    /// Short-circuit `∧`.
    And(Box<Expr>, Box<Expr>),
    /// Short-circuit `∨`.
    Or(Box<Expr>, Box<Expr>),
    /// `¬`.
    Not(Box<Expr>),
    /// `++` on strings or lists.
    Concat(Box<Expr>, Box<Expr>),
    /// `x :: xs`.
    Cons(Box<Expr>, Box<Expr>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `(a, b)`; the empty tuple is unit.
    Tuple(Vec<Expr>),
    /// Field `index` of a record or constructor value (or tuple).
    Field(Box<Expr>, u32),
    /// A copy of a record with fields replaced; the span is the update's.
    Update(Box<Expr>, Vec<(u32, Expr)>, Span),
}

/// A constructor of an algebraic data type or record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Constructor {
    /// The constructor's name as written, `Binary`.
    pub name: String,
    /// Its index among the type's variants.
    pub tag: u32,
    /// How many fields it has.
    pub arity: u32,
    /// Field names, for printing records (empty for positional fields).
    pub fields: Vec<String>,
    /// Whether the type is a record (printed `{x = …}`).
    pub record: bool,
}

/// A function literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lambda {
    /// Number of parameters.
    pub params: u32,
    /// Captured values: (slot in the enclosing frame, slot in the body's frame).
    pub captures: Vec<(u32, u32)>,
    /// Slots the body's frame needs.
    pub frame_size: u32,
    /// The body.
    pub body: Expr,
    /// What each slot of the body's frame holds.
    pub slots: Vec<Slot>,
}

/// A `match` (or a function's rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// The value matched; for a function's rules, a tuple of its parameters.
    pub scrutinee: Expr,
    /// Patterns and results, tried in order.
    pub arms: Vec<(Pattern, Expr)>,
    /// What happens when no arm matches.
    pub otherwise: Otherwise,
    /// Where the match is, for the run-time error.
    pub span: Span,
}

/// What a match does when no arm matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Otherwise {
    /// Abort with `E0414` (the checker proved this unreachable or reported it).
    Abort,
    /// Return the scrutinee unchanged: a `T → T` rewrite leaves alone what no rule rewrites.
    ReturnScrutinee,
}

/// A pattern of the core IR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Matches anything.
    Wildcard,
    /// Matches anything and stores it in a slot.
    Bind(u32),
    /// Matches an equal literal (for reals, bit-equal after canonicalisation).
    Lit(Lit),
    /// Matches a constructor with this tag, then its fields.
    Constructor(u32, Vec<Pattern>),
    /// Matches a tuple component-wise.
    Tuple(Vec<Pattern>),
    /// Matches the empty list.
    Nil,
    /// Matches a non-empty list: head and tail.
    Cons(Box<Pattern>, Box<Pattern>),
}

impl Global {
    /// Replaces every span of the definition by `place(span)`: to move it
    /// in its file, or to put it where it is after it was checked at
    /// another place.
    pub fn map_spans(&mut self, place: &dyn Fn(Span) -> Span) {
        self.span = place(self.span);
        self.body.map_spans(place);
    }
}

impl Expr {
    /// Replaces every span inside the expression by `place(span)`.
    pub fn map_spans(&mut self, place: &dyn Fn(Span) -> Span) {
        match self {
            Expr::Lit(_) | Expr::Local(_) | Expr::Global(_) | Expr::Prim(_) | Expr::Constructor(_) => {}
            Expr::Apply(function, args, span) => {
                *span = place(*span);
                function.map_spans(place);
                args.iter_mut().for_each(|arg| arg.map_spans(place));
            }
            Expr::Lambda(lambda) => lambda.body.map_spans(place),
            Expr::Let(_, value, body) => {
                value.map_spans(place);
                body.map_spans(place);
            }
            Expr::LetRec(bindings, body) => {
                bindings.iter_mut().for_each(|(_, lambda)| lambda.body.map_spans(place));
                body.map_spans(place);
            }
            Expr::If(condition, then, otherwise) => {
                condition.map_spans(place);
                then.map_spans(place);
                otherwise.map_spans(place);
            }
            Expr::Match(matching) => {
                matching.span = place(matching.span);
                matching.scrutinee.map_spans(place);
                matching.arms.iter_mut().for_each(|(_, arm)| arm.map_spans(place));
            }
            Expr::Arith(_, _, a, b, span) | Expr::Pow(_, a, b, span) | Expr::Compare(_, a, b, span) => {
                *span = place(*span);
                a.map_spans(place);
                b.map_spans(place);
            }
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Concat(a, b) | Expr::Cons(a, b) => {
                a.map_spans(place);
                b.map_spans(place);
            }
            Expr::Neg(_, a, span) => {
                *span = place(*span);
                a.map_spans(place);
            }
            Expr::Not(a) | Expr::Field(a, _) => a.map_spans(place),
            Expr::List(items) | Expr::Tuple(items) => items.iter_mut().for_each(|item| item.map_spans(place)),
            Expr::Update(record, updates, span) => {
                *span = place(*span);
                record.map_spans(place);
                updates.iter_mut().for_each(|(_, value)| value.map_spans(place));
            }
        }
    }

    /// The expressions directly inside this one, lambda bodies and match
    /// arms included, in evaluation order where there is one.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Lit(_) | Expr::Local(_) | Expr::Global(_) | Expr::Prim(_) | Expr::Constructor(_) => Vec::new(),
            Expr::Apply(function, args, _) => std::iter::once(&**function).chain(args).collect(),
            Expr::Lambda(lambda) => vec![&lambda.body],
            Expr::Let(_, value, body) => vec![value, body],
            Expr::LetRec(bindings, body) => {
                bindings.iter().map(|(_, lambda)| &lambda.body).chain(std::iter::once(&**body)).collect()
            }
            Expr::If(condition, then, otherwise) => vec![condition, then, otherwise],
            Expr::Match(matching) => {
                std::iter::once(&matching.scrutinee).chain(matching.arms.iter().map(|(_, arm)| arm)).collect()
            }
            Expr::Arith(_, _, a, b, _)
            | Expr::Pow(_, a, b, _)
            | Expr::Compare(_, a, b, _)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Concat(a, b)
            | Expr::Cons(a, b) => vec![a, b],
            Expr::Neg(_, a, _) | Expr::Not(a) | Expr::Field(a, _) => vec![a],
            Expr::List(items) | Expr::Tuple(items) => items.iter().collect(),
            Expr::Update(record, updates, _) => {
                std::iter::once(&**record).chain(updates.iter().map(|(_, value)| value)).collect()
            }
        }
    }
}
