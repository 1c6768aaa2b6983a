//! Tokens: what the lexer produces and the grammar consumes.

use std::fmt;

/// Binary operators, grouped into precedence levels by [`Prec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `∨`, `||`
    Or,
    /// `∧`, `&&`
    And,
    /// `==`
    Eq,
    /// `≠`, `!=`
    Ne,
    /// `<`
    Lt,
    /// `≤`, `<=`
    Le,
    /// `>`
    Gt,
    /// `≥`, `>=`
    Ge,
    /// `::`
    Cons,
    /// `++`
    Concat,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`, `×`
    Mul,
    /// `/`, `÷`
    Div,
    /// `%`
    Rem,
    /// `^`, and the superscripts `²` `³`
    Pow,
}

impl BinOp {
    /// The precedence level of the operator.
    pub fn prec(self) -> Prec {
        match self {
            BinOp::Or => Prec::Or,
            BinOp::And => Prec::And,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Prec::Cmp,
            BinOp::Cons | BinOp::Concat => Prec::Cons,
            BinOp::Add | BinOp::Sub => Prec::Add,
            BinOp::Mul | BinOp::Div | BinOp::Rem => Prec::Mul,
            BinOp::Pow => Prec::Pow,
        }
    }

    /// The operator as written in the canonical (Unicode) spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "∨",
            BinOp::And => "∧",
            BinOp::Eq => "==",
            BinOp::Ne => "≠",
            BinOp::Lt => "<",
            BinOp::Le => "≤",
            BinOp::Gt => ">",
            BinOp::Ge => "≥",
            BinOp::Cons => "::",
            BinOp::Concat => "++",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Pow => "^",
        }
    }
}

/// Precedence levels of binary operators, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prec {
    /// `∨`
    Or,
    /// `∧`
    And,
    /// comparisons
    Cmp,
    /// `::` and `++`
    Cons,
    /// `+` and `-`
    Add,
    /// `*`, `/` and `%`
    Mul,
    /// `^`
    Pow,
}

/// A token. Binary operators carry whether they were written tight (no space
/// on either side), which decides whether they bind tighter or looser than
/// juxtaposition.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A value name: starts with a lowercase or Greek letter or `_`.
    Lower(String),
    /// A type, constructor or module name: starts with an uppercase letter.
    Upper(String),
    /// An integer literal.
    Int(u128),
    /// A real literal, as IEEE bits.
    Real(u64),
    /// A string literal, escapes resolved.
    Str(String),
    /// A character literal.
    Char(char),
    /// A binary operator with its level and whether it was written tight.
    Op(Prec, bool, BinOp),
    /// `-` used as a prefix.
    Neg,
    /// `√`
    Sqrt,
    /// `¬` or `!`
    Not,
    /// `²` or `³`: a power written as a superscript.
    Sup(u8),
    /// `^`
    Caret,
    /// `→` or `->`
    Arrow,
    /// `=`
    Equals,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `|`
    Bar,
    /// `@`
    At,
    /// `λ` or `\`
    Lambda,
    /// `_`
    Underscore,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `import`
    Import,
    /// `asset`: declares a linear type.
    Asset,
    /// `object`: declares a type of contract state.
    Object,
    /// `event`: declares a type of values a contract logs on the chain.
    Event,
    /// `procedure`: marks a definition a transaction can call.
    Procedure,
    /// `let`
    Let,
    /// `in`
    In,
    /// `if`
    If,
    /// `then`
    Then,
    /// `else`
    Else,
    /// `match`
    Match,
    /// `Tag`: introduces the variants of an algebraic data type.
    Tag,
    /// `Record`: introduces the fields of a record type.
    Record,
    /// `true`
    True,
    /// `false`
    False,
    /// Layout: a deeper-indented line opens a block.
    Indent,
    /// Layout: a shallower line closes a block.
    Dedent,
    /// Layout: a new line at the same indentation.
    Newline,
}

impl Tok {
    /// Whether a token can end an operand, so that a `-` after it is binary.
    pub fn ends_operand(&self) -> bool {
        matches!(
            self,
            Tok::Lower(_)
                | Tok::Upper(_)
                | Tok::Int(_)
                | Tok::Real(_)
                | Tok::Str(_)
                | Tok::Char(_)
                | Tok::Sup(_)
                | Tok::Underscore
                | Tok::RParen
                | Tok::RBracket
                | Tok::RBrace
                | Tok::True
                | Tok::False
        )
    }

    /// Whether a line ending with this token continues on the next line
    /// (a binary operator, a comma or an opening bracket).
    pub fn continues_line(&self) -> bool {
        matches!(self, Tok::Op(..) | Tok::Caret | Tok::Comma | Tok::LParen | Tok::LBracket | Tok::LBrace)
    }

    /// Whether a line starting with this token continues the previous one.
    pub fn continues_previous_line(&self) -> bool {
        matches!(self, Tok::Then | Tok::Else | Tok::Op(..) | Tok::Caret | Tok::Bar)
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: &str = match self {
            Tok::Lower(name) | Tok::Upper(name) => return write!(f, "`{name}`"),
            Tok::Int(value) => return write!(f, "`{value}`"),
            Tok::Real(bits) => return write!(f, "`{}`", f64::from_bits(*bits)),
            Tok::Str(_) => "a string",
            Tok::Char(_) => "a character",
            Tok::Op(_, _, op) => return write!(f, "`{}`", op.symbol()),
            Tok::Neg => "`-`",
            Tok::Sqrt => "`√`",
            Tok::Not => "`¬`",
            Tok::Sup(2) => "`²`",
            Tok::Sup(_) => "`³`",
            Tok::Caret => "`^`",
            Tok::Arrow => "`→`",
            Tok::Equals => "`=`",
            Tok::Colon => "`:`",
            Tok::Comma => "`,`",
            Tok::Dot => "`.`",
            Tok::DotDot => "`..`",
            Tok::Bar => "`|`",
            Tok::At => "`@`",
            Tok::Lambda => "`λ`",
            Tok::Underscore => "`_`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::Import => "`import`",
            Tok::Asset => "`asset`",
            Tok::Object => "`object`",
            Tok::Event => "`event`",
            Tok::Procedure => "`procedure`",
            Tok::Let => "`let`",
            Tok::In => "`in`",
            Tok::If => "`if`",
            Tok::Then => "`then`",
            Tok::Else => "`else`",
            Tok::Match => "`match`",
            Tok::Tag => "`Tag`",
            Tok::Record => "`Record`",
            Tok::True => "`true`",
            Tok::False => "`false`",
            Tok::Indent => "an indented block",
            Tok::Dedent => "the end of a block",
            Tok::Newline => "a new line",
        };
        f.write_str(text)
    }
}
