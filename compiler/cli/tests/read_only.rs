//! Read commands open a database without writing to it: `export`,
//! `stats`, `explain`, `report` and `db verify` leave every file of the
//! database as it was (no file changes size, time or bytes, none is added
//! or removed), and succeed on a database whose folder and files have no
//! write permission. Run as root, permissions do not restrict, so there
//! the unchanged files are what is checked (and the test says so); the
//! closing note of issue 23 gives runs on a read-only mount, a full disk
//! and as a user without write permission.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use common::{ok, TC};

/// Every file under `dir`: its size, modification time and bytes.
fn state(dir: &Path) -> BTreeMap<String, (u64, SystemTime, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(
                    name,
                    (m.len(), m.modified().unwrap(), std::fs::read(&p).unwrap()),
                );
            }
        }
    }
    out
}

fn set_writable(dir: &Path, writable: bool) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.metadata().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                set_one(&e.path(), writable);
            }
        }
        set_one(&d, writable);
    }
}

#[allow(clippy::permissions_set_readonly_false)] // the test's own files
fn set_one(p: &Path, writable: bool) {
    let mut perm = std::fs::metadata(p).unwrap().permissions();
    perm.set_readonly(!writable);
    std::fs::set_permissions(p, perm).unwrap();
}

/// Whether permissions restrict this process (not so for root).
fn permissions_restrict(dir: &Path) -> bool {
    let probe = dir.join("probe");
    std::fs::create_dir(&probe).unwrap();
    set_one(&probe, false);
    let restricted = std::fs::write(probe.join("x"), b"x").is_err();
    set_one(&probe, true);
    restricted
}

#[test]
fn read_commands_write_nothing_in_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("tc.fold"), TC).unwrap();
    let edges: String = (0..400).map(|i| format!("{i},{}\n", i + 1)).collect();
    std::fs::write(d.join("edge.csv"), format!("src,dst\n{edges}")).unwrap();
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    let db = d.join("db");
    let before = state(&db);
    let restrict = permissions_restrict(d);
    if !restrict {
        eprintln!(
            "permissions do not restrict this process (root): checking only that nothing changes"
        );
    }
    set_writable(&db, false);
    let commands: [&[&str]; 5] = [
        &["export", "tc.fold", "--db", "db", "--out", "exported"],
        &["stats", "--db", "db"],
        &["explain", "tc.fold", "--db", "db", "path(0, 5)"],
        &["report", "--db", "db", "--out", "report.html"],
        &["db", "verify", "db"],
    ];
    for args in commands {
        let out = common::foldc(args, d);
        let err = common::text(&out.stderr);
        set_writable(&db, true);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(
            before == state(&db),
            "{args:?} changed the database's files"
        );
        set_writable(&db, false);
    }
    set_writable(&db, true);
    // The export is the run's output.
    ok(&["run", "tc.fold", "--db", "db", "--out", "ran", "-q"], d);
    assert_eq!(
        common::dir_texts(&d.join("exported")).unwrap(),
        common::dir_texts(&d.join("ran")).unwrap()
    );
}
