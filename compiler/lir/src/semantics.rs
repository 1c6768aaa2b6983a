//! What each LIR operation means, as Rust computes it: the reference the
//! backends' tests compare their machine code with.

use crate::{BinOp, UnOp, abi};

/// `2^63` as a real: truncation is defined strictly inside `(-2^63 - 1, 2^63)`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

impl BinOp {
    /// Every binary operation.
    pub const ALL: [BinOp; 24] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::DivS,
        BinOp::RemS,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
        BinOp::Shl,
        BinOp::ShrS,
        BinOp::ShrU,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::LtS,
        BinOp::LeS,
        BinOp::LtU,
        BinOp::LeU,
        BinOp::FAdd,
        BinOp::FSub,
        BinOp::FMul,
        BinOp::FDiv,
        BinOp::FEq,
        BinOp::FLt,
        BinOp::FLe,
    ];

    /// `a op b`, or `None` where the LIR promises never to ask (division by
    /// zero, `MIN / -1`). Real results are Rust's, NaNs included: which NaN
    /// an operation gives is up to the machine.
    pub fn eval(self, a: u64, b: u64) -> Option<u64> {
        let (sa, sb) = (a as i64, b as i64);
        let (x, y) = (f64::from_bits(a), f64::from_bits(b));
        let division_defined = sb != 0 && !(sa == i64::MIN && sb == -1);
        Some(match self {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::DivS if division_defined => (sa / sb) as u64,
            BinOp::RemS if division_defined => (sa % sb) as u64,
            BinOp::DivS | BinOp::RemS => return None,
            BinOp::And => a & b,
            BinOp::Or => a | b,
            BinOp::Xor => a ^ b,
            BinOp::Shl => a << (b % 64),
            BinOp::ShrS => (sa >> (b % 64)) as u64,
            BinOp::ShrU => a >> (b % 64),
            BinOp::Eq => u64::from(a == b),
            BinOp::Ne => u64::from(a != b),
            BinOp::LtS => u64::from(sa < sb),
            BinOp::LeS => u64::from(sa <= sb),
            BinOp::LtU => u64::from(a < b),
            BinOp::LeU => u64::from(a <= b),
            BinOp::FAdd => (x + y).to_bits(),
            BinOp::FSub => (x - y).to_bits(),
            BinOp::FMul => (x * y).to_bits(),
            BinOp::FDiv => (x / y).to_bits(),
            BinOp::FEq => u64::from(x == y),
            BinOp::FLt => u64::from(x < y),
            BinOp::FLe => u64::from(x <= y),
        })
    }

    /// Whether the result is a real (whose NaN bits the machine chooses).
    pub fn gives_real(self) -> bool {
        matches!(self, BinOp::FAdd | BinOp::FSub | BinOp::FMul | BinOp::FDiv)
    }
}

impl UnOp {
    /// Every unary operation.
    pub const ALL: [UnOp; 6] = [UnOp::Untag, UnOp::FNeg, UnOp::FSqrt, UnOp::FIsNan, UnOp::FFromInt, UnOp::FTrunc];

    /// `op a`, or `None` where the LIR promises never to ask (truncating a
    /// NaN or a real whose integer part is outside the 64-bit range). `FNeg`
    /// flips the sign bit, NaN or not.
    pub fn eval(self, a: u64) -> Option<u64> {
        Some(match self {
            UnOp::Untag => a & abi::PAYLOAD_MASK,
            UnOp::FNeg => a ^ (1 << 63),
            UnOp::FSqrt => f64::from_bits(a).sqrt().to_bits(),
            UnOp::FIsNan => u64::from(f64::from_bits(a).is_nan()),
            UnOp::FFromInt => (a as i64 as f64).to_bits(),
            UnOp::FTrunc if (-TWO_POW_63..TWO_POW_63).contains(&f64::from_bits(a)) => f64::from_bits(a) as i64 as u64,
            UnOp::FTrunc => return None,
        })
    }

    /// Whether the result is a real (whose NaN bits the machine chooses).
    pub fn gives_real(self) -> bool {
        self == UnOp::FSqrt
    }
}
