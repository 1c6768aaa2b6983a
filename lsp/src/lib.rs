//! The Min language server: diagnostics, hover, definitions, references,
//! rename, outline, workspace symbols, completion, signature help, semantic
//! tokens, inlay hints, quick fixes, run lenses and formatting, answered by
//! `min_analysis` and spoken over LSP on standard input and output.
//!
//! Start at `server.rs` (the protocol), then `handlers.rs` (one function per
//! request), `documents.rs` (which files the workspace holds) and
//! `position.rs` (byte offsets against editor positions).

mod documents;
mod handlers;
pub mod position;
mod server;
mod transport;

pub use server::Backend;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_lsp_server::{LspService, Server};

/// The stack of the thread that runs the server: the checker recurses over
/// expressions nested up to `min_syntax::DEPTH_LIMIT` deep, and only the
/// pages touched take memory.
pub const STACK_BYTES: usize = 256 << 20;

/// Serves one client on standard input and output until it says `exit` or
/// closes the input. Exits with 0 after a `shutdown` request, else with 1,
/// as the protocol asks.
pub fn serve_stdio() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("min-lsp: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, flag));
    let (server_input, guard_output) = tokio::io::duplex(1 << 16);
    runtime.block_on(async {
        // When standard input ends, the guard drops its end of the pipe,
        // and the server sees the end of its input.
        tokio::spawn(async move {
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let dropped = |reason| eprintln!("min-lsp: dropped a message from the client: {reason:?}");
            if let Err(error) =
                transport::forward_messages(stdin, guard_output, transport::MESSAGE_BYTES_LIMIT, dropped).await
            {
                eprintln!("min-lsp: cannot read the client's messages: {error}");
            }
        });
        Server::new(server_input, tokio::io::stdout(), socket).serve(service).await;
    });
    // The thread reading standard input cannot be interrupted; do not wait for it.
    runtime.shutdown_background();
    if shutdown.load(Ordering::SeqCst) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
