//! `min-lsp`: the Min language server, speaking LSP on standard input and output.

use std::process::ExitCode;

/// The allocator `minc` uses: the checker allocates many small values.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Some(argument) = std::env::args().nth(1) {
        return match argument.as_str() {
            "--version" | "-V" => {
                println!("min-lsp {}", env!("CARGO_PKG_VERSION"));
                ExitCode::SUCCESS
            }
            "--stdio" => serve(),
            _ => {
                eprintln!(
                    "usage: min-lsp [--stdio | --version]\nSpeaks the Language Server Protocol on standard input and output."
                );
                ExitCode::from(2)
            }
        };
    }
    serve()
}

fn serve() -> ExitCode {
    let thread = std::thread::Builder::new().name("min-lsp".into()).stack_size(min_lsp::STACK_BYTES);
    match thread.spawn(min_lsp::serve_stdio) {
        Ok(handle) => handle.join().unwrap_or(ExitCode::from(2)),
        Err(error) => {
            eprintln!("min-lsp: cannot start the server thread: {error}");
            ExitCode::from(2)
        }
    }
}
