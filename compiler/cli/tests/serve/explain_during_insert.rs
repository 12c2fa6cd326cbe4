//! `/explain` never waits for a running insert: it answers from the
//! record of the last commit, so during a long insert it explains what
//! was committed before it and does not yet know what the insert finds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{request, Conn, Server};
use crate::{edges_csv, tc_dir};

#[test]
fn explanations_answer_from_the_last_commit_while_an_insert_runs() {
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &[]);
    let port = s.port;
    // Explained once before, so the committed record is open already.
    let before = s.json("/explain?fact=path(1,%202)");
    assert!(before["explanation"]
        .as_str()
        .is_some_and(|t| t.starts_with("path(1, 2)")));
    // A chain of 1,500 edges: 1,125,750 paths found by one insert.
    let chain: Vec<(i64, i64)> = (10..1510).map(|i| (i, i + 1)).collect();
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
    // Wait until the insert is under way: its body is read and queued.
    std::thread::sleep(Duration::from_millis(100));
    let mut conn = Conn::open(port);
    let mut during = 0;
    let mut slowest = Duration::ZERO;
    let mut committed = false;
    while running.load(Ordering::SeqCst) {
        let asked = Instant::now();
        conn.send("GET", "/explain?fact=path(1,%202)", &[], b"");
        let old = conn.receive();
        conn.send("GET", "/explain?fact=path(10,%2012)", &[], b"");
        let new = conn.receive();
        let took = asked.elapsed();
        assert_eq!(old.status, 200, "{}", old.body);
        assert_eq!(old.json(), before, "a committed fact's explanation changed");
        // The insert's facts are unknown until it commits (its answer may
        // take a moment more to reach its client), then known for good.
        match new.status {
            404 if !committed => assert!(new.body.contains("does not hold"), "{}", new.body),
            200 => committed = true,
            other => panic!(
                "{other} after the insert's facts were explained: {}",
                new.body
            ),
        }
        // Both answers arrived before the insert finished.
        if running.load(Ordering::SeqCst) && !committed {
            during += 1;
            slowest = slowest.max(took);
        }
    }
    let (r, insert_took) = insert.join().expect("insert");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        during >= 1,
        "no explanation answered during a {insert_took:?} insert"
    );
    // A generous bound, for machines under load: the insert takes longer.
    assert!(
        slowest < Duration::from_secs(5),
        "an explanation took {slowest:?} during the insert"
    );
    eprintln!("{during} explanation pairs during a {insert_took:?} insert, slowest {slowest:?}");
    // Once committed, the insert's facts are explained.
    let after = s.json("/explain?fact=path(10,%2012)");
    let tree = after["explanation"].as_str().expect("tree");
    assert!(
        tree.starts_with("path(10, 12)  — found by the rule"),
        "{tree}"
    );
    assert!(tree.contains("edge(11, 12)"), "{tree}");
}
