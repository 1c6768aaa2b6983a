//! What the runtime's tests share: contracts built by the real compiler.

#![allow(dead_code)]

use min_analysis::Workspace;
use min_runtime::Contract;
use std::path::Path;

/// Builds the contract at `path` (relative to the crate, with the modules
/// it imports from beside it), which may have only the diagnostics whose
/// codes are in `allowed`: its Wasm module and its metadata.
pub fn build(path: &str, allowed: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let (workspace, file) = loaded(path);
    let codes: Vec<&str> = workspace.diagnostics(file).iter().map(|d| d.code.info().name).collect();
    assert!(codes.iter().all(|code| allowed.contains(code)), "{path} checks: {codes:?}");
    let artifact = minc::artifact::build(&workspace, file).expect("it builds");
    (artifact.wasm, artifact.metadata.into_bytes())
}

/// The contract at `path` (as [`build`] takes it, with no diagnostics),
/// built and loaded from its bytes.
pub fn contract(path: &str) -> Contract {
    let (wasm, metadata) = build(path, &[]);
    Contract::load(&wasm, &metadata).expect("the runtime loads it")
}

/// The workspace holding the file at `path` and what it imports, and the file.
pub fn loaded(path: &str) -> (Workspace, min_analysis::db::SourceFile) {
    let mut workspace = Workspace::new();
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let file = minc::load::load(&mut workspace, &full).expect("the contract loads");
    (workspace, file)
}
