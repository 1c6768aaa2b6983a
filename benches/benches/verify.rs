//! `minc verify` of every example and every standard-library module, cold
//! (no cache: every obligation solved, on one thread per core) and warm
//! (every answer in the cache, as in a CI re-run with nothing changed), of
//! the bank contract alone, cold, and of the token contract alone, cold and
//! warm. Loading and checking the files is done
//! before timing starts; the walk, the queries and the solving are timed.

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use std::path::PathBuf;

/// The allocator `minc` uses, so that the numbers are `minc`'s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The `.min` files of `dir` under the repository root, sorted.
fn files_in(dir: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the directory exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "min"))
        .collect();
    files.sort();
    files
}

/// A workspace holding `paths`, checked.
fn loaded(paths: &[PathBuf]) -> (Workspace, Vec<SourceFile>) {
    let mut workspace = Workspace::new();
    let files: Vec<SourceFile> =
        paths.iter().map(|path| minc::load::load(&mut workspace, path).expect("the file loads")).collect();
    for &file in &files {
        let _ = workspace.program(file);
    }
    (workspace, files)
}

/// Every example and every standard-library module.
fn everything() -> Vec<PathBuf> {
    let mut paths = files_in("examples");
    paths.extend(files_in("stdlib"));
    paths
}

/// A cache directory of its own for this process.
fn cache_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("min-bench-verify-{name}-{}", std::process::id()))
}

#[divan::bench(sample_count = 5)]
fn verify_all_cold(bencher: divan::Bencher) {
    let (workspace, files) = loaded(&everything());
    let options = min_verify::Options::default();
    bencher.bench_local(|| {
        let report = min_verify::verify(&workspace, &files, &options).expect("no errors");
        assert_eq!(report.solver.cached, 0);
        report.verdicts.len()
    });
}

/// Verifies `files` once to fill a cache of its own, then times runs that
/// find every answer there.
fn bench_warm(bencher: divan::Bencher, (workspace, files): (Workspace, Vec<SourceFile>), name: &str) {
    let dir = cache_dir(name);
    let options = min_verify::Options { cache_dir: Some(dir.clone()), ..min_verify::Options::default() };
    min_verify::verify(&workspace, &files, &options).expect("no errors");
    bencher.bench_local(|| {
        let report = min_verify::verify(&workspace, &files, &options).expect("no errors");
        assert_eq!(report.solver.solved, 0, "every answer comes from the cache");
        report.verdicts.len()
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[divan::bench(sample_count = 20)]
fn verify_all_warm(bencher: divan::Bencher) {
    bench_warm(bencher, loaded(&everything()), "warm");
}

/// The example `name` alone, loaded and checked.
fn example(name: &str) -> (Workspace, Vec<SourceFile>) {
    loaded(&files_in("examples").into_iter().filter(|p| p.ends_with(name)).collect::<Vec<_>>())
}

#[divan::bench(sample_count = 5)]
fn verify_bank_cold(bencher: divan::Bencher) {
    let (workspace, files) = example("bank.min");
    let options = min_verify::Options::default();
    bencher.bench_local(|| min_verify::verify(&workspace, &files, &options).expect("no errors").verdicts.len());
}

#[divan::bench(sample_count = 5)]
fn verify_token_cold(bencher: divan::Bencher) {
    let (workspace, files) = example("token.min");
    let options = min_verify::Options::default();
    bencher.bench_local(|| min_verify::verify(&workspace, &files, &options).expect("no errors").verdicts.len());
}

#[divan::bench(sample_count = 20)]
fn verify_token_warm(bencher: divan::Bencher) {
    bench_warm(bencher, example("token.min"), "token");
}
