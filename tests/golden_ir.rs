//! Every `tests/ir/*.min` is lowered to the core IR; its text (as
//! `minc build --emit ir` prints it) must equal the `.ir` file beside it.

use min_analysis::Workspace;
use min_diagnostics::render_plain;
use min_tests::{cases, compare_golden, relative};

#[test]
fn core_ir_matches_its_golden_files() {
    let mut workspace = Workspace::new();
    let mut failures = Vec::new();
    for path in cases("ir") {
        let text = std::fs::read_to_string(&path).expect("read case");
        let file = workspace.add_file(&relative(&path), text);
        let diagnostics = workspace.diagnostics(file);
        if !diagnostics.is_empty() {
            failures.push(format!("{}:\n{}", relative(&path), render_plain(diagnostics, &workspace)));
            continue;
        }
        let actual = min_core::module_to_string(&workspace.check(file).core);
        failures.extend(compare_golden(&path.with_extension("ir"), &actual));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
