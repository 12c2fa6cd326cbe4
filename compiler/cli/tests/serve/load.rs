//! A bounded load test: a few client threads on keep-alive connections
//! send a few thousand point queries and counts, alone and then beside a
//! client inserting one fact at a time; then one request at a time (a
//! point query, a one-fact insert, an explanation), and explanations
//! beside the inserter. Every reply must be right, and throughput and
//! latency percentiles are reported (not asserted: speed is measured,
//! not tested).
//!
//! `FOLD_SERVE_LOAD_DIR=DIR` (holding `tc.fold` and its database `db`)
//! and `FOLD_SERVE_LOAD_REQUESTS=N` point it at another database, such as
//! the tc bench one: `cargo test -p fold-cli --release --test serve load
//! -- --nocapture`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{Conn, Server};
use crate::{edges_csv, tc_dir};

const CLIENTS: usize = 4;

/// Latencies of one kind of request.
struct Sample {
    what: &'static str,
    took: Vec<Duration>,
}

impl Sample {
    fn report(&mut self, wall: Duration, label: &str) {
        self.took.sort();
        let n = self.took.len();
        let at = |q: f64| self.took[((n as f64 * q) as usize).min(n - 1)];
        eprintln!(
            "load {label}: {:>6} {:<12} {:>8.0} req/s  p50 {:>8.2?}  p99 {:>8.2?}  max {:>8.2?}",
            n,
            self.what,
            n as f64 / wall.as_secs_f64(),
            at(0.5),
            at(0.99),
            self.took[n - 1]
        );
    }
}

/// `requests` requests from each of the clients, alternating a point
/// query of node `i % nodes` and a count; latencies per kind.
fn hammer(port: u16, requests: usize, nodes: i64) -> (Sample, Sample, Duration) {
    let started = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|t| {
            std::thread::spawn(move || {
                let mut conn = Conn::open(port);
                let (mut points, mut counts) = (Vec::new(), Vec::new());
                for i in 0..requests {
                    let asked = Instant::now();
                    if i % 2 == 0 {
                        let node = ((i * 7919 + t * 104_729) as i64) % nodes + 1;
                        conn.send(
                            "GET",
                            &format!("/categories/path/facts?src={node}&limit=10000"),
                            &[],
                            b"",
                        );
                        let r = conn.receive();
                        assert_eq!(r.status, 200, "{}", r.body);
                        points.push(asked.elapsed());
                    } else {
                        conn.send("GET", "/categories/path/count", &[], b"");
                        let r = conn.receive();
                        assert_eq!(r.status, 200, "{}", r.body);
                        counts.push(asked.elapsed());
                    }
                }
                (points, counts)
            })
        })
        .collect();
    let mut points = Sample {
        what: "point query",
        took: Vec::new(),
    };
    let mut counts = Sample {
        what: "count",
        took: Vec::new(),
    };
    for t in threads {
        let (p, c) = t.join().expect("client");
        points.took.extend(p);
        counts.took.extend(c);
    }
    (points, counts, started.elapsed())
}

/// Requests of both kinds per second.
fn total(p: &Sample, c: &Sample, wall: Duration, label: &str) {
    let n = p.took.len() + c.took.len();
    eprintln!(
        "load {label}: {n:>6} requests     {:>8.0} req/s in {wall:.2?}",
        n as f64 / wall.as_secs_f64()
    );
}

#[test]
fn a_bounded_load_is_answered_and_measured() {
    let given = std::env::var_os("FOLD_SERVE_LOAD_DIR").map(PathBuf::from);
    let scratch = tc_dir();
    let dir = given
        .clone()
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let requests: usize = std::env::var("FOLD_SERVE_LOAD_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let nodes = if given.is_some() { 2000 } else { 200 };
    if given.is_none() {
        std::fs::write(
            dir.join("edge.csv"),
            edges_csv(&(1..=200).map(|i| (i, i % 200 + 1)).collect::<Vec<_>>()),
        )
        .expect("write");
    }
    let opened = Instant::now();
    let s = Server::start(&dir, "tc.fold", &[]);
    eprintln!("load: service up in {:?}", opened.elapsed());
    let port = s.port;
    let (mut p, mut c, wall) = hammer(port, requests, nodes);
    total(&p, &c, wall, "alone ");
    p.report(wall, "alone ");
    c.report(wall, "alone ");
    // Beside an inserter: one new edge per insert, as fast as answered.
    let running = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&running);
    let inserter = std::thread::spawn(move || {
        let mut conn = Conn::open(port);
        let mut took = Vec::new();
        let mut k = 0i64;
        while flag.load(Ordering::SeqCst) {
            let body = edges_csv(&[(1_000_000 + k, 1_000_001 + k)]);
            let asked = Instant::now();
            conn.send(
                "POST",
                "/categories/edge/facts",
                &[("Content-Type", "text/csv")],
                body.as_bytes(),
            );
            let r = conn.receive();
            assert_eq!(r.status, 200, "{}", r.body);
            took.push(asked.elapsed());
            k += 1;
        }
        took
    });
    let (mut p, mut c, wall) = hammer(port, requests, nodes);
    running.store(false, Ordering::SeqCst);
    let inserts = inserter.join().expect("inserter");
    total(&p, &c, wall, "insert");
    p.report(wall, "insert");
    c.report(wall, "insert");
    let mut i = Sample {
        what: "insert",
        took: inserts,
    };
    i.report(wall, "insert");
    assert!(!i.took.is_empty());
    one_at_a_time(port, nodes, &first_fact(&dir));
    explaining_beside_inserts(port, &first_fact(&dir));
    drop(s);
}

/// `path(a, b)` of the first edge of the database's input, URL-encoded.
fn first_fact(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(dir.join("edge.csv")).expect("edge.csv");
    let edge = text.lines().nth(1).expect("an edge");
    let (a, b) = edge.split_once(',').expect("src,dst");
    format!("path({a},%20{b})")
}

/// Requests one at a time, nothing else running: point queries, one-fact
/// inserts, explanations.
fn one_at_a_time(port: u16, nodes: i64, fact: &str) {
    let mut conn = Conn::open(port);
    let mut ask = |what: &'static str, n: usize, send: &dyn Fn(&mut Conn, usize)| {
        let started = Instant::now();
        let mut took = Vec::new();
        for i in 0..n {
            let asked = Instant::now();
            send(&mut conn, i);
            let r = conn.receive();
            assert_eq!(r.status, 200, "{what}: {}", r.body);
            took.push(asked.elapsed());
        }
        Sample { what, took }.report(started.elapsed(), "single");
    };
    ask("point query", 200, &|c, i| {
        let node = (i as i64 * 7919) % nodes + 1;
        let path = format!("/categories/path/facts?src={node}&limit=10000");
        c.send("GET", &path, &[], b"");
    });
    ask("insert", 50, &|c, i| {
        let body = edges_csv(&[(2_000_000 + i as i64, 2_000_001 + i as i64)]);
        let csv = [("Content-Type", "text/csv")];
        c.send("POST", "/categories/edge/facts", &csv, body.as_bytes());
    });
    // The first explanation after a commit opens its record.
    ask("explain", 20, &|c, _| {
        c.send("GET", &format!("/explain?fact={fact}"), &[], b"");
    });
}

/// Explanations of a committed fact beside a client inserting one fact
/// at a time, 50 ms apart so that commits land between them: each opens
/// the record of a new commit.
fn explaining_beside_inserts(port: u16, fact: &str) {
    let running = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&running);
    let inserter = std::thread::spawn(move || {
        let mut conn = Conn::open(port);
        let mut k = 0i64;
        while flag.load(Ordering::SeqCst) {
            let body = edges_csv(&[(3_000_000 + k, 3_000_001 + k)]);
            let csv = [("Content-Type", "text/csv")];
            conn.send("POST", "/categories/edge/facts", &csv, body.as_bytes());
            assert_eq!(conn.receive().status, 200);
            k += 1;
        }
        k
    });
    let mut conn = Conn::open(port);
    let started = Instant::now();
    let mut took = Vec::new();
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(50));
        let asked = Instant::now();
        conn.send("GET", &format!("/explain?fact={fact}"), &[], b"");
        let r = conn.receive();
        assert_eq!(r.status, 200, "{}", r.body);
        took.push(asked.elapsed());
    }
    let wall = started.elapsed();
    running.store(false, Ordering::SeqCst);
    let inserts = inserter.join().expect("inserter");
    Sample {
        what: "explain",
        took,
    }
    .report(wall, "insert");
    eprintln!("load insert: {inserts} inserts committed meanwhile");
}
