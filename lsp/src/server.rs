//! The protocol side: capabilities, document notifications, and each request
//! handed to [`crate::handlers`] under the one lock on the workspace.
//!
//! The salsa database behind the workspace takes writes through `&mut`, so
//! all analysis happens under a single `std::sync::Mutex`, never held across
//! an `await` (the handlers' futures must be `Send`, which the compiler
//! checks). Analysis is fast enough that requests simply take turns. A panic
//! inside the analysis is caught and answered as an internal error, so one
//! bug in the checker does not take the editor's server down with it.

use crate::documents::Documents;
use crate::handlers;
use crate::position::Encoding;
use min_analysis::db::SourceFile;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionProviderCapability, CodeActionResponse, CodeLens, CodeLensOptions, CodeLensParams,
    CompletionOptions, CompletionParams, CompletionResponse, Diagnostic, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    InitializedParams, InlayHint, InlayHintParams, Location, MessageType, OneOf, PrepareRenameResponse,
    ReferenceParams, RenameOptions, RenameParams, SaveOptions, SemanticTokensFullOptions, SemanticTokensLegend,
    SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult, SemanticTokensServerCapabilities,
    ServerCapabilities, ServerInfo, SignatureHelp, SignatureHelpOptions, SignatureHelpParams,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

/// What the lock guards: the analysis, and what the protocol remembers.
#[derive(Default)]
struct State {
    documents: Documents,
    /// What was last published for each open document, so that an edit
    /// republishes only the documents whose diagnostics it changed.
    published: HashMap<Uri, Vec<Diagnostic>>,
    /// Whether the client shows nested outlines.
    hierarchical_symbols: bool,
}

/// The Min language server.
pub struct Backend {
    client: Client,
    state: Mutex<State>,
    /// Set by `shutdown`; the process exits with 0 only if it was asked to.
    shutdown: Arc<AtomicBool>,
}

/// A batch of `textDocument/publishDiagnostics` to send.
type Publications = Vec<(Uri, Vec<Diagnostic>, Option<i32>)>;

impl Backend {
    /// A server talking to `client`, which sets `shutdown` when asked to shut down.
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Backend {
        Backend { client, state: Mutex::new(State::default()), shutdown }
    }

    /// Runs `job` on the state under the lock, turning a panic into an error.
    fn with_state<T>(&self, job: impl FnOnce(&mut State) -> T) -> Result<T> {
        // A panic is caught inside the guard's scope, so the lock is never
        // poisoned by one of ours; recover anyway rather than fail forever.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        catch_unwind(AssertUnwindSafe(|| job(&mut state))).map_err(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let mut error = Error::internal_error();
            error.message = format!("the Min analysis failed: {what}").into();
            error
        })
    }

    /// Updates the documents with `edit`, then publishes diagnostics for the
    /// document edited and for every other open one whose diagnostics changed.
    async fn update(&self, uri: &Uri, edit: impl FnOnce(&mut Documents) -> std::result::Result<Vec<String>, String>) {
        let outcome = self.with_state(|state| {
            let problems = edit(&mut state.documents);
            (problems, publications(state, Some(uri)))
        });
        match outcome {
            Ok((problems, publications)) => {
                match problems {
                    Ok(problems) => {
                        for problem in problems {
                            self.client.log_message(MessageType::WARNING, problem).await;
                        }
                    }
                    Err(reason) => self.client.log_message(MessageType::INFO, reason).await,
                }
                self.publish(publications).await;
            }
            Err(error) => self.client.log_message(MessageType::ERROR, error.message).await,
        }
    }

    /// Re-publishes the open documents whose diagnostics changed.
    async fn republish(&self) {
        match self.with_state(|state| publications(state, None)) {
            Ok(publications) => self.publish(publications).await,
            Err(error) => self.client.log_message(MessageType::ERROR, error.message).await,
        }
    }

    async fn publish(&self, publications: Publications) {
        for (uri, diagnostics, version) in publications {
            self.client.publish_diagnostics(uri, diagnostics, version).await;
        }
    }

    /// Answers a request from the documents; a panic becomes an internal error.
    fn answer<T>(&self, job: impl FnOnce(&Documents) -> T) -> Result<T> {
        self.with_state(|state| job(&state.documents))
    }
}

/// The diagnostics to publish: always for `edited`, and for every other open
/// document whose diagnostics differ from those last published.
fn publications(state: &mut State, edited: Option<&Uri>) -> Publications {
    let open: Vec<(Uri, SourceFile, i32)> =
        state.documents.open_documents().map(|(uri, file, version)| (uri.clone(), file, version)).collect();
    let mut out = Vec::new();
    for (uri, file, version) in open {
        let diagnostics = handlers::diagnostics(&state.documents, file);
        let unchanged = state.published.get(&uri) == Some(&diagnostics);
        if unchanged && edited != Some(&uri) {
            continue;
        }
        state.published.insert(uri.clone(), diagnostics.clone());
        out.push((uri, diagnostics, Some(version)));
    }
    out
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params.capabilities.general.as_ref().and_then(|general| general.position_encodings.as_deref());
        let encoding = Encoding::negotiate(offered);
        let text_document = params.capabilities.text_document.as_ref();
        let hierarchical_symbols = text_document
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|s| s.hierarchical_document_symbol_support)
            .unwrap_or(false);
        // Rename options may only be given to a client that can prepare a rename.
        let prepare_rename =
            text_document.and_then(|t| t.rename.as_ref()).and_then(|r| r.prepare_support).unwrap_or(false);
        self.with_state(|state| {
            state.documents.encoding = encoding;
            state.hierarchical_symbols = hierarchical_symbols;
        })?;
        let sync = TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        };
        let rename_provider = if prepare_rename {
            OneOf::Right(RenameOptions { prepare_provider: Some(true), work_done_progress_options: Default::default() })
        } else {
            OneOf::Left(true)
        };
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(sync)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(rename_provider),
                document_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec![" ".to_string(), "(".to_string()]),
                    retrigger_characters: None,
                    work_done_progress_options: Default::default(),
                }),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                    SemanticTokensOptions {
                        legend: SemanticTokensLegend {
                            token_types: handlers::TOKEN_TYPES.to_vec(),
                            token_modifiers: handlers::TOKEN_MODIFIERS.to_vec(),
                        },
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        range: None,
                        work_done_progress_options: Default::default(),
                    },
                )),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string()]),
                    ..CompletionOptions::default()
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "min-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let encoding = self.with_state(|state| state.documents.encoding).unwrap_or_default();
        let message = format!("min-lsp {} ready; positions in {}", env!("CARGO_PKG_VERSION"), encoding.kind().as_str());
        self.client.log_message(MessageType::INFO, message).await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.update(&document.uri, |documents| documents.open(&document.uri, document.text, document.version)).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // With full synchronisation the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else { return };
        let document = params.text_document;
        // A document that was refused when opened was logged then; stay quiet on each keystroke.
        let change = |documents: &mut Documents| {
            documents.change(&document.uri, change.text, document.version).or(Ok(Vec::new()))
        };
        self.update(&document.uri, change).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        self.update(&uri, |_| Ok(Vec::new())).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let outcome = self.with_state(|state| {
            state.documents.close(&uri);
            state.published.remove(&uri);
            publications(state, None)
        });
        // A closed document's problems leave the editor with it.
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
        match outcome {
            Ok(publications) => self.publish(publications).await,
            Err(error) => self.client.log_message(MessageType::ERROR, error.message).await,
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let reloaded = self.with_state(|state| {
            params.changes.iter().filter(|change| state.documents.reload_from_disk(&change.uri)).count()
        });
        if reloaded.unwrap_or(0) > 0 {
            self.republish().await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.answer(|documents| handlers::hover(documents, &params.text_document_position_params))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.answer(|documents| handlers::definition(documents, &params.text_document_position_params))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let include_declaration = params.context.include_declaration;
        self.answer(|documents| {
            Some(handlers::references(documents, &params.text_document_position, include_declaration))
        })
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.answer(|documents| handlers::prepare_rename(documents, &params))?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.answer(|documents| handlers::rename(documents, &params.text_document_position, &params.new_name))?
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.with_state(|state| {
            handlers::document_symbols(&state.documents, &params.text_document.uri, state.hierarchical_symbols)
        })
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        self.answer(|documents| {
            Some(WorkspaceSymbolResponse::Nested(handlers::workspace_symbols(documents, &params.query)))
        })
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        self.answer(|documents| {
            handlers::semantic_tokens(documents, &params.text_document.uri).map(SemanticTokensResult::Tokens)
        })
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        self.answer(|documents| handlers::signature_help(documents, &params.text_document_position_params))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.answer(|documents| handlers::code_lenses(documents, &params.text_document.uri))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.answer(|documents| handlers::code_actions(documents, &params.text_document.uri, params.range))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.answer(|documents| handlers::inlay_hints(documents, &params.text_document.uri, params.range))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.answer(|documents| handlers::formatting(documents, &params.text_document.uri))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.answer(|documents| {
            Some(CompletionResponse::Array(handlers::completions(documents, &params.text_document_position)))
        })
    }
}
