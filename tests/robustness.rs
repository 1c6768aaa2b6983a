//! Random and mutated sources go through the lexer, parser and checker
//! without a panic; every failure is a diagnostic with a code and a span
//! inside the file.

use min_analysis::Workspace;
use min_tests::root;
use proptest::prelude::*;

/// The examples and the standard library: the sources the mutations start from.
fn seeds() -> Vec<String> {
    let mut seeds = Vec::new();
    for folder in ["examples", "examples/calls", "examples/attacks", "stdlib"] {
        let mut paths: Vec<_> = std::fs::read_dir(root().join(folder))
            .expect("folder exists")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "min"))
            .collect();
        paths.sort();
        seeds.extend(paths.iter().map(|path| std::fs::read_to_string(path).expect("read seed")));
    }
    seeds
}

/// Fragments that mutations insert: tokens of every kind, layout, and junk.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "→",
    "=",
    "@",
    "\n",
    "\n  ",
    "\n    ",
    "\t",
    " ",
    "λ",
    "\\",
    "|",
    ",",
    ":",
    "::",
    "..",
    ".",
    "_",
    "'",
    "\"",
    "'x'",
    "\"s\"",
    "0",
    "1.5",
    "99999999999999999999999999999999999999999",
    "-",
    "+",
    "*",
    "/",
    "^",
    "²",
    "√",
    "¬",
    "∧",
    "∨",
    "==",
    "≠",
    "<",
    "≤",
    "if",
    "then",
    "else",
    "match",
    "let",
    "in",
    "import",
    "Tag",
    "Record",
    "x",
    "Nil",
    "Some",
    "ℕ",
    "ℝ",
    "S",
    "#",
    "$",
    "€",
    "\u{0}",
    "σ",
    "φ",
];

fn fuzz_cases() -> u32 {
    std::env::var("MIN_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..12).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(at, fragment)| Mutation::Insert(at, fragment)),
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
    ]
}

/// The nearest char boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, mutation: &Mutation) {
    match *mutation {
        Mutation::Delete(at, len) => {
            let start = boundary(text, at);
            let end = boundary(text, (start + len).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Insert(at, fragment) => {
            let at = boundary(text, at);
            text.insert_str(at, FRAGMENTS[fragment]);
        }
        Mutation::Duplicate(at, len) => {
            let start = boundary(text, at);
            let end = boundary(text, (start + len).min(text.len())).max(start);
            let copy = text[start..end].to_string();
            text.insert_str(end, &copy);
        }
    }
}

fn check_without_panic(workspace: &mut Workspace, file: min_analysis::db::SourceFile, text: String) {
    let len = text.len() as u32;
    workspace.set_text(file, text);
    for diagnostic in workspace.diagnostics(file) {
        if diagnostic.span.file == file.id(workspace.db()) {
            assert!(diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= len, "{diagnostic:?}");
        }
        assert!(!diagnostic.message.is_empty());
    }
}

proptest! {
    // More cases with `MIN_FUZZ_CASES=20000 cargo test --release -p min-tests --test robustness`.
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutated_examples_never_panic(seed in any::<prop::sample::Index>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        let mut workspace = Workspace::new();
        let file = workspace.add_file("mutant.min", String::new());
        check_without_panic(&mut workspace, file, text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let mut workspace = Workspace::new();
        let file = workspace.add_file("random.min", String::new());
        check_without_panic(&mut workspace, file, text);
    }

    #[test]
    fn token_soup_never_panics(pieces in prop::collection::vec(0..FRAGMENTS.len(), 0..60)) {
        let text: String = pieces.iter().map(|&i| FRAGMENTS[i]).collect::<Vec<_>>().join(" ");
        let mut workspace = Workspace::new();
        let file = workspace.add_file("soup.min", String::new());
        check_without_panic(&mut workspace, file, text);
    }
}

/// The deepest expressions the parser lets through are checked without
/// exhausting a test thread's stack (2 MiB), in a debug build.
#[test]
fn the_deepest_accepted_expressions_check_on_a_small_stack() {
    let depth = min_syntax::DEPTH_LIMIT - 5;
    let sources = [
        format!("x = {}\n", vec!["1"; depth].join(" + ")),
        format!("y = {}1{}\n", "(".repeat(100), ")".repeat(100)),
        format!("z = {}true\n", "if true then 1 else ".repeat(depth / 4)).replace("true\n", "2\n"),
        format!("w = {}0\n", "λa → ".repeat(depth / 2)),
        format!("v = {}[]\n", "1 :: ".repeat(depth - 2)),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut workspace = Workspace::new();
            for (i, source) in sources.into_iter().enumerate() {
                let file = workspace.add_file(&format!("deep{i}.min"), source);
                let _ = workspace.diagnostics(file);
            }
        })
        .expect("spawn");
    handle.join().expect("no stack overflow");
}
