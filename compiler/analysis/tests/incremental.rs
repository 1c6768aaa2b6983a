//! Edits re-run only what they change: salsa re-parses and re-checks the
//! edited module, and re-checks an importer only when the edited module's
//! interface changed.

use min_analysis::Workspace;

fn executed(workspace: &Workspace, query: &str) -> usize {
    workspace.take_query_log().iter().filter(|entry| entry.starts_with(&format!("{query}("))).count()
}

#[test]
fn a_body_edit_does_not_recheck_importers_but_a_signature_edit_does() {
    let mut workspace = Workspace::with_query_log();
    let geometry = workspace.add_file("Geometry.min", "area : ℝ → ℝ\narea r = 3.14 r r\n".to_string());
    let app = workspace.add_file("app.min", "import Geometry\nmain = Geometry.area 2.0\n".to_string());
    assert!(workspace.diagnostics(app).is_empty());
    assert!(executed(&workspace, "check") > 2, "the first check runs everything");

    // A new body, the same interface: only Geometry is checked again.
    workspace.set_text(geometry, "area : ℝ → ℝ\narea r = 3.14159 r²\n".to_string());
    assert!(workspace.diagnostics(app).is_empty());
    assert_eq!(executed(&workspace, "check"), 1, "only the edited module");

    // Nothing changed: nothing runs.
    assert!(workspace.diagnostics(app).is_empty());
    assert_eq!(executed(&workspace, "check"), 0);

    // A new interface: the importer is checked again and sees the change.
    workspace.set_text(geometry, "area : ℝ → ℝ → ℝ\narea w h = w h\n".to_string());
    let diagnostics = workspace.diagnostics(app);
    assert_eq!(diagnostics.len(), 0, "partial application still type checks");
    assert_eq!(executed(&workspace, "check"), 2, "the edited module and its importer");
}

#[test]
fn editing_one_module_does_not_reparse_the_others() {
    let mut workspace = Workspace::with_query_log();
    let first = workspace.add_file("first.min", "x = 1\n".to_string());
    let second = workspace.add_file("second.min", "y = 2\n".to_string());
    let _ = workspace.diagnostics(first);
    let _ = workspace.diagnostics(second);
    workspace.take_query_log();
    workspace.set_text(first, "x = 3\n".to_string());
    let _ = workspace.diagnostics(first);
    let _ = workspace.diagnostics(second);
    assert_eq!(executed(&workspace, "parse"), 1);
}

#[test]
fn moving_definitions_down_does_not_recheck_importers() {
    let mut workspace = Workspace::with_query_log();
    let geometry = workspace.add_file("Geometry.min", "area : ℝ → ℝ\narea r = 3.0 r²\n".to_string());
    let app = workspace.add_file("app.min", "import Geometry\nmain = Geometry.area 2.0\n".to_string());
    assert!(workspace.diagnostics(app).is_empty());
    workspace.take_query_log();
    // Blank lines above `area` move it down: the same interface.
    workspace.set_text(geometry, "\n\n\narea : ℝ → ℝ\narea r = 3.0 r²\n".to_string());
    assert!(workspace.diagnostics(app).is_empty());
    assert_eq!(executed(&workspace, "check"), 1, "only the edited module");
}
