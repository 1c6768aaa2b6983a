//! Front-end throughput: parse + resolve + type check of a generated
//! 50,000-line program, against lexing the same text (the baseline, in the
//! same run), and `check` of one example end to end.

use min_analysis::Workspace;
use min_benches::generated_program;
use min_diagnostics::FileId;

/// The allocator `minc` uses, so that the numbers are `minc`'s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const LINES: usize = 50_000;

#[divan::bench(sample_count = 10)]
fn lex_50k_lines(bencher: divan::Bencher) {
    let text = generated_program(LINES);
    bencher.counter(divan::counter::ItemsCount::new(text.lines().count())).bench(|| {
        let (tokens, diagnostics) = min_syntax::lexer::lex(FileId(0), divan::black_box(&text));
        assert!(diagnostics.is_empty());
        tokens.len()
    });
}

#[divan::bench(sample_count = 10)]
fn parse_50k_lines(bencher: divan::Bencher) {
    let text = generated_program(LINES);
    bencher.counter(divan::counter::ItemsCount::new(text.lines().count())).bench(|| {
        let (module, diagnostics) = min_syntax::parse_module(FileId(0), divan::black_box(&text));
        assert!(diagnostics.is_empty());
        module.defs.len()
    });
}

#[divan::bench(sample_count = 10)]
fn check_50k_lines(bencher: divan::Bencher) {
    let text = generated_program(LINES);
    bencher
        .counter(divan::counter::ItemsCount::new(text.lines().count()))
        .with_inputs(|| {
            let mut workspace = Workspace::new();
            let file = workspace.add_file("generated.min", String::new());
            // The standard library is checked before timing starts.
            assert!(workspace.diagnostics(file).is_empty());
            (workspace, file)
        })
        .bench_local_values(|(mut workspace, file)| {
            workspace.set_text(file, text.clone());
            let errors = workspace.diagnostics(file).len();
            assert_eq!(errors, 0);
            workspace
        });
}

#[divan::bench(sample_count = 20)]
fn check_black_scholes_cold(bencher: divan::Bencher) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/black_scholes.min");
    let text = std::fs::read_to_string(path).expect("example exists");
    bencher.bench(|| {
        let mut workspace = Workspace::new();
        let file = workspace.add_file("black_scholes.min", text.clone());
        assert!(workspace.diagnostics(file).is_empty());
        workspace
    });
}
