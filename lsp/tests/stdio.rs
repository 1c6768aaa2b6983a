//! The real `min-lsp` binary, driven over standard input and output the way
//! an editor drives it.

mod client;

use client::{Client, Folder, position};
use serde_json::{Value, json};

/// A type mismatch on a line that has characters of two, three and four
/// UTF-8 bytes (`σ`, `→`, `𝔹`) before the mistake.
const DOUBLING: &str = "\
# Doubling, with a mistake after some mathematics.
double : ℕ → ℕ
double n = n + n

pair = (\"𝔹σ→\", double \"2\")
";

const DOUBLING_FIXED: &str = "\
# Doubling, with a mistake after some mathematics.
double : ℕ → ℕ
double n = n + n

pair = (\"𝔹σ→\", double 2)
";

const GEOMETRY: &str = "\
# The area of a disc of radius `r`.
area : ℝ → ℝ
area r = 3.14 r²
";

const MAIN: &str = "\
import Geometry
import Normal

φ = Normal.cdf
size = Geometry.area 2.0
p = φ size
";

const SHAPES: &str = "\
# A shape.
Shape = Tag
  Circle r:ℝ
  Square side:ℝ

# The area of a shape.
area : Shape → ℝ
area s = match s
  Circle r → 3.14 r²
  Square x → x x
";

fn open(client: &mut Client, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "min", "version": 1, "text": text } }),
    );
}

fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

/// `n` UTF-16 units (or bytes) after `position`, on the same line.
fn shifted(position: &Value, n: u64) -> Value {
    json!({ "line": position["line"], "character": position["character"].as_u64().expect("a column") + n })
}

#[test]
fn initialize_offers_every_capability_and_utf16_by_default() {
    let (client, result) = Client::initialized(&["utf-16"]);
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["textDocumentSync"]["change"], 1, "full synchronisation");
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["definitionProvider"], true);
    assert_eq!(capabilities["referencesProvider"], true);
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    assert_eq!(capabilities["documentSymbolProvider"], true);
    assert_eq!(capabilities["workspaceSymbolProvider"], true);
    assert_eq!(capabilities["completionProvider"]["triggerCharacters"], json!(["."]));
    assert_eq!(result["serverInfo"]["name"], "min-lsp");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn initialize_chooses_utf8_when_the_client_offers_it() {
    let (client, result) = Client::initialized(&["utf-16", "utf-8"]);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert!(client.shutdown_and_exit().success());
    let (client, result) = Client::initialized(&[]);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16", "the protocol's default");
    assert!(client.shutdown_and_exit().success());
}

/// Opens the doubling program, checks its one E0201 in the given encoding,
/// then fixes it and checks that the diagnostics are cleared.
fn diagnostics_follow_edits(encoding: &str) {
    let folder = Folder::new(&format!("diagnostics-{encoding}"));
    let (mut client, _) = Client::initialized(&[encoding]);
    let uri = folder.uri("Doubling.min");
    open(&mut client, &uri, DOUBLING);
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    let diagnostics = published["diagnostics"].as_array().expect("a list");
    assert_eq!(diagnostics.len(), 1, "{published}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "E0201");
    assert_eq!(diagnostic["severity"], 1, "an error");
    assert_eq!(diagnostic["source"], "min");
    assert!(diagnostic["message"].as_str().expect("a message").contains("expected `ℕ`"), "{diagnostic}");
    let start = position(DOUBLING, "\"2\"", 0, encoding);
    assert_eq!(diagnostic["range"]["start"], start, "{encoding}");
    assert_eq!(diagnostic["range"]["end"], shifted(&start, 3), "{encoding}");

    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": DOUBLING_FIXED }],
        }),
    );
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));

    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri)["diagnostics"], json!([]), "saving publishes again");
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri)["diagnostics"], json!([]), "closing clears the document's problems");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn diagnostics_follow_edits_in_utf16_columns() {
    // `𝔹` is two UTF-16 units, so a byte or character count would be off.
    diagnostics_follow_edits("utf-16");
}

#[test]
fn diagnostics_follow_edits_in_utf8_columns() {
    diagnostics_follow_edits("utf-8");
}

#[test]
fn hover_shows_the_type_and_the_documentation() {
    let folder = Folder::new("hover");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let geometry = folder.uri("Geometry.min");
    open(&mut client, &geometry, GEOMETRY);
    let use_site = position(GEOMETRY, "r²", 0, "utf-16");
    let hover = client.request("textDocument/hover", at(&geometry, use_site.clone()));
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(hover["contents"]["value"].as_str().expect("markdown").contains("r : ℝ"), "{hover}");
    assert_eq!(hover["range"]["start"], use_site);
    let global = client.request("textDocument/hover", at(&geometry, position(GEOMETRY, "area r", 0, "utf-16")));
    let markdown = global["contents"]["value"].as_str().expect("markdown");
    assert!(markdown.contains("area : ℝ → ℝ") && markdown.contains("The area of a disc"), "{markdown}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn definition_of_a_local_and_of_a_global_in_another_open_file() {
    let folder = Folder::new("definition");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let geometry = folder.uri("Geometry.min");
    let main = folder.uri("Main.min");
    open(&mut client, &geometry, GEOMETRY);
    open(&mut client, &main, MAIN);
    assert_eq!(client.diagnostics(&main)["diagnostics"], json!([]));

    let local = client.request("textDocument/definition", at(&geometry, position(GEOMETRY, "r²", 0, "utf-16")));
    assert_eq!(local["uri"], geometry);
    assert_eq!(local["range"]["start"], position(GEOMETRY, "r = ", 0, "utf-16"));

    let global = client.request("textDocument/definition", at(&main, position(MAIN, "area 2.0", 0, "utf-16")));
    assert_eq!(global["uri"], geometry);
    assert_eq!(global["range"]["start"], position(GEOMETRY, "area : ", 0, "utf-16"));

    // `φ` is defined two lines up, after a two-byte character.
    let phi = client.request("textDocument/definition", at(&main, position(MAIN, "φ size", 0, "utf-16")));
    assert_eq!(phi["range"]["start"], position(MAIN, "φ = ", 0, "utf-16"));

    // `Normal.cdf` is in the standard library: a read-only copy of `Normal.min` opens.
    let stdlib = client.request("textDocument/definition", at(&main, position(MAIN, "cdf", 0, "utf-16")));
    let copy = stdlib["uri"].as_str().expect("a URI");
    assert!(copy.starts_with("file://") && copy.ends_with("/Normal.min"), "{stdlib}");
    let path = copy.trim_start_matches("file://");
    let text = std::fs::read_to_string(path).expect("the copy exists");
    let line = stdlib["range"]["start"]["line"].as_u64().expect("a line") as usize;
    assert!(text.lines().nth(line).expect("the line").starts_with("cdf"), "{stdlib}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn editing_a_module_updates_the_diagnostics_of_its_importers() {
    let folder = Folder::new("importers");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let geometry = folder.uri("Geometry.min");
    let main = folder.uri("Main.min");
    open(&mut client, &geometry, GEOMETRY);
    open(&mut client, &main, MAIN);
    assert_eq!(client.diagnostics(&main)["diagnostics"], json!([]));
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": geometry, "version": 2 },
            "contentChanges": [{ "text": GEOMETRY.replace("area", "disc") }],
        }),
    );
    assert_eq!(client.diagnostics(&geometry)["diagnostics"], json!([]));
    let published = client.diagnostics(&main);
    assert_eq!(published["version"], 1, "Main itself did not change");
    let diagnostics = published["diagnostics"].as_array().expect("a list");
    assert_eq!(diagnostics.len(), 1, "{published}");
    assert_eq!(diagnostics[0]["range"]["start"], position(MAIN, "area 2.0", 0, "utf-16"));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn modules_beside_an_open_file_are_loaded_from_disk() {
    let folder = Folder::new("disk");
    folder.write("Geometry.min", GEOMETRY);
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let main = folder.uri("Main.min");
    open(&mut client, &main, MAIN);
    assert_eq!(client.diagnostics(&main)["diagnostics"], json!([]), "`import Geometry` resolves");
    let global = client.request("textDocument/definition", at(&main, position(MAIN, "area 2.0", 0, "utf-16")));
    assert_eq!(global["uri"], folder.uri("Geometry.min"));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn references_across_files() {
    let folder = Folder::new("references");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let geometry = folder.uri("Geometry.min");
    let main = folder.uri("Main.min");
    open(&mut client, &geometry, GEOMETRY);
    open(&mut client, &main, MAIN);
    let mut params = at(&geometry, position(GEOMETRY, "area r", 0, "utf-16"));
    params["context"] = json!({ "includeDeclaration": true });
    let references = client.request("textDocument/references", params);
    let mut found: Vec<(String, Value)> = references
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| (l["uri"].as_str().expect("a URI").to_string(), l["range"]["start"].clone()))
        .collect();
    found.sort_by_key(|(uri, start)| (uri.clone(), start.to_string()));
    let mut expected = vec![
        (geometry.clone(), position(GEOMETRY, "area : ", 0, "utf-16")),
        (geometry.clone(), position(GEOMETRY, "area r", 0, "utf-16")),
        (main.clone(), position(MAIN, "area 2.0", 0, "utf-16")),
    ];
    expected.sort_by_key(|(uri, start)| (uri.clone(), start.to_string()));
    assert_eq!(found, expected);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn completion_after_a_module_name_and_a_dot() {
    let folder = Folder::new("completion");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = folder.uri("Completion.min");
    let text = "import Normal\n\nσ = Normal.\n";
    open(&mut client, &uri, text);
    let mut params = at(&uri, shifted(&position(text, "Normal.\n", 0, "utf-16"), 7));
    params["context"] = json!({ "triggerKind": 2, "triggerCharacter": "." });
    let items = client.request("textDocument/completion", params);
    let items = items.as_array().expect("a list of items");
    let cdf = items.iter().find(|item| item["label"] == "cdf").unwrap_or_else(|| panic!("cdf in {items:?}"));
    assert_eq!(cdf["kind"], 3, "a function");
    assert_eq!(cdf["detail"], "ℝ → ℝ");
    assert!(items.iter().all(|item| item["label"] != "import"), "no keywords after a dot");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn rename_edits_every_use_in_every_file() {
    let folder = Folder::new("rename");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let geometry = folder.uri("Geometry.min");
    let main = folder.uri("Main.min");
    open(&mut client, &geometry, GEOMETRY);
    open(&mut client, &main, MAIN);

    let at_use = position(MAIN, "area 2.0", 0, "utf-16");
    let prepared = client.request("textDocument/prepareRename", at(&main, at_use.clone()));
    assert_eq!(prepared["placeholder"], "area");
    assert_eq!(prepared["range"], json!({ "start": at_use, "end": shifted(&at_use, 4) }));

    let mut params = at(&main, at_use.clone());
    params["newName"] = json!("disc");
    let edit = client.request("textDocument/rename", params);
    let changes = &edit["changes"];
    assert_eq!(changes[&geometry].as_array().expect("edits").len(), 2, "{edit}");
    assert_eq!(
        changes[&main],
        json!([{ "range": { "start": at_use, "end": shifted(&at_use, 4) }, "newText": "disc" }])
    );

    // A local after a non-ASCII character: `φ` is one UTF-16 unit.
    let mut params = at(&main, position(MAIN, "φ size", 0, "utf-16"));
    params["newName"] = json!("normal");
    let edit = client.request("textDocument/rename", params);
    let edits = edit["changes"][&main].as_array().expect("edits");
    assert_eq!(edits.len(), 2);
    assert!(
        edits.iter().all(
            |e| e["range"]["end"]["character"].as_u64() == e["range"]["start"]["character"].as_u64().map(|c| c + 1)
        )
    );

    // The standard library and bad names are refused with a reason.
    let refused = client.request_raw("textDocument/prepareRename", at(&main, position(MAIN, "cdf", 0, "utf-16")));
    assert!(refused["error"]["message"].as_str().expect("a reason").contains("standard library"), "{refused}");
    let mut params = at(&main, position(MAIN, "size =", 0, "utf-16"));
    params["newName"] = json!("two words");
    let refused = client.request_raw("textDocument/rename", params);
    assert!(refused["error"]["message"].as_str().expect("a reason").contains("not a Min name"), "{refused}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn document_symbols_nest_constructors_under_their_type() {
    let folder = Folder::new("symbols");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = folder.uri("Shapes.min");
    open(&mut client, &uri, SHAPES);
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> =
        symbols.as_array().expect("a list").iter().map(|s| s["name"].as_str().expect("a name")).collect();
    assert_eq!(names, ["Shape", "area"]);
    let shape = &symbols[0];
    assert_eq!(shape["kind"], 10, "an enumeration");
    let constructors: Vec<&Value> = shape["children"].as_array().expect("constructors").iter().collect();
    assert_eq!(constructors.iter().map(|c| c["name"].clone()).collect::<Vec<_>>(), ["Circle", "Square"]);
    assert_eq!(constructors[1]["children"][0]["name"], "side");
    assert_eq!(symbols[1]["detail"], "Shape → ℝ");
    assert_eq!(symbols[1]["selectionRange"]["start"], position(SHAPES, "area :", 0, "utf-16"));

    let found = client.request("workspace/symbol", json!({ "query": "shap" }));
    let found = found.as_array().expect("a list");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["name"], "Shape");
    assert_eq!(found[0]["location"]["uri"], uri);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn bad_requests_get_empty_answers_or_errors_and_the_server_carries_on() {
    let folder = Folder::new("robust");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = folder.uri("Shapes.min");
    open(&mut client, &uri, SHAPES);
    let unknown = folder.uri("Unknown.min");
    let far = json!({ "line": 4_000_000_000u32, "character": 4_000_000_000u32 });
    for (method, params) in [
        ("textDocument/hover", at(&unknown, json!({ "line": 0, "character": 0 }))),
        ("textDocument/hover", at(&uri, far.clone())),
        ("textDocument/definition", at(&uri, far.clone())),
        ("textDocument/prepareRename", at(&unknown, far.clone())),
        ("textDocument/documentSymbol", json!({ "textDocument": { "uri": unknown } })),
        ("textDocument/hover", at("untitled:Untitled-1", far.clone())),
    ] {
        assert_eq!(client.request(method, params), Value::Null, "{method}");
    }
    let mut params = at(&unknown, far.clone());
    params["context"] = json!({ "includeDeclaration": true });
    assert_eq!(client.request("textDocument/references", params), json!([]));
    assert_eq!(client.request("textDocument/completion", at(&unknown, far.clone())), json!([]));
    // A position past the end is the end of the document.
    let at_end = client.request("textDocument/completion", at(&uri, far));
    assert!(at_end.as_array().expect("a list").iter().any(|item| item["label"] == "area"), "{at_end}");

    // Malformed parameters and a malformed message are errors, not crashes.
    let refused = client.request_raw("textDocument/hover", json!({ "textDocument": { "uri": 7 } }));
    assert!(refused.get("error").is_some(), "{refused}");
    client.send_bytes(b"Content-Length: 9\r\n\r\n{not json");
    client.send_bytes(b"Content-Length: 2\r\n\r\n{}");
    client.send_bytes(b"this is not a header\r\n");
    // Changes to documents never opened, or of other schemes, are ignored.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": unknown, "version": 2 }, "contentChanges": [{ "text": "x = 1" }] }),
    );
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "untitled:Untitled-1", "languageId": "min", "version": 1, "text": "x =" } }),
    );

    let hover = client.request("textDocument/hover", at(&uri, position(SHAPES, "x x", 0, "utf-16")));
    assert!(hover["contents"]["value"].as_str().expect("markdown").contains("x : ℝ"), "still answering");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn deeply_nested_input_is_diagnosed_without_a_crash() {
    let folder = Folder::new("deep");
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = folder.uri("Deep.min");
    let nested = |depth: usize| format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    let text = format!("deep = {}\ndeeper = {}\n", nested(95), nested(5000));
    open(&mut client, &uri, &text);
    let published = client.diagnostics(&uri);
    let codes: Vec<&Value> = published["diagnostics"].as_array().expect("a list").iter().map(|d| &d["code"]).collect();
    assert_eq!(codes, [&json!("E0013")], "only the line nested too deep is refused");
    let hover = client.request("textDocument/hover", at(&uri, json!({ "line": 0, "character": 1 })));
    assert!(hover["contents"]["value"].as_str().expect("markdown").contains("deep :"), "{hover}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn shutdown_then_exit_ends_the_process_with_0() {
    let (client, _) = Client::initialized(&["utf-16"]);
    let status = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_the_process_with_1() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait().code(), Some(1));
    let (mut client, _) = Client::initialized(&["utf-16"]);
    client.close_input();
    assert_eq!(client.wait().code(), Some(1), "a client that vanishes");
}

#[test]
fn formatting_returns_the_canonical_form_as_one_edit() {
    let folder = Folder::new("formatting");
    let (mut client, initialize) = Client::initialized(&["utf-16"]);
    assert_eq!(initialize["capabilities"]["documentFormattingProvider"], json!(true));
    let uri = folder.uri("Messy.min");
    open(&mut client, &uri, "f : Nat -> Nat\nf x  =  x + 1   \n\n\n\ng = f 2\n");
    let _ = client.diagnostics(&uri);
    let edits = client.request(
        "textDocument/formatting",
        json!({
            "textDocument": { "uri": uri },
            "options": { "tabSize": 2, "insertSpaces": true }
        }),
    );
    assert_eq!(edits[0]["newText"], "f : Nat → Nat\nf x = x + 1\n\ng = f 2\n");
    assert_eq!(edits[0]["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn semantic_tokens_and_inlay_hints_describe_the_document() {
    let folder = Folder::new("tokens");
    let (mut client, initialize) = Client::initialized(&["utf-16"]);
    let legend = &initialize["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"];
    assert_eq!(legend[1], "function");
    let uri = folder.uri("Hints.min");
    let text = "double x = 2 x\nσ = double 1.5\n";
    open(&mut client, &uri, text);
    let _ = client.diagnostics(&uri);
    let tokens = client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri } }));
    let data: Vec<u64> = tokens["data"].as_array().expect("data").iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(data.len() % 5, 0);
    // The first token is `double`, a function, at line 0, column 0, declared there.
    assert_eq!(&data[..5], &[0, 0, 6, 1, 1]);
    let hints = client.request(
        "textDocument/inlayHint",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 2, "character": 0 } }
        }),
    );
    assert_eq!(hints[0]["label"], ": a → a");
    assert_eq!(hints[0]["position"], json!({ "line": 0, "character": 6 }));
    assert_eq!(hints[1]["label"], ": ℝ");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn signature_help_and_quick_fixes() {
    let folder = Folder::new("signature");
    let (mut client, initialize) = Client::initialized(&["utf-16"]);
    assert_eq!(initialize["capabilities"]["codeActionProvider"], json!(true));
    let uri = folder.uri("Calls.min");
    let text = "add3 : ℕ → ℕ → ℕ → ℕ\nadd3 a b c = a + b + c\nuse = add3 1 2 3\nbad = ad3 1 2 3\n";
    open(&mut client, &uri, text);
    let _ = client.diagnostics(&uri);
    let help = client.request("textDocument/signatureHelp", at(&uri, position(text, "2 3\nbad", 0, "utf-16")));
    assert_eq!(help["signatures"][0]["label"], "add3 : ℕ → ℕ → ℕ → ℕ");
    assert_eq!(help["activeParameter"], 1);
    assert_eq!(help["signatures"][0]["parameters"][1]["label"], json!([11, 12]));
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 15 } },
            "context": { "diagnostics": [] }
        }),
    );
    assert_eq!(actions[0]["title"], "Replace with `add3`");
    let edit = &actions[0]["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "add3");
    assert_eq!(edit["range"]["start"], json!({ "line": 3, "character": 6 }));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_module_changed_on_disk_is_reloaded_when_the_editor_says_so() {
    let folder = Folder::new("watched");
    folder.write("Geometry.min", GEOMETRY);
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let main = folder.uri("Main.min");
    open(&mut client, &main, MAIN);
    assert_eq!(client.diagnostics(&main)["diagnostics"], json!([]));
    // `area` is renamed on disk, outside the editor.
    folder.write("Geometry.min", "surface : ℝ → ℝ\nsurface r = 3.14 r²\n");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": folder.uri("Geometry.min"), "type": 2 }] }),
    );
    let republished = client.diagnostics(&main);
    assert_eq!(republished["diagnostics"][0]["code"], "E0101", "{republished}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn code_lenses_offer_to_run_each_definition() {
    let folder = Folder::new("lenses");
    let (mut client, initialize) = Client::initialized(&["utf-16"]);
    assert_eq!(initialize["capabilities"]["codeLensProvider"]["resolveProvider"], json!(false));
    let uri = folder.uri("Geometry.min");
    open(&mut client, &uri, GEOMETRY);
    let _ = client.diagnostics(&uri);
    let lenses = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(lenses[0]["command"]["title"], "▶ Run…");
    assert_eq!(lenses[0]["command"]["command"], "min.run");
    assert_eq!(lenses[0]["command"]["arguments"], json!([uri, "area", 1]));
    assert!(client.shutdown_and_exit().success());
}
