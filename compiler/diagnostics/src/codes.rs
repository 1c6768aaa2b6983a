//! The registry of error codes. Each code has a title and a long explanation
//! (in `explain/`, one Markdown file per code) printed by `minc explain`.

use crate::Severity;

/// An error code such as `E0201`: an index into [`ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(u16);

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.info().name)
    }
}

/// What is known about one code.
#[derive(Debug)]
pub struct CodeInfo {
    /// The code as users write it, `E0201`.
    pub name: &'static str,
    /// Whether diagnostics with this code reject the program.
    pub severity: Severity,
    /// A short title.
    pub title: &'static str,
    /// The long form, Markdown.
    pub explanation: &'static str,
}

impl Code {
    /// The registry entry of this code.
    pub fn info(self) -> &'static CodeInfo {
        &ALL[self.0 as usize]
    }

    /// Looks a code up by its name, case-insensitively (`e0201` works).
    pub fn from_name(name: &str) -> Option<Code> {
        ALL.iter().position(|info| info.name.eq_ignore_ascii_case(name)).map(|i| Code(i as u16))
    }

    /// Every registered code, in order.
    pub fn all() -> impl Iterator<Item = Code> {
        (0..ALL.len()).map(|i| Code(i as u16))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.info().name)
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident $severity:ident $title:literal;)*) => {
        codes!(@consts 0u16, $($(#[$doc])* $name,)*);
        /// Every code's registry entry, indexed by [`Code`].
        pub static ALL: &[CodeInfo] = &[$(CodeInfo {
            name: stringify!($name),
            severity: Severity::$severity,
            title: $title,
            explanation: include_str!(concat!("../explain/", stringify!($name), ".md")),
        },)*];
    };
    (@consts $index:expr, $(#[$doc:meta])* $name:ident, $($rest:tt)*) => {
        $(#[$doc])*
        pub const $name: Code = Code($index);
        codes!(@consts $index + 1, $($rest)*);
    };
    (@consts $index:expr,) => {};
}

codes! {
    /// A character that starts no token.
    E0001 Error "unexpected character";
    /// A string or character literal without its closing quote.
    E0002 Error "unterminated literal";
    /// A line dedented to a column that matches no enclosing block.
    E0003 Error "inconsistent indentation";
    /// A tab character in indentation.
    E0004 Error "tab in indentation";
    /// A number literal that is malformed or too large.
    E0005 Error "invalid number literal";
    /// An unknown escape sequence in a string or character literal.
    E0006 Error "invalid escape sequence";
    /// A token the grammar does not allow here.
    E0010 Error "unexpected token";
    /// The file ended in the middle of a construct.
    E0011 Error "unexpected end of file";
    /// An expression written where a pattern is expected.
    E0012 Error "invalid pattern";
    /// Nesting deeper than the compiler's limit.
    E0013 Error "nesting too deep";
    /// A line that is no item: not a type, signature, definition or import.
    E0014 Error "malformed item";
    /// A name that is not defined.
    E0101 Error "unknown name";
    /// A type name that is not defined.
    E0102 Error "unknown type";
    /// A module that cannot be found.
    E0103 Error "unknown module";
    /// Two definitions with one name in one scope.
    E0104 Error "duplicate definition";
    /// A constructor in a pattern with too few sub-patterns.
    E0105 Error "constructor pattern arity";
    /// A field that the record type does not have.
    E0106 Error "unknown field";
    /// A record literal that misses fields or repeats one.
    E0107 Error "missing or repeated field";
    /// A signature with no definition beside it.
    E0108 Error "signature without definition";
    /// Modules that import each other.
    E0109 Error "import cycle";
    /// One variable bound twice in one pattern.
    E0110 Error "variable bound twice";
    /// A `test` declaration whose parameters are not `(name : Type)`.
    E0111 Error "malformed test";
    /// A specification clause that is not `requires`, `ensures` or `decreases`, or that cannot be checked.
    E0112 Error "malformed specification";
    /// Two types that must be equal are not.
    E0201 Error "type mismatch";
    /// A type that would have to contain itself.
    E0202 Error "infinite type";
    /// Juxtaposition of two things that are neither a function application nor a product of numbers.
    E0203 Error "not a function or a number";
    /// An operator used at a type it does not support.
    E0204 Error "operator not defined for this type";
    /// A type constructor given the wrong number of arguments.
    E0205 Error "wrong number of type arguments";
    /// A rule with a different number of patterns than the function's parameters.
    E0206 Error "rule arity";
    /// Where-bindings or top-level values that depend on themselves.
    E0207 Error "cyclic definition";
    /// A record field that could belong to several record types.
    E0208 Error "ambiguous field";
    /// A test parameter of a type whose values cannot be generated.
    E0209 Error "test parameter cannot be generated";
    /// Patterns that leave some values unmatched.
    E0301 Error "non-exhaustive patterns";
    /// A rule that no value can reach.
    W0302 Warning "unreachable rule";
    /// A command-line argument that is not a Min literal of the parameter's type.
    E0401 Error "invalid argument";
    /// `minc run` named a function the file does not define.
    E0402 Error "no such function";
    /// `minc run` got the wrong number of arguments.
    E0403 Error "wrong number of arguments";
    /// Integer arithmetic overflowed its 128 bits, or a natural number went below zero.
    E0410 Error "arithmetic overflow";
    /// Division or remainder by zero.
    E0411 Error "division by zero";
    /// The program aborted on purpose.
    E0412 Error "abort";
    /// Recursion deeper than the interpreter's limit.
    E0413 Error "stack limit";
    /// A value matched none of a function's rules at run time.
    E0414 Error "no rule matched";
    /// `minc test`: a test did not evaluate to `true`, or did not abort as expected.
    E0415 Error "test failed";
    /// A function was called on arguments its `requires` clause rejects: the caller's fault.
    E0416 Error "precondition violated";
    /// A function returned a result its `ensures` clause rejects: the function's fault.
    E0417 Error "postcondition violated";
    /// A recursive call whose `decreases` measure is not smaller than its caller's.
    E0418 Error "measure does not decrease";
    /// A function that must keep an asset's total returned another total.
    E0419 Error "asset total not kept";
    /// A linear value (an asset, or a value holding one) used twice.
    E0501 Error "linear value used twice";
    /// A linear value dropped: never used, or not used on every path.
    E0502 Error "linear value dropped";
    /// A linear value kept inside a function value.
    E0503 Error "linear value captured by a function";
    /// An asset built or taken apart outside the module that declares it.
    E0504 Error "asset used outside its module";
    /// A linear value given to a generic definition that may copy or drop it.
    E0505 Error "generic definition cannot take a linear value";
    /// A top-level value that holds an asset.
    E0506 Error "asset in a top-level value";
    /// A field read that would copy a linear value out of a record.
    E0507 Error "linear field read";
    /// A procedure without a signature.
    E0601 Error "procedure without a signature";
    /// A procedure whose type has functions or type variables.
    E0602 Error "procedure type is not transaction data";
    /// A procedure that consumes or creates another contract's objects.
    E0603 Error "object of another contract";
    /// A procedure that takes an event, or returns one inside another value.
    E0604 Error "event outside a procedure's result";
    /// A contract uses a function of another contract that is not one of
    /// its procedures and handles that contract's objects or assets.
    E0605 Error "internals of another contract";
    /// `minc verify` found inputs on which an operation fails.
    E0701 Error "obligation refuted";
    /// `minc verify` could neither prove nor refute an obligation.
    E0702 Warning "obligation not proved";
    /// A field written under an authority influenced by what a transaction
    /// carries, on a path that has not checked that its signer is that authority.
    E0801 Error "field changed without its authority";
    /// An object with fields under an authority taken apart on a path that
    /// has not checked that the signer is that authority.
    E0802 Error "object destroyed without its authority";
    /// An authority written on a field that cannot have one.
    E0803 Error "malformed authority";
    /// A procedure with more than one `Signer` parameter, or more than one
    /// `Time` parameter.
    E0804 Error "more than one signer or block time";
    /// A procedure whose parameters or results hold an asset outside an object.
    E0805 Error "asset outside an object in a transaction";
    /// A contract that ignores a `Result`: a failure would go unnoticed.
    E0806 Error "failure ignored";
    /// A procedure that may run without bound: a recursion on something
    /// other than a part of its input.
    E0807 Error "iteration without a bound";
    /// A reference input (`Ref T`) built, taken apart or placed where the
    /// chain cannot give or keep it.
    E0808 Error "misused reference input";
    /// A `Signer` or a `Time` made by the code a procedure runs: only the
    /// chain makes them, from the transaction's signature and the block.
    E0809 Error "made-up signer or block time";
    /// The block time deciding what a transaction does, rather than only
    /// whether it runs: the block's proposer chooses it.
    E0810 Error "outcome decided by the block time";
}
