//! Primitives of the built-in `Prim` module applied to all their arguments.
//! Those that are a few machine instructions on their usual operands run
//! inline, with exactly the interpreter's results (`min_interp`'s `real.rs`);
//! anything else, and every case that fails, goes to the run-time library.

use min_core::Prim;

use super::arith::{bin, c, int_payload, nat_payload};
use super::function::{DEST, FnBuilder, and, has_tag, or};
use crate::abi::{self, PAYLOAD_MASK, TAG_INT, TAG_NAT};
use crate::{BinOp, Expr, Helper, UnOp};

/// The bits of `2^47` as a real: the first real whose floor is above the small integers.
const TWO_POW_47: u64 = (1023 + 47) << 52;

/// The bits of `-2^47` as a real: the least real whose floor is a small integer.
const MINUS_TWO_POW_47: u64 = TWO_POW_47 | 1 << 63;

/// Where an IEEE binary64 word keeps its biased exponent.
const EXPONENT_SHIFT: u64 = 52;

/// The biased exponent of infinities and NaN.
const EXPONENT_MAX: u64 = 0x7FF;

/// The exponent bias of binary64.
const EXPONENT_BIAS: u64 = 1023;

/// Whether every result of `prim` is a word that is no object: a real, a
/// boolean, a character, or an integer that is always small.
fn result_is_one_word(prim: Prim) -> bool {
    matches!(
        prim,
        Prim::Sqrt
            | Prim::Scale
            | Prim::Exponent
            | Prim::RealOfInt
            | Prim::RealOfNat
            | Prim::IsNan
            | Prim::Code
            | Prim::FromCode
    )
}

fn unary(op: UnOp, a: Expr) -> Expr {
    Expr::Unary(op, Box::new(a))
}

impl FnBuilder<'_, '_> {
    /// A primitive applied to all its arguments, whose result goes in the
    /// region `escapes` picks.
    pub(crate) fn prim(&mut self, prim: Prim, args: &mut Vec<Expr>, escapes: bool, span: u64) -> Expr {
        // The checker gives these operands of the primitive's types; correctly
        // rounded `√` is an IEEE basic operation, so the machine's is the interpreter's.
        match (prim, args.as_slice()) {
            (Prim::Sqrt, [x]) => {
                let root = self.temp(unary(UnOp::FSqrt, x.clone()));
                return self.canonical(root);
            }
            (Prim::IsNan, [x]) => return self.temp(or(unary(UnOp::FIsNan, x.clone()), c(abi::TAG_BOOL))),
            (Prim::RealOfInt | Prim::RealOfNat, [x]) => return self.small_to_real(prim, x.clone(), escapes, span),
            (Prim::Scale, [x, k]) => return self.scale(x.clone(), k.clone(), escapes, span),
            (Prim::Exponent, [x]) => return self.exponent(x.clone(), escapes, span),
            (Prim::Floor, [x]) => return self.floor(x.clone(), escapes, span),
            _ => {}
        }
        let helper = if args.len() == 1 { Helper::Prim1 } else { Helper::Prim2 };
        let helper_args = self.prim_helper_args(prim, std::mem::take(args), escapes, span);
        self.helper(helper, helper_args)
    }

    /// The arguments of `Helper::Prim1`/`Prim2` for `prim` on `args`. A
    /// primitive whose result never needs an object gets the destination
    /// region, which it leaves alone, so that calling it is no reason for a
    /// function to need a scratch region.
    fn prim_helper_args(&mut self, prim: Prim, args: Vec<Expr>, escapes: bool, span: u64) -> Vec<Expr> {
        let mut helper_args = vec![c(prim.index() as u64)];
        helper_args.extend(args);
        helper_args.push(if result_is_one_word(prim) { Expr::Var(DEST) } else { self.region(escapes) });
        helper_args.push(c(span));
        helper_args
    }

    /// Runs `fast` with the helper of `prim` as its slow path.
    fn prim_with_slow_path(
        &mut self,
        prim: Prim,
        args: Vec<Expr>,
        escapes: bool,
        span: u64,
        fast: impl FnOnce(&mut Self, crate::Label) -> Expr,
    ) -> Expr {
        let helper = if args.len() == 1 { Helper::Prim1 } else { Helper::Prim2 };
        let slow = self.prim_helper_args(prim, args, escapes, span);
        self.with_slow_path(helper, slow, fast)
    }

    /// `Prim.real_of_int` or `Prim.real_of_nat`: a small number converts
    /// inline, exactly (it has at most 48 bits); a big one goes to the helper.
    fn small_to_real(&mut self, prim: Prim, x: Expr, escapes: bool, span: u64) -> Expr {
        let int = prim == Prim::RealOfInt;
        self.prim_with_slow_path(prim, vec![x.clone()], escapes, span, |builder, slow_label| {
            let tag = if int { TAG_INT } else { TAG_NAT };
            builder.unless(has_tag(x.clone(), tag), slow_label);
            let value = if int { int_payload(x.clone()) } else { nat_payload(x.clone()) };
            unary(UnOp::FFromInt, value)
        })
    }

    /// `Prim.scale x k`: for a small `k` with `2^k` a normal real, one
    /// multiplication by `2^k`, which rounds once as the interpreter's last
    /// step does; larger scales, which the interpreter splits into several
    /// exact steps, go to the helper.
    fn scale(&mut self, x: Expr, k: Expr, escapes: bool, span: u64) -> Expr {
        self.prim_with_slow_path(Prim::Scale, vec![x.clone(), k.clone()], escapes, span, |builder, slow| {
            builder.unless(has_tag(k.clone(), TAG_INT), slow);
            let n = builder.temp(int_payload(k.clone()));
            let min_exponent = 1 - EXPONENT_BIAS as i64;
            let offset = bin(BinOp::Sub, n.clone(), c(min_exponent as u64));
            builder.unless(bin(BinOp::LtU, offset, c(EXPONENT_MAX - 1)), slow);
            let power = bin(BinOp::Shl, bin(BinOp::Add, n, c(EXPONENT_BIAS)), c(EXPONENT_SHIFT));
            let product = builder.temp(bin(BinOp::FMul, x.clone(), power));
            builder.canonical(product)
        })
    }

    /// `Prim.exponent x`: the unbiased exponent of a normal real, read from
    /// its bits; zeros, subnormals, infinities and NaN go to the helper.
    fn exponent(&mut self, x: Expr, escapes: bool, span: u64) -> Expr {
        self.prim_with_slow_path(Prim::Exponent, vec![x.clone()], escapes, span, |builder, slow| {
            let biased = builder.temp(and(bin(BinOp::ShrU, x.clone(), c(EXPONENT_SHIFT)), c(EXPONENT_MAX)));
            let normal = bin(BinOp::LtU, bin(BinOp::Sub, biased.clone(), c(1)), c(EXPONENT_MAX - 1));
            builder.unless(normal, slow);
            let exponent = bin(BinOp::Sub, biased, c(EXPONENT_BIAS));
            or(and(exponent, c(PAYLOAD_MASK)), c(TAG_INT))
        })
    }

    /// `Prim.floor x`: truncation, then one less when that went up, for
    /// `-2^47 ≤ x < 2^47`, whose floor is a small integer; NaN, the
    /// infinities and larger magnitudes (a big integer or the error) go to
    /// the helper.
    fn floor(&mut self, x: Expr, escapes: bool, span: u64) -> Expr {
        self.prim_with_slow_path(Prim::Floor, vec![x.clone()], escapes, span, |builder, slow| {
            let in_range =
                and(bin(BinOp::FLe, c(MINUS_TWO_POW_47), x.clone()), bin(BinOp::FLt, x.clone(), c(TWO_POW_47)));
            builder.unless(in_range, slow);
            let truncated = builder.temp(unary(UnOp::FTrunc, x.clone()));
            let rounded_up = bin(BinOp::FLt, x.clone(), unary(UnOp::FFromInt, truncated.clone()));
            let floor = bin(BinOp::Sub, truncated, rounded_up);
            or(and(floor, c(PAYLOAD_MASK)), c(TAG_INT))
        })
    }
}
