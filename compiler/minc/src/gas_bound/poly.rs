//! Polynomials in one variable with non-negative integer coefficients: the
//! form of every size and cost bound. All arithmetic saturates, so a bound
//! too large for a `u64` stays an upper bound (`u64::MAX`) instead of
//! wrapping.

use std::fmt;

/// `c₀ + c₁·x + c₂·x² + …`, with no trailing zero coefficients.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Poly {
    coefficients: Vec<u64>,
}

impl Poly {
    /// The zero polynomial.
    pub const fn zero() -> Poly {
        Poly { coefficients: Vec::new() }
    }

    /// The constant `c`.
    pub fn constant(c: u64) -> Poly {
        Poly::from_coefficients(vec![c])
    }

    /// `c₀ + c₁·x`.
    pub fn linear(c0: u64, c1: u64) -> Poly {
        Poly::from_coefficients(vec![c0, c1])
    }

    /// The polynomial of these coefficients, lowest degree first.
    pub fn from_coefficients(mut coefficients: Vec<u64>) -> Poly {
        while coefficients.last() == Some(&0) {
            coefficients.pop();
        }
        Poly { coefficients }
    }

    /// The coefficients, lowest degree first, without trailing zeros.
    pub fn coefficients(&self) -> &[u64] {
        &self.coefficients
    }

    fn coefficient(&self, degree: usize) -> u64 {
        self.coefficients.get(degree).copied().unwrap_or(0)
    }

    /// `self + other`.
    pub fn add(&self, other: &Poly) -> Poly {
        self.zip(other, u64::saturating_add)
    }

    /// A polynomial at least as large as both for every `x ≥ 0`: the larger
    /// coefficient of each degree.
    pub fn max(&self, other: &Poly) -> Poly {
        self.zip(other, u64::max)
    }

    /// `self + c`.
    pub fn plus(&self, c: u64) -> Poly {
        self.add(&Poly::constant(c))
    }

    /// `k · self`.
    pub fn scale(&self, k: u64) -> Poly {
        Poly::from_coefficients(self.coefficients.iter().map(|c| c.saturating_mul(k)).collect())
    }

    /// A polynomial at least `self / d` for every `x ≥ 0`: each coefficient
    /// divided by `d`, rounded up.
    pub fn div_ceil(&self, d: u64) -> Poly {
        Poly::from_coefficients(self.coefficients.iter().map(|c| c.div_ceil(d)).collect())
    }

    /// The value at `x`, saturating.
    pub fn eval(&self, x: u64) -> u64 {
        self.coefficients.iter().rev().fold(0u64, |acc, c| acc.saturating_mul(x).saturating_add(*c))
    }

    fn zip(&self, other: &Poly, f: impl Fn(u64, u64) -> u64) -> Poly {
        let len = self.coefficients.len().max(other.coefficients.len());
        Poly::from_coefficients((0..len).map(|d| f(self.coefficient(d), other.coefficient(d))).collect())
    }

    /// Writes the polynomial in the variable `x`, e.g. `1 250 + 24·b`.
    pub fn display<'a>(&'a self, x: &'a str) -> impl fmt::Display + 'a {
        Shown { poly: self, x }
    }
}

struct Shown<'a> {
    poly: &'a Poly,
    x: &'a str,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let terms: Vec<String> = self
            .poly
            .coefficients
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != 0)
            .map(|(degree, c)| {
                let c = grouped(*c);
                match degree {
                    0 => c,
                    1 => format!("{c}·{}", self.x),
                    2 => format!("{c}·{}²", self.x),
                    3 => format!("{c}·{}³", self.x),
                    _ => format!("{c}·{}^{degree}", self.x),
                }
            })
            .collect();
        if terms.is_empty() { write!(f, "0") } else { write!(f, "{}", terms.join(" + ")) }
    }
}

/// A number with its digits in groups of three, `12 345`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_and_bounds_from_above() {
        let p = Poly::linear(3, 2);
        let q = Poly::from_coefficients(vec![1, 0, 4]);
        assert_eq!(p.add(&q).coefficients(), &[4, 2, 4]);
        assert_eq!(p.max(&q).coefficients(), &[3, 2, 4]);
        assert_eq!(Poly::linear(7, 9).div_ceil(4).coefficients(), &[2, 3]);
        assert_eq!(Poly::constant(u64::MAX).plus(1).eval(0), u64::MAX);
        assert_eq!(Poly::linear(0, u64::MAX).eval(3), u64::MAX);
        for x in [0, 1, 7, 1_000] {
            assert!(p.max(&q).eval(x) >= p.eval(x).max(q.eval(x)));
        }
    }

    #[test]
    fn shows_terms_in_order_of_degree() {
        assert_eq!(Poly::from_coefficients(vec![1_250, 24, 0, 3]).display("b").to_string(), "1 250 + 24·b + 3·b³");
        assert_eq!(Poly::default().display("b").to_string(), "0");
        assert_eq!(grouped(1_000_000), "1 000 000");
    }
}
