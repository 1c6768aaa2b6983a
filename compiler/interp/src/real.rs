//! The bit-exact operations on ℝ that IEEE hardware does not provide as one
//! instruction: scaling by a power of two, the binary exponent, floor, and
//! the remainder. All are written with integer and exact floating-point
//! operations only, never the host's libm, so that every backend can match
//! them bit for bit.

/// The one NaN that Min values carry: quiet, positive, zero payload.
pub(crate) const CANONICAL_NAN: f64 = f64::from_bits(0x7ff8_0000_0000_0000);

/// `2^1023`, the largest power of two.
const TWO_POW_1023: f64 = f64::from_bits(0x7fe0_0000_0000_0000);

/// `2^-969` = `2^-1022 · 2^53`: scaling down by it stays exact for normal
/// inputs, so the result is rounded only once, at the last step (musl's
/// scalbn does the same).
const TWO_POW_MINUS_969: f64 = f64::from_bits(54 << 52);

/// `2^127`, the first real above the range of ℤ.
const TWO_POW_127: f64 = f64::from_bits((1023 + 127) << 52);

/// `x` with any NaN replaced by the canonical NaN.
///
/// The test and the choice are made on the bits: an optimiser may treat all
/// NaNs as interchangeable in floating-point code and drop a float `select`
/// between two NaNs, which would let the hardware's NaN through.
pub(crate) fn canonical(x: f64) -> f64 {
    let bits = x.to_bits();
    let is_nan = bits & !(1 << 63) > f64::INFINITY.to_bits();
    f64::from_bits(if is_nan { CANONICAL_NAN.to_bits() } else { bits })
}

/// `x · 2^k`, exactly when representable, else correctly rounded (to ±∞ on
/// overflow, to nearest-even in the subnormal range).
pub(crate) fn scale(x: f64, k: i128) -> f64 {
    // Any finite non-zero x times 2^2200 overflows and times 2^-2200 rounds
    // to zero, so larger |k| cannot change the result.
    let mut n = k.clamp(-2200, 2200) as i32;
    let mut y = x;
    // Each multiplication by a power of two is exact until the last one,
    // which performs the single rounding.
    while n > 1023 {
        y *= TWO_POW_1023;
        n -= 1023;
    }
    while n < -1022 {
        y *= TWO_POW_MINUS_969;
        n += 969;
    }
    canonical(y * power_of_two(n))
}

/// `2^n` for `-1022 ≤ n ≤ 1023` (clamped into that range).
fn power_of_two(n: i32) -> f64 {
    let biased = (n.clamp(-1022, 1023) + 1023) as u64;
    f64::from_bits(biased << 52)
}

/// `k` with `x = m · 2^k` and `1 ≤ |m| < 2`; 0 for zeros, NaN and infinities.
pub(crate) fn exponent(x: f64) -> i128 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i128;
    let fraction = bits & ((1 << 52) - 1);
    match biased {
        0x7ff => 0,
        0 if fraction == 0 => 0,
        // Subnormal: the value is fraction · 2^-1074.
        0 => i128::from(63 - fraction.leading_zeros()) - 1074,
        _ => biased - 1023,
    }
}

/// The largest integer not above `x`, or `None` for NaN, infinities and
/// values outside ℤ.
pub(crate) fn floor(x: f64) -> Option<i128> {
    if !(-TWO_POW_127..TWO_POW_127).contains(&x) {
        return None;
    }
    // In range the cast truncates toward zero exactly; every real of
    // magnitude 2^52 or more is already an integer, so the comparison is exact.
    let truncated = x as i128;
    if (truncated as f64) > x { truncated.checked_sub(1) } else { Some(truncated) }
}

/// The remainder of `x / y` truncated toward zero, with the sign of `x`
/// (C's fmod): exact, so it needs no rounding at all.
pub(crate) fn remainder(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() || x.is_infinite() || y == 0.0 {
        return CANONICAL_NAN;
    }
    if y.is_infinite() || x == 0.0 || x.abs() < y.abs() {
        return x;
    }
    let (x_mantissa, x_exponent) = decompose(x.abs());
    let (y_mantissa, y_exponent) = decompose(y.abs());
    let modulus = u128::from(y_mantissa);
    // |x| ≥ |y| implies x_exponent ≥ y_exponent: both mantissas are
    // normalized unless y is subnormal, and then y_exponent is the least.
    let mut shift = x_exponent.saturating_sub(y_exponent).max(0);
    let mut rest = u128::from(x_mantissa) % modulus;
    while shift > 0 {
        // rest < 2^53, so shifting by up to 64 fits in 128 bits.
        let step = shift.min(64);
        rest = (rest << step) % modulus;
        shift -= step;
    }
    // rest < 2^53 and y_exponent ≥ -1074: the result is representable.
    let magnitude = scale(rest as f64, i128::from(y_exponent));
    if x.is_sign_negative() { -magnitude } else { magnitude }
}

/// `(m, e)` with `a = m · 2^e`, for finite positive `a`; `m < 2^53`.
fn decompose(a: f64) -> (u64, i32) {
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator of arbitrary bit patterns.
    fn bit_patterns(count: usize) -> impl Iterator<Item = u64> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        (0..count).map(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        })
    }

    #[test]
    fn remainder_agrees_with_ieee_fmod() {
        let specials = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, 1e300, -1e-300, 5e-324, f64::MAX, f64::MIN_POSITIVE];
        let mut reals: Vec<f64> = specials.to_vec();
        reals.extend(bit_patterns(400).map(f64::from_bits).filter(|x| x.is_finite()));
        for &x in &reals {
            for &y in &reals {
                let expected = canonical(x % y);
                let actual = remainder(x, y);
                assert_eq!(actual.to_bits(), expected.to_bits(), "{x:e} % {y:e}");
            }
        }
        assert_eq!(remainder(7.5, f64::INFINITY), 7.5);
        assert!(remainder(f64::INFINITY, 2.0).is_nan());
        assert_eq!(remainder(-6.0, 3.0).to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn floor_rounds_down_and_rejects_out_of_range() {
        assert_eq!(floor(2.5), Some(2));
        assert_eq!(floor(-2.5), Some(-3));
        assert_eq!(floor(-0.0), Some(0));
        assert_eq!(floor(-1e-300), Some(-1));
        assert_eq!(floor(-TWO_POW_127), Some(i128::MIN));
        assert_eq!(floor(TWO_POW_127), None);
        assert_eq!(floor(f64::NAN), None);
        assert_eq!(floor(f64::NEG_INFINITY), None);
        assert_eq!(floor(1e20), Some(100_000_000_000_000_000_000));
    }

    /// `x · 2^k` rounded to nearest-even by integer arithmetic alone: an
    /// independent reference for `scale`.
    fn scale_reference(x: f64, k: i128) -> f64 {
        if x == 0.0 || !x.is_finite() {
            return x;
        }
        let (mut mantissa, exponent) = decompose(x.abs());
        let mut target = i128::from(exponent).saturating_add(k);
        let sign = if x.is_sign_negative() { -1.0 } else { 1.0 };
        if target < -1074 {
            let shift = (-1074i128).saturating_sub(target);
            if shift > 60 {
                return sign * 0.0;
            }
            let kept = mantissa >> shift;
            let dropped = mantissa & ((1 << shift) - 1);
            let half = 1 << (shift - 1);
            let round_up = dropped > half || (dropped == half && kept & 1 == 1);
            return sign * f64::from_bits(kept + u64::from(round_up));
        }
        while mantissa < 1 << 52 && target > -1074 {
            mantissa <<= 1;
            target -= 1;
        }
        if mantissa < 1 << 52 {
            return sign * f64::from_bits(mantissa);
        }
        let biased = target.saturating_add(1075);
        if biased >= 2047 {
            return sign * f64::INFINITY;
        }
        sign * f64::from_bits(((biased as u64) << 52) | (mantissa - (1 << 52)))
    }

    #[test]
    fn scale_agrees_with_integer_reference() {
        let mut ks = bit_patterns(3000).map(|bits| i128::from(bits % 4601) - 2300);
        let specials = [5e-324, -5e-324, 1.0, 1.5, 3.0, f64::MAX, f64::MIN_POSITIVE, 2.225073858507201e-308];
        let reals = specials.into_iter().chain(bit_patterns(1000).map(f64::from_bits).filter(|x| x.is_finite()));
        for x in reals {
            for k in ks.by_ref().take(3).chain([-1075, -1074, -1023, 1023, 1024, 2098, -2098, i128::MAX, i128::MIN]) {
                assert_eq!(scale(x, k).to_bits(), scale_reference(x, k).to_bits(), "scale({x:e}, {k})");
            }
        }
    }
}
