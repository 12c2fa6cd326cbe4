//! Killed with SIGKILL while inserts run: after a restart every insert
//! that was answered is there, the one in flight is all there or not at
//! all, and the database equals one clean run over the edges it holds.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::client::{request, Server};
use crate::{clean_run, edges_csv, exported, tc_dir};

/// Insert `k`'s edges: a piece of one long chain (each insert finds
/// more paths than the one before).
fn batch(k: i64) -> Vec<(i64, i64)> {
    (0..50)
        .map(|j| (k * 50 + j + 10, k * 50 + j + 11))
        .collect()
}

#[test]
fn kill_9_during_inserts_loses_no_answered_insert() {
    let dir = tc_dir();
    let d = dir.path();
    let s = Server::start(d, "tc.fold", &[]);
    let port = s.port;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&acked);
    let client = std::thread::spawn(move || {
        for k in 0.. {
            let body = edges_csv(&batch(k));
            let ok = std::panic::catch_unwind(|| {
                request(
                    port,
                    "POST",
                    "/categories/edge/facts",
                    &[("Content-Type", "text/csv")],
                    body.as_bytes(),
                )
            });
            match ok {
                Ok(r) if r.status == 200 => kept.lock().expect("acked").push(k),
                _ => return k,
            }
        }
        unreachable!()
    });
    std::thread::sleep(Duration::from_millis(700));
    s.kill9();
    let in_flight = client.join().expect("client");
    let acked = acked.lock().expect("acked").clone();
    assert!(acked.len() >= 2, "only {} inserts answered", acked.len());
    // It opens again, and every answered edge is there.
    let s = Server::start(d, "tc.fold", &[]);
    let page = s.json("/categories/edge/facts?limit=10000");
    assert!(page["next"].is_null());
    let edges: BTreeSet<(i64, i64)> = page["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .map(|f| {
            (
                f["src"].as_i64().expect("src"),
                f["dst"].as_i64().expect("dst"),
            )
        })
        .collect();
    s.kill9();
    let served = exported(d, "served");
    let mut expected: BTreeSet<(i64, i64)> = acked.iter().flat_map(|&k| batch(k)).collect();
    expected.insert((1, 2));
    assert!(expected.is_subset(&edges), "an answered insert is missing");
    let extra: BTreeSet<(i64, i64)> = edges.difference(&expected).copied().collect();
    let flight: BTreeSet<(i64, i64)> = batch(in_flight).into_iter().collect();
    assert!(
        extra.is_empty() || extra == flight,
        "half an insert: {extra:?}"
    );
    // And the database is the one a clean run over its edges writes.
    let edges: Vec<(i64, i64)> = edges.into_iter().collect();
    let once = clean_run(d, &edges, "once");
    assert_eq!(served["path.csv"], once["path.csv"]);
    eprintln!(
        "kill -9: {} inserts answered, the one in flight {}",
        acked.len(),
        if extra.is_empty() {
            "absent"
        } else {
            "complete"
        }
    );
}
