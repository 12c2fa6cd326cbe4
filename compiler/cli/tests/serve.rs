//! `foldc serve` as a client meets it: the real binary on a free port,
//! spoken to over plain HTTP. Counts and queries answer from the open
//! database; inserts run the rules and are durable when answered, so a
//! service killed after them leaves the database one run over all the
//! input would have built; a body that does not parse inserts nothing.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{dir_texts, ok, TC};

/// The service, killed when dropped.
struct Service {
    child: Child,
    port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Service {
    let child = Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(["serve", "tc.fold", "--db", "db", "--port", "0"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("foldc serve starts");
    // Killed on any panic from here on.
    let mut service = Service { child, port: 0 };
    let mut line = String::new();
    let stderr = service.child.stderr.take().expect("stderr");
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("first line");
    assert!(
        line.starts_with("foldc serve: database `db` (2 facts) on "),
        "{line}"
    );
    service.port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    service
}

/// One request; the status and the body.
fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("receive");
    let (head, body) = reply.split_once("\r\n\r\n").expect("headers end");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, body.to_string())
}

#[test]
fn a_served_database_counts_queries_and_inserts_durably() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n").expect("write");
    let service = serve(d);
    let port = service.port;
    assert_eq!(
        http(port, "GET", "/count", ""),
        (200, "{\"counts\":{\"edge\":1,\"path\":1}}\n".to_string())
    );
    let (status, reply) = http(port, "POST", "/insert/edge", "src,dst\n2,3\n3,4\n1,2\n");
    assert_eq!(status, 200, "{reply}");
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("json");
    assert_eq!(
        (reply["read"].as_u64(), reply["new"].as_u64()),
        (Some(3), Some(2))
    );
    // path gains 2-3, 3-4, 1-3, 2-4, 1-4.
    assert_eq!(
        (reply["change"].as_i64(), reply["facts"].as_u64()),
        (Some(7), Some(9)),
        "{reply}"
    );
    assert_eq!(
        http(port, "GET", "/facts/path?src=1", ""),
        (200, "src,dst\n1,2\n1,3\n1,4\n".to_string())
    );
    // Percent-encoded values decode; what is not a hex pair stays as it is.
    assert_eq!(
        http(port, "GET", "/facts/path?src=%31&dst=%34", "").1,
        "src,dst\n1,4\n"
    );
    let (status, reply) = http(port, "GET", "/facts/path?src=%+1", "");
    assert_eq!(status, 400, "{reply}");
    assert_eq!(http(port, "GET", "/facts/path?src=%FF", "").0, 400);
    assert_eq!(
        http(port, "GET", "/count/path", ""),
        (200, "{\"category\":\"path\",\"count\":6}\n".to_string())
    );
    // A bad body: a 400 naming line and column, and nothing inserted.
    let (status, reply) = http(port, "POST", "/insert/edge", "src,dst\n4,5\n5,x\n");
    assert_eq!(status, 400);
    assert!(reply.contains("edge.csv:3:3: field `dst`"), "{reply}");
    assert!(reply.contains("nothing was inserted"), "{reply}");
    assert_eq!(
        http(port, "GET", "/count/edge", "").1,
        "{\"category\":\"edge\",\"count\":3}\n"
    );
    assert_eq!(http(port, "GET", "/count/nope", "").0, 404);
    assert_eq!(http(port, "GET", "/insert/edge", "").0, 405);
    assert_eq!(http(port, "GET", "/facts/path?weight=1", "").0, 400);
    let (status, _) = http(port, "POST", "/insert/edge", "src,dst\n4,1\n");
    assert_eq!(status, 200);
    // Killed without warning: every answered insert is in the database,
    // which equals one run over all the edges.
    drop(service);
    ok(&["export", "tc.fold", "--db", "db", "--out", "served"], d);
    std::fs::write(d.join("all.csv"), "src,dst\n1,2\n2,3\n3,4\n4,1\n").expect("write");
    ok(
        &[
            "run",
            "tc.fold",
            "--input",
            "edge=all.csv",
            "--out",
            "once",
            "-q",
        ],
        d,
    );
    let served = dir_texts(&d.join("served")).expect("served");
    assert_eq!(served, dir_texts(&d.join("once")).expect("once"));
    assert_eq!(served["path.csv"].lines().count(), 17);
    // It is an ordinary database: a run goes on from it.
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
}
