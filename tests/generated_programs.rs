//! Random well-typed programs: the checker accepts every one, the
//! interpreter runs every one to a value or to a checked arithmetic error
//! (overflow, division by zero), never to an ill-formed program or a panic,
//! and the JIT and Wasm give exactly what the interpreter gives. Lists,
//! closures and tuples built in one function and returned from another
//! exercise the region inference.

use min_analysis::Workspace;
use minc::run::{Engine, RunError, Runner};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Int,
    Real,
    Bool,
    /// `[ℤ]`.
    Ints,
}

fn name(ty: Ty) -> &'static str {
    match ty {
        Ty::Int => "ℤ",
        Ty::Real => "ℝ",
        Ty::Bool => "Bool",
        Ty::Ints => "[ℤ]",
    }
}

fn literal(ty: Ty) -> BoxedStrategy<String> {
    match ty {
        Ty::Int => (-50i64..50).prop_map(|n| if n < 0 { format!("({n})") } else { n.to_string() }).boxed(),
        Ty::Real => (-40i32..40, 0u8..4).prop_map(|(n, f)| format!("({}.{})", n, [0, 25, 5, 75][f as usize])).boxed(),
        Ty::Bool => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        Ty::Ints => prop::collection::vec(-9i64..9, 0..4)
            .prop_map(|items| format!("[{}]", items.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")))
            .boxed(),
    }
}

/// An expression of type `ty` using the variables in `scope` (name, type).
fn expression(ty: Ty, depth: u32, scope: Vec<(String, Ty)>) -> BoxedStrategy<String> {
    let variables: Vec<String> = scope.iter().filter(|(_, t)| *t == ty).map(|(n, _)| n.clone()).collect();
    let leaf = if variables.is_empty() {
        literal(ty)
    } else {
        prop_oneof![literal(ty), prop::sample::select(variables)].boxed()
    };
    if depth == 0 {
        return leaf;
    }
    let sub = |t: Ty| expression(t, depth - 1, scope.clone());
    let fresh = format!("v{depth}");
    let mut inner_scope = scope.clone();
    let let_ty = match depth % 4 {
        0 => Ty::Int,
        1 => Ty::Real,
        2 => Ty::Ints,
        _ => Ty::Bool,
    };
    inner_scope.push((fresh.clone(), let_ty));
    let with_binding = (sub(let_ty), expression(ty, depth - 1, inner_scope.clone()))
        .prop_map(move |(value, body)| format!("(let {fresh} = {value} in {body})"));
    let conditional = (sub(Ty::Bool), sub(ty), sub(ty)).prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})"));
    let lambda_name = format!("p{depth}");
    let lambda_scope: Vec<(String, Ty)> = scope.iter().cloned().chain([(lambda_name.clone(), ty)]).collect();
    let applied = (expression(ty, depth - 1, lambda_scope), sub(ty))
        .prop_map(move |(body, argument)| format!("((λ{lambda_name} → {body}) {argument})"));
    let specific = match ty {
        Ty::Int => prop_oneof![
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} + {b})")),
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} - {b})")),
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} * {b})")),
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} / {b})")),
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} % {b})")),
            // Juxtaposition multiplies when the left side is known to be a
            // number: a literal (a λ parameter's type is not known yet).
            (1i64..9, sub(Ty::Int)).prop_map(|(a, b)| format!("({a} {b})")),
            (sub(Ty::Int), sub(Ty::Ints)).prop_map(|(d, l)| format!("(first_or {d} {l})")),
            sub(Ty::Ints).prop_map(|l| format!("(foldl (λa x → a + x) 0 {l})")),
            (sub(Ty::Int), sub(Ty::Ints)).prop_map(|(a, l)| format!("(snd (pair_with {a} {l}))")),
        ]
        .boxed(),
        Ty::Ints => prop_oneof![
            (sub(Ty::Int), sub(Ty::Ints)).prop_map(|(a, l)| format!("({a} :: {l})")),
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (sub(Ty::Ints), sub(Ty::Ints)).prop_map(|(a, b)| format!("({a} ++ {b})")),
            (sub(Ty::Int), sub(Ty::Ints)).prop_map(|(a, l)| format!("(map (λx → x + {a}) {l})")),
            sub(Ty::Ints).prop_map(|l| format!("(filter (λx → x % 2 == 0) {l})")),
            sub(Ty::Ints).prop_map(|l| format!("(reverse {l})")),
            (sub(Ty::Int), sub(Ty::Ints)).prop_map(|(a, l)| format!("(build {a} {l})")),
            (sub(Ty::Int), sub(Ty::Ints)).prop_map(|(a, l)| format!("(apply_adder {a} {l})")),
        ]
        .boxed(),
        Ty::Real => prop_oneof![
            (sub(Ty::Real), sub(Ty::Real)).prop_map(|(a, b)| format!("({a} + {b})")),
            (sub(Ty::Real), sub(Ty::Real)).prop_map(|(a, b)| format!("({a} * {b})")),
            (sub(Ty::Real), sub(Ty::Real)).prop_map(|(a, b)| format!("({a} / {b})")),
            sub(Ty::Real).prop_map(|a| format!("(√{a})")),
            sub(Ty::Real).prop_map(|a| format!("({a}²)")),
            sub(Ty::Real).prop_map(|a| format!("(Math.exp {a})")),
        ]
        .boxed(),
        Ty::Bool => prop_oneof![
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} < {b})")),
            (sub(Ty::Real), sub(Ty::Real)).prop_map(|(a, b)| format!("({a} ≤ {b})")),
            (sub(Ty::Int), sub(Ty::Int)).prop_map(|(a, b)| format!("({a} == {b})")),
            (sub(Ty::Ints), sub(Ty::Ints)).prop_map(|(a, b)| format!("({a} == {b})")),
            (sub(Ty::Bool), sub(Ty::Bool)).prop_map(|(a, b)| format!("({a} ∧ {b})")),
            (sub(Ty::Bool), sub(Ty::Bool)).prop_map(|(a, b)| format!("({a} ∨ {b})")),
            sub(Ty::Bool).prop_map(|a| format!("¬({a})")),
        ]
        .boxed(),
    };
    prop_oneof![2 => leaf, 4 => specific, 1 => with_binding, 1 => conditional, 1 => applied].boxed()
}

fn fuzz_cases() -> u32 {
    std::env::var("MIN_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(96)
}

/// Functions the generated expressions call: they build lists, tuples and
/// closures in one function and return them to another.
const LIBRARY: &str = "import Math

first_or : ℤ → [ℤ] → ℤ
first_or d xs = match xs
  [] → d
  y :: _ → y

pair_with : ℤ → [ℤ] → ([ℤ], ℤ)
pair_with a xs = (a :: xs, first_or a xs)

build : ℤ → [ℤ] → [ℤ]
build a xs = if a > 3 ∨ a < -3 then xs else a :: build (a + 1) (xs ++ [a])

adder : ℤ → [ℤ] → (ℤ → ℤ)
adder a xs = λx → x + a + first_or 0 xs

apply_adder : ℤ → [ℤ] → [ℤ]
apply_adder a xs = map (adder a xs) (a :: xs)
";

fn program() -> impl Strategy<Value = (Ty, String)> {
    prop_oneof![Just(Ty::Int), Just(Ty::Real), Just(Ty::Bool), Just(Ty::Ints)].prop_flat_map(|ty| {
        let parameter = vec![("x".to_string(), Ty::Int)];
        (expression(Ty::Int, 3, parameter), expression(ty, 4, Vec::new())).prop_map(move |(helper, main)| {
            let text = format!(
                "{LIBRARY}\nhelper : ℤ → ℤ\nhelper x = {helper}\n\nmain : {}\nmain = {main}\n\nuse : ℤ\nuse = helper 7\n",
                name(ty)
            );
            (ty, text)
        })
    })
}

proptest! {
    // More with `MIN_FUZZ_CASES=5000 cargo test --release -p min-tests --test generated_programs`.
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn generated_programs_check_and_run_alike_everywhere((_, text) in program()) {
        let mut workspace = Workspace::new();
        let file = workspace.add_file("generated.min", text.clone());
        let diagnostics = workspace.diagnostics(file);
        prop_assert!(diagnostics.is_empty(), "{text}\n{:#?}", diagnostics);
        let mut runner = Runner::new(&workspace, file, 10_000);
        for function in ["main", "use"] {
            let interpreted = runner.run(function, &[], Engine::Interpreter);
            match &interpreted {
                Ok(_) => {}
                Err(RunError::Runtime(error)) => {
                    let code = error.code.to_string();
                    prop_assert!(code == "E0410" || code == "E0411", "{text}\n{function}: {error:?}");
                }
                Err(other) => prop_assert!(false, "{text}\n{function}: {other:?}"),
            }
            for engine in [Engine::Jit, Engine::Wasm] {
                let compiled = runner.run(function, &[], engine);
                prop_assert_eq!(outcome(&compiled), outcome(&interpreted), "{}\n{} on {}", text, function, engine.name());
            }
        }
    }
}

/// A run's result, or its error's code, message and span, for comparing engines.
fn outcome(result: &Result<String, RunError>) -> String {
    match result {
        Ok(value) => value.clone(),
        Err(RunError::Runtime(error)) => format!("{} {} {:?}", error.code, error.message, error.span),
        Err(other) => format!("{other:?}"),
    }
}
