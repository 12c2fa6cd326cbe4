//! Nobody waits for anybody: reads answer from the last commit while an
//! insert runs, and a client that stops sending holds only itself.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{request, Conn, Server};
use crate::{edges_csv, tc_dir};

#[test]
fn reads_answer_from_the_last_commit_while_an_insert_runs() {
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &[]);
    let port = s.port;
    // A chain of 1,200 edges: 720,600 paths found by one insert.
    let chain: Vec<(i64, i64)> = (10..1210).map(|i| (i, i + 1)).collect();
    let body = edges_csv(&chain);
    let running = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&running);
    let insert = std::thread::spawn(move || {
        let started = Instant::now();
        let r = request(
            port,
            "POST",
            "/categories/edge/facts",
            &[("Content-Type", "text/csv")],
            body.as_bytes(),
        );
        flag.store(false, Ordering::SeqCst);
        (r, started.elapsed())
    });
    let mut conn = Conn::open(port);
    let mut during = 0;
    let mut slowest = Duration::ZERO;
    let mut seen = std::collections::BTreeSet::new();
    while running.load(Ordering::SeqCst) {
        let asked = Instant::now();
        conn.send("GET", "/categories/path/count", &[], b"");
        let r = conn.receive();
        let took = asked.elapsed();
        assert_eq!(r.status, 200, "{}", r.body);
        seen.insert(r.json()["count"].as_u64().expect("count"));
        if running.load(Ordering::SeqCst) {
            during += 1;
            slowest = slowest.max(took);
        }
    }
    let (r, insert_took) = insert.join().expect("insert");
    assert_eq!(r.status, 200, "{}", r.body);
    // Only committed states: before, and after.
    let after = 1 + 1_200 * 1_201 / 2;
    assert!(seen.iter().all(|&c| c == 1 || c == after), "{seen:?}");
    assert!(during >= 3, "only {during} reads in {insert_took:?}");
    // Reads finished while the insert ran (`during`), so none waited for
    // it; a generous bound on each, for machines under load.
    assert!(
        slowest < Duration::from_secs(2),
        "a read took {slowest:?} during the insert"
    );
    eprintln!("{during} reads during a {insert_took:?} insert, slowest {slowest:?}");
    assert_eq!(s.json("/categories/path/count")["count"], after);
}

#[test]
fn a_client_that_stops_sending_holds_only_itself() {
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &["--client-timeout", "4"]);
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    write!(
        slow,
        "POST /categories/edge/facts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n\
         Content-Length: 500\r\n\r\nsrc,dst\n"
    )
    .expect("send");
    // A client that sends half its headers, too.
    let mut half = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    write!(half, "GET /categories HTTP/1.1\r\nHost: 127.").expect("send");
    for _ in 0..20 {
        let asked = Instant::now();
        assert_eq!(s.get("/categories/edge/count").status, 200);
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "{:?}",
            asked.elapsed()
        );
    }
    // The stalled body is given up after the client timeout: 408.
    let mut conn = Conn {
        reader: std::io::BufReader::new(slow),
        port: s.port,
    };
    let asked = Instant::now();
    let r = conn.receive();
    assert_eq!(r.status, 408, "{}", r.body);
    assert!(asked.elapsed() < Duration::from_secs(10));
    assert_eq!(s.json("/categories/edge/count")["count"], 1);
    drop(half);
}
