//! `foldc lsp` driven over stdio as an editor drives it: initialize, open
//! a document with errors and receive its diagnostics (codes, related
//! information, a quick fix), edit it clean and receive the cleared
//! diagnostics, hover, definition, references, completion, symbols,
//! semantic tokens and formatting; debouncing of fast edits; a Soufflé
//! document; and the latency of diagnostics after an edit on the
//! largest example.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications read while waiting for a response.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_foldc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("foldc lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().expect("length");
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(30))
                .expect("a response");
            if m.get("id") == Some(&json!(id)) {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
            self.backlog.push(m);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.backlog.iter().position(wanted) {
            let m = self.backlog.remove(i);
            return m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(30))
                .expect("diagnostics");
            if wanted(&m) {
                return m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.backlog.push(m);
        }
    }

    /// Every message that arrives within `wait`.
    fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut out = std::mem::take(&mut self.backlog);
        let end = Instant::now() + wait;
        while let Ok(m) = self
            .messages
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            out.push(m);
        }
        out
    }

    fn open(&mut self, uri: &str, text: &str) {
        let language = if uri.ends_with(".dl") {
            "souffle"
        } else {
            "fold"
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        // As an editor does: the server's reader ends when stdin closes.
        let Client {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let status = child.wait().expect("exits");
        assert!(status.success(), "foldc lsp exited with {status}");
    }
}

/// The string field `key` of each object in the array `v`.
fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i[key].as_str().map(str::to_string))
        .collect()
}

fn at(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn position(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": at(line, character)})
}

const BROKEN: &str = "\
data edge(src: int, dst: int)
data reach(src: int, dst: int)
output reach
reach(x, y) :- edg(x, y).
reach(x, z) :- reach(x, y), edge(y, z, 1).
";

const FIXED: &str = "\
data edge(src: int, dst: int)
data reach(src: int, dst: int)
output reach
edge(1, 2).
reach(x, y) :- edge(x, y).
rule extend:
  on reach(a, b)
  friends edge(b, c)
  abort when len(\"ab\") > a
  find reach(a, c)
example extend hit: reach(1, 2), edge(2, 3) => reach(1, 3)
";

fn initialize() -> Client {
    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "documentSymbolProvider",
        "codeActionProvider",
        "documentFormattingProvider",
        "semanticTokensProvider",
    ] {
        assert!(!caps[cap].is_null(), "capability {cap} missing: {caps}");
    }
    client.notify("initialized", json!({}));
    client
}

#[test]
fn an_editor_session() {
    let mut client = initialize();
    let uri = "file:///nonexistent/prog.fold";

    // Open with errors: the codes, labels and secondary labels of check.
    client.open(uri, BROKEN);
    let diags = client.diagnostics(uri);
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["E0100", "E0103"], "{diags:?}");
    let unknown = &diags[0];
    assert_eq!(unknown["range"]["start"], at(3, 15));
    assert!(unknown["message"]
        .as_str()
        .unwrap_or("")
        .contains("did you mean `edge`?"));
    let arity = &diags[1];
    assert_eq!(arity["severity"], 1);
    let related = &arity["relatedInformation"][0];
    assert_eq!(related["location"]["range"]["start"]["line"], 0, "{arity}");
    assert!(related["message"]
        .as_str()
        .unwrap_or("")
        .contains("declared as"));

    // The "did you mean" as a quick fix.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": unknown["range"], "context": {"diagnostics": []}}),
    );
    let edit = &actions[0]["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], "edge", "{actions}");
    assert_eq!(edit["range"]["start"], at(3, 15));
    assert_eq!(edit["range"]["end"], at(3, 18));

    // Fixed: the diagnostics are cleared.
    client.change(uri, 2, FIXED);
    assert_eq!(client.diagnostics(uri), Vec::<Value>::new());

    // Hover: a category, a variable, a builtin.
    let hover = client.request("textDocument/hover", position(uri, 1, 6));
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("data reach(src: int, dst: int)"), "{text}");
    assert!(text.contains("found by: `extend`, `reach@5`"), "{text}");
    assert!(text.contains("read by: `extend`"), "{text}");
    let hover = client.request("textDocument/hover", position(uri, 7, 18));
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        text.contains("variable `c` of `extend`: `int` (field 2 of `edge`)"),
        "{text}"
    );
    assert!(text.contains("bound in stage `friends`"), "{text}");
    let hover = client.request("textDocument/hover", position(uri, 8, 14));
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let len = fold_stdlib::overloads("len");
    assert!(
        !len.is_empty() && text.contains(&len[0].signature()),
        "{text}"
    );

    // Definition and references of `edge` (used on line 7).
    let def = client.request("textDocument/definition", position(uri, 7, 11));
    assert_eq!(def["range"]["start"], at(0, 5), "{def}");
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": at(7, 11), "context": {"includeDeclaration": true}}),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["range"]["start"]["line"].as_u64())
        .collect();
    assert_eq!(lines, [0, 3, 4, 7, 10], "{refs}");
    // A variable goes to where its rule binds it.
    let def = client.request("textDocument/definition", position(uri, 9, 16));
    assert_eq!(def["range"]["start"], at(7, 18), "{def}");

    // Completion inside an atom of a rule: categories, fields, builtins.
    let items = client.request("textDocument/completion", position(uri, 9, 15));
    let labels = strings(&items, "label");
    for want in ["edge", "reach", "src", "dst", "len", "a", "c"] {
        assert!(
            labels.iter().any(|l| l == want),
            "{want} not offered: {labels:?}"
        );
    }
    // At the start of a rule's line: stage keywords.
    let items = client.request("textDocument/completion", position(uri, 7, 2));
    let labels = strings(&items, "label");
    assert!(
        labels.iter().any(|l| l == "friends") && labels.iter().any(|l| l == "abort"),
        "{labels:?}"
    );

    // Symbols, semantic tokens.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names = strings(&symbols, "name");
    assert_eq!(
        names,
        [
            "edge",
            "reach",
            "reach@5",
            "rule extend",
            "example extend hit"
        ]
    );
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data = tokens["data"].as_array().map_or(0, |d| d.len());
    assert!(data > 0 && data.is_multiple_of(5), "{tokens}");

    // Formatting: the edit gives what `foldc fmt` gives.
    let messy = "data e(a:int)\nrule r: on e(x) find e(x)\n";
    client.change(uri, 3, messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let want = fold_compiler::fmt::format(messy).expect("formats");
    assert_eq!(edits[0]["newText"], want.as_str(), "{edits}");

    client.shutdown();
}

#[test]
fn fast_edits_are_compiled_once() {
    let mut client = initialize();
    let uri = "file:///nonexistent/fast.fold";
    client.open(uri, FIXED);
    assert_eq!(client.diagnostics(uri), Vec::<Value>::new());
    // Four broken texts and the fixed one, faster than the debounce.
    for version in 2..6 {
        client.change(uri, version, BROKEN);
    }
    client.change(uri, 6, FIXED);
    let messages = client.drain(Duration::from_millis(800));
    let published: Vec<&Value> = messages
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["params"]["diagnostics"], json!([]));
    client.shutdown();
}

#[test]
fn souffle_documents_get_diagnostics() {
    let mut client = initialize();
    let uri = "file:///nonexistent/prog.dl";
    client.open(uri, ".decl edge(x: number, y: number)\n.decl path(x: number, y: number)\npath(x, y) :- edge(x, y\n");
    let diags = client.diagnostics(uri);
    // The Soufflé front end read it: its `.decl`s are categories (the fold
    // parser would stop at the first `.`), and the unclosed atom is the
    // syntax error.
    assert!(diags.iter().any(|d| d["code"] == "E0002"), "{diags:?}");
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "W0003"
                && d["message"].as_str().is_some_and(|m| m.contains("`edge`"))),
        "{diags:?}"
    );
    client.change(uri, 2, ".decl edge(x: number, y: number)\n.decl path(x: number, y: number)\npath(x, y) :- edge(x, y).\n");
    let diags = client.diagnostics(uri);
    assert!(diags.iter().all(|d| d["severity"] != 1), "{diags:?}");
    client.shutdown();
}

/// The time from an edit of the largest example to its diagnostics
/// (debounce included), printed for the record; bounded loosely so a
/// regression to seconds fails.
#[test]
fn diagnostic_latency_on_the_largest_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut largest = (0, std::path::PathBuf::new());
    for entry in std::fs::read_dir(&root).expect("examples").flatten() {
        for file in std::fs::read_dir(entry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "fold") {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                if size > largest.0 {
                    largest = (size, path);
                }
            }
        }
    }
    let text = std::fs::read_to_string(&largest.1).expect("readable");
    let uri = format!(
        "file://{}",
        largest.1.canonicalize().expect("path").display()
    );
    let mut client = initialize();
    client.open(&uri, &text);
    let clean = client.diagnostics(&uri);
    let mut times = Vec::new();
    for round in 0..7 {
        // An edit that breaks the program, then one that mends it.
        let broken = text.replacen("data ", "dat ", 1);
        let (edit, want_errors) = if round % 2 == 0 {
            (&broken, true)
        } else {
            (&text, false)
        };
        let start = Instant::now();
        client.change(&uri, round + 2, edit);
        let diags = client.diagnostics(&uri);
        times.push(start.elapsed());
        assert_eq!(diags.iter().any(|d| d["severity"] == 1), want_errors);
        if !want_errors {
            assert_eq!(diags.len(), clean.len());
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "diagnostic latency after an edit of {} ({} bytes): median {} ms over {} edits (debounce {} ms included), max {} ms",
        largest.1.display(),
        largest.0,
        median.as_millis(),
        times.len(),
        100,
        times[times.len() - 1].as_millis()
    );
    assert!(median < Duration::from_secs(2), "{times:?}");
    client.shutdown();
}
