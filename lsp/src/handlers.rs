//! The answer to each request, computed synchronously from [`Documents`]:
//! positions become byte offsets, the analysis answers, and its spans and
//! kinds become protocol values. Nothing here panics on a stale or unknown
//! document or a position past the end; those get no answer.

use crate::documents::{Documents, Ranges};
use min_analysis::db::SourceFile;
use min_analysis::ide;
use min_diagnostics::{Severity, Span};
use std::collections::HashMap;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeLens, Command, CompletionItem, CompletionItemKind, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, DocumentSymbolResponse, Documentation,
    GotoDefinitionResponse, Hover, HoverContents, InlayHint, InlayHintKind, InlayHintLabel, Location, MarkupContent,
    MarkupKind, NumberOrString, OneOf, ParameterInformation, ParameterLabel, PrepareRenameResponse, Range,
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SignatureHelp, SignatureInformation,
    SymbolInformation, SymbolKind, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbol,
};

/// The protocol's code for a request the server understood but declines.
const REQUEST_FAILED: i64 = -32803;

/// An error the editor shows to the user as it is.
fn refusal(message: impl Into<String>) -> Error {
    Error { code: ErrorCode::ServerError(REQUEST_FAILED), message: message.into().into(), data: None }
}

/// The file and byte offset a request points at, if the document is known.
fn at(documents: &Documents, params: &TextDocumentPositionParams) -> Option<(SourceFile, u32)> {
    let file = documents.file(&params.text_document.uri)?;
    Some((file, documents.offset(file, params.position)))
}

/// Every diagnostic of `file`, for `textDocument/publishDiagnostics`.
pub fn diagnostics(documents: &Documents, file: SourceFile) -> Vec<Diagnostic> {
    let workspace = &documents.workspace;
    let ranges = documents.ranges();
    let id = file.id(workspace.db());
    workspace
        .diagnostics(file)
        .iter()
        .map(|diagnostic| {
            let mut message = diagnostic.message.clone();
            if !diagnostic.span_label.is_empty() && diagnostic.span_label != diagnostic.message {
                message.push('\n');
                message.push_str(&diagnostic.span_label);
            }
            let range = if diagnostic.span.file == id {
                ranges.range(diagnostic.span)
            } else {
                // Not expected from the checker; keep the place in the words.
                message.push_str(&format!("\n(at {})", min_diagnostics::position(diagnostic.span, workspace)));
                Range::default()
            };
            let mut related = Vec::new();
            for label in &diagnostic.labels {
                match ranges.location(label.span) {
                    Some(location) => {
                        related.push(DiagnosticRelatedInformation { location, message: label.message.clone() })
                    }
                    // A place in the standard library has no URI to show.
                    None => message.push_str(&format!(
                        "\nnote: {} ({})",
                        label.message,
                        min_diagnostics::position(label.span, workspace)
                    )),
                }
            }
            if let Some(help) = &diagnostic.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            Diagnostic {
                range,
                severity: Some(match diagnostic.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(diagnostic.code.to_string())),
                source: Some("min".to_string()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Diagnostic::default()
            }
        })
        .collect()
}

/// `textDocument/hover`: the name's type and documentation.
pub fn hover(documents: &Documents, params: &TextDocumentPositionParams) -> Option<Hover> {
    let (file, offset) = at(documents, params)?;
    let hover = ide::hover(&documents.workspace, file, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: hover.markdown }),
        range: Some(documents.ranges().range(hover.span)),
    })
}

/// The semantic token types, in the order of the legend given at initialize.
pub const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::TYPE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::OPERATOR,
];

/// The semantic token modifiers: bit 0 marks where a name is defined.
pub const TOKEN_MODIFIERS: &[SemanticTokenModifier] = &[SemanticTokenModifier::DECLARATION];

fn token_type(kind: ide::TokenKind) -> u32 {
    match kind {
        ide::TokenKind::Keyword => 0,
        ide::TokenKind::Function => 1,
        ide::TokenKind::Value => 2,
        ide::TokenKind::Local => 3,
        ide::TokenKind::Type => 4,
        ide::TokenKind::Constructor => 5,
        ide::TokenKind::Module => 6,
        ide::TokenKind::Number => 7,
        ide::TokenKind::String => 8,
        ide::TokenKind::Operator => 9,
    }
}

/// `textDocument/semanticTokens/full`: the tokens, relative to each other as
/// the protocol encodes them, in the negotiated position encoding.
pub fn semantic_tokens(documents: &Documents, uri: &Uri) -> Option<SemanticTokens> {
    let file = documents.file(uri)?;
    let ranges = documents.ranges();
    let mut data = Vec::new();
    let (mut line, mut character) = (0, 0);
    for (span, kind, definition) in ide::semantic_tokens(&documents.workspace, file) {
        let range = ranges.range(span);
        if range.start.line != range.end.line || range.end.character <= range.start.character {
            continue;
        }
        let delta_line = range.start.line - line;
        let delta_start = if delta_line == 0 { range.start.character - character } else { range.start.character };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character - range.start.character,
            token_type: token_type(kind),
            token_modifiers_bitset: u32::from(definition),
        });
        (line, character) = (range.start.line, range.start.character);
    }
    Some(SemanticTokens { result_id: None, data })
}

/// `textDocument/inlayHint`: the inferred type after each name defined
/// without a signature in the visible range.
pub fn inlay_hints(documents: &Documents, uri: &Uri, range: Range) -> Option<Vec<InlayHint>> {
    let file = documents.file(uri)?;
    let start = documents.offset(file, range.start);
    let end = documents.offset(file, range.end);
    let id = file.id(documents.workspace.db());
    let ranges = documents.ranges();
    let hints = ide::inlay_hints(&documents.workspace, file, start, end)
        .into_iter()
        .map(|hint| InlayHint {
            position: ranges.range(Span { file: id, start: hint.offset, end: hint.offset }).start,
            label: InlayHintLabel::String(hint.label),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: None,
            padding_right: None,
            data: None,
        })
        .collect();
    Some(hints)
}

/// `textDocument/signatureHelp`: the signature of the function applied at
/// the cursor, with the argument being written highlighted.
pub fn signature_help(documents: &Documents, params: &TextDocumentPositionParams) -> Option<SignatureHelp> {
    let (file, offset) = at(documents, params)?;
    let help = ide::signature_help(&documents.workspace, file, offset)?;
    // Parameter offsets are in UTF-16 code units of the label.
    let utf16 = |chars: u32| help.label.chars().take(chars as usize).map(char::len_utf16).sum::<usize>() as u32;
    let parameters = help
        .parameters
        .iter()
        .map(|&(start, end)| ParameterInformation {
            label: ParameterLabel::LabelOffsets([utf16(start), utf16(end)]),
            documentation: None,
        })
        .collect();
    let documentation = (!help.documentation.is_empty()).then(|| {
        Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: help.documentation.clone() })
    });
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: help.label.clone(),
            documentation,
            parameters: Some(parameters),
            active_parameter: Some(help.active),
        }],
        active_signature: Some(0),
        active_parameter: Some(help.active),
    })
}

/// `textDocument/codeAction`: quick fixes for the diagnostics in `range`
/// that say what to write instead ("did you mean `exp`?"), and for a
/// top-level `let`.
pub fn code_actions(documents: &Documents, uri: &Uri, range: Range) -> Option<Vec<CodeActionOrCommand>> {
    let file = documents.file(uri)?;
    let start = documents.offset(file, range.start);
    let end = documents.offset(file, range.end);
    let ranges = documents.ranges();
    let mut actions = Vec::new();
    for diagnostic in documents.workspace.diagnostics(file) {
        if diagnostic.span.end < start
            || diagnostic.span.start > end
            || documents.uri(diagnostic.span.file) != Some(uri)
        {
            continue;
        }
        let help = diagnostic.help.as_deref().unwrap_or("");
        let (title, new_text) = if let Some(rest) = help.strip_prefix("did you mean `") {
            let Some(suggestion) = rest.split('`').next() else { continue };
            // A qualified suggestion replaces only the name after the module.
            let replacement = suggestion.rsplit('.').next().unwrap_or(suggestion).to_string();
            (format!("Replace with `{replacement}`"), replacement)
        } else if diagnostic.code.to_string() == "E0014" && diagnostic.message.starts_with("`let` cannot start") {
            ("Remove `let`".to_string(), String::new())
        } else {
            continue;
        };
        let mut span = diagnostic.span;
        if new_text.is_empty() {
            // Remove `let` and the blank after it.
            span.end = (span.end + 1).min(documents.text(span.file).len() as u32);
        }
        let edit = TextEdit { range: ranges.range(span), new_text };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: None,
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..Default::default()
            }),
            command: None,
            is_preferred: Some(true),
            disabled: None,
            data: None,
        }));
    }
    Some(actions)
}

/// `textDocument/codeLens`: "▶ Run" above each top-level definition of a
/// file without errors, running the editor's `min.run` command with the
/// file, the name and the number of arguments to ask for.
pub fn code_lenses(documents: &Documents, uri: &Uri) -> Option<Vec<CodeLens>> {
    let file = documents.file(uri)?;
    let ranges = documents.ranges();
    let lenses = ide::runnables(&documents.workspace, file)
        .into_iter()
        .map(|runnable| {
            let title = if runnable.arguments == 0 { "▶ Run".to_string() } else { "▶ Run…".to_string() };
            CodeLens {
                range: ranges.range(runnable.name_span),
                command: Some(Command {
                    title,
                    command: "min.run".to_string(),
                    arguments: Some(vec![
                        serde_json::Value::String(uri.as_str().to_string()),
                        serde_json::Value::String(runnable.name),
                        serde_json::Value::from(runnable.arguments),
                    ]),
                }),
                data: None,
            }
        })
        .collect();
    Some(lenses)
}

/// `textDocument/formatting`: `minc fmt`'s canonical form as one edit, no
/// edit when the document is already formatted, and none at all when it has
/// syntax errors (formatting never guesses).
pub fn formatting(documents: &Documents, uri: &Uri) -> Option<Vec<TextEdit>> {
    let file = documents.file(uri)?;
    let id = file.id(documents.workspace.db());
    let text = documents.text(id);
    let formatted = min_syntax::format::format(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let range = documents.ranges().range(Span { file: id, start: 0, end: text.len() as u32 });
    Some(vec![TextEdit { range, new_text: formatted }])
}

/// `textDocument/definition`; a definition in the standard library opens a
/// read-only copy of its module.
pub fn definition(documents: &Documents, params: &TextDocumentPositionParams) -> Option<GotoDefinitionResponse> {
    let (file, offset) = at(documents, params)?;
    let span = ide::definition(&documents.workspace, file, offset)?;
    let ranges = documents.ranges();
    let location = ranges.location(span).or_else(|| {
        let uri = documents.stdlib_uri(span.file)?;
        Some(Location { uri, range: ranges.range(span) })
    })?;
    Some(GotoDefinitionResponse::Scalar(location))
}

/// `textDocument/references`, leaving out those in the standard library.
pub fn references(
    documents: &Documents,
    params: &TextDocumentPositionParams,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((file, offset)) = at(documents, params) else { return Vec::new() };
    let ranges = documents.ranges();
    ide::references(&documents.workspace, file, offset, include_declaration)
        .into_iter()
        .filter_map(|span| ranges.location(span))
        .collect()
}

/// `textDocument/prepareRename`: the name's range, or why it cannot be renamed.
pub fn prepare_rename(
    documents: &Documents,
    params: &TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, Error> {
    let Some((file, offset)) = at(documents, params) else { return Ok(None) };
    let workspace = &documents.workspace;
    let name = ide::name_at(workspace, file, offset).ok_or_else(|| refusal("there is no name here to rename"))?;
    let span = name.span;
    let written = documents.text(span.file).get(span.range()).unwrap_or("").to_string();
    // Renaming to the same name runs every check that does not depend on the new name.
    ide::rename(workspace, file, offset, &written).map_err(refusal)?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: documents.ranges().range(span),
        placeholder: written,
    }))
}

/// `textDocument/rename`: an edit of every occurrence, in every file.
pub fn rename(
    documents: &Documents,
    params: &TextDocumentPositionParams,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, Error> {
    let Some((file, offset)) = at(documents, params) else { return Ok(None) };
    let spans = ide::rename(&documents.workspace, file, offset, new_name).map_err(refusal)?;
    let ranges = documents.ranges();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for span in spans {
        let location = ranges.location(span).ok_or_else(|| {
            let path = min_diagnostics::SourceLookup::name(&documents.workspace, span.file);
            refusal(format!("{path} has no file the editor can change"))
        })?;
        changes.entry(location.uri).or_default().push(TextEdit { range: location.range, new_text: new_name.into() });
    }
    Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}

/// `textDocument/documentSymbol`: the outline, nested when the client can
/// show it so, else flat with each symbol's container named.
pub fn document_symbols(documents: &Documents, uri: &Uri, hierarchical: bool) -> Option<DocumentSymbolResponse> {
    let file = documents.file(uri)?;
    let symbols = ide::document_symbols(&documents.workspace, file);
    let ranges = documents.ranges();
    if hierarchical {
        return Some(DocumentSymbolResponse::Nested(symbols.iter().map(|s| document_symbol(&ranges, s)).collect()));
    }
    let mut flat = Vec::new();
    flatten(&ranges, uri, &symbols, None, &mut flat);
    Some(DocumentSymbolResponse::Flat(flat))
}

fn document_symbol(ranges: &Ranges, symbol: &ide::Symbol) -> DocumentSymbol {
    let selection_range = ranges.range(symbol.name_span);
    // The protocol requires the name inside the whole; keep it so even if a
    // recovered definition says otherwise.
    let range = ranges.range(symbol.span.to(symbol.name_span));
    #[allow(deprecated)]
    DocumentSymbol {
        name: display_name(&symbol.name),
        detail: (!symbol.detail.is_empty()).then(|| symbol.detail.clone()),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: (!symbol.children.is_empty())
            .then(|| symbol.children.iter().map(|child| document_symbol(ranges, child)).collect()),
    }
}

fn flatten(
    ranges: &Ranges,
    uri: &Uri,
    symbols: &[ide::Symbol],
    container: Option<&str>,
    out: &mut Vec<SymbolInformation>,
) {
    for symbol in symbols {
        #[allow(deprecated)]
        out.push(SymbolInformation {
            name: display_name(&symbol.name),
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            location: Location { uri: uri.clone(), range: ranges.range(symbol.span.to(symbol.name_span)) },
            container_name: container.map(str::to_string),
        });
        flatten(ranges, uri, &symbol.children, Some(&symbol.name), out);
    }
}

/// Editors reject symbols with empty names, which a broken definition may have.
fn display_name(name: &str) -> String {
    if name.trim().is_empty() { "_".to_string() } else { name.to_string() }
}

/// `workspace/symbol`: the definitions and types of the user's files whose
/// name contains the query.
pub fn workspace_symbols(documents: &Documents, query: &str) -> Vec<WorkspaceSymbol> {
    let ranges = documents.ranges();
    ide::workspace_symbols(&documents.workspace, query)
        .into_iter()
        .filter_map(|symbol| {
            let location = ranges.location(symbol.span.to(symbol.name_span))?;
            let container = documents.workspace.file(symbol.span.file).map(|f| documents.workspace.module_name(f));
            Some(WorkspaceSymbol {
                name: display_name(&symbol.name),
                kind: symbol_kind(symbol.kind),
                tags: None,
                container_name: container.map(str::to_string),
                location: OneOf::Left(location),
                data: None,
            })
        })
        .collect()
}

/// `textDocument/completion`.
pub fn completions(documents: &Documents, params: &TextDocumentPositionParams) -> Vec<CompletionItem> {
    let Some((file, offset)) = at(documents, params) else { return Vec::new() };
    ide::completions(&documents.workspace, file, offset)
        .into_iter()
        .map(|completion| CompletionItem {
            kind: Some(completion_kind(completion.kind)),
            detail: (!completion.detail.is_empty()).then_some(completion.detail),
            documentation: (!completion.documentation.is_empty()).then_some(Documentation::MarkupContent(
                MarkupContent { kind: MarkupKind::Markdown, value: completion.documentation },
            )),
            label: completion.label,
            ..CompletionItem::default()
        })
        .collect()
}

/// How the outline shows each kind: a `Tag` type is an enumeration of its
/// constructors, a `Record` a structure of its fields.
fn symbol_kind(kind: ide::SymbolKind) -> SymbolKind {
    match kind {
        ide::SymbolKind::Function => SymbolKind::FUNCTION,
        ide::SymbolKind::Value => SymbolKind::CONSTANT,
        ide::SymbolKind::Type => SymbolKind::ENUM,
        ide::SymbolKind::Record => SymbolKind::STRUCT,
        ide::SymbolKind::Constructor => SymbolKind::ENUM_MEMBER,
        ide::SymbolKind::Field => SymbolKind::FIELD,
        ide::SymbolKind::Local => SymbolKind::VARIABLE,
        ide::SymbolKind::Module => SymbolKind::MODULE,
        ide::SymbolKind::Keyword => SymbolKind::KEY,
    }
}

fn completion_kind(kind: ide::SymbolKind) -> CompletionItemKind {
    match kind {
        ide::SymbolKind::Function => CompletionItemKind::FUNCTION,
        ide::SymbolKind::Value => CompletionItemKind::CONSTANT,
        ide::SymbolKind::Type => CompletionItemKind::ENUM,
        ide::SymbolKind::Record => CompletionItemKind::STRUCT,
        ide::SymbolKind::Constructor => CompletionItemKind::ENUM_MEMBER,
        ide::SymbolKind::Field => CompletionItemKind::FIELD,
        ide::SymbolKind::Local => CompletionItemKind::VARIABLE,
        ide::SymbolKind::Module => CompletionItemKind::MODULE,
        ide::SymbolKind::Keyword => CompletionItemKind::KEYWORD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::Encoding;
    use std::str::FromStr;
    use tower_lsp_server::ls_types::Position;

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

    fn position_params(uri: &Uri, position: Position) -> TextDocumentPositionParams {
        let text_document = tower_lsp_server::ls_types::TextDocumentIdentifier { uri: uri.clone() };
        TextDocumentPositionParams { text_document, position }
    }

    fn open(text: &str) -> (Documents, Uri) {
        let mut documents = Documents::new();
        let uri = Uri::from_str("file:///nowhere/Shapes.min").expect("a URI");
        documents.open(&uri, text.to_string(), 1).expect("opened");
        (documents, uri)
    }

    /// The position of the `nth` occurrence of `needle`, in the documents' encoding.
    fn find(documents: &Documents, text: &str, needle: &str, nth: usize) -> Position {
        let offset = text.match_indices(needle).nth(nth).expect("present").0;
        crate::position::LineIndex::new(text).position(offset as u32, documents.encoding)
    }

    #[test]
    fn hover_and_definition_answer_in_editor_positions() {
        let (documents, uri) = open(PROGRAM);
        let params = position_params(&uri, find(&documents, PROGRAM, "x x", 0));
        let hover = hover(&documents, &params).expect("a local");
        let HoverContents::Markup(markup) = hover.contents else { panic!("markdown") };
        assert!(markup.value.contains("x : ℝ"), "{}", markup.value);
        let Some(GotoDefinitionResponse::Scalar(location)) = definition(&documents, &params) else {
            panic!("a location")
        };
        assert_eq!(location.range.start, find(&documents, PROGRAM, "x → x x", 0));
    }

    #[test]
    fn utf8_and_utf16_positions_differ_after_non_ascii() {
        let (mut documents, uri) = open(PROGRAM);
        let utf16 = find(&documents, PROGRAM, "x x", 0);
        documents.encoding = Encoding::Utf8;
        let utf8 = find(&documents, PROGRAM, "x x", 0);
        assert_eq!(utf16.line, utf8.line);
        assert_eq!(utf16.character + 2, utf8.character, "`→` is one UTF-16 unit and three bytes");
        assert!(hover(&documents, &position_params(&uri, utf8)).is_some());
    }

    #[test]
    fn unknown_documents_and_far_positions_get_no_answer() {
        let (documents, uri) = open(PROGRAM);
        let elsewhere = Uri::from_str("file:///nowhere/Other.min").expect("a URI");
        let far = Position { line: u32::MAX, character: u32::MAX };
        for (uri, position) in [(&elsewhere, Position::default()), (&uri, far)] {
            let params = position_params(uri, position);
            assert!(hover(&documents, &params).is_none());
            assert!(definition(&documents, &params).is_none());
            assert!(references(&documents, &params, true).is_empty());
            assert!(matches!(rename(&documents, &params, "y"), Ok(None) | Err(_)));
            let _ = completions(&documents, &params);
        }
        assert!(document_symbols(&documents, &elsewhere, true).is_none());
    }

    #[test]
    fn diagnostics_carry_code_range_labels_and_help() {
        // `σ` before the mistakes: columns are UTF-16 units, not bytes.
        let text = "σ : Bool → Bool → Bool\nσ a b = a & b\n";
        let (documents, uri) = open(text);
        let file = documents.file(&uri).expect("open");
        let diagnostics = diagnostics(&documents, file);
        let codes: Vec<_> = diagnostics.iter().map(|d| d.code.clone()).collect();
        let code = |c: &str| Some(NumberOrString::String(c.to_string()));
        assert_eq!(codes, [code("E0001"), code("E0203")], "{diagnostics:#?}");
        let applied = &diagnostics[1];
        assert_eq!(applied.range.start, find(&documents, text, "a & b", 0));
        assert_eq!(applied.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(applied.source.as_deref(), Some("min"));
        assert!(applied.message.contains("\nhelp: only a function takes an argument"), "{}", applied.message);
        let related = applied.related_information.as_ref().expect("a label");
        assert_eq!(related[0].location.uri, uri);
        assert_eq!(related[0].location.range.start, find(&documents, text, "b\n", 0));
        assert_eq!(related[0].message, "so it cannot be followed by this");
        let ampersand = &diagnostics[0];
        assert_eq!(ampersand.range.start, find(&documents, text, "&", 0));
        assert_eq!(ampersand.range.end.character, ampersand.range.start.character + 1);
        assert!(
            ampersand.message.contains("\nno token starts with this character\nhelp: remove it"),
            "{}",
            ampersand.message
        );
    }

    #[test]
    fn the_outline_nests_constructors_and_flattens_on_request() {
        let (documents, uri) = open(PROGRAM);
        let Some(DocumentSymbolResponse::Nested(symbols)) = document_symbols(&documents, &uri, true) else {
            panic!("nested")
        };
        assert_eq!(symbols.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Shape", "area", "total"]);
        let constructors = symbols[0].children.as_ref().expect("constructors");
        assert_eq!(constructors[0].kind, SymbolKind::ENUM_MEMBER);
        for symbol in &symbols {
            let inside =
                symbol.range.start <= symbol.selection_range.start && symbol.selection_range.end <= symbol.range.end;
            assert!(inside, "{symbol:?}");
        }
        let Some(DocumentSymbolResponse::Flat(flat)) = document_symbols(&documents, &uri, false) else {
            panic!("flat")
        };
        let circle = flat.iter().find(|s| s.name == "Circle").expect("Circle");
        assert_eq!(circle.container_name.as_deref(), Some("Shape"));
    }

    #[test]
    fn rename_refuses_the_standard_library_and_bad_names() {
        let text = "import Normal\np = Normal.cdf 0.5\nq = p\n";
        let (documents, uri) = open(text);
        let cdf = position_params(&uri, find(&documents, text, "cdf", 0));
        let error = rename(&documents, &cdf, "g").expect_err("standard library");
        assert_eq!(error.code, ErrorCode::ServerError(REQUEST_FAILED));
        assert!(prepare_rename(&documents, &cdf).is_err());
        let p = position_params(&uri, find(&documents, text, "p", 1));
        assert!(rename(&documents, &p, "two words").is_err());
        let Ok(Some(PrepareRenameResponse::RangeWithPlaceholder { placeholder, .. })) = prepare_rename(&documents, &p)
        else {
            panic!("renamable")
        };
        assert_eq!(placeholder, "p");
        let edit = rename(&documents, &p, "price").expect("renamed").expect("an edit");
        let edits = &edit.changes.expect("changes")[&uri];
        assert_eq!(edits.len(), 2);
    }

    #[test]
    fn renaming_a_qualified_use_keeps_the_qualifier() {
        let mut documents = Documents::new();
        let geometry = Uri::from_str("file:///nowhere/Geometry.min").expect("a URI");
        let main = Uri::from_str("file:///nowhere/Main.min").expect("a URI");
        let geometry_text = "area : ℝ → ℝ\narea r = r r\n";
        let main_text = "import Geometry\nq = Geometry.area 2.0\n";
        documents.open(&geometry, geometry_text.to_string(), 1).expect("opened");
        documents.open(&main, main_text.to_string(), 1).expect("opened");
        let at_use = position_params(&main, find(&documents, main_text, "area", 0));
        let Ok(Some(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder })) =
            prepare_rename(&documents, &at_use)
        else {
            panic!("renamable")
        };
        assert_eq!((range.start, placeholder.as_str()), (at_use.position, "area"));
        let edit = rename(&documents, &at_use, "size").expect("renamed").expect("an edit");
        let changes = edit.changes.expect("changes");
        assert_eq!(changes[&geometry].len(), 2, "the signature and the equation");
        assert_eq!(changes[&main].len(), 1);
        assert_eq!(changes[&main][0].range.start, at_use.position, "`Geometry.` stays");
        let uses = references(&documents, &at_use, false);
        assert_eq!(uses.iter().map(|l| l.range.start).collect::<Vec<_>>(), [at_use.position]);
    }

    #[test]
    fn workspace_symbols_name_their_module() {
        let (documents, _) = open(PROGRAM);
        let symbols = workspace_symbols(&documents, "AREA");
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols[0].name, "area");
        assert_eq!(symbols[0].container_name.as_deref(), Some("Shapes"));
    }
}
