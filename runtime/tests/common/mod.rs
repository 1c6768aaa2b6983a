//! What the runtime's tests share: contracts built by the real compiler.

use min_analysis::Workspace;

/// Builds the contract at `path` (relative to the crate), which may have
/// only the diagnostics whose codes are in `allowed`: its Wasm module and
/// its metadata.
pub fn build(name: &str, path: &str, allowed: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect("the contract exists");
    let mut workspace = Workspace::new();
    let file = workspace.add_file(&format!("{name}.min"), text);
    let codes: Vec<&str> = workspace.diagnostics(file).iter().map(|d| d.code.info().name).collect();
    assert!(codes.iter().all(|code| allowed.contains(code)), "{name} checks: {codes:?}");
    let artifact = minc::artifact::build(&workspace, file).expect("it builds");
    (artifact.wasm, artifact.metadata.into_bytes())
}
