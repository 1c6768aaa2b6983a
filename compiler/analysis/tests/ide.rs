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

#[test]
fn inlay_hints_show_inferred_types_of_unsigned_definitions() {
    let mut workspace = Workspace::new();
    let text = "double x = 2 x\nhalf : ℝ → ℝ\nhalf y = z @\n  z = y / 2.0\n";
    let file = workspace.add_file("hints.min", text.to_string());
    let hints: Vec<(u32, String)> =
        ide::inlay_hints(&workspace, file, 0, text.len() as u32).into_iter().map(|h| (h.offset, h.label)).collect();
    assert_eq!(hints, vec![(6, ": a → a".to_string()), (text.find("z =").unwrap() as u32 + 1, ": ℝ".to_string())]);
}

#[test]
fn semantic_tokens_tell_functions_locals_constructors_and_types_apart() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let tokens = ide::semantic_tokens(&workspace, file);
    let kind_at = |needle: &str| {
        let offset = offset_of(needle, 0);
        tokens.iter().find(|(span, _, _)| span.start == offset).map(|(_, kind, _)| *kind)
    };
    assert_eq!(kind_at("area s"), Some(ide::TokenKind::Function));
    assert_eq!(kind_at("Circle r →"), Some(ide::TokenKind::Constructor));
    assert_eq!(kind_at("Shape → ℝ"), Some(ide::TokenKind::Type));
    assert_eq!(kind_at("x x"), Some(ide::TokenKind::Local));
    assert_eq!(kind_at("match"), Some(ide::TokenKind::Keyword));
    assert_eq!(kind_at("3.14"), Some(ide::TokenKind::Number));
}

#[test]
fn signature_help_follows_the_argument_being_written() {
    let mut workspace = Workspace::new();
    let text = "add3 : ℕ → ℕ → ℕ → ℕ\nadd3 a b c = a + b + c\nuse = add3 1 2 \n";
    let file = workspace.add_file("sig.min", text.to_string());
    let at_second = text.find("2 \n").unwrap() as u32;
    let help = ide::signature_help(&workspace, file, at_second).expect("inside a call");
    assert_eq!(help.label, "add3 : ℕ → ℕ → ℕ → ℕ");
    assert_eq!(help.active, 1);
    assert_eq!(help.parameters[0], (7, 8));
    let after = ide::signature_help(&workspace, file, at_second + 2).expect("after the second argument");
    assert_eq!(after.active, 2);
}

#[test]
fn rename_refuses_a_name_already_taken() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let refusal = ide::rename(&workspace, file, offset_of("area s", 0), "total").unwrap_err();
    assert!(refusal.contains("already defines `total`"), "{refusal}");
    let local = ide::rename(&workspace, file, offset_of("x x", 0), "s").unwrap_err();
    assert!(local.contains("already bound"), "{local}");
}

#[test]
fn workspace_symbols_find_constructors_too() {
    let mut workspace = Workspace::new();
    let _ = workspace.add_file("shapes.min", PROGRAM.to_string());
    let found: Vec<String> = ide::workspace_symbols(&workspace, "circ").into_iter().map(|s| s.name).collect();
    assert_eq!(found, vec!["Circle".to_string()]);
}

#[test]
fn types_have_hover_definition_and_references() {
    let mut workspace = Workspace::new();
    let file = workspace.add_file("shapes.min", PROGRAM.to_string());
    let in_signature = offset_of("Shape → ℝ", 0);
    let hover = ide::hover(&workspace, file, in_signature).expect("a type");
    assert!(hover.markdown.contains("Shape = Tag\n  Circle r:ℝ\n  Square side:ℝ"), "{}", hover.markdown);
    assert!(hover.markdown.contains("A shape."), "{}", hover.markdown);
    let definition = ide::definition(&workspace, file, in_signature).expect("defined here");
    assert_eq!(definition.start, offset_of("Shape = Tag", 0));
    assert_eq!(ide::references(&workspace, file, in_signature, true).len(), 2);
    let constructor = ide::references(&workspace, file, offset_of("Circle r:", 0), true);
    assert_eq!(constructor.len(), 3, "declared, matched, built");
}

#[test]
fn hovering_a_generic_type_shows_its_parameters_by_name() {
    let mut workspace = Workspace::new();
    let text = "f : Result S ℕ → ℕ\nf r = 0\n";
    let file = workspace.add_file("generic.min", text.to_string());
    let hover = ide::hover(&workspace, file, text.find("Result").unwrap() as u32).expect("a type");
    assert!(hover.markdown.contains("Result e a = Tag\n  Err error:e\n  Ok value:a"), "{}", hover.markdown);
}

#[test]
fn hover_says_which_types_are_assets_and_which_values_are_linear() {
    let mut workspace = Workspace::new();
    let text = "asset Coin = Record value:ℕ\n\nkeep : Coin → Coin\nkeep c = c\n\ncount : ℕ → ℕ\ncount n = n\n";
    let file = workspace.add_file("coins.min", text.to_string());
    let ty = ide::hover(&workspace, file, text.find("Coin →").unwrap() as u32).expect("a type");
    assert!(ty.markdown.contains("asset Coin = Record value:ℕ"), "{}", ty.markdown);
    let local = ide::hover(&workspace, file, text.find("= c").unwrap() as u32 + 2).expect("a local");
    assert!(local.markdown.contains("c : Coin") && local.markdown.contains("*linear*"), "{}", local.markdown);
    let plain = ide::hover(&workspace, file, text.rfind('n').unwrap() as u32).expect("a local");
    assert!(!plain.markdown.contains("*linear*"), "{}", plain.markdown);
}

#[test]
fn hover_on_a_definition_shows_what_ownership_inference_decided() {
    let mut workspace = Workspace::new();
    let text = "pair : [ℕ] → [ℕ] → ([ℕ], Bool)\npair xs ys = (xs, null ys)\n";
    let file = workspace.add_file("pairs.min", text.to_string());
    let hover = ide::hover(&workspace, file, 0).expect("a definition");
    assert!(
        hover.markdown.contains(
            "**ownership**: `xs` moved into the result · `ys` borrowed · result built in the caller's region"
        ),
        "{}",
        hover.markdown
    );
}

#[test]
fn hover_on_a_procedure_shows_its_dependency_set() {
    let mut workspace = Workspace::new();
    let text = "object Account = Record holder:S balance:ℕ\n\nprocedure deposit : Account → ℕ → Account\ndeposit a n = {a | balance = a.balance + n}\n";
    let file = workspace.add_file("bank.min", text.to_string());
    let hover = ide::hover(&workspace, file, text.find("deposit a").unwrap() as u32).expect("a procedure");
    assert!(
        hover.markdown.contains("**procedure**: consumes Account · takes ℕ · creates Account"),
        "{}",
        hover.markdown
    );
}

#[test]
fn tests_are_in_the_outline_and_their_names_hover() {
    let source = "double : ℕ → ℕ\ndouble n = 2 * n\n\ntest \"doubles\" (k : ℕ) = double k == k + k\n";
    let mut workspace = Workspace::new();
    let file = workspace.add_file("double.min", source.to_string());
    assert!(workspace.diagnostics(file).is_empty(), "{:?}", workspace.diagnostics(file));
    let symbols = ide::document_symbols(&workspace, file);
    let names: Vec<&str> = symbols.iter().map(|symbol| symbol.name.as_str()).collect();
    assert_eq!(names, ["double", "test \"doubles\""]);
    let at = |needle: &str| source.find(needle).expect("needle present") as u32;
    let hover = ide::hover(&workspace, file, at("double k")).expect("a global");
    assert!(hover.markdown.contains("double : ℕ → ℕ"), "{}", hover.markdown);
    let local = ide::hover(&workspace, file, at("k + k")).expect("a parameter");
    assert!(local.markdown.contains("k : ℕ"), "{}", local.markdown);
    // Tests are not part of what the module exports.
    assert_eq!(workspace.check(file).interface.values.len(), 1);
    assert_eq!(workspace.check(file).tests.len(), 1);
}

#[test]
fn hover_on_an_object_type_shows_its_authorities_and_on_a_procedure_its_signer() {
    let program = "object Wallet = Record owner:S balance:ℕ{owner}\n\n\
procedure drain : Signer → Wallet → Wallet\n\
drain me w = if me.address == w.owner then {w | balance = 0} else Prim.abort \"no\"\n";
    let mut workspace = Workspace::new();
    let file = workspace.add_file("wallet.min", program.to_string());
    let at = |needle: &str| program.find(needle).expect("needle present") as u32 + 1;
    let wallet = ide::hover(&workspace, file, at("Wallet →")).expect("a type");
    assert!(wallet.markdown.contains("object Wallet = Record owner:S balance:ℕ{owner}"), "{}", wallet.markdown);
    assert!(wallet.markdown.contains("changes only in transactions"), "{}", wallet.markdown);
    let drain = ide::hover(&workspace, file, at("drain me")).expect("a procedure");
    assert!(drain.markdown.contains("**procedure**: signed · consumes Wallet · creates Wallet"), "{}", drain.markdown);
}
