//! What the language server does on a 5,000-line file, in process: a
//! one-character edit followed by the diagnostics, a hover, a completion.
//! The baseline, in the same run, is checking the file from scratch.

use min_analysis::{Workspace, ide};
use min_benches::generated_program;

/// The allocator `minc` and `min-lsp` use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const LINES: usize = 5_000;

fn loaded() -> (Workspace, min_analysis::db::SourceFile, String) {
    let text = generated_program(LINES);
    let mut workspace = Workspace::new();
    let file = workspace.add_file("big.min", text.clone());
    assert!(workspace.diagnostics(file).is_empty());
    (workspace, file, text)
}

#[divan::bench(sample_count = 30)]
fn check_from_scratch(bencher: divan::Bencher) {
    let text = generated_program(LINES);
    bencher
        .with_inputs(|| {
            let mut workspace = Workspace::new();
            let file = workspace.add_file("big.min", String::new());
            let _ = workspace.diagnostics(file);
            (workspace, file)
        })
        .bench_local_values(|(mut workspace, file)| {
            workspace.set_text(file, text.clone());
            assert!(workspace.diagnostics(file).is_empty());
            workspace
        });
}

#[divan::bench(sample_count = 30)]
fn one_character_edit_to_diagnostics(bencher: divan::Bencher) {
    let (mut workspace, file, text) = loaded();
    // Alternate between two texts that differ in one literal deep in the file.
    let at = text.rfind("3.14159").expect("a literal to edit");
    let edited = format!("{}3.14158{}", &text[..at], &text[at + 7..]);
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        workspace.set_text(file, if flip { edited.clone() } else { text.clone() });
        workspace.diagnostics(file).len()
    });
}

#[divan::bench(sample_count = 100)]
fn hover(bencher: divan::Bencher) {
    let (workspace, file, text) = loaded();
    let offset = text.rfind("area").expect("a name") as u32 + 1;
    bencher.bench_local(|| ide::hover(&workspace, file, offset).expect("a hover"));
}

#[divan::bench(sample_count = 100)]
fn completion(bencher: divan::Bencher) {
    let (workspace, file, text) = loaded();
    let offset = text.rfind("k x").expect("a body") as u32;
    bencher.bench_local(|| ide::completions(&workspace, file, offset).len());
}
