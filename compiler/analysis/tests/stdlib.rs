//! The standard library checks without a diagnostic.

use min_analysis::Workspace;
use min_diagnostics::{FileId, render_plain};

#[test]
fn every_standard_module_checks_cleanly() {
    let workspace = Workspace::new();
    let mut all = Vec::new();
    for id in 0.. {
        let Some(file) = workspace.file(FileId(id)) else { break };
        all.extend(workspace.diagnostics(file).iter().cloned());
    }
    assert!(all.is_empty(), "{}", render_plain(&all, &workspace));
}
