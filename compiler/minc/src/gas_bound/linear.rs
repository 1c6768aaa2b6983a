//! Linear forms in the sizes of the parts of a procedure's arguments:
//! `c + Σ cᵢ·yᵢ`, where `yᵢ` is the bytes of the `i`th part over eight.
//! Keeping one variable per part keeps a bound that adds up two parts from
//! counting all the arguments' bytes twice: at the end, since the parts'
//! bytes add up to at most `b`, `Σ cᵢ·yᵢ ≤ (max cᵢ)·b/8`. All arithmetic
//! saturates.

use super::poly::Poly;

/// `constant + Σ coefficients[i]·yᵢ`, with no trailing zero coefficients.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Linear {
    constant: u64,
    coefficients: Vec<u64>,
}

impl Linear {
    /// The zero form.
    pub const fn zero() -> Linear {
        Linear { constant: 0, coefficients: Vec::new() }
    }

    /// The constant `c`.
    pub fn constant(c: u64) -> Linear {
        Linear { constant: c, coefficients: Vec::new() }
    }

    /// `c + k·yᵢ`, for the `param`th part.
    pub fn of_param(param: usize, k: u64, c: u64) -> Linear {
        let mut coefficients = vec![0; param + 1];
        coefficients[param] = k;
        Linear { constant: c, coefficients }.trimmed()
    }

    fn trimmed(mut self) -> Linear {
        while self.coefficients.last() == Some(&0) {
            self.coefficients.pop();
        }
        self
    }

    fn zip(&self, other: &Linear, f: impl Fn(u64, u64) -> u64) -> Linear {
        let len = self.coefficients.len().max(other.coefficients.len());
        let at = |form: &Linear, i: usize| form.coefficients.get(i).copied().unwrap_or(0);
        Linear {
            constant: f(self.constant, other.constant),
            coefficients: (0..len).map(|i| f(at(self, i), at(other, i))).collect(),
        }
        .trimmed()
    }

    /// `self + other`.
    pub fn add(&self, other: &Linear) -> Linear {
        self.zip(other, u64::saturating_add)
    }

    /// A form at least as large as both for all `yᵢ ≥ 0`.
    pub fn max(&self, other: &Linear) -> Linear {
        self.zip(other, u64::max)
    }

    /// `self + c`.
    pub fn plus(&self, c: u64) -> Linear {
        Linear { constant: self.constant.saturating_add(c), coefficients: self.coefficients.clone() }
    }

    /// `k · self`.
    pub fn scale(&self, k: u64) -> Linear {
        Linear {
            constant: self.constant.saturating_mul(k),
            coefficients: self.coefficients.iter().map(|c| c.saturating_mul(k)).collect(),
        }
        .trimmed()
    }

    /// A polynomial in `b`, the bytes of all the arguments, at least the
    /// form for every split of `b` among them: `c + ⌈max cᵢ / 8⌉·b`.
    pub fn in_bytes(&self) -> Poly {
        let most = self.coefficients.iter().copied().max().unwrap_or(0);
        Poly::linear(self.constant, most.div_ceil(8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_share_the_bytes_of_the_arguments() {
        // Two parameters of one word per eighth byte each, added up: since
        // they share `b`, the sum is at most b/8 words more than 5, not b/4.
        let sum = Linear::of_param(0, 1, 2).add(&Linear::of_param(1, 1, 3));
        assert_eq!(sum.in_bytes().coefficients(), &[5, 1]);
        assert_eq!(sum.scale(16).in_bytes().coefficients(), &[80, 2]);
        assert_eq!(sum.max(&Linear::of_param(1, 9, 0)).in_bytes().coefficients(), &[5, 2]);
        assert_eq!(Linear::constant(u64::MAX).plus(1).in_bytes().coefficients(), &[u64::MAX]);
    }
}
