//! A guard in front of tower-lsp-server's reader. Its decoder stops the
//! whole server at the first message it cannot decode (a body that is not
//! JSON, or JSON that is not a JSON-RPC message, or a header it dislikes):
//! `tokio_util`'s `FramedRead` ends the stream after a decoding error. An
//! editor never sends such bytes, but a server that reads untrusted input
//! should not die of them, so this pass re-frames the input, forwards only
//! messages that decode, and drops the rest with a line on standard error.
//!
//! It also bounds what it buffers: a header line of at most
//! [`HEADER_LINE_BYTES_LIMIT`], a body of at most the limit it is given.

use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The longest header line kept; a longer one is garbage.
pub const HEADER_LINE_BYTES_LIMIT: usize = 8 << 10;

/// The largest message body forwarded: room for a document at the limit
/// (`crate::documents::DOCUMENT_BYTES_LIMIT`) with every character escaped in JSON.
pub const MESSAGE_BYTES_LIMIT: usize = 4 * crate::documents::DOCUMENT_BYTES_LIMIT;

/// Why a message was dropped.
#[derive(Debug, PartialEq, Eq)]
pub enum Dropped {
    /// A body longer than the limit, of this many bytes.
    TooLarge(usize),
    /// A body that is not a JSON-RPC request, notification or response.
    NotJsonRpc,
}

/// Copies the messages of `input` that tower-lsp-server can decode to
/// `output`, framed anew, calling `dropped` for each one left out. Returns
/// at the end of `input`, or with the error of a failed read or write.
pub async fn forward_messages(
    mut input: impl AsyncBufRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    body_bytes_limit: usize,
    mut dropped: impl FnMut(Dropped),
) -> std::io::Result<()> {
    while let Some(length) = read_headers(&mut input).await? {
        if length > body_bytes_limit {
            let skipped = tokio::io::copy(&mut (&mut input).take(length as u64), &mut tokio::io::sink()).await?;
            dropped(Dropped::TooLarge(length));
            if skipped < length as u64 {
                return Ok(());
            }
            continue;
        }
        let mut body = vec![0; length];
        if input.read_exact(&mut body).await.is_err() {
            // The input ended inside a body: nothing more will come.
            return Ok(());
        }
        if !decodes::<Request>(&body) && !decodes::<Response>(&body) {
            dropped(Dropped::NotJsonRpc);
            continue;
        }
        output.write_all(format!("Content-Length: {length}\r\n\r\n").as_bytes()).await?;
        output.write_all(&body).await?;
        output.flush().await?;
    }
    Ok(())
}

fn decodes<T: DeserializeOwned>(body: &[u8]) -> bool {
    serde_json::from_slice::<T>(body).is_ok()
}

/// Reads header lines up to the empty line that ends them, and returns the
/// body's length; `None` at the end of the input. Lines before a
/// `Content-Length` header that are not headers are skipped, so the reader
/// finds its feet again after garbage.
async fn read_headers(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<usize>> {
    let mut length = None;
    loop {
        let Some(line) = read_line(input).await? else { return Ok(None) };
        let line = line.trim_ascii();
        if line.is_empty() {
            match length {
                Some(length) => return Ok(Some(length)),
                None => continue,
            }
        }
        let lower = line.to_ascii_lowercase();
        const NAME: &[u8] = b"content-length:";
        if let Some(at) = lower.windows(NAME.len()).position(|window| window == NAME) {
            let value = std::str::from_utf8(&line[at + NAME.len()..]).unwrap_or("");
            length = value.trim().parse::<usize>().ok();
        }
    }
}

/// One line without its `\n`, at most [`HEADER_LINE_BYTES_LIMIT`] bytes
/// (the rest of a longer line is read and thrown away); `None` at the end.
async fn read_line(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let read = (&mut *input).take(HEADER_LINE_BYTES_LIMIT as u64).read_until(b'\n', &mut line).await?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && line.len() == HEADER_LINE_BYTES_LIMIT {
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let read = (&mut *input).take(HEADER_LINE_BYTES_LIMIT as u64).read_until(b'\n', &mut rest).await?;
            if read == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
        // Garbage: an empty line would end the headers, so give a line that is no header.
        return Ok(Some(b"-".to_vec()));
    }
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    const EXIT: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    const RESPONSE: &str = r#"{"jsonrpc":"2.0","id":7,"result":null}"#;

    /// What comes out of the guard, and what it dropped.
    fn forward(input: &[u8], limit: usize) -> (Vec<u8>, Vec<Dropped>) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        let mut output = Vec::new();
        let mut dropped = Vec::new();
        runtime
            .block_on(forward_messages(input, &mut output, limit, |reason| dropped.push(reason)))
            .expect("memory never fails");
        (output, dropped)
    }

    #[test]
    fn good_messages_pass_unchanged() {
        let input = [frame(INITIALIZE), frame(RESPONSE), frame(EXIT)].concat();
        assert_eq!(forward(&input, 1 << 20), (input, Vec::new()));
    }

    #[test]
    fn other_headers_and_spellings_are_accepted() {
        let input = format!(
            "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=UTF-8\r\n\r\n{EXIT}",
            EXIT.len()
        );
        assert_eq!(forward(input.as_bytes(), 1 << 20).0, frame(EXIT));
    }

    #[test]
    fn bodies_that_are_not_json_rpc_are_dropped() {
        let input = [frame("{not json"), frame("{}"), frame("[1, 2]"), frame(""), frame(EXIT)].concat();
        let (output, dropped) = forward(&input, 1 << 20);
        assert_eq!(output, frame(EXIT));
        assert_eq!(dropped.len(), 4);
    }

    #[test]
    fn garbage_between_messages_is_skipped() {
        let long_line = "x".repeat(3 * HEADER_LINE_BYTES_LIMIT);
        let input =
            [b"hello\r\n".to_vec(), frame(INITIALIZE), format!("{long_line}\r\n").into_bytes(), frame(EXIT)].concat();
        assert_eq!(forward(&input, 1 << 20).0, [frame(INITIALIZE), frame(EXIT)].concat());
    }

    #[test]
    fn bodies_over_the_limit_are_dropped_whole() {
        let input = [frame(INITIALIZE), frame(EXIT)].concat();
        let (output, dropped) = forward(&input, EXIT.len());
        assert_eq!(output, frame(EXIT));
        assert_eq!(dropped, [Dropped::TooLarge(INITIALIZE.len())]);
    }

    #[test]
    fn input_ending_inside_a_message_ends_quietly() {
        let mut input = frame(INITIALIZE);
        input.truncate(input.len() - 3);
        assert_eq!(forward(&input, 1 << 20), (Vec::new(), Vec::new()));
        assert_eq!(forward(b"Content-Length: 99999999999999999999\r\n", 1 << 20).0, Vec::<u8>::new());
    }

    /// Splits forwarded output into its bodies, asserting the framing.
    fn bodies(mut output: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while !output.is_empty() {
            let text = std::str::from_utf8(output).unwrap_or("");
            let end = output.windows(4).position(|w| w == b"\r\n\r\n").expect("a header");
            let header = std::str::from_utf8(&output[..end]).expect("ASCII");
            let length: usize = header.strip_prefix("Content-Length: ").expect("one header").parse().expect("a length");
            assert!(output.len() >= end + 4 + length, "{text}");
            out.push(output[end + 4..end + 4 + length].to_vec());
            output = &output[end + 4 + length..];
        }
        out
    }

    proptest! {
        #[test]
        fn whatever_comes_in_only_decodable_messages_come_out(
            garbage in proptest::collection::vec(any::<u8>(), 0..256),
            mixed in proptest::collection::vec(prop_oneof![
                Just(frame(EXIT)),
                Just(frame("{]")),
                Just(b"Content-Length: 3\r\n\r\n".to_vec()),
                Just(b"\r\n".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..16),
            ], 0..8),
        ) {
            let input = [garbage, mixed.concat()].concat();
            let (output, _) = forward(&input, 1 << 20);
            for body in bodies(&output) {
                prop_assert!(decodes::<Request>(&body) || decodes::<Response>(&body));
            }
        }

        #[test]
        fn good_messages_after_garbage_lines_get_through(lines in proptest::collection::vec("[a-z :]{0,40}", 0..6)) {
            let garbage: String = lines.iter().map(|line| format!("{line}\r\n")).collect();
            // A garbage line may itself be a `Content-Length` header; end it with an empty line.
            let input = [garbage.into_bytes(), b"\r\n".to_vec(), frame(EXIT)].concat();
            let (output, _) = forward(&input, 1 << 20);
            prop_assert!(output.ends_with(&frame(EXIT)));
        }
    }
}
