//! Edits re-run only what they change: salsa re-parses only the edited
//! items, re-checks the edited module, and re-checks an importer only when
//! the edited module's interface changed. Whatever is reused, the results
//! are those of checking from scratch.

use min_analysis::types::TypePrinter;
use min_analysis::{Checked, Workspace};

fn executed(workspace: &Workspace, query: &str) -> usize {
    workspace.take_query_log().iter().filter(|entry| entry.starts_with(&format!("{query}("))).count()
}

/// How many modules' results were put together again: `check` (what
/// importers' interfaces and the editor's questions read) or `diagnostics`
/// (what an edit publishes) per module.
fn rechecked(workspace: &Workspace) -> usize {
    let log = workspace.take_query_log();
    log.iter().filter(|entry| entry.starts_with("check(") || entry.starts_with("diagnostics(")).count()
}

#[test]
fn a_body_edit_does_not_recheck_importers_but_a_signature_edit_does() {
    let mut workspace = Workspace::with_query_log();
    let geometry = workspace.add_file("Geometry.min", "area : ℝ → ℝ\narea r = 3.14 r r\n".to_string());
    let app = workspace.add_file("app.min", "import Geometry\nmain = Geometry.area 2.0\n".to_string());
    assert!(workspace.diagnostics(app).is_empty());
    assert!(rechecked(&workspace) > 2, "the first check runs everything");

    // A new body, the same interface: only Geometry is checked again.
    workspace.set_text(geometry, "area : ℝ → ℝ\narea r = 3.14159 r²\n".to_string());
    assert!(workspace.diagnostics(app).is_empty());
    assert_eq!(rechecked(&workspace), 1, "only the edited module");

    // Nothing changed: nothing runs.
    assert!(workspace.diagnostics(app).is_empty());
    assert_eq!(rechecked(&workspace), 0);

    // A new interface: the importer is checked again and sees the change.
    workspace.set_text(geometry, "area : ℝ → ℝ → ℝ\narea w h = w h\n".to_string());
    let diagnostics = workspace.diagnostics(app);
    assert_eq!(diagnostics.len(), 0, "partial application still type checks");
    assert_eq!(rechecked(&workspace), 2, "the edited module and its importer");
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
    assert_eq!(rechecked(&workspace), 1, "only the edited module");
}

#[test]
fn an_edit_reparses_only_the_items_it_changed() {
    let mut workspace = Workspace::with_query_log();
    let text =
        "area : ℝ → ℝ\narea r = 3.0 r²\n\nperimeter : ℝ → ℝ\nperimeter r = 6.0 r\n\nboth r = (area r, perimeter r)\n";
    let file = workspace.add_file("Geometry.min", text.to_string());
    assert!(workspace.diagnostics(file).is_empty());
    workspace.take_query_log();
    // A longer body in the first equation moves every item below it.
    workspace.set_text(file, text.replace("3.0 r²", "3.14159 r²"));
    assert!(workspace.diagnostics(file).is_empty());
    let log = workspace.take_query_log();
    let reparsed = log.iter().filter(|entry| entry.starts_with("parse_item(")).count();
    assert_eq!(reparsed, 1, "only the edited equation is parsed again: {log:?}");
    let both = workspace.syntax(file).defs.iter().find(|def| def.name.text == "both").expect("`both`");
    let moved = workspace.file_text(both.name.span.file);
    assert_eq!(&moved[both.name.span.range()], "both", "a reused item sits where its text is now");
}

/// A deterministic source of pseudo-random numbers (xorshift).
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// `text` with one random edit: a deletion of up to three characters, or an
/// insertion of a piece of Min (some of them breaking it).
fn edit(text: &str, random: &mut Seeded) -> String {
    const PIECES: [&str; 16] =
        ["x", " ", "\n", "\n  ", "1", "(", ")", "[", "→", "= 2", "\"", "#", "\nfoo : ℕ\n", "match", "λ", "@"];
    let mut at = random.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut out = text.to_string();
    if random.below(2) == 0 {
        let mut end = (at + random.below(4)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        out.replace_range(at..end, "");
    } else {
        out.insert_str(at, PIECES[random.below(PIECES.len())]);
    }
    out
}

#[test]
fn incremental_results_equal_those_of_a_fresh_workspace() {
    let example = |name: &str| {
        std::fs::read_to_string(format!("{}/../../examples/{name}.min", env!("CARGO_MANIFEST_DIR")))
            .expect("an example")
    };
    let mut sources: Vec<(String, String, u64)> = [("shapes", 7), ("bank", 11), ("json", 13)]
        .into_iter()
        .map(|(name, seed)| (name.to_string(), example(name), seed))
        .collect();
    for (seed, name) in ["lists", "rewrite", "term", "black_scholes", "coins"].into_iter().enumerate() {
        sources.push((name.to_string(), example(name), seed as u64 * 7919 + 17));
    }
    sources.push(("generated".to_string(), SHAPES.to_string(), 5));
    for (name, original, seed) in sources {
        let mut random = Seeded(seed);
        let mut workspace = Workspace::new();
        let file = workspace.add_file(&format!("{name}.min"), original.clone());
        assert_same_as_one_pass(workspace.check(file), &workspace.check_in_one_pass(file), &name);
        let mut text = original.clone();
        for step in 0..60 {
            // Mostly single edits, sometimes a return to the example as written.
            text = if step % 20 == 19 { original.clone() } else { edit(&text, &mut random) };
            workspace.set_text(file, text.clone());
            let mut fresh = Workspace::new();
            let fresh_file = fresh.add_file(&format!("{name}.min"), text.clone());
            assert_eq!(
                workspace.diagnostics(file),
                fresh.diagnostics(fresh_file),
                "{name}, step {step}: diagnostics differ on\n{text}"
            );
            assert_eq!(
                workspace.diagnostics(file),
                workspace.check(file).diagnostics,
                "{name}, step {step}: diagnostics differ from the checked module's on\n{text}"
            );
            assert_eq!(workspace.syntax(file), fresh.syntax(fresh_file), "{name}, step {step}: syntax differs");
            assert_eq!(workspace.check(file).names, fresh.check(fresh_file).names, "{name}, step {step}: names differ");
            // Checked apart where it can be, the same as in one pass.
            assert_same_as_one_pass(
                workspace.check(file),
                &fresh.check_in_one_pass(fresh_file),
                &format!("{name}, step {step}, on\n{text}"),
            );
        }
    }
}

/// `checked` (with definitions checked apart) against `one_pass` (the module
/// checked in one pass): the same diagnostics, core IR, interface and tests,
/// and the same names with the same types as the editor shows them (type
/// variables are numbered per definition when it is checked apart).
fn assert_same_as_one_pass(checked: &Checked, one_pass: &Checked, context: &str) {
    assert_eq!(checked.diagnostics, one_pass.diagnostics, "{context}: diagnostics differ from one pass");
    assert_eq!(checked.core, one_pass.core, "{context}: core IR differs from one pass");
    assert_eq!(checked.interface, one_pass.interface, "{context}: interface differs from one pass");
    assert_eq!(checked.tests, one_pass.tests, "{context}: tests differ from one pass");
    let shown = |checked: &Checked| -> Vec<_> {
        checked
            .names
            .iter()
            .map(|name| (name.span, TypePrinter::default().show(&name.ty), name.target.clone(), name.definition))
            .collect()
    };
    assert_eq!(shown(checked), shown(one_pass), "{context}: names differ from one pass");
}

/// Shapes, as the benchmarks generate them: signed functions checked apart,
/// unsigned ones (one generic over numbers) with the module.
const SHAPES: &str = "import List

Shape = Tag
  Circle r:ℝ
  Rect w:ℝ h:ℝ
  Poly points:[(ℝ, ℝ)]

Point = Record x:ℝ y:ℝ

# The area of a shape.
area : Shape → ℝ
area s = match s
  Circle r → 3.14159 r²
  Rect w h → w h
  Poly ps → 0.5 (cross ps)

cross : [(ℝ, ℝ)] → ℝ
cross ps = match ps
  (x1, y1) :: (x2, y2) :: rest → x1 y2 - x2 y1 + cross ((x2, y2) :: rest)
  _ → 0.0

norm : Point → ℝ
norm p = √(p.x² + p.y²)

shift : Point → ℝ → Point
shift p d = {p | x = p.x + d}

total xs = foldl (λacc s → acc + area s) 0.0 xs

scaled k xs = map (λx → k x) xs @
  unused = k + 1.0

classify : ℤ → S
classify n = if n < 0 then \"negative\" else if n == 0 then \"zero\" else \"positive\"

count : [ℕ] → ℕ
count xs = match xs
  [] → 0
  y :: ys → y + count ys

pairs xs ys = List.zip xs (map (λy → 2 y) ys)

lengths : [[ℕ]] → ℕ
lengths xss = foldl (λn xs → n + count xs) 0 xss
";

#[test]
fn an_edit_inside_a_signed_body_rechecks_only_that_definition() {
    let mut workspace = Workspace::with_query_log();
    let file = workspace.add_file("Shapes.min", SHAPES.to_string());
    assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
    assert_same_as_one_pass(workspace.check(file), &workspace.check_in_one_pass(file), "as written");
    assert!(executed(&workspace, "check_definition") >= 8, "the signed functions are checked apart");

    // The same length: nothing moves, one body is checked again.
    workspace.set_text(file, SHAPES.replace("3.14159", "3.14158"));
    assert!(workspace.diagnostics(file).is_empty());
    let log = workspace.take_query_log();
    let rechecked = log.iter().filter(|entry| entry.starts_with("check_definition(")).count();
    assert_eq!(rechecked, 1, "only `area` is checked again: {log:?}");
    assert!(!log.iter().any(|entry| entry.starts_with("frame(")), "the frame is reused: {log:?}");
    assert!(!log.iter().any(|entry| entry.starts_with("check(")), "the module's results are not put together: {log:?}");
    assert_same_as_one_pass(workspace.check(file), &workspace.check_in_one_pass(file), "edited");

    // A type error inside the body is reported where it is.
    workspace.set_text(file, SHAPES.replace("3.14159 r²", "\"pi\" r²"));
    let diagnostics = workspace.diagnostics(file).to_vec();
    assert!(!diagnostics.is_empty());
    assert_same_as_one_pass(workspace.check(file), &workspace.check_in_one_pass(file), "broken");
}

#[test]
fn bodies_that_settle_a_shared_type_are_checked_with_the_module() {
    // `rate` is a monomorphic number until `apply`'s body makes it ℝ: the
    // module is checked in one pass, with the same results.
    let text = "rate = 2\n\napply : ℝ → ℝ\napply x = rate x\n\ntwice : ℕ → ℕ\ntwice n = n + n\n";
    let mut workspace = Workspace::new();
    let file = workspace.add_file("Rates.min", text.to_string());
    assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
    assert_same_as_one_pass(workspace.check(file), &workspace.check_in_one_pass(file), "rates");
}

#[test]
fn specification_clauses_of_a_moved_item_sit_where_their_text_is() {
    let original = std::fs::read_to_string(format!("{}/../../examples/bank.min", env!("CARGO_MANIFEST_DIR")))
        .expect("the bank example");
    let mut workspace = Workspace::new();
    let file = workspace.add_file("bank.min", original.clone());
    let _ = workspace.diagnostics(file);
    let moved = format!("\n\n{original}");
    workspace.set_text(file, moved.clone());
    let mut fresh = Workspace::new();
    let fresh_file = fresh.add_file("bank.min", moved);
    assert_eq!(workspace.syntax(file), fresh.syntax(fresh_file));
    let specs: usize = workspace.syntax(file).defs.iter().map(|def| def.specs.len()).sum();
    assert!(specs >= 3, "the bank's clauses are parsed: {specs}");
}

#[test]
fn a_definition_whose_index_changes_in_place_is_checked_again() {
    // `rate`'s equation stops parsing without moving a byte: every
    // definition below keeps its text and place but not its index.
    let text = format!("rate = 1\n\n{SHAPES}");
    let broken = text.replacen("rate = 1", "rate = (", 1);
    let mut workspace = Workspace::with_query_log();
    let file = workspace.add_file("Shapes.min", text.clone());
    assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
    for (step, text) in [broken, text].into_iter().enumerate() {
        workspace.set_text(file, text.clone());
        let mut fresh = Workspace::new();
        let fresh_file = fresh.add_file("Shapes.min", text);
        assert_eq!(workspace.diagnostics(file), fresh.diagnostics(fresh_file), "step {step}");
        assert_eq!(workspace.diagnostics(file).is_empty(), step == 1, "only `rate = (` is wrong");
        assert_eq!(workspace.syntax(file).defs.len(), fresh.syntax(fresh_file).defs.len());
        assert_same_as_one_pass(workspace.check(file), &fresh.check_in_one_pass(fresh_file), &format!("step {step}"));
    }
}

#[test]
fn a_longer_body_is_checked_again_alone_and_the_definitions_it_moves_are_not() {
    let mut workspace = Workspace::with_query_log();
    let file = workspace.add_file("Shapes.min", SHAPES.to_string());
    assert!(workspace.diagnostics(file).is_empty());
    workspace.take_query_log();
    // `lengths`, the last definition, grows: the frame, whose stubs do not
    // reach into bodies, stays equal and is not checked again.
    let longer = SHAPES.replace("n + count xs) 0 xss", "n + count xs) 00 xss");
    workspace.set_text(file, longer.clone());
    assert!(workspace.diagnostics(file).is_empty());
    let log = workspace.take_query_log();
    let rechecked = log.iter().filter(|entry| entry.starts_with("check_definition(")).count();
    assert_eq!(rechecked, 1, "only `lengths` is checked again: {log:?}");
    assert!(!log.iter().any(|entry| entry.starts_with("frame(")), "the frame is reused: {log:?}");
    let mut fresh = Workspace::new();
    let fresh_file = fresh.add_file("Shapes.min", longer);
    assert_same_as_one_pass(workspace.check(file), &fresh.check_in_one_pass(fresh_file), "longer");
    // A longer first body moves every definition below it: they are the
    // same definitions, counted from their own starts, and are not checked
    // again; their results are moved to where they now are.
    workspace.take_query_log();
    let moved = SHAPES.replace("3.14159 r²", "3.141592 r²");
    workspace.set_text(file, moved.clone());
    assert!(workspace.diagnostics(file).is_empty());
    let log = workspace.take_query_log();
    let rechecked = log.iter().filter(|entry| entry.starts_with("check_definition(")).count();
    assert_eq!(rechecked, 1, "only `area` is checked again, not the definitions it moves: {log:?}");
    assert!(
        !log.iter().any(|entry| entry.starts_with("frame(")),
        "the frame, its items counted from their own starts, is reused: {log:?}"
    );
    let mut fresh = Workspace::new();
    let fresh_file = fresh.add_file("Shapes.min", moved.clone());
    assert_same_as_one_pass(workspace.check(file), &fresh.check_in_one_pass(fresh_file), "moved");
    // A type error in a moved definition that was not checked again is
    // reported where it now is.
    let broken = SHAPES.replace("y + count ys", "y + count \"ys\"");
    workspace.set_text(file, broken.clone());
    assert!(!workspace.diagnostics(file).is_empty());
    let moved_broken = broken.replace("3.14159 r²", "3.141592 r²");
    workspace.set_text(file, moved_broken.clone());
    let log = workspace.take_query_log();
    assert_eq!(log.iter().filter(|entry| entry.starts_with("check_definition(")).count(), 1, "{log:?}");
    let mut fresh = Workspace::new();
    let fresh_file = fresh.add_file("Shapes.min", moved_broken.clone());
    assert_eq!(workspace.diagnostics(file), fresh.diagnostics(fresh_file));
    let at = workspace.diagnostics(file)[0].span;
    assert_eq!(&moved_broken[at.range()], "\"ys\"", "the error sits on the string it is about");
    assert_same_as_one_pass(workspace.check(file), &fresh.check_in_one_pass(fresh_file), "moved and broken");
}
