//! `foldc serve --read-only`: a database whose files and folders have no
//! write permission is served, every read route answers, writes are
//! refused with 405 and a reason, `/healthz` and `/stats` say read-only,
//! and no file of the database changes (tests run as root, where
//! permissions do not restrict: the unchanged files are what proves that
//! nothing was written). Beside a service writing the same database,
//! a read-only one serves the writer's last commit as it opened it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use serde_json::json;

use crate::client::{request, Events, Server};
use crate::common::{self, TC};

/// Every file under `dir`: its size, modification time and bytes.
fn files(dir: &Path) -> BTreeMap<String, (u64, SystemTime, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            let m = e.metadata().expect("metadata");
            if m.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).expect("inside").display().to_string();
                let bytes = std::fs::read(&p).expect("read");
                out.insert(name, (m.len(), m.modified().expect("mtime"), bytes));
            }
        }
    }
    out
}

/// `chmod -R a-w` (or back to writable by the owner).
fn set_writable(dir: &Path, writable: bool) {
    let mut stack = vec![dir.to_path_buf()];
    let mut all = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            if e.metadata().expect("metadata").is_dir() {
                stack.push(e.path());
            } else {
                all.push(e.path());
            }
        }
        all.push(d);
    }
    for p in all {
        let mut perm = std::fs::metadata(&p).expect("metadata").permissions();
        #[allow(clippy::permissions_set_readonly_false)] // the test's own files
        perm.set_readonly(!writable);
        std::fs::set_permissions(&p, perm).expect("chmod");
    }
}

#[test]
fn a_read_only_database_is_served_without_a_write() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let d = tmp.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    let edges: String = (0..40).map(|i| format!("{i},{}\n", i + 1)).collect();
    std::fs::write(d.join("edge.csv"), format!("src,dst\n{edges}")).expect("write");
    common::ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    let db = d.join("db");
    let before = files(&db);
    set_writable(&db, false);
    let s = Server::start(d, "tc.fold", &["--read-only"]);
    assert!(
        s.stderr
            .lock()
            .expect("stderr")
            .iter()
            .any(|l| l.contains("read-only")),
        "the first line says read-only"
    );

    // 40 edges in a chain over 41 nodes: 820 paths, 40 from node 0.
    let health = s.json("/healthz");
    assert_eq!(
        (&health["status"], &health["read_only"]),
        (&json!("ok"), &json!(true))
    );
    let stats = s.json("/stats");
    assert_eq!(
        (&stats["facts"], &stats["read_only"]),
        (&json!(860), &json!(true))
    );
    let categories = s.json("/categories");
    assert_eq!(categories["categories"][1]["name"], "path");
    assert_eq!(categories["categories"][1]["count"], 820);
    assert_eq!(s.json("/categories/path/count")["count"], 820);
    let page = s.json("/categories/path/facts?src=0&limit=30");
    assert_eq!(page["facts"].as_array().map(Vec::len), Some(30));
    let next = page["next"].as_str().expect("a next page");
    let rest = s.json(&format!(
        "/categories/path/facts?src=0&limit=30&cursor={next}"
    ));
    assert_eq!(rest["facts"].as_array().map(Vec::len), Some(10));
    let why = s.json("/explain?fact=path(0,%205)");
    let tree = why["explanation"].as_str().expect("tree");
    assert!(
        tree.starts_with("path(0, 5)  — found by the rule"),
        "{tree}"
    );
    assert_eq!(s.json("/count")["counts"]["edge"], 40);
    assert_eq!(s.json("/count/path")["count"], 820);
    let r = s.get("/facts/path?src=3&dst=5");
    assert_eq!((r.status, r.body.as_str()), (200, "src,dst\n3,5\n"));
    let metrics = s.get("/metrics");
    assert!(
        metrics.body.contains("fold_facts{category=\"path\"} 820"),
        "{}",
        metrics.body
    );
    assert!(s.json("/openapi.json")["paths"].is_object());
    // A subscription streams the log from an offset.
    let mut events = Events::open(s.port, "/categories/edge/changes?after=38");
    for offset in [39, 40] {
        let e = events.next().expect("an event");
        assert_eq!((e.kind.as_str(), e.id), ("fact", Some(offset)), "{e:?}");
    }
    drop(events);

    // Writes are refused, with the reason.
    let csv = [("Content-Type", "text/csv")];
    for (path, allow) in [("/categories/edge/facts", "GET"), ("/insert/edge", "")] {
        let r = request(s.port, "POST", path, &csv, b"src,dst\n100,101\n");
        assert_eq!(r.status, 405, "{path}: {}", r.body);
        assert!(
            r.json()["error"]
                .as_str()
                .is_some_and(|e| e.contains("read-only")),
            "{}",
            r.body
        );
        assert_eq!(r.header("allow"), Some(allow), "{path}");
    }
    assert_eq!(s.json("/categories/edge/count")["count"], 40);
    assert_eq!(s.terminate(), Some(0), "a read-only service stops cleanly");

    set_writable(&db, true);
    assert!(
        before == files(&db),
        "serving read-only changed the database's files"
    );
}

#[test]
fn a_read_only_service_beside_a_writer_serves_the_last_commit() {
    let dir = crate::tc_dir();
    let d = dir.path();
    let writer = Server::start(d, "tc.fold", &[]);
    let csv = [("Content-Type", "text/csv")];
    let r = request(
        writer.port,
        "POST",
        "/insert/edge",
        &csv,
        b"src,dst\n2,3\n3,4\n",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // Opened while the writer holds the database: its last commit.
    let reader = Server::start(d, "tc.fold", &["--read-only"]);
    assert_eq!(reader.json("/categories/path/count")["count"], 6);
    let why = reader.json("/explain?fact=path(1,%204)");
    assert!(
        why["explanation"]
            .as_str()
            .is_some_and(|t| t.contains("edge(3, 4)")),
        "{why}"
    );
    // The writer goes on; the reader keeps the state it opened.
    let r = request(writer.port, "POST", "/insert/edge", &csv, b"src,dst\n4,5\n");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(writer.json("/categories/path/count")["count"], 10);
    assert_eq!(reader.json("/categories/path/count")["count"], 6);
    let r = request(reader.port, "POST", "/insert/edge", &csv, b"src,dst\n5,6\n");
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(reader.terminate(), Some(0));
    assert_eq!(writer.terminate(), Some(0));
}
