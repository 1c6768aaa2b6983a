//! Inputs for Min's benchmarks, and the Rust baseline of the backend
//! benchmarks.

use std::fmt::Write;
use std::path::PathBuf;

pub mod baseline;

/// The Min program of the backend benchmarks, `benches/programs/workloads.min`.
pub fn workloads_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs/workloads.min")
}

/// A well-typed Min program of about `lines` lines that exercises the front
/// end broadly: algebraic data types, rules, matches, lambdas, where-blocks,
/// juxtaposition, records and lists. Every definition is distinct.
pub fn generated_program(lines: usize) -> String {
    let mut out = String::from("# Generated for benchmarks.\nimport List\n\n");
    let mut i = 0;
    let mut count = out.lines().count();
    while count < lines {
        let before = out.len();
        write!(
            out,
            "\
Shape{i} = Tag
  Circle{i} r:ℝ
  Rect{i} w:ℝ h:ℝ
  Poly{i} points:[(ℝ, ℝ)]

Point{i} = Record x:ℝ y:ℝ

# The area of a shape.
area{i} : Shape{i} → ℝ
area{i} s = match s
  Circle{i} r → 3.14159 r²
  Rect{i} w h → w h
  Poly{i} ps → 0.5 (cross{i} ps)

cross{i} : [(ℝ, ℝ)] → ℝ
cross{i} ps = match ps
  (x1, y1) :: (x2, y2) :: rest → x1 y2 - x2 y1 + cross{i} ((x2, y2) :: rest)
  _ → 0.0

norm{i} : Point{i} → ℝ
norm{i} p = √(p.x² + p.y²)

shift{i} : Point{i} → ℝ → Point{i}
shift{i} p d = {{p | x = p.x + d}}

total{i} xs = foldl (λacc s → acc + area{i} s) 0.0 xs

scaled{i} k xs = map (λx → k x) xs @
  unused = k + 1.0

classify{i} : ℤ → S
classify{i} n = if n < 0 then \"negative\" else if n == 0 then \"zero\" else \"positive\"

count{i} : [ℕ] → ℕ
count{i} xs = match xs
  [] → 0
  y :: ys → y + count{i} ys

pairs{i} xs ys = List.zip xs (map (λy → 2 y) ys)

",
        )
        .expect("writing to a string");
        count += out[before..].lines().count();
        i += 1;
    }
    out
}
