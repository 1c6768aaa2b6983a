//! A small LSP client for driving the real `min-lsp` binary over stdio:
//! Content-Length framing, numbered requests, and notifications kept aside
//! while a response is awaited. Every wait has a deadline, so a server that
//! hangs fails the test instead of hanging it.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long any one message may take to arrive.
pub const MESSAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// A running server and the messages it sent that nobody has read yet.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    notifications: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts `min-lsp`; nothing is sent yet.
    pub fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_min-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("min-lsp starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client { child, stdin, incoming, notifications: Vec::new(), next_id: 1 }
    }

    /// Starts `min-lsp` and initializes it, offering these position encodings.
    pub fn initialized(encodings: &[&str]) -> (Client, Value) {
        let mut client = Client::spawn();
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "textDocument": {
                        "rename": { "prepareSupport": true },
                        "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
                    },
                },
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response, `result` or `error`.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        loop {
            let message = self.receive(deadline, method);
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.keep(message);
        }
    }

    /// Sends a request and returns its result, failing on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// The next `textDocument/publishDiagnostics` for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        self.notification("textDocument/publishDiagnostics", |params| params["uri"] == uri)
    }

    /// The first notification of `method` whose params satisfy `wanted`,
    /// among those already received or arriving before the deadline.
    pub fn notification(&mut self, method: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let matches = |message: &Value| message["method"] == method && wanted(&message["params"]);
        if let Some(i) = self.notifications.iter().position(matches) {
            return self.notifications.remove(i)["params"].clone();
        }
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        loop {
            let message = self.receive(deadline, method);
            if matches(&message) {
                return message["params"].clone();
            }
            self.keep(message);
        }
    }

    /// Asks the server to shut down and exit, and returns how the process ended.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Waits for the process to end, at most [`MESSAGE_TIMEOUT`].
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("the process's status") {
                return status;
            }
            assert!(Instant::now() < deadline, "min-lsp did not exit within {MESSAGE_TIMEOUT:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process id.
    #[allow(dead_code, reason = "used by the latency benchmark, not by the tests")]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the server's standard input, as a client that dies would.
    pub fn close_input(&mut self) {
        self.stdin = None;
    }

    /// Sends raw bytes, framing and all.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("input still open");
        stdin.write_all(bytes).expect("the server reads its input");
        stdin.flush().expect("the server reads its input");
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("json");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(&body);
        self.send_bytes(&framed);
    }

    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("no answer to {waiting_for} within {MESSAGE_TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("min-lsp closed its output while we waited for {waiting_for}")
            }
        }
    }

    /// Keeps a notification for later; answers a request from the server.
    fn keep(&mut self, message: Value) {
        match (message.get("id"), message.get("method")) {
            (Some(id), Some(_)) => {
                let id = id.clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            (None, Some(_)) => self.notifications.push(message),
            _ => panic!("a response nobody asked for: {message}"),
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A test that failed half-way must not leave its server running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads one framed message, or `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}

/// A fresh folder for one test's files, removed when dropped.
pub struct Folder(PathBuf);

impl Folder {
    /// Creates an empty folder named after the test.
    pub fn new(test: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("min-lsp-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temporary folder");
        Folder(path)
    }

    /// The `file:` URI of `name` in this folder.
    pub fn uri(&self, name: &str) -> String {
        uri(&self.0.join(name))
    }

    /// Writes a file into the folder and returns its URI.
    pub fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.0.join(name), text).expect("written");
        self.uri(name)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `file:` URI of an absolute path made of characters that need no escaping.
fn uri(path: &Path) -> String {
    let path = path.to_str().expect("a UTF-8 path");
    assert!(path.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c)), "{path}");
    format!("file://{path}")
}

/// The LSP position of the `nth` occurrence of `needle` in `text`, counted in
/// `encoding` ("utf-8" or "utf-16") independently of the server's code.
pub fn position(text: &str, needle: &str, nth: usize, encoding: &str) -> Value {
    let offset = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("{needle} #{nth} in {text}")).0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = match encoding {
        "utf-8" => before.len() - line_start,
        "utf-16" => before[line_start..].encode_utf16().count(),
        other => panic!("no encoding {other}"),
    };
    json!({ "line": line, "character": character })
}
