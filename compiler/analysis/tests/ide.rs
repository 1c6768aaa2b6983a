//! The editor's questions, answered on small programs.

use min_analysis::Workspace;
use min_analysis::ide::{self, SymbolKind};

const PROGRAM: &str = "\
# A shape.
Shape = Tag
  Circle r:ℝ
  Square side:ℝ

# The area of a shape.
area : Shape → ℝ
area s = match s
  Circle r → 3.14 r²
  Square x → x x

total = area (Circle 1.0) + area (Square 2.0)
";

fn offset_of(needle: &str, nth: usize) -> u32 {
    PROGRAM.match_indices(needle).nth(nth).expect("needle present").0 as u32
}

#[test]
fn hover_shows_the_type_and_the_doc_comment() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let hover = ide::hover(&workspace, file, offset_of("area (Circle", 0) + 1).expect("a name");
    assert!(hover.markdown.contains("area : Shape → ℝ"), "{}", hover.markdown);
    assert!(hover.markdown.contains("The area of a shape."), "{}", hover.markdown);
    let local = ide::hover(&workspace, file, offset_of("x x", 0)).expect("a local");
    assert!(local.markdown.contains("x : ℝ"), "{}", local.markdown);
}

#[test]
fn definition_and_references_follow_names() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let definition = ide::definition(&workspace, file, offset_of("Circle 1.0", 0)).expect("a constructor");
    assert_eq!(definition.start, offset_of("Circle r:", 0));
    let uses = ide::references(&workspace, file, offset_of("area s", 0), true);
    assert_eq!(uses.len(), 4, "the signature's name, the equation's and two uses: {uses:?}");
    let locals = ide::references(&workspace, file, offset_of("x x", 0), true);
    assert_eq!(locals.len(), 3, "bound once, used twice");
}

#[test]
fn definitions_in_other_modules_are_found() {
    let mut workspace = Workspace::new();
    let text = "import Normal\np = Normal.cdf 0.5\n";
    let file = workspace.add_file("uses_math.min", text.to_string());
    let span = ide::definition(&workspace, file, text.find("cdf").unwrap() as u32).expect("Normal.cdf");
    let normal = workspace.file(span.file).expect("a file");
    assert_eq!(workspace.module_name(normal), "Normal");
}

#[test]
fn completion_lists_what_is_in_scope_and_qualified_names() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let labels: Vec<String> =
        ide::completions(&workspace, file, offset_of("x x", 0)).into_iter().map(|c| c.label).collect();
    for expected in ["x", "area", "total", "Circle", "map", "match"] {
        assert!(labels.contains(&expected.to_string()), "{expected} in {labels:?}");
    }
    let text = "import Normal\np = Normal.\n";
    let other = workspace.add_file("qualified.min", text.to_string());
    let qualified: Vec<String> = ide::completions(&workspace, other, text.find("Normal.\n").unwrap() as u32 + 7)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(qualified.contains(&"cdf".to_string()), "{qualified:?}");
}

#[test]
fn the_outline_lists_types_constructors_and_definitions() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let symbols = ide::document_symbols(&workspace, file);
    let names: Vec<(&str, SymbolKind)> = symbols.iter().map(|s| (s.name.as_str(), s.kind)).collect();
    assert_eq!(names, vec![("Shape", SymbolKind::Type), ("area", SymbolKind::Function), ("total", SymbolKind::Value)]);
    assert_eq!(symbols[0].children.len(), 2);
    assert_eq!(symbols[1].detail, "Shape → ℝ");
}

#[test]
fn rename_covers_every_use_and_refuses_bad_names() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let spans = ide::rename(&workspace, file, offset_of("area s", 0), "size").expect("renamable");
    assert_eq!(spans.len(), 4);
    assert!(ide::rename(&workspace, file, offset_of("area s", 0), "Size").is_err());
    assert!(ide::rename(&workspace, file, offset_of("area s", 0), "two words").is_err());
}

#[test]
fn a_qualified_use_is_renamed_without_its_module() {
    let mut workspace = Workspace::new();
    let geometry = workspace.add_file("Geometry.min", "area : ℝ → ℝ\narea r = 3.0 r²\n".to_string());
    let text = "import Geometry\nsize = Geometry.area 2.0\n";
    let app = workspace.add_file("app.min", text.to_string());
    let use_offset = text.find("area").unwrap() as u32;
    let spans = ide::rename(&workspace, app, use_offset + 1, "surface").expect("renamable from the use");
    let written: Vec<&str> = spans
        .iter()
        .map(|span| {
            let file = if span.file == app.id(workspace.db()) { app } else { geometry };
            &workspace.file_text(file.id(workspace.db()))[span.range()]
        })
        .collect();
    assert!(written.iter().all(|w| *w == "area"), "{written:?}");
    assert_eq!(spans.len(), 3);
}
