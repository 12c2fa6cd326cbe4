//! `foldc run --db`, `export` and `stats` as a user meets them: the real
//! binary on real files. Incremental runs over random splits of the input
//! equal one run; runs killed at random moments and resumed equal a clean
//! run, counters included; another program's database, a locked one and
//! damaged ones are refused with exact messages, never a panic.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_files, dir_texts, foldc, ok, refused, text, TC};
use proptest::prelude::*;

/// Every file of an output folder, by name.
fn files(dir: &Path) -> std::collections::BTreeMap<String, String> {
    dir_texts(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// Negation, an aggregate, a stratum above a recomputed one, strings and
/// lists.
const NEG: &str = "data node(id: int)\n\
                   data edge(src: int, dst: int)\n\
                   data name(id: int, label: str, tags: [str])\n\
                   data lonely(id: int)\n\
                   data deg(id: int, n: int)\n\
                   data big(id: int)\n\
                   data named(label: str, tags: [str])\n\
                   input node from \"node.csv\"\n\
                   input edge from \"edge.csv\"\n\
                   input name from \"name.csv\"\n\
                   output lonely\noutput deg\noutput big\noutput named\n\
                   lonely(x) :- node(x), !edge(x, _).\n\
                   deg(x, n) :- node(x), n = count edge(x, _).\n\
                   big(x) :- deg(x, n), n > 1.\n\
                   named(l, t) :- name(x, l, t), lonely(x).\n";

/// A keyed category with `keep min`, prioritized events, and a stratum
/// reading it (recomputed when a distance improves).
const SP: &str = "data road(src: int, dst: int, len: int)\n\
                  data dist(node: int, d: int) key(node) keep min(d)\n\
                  data near(node: int, tag: str)\n\
                  input road from \"road.csv\"\n\
                  output dist\noutput near\n\
                  dist(0, 0) :- road(0, _, _).\n\
                  rule relax:\n  on dist(x, d)\n  priority d\n  friends road(x, y, l)\n  find dist(y, d + l)\n\
                  near(n, to_str(d)) :- dist(n, d), d < 12.\n";

fn csv(header: &str, rows: &[String]) -> String {
    let mut s = format!("{header}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// One random input for a program: (input name, CSV header, rows).
type Input = Vec<(&'static str, &'static str, Vec<String>)>;

fn tc_input(edges: &BTreeSet<(u8, u8)>) -> Input {
    let rows = edges.iter().map(|(a, b)| format!("{a},{b}")).collect();
    vec![("edge", "src,dst", rows)]
}

fn neg_input(nodes: &BTreeSet<u8>, edges: &BTreeSet<(u8, u8)>, names: &BTreeSet<u8>) -> Input {
    let tags = ["[]", "\"[\"\"a\"\"]\"", "\"[\"\"a\"\", \"\"b c\"\"]\""];
    vec![
        ("node", "id", nodes.iter().map(|n| n.to_string()).collect()),
        (
            "edge",
            "src,dst",
            edges.iter().map(|(a, b)| format!("{a},{b}")).collect(),
        ),
        (
            "name",
            "id,label,tags",
            names
                .iter()
                .map(|n| format!("{n},n{},{}", n % 3, tags[*n as usize % 3]))
                .collect(),
        ),
    ]
}

fn sp_input(roads: &BTreeSet<(u8, u8, u8)>) -> Input {
    let rows = roads
        .iter()
        .map(|(a, b, l)| format!("{a},{b},{}", l % 9 + 1))
        .collect();
    vec![("road", "src,dst,len", rows)]
}

/// Write `input`, its rows split into runs (row `i` goes to run
/// `assign[i % assign.len()]`), and run the program once per run on one
/// database; then export, and compare with one run over everything.
fn incremental_equals_one_run(src: &str, input: &Input, assign: &[usize], threads: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("p.fold"), src).expect("write program");
    for (name, header, rows) in input {
        std::fs::write(d.join(format!("{name}.csv")), csv(header, rows)).expect("write");
    }
    ok(&["run", "p.fold", "--out", "one", "-q"], d);
    let parts = assign.iter().max().map_or(1, |m| m + 1);
    for p in 0..parts {
        let mut args: Vec<String> = ["run", "p.fold", "--db", "db", "-q", "--threads", threads]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (name, header, rows) in input {
            let mine: Vec<String> = rows
                .iter()
                .enumerate()
                .filter(|(i, _)| assign[i % assign.len()] == p)
                .map(|(_, r)| r.clone())
                .collect();
            let file = format!("{name}-{p}.csv");
            std::fs::write(d.join(&file), csv(header, &mine)).expect("write part");
            args.push("--input".into());
            args.push(format!("{name}={file}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&args, d);
    }
    ok(&["export", "p.fold", "--db", "db", "--out", "inc"], d);
    assert_eq!(files(&d.join("inc")), files(&d.join("one")), "{src}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn incremental_tc_equals_one_run(
        edges in proptest::collection::btree_set((0u8..9, 0u8..9), 0..24),
        assign in proptest::collection::vec(0usize..4, 1..8),
    ) {
        incremental_equals_one_run(TC, &tc_input(&edges), &assign, "2");
    }

    #[test]
    fn incremental_negation_and_aggregates_equal_one_run(
        nodes in proptest::collection::btree_set(0u8..8, 0..8),
        edges in proptest::collection::btree_set((0u8..8, 0u8..8), 0..12),
        names in proptest::collection::btree_set(0u8..8, 0..6),
        assign in proptest::collection::vec(0usize..4, 1..8),
    ) {
        incremental_equals_one_run(NEG, &neg_input(&nodes, &edges, &names), &assign, "1");
    }

    #[test]
    fn incremental_keyed_priorities_equal_one_run(
        roads in proptest::collection::btree_set((0u8..8, 0u8..8, 0u8..30), 0..20),
        assign in proptest::collection::vec(0usize..4, 1..8),
    ) {
        incremental_equals_one_run(SP, &sp_input(&roads), &assign, "2");
    }
}

#[test]
fn a_run_with_db_writes_what_a_run_without_writes_and_export_agrees() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("p.fold"), NEG).expect("write");
    let nodes: BTreeSet<u8> = (0..6).collect();
    let edges: BTreeSet<(u8, u8)> = [(0, 1), (0, 2), (1, 2), (4, 4)].into_iter().collect();
    let names: BTreeSet<u8> = [1, 2, 3, 5].into_iter().collect();
    for (name, header, rows) in neg_input(&nodes, &edges, &names) {
        std::fs::write(d.join(format!("{name}.csv")), csv(header, &rows)).expect("write");
    }
    ok(&["run", "p.fold", "--out", "plain", "-q"], d);
    let err = text(&ok(&["run", "p.fold", "--db", "db", "--out", "kept"], d).stderr);
    assert!(err.contains("database `db`: new"), "{err}");
    assert_eq!(files(&d.join("kept")), files(&d.join("plain")));
    ok(&["export", "p.fold", "--db", "db", "--out", "exported"], d);
    assert_eq!(files(&d.join("exported")), files(&d.join("plain")));
    ok(
        &[
            "export",
            "p.fold",
            "--db",
            "db",
            "--out",
            "one",
            "--category",
            "edge",
        ],
        d,
    );
    assert_eq!(
        files(&d.join("one")),
        std::collections::BTreeMap::from([(
            "edge.csv".to_string(),
            "src,dst\n0,1\n0,2\n1,2\n4,4\n".to_string()
        )])
    );
    assert_eq!(
        refused(
            &[
                "export",
                "p.fold",
                "--db",
                "db",
                "--out",
                "x",
                "--category",
                "nope"
            ],
            d
        ),
        "error: `--category nope`: no such category (categories: node, edge, name, lonely, \
         deg, big, named)"
    );

    // A second run with one new edge: stratum 0 is recomputed (negation
    // and count over `edge`), stratum 1 and 2 because it was.
    std::fs::write(d.join("more.csv"), "src,dst\n3,0\n").expect("write");
    let err = text(
        &ok(
            &["run", "p.fold", "--db", "db", "--input", "edge=more.csv"],
            d,
        )
        .stderr,
    );
    assert!(
        err.contains("database `db`: resumed 26 facts in ")
            && err.contains(" s; 1 of 11 input rows were new"),
        "{err}"
    );
    assert!(
        err.contains(
            "recomputed stratum 0 (lonely): `edge` gained facts and is read through negation \
             or an aggregate"
        ),
        "{err}"
    );
    assert!(
        err.contains("recomputed stratum 3 (named): `lonely` was recomputed"),
        "{err}"
    );
}

#[test]
fn stats_prints_the_counters_as_a_table_and_as_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n2,3\n").expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    let out = foldc(&["stats", "--db", "db"], d);
    assert!(out.status.success());
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("database db: program tc.fold (fingerprint "),
        "{table}"
    );
    assert!(lines[0].ends_with(", finished"), "{table}");
    assert_eq!(lines[1], "rows: edge 2, path 3");
    assert_eq!(
        lines[2],
        "rule    pos     events  categ  data  friends  faults  searched  new  known  skipped"
    );
    assert_eq!(
        lines[3],
        "path@5  0 edge       2      0     0        0       0         2    2      0        0"
    );
    assert_eq!(lines[6], "stratum 0: 3 rounds");
    let out = foldc(&["stats", "--db", "db", "--format", "json"], d);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["rows"]["path"], 3);
    assert_eq!(json["complete"], true);
    assert_eq!(json["stats"]["handlers"][1]["rule"], "path@6");
    assert_eq!(json["stats"]["handlers"][1]["found_new"], 1);
    assert_eq!(
        refused(&["stats", "--db", "nowhere"], d),
        "error: no database at `nowhere`"
    );
}

/// `foldc report`: one HTML page whose tables and event graph carry the
/// counters of `foldc stats`, every number written out.
#[test]
fn report_draws_the_counters_that_stats_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n2,3\n3,1\n").expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    ok(&["report", "--db", "db", "--out", "report.html"], d);
    let html = std::fs::read_to_string(d.join("report.html")).expect("report");
    let out = foldc(&["stats", "--db", "db", "--format", "json"], d);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    let path_rows = &json["rows"]["path"];
    assert!(
        html.contains(&format!(
            "<tr><th>path</th><td class=\"n\">{path_rows}</td>"
        )),
        "{html}"
    );
    // The graph: a node per category with its facts.
    assert!(
        html.contains("class=\"node category\" id=\"node-1\" data-name=\"path\""),
        "{html}"
    );
    assert!(html.contains(&format!(">{path_rows} facts<")), "{html}");
    let mut events_into: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for h in json["stats"]["handlers"].as_array().expect("handlers") {
        let row = format!(
            "<tr><th>{}</th><td>{} {}</td><td class=\"n\">{}</td>",
            h["rule"].as_str().expect("rule"),
            h["position"],
            h["trigger"].as_str().expect("trigger"),
            h["events"]
        );
        assert!(html.contains(&row), "{row}\nnot in\n{html}");
        for (key, what) in [("searched", "searched"), ("found_new", "found new")] {
            if h[key] != 0 {
                let part = format!("title=\"{what}: {}\"", h[key]);
                assert!(html.contains(&part), "{part}\nnot in\n{html}");
            }
        }
        *events_into
            .entry((
                h["trigger"].as_str().expect("trigger").to_string(),
                h["rule"].as_str().expect("rule").to_string(),
            ))
            .or_default() += h["events"].as_u64().expect("events");
    }
    // An event edge per trigger category and rule, its count the sum
    // of the rule's handlers on that category; every rule finds `path`,
    // its new facts on the edge.
    for ((from, to), events) in &events_into {
        let edge = format!(
            "class=\"edge event\" data-from=\"{from}\" data-to=\"{to}\" data-count=\"{events}\""
        );
        assert!(html.contains(&edge), "{edge}\nnot in\n{html}");
        assert!(html.contains(&format!(">{events} events<")), "{html}");
    }
    for h in json["stats"]["handlers"].as_array().expect("handlers") {
        let rule = h["rule"].as_str().expect("rule");
        let new: u64 = json["stats"]["handlers"]
            .as_array()
            .expect("handlers")
            .iter()
            .filter(|o| o["rule"] == rule)
            .map(|o| o["found_new"].as_u64().expect("found_new"))
            .sum();
        let edge = format!(
            "class=\"edge find\" data-from=\"{rule}\" data-to=\"path\" data-count=\"{new}\""
        );
        assert!(html.contains(&edge), "{edge}\nnot in\n{html}");
    }
    // Times, per rule and stratum, and nothing fetched.
    assert!(html.contains("<th class=\"n\">time</th>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("src="),
        "{html}"
    );
    assert_eq!(
        refused(&["report", "--db", "db", "--out", "db/r.html"], d),
        "error: `--out db/r.html` is inside the database `db`: choose a folder outside it"
    );
    assert_eq!(
        refused(&["report", "--db", "nowhere", "--out", "r.html"], d),
        "error: no database at `nowhere`"
    );
    assert!(!d.join("r.html").exists());
}

#[test]
fn another_programs_database_is_refused_unless_fresh() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n2,3\n").expect("write");
    // Comments and moved lines are the same program.
    std::fs::write(d.join("same.fold"), format!("// a comment\n\n{TC}")).expect("write");
    let other = TC.replace("path(x, y) :- edge(x, y).", "path(y, x) :- edge(x, y).");
    std::fs::write(d.join("other.fold"), other).expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    ok(&["run", "same.fold", "--db", "db", "-q"], d);
    let msg = refused(&["run", "other.fold", "--db", "db", "-q"], d);
    let fp = |name: &str| {
        let out = foldc(&["stats", "--db", name, "--format", "json"], d);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        json["fingerprint"].as_str().unwrap_or_default().to_string()
    };
    let tc_fp = fp("db");
    ok(&["run", "other.fold", "--db", "db2", "-q"], d);
    let other_fp = fp("db2");
    assert_ne!(tc_fp, other_fp);
    assert_eq!(
        msg,
        format!(
            "error: database `db` was written by program `same.fold` (fingerprint {tc_fp}), \
             not by `other.fold` (fingerprint {other_fp}); run with --fresh to start over"
        )
    );
    assert_eq!(
        refused(&["export", "other.fold", "--db", "db", "--out", "x"], d),
        msg
    );
    let err = text(
        &ok(
            &["run", "other.fold", "--db", "db", "--fresh", "--out", "o"],
            d,
        )
        .stderr,
    );
    assert!(err.contains("database `db`: new"), "{err}");
    assert_eq!(
        files(&d.join("o"))["path.csv"],
        "src,dst\n2,1\n2,2\n2,3\n3,2\n3,3\n"
    );
}

/// `--fresh` checks the database before it deletes anything, and keeps a
/// user's own files beside the store; an output folder inside the
/// database is refused before anything runs (its files would become
/// foreign files of the database).
#[test]
fn fresh_keeps_other_files_and_outputs_stay_out_of_the_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n2,3\n").expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    std::fs::write(d.join("db/NOTES.txt"), "mine").expect("write");
    ok(&["run", "tc.fold", "--db", "db", "--fresh", "-q"], d);
    assert_eq!(
        std::fs::read_to_string(d.join("db/NOTES.txt")).expect("kept"),
        "mine"
    );
    ok(&["export", "tc.fold", "--db", "db", "--out", "o"], d);
    assert_eq!(files(&d.join("o"))["path.csv"], "src,dst\n1,2\n1,3\n2,3\n");
    for out in ["db", "db/o", "./db/sub/o"] {
        let want =
            format!("error: `--out {out}` is inside the database `db`: choose a folder outside it");
        assert_eq!(
            refused(&["run", "tc.fold", "--db", "db", "-q", "--out", out], d),
            want
        );
        assert_eq!(
            refused(&["export", "tc.fold", "--db", "db", "--out", out], d),
            want
        );
    }
    assert!(!d.join("db/o").exists() && !d.join("db/sub").exists());
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("db"), d.join("link")).expect("symlink");
        assert_eq!(
            refused(&["export", "tc.fold", "--db", "link", "--out", "db/x"], d),
            "error: `--out db/x` is inside the database `link`: choose a folder outside it"
        );
    }
}

#[test]
fn paths_that_are_not_databases_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n").expect("write");
    assert_eq!(
        refused(&["run", "tc.fold", "--db", "edge.csv", "-q"], d),
        "error: `edge.csv` is not a foldc database: it is a file, not a directory"
    );
    std::fs::create_dir(d.join("notes")).expect("mkdir");
    std::fs::write(d.join("notes/todo.txt"), "x").expect("write");
    assert_eq!(
        refused(&["run", "tc.fold", "--db", "notes", "-q"], d),
        "error: `notes` is not a foldc database: the directory holds other files (a database \
         directory is new or empty when first used)"
    );
    std::fs::create_dir(d.join("empty")).expect("mkdir");
    assert_eq!(
        refused(&["export", "tc.fold", "--db", "empty", "--out", "x"], d),
        "error: database `empty` holds no run yet"
    );
}

/// A run killed while sled created its store leaves the folder `blobs`
/// and a `conf` perhaps cut short, but no `db`: nothing was stored. Reading
/// it says so; a run creates the database as if the folder were new.
#[test]
fn a_store_whose_creation_was_killed_is_created_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n2,3\n").expect("write");
    ok(&["run", "tc.fold", "--db", "whole", "-q"], d);
    for leftovers in [&["blobs"][..], &["blobs", "conf"][..]] {
        let db = d.join("cut");
        let _ = std::fs::remove_dir_all(&db);
        std::fs::create_dir_all(db.join("blobs")).expect("mkdir");
        if leftovers.contains(&"conf") {
            // sled's configuration, cut short.
            std::fs::write(db.join("conf"), "segment_size: 52").expect("write");
        }
        assert_eq!(
            refused(&["export", "tc.fold", "--db", "cut", "--out", "x"], d),
            "error: `cut` is not a foldc database: it holds nothing yet: its creation was \
             interrupted, or is under way (`foldc run --db` creates it)",
            "{leftovers:?}"
        );
        ok(&["run", "tc.fold", "--db", "cut", "-q"], d);
        assert_eq!(stats_of(d, "cut"), stats_of(d, "whole"), "{leftovers:?}");
    }
    // A file of the user's named `conf` is not sled's: never touched.
    std::fs::create_dir_all(d.join("mine/blobs")).expect("mkdir");
    std::fs::write(d.join("mine/conf"), "my settings\n").expect("write");
    assert_eq!(
        refused(&["run", "tc.fold", "--db", "mine", "-q"], d),
        "error: `mine` is not a foldc database: the directory holds other files (a database \
         directory is new or empty when first used)"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("mine/conf")).expect("read"),
        "my settings\n"
    );
}

/// A database damaged after a finished run: each way gives the exact
/// message, for `run`, `export` and `stats` alike.
#[test]
fn damaged_databases_are_errors_not_panics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    let edges: Vec<String> = (0..300)
        .map(|i| format!("{},{}", i, (i * 7 + 1) % 300))
        .collect();
    std::fs::write(d.join("edge.csv"), csv("src,dst", &edges)).expect("write");
    ok(
        &[
            "run",
            "tc.fold",
            "--db",
            "good",
            "-q",
            "--checkpoint-ms",
            "0",
        ],
        d,
    );
    let copy = |name: &str| {
        let to = d.join(name);
        for sub in ["", "blobs", "blocks"] {
            copy_files(&d.join("good").join(sub), &to.join(sub));
        }
        to
    };
    let lost = |name: &str| {
        format!(
            "error: database `{name}` is corrupt: the last finished run saved checkpoint {}, \
             but the store holds none; delete the directory to start over",
            checkpoints(d, "good")
        )
    };
    // The log truncated, overwritten with garbage, emptied.
    let db = copy("half");
    let bytes = std::fs::read(db.join("db")).expect("read");
    // sled's file is mostly room to grow (zeros): cut what it holds.
    let used = bytes.iter().rposition(|&b| b != 0).map_or(0, |at| at + 1);
    std::fs::write(db.join("db"), &bytes[..used / 3]).expect("write");
    let db = copy("garbage");
    let junk: Vec<u8> = (0..bytes.len()).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(db.join("db"), junk).expect("write");
    let db = copy("emptied");
    std::fs::write(db.join("db"), b"").expect("write");
    for name in ["half", "garbage", "emptied"] {
        for args in [
            vec!["run", "tc.fold", "--db", name, "-q"],
            vec!["export", "tc.fold", "--db", name, "--out", "x"],
            vec!["stats", "--db", name],
        ] {
            let msg = refused(&args, d);
            assert!(
                msg == lost(name)
                    || msg.starts_with(&format!("error: database `{name}` is corrupt: ")),
                "{args:?}: {msg}"
            );
        }
    }
    // Emptied, with sled's snapshot still there: whichever check meets it
    // first says it is corrupt.
    let emptied = refused(&["stats", "--db", "emptied"], d);
    assert!(
        emptied == lost("emptied")
            || emptied
                == "error: database `emptied` is corrupt: the store's log fails its \
                           checksums; delete the directory to start over",
        "{emptied}"
    );
    // sled's file header overwritten: sled opens it and takes the run's
    // writes, but would not recover them; the run must not say it
    // succeeded.
    let db = copy("header");
    ok(&["stats", "--db", "header"], d);
    let mut bytes = std::fs::read(db.join("db")).expect("read");
    bytes[..4].copy_from_slice(b"XXXX");
    std::fs::write(db.join("db"), &bytes).expect("write");
    std::fs::write(d.join("more.csv"), "src,dst\n1000,1001\n").expect("write");
    let msg = refused(
        &[
            "run",
            "tc.fold",
            "--db",
            "header",
            "-q",
            "--input",
            "edge=more.csv",
        ],
        d,
    );
    assert!(
        msg == "the run's last checkpoint does not read back from the database"
            || msg.starts_with("error: database `header` is corrupt: "),
        "{msg}"
    );
    // One of sled's files gone: a damaged database, not a stranger's folder.
    for (name, file) in [("no-conf", "conf"), ("no-db", "db")] {
        let db = copy(name);
        std::fs::remove_file(db.join(file)).expect("remove");
        assert_eq!(
            refused(&["export", "tc.fold", "--db", name, "--out", "x"], d),
            format!(
                "error: database `{name}` is corrupt: its store's file `{file}` is missing; \
                 delete the directory to start over"
            )
        );
    }
    // A segment file of blocks damaged or gone: the runs and exports that
    // read its blocks say which file; stats read no blocks.
    let segments = |db: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(db.join("blocks"))
            .expect("segments")
            .map(|e| e.expect("entry").path())
            .collect();
        v.sort();
        v
    };
    assert!(!segments(&d.join("good")).is_empty());
    let db = copy("flipped");
    for seg in segments(&db) {
        let mut bytes = std::fs::read(&seg).expect("read");
        let at = bytes.len() / 2;
        bytes[at] ^= 0x40;
        std::fs::write(&seg, bytes).expect("write");
    }
    let db = copy("gone");
    for seg in segments(&db) {
        std::fs::remove_file(seg).expect("remove");
    }
    for (name, why) in [("flipped", "fails its checksum"), ("gone", "No such file")] {
        // Every command reports it the same way, stats too (it checks
        // every block on open, though it reads only the records).
        for args in [
            vec!["run", "tc.fold", "--db", name, "-q"],
            vec!["export", "tc.fold", "--db", name, "--out", "x"],
            vec!["stats", "--db", name],
        ] {
            let msg = refused(&args, d);
            assert!(
                msg.starts_with(&format!("error: database `{name}` is corrupt: `"))
                    && msg.contains("blocks/")
                    && msg.contains(why),
                "{args:?}: {msg}"
            );
        }
    }
    // A damaged manifest.
    let db = copy("manifest");
    std::fs::write(db.join("foldc.json"), "{").expect("write");
    assert_eq!(
        refused(&["stats", "--db", "manifest"], d),
        "error: database `manifest` is corrupt: foldc.json does not read back (EOF while \
         parsing an object at line 1 column 1); delete the directory to start over"
    );
    // A damaged database can be started over.
    let err = text(&ok(&["run", "tc.fold", "--db", "garbage", "--fresh", "-q"], d).stderr);
    assert!(err.is_empty(), "{err}");
    ok(&["stats", "--db", "good"], d);
}

/// Segment files: left over by a killed run (a whole one or a partly
/// written one) they are deleted when a run finishes; the ones the
/// database refers to stay and read back.
#[test]
fn a_finished_run_deletes_the_segments_nothing_refers_to() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    let mut edges: Vec<String> = (0..40).map(|i| format!("{i},{}", i + 1)).collect();
    std::fs::write(d.join("edge.csv"), csv("src,dst", &edges)).expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    let listing = || -> BTreeSet<String> {
        std::fs::read_dir(d.join("db").join("blocks"))
            .expect("segments")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect()
    };
    let before = listing();
    assert!(!before.is_empty() && before.iter().all(|n| n.ends_with(".seg")));
    let orphans = ["999.seg", ".1000.seg.tmp"];
    for o in orphans {
        std::fs::write(d.join("db").join("blocks").join(o), b"left by a killed run")
            .expect("write");
    }
    edges.push("40,0".to_string());
    std::fs::write(d.join("edge.csv"), csv("src,dst", &edges)).expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q", "--out", "kept"], d);
    let after = listing();
    assert!(after.is_superset(&before), "{before:?} -> {after:?}");
    assert!(orphans.iter().all(|o| !after.contains(*o)), "{after:?}");
    ok(&["run", "tc.fold", "--out", "plain", "-q"], d);
    ok(&["export", "tc.fold", "--db", "db", "--out", "exported"], d);
    assert_eq!(files(&d.join("exported")), files(&d.join("plain")));
    assert_eq!(files(&d.join("kept")), files(&d.join("plain")));
}

/// A database of format 2 (written by the foldc before segment files,
/// `tests/fixtures/format2/db`): read, extended by an incremental run and
/// read again, its blocks staying in sled.
#[test]
fn a_format_2_database_is_read_and_written_on_as_format_2() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format2");
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for sub in ["", "db"] {
        copy_files(&fixture.join(sub), &d.join(sub));
    }
    ok(&["run", "p.fold", "--out", "before", "-q"], d);
    ok(&["export", "p.fold", "--db", "db", "--out", "exported"], d);
    assert_eq!(files(&d.join("exported")), files(&d.join("before")));
    let more = ["run", "p.fold", "--input", "edge=more-edges.csv"];
    ok(&[&more[..], &["--out", "plain", "-q"]].concat(), d);
    let err = text(&ok(&[&more[..], &["--db", "db", "--out", "kept"]].concat(), d).stderr);
    assert!(err.contains("3 of 21 input rows were new"), "{err}");
    assert_ne!(files(&d.join("plain")), files(&d.join("before")));
    assert_eq!(files(&d.join("kept")), files(&d.join("plain")));
    ok(&["export", "p.fold", "--db", "db", "--out", "again"], d);
    assert_eq!(files(&d.join("again")), files(&d.join("plain")));
    assert!(!d.join("db").join("blocks").exists());
}

fn checkpoints(dir: &Path, db: &str) -> u64 {
    let out = foldc(&["stats", "--db", db, "--format", "json"], dir);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["checkpoint"].as_u64().unwrap_or(0)
}

#[test]
fn a_database_in_use_is_refused_as_locked_to_writers_not_readers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("tc.fold"), TC).expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n").expect("write");
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    let held = fold_runtime::db::Db::open_to_check(&d.join("db"), true).expect("opens");
    let locked = "error: database `db` is in use by another process (it is locked); wait for \
                  that process to finish"
        .to_string();
    assert_eq!(refused(&["run", "tc.fold", "--db", "db", "-q"], d), locked);
    // Reading takes no lock: it reads a copy of the store (a snapshot).
    ok(&["stats", "--db", "db"], d);
    drop(held);
    // sled lets go of the lock once its deferred garbage is collected.
    let free = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        foldc(&["stats", "--db", "db"], d).status.success()
    });
    assert!(free, "the database stays locked after it was closed");
}

/// Stats without the `database` and `checkpoint` fields (a crashed run
/// writes more checkpoints), as text.
fn stats_of(dir: &Path, db: &str) -> String {
    let out = foldc(&["stats", "--db", db, "--format", "json"], dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let obj = json.as_object_mut().expect("object");
    obj.remove("database");
    obj.remove("checkpoint");
    json.to_string()
}

/// A small xorshift generator: the kill moments (seeded from the clock,
/// printed so a failure can be replayed with `FOLD_CRASH_SEED`).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Kill `foldc run --db` at random moments, resume, and compare with a
/// clean run: the same output bytes and the same counters.
fn crash_and_resume(src: &str, input: &[(&str, String)], kills: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("p.fold"), src).expect("write");
    for (name, body) in input {
        std::fs::write(d.join(name), body).expect("write");
    }
    let started = Instant::now();
    ok(
        &["run", "p.fold", "--db", "clean", "--out", "clean-out", "-q"],
        d,
    );
    let clean_ms = started.elapsed().as_millis() as u64;
    let seed = std::env::var("FOLD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |t| t.as_nanos() as u64 | 1)
        });
    eprintln!("crash test seed {seed} (clean run {clean_ms} ms)");
    let mut rng = Rng(seed);
    // Once a finished database is run again there is nothing left to
    // kill, so each cycle starts a new database and kills its runs at
    // random moments until one finishes; every cycle must end at the
    // clean result.
    ok(&["run", "p.fold", "--db", "clean", "-q"], d);
    let clean_stats = stats_of(d, "clean");
    let (mut killed, mut attempts, mut cycle) = (0, 0, 0);
    while killed < kills && attempts < kills * 8 {
        cycle += 1;
        let db = format!("crash{cycle}");
        loop {
            attempts += 1;
            let mut child = Command::new(env!("CARGO_BIN_EXE_foldc"))
                .args(["run", "p.fold", "--db", &db, "-q", "--checkpoint-ms"])
                .arg(rng.below(3).to_string())
                .current_dir(d)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn foldc");
            std::thread::sleep(Duration::from_millis(rng.below(clean_ms + 10)));
            if child.try_wait().expect("wait").is_some() {
                let out = child.wait_with_output().expect("output");
                assert!(out.status.success(), "{}", text(&out.stderr));
                break;
            }
            child.kill().expect("kill -9");
            let out = child.wait_with_output().expect("reaped");
            let err = text(&out.stderr);
            assert!(!err.contains("panicked"), "{err}");
            killed += 1;
        }
        // One more run on the finished database changes nothing.
        ok(&["run", "p.fold", "--db", &db, "-q"], d);
        let out = format!("{db}-out");
        ok(&["export", "p.fold", "--db", &db, "--out", &out], d);
        assert_eq!(
            files(&d.join(&out)),
            files(&d.join("clean-out")),
            "seed {seed}"
        );
        // Counters are saved with the facts: the resumed runs counted every
        // event exactly once.
        assert_eq!(stats_of(d, &db), clean_stats, "seed {seed}");
    }
    eprintln!("{killed} runs killed in {cycle} cycles");
    assert!(killed >= kills, "only {killed} runs killed (seed {seed})");
}

#[test]
fn killed_transitive_closure_runs_resume_to_the_clean_result() {
    let mut edges = String::from("src,dst\n");
    let mut x: u64 = 7;
    let mut seen = BTreeSet::new();
    while seen.len() < 1600 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (a, b) = ((x >> 33) % 800, (x >> 13) % 800);
        if a != b && seen.insert((a, b)) {
            edges.push_str(&format!("{a},{b}\n"));
        }
    }
    crash_and_resume(TC, &[("edge.csv", edges)], 6);
}

#[test]
fn killed_prioritized_keyed_runs_resume_to_the_clean_result() {
    let mut roads = String::from("src,dst,len\n");
    let mut x: u64 = 11;
    let mut seen = BTreeSet::new();
    while seen.len() < 30000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (a, b, l) = ((x >> 33) % 8000, (x >> 13) % 8000, (x >> 50) % 20 + 1);
        if a != b && seen.insert((a, b)) {
            roads.push_str(&format!("{a},{b},{l}\n"));
        }
    }
    crash_and_resume(SP, &[("road.csv", roads)], 6);
}

/// One run of `p.fold` in `d` without a database over the edges `rows`,
/// into `out`.
fn one_run(d: &Path, rows: &[String], out: &str) {
    std::fs::write(d.join("all.csv"), csv("src,dst", rows)).expect("write");
    ok(
        &[
            "run",
            "p.fold",
            "-q",
            "--input",
            "edge=all.csv",
            "--out",
            out,
        ],
        d,
    );
}

/// Categories big enough for saved tables (see `runtime/src/db/tables.rs`):
/// a small addition reuses the saved tables as a prefix and inserts the
/// new rows on top (keyed rows superseding saved ones included), a large
/// one rewrites them; after every run the database exports what one run
/// over all the input so far writes, and a merge of it agrees too.
#[test]
fn big_categories_resume_from_saved_tables_and_rows_on_top() {
    const BIG: &str = "data edge(src: int, dst: int)\n\
                       data hop(src: int, dst: int)\n\
                       data best(src: int, d: int) key(src) keep min(d)\n\
                       input edge from \"edge.csv\"\n\
                       output hop\noutput best\n\
                       hop(x, z) :- edge(x, y), edge(y, z).\n\
                       best(x, d) :- edge(x, d).\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("p.fold"), BIG).expect("write");
    let parts: [Vec<String>; 3] = [
        (0..70_000)
            .map(|i| format!("{i},{}", (i * 7 + 1) % 90_000))
            .collect(),
        (0..3_000).map(|i| format!("{},{}", i * 3, i % 5)).collect(),
        (70_000..95_000)
            .map(|i| format!("{i},{}", (i * 11) % 95_000))
            .collect(),
    ];
    let one_run = |rows: &[String], out: &str| one_run(d, rows, out);
    let mut so_far: Vec<String> = Vec::new();
    let mut edge_tables = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        so_far.extend(part.iter().cloned());
        std::fs::write(d.join(format!("part{k}.csv")), csv("src,dst", part)).expect("write");
        let input = format!("edge=part{k}.csv");
        ok(&["run", "p.fold", "--db", "db", "-q", "--input", &input], d);
        edge_tables.push(std::fs::read(d.join("db/tables/0.bin")).expect("edge's tables"));
        ok(
            &[
                "export",
                "p.fold",
                "--db",
                "db",
                "--out",
                &format!("inc{k}"),
            ],
            d,
        );
        let one = format!("one{k}");
        one_run(&so_far, &one);
        assert_eq!(
            files(&d.join(format!("inc{k}"))),
            files(&d.join(&one)),
            "after part {k}"
        );
    }
    // 3,000 rows on top of 70,000 keep the file; 25,000 more rewrite it.
    assert!(
        edge_tables[1] == edge_tables[0],
        "a small addition rewrote the tables"
    );
    assert!(
        edge_tables[2] != edge_tables[1],
        "a large addition kept old tables"
    );
    // The finished database (tables and rows on top) merges like any.
    std::fs::write(d.join("few.csv"), "src,dst\n1,0\n95001,3\n").expect("write");
    ok(
        &[
            "run",
            "p.fold",
            "--db",
            "few",
            "-q",
            "--input",
            "edge=few.csv",
        ],
        d,
    );
    ok(
        &["merge", "p.fold", "db", "few", "--into", "merged", "-q"],
        d,
    );
    ok(&["export", "p.fold", "--db", "merged", "--out", "m"], d);
    so_far.extend(["1,0".to_string(), "95001,3".to_string()]);
    one_run(&so_far, "onem");
    assert_eq!(files(&d.join("m")), files(&d.join("onem")));
}

/// A tables file is used only with the blocks it was saved from: two
/// databases of one program with as many rows, their files swapped,
/// resume from their own records and agree with one run each.
#[test]
fn saved_tables_of_another_database_are_not_used() {
    const HOP: &str = "data edge(src: int, dst: int)\n\
                       data hop(src: int, dst: int)\n\
                       input edge from \"edge.csv\"\n\
                       output hop\n\
                       hop(x, z) :- edge(x, y), edge(y, z).\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("p.fold"), HOP).expect("write");
    let edges = |k: i64| -> Vec<String> {
        (0..70_000)
            .map(|i| format!("{i},{}", (i * k + 1) % 90_000))
            .collect()
    };
    for (db, k) in [("a", 7), ("b", 11)] {
        std::fs::write(d.join(format!("{db}.csv")), csv("src,dst", &edges(k))).expect("write");
        let input = format!("edge={db}.csv");
        ok(&["run", "p.fold", "--db", db, "-q", "--input", &input], d);
    }
    let tables = |db: &str| d.join(db).join("tables");
    // `edge`'s: 70,000 rows each (`hop` is too small to be saved).
    let (a, b) = (tables("a").join("0.bin"), tables("b").join("0.bin"));
    let (ta, tb) = (
        std::fs::read(&a).expect("saved"),
        std::fs::read(&b).expect("saved"),
    );
    assert_ne!(ta, tb);
    std::fs::write(&a, tb).expect("write");
    std::fs::write(&b, ta).expect("write");
    std::fs::write(d.join("more.csv"), "src,dst\n89999,5\n6,89998\n").expect("write");
    for (db, k) in [("a", 7), ("b", 11)] {
        ok(
            &[
                "run",
                "p.fold",
                "--db",
                db,
                "-q",
                "--input",
                "edge=more.csv",
            ],
            d,
        );
        ok(
            &[
                "export",
                "p.fold",
                "--db",
                db,
                "--out",
                &format!("{db}.out"),
            ],
            d,
        );
        let mut all = edges(k);
        all.extend(["89999,5".to_string(), "6,89998".to_string()]);
        let one = format!("{db}.one");
        one_run(d, &all, &one);
        assert_eq!(
            files(&d.join(format!("{db}.out"))),
            files(&d.join(&one)),
            "{db}"
        );
    }
}
