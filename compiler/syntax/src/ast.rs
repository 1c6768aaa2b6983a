//! The syntax tree. Every node has a span; nothing here is resolved or typed.
//! Patterns are kept as written: a constructor and its arguments may still be
//! a flat sequence (`Binary a '&' b`) that name resolution groups by arity.

use crate::token::BinOp;
use min_diagnostics::{FileId, Span};

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    /// The identifier.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// One source file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Module {
    /// The file.
    pub file: FileId,
    /// `import` lines, in order.
    pub imports: Vec<Import>,
    /// Type definitions.
    pub types: Vec<TypeDef>,
    /// Value and function definitions, signatures merged with their equations.
    pub defs: Vec<Def>,
    /// Test declarations (`test "name" … = …`, `spec/testing.md`): checked
    /// with the module, run by `minc test`, never part of what it exports
    /// or compiles.
    pub tests: Vec<Test>,
}

/// `test "name" (x : T) … = body`, or `test "name" aborts "message" = body`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Test {
    /// The test's name, the string after `test`.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// Parameters whose values the runner generates, each `(x : T)`.
    pub params: Vec<(Name, TypeExpr)>,
    /// What the body must do.
    pub expect: TestExpect,
    /// The body.
    pub body: Expr,
    /// The whole declaration.
    pub span: Span,
}

impl Test {
    /// Where the test starts in its file: the first of its spans.
    pub fn start(&self) -> u32 {
        self.span.start.min(self.name_span.start)
    }

    /// The test as a definition named `name`: one clause binding its
    /// parameters to its body, so it is checked and measured like any other.
    pub fn definition(&self, name: Name) -> Def {
        let patterns = self
            .params
            .iter()
            .map(|(name, _)| Pat { kind: PatKind::Var(name.text.clone()), span: name.span })
            .collect();
        let clause = Clause { patterns, body: self.body.clone(), span: self.span, name_span: None };
        Def {
            name,
            signature: None,
            param_names: Vec::new(),
            clauses: vec![clause],
            rules: false,
            procedure: false,
            doc: String::new(),
            specs: Vec::new(),
            span: self.span,
        }
    }
}

/// What a test's body must do to pass.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TestExpect {
    /// Evaluate to `true`.
    True,
    /// Abort (`Prim.abort`), with this message if one is given.
    Aborts(Option<String>),
}

/// `import M`, `import M (a, b)` or `import M (..)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Import {
    /// The module imported.
    pub module: Name,
    /// Which names become usable unqualified.
    pub names: ImportNames,
    /// The whole line.
    pub span: Span,
}

/// What an import brings into unqualified scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ImportNames {
    /// Nothing: names are used qualified, `M.name`.
    Qualified,
    /// `(..)`: every name.
    All,
    /// `(a, b, T)`.
    Some(Vec<Name>),
}

/// A type definition: an algebraic data type or a record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeDef {
    /// `asset`, `object`, or neither.
    pub kind: TypeKind,
    /// The type's name.
    pub name: Name,
    /// Type parameters, `a` in `Option a`.
    pub params: Vec<Name>,
    /// Variants or fields.
    pub body: TypeBody,
    /// Its `invariant` clauses, on indented lines under a record's fields
    /// or under a variant (`spec/verification.md`).
    pub invariants: Vec<Invariant>,
    /// The doc comment lines written just above, without `#`.
    pub doc: String,
    /// The whole definition.
    pub span: Span,
}

impl TypeDef {
    /// Where the type definition starts in its file: the first of its spans.
    pub fn start(&self) -> u32 {
        self.span.start.min(self.name.span.start)
    }
}

/// What a type declaration says its values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TypeKind {
    /// Plain data.
    #[default]
    Data,
    /// `asset`: linear, and only its own module builds or takes apart its values.
    Asset,
    /// `object`: state on the chain owned by its module's contract; linear
    /// and owned like an asset.
    Object,
    /// `event`: plain (not linear) data that only its own module builds or
    /// takes apart; a procedure's events are logged by the chain.
    Event,
}

impl TypeKind {
    /// Whether only the declaring module builds its values or takes them apart.
    pub fn owned(self) -> bool {
        self != TypeKind::Data
    }

    /// Whether its values are linear: used exactly once on every path.
    pub fn linear(self) -> bool {
        matches!(self, TypeKind::Asset | TypeKind::Object)
    }

    /// The keyword that declares it (empty for plain data).
    pub fn keyword(self) -> &'static str {
        match self {
            TypeKind::Data => "",
            TypeKind::Asset => "asset",
            TypeKind::Object => "object",
            TypeKind::Event => "event",
        }
    }

    /// How messages call a value of such a type: "an asset", "an object".
    pub fn noun(self) -> &'static str {
        match self {
            TypeKind::Data => "a value",
            TypeKind::Asset => "an asset",
            TypeKind::Object => "an object",
            TypeKind::Event => "an event",
        }
    }
}

/// What a type definition defines.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeBody {
    /// `Tag` and its variants.
    Variants(Vec<Variant>),
    /// `Record` and its fields: one constructor named like the type.
    Record(Vec<Field>),
}

/// One variant of an algebraic data type: a constructor and its fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// The constructor.
    pub name: Name,
    /// Its fields, named (`fun:Term`) or positional (`Term`).
    pub fields: Vec<Field>,
    /// The whole variant.
    pub span: Span,
}

/// A field of a variant or record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field's name, if it has one.
    pub name: Option<Name>,
    /// Its type.
    pub ty: TypeExpr,
    /// `{owner}` after the type: the field naming the principal whose
    /// authority a transaction needs to influence this field
    /// (`spec/security.md`).
    pub authority: Option<Name>,
}

/// A type as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeExpr {
    /// What kind of type.
    pub kind: TypeExprKind,
    /// Where.
    pub span: Span,
}

/// The kinds of written types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeExprKind {
    /// `ℝ`, `Option a`, `M.T a`: a named type applied to arguments.
    Named(Vec<Name>, Vec<TypeExpr>),
    /// A type variable, `a`.
    Var(Name),
    /// `A → B`.
    Function(Box<TypeExpr>, Box<TypeExpr>),
    /// `[A]`.
    List(Box<TypeExpr>),
    /// `(A, B)`; the empty tuple is the unit type.
    Tuple(Vec<TypeExpr>),
    /// A type that did not parse.
    Error,
}

/// A value or function definition: an optional signature and its clauses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Def {
    /// The name defined.
    pub name: Name,
    /// The declared type, `name : T`.
    pub signature: Option<TypeExpr>,
    /// Names of the parameters when they were declared one per line.
    pub param_names: Vec<Name>,
    /// The equations or rules, in order. A value has one clause with no patterns.
    pub clauses: Vec<Clause>,
    /// Whether the clauses are rewrite rules (`pattern → result`) rather than equations.
    pub rules: bool,
    /// Whether it is marked `procedure`: an entry point of a contract that
    /// transactions call.
    pub procedure: bool,
    /// The doc comment lines written just above, without `#`.
    pub doc: String,
    /// The specification clauses written under the signature
    /// (`requires`, `ensures`, `decreases`; `spec/verification.md`).
    pub specs: Vec<Spec>,
    /// The whole definition.
    pub span: Span,
}

impl Def {
    /// Where the definition starts in its file: the first of its spans.
    pub fn start(&self) -> u32 {
        self.span.start.min(self.name.span.start)
    }
}

/// One specification clause of a definition, written on its own indented
/// line under the signature: `requires P`, `ensures Q` or `decreases m`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    /// Which clause.
    pub kind: SpecKind,
    /// The clause's expression, with `old e` already read as `e`.
    pub expr: Expr,
    /// The clause as written (`requires amount ≤ from.balance`), for messages.
    pub text: String,
    /// The whole clause.
    pub span: Span,
}

/// `invariant P` under a record type: `P`, over the record's field names,
/// holds of every value of the type a function receives or returns. Under
/// a variant of a data type, over the variant's field names, it holds of
/// every such value made by that variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Invariant {
    /// The condition.
    pub expr: Expr,
    /// The clause as written, for messages.
    pub text: String,
    /// The whole clause.
    pub span: Span,
    /// The index of the variant it is written under, `None` for a record's.
    pub variant: Option<u32>,
}

/// The kinds of specification clauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecKind {
    /// `requires P`: holds when the function is called.
    Requires,
    /// `ensures Q`: holds of the result (`result`) when it returns.
    Ensures,
    /// `decreases m`: a ℕ measure that every recursive call makes smaller.
    Decreases,
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

    /// The clause kind a word starts, if it starts one.
    pub fn from_keyword(word: &str) -> Option<SpecKind> {
        [SpecKind::Requires, SpecKind::Ensures, SpecKind::Decreases].into_iter().find(|kind| kind.keyword() == word)
    }
}

/// The name an `ensures` clause gives the function's result.
pub const RESULT_NAME: &str = "result";

/// The word that marks a value on entry in a clause: `old e` is `e`.
pub const OLD_NAME: &str = "old";

/// One equation or rule: patterns for the parameters and the result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Clause {
    /// Patterns; for rules, a flat sequence to be grouped by constructor arity.
    pub patterns: Vec<Pat>,
    /// The result.
    pub body: Expr,
    /// The whole clause.
    pub span: Span,
    /// The function's name as written at the start of an equation.
    pub name_span: Option<Span>,
}

/// A pattern as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pat {
    /// What kind of pattern.
    pub kind: PatKind,
    /// Where.
    pub span: Span,
}

/// The kinds of patterns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PatKind {
    /// `_`
    Wildcard,
    /// A variable, bound to the matched value.
    Var(String),
    /// A constructor name (possibly qualified) with no arguments yet.
    Constructor(Vec<Name>),
    /// A sequence written side by side: a constructor followed by its arguments.
    Sequence(Vec<Pat>),
    /// A literal.
    Literal(Literal),
    /// `(p, q)`; the empty tuple is unit.
    Tuple(Vec<Pat>),
    /// `[p, q]`.
    List(Vec<Pat>),
    /// `p :: ps`.
    Cons(Box<Pat>, Box<Pat>),
    /// `{x = p, y}`.
    Record(Vec<(Name, Pat)>),
    /// `(p : T)`.
    Annotated(Box<Pat>, Box<TypeExpr>),
    /// A pattern that did not parse.
    Error,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Literal {
    /// An integer: its magnitude and whether it is negative.
    Int(u128, bool),
    /// A real, as IEEE bits.
    Real(u64),
    /// A string.
    Str(String),
    /// A character (usable as a one-character string).
    Char(char),
    /// `true` or `false`.
    Bool(bool),
}

/// An expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `¬x`
    Not,
    /// `√x`
    Sqrt,
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExprKind {
    /// A name, possibly qualified: `x`, `Some`, `Normal.cdf`.
    Path(Vec<Name>),
    /// An integer literal (unsigned as written).
    Int(u128),
    /// A real literal, as IEEE bits.
    Real(u64),
    /// A string literal.
    Str(String),
    /// A character literal.
    Char(char),
    /// `true` or `false`.
    Bool(bool),
    /// `_`, only meaningful where a pattern is expected.
    Wildcard,
    /// Items written side by side: application or multiplication, decided by types.
    Juxtaposition(Vec<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `op a`.
    Unary(UnOp, Box<Expr>),
    /// `e.field`.
    Field(Box<Expr>, Name),
    /// `(a, b)`; `()` is unit.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{x = a, y = b}`.
    Record(Vec<(Name, Expr)>),
    /// `{r | x = a}`.
    Update(Box<Expr>, Vec<(Name, Expr)>),
    /// `(e : T)`.
    Annotated(Box<Expr>, Box<TypeExpr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `λp q → body`.
    Lambda(Vec<Pat>, Box<Expr>),
    /// `let` bindings (or a block's `let` lines) and the body that sees them.
    Let(Vec<Def>, Box<Expr>),
    /// `match e` and its rules.
    Match(Box<Expr>, Vec<Clause>),
    /// `e @ bindings`: where-bindings, in any order.
    Where(Box<Expr>, Vec<Def>),
    /// An expression that did not parse.
    Error,
}

impl Expr {
    /// An expression of `kind` at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The expressions directly inside this one, in source order, including
    /// the bodies of local definitions and of `match` rules.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Juxtaposition(items) | ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().collect(),
            ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::Unary(_, a) | ExprKind::Field(a, _) | ExprKind::Annotated(a, _) | ExprKind::Lambda(_, a) => {
                vec![a]
            }
            ExprKind::If(c, a, b) => vec![c, a, b],
            ExprKind::Record(fields) => fields.iter().map(|(_, e)| e).collect(),
            ExprKind::Update(base, fields) => std::iter::once(&**base).chain(fields.iter().map(|(_, e)| e)).collect(),
            ExprKind::Let(defs, body) | ExprKind::Where(body, defs) => defs
                .iter()
                .flat_map(|def| def.clauses.iter().map(|clause| &clause.body))
                .chain(std::iter::once(&**body))
                .collect(),
            ExprKind::Match(scrutinee, clauses) => {
                std::iter::once(&**scrutinee).chain(clauses.iter().map(|clause| &clause.body)).collect()
            }
            ExprKind::Path(_)
            | ExprKind::Int(_)
            | ExprKind::Real(_)
            | ExprKind::Str(_)
            | ExprKind::Char(_)
            | ExprKind::Bool(_)
            | ExprKind::Wildcard
            | ExprKind::Error => Vec::new(),
        }
    }
}

#[cfg(test)]
mod size_tests {
    /// The parser moves these values around constantly; keep them small.
    #[test]
    fn syntax_nodes_stay_small() {
        assert!(std::mem::size_of::<super::Expr>() <= 64, "{}", std::mem::size_of::<super::Expr>());
        assert!(std::mem::size_of::<super::Pat>() <= 64, "{}", std::mem::size_of::<super::Pat>());
    }
}
