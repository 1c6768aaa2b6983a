//! Numbers and comparisons: inline fast paths for small integers and reals,
//! the run-time library for everything else (big numbers, overflow,
//! division by zero, structural comparison, number types decided at run time).

use min_core::{ArithOp, CmpOp, NumKind};
use min_diagnostics::Span;

use super::function::{FnBuilder, and, eq, has_tag, or, tag_of};
use crate::abi::{self, FIRST_TAGGED, NO_SPAN, PAYLOAD_MASK, TAG_BOOL, TAG_CHAR, TAG_INT, TAG_NAT, TAG_SHIFT};
use crate::{BinOp, Expr, Helper, Stmt, UnOp};

pub(super) fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

pub(super) fn c(word: u64) -> Expr {
    Expr::Const(word)
}

/// The 48-bit payload of a small integer, sign-extended.
pub(super) fn int_payload(word: Expr) -> Expr {
    bin(BinOp::ShrS, bin(BinOp::Shl, word, c(16)), c(16))
}

/// The payload of a small natural.
pub(super) fn nat_payload(word: Expr) -> Expr {
    and(word, c(PAYLOAD_MASK))
}

/// 1 if both words carry `tag`.
fn both_tagged(a: Expr, b: Expr, tag: u64) -> Expr {
    let differences = or(bin(BinOp::Xor, a, c(tag)), bin(BinOp::Xor, b, c(tag)));
    eq(bin(BinOp::ShrU, differences, c(TAG_SHIFT as u64)), c(0))
}

/// 1 if both words are reals.
fn both_real(a: Expr, b: Expr) -> Expr {
    and(bin(BinOp::LtU, a, c(FIRST_TAGGED)), bin(BinOp::LtU, b, c(FIRST_TAGGED)))
}

impl FnBuilder<'_, '_> {
    /// `a op b` on numbers of `kind`.
    pub(crate) fn arith(&mut self, op: ArithOp, kind: NumKind, a: Expr, b: Expr, span: Span, escapes: bool) -> Expr {
        let span = self.pb.span(span);
        let region = self.region(escapes);
        let slow = vec![c(crate::arith_operation(op, kind)), a.clone(), b.clone(), region, c(span)];
        match (kind, op) {
            (NumKind::Real, ArithOp::Rem) | (NumKind::Pending(_), _) => self.helper(Helper::Arith, slow),
            (NumKind::Real, _) => self.real_arith(op, a, b),
            (NumKind::Nat | NumKind::Int, _) => {
                let int = kind == NumKind::Int;
                self.with_slow_path(Helper::Arith, slow, |builder, slow_label| {
                    let tag = if int { TAG_INT } else { TAG_NAT };
                    builder.unless(both_tagged(a.clone(), b.clone(), tag), slow_label);
                    builder.small_arith(op, int, a, b, slow_label)
                })
            }
            (NumKind::Dyn, _) => {
                self.with_slow_path(Helper::Arith, slow, |builder, slow_label| builder.dyn_arith(op, a, b, slow_label))
            }
        }
    }

    /// `a op b` on two reals (not `%`), with a NaN result made canonical.
    fn real_arith(&mut self, op: ArithOp, a: Expr, b: Expr) -> Expr {
        let op = match op {
            ArithOp::Add => BinOp::FAdd,
            ArithOp::Sub => BinOp::FSub,
            ArithOp::Mul => BinOp::FMul,
            _ => BinOp::FDiv,
        };
        let result = self.temp(bin(op, a, b));
        self.canonical(result)
    }

    /// `a op b` on two small naturals, or two small integers if `int`,
    /// whose tags are checked; a result out of the small range, an operand
    /// too large for the inline multiplication and division by zero break to `slow`.
    fn small_arith(&mut self, op: ArithOp, int: bool, a: Expr, b: Expr, slow: crate::Label) -> Expr {
        let payload = if int { int_payload } else { nat_payload };
        let x = self.temp(payload(a));
        let y = self.temp(payload(b));
        let result = match op {
            ArithOp::Add => bin(BinOp::Add, x, y),
            ArithOp::Sub => bin(BinOp::Sub, x, y),
            ArithOp::Mul => {
                let small = |v: Expr| {
                    if int {
                        bin(BinOp::LtU, bin(BinOp::Add, v, c(1 << 23)), c(1 << 24))
                    } else {
                        bin(BinOp::LtU, v, c(1 << 24))
                    }
                };
                self.unless(and(small(x.clone()), small(y.clone())), slow);
                bin(BinOp::Mul, x, y)
            }
            ArithOp::Div | ArithOp::Rem => {
                self.unless(bin(BinOp::Ne, y.clone(), c(0)), slow);
                bin(if op == ArithOp::Div { BinOp::DivS } else { BinOp::RemS }, x, y)
            }
        };
        let result = self.temp(result);
        self.small_number(result, int, slow)
    }

    /// `a op b` on numbers whose type the operands decide (`NumKind::Dyn`):
    /// two small naturals, two small integers or two reals (not `%`) compute
    /// inline in that type, as the interpreter's choice of type does; any
    /// other pair breaks to `slow`.
    fn dyn_arith(&mut self, op: ArithOp, a: Expr, b: Expr, slow: crate::Label) -> Expr {
        let result = self.var();
        let done = self.label();
        let mut cases = Vec::new();
        for int in [false, true] {
            let body = self.nested(|builder| {
                let value = builder.small_arith(op, int, a.clone(), b.clone(), slow);
                builder.emit(Stmt::Set(result, value));
                builder.emit(Stmt::Break(done));
            });
            let tag = if int { TAG_INT } else { TAG_NAT };
            cases.push(Stmt::If(both_tagged(a.clone(), b.clone(), tag), body, Vec::new()));
        }
        if op != ArithOp::Rem {
            let body = self.nested(|builder| {
                let value = builder.real_arith(op, a.clone(), b.clone());
                builder.emit(Stmt::Set(result, value));
                builder.emit(Stmt::Break(done));
            });
            cases.push(Stmt::If(both_real(a, b), body, Vec::new()));
        }
        cases.push(Stmt::Break(slow));
        self.emit(Stmt::Block(done, cases));
        Expr::Var(result)
    }

    /// `-a` on numbers of `kind`.
    pub(crate) fn neg(&mut self, kind: NumKind, a: Expr, span: Span, escapes: bool) -> Expr {
        let span = self.pb.span(span);
        let region = self.region(escapes);
        let slow = vec![c(crate::num_kind_code(kind)), a.clone(), region, c(span)];
        match kind {
            NumKind::Real => {
                let result = self.temp(bin(BinOp::Xor, a, c(1 << 63)));
                self.canonical(result)
            }
            NumKind::Int => self.with_slow_path(Helper::Neg, slow, |builder, slow_label| {
                builder.unless(has_tag(a.clone(), TAG_INT), slow_label);
                let result = builder.temp(bin(BinOp::Sub, c(0), int_payload(a.clone())));
                builder.small_number(result, true, slow_label)
            }),
            NumKind::Nat => self.with_slow_path(Helper::Neg, slow, |builder, slow_label| {
                builder.unless(eq(a.clone(), c(TAG_NAT)), slow_label);
                a.clone()
            }),
            NumKind::Dyn | NumKind::Pending(_) => self.helper(Helper::Neg, slow),
        }
    }

    /// `a op b`, structurally, as a boolean word.
    pub(crate) fn compare(&mut self, op: CmpOp, a: Expr, b: Expr, span: Span) -> Expr {
        let span = self.pb.span(span);
        let slow = vec![c(crate::cmp_code(op)), a.clone(), b.clone(), c(span)];
        self.with_slow_path(Helper::Compare, slow, |builder, slow_label| {
            let result = builder.var();
            let done = builder.label();
            let mut body = Vec::new();
            let reals = both_real(a.clone(), b.clone());
            let real_test = ordered(op, a.clone(), b.clone(), BinOp::FEq, BinOp::FLt, BinOp::FLe);
            body.push(Stmt::If(reals, vec![Stmt::Set(result, real_test), Stmt::Break(done)], Vec::new()));
            let tag = builder.temp(tag_of(a.clone()));
            body.push(Stmt::If(
                bin(BinOp::Ne, tag.clone(), tag_of(b.clone())),
                vec![Stmt::Break(slow_label)],
                Vec::new(),
            ));
            let int_test =
                ordered(op, int_payload(a.clone()), int_payload(b.clone()), BinOp::Eq, BinOp::LtS, BinOp::LeS);
            body.push(Stmt::If(
                eq(tag.clone(), c(TAG_INT)),
                vec![Stmt::Set(result, int_test), Stmt::Break(done)],
                Vec::new(),
            ));
            let mut unsigned =
                or(or(eq(tag.clone(), c(TAG_NAT)), eq(tag.clone(), c(TAG_BOOL))), eq(tag.clone(), c(TAG_CHAR)));
            if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                unsigned = or(unsigned, eq(tag, c(abi::TAG_ATOM)));
            }
            let unsigned_test = ordered(op, a.clone(), b.clone(), BinOp::Eq, BinOp::LtU, BinOp::LeU);
            body.push(Stmt::If(unsigned, vec![Stmt::Set(result, unsigned_test), Stmt::Break(done)], Vec::new()));
            body.push(Stmt::Break(slow_label));
            builder.emit(Stmt::Block(done, body));
            or(Expr::Var(result), c(TAG_BOOL))
        })
    }

    /// Whether a word equals a literal under the structural equality of
    /// the run-time library (used for string and big-number patterns).
    pub(crate) fn structurally_equal(&mut self, word: Expr, literal: Expr) -> Expr {
        let equal =
            self.temp(Expr::Helper(Helper::Compare, vec![c(crate::cmp_code(CmpOp::Eq)), word, literal, c(NO_SPAN)]));
        eq(equal, c(abi::TRUE))
    }

    /// 1 if a word equals the string `text`, else 0. A string object is
    /// compared inline, header and padded words (the ABI pads with zeros,
    /// so equal strings have equal words); any other word (a character
    /// standing for a string) goes to the structural comparison.
    pub(crate) fn string_equal(&mut self, word: Expr, text: &str) -> Expr {
        let static_id = self.pb.string(text);
        let result = self.var();
        let done = self.label();
        let unequal = |result| vec![Stmt::Set(result, c(0)), Stmt::Break(done)];
        let body = self.nested(|builder| {
            let other = builder.nested(|builder| {
                let equal = builder.structurally_equal(word.clone(), Expr::Static(static_id));
                builder.emit(Stmt::Set(result, equal));
                builder.emit(Stmt::Break(done));
            });
            builder.emit(Stmt::If(eq(tag_of(word.clone()), c(abi::TAG_PTR)), Vec::new(), other));
            let address = builder.untag(word.clone());
            for (index, expected) in abi::string_words(text).into_iter().enumerate() {
                let actual = super::function::load(address.clone(), 8 * index as i32);
                builder.emit(Stmt::If(bin(BinOp::Ne, actual, c(expected)), unequal(result), Vec::new()));
            }
            builder.emit(Stmt::Set(result, c(1)));
        });
        self.emit(Stmt::Block(done, body));
        Expr::Var(result)
    }

    /// Runs `fast`, which breaks to the label it is given to fall back on
    /// `helper(slow_args)`, and returns the result of whichever ran.
    pub(super) fn with_slow_path(
        &mut self,
        helper: Helper,
        slow_args: Vec<Expr>,
        fast: impl FnOnce(&mut Self, crate::Label) -> Expr,
    ) -> Expr {
        let result = self.var();
        let done = self.label();
        let slow_label = self.label();
        let fast_path = self.nested(|builder| {
            let value = fast(builder, slow_label);
            builder.emit(Stmt::Set(result, value));
            builder.emit(Stmt::Break(done));
        });
        let slow_path = self.nested(|builder| {
            builder.emit(Stmt::Block(slow_label, fast_path));
            builder.emit(Stmt::Set(result, Expr::Helper(helper, slow_args)));
            builder.fail_if(&Expr::Var(result));
        });
        self.emit(Stmt::Block(done, slow_path));
        Expr::Var(result)
    }

    /// Breaks to `label` unless `condition` holds.
    pub(super) fn unless(&mut self, condition: Expr, label: crate::Label) {
        self.emit(Stmt::If(condition, Vec::new(), vec![Stmt::Break(label)]));
    }

    /// The word of a small integer or natural computed in 64 bits, or a
    /// break to `slow` when it does not fit the small range.
    pub(super) fn small_number(&mut self, value: Expr, int: bool, slow: crate::Label) -> Expr {
        if int {
            self.unless(eq(int_payload(value.clone()), value.clone()), slow);
            or(and(value, c(PAYLOAD_MASK)), c(TAG_INT))
        } else {
            self.unless(bin(BinOp::LeU, value.clone(), c(abi::SMALL_NAT_MAX as u64)), slow);
            or(value, c(TAG_NAT))
        }
    }

    /// A real result with NaN made canonical.
    pub(crate) fn canonical(&mut self, value: Expr) -> Expr {
        let nan = Expr::Unary(UnOp::FIsNan, Box::new(value.clone()));
        self.temp(Expr::Select(Box::new(nan), Box::new(c(abi::CANONICAL_NAN)), Box::new(value)))
    }
}

/// A comparison as 0 or 1, from the machine's equality, less-than and
/// less-or-equal on this representation.
fn ordered(op: CmpOp, a: Expr, b: Expr, equal: BinOp, less: BinOp, less_equal: BinOp) -> Expr {
    match op {
        CmpOp::Eq => bin(equal, a, b),
        CmpOp::Ne => bin(BinOp::Xor, bin(equal, a, b), c(1)),
        CmpOp::Lt => bin(less, a, b),
        CmpOp::Le => bin(less_equal, a, b),
        CmpOp::Gt => bin(less, b, a),
        CmpOp::Ge => bin(less_equal, b, a),
    }
}
