//! Who may ask and how much: tokens, Host and Origin, the body limit
//! checked before reading, the connection limit and its recovery, the
//! warning when listening beyond loopback, and a graceful SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::{request, Server};
use crate::tc_dir;

#[test]
fn tokens_hosts_origins_and_body_limits_are_checked() {
    let dir = tc_dir();
    let d = dir.path();
    std::fs::write(d.join("token"), "s3cret\n").expect("write");
    let s = Server::start(
        d,
        "tc.fold",
        &["--token-file", "token", "--max-body", "1000"],
    );
    let port = s.port;
    let body = b"src,dst\n2,3\n";
    let csv = ("Content-Type", "text/csv");
    let auth = ("Authorization", "Bearer s3cret");
    // Writes need the token; reads do not.
    let r = request(port, "POST", "/categories/edge/facts", &[csv], body);
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let wrong = ("Authorization", "Bearer s3creT");
    assert_eq!(
        request(port, "POST", "/categories/edge/facts", &[csv, wrong], body).status,
        401
    );
    assert_eq!(s.get("/categories/edge/count").status, 200);
    let r = request(port, "POST", "/categories/edge/facts", &[csv, auth], body);
    assert_eq!((r.status, &r.json()["new"]), (200, &json!(1)), "{}", r.body);
    // A page of another site cannot write, even with the token; the
    // service's own origin can.
    let evil = ("Origin", "http://evil.example");
    let r = request(
        port,
        "POST",
        "/categories/edge/facts",
        &[csv, auth, evil],
        body,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let own = format!("http://127.0.0.1:{port}");
    let r = request(
        port,
        "POST",
        "/categories/edge/facts",
        &[csv, auth, ("Origin", &own)],
        body,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // A name rebound to loopback is not answered.
    let r = request(port, "GET", "/categories", &[("Host", "evil.example")], b"");
    assert_eq!(r.status, 403, "{}", r.body);
    let r = request(
        port,
        "GET",
        "/categories",
        &[("Host", &format!("localhost:{port}"))],
        b"",
    );
    assert_eq!(r.status, 200);
    // Too large: refused from the header, before any of it is sent.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST /categories/edge/facts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n\
         Authorization: Bearer s3cret\r\nContent-Length: 65000000\r\n\r\n"
    )
    .expect("send");
    let mut reply = [0u8; 200];
    let n = stream.read(&mut reply).expect("a reply before the body");
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    // Over the limit without a length (chunked): 413 as it arrives.
    let big = format!("src,dst\n{}", "1,1\n".repeat(300));
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "POST /categories/edge/facts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n\
         Authorization: Bearer s3cret\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        big.len()
    )
    .expect("send");
    let mut conn = crate::client::Conn {
        reader: std::io::BufReader::new(stream),
        port,
    };
    let r = conn.receive();
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(s.json("/categories/edge/count")["count"], 2);
}

#[test]
fn connections_over_the_limit_get_503_and_the_service_recovers() {
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &["--max-connections", "8"]);
    let idle: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(("127.0.0.1", s.port)).expect("connect"))
        .collect();
    // Accepted and counted before the next one comes.
    std::thread::sleep(Duration::from_millis(200));
    let r = s.get("/healthz");
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("too many connections"));
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = s.get("/healthz");
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {}", r.body);
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn listening_beyond_loopback_without_a_token_warns() {
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &["--host", "0.0.0.0"]);
    // Any Host is answered when listening everywhere without --allow-host.
    let r = request(s.port, "GET", "/healthz", &[("Host", "db.internal")], b"");
    assert_eq!(r.status, 200);
    let lines = s.stderr.lock().expect("lines").join("\n");
    assert!(
        lines.contains("warning: listening on 0.0.0.0 without a token"),
        "{lines}"
    );
}

#[test]
fn sigterm_lets_a_running_insert_finish_and_loses_nothing() {
    let dir = tc_dir();
    let d = dir.path();
    let s = Server::start(d, "tc.fold", &[]);
    let port = s.port;
    // A chain long enough that the insert is still running at SIGTERM.
    let chain: Vec<(i64, i64)> = (10..800).map(|i| (i, i + 1)).collect();
    let body = crate::edges_csv(&chain);
    let insert = std::thread::spawn(move || {
        request(
            port,
            "POST",
            "/categories/edge/facts",
            &[("Content-Type", "text/csv")],
            body.as_bytes(),
        )
    });
    // A subscriber that keeps reading does not hold the service open.
    // (One that stops reading would: the server waits for it up to its
    // drain time, so the stream is read on its own thread throughout.)
    let mut follower = crate::client::Events::open(port, "/categories/path/changes");
    assert!(follower.next().is_some());
    let reader = std::thread::spawn(move || while follower.next().is_some() {});
    std::thread::sleep(Duration::from_millis(150));
    let asked = Instant::now();
    assert_eq!(s.terminate(), Some(0));
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "{:?}",
        asked.elapsed()
    );
    // Its stream ends.
    reader.join().expect("the subscriber's stream ends");
    let r = insert.join().expect("insert");
    assert_eq!(r.status, 200, "{}", r.body);
    let s = Server::start(d, "tc.fold", &[]);
    assert_eq!(s.json("/categories/edge/count")["count"], 791);
}
