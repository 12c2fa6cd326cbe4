//! Talking to a `foldc serve` started for a test: the process (killed
//! when dropped), plain HTTP/1.1 requests over loopback, and a reader of
//! server-sent events.

#![allow(dead_code)]
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running service; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// What it printed on stderr so far.
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `foldc serve PROG --db db --port 0 ARGS` in `dir`, once it listens.
    pub fn start(dir: &Path, program: &str, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_foldc"))
            .args(["serve", program, "--db", "db", "--port", "0"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("foldc serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line.clone());
                kept.lock().expect("lines").push(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr: lines,
        };
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("foldc serve prints where it listens");
            if let Some(rest) = line.split(" on http://").nth(1) {
                let addr = rest.split(' ').next().expect("address");
                server.port = addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port");
                return server;
            }
        }
    }

    /// Ask the service to stop (SIGTERM) and wait for it; its exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().ok().and_then(|s| s.code())
    }

    /// Kill it at once (SIGKILL), as a crash would.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn get(&self, path: &str) -> Reply {
        request(self.port, "GET", path, &[], b"")
    }

    pub fn post(&self, path: &str, content_type: &str, body: &str) -> Reply {
        request(
            self.port,
            "POST",
            path,
            &[("Content-Type", content_type)],
            body.as_bytes(),
        )
    }

    pub fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r.json()
    }
}

/// A reply: status, headers (names lower case) and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request on a connection of its own; `headers` may replace Host.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut conn = Conn::open(port);
    conn.send(method, path, headers, body);
    conn.receive()
}

/// A keep-alive connection.
pub struct Conn {
    pub reader: BufReader<TcpStream>,
    pub port: u16,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        Conn {
            reader: BufReader::new(stream),
            port,
        }
    }

    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port));
        }
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        // One write: a body sent apart from its head waits for the
        // server's delayed acknowledgement of the head (Nagle), some
        // 40 ms that would be measured as the service's.
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.reader.get_mut().write_all(&bytes).expect("send");
    }

    /// Read one reply (with a Content-Length, or up to the close).
    pub fn receive(&mut self) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {line:?}"));
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        let mut body = Vec::new();
        match length {
            Some(n) => {
                body.resize(n, 0);
                self.reader.read_exact(&mut body).expect("body");
            }
            None if headers
                .iter()
                .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) =>
            {
                loop {
                    line.clear();
                    self.reader.read_line(&mut line).expect("chunk size");
                    let size = usize::from_str_radix(line.trim(), 16).expect("chunk size");
                    let mut chunk = vec![0; size + 2];
                    self.reader.read_exact(&mut chunk).expect("chunk");
                    if size == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..size]);
                }
            }
            None => {
                let _ = self.reader.read_to_end(&mut body);
            }
        }
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }
}

/// One server-sent event.
#[derive(Debug, Default)]
pub struct Event {
    pub kind: String,
    pub id: Option<u64>,
    pub data: String,
}

/// A subscription: `GET path` kept open, events read one at a time.
pub struct Events {
    conn: Conn,
    /// Body text read but not yet returned as lines.
    buf: String,
}

impl Events {
    pub fn open(port: u16, path: &str) -> Events {
        Events::open_with(port, path, &[])
    }

    /// [`Events::open`] with more request headers.
    pub fn open_with(port: u16, path: &str, headers: &[(&str, &str)]) -> Events {
        let mut conn = Conn::open(port);
        conn.send("GET", path, headers, b"");
        let mut line = String::new();
        conn.reader.read_line(&mut line).expect("status");
        assert!(line.contains(" 200 "), "{line}");
        loop {
            line.clear();
            conn.reader.read_line(&mut line).expect("header");
            if line.trim_end().is_empty() {
                break;
            }
        }
        Events {
            conn,
            buf: String::new(),
        }
    }

    /// The next event (skipping keep-alive comments); `None` at the end.
    pub fn next(&mut self) -> Option<Event> {
        let mut event = Event::default();
        let mut seen = false;
        loop {
            let line = self.line()?;
            if line.is_empty() {
                if seen {
                    return Some(event);
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            seen = true;
            if let Some(v) = line.strip_prefix("event:") {
                event.kind = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("id:") {
                event.id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("data:") {
                event.data.push_str(v.trim_start());
            }
        }
    }

    /// One line of the chunked body's text (chunk framing removed).
    fn line(&mut self) -> Option<String> {
        // The body is chunked: a chunk holds whole lines or parts; keep
        // what is left of the current chunk.
        loop {
            if let Some(i) = self.buf.find('\n') {
                let rest = self.buf.split_off(i + 1);
                let mut line = std::mem::replace(&mut self.buf, rest);
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
                return Some(line);
            }
            let mut size = String::new();
            if self.conn.reader.read_line(&mut size).ok()? == 0 {
                return None;
            }
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                return None;
            }
            let mut chunk = vec![0; size + 2];
            self.conn.reader.read_exact(&mut chunk).ok()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk[..size]));
        }
    }
}
