//! Every `tests/ui/*.min` is checked; its diagnostics, in the plain form,
//! must equal the `.stderr` file beside it.

use min_analysis::Workspace;
use min_diagnostics::render_plain;
use min_tests::{cases, compare_golden, relative};

#[test]
fn ui_diagnostics_match_their_golden_files() {
    let mut workspace = Workspace::new();
    let mut failures = Vec::new();
    for path in cases("ui") {
        let text = std::fs::read_to_string(&path).expect("read case");
        let file = workspace.add_file(&relative(&path), text);
        let actual = render_plain(workspace.diagnostics(file), &workspace);
        if actual.is_empty() {
            failures.push(format!("{}: expected at least one diagnostic", relative(&path)));
        }
        failures.extend(compare_golden(&path.with_extension("stderr"), &actual));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
