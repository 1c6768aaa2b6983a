//! Every `tests/regions/*.min`, annotated with the ownership of each
//! parameter and the region of each allocation (as `minc build --emit
//! regions` prints it), must equal the `.regions` file beside it.

use min_analysis::Workspace;
use min_diagnostics::render_plain;
use min_tests::{cases, compare_golden, relative};

#[test]
fn region_annotations_match_their_golden_files() {
    let mut workspace = Workspace::new();
    let mut failures = Vec::new();
    for path in cases("regions") {
        let text = std::fs::read_to_string(&path).expect("read case");
        let file = workspace.add_file(&relative(&path), text);
        let diagnostics = workspace.diagnostics(file);
        if !diagnostics.is_empty() {
            failures.push(format!("{}:\n{}", relative(&path), render_plain(diagnostics, &workspace)));
            continue;
        }
        let actual = minc::regions::annotate(&workspace, file);
        failures.extend(compare_golden(&path.with_extension("regions"), &actual));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
