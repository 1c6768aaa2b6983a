//! The workloads of `benches/programs/workloads.min` written in plain Rust:
//! the baseline that the interpreter, the JIT and Wasm are measured against.
//!
//! Each function does the same work as its Min counterpart. The real
//! functions are ports of `stdlib/Math.min` and `stdlib/Normal.min`,
//! operation for operation (no fused multiply-add, no reassociation), so
//! they compute the same bits as Min; the tests check that against the
//! interpreter. Where Min builds a linked list, Rust builds a `Vec`.

// The coefficients are copied digit for digit from the Min sources, so that
// the two can be compared by eye; several equal a `std::f64::consts` value.
#![allow(clippy::excessive_precision, clippy::approx_constant, reason = "literals copied from stdlib/*.min")]

// ---------------------------------------------------------------------------
// Black–Scholes

/// The Black–Scholes price of a European call option: stock price `s`,
/// strike `x`, `t` years to expiry, risk-free rate `r`, volatility `sigma`.
pub fn price(s: f64, x: f64, t: f64, r: f64, sigma: f64) -> f64 {
    let d0 = log(s / x) + (r + sigma * sigma / 2.0) * t;
    let d1 = d0 / (sigma * t.sqrt());
    let d2 = d1 - sigma * t.sqrt();
    s * normal_cdf(d1) - x * exp(-r * t) * normal_cdf(d2)
}

/// `total` plus the prices at strikes 40 + n/1000, 40 + (n-1)/1000, …,
/// 40.001, added in that order (Min's `prices n total`).
pub fn prices(n: u64, total: f64) -> f64 {
    (1..=n).rev().fold(total, |total, i| total + price(42.0, 40.0 + i as f64 / 1000.0, 0.5, 0.1, 0.2))
}

/// The standard normal cumulative distribution function Φ(x), as Min's
/// `Normal.cdf`.
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x < -40.0 {
        0.0
    } else if x > 40.0 {
        1.0
    } else {
        // erfc at -x/√2, the product kept exactly to double-double
        // (1/√2 = 0.70710678118654757 - 4.8336466567264567e-17).
        let nx = -x;
        let vh = nx * 0.70710678118654757;
        let vl = mul_err(nx, 0.70710678118654757) + nx * -4.8336466567264567e-17;
        0.5 * erfc_dd(vh, vl)
    }
}

// ---------------------------------------------------------------------------
// Exact primitives (Min's `Prim.scale` and `Prim.exponent`)

/// `x · 2^k`, exact when representable and otherwise rounded once, at the
/// last multiplication (as musl's `scalbn` and Min's `Prim.scale`).
pub fn scale(x: f64, k: i32) -> f64 {
    const TWO_POW_1023: f64 = f64::from_bits(0x7fe0_0000_0000_0000);
    const TWO_POW_MINUS_969: f64 = f64::from_bits(54 << 52);
    let mut n = k.clamp(-2200, 2200);
    let mut y = x;
    while n > 1023 {
        y *= TWO_POW_1023;
        n -= 1023;
    }
    while n < -1022 {
        y *= TWO_POW_MINUS_969;
        n += 969;
    }
    y * f64::from_bits(((n + 1023) as u64) << 52)
}

/// `k` with `x = m · 2^k` and `1 ≤ |m| < 2`; 0 for zeros, NaN and infinities.
pub fn exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    match biased {
        0x7ff => 0,
        0 if fraction == 0 => 0,
        0 => (63 - fraction.leading_zeros() as i32) - 1074,
        _ => biased - 1023,
    }
}

// ---------------------------------------------------------------------------
// Double-double helpers

// ln 2 split for Cody–Waite reduction (see `stdlib/Math.min`).
const LN2_HI: f64 = 0.69314718036912382;
const LN2_LO: f64 = 1.9082149292705877e-10;

/// The rounding error of `a * b` (Dekker's product with Veltkamp's split).
pub fn mul_err(a: f64, b: f64) -> f64 {
    let p = a * b;
    let ah = split_hi(a);
    let al = a - ah;
    let bh = split_hi(b);
    let bl = b - bh;
    (((ah * bh - p) + ah * bl) + al * bh) + al * bl
}

/// The high 26 significant bits of `a`.
fn split_hi(a: f64) -> f64 {
    let c = a * 134217729.0;
    c - (c - a)
}

/// `c[0] + z (c[1] + z (c[2] + …))`, innermost product first, each
/// operation rounded as written.
fn horner(z: f64, coefficients: &[f64]) -> f64 {
    let (last, rest) = coefficients.split_last().expect("at least one coefficient");
    rest.iter().rev().fold(*last, |acc, &c| c + z * acc)
}

// ---------------------------------------------------------------------------
// Exponential

/// The exponential `e^x`, as Min's `Math.exp` (and `Math.e`).
pub fn exp(x: f64) -> f64 {
    exp_dd(x, 0.0)
}

/// `e^(x + xl)` for an argument carried as an unevaluated sum.
pub fn exp_dd(x: f64, xl: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 709.78271289338397 {
        f64::INFINITY
    } else if x < -745.13321910194111 {
        0.0
    } else {
        exp_reduced(x, xl)
    }
}

/// `x + xl = k ln2 + r` with `|r| ≤ ln2/2`, `e^r` by a polynomial, scaled by `2^k`.
fn exp_reduced(x: f64, xl: f64) -> f64 {
    let kr = (x * 1.4426950408889634 + 0.5).floor();
    let hi = x - kr * LN2_HI;
    let lo = kr * LN2_LO - xl;
    let r = hi - lo;
    let rr = r * r;
    let s = rr * 0.5 + rr * r * exp_q(r);
    let y = 1.0 + hi;
    let ye = (1.0 - y) + hi;
    // |kr| ≤ 1076 here, so the conversion is exact.
    scale(y + (ye + (s - lo)), kr as i32)
}

/// `(e^r - 1 - r - r²/2) / r³` on `|r| ≤ 0.35`.
fn exp_q(r: f64) -> f64 {
    horner(
        r,
        &[
            0.16666666666666669,
            0.04166666666666665,
            0.0083333333333298048,
            0.0013888888888901516,
            0.00019841269864330621,
            2.4801587273531321e-5,
            2.7557266487240804e-6,
            2.7557330033863274e-7,
            2.5101317515470009e-8,
            2.0894312525590212e-9,
        ],
    )
}

// ---------------------------------------------------------------------------
// Logarithm

/// The natural logarithm, as Min's `Math.log`.
pub fn log(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x < 0.0 {
        f64::NAN
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        let k = expo(x);
        let kr = f64::from(k);
        let f = scale(x, -k) - 1.0;
        kr * LN2_HI - (log1p_corr(f, kr * LN2_LO) - f)
    }
}

/// The `k` with `x = m · 2^k`, `m` in `[√½, √2)`, for finite `x > 0`.
fn expo(x: f64) -> i32 {
    if x < 2.2250738585072014e-308 { expo_normal(scale(x, 54)) - 54 } else { expo_normal(x) }
}

fn expo_normal(x: f64) -> i32 {
    let k = exponent(x);
    if scale(x, -k) > 1.4142135623730951 { k + 1 } else { k }
}

/// `f²/2 - (s (f²/2 + s² log_t(s²)) + c)` with `s = f/(2 + f)`.
fn log1p_corr(f: f64, c: f64) -> f64 {
    let s = f / (2.0 + f);
    let z = s * s;
    let hfsq = 0.5 * f * f;
    hfsq - (s * (hfsq + z * log_t(z)) + c)
}

/// `(2 atanh(s)/s - 2) / s²` as a function of `z = s²`.
fn log_t(z: f64) -> f64 {
    horner(
        z,
        &[
            0.66666666666666696,
            0.39999999999899116,
            0.28571428626133982,
            0.22222211111269174,
            0.18182890701684057,
            0.15331672955996295,
            0.14617012201661614,
        ],
    )
}

// ---------------------------------------------------------------------------
// Complementary error function

/// `erfc (x + xl)` for an argument carried as an unevaluated sum.
pub fn erfc_dd(x: f64, xl: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.5 {
        erfc_pos(x, xl)
    } else if x < -0.5 {
        2.0 - erfc_pos(-x, -xl)
    } else {
        1.0 - (erf_small(x) + xl * 1.1283791670955126)
    }
}

/// `erfc (v + vl)` for `v > 0.5`, as `e^(-(v + vl)²) erfcx v`.
fn erfc_pos(v: f64, vl: f64) -> f64 {
    if v > 27.3 {
        0.0
    } else {
        let p = v * v;
        let pe = mul_err(v, v) + (v + v) * vl;
        exp_dd(0.0 - p, 0.0 - pe) * erfcx(v)
    }
}

/// The scaled complementary error function `e^(v²) erfc v` for `v ≥ 0.5`.
fn erfcx(v: f64) -> f64 {
    if v < 4.0 {
        let p = horner(
            v,
            &[
                0.99999999999340117,
                1.6708736031565681,
                1.3973552265472786,
                0.72129673687606344,
                0.24477841628088703,
                0.054333382165001748,
                0.007321988335744779,
                0.00046684847574327606,
                1.6466567131373524e-11,
            ],
        );
        let q = horner(
            v,
            &[
                1.0,
                2.799252770140189,
                3.5559737367015845,
                2.6867834235436288,
                1.3262608100209214,
                0.44034083200848384,
                0.096717720078059899,
                0.012977850099165402,
                0.00082746886009162632,
            ],
        );
        p / q
    } else {
        let t = 1.0 / (v * v);
        let p = horner(
            t,
            &[
                0.56418958354775628,
                12.237890175211124,
                84.596549055910472,
                215.69425874468027,
                172.1994497771806,
                19.373907738415294,
            ],
        );
        let q = horner(
            t,
            &[1.0, 22.19109556801169, 160.2890269315111, 447.6843113075177, 443.88676957287691, 104.96341740959789],
        );
        (p / q) / v
    }
}

/// `erf x = x P(x²)` for `|x| ≤ 0.5`.
fn erf_small(x: f64) -> f64 {
    let z = x * x;
    x * horner(
        z,
        &[
            1.1283791670955126,
            -0.37612638903183465,
            0.11283791670924813,
            -0.026866170632715736,
            0.005223977370325707,
            -0.00085482975243579941,
            0.00012053324312691731,
            -1.4845583731765872e-5,
            1.4723215430404092e-6,
        ],
    )
}

// ---------------------------------------------------------------------------
// Term rewriting

/// The term language of `examples/rewrite.min`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// The empty term.
    Nil,
    /// `fun arg`.
    Apply(Box<Term>, Box<Term>),
    /// `if test then pos else neg`.
    If(Box<Term>, Box<Term>, Box<Term>),
    /// `left op right`.
    Binary(Box<Term>, &'static str, Box<Term>),
}

/// The paper's rewrite, on the root of a term; a term no rule matches is
/// returned unchanged.
pub fn rewrite(term: Term) -> Term {
    match term {
        Term::Binary(left, "|", c) if matches!(*left, Term::Binary(_, "&", _)) => {
            let Term::Binary(a, _, b) = *left else { unreachable!("the guard matched a binary term") };
            Term::If(a, b, c)
        }
        Term::Binary(a, "&", b) => Term::If(a, b, Box::new(Term::Nil)),
        Term::Binary(a, ".", b) => Term::Apply(b, a),
        Term::Binary(a, "@", b) => Term::Binary(b, ";", a),
        term => term,
    }
}

/// [`rewrite`] applied everywhere in a term, bottom up.
pub fn rewrite_all(term: Term) -> Term {
    let all = |t: Box<Term>| Box::new(rewrite_all(*t));
    match term {
        Term::Binary(a, op, b) => rewrite(Term::Binary(all(a), op, all(b))),
        Term::Apply(f, a) => Term::Apply(all(f), all(a)),
        Term::If(a, b, c) => Term::If(all(a), all(b), all(c)),
        Term::Nil => Term::Nil,
    }
}

/// A complete tree of depth `d` whose levels alternate between `&` and `|`.
pub fn build(d: u32) -> Term {
    if d == 0 {
        Term::Nil
    } else {
        let op = if d.is_multiple_of(2) { "&" } else { "|" };
        Term::Binary(Box::new(build(d - 1)), op, Box::new(build(d - 1)))
    }
}

/// The number of nodes of a term.
pub fn size(term: &Term) -> usize {
    match term {
        Term::Nil => 1,
        Term::Apply(f, a) => 1 + size(f) + size(a),
        Term::If(a, b, c) => 1 + size(a) + size(b) + size(c),
        Term::Binary(a, _, b) => 1 + size(a) + size(b),
    }
}

/// Builds a tree of depth `d`, rewrites it everywhere and counts what is
/// left (Min's `terms d`).
pub fn terms(d: u32) -> usize {
    size(&rewrite_all(build(d)))
}

// ---------------------------------------------------------------------------
// Lists

/// Doubles the numbers 1 … n, keeps the multiples of three and adds them up,
/// in ℕ's checked arithmetic: `None` where Min reports an overflow. Each
/// step builds its vector, as Min's `range`, `map` and `filter` each build
/// a list (Min's `lists n`).
pub fn lists(n: u128) -> Option<u128> {
    let range: Vec<u128> = (1..=n).collect();
    let doubled: Vec<u128> = range.iter().map(|x| x.checked_mul(2)).collect::<Option<_>>()?;
    let multiples: Vec<u128> = doubled.into_iter().filter(|x| x.is_multiple_of(3)).collect();
    multiples.into_iter().try_fold(0u128, u128::checked_add)
}

/// [`lists`] as one iterator chain that builds no vector: what a Rust
/// programmer would write when the intermediate lists are not needed.
pub fn lists_fused(n: u128) -> Option<u128> {
    (1..=n).try_fold(0u128, |total, x| {
        let doubled = x.checked_mul(2)?;
        if doubled.is_multiple_of(3) { total.checked_add(doubled) } else { Some(total) }
    })
}

#[cfg(test)]
mod tests;
