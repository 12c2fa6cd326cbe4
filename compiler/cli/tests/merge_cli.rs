//! `foldc merge` as a user meets it: the worked example of the README
//! (two corpora that form a square only together) with its exact counts,
//! the counts kept in the merged database for `foldc stats`, the
//! explanation of a fact that needed both (`foldc explain`), and every
//! refusal: an existing target, one database twice, another program's
//! database, an unfinished one, a left-over merge. A refused merge leaves
//! nothing behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ok, refused, text};

fn text_folding() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.join("../../examples/text-folding/text-folding.fold")
}

/// Build A from `a b. a c.` and B from `b d. c d.` in `d`.
fn two_corpora(d: &Path) -> String {
    let prog = text_folding().to_string_lossy().into_owned();
    std::fs::write(d.join("left.csv"), "id,text\n1,a b. a c.\n").expect("write");
    std::fs::write(d.join("right.csv"), "id,text\n1,b d. c d.\n").expect("write");
    ok(
        &["run", &prog, "--input", "book=left.csv", "--db", "A", "-q"],
        d,
    );
    ok(
        &["run", &prog, "--input", "book=right.csv", "--db", "B", "-q"],
        d,
    );
    prog
}

#[test]
fn two_corpora_without_a_square_merge_into_one_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let prog = two_corpora(d);
    for db in ["A", "B"] {
        ok(
            &["export", &prog, "--db", db, "--out", &format!("{db}.out")],
            d,
        );
        let orthos = std::fs::read_to_string(d.join(format!("{db}.out/ortho.csv"))).expect("csv");
        assert_eq!(orthos, "shape,cells\n", "{db} alone holds no square");
    }
    let report = text(&ok(&["merge", &prog, "A", "B", "--into", "C"], d).stdout);
    // B's events: `read` and `cut` of its own book and sentences, and
    // `line` of its own pairs, ran in B (3), and so did the handlers at
    // pair positions of rules whose other atoms B could not hold alone
    // (`up_square`, `prove`); a `grid` handler (and the `up_cube`
    // handlers) at a pair position with no friend key in the merge
    // aborts categorically; the four events that join pairs of both
    // sides are replayed, and find the square's two grids (and, after,
    // the square and its working state).
    assert!(
        report.contains(
            "events of `B`: 0 skipped (1) as in both, 9 skipped with their whole handler, 0 \
             skipped (2) as their friends are in both, 0 skipped (3) as one side's, 12 aborted \
             categorically, 4 replayed"
        ),
        "{report}"
    );
    assert!(
        report.contains("facts of `B`: 2 in both, 8 copied in"),
        "{report}"
    );
    assert!(report.contains("new facts: 4"), "{report}");
    ok(&["export", &prog, "--db", "C", "--out", "C.out"], d);
    let orthos = std::fs::read_to_string(d.join("C.out/ortho.csv")).expect("csv");
    assert_eq!(
        orthos,
        "shape,cells\n\"[2, 2]\",\"[\"\"a\"\", \"\"b\"\", \"\"c\"\", \"\"d\"\"]\"\n"
    );
    // The merged database keeps the record; `stats` shows it.
    let stats = text(&ok(&["stats", "--db", "C"], d).stdout);
    assert!(stats.contains("4 replayed"), "{stats}");
    let json: serde_json::Value =
        serde_json::from_slice(&ok(&["stats", "--db", "C", "--format", "json"], d).stdout)
            .expect("json");
    let merges = json["merges"].as_array().expect("merges");
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0]["total"]["replayed"], 4, "{}", merges[0]);
    assert_eq!(merges[0]["total"]["skipped_one_side"], 0, "{}", merges[0]);
    assert_eq!(merges[0]["total"]["skipped_by_handler"], 9, "{}", merges[0]);
    // The square rests on a grid, and the grid on a pair of each corpus:
    // its explanation goes down to a line of each input file, through
    // facts that were replayed.
    let why = text(
        &ok(
            &[
                "explain",
                &prog,
                "--db",
                "C",
                r#"ortho([2, 2], ["a", "b", "c", "d"])"#,
            ],
            d,
        )
        .stdout,
    );
    for line in [
        r#"└─ event: grid("a", "b", "c", "d")  — found by the rule at"#,
        r#"   ├─ event: pair("c", "d")  — found by rule `cut`"#,
        r#"   │     └─ event: book(1, "b d. c d.")  — input right.csv:2"#,
        r#"   │     └─ event: book(1, "a b. a c.")  — input left.csv:2"#,
        r#"   └─ friend: pair("b", "d")  — found by rule `cut`"#,
    ] {
        assert!(why.contains(line), "{line}\nnot in\n{why}");
    }
    // A merged database is an ordinary one: more input extends it.
    std::fs::write(
        d.join("more.csv"),
        "id,text\n1,a b. a c.\n2,b d. c d. b e.\n",
    )
    .expect("write");
    ok(
        &["run", &prog, "--input", "book=more.csv", "--db", "C", "-q"],
        d,
    );
}

/// Files a killed run left under temporary names are not carried into
/// the merged database: linked, the next run of either database would
/// write through them into the other's segments.
#[test]
fn a_killed_runs_leftovers_are_not_shared_by_a_merge() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let prog = two_corpora(d);
    for db in ["A", "B"] {
        for (folder, name) in [("blocks", "seg"), ("tables", "bin")] {
            std::fs::create_dir_all(d.join(db).join(folder)).expect("mkdir");
            for n in 0..20 {
                let leftover = d.join(db).join(folder).join(format!(".{n}.{name}.tmp"));
                std::fs::write(leftover, b"left by a killed run").expect("write");
            }
        }
    }
    ok(&["merge", &prog, "A", "B", "--into", "C"], d);
    for folder in ["blocks", "tables"] {
        let Ok(entries) = std::fs::read_dir(d.join("C").join(folder)) else {
            continue;
        };
        for e in entries {
            let name = e.expect("entry").file_name().into_string().expect("name");
            assert!(!name.ends_with(".tmp"), "C/{folder}/{name}");
        }
    }
    ok(&["export", &prog, "--db", "C", "--out", "before"], d);
    // Both sources go on with more input; the merged database is as it was.
    std::fs::write(d.join("more.csv"), "id,text\n1,a b. a c.\n2,e f. e g.\n").expect("write");
    for db in ["A", "B"] {
        ok(
            &["run", &prog, "--input", "book=more.csv", "--db", db, "-q"],
            d,
        );
    }
    ok(&["export", &prog, "--db", "C", "--out", "after"], d);
    for f in std::fs::read_dir(d.join("before")).expect("outputs") {
        let name = f.expect("entry").file_name();
        let read = |side: &str| std::fs::read_to_string(d.join(side).join(&name)).expect("csv");
        assert_eq!(read("before"), read("after"), "{name:?}");
    }
}

#[test]
fn merges_that_cannot_be_done_are_refused_and_leave_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let prog = two_corpora(d);
    std::fs::create_dir(d.join("C")).expect("mkdir");
    assert_eq!(
        refused(&["merge", &prog, "A", "B", "--into", "C"], d),
        "error: `C` already exists; `foldc merge` creates the merged database (name a new \
         directory)"
    );
    assert_eq!(
        refused(&["merge", &prog, "A", "./A", "--into", "D"], d),
        "error: `A` and `./A` are the same database; a database merged with itself is itself"
    );
    assert_eq!(
        refused(&["merge", &prog, "A", "nowhere", "--into", "D"], d),
        "error: no database at `nowhere`"
    );
    std::fs::write(
        d.join("tc.fold"),
        "data edge(src: int, dst: int)\ninput edge from \"edge.csv\"\noutput edge\n",
    )
    .expect("write");
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n").expect("write");
    ok(&["run", "tc.fold", "--db", "T", "-q"], d);
    let msg = refused(&["merge", &prog, "A", "T", "--into", "D"], d);
    assert!(
        msg.starts_with("error: database `T` was written by program `tc.fold` (fingerprint ")
            && msg.ends_with("only databases of one program merge"),
        "{msg}"
    );
    std::fs::create_dir(d.join(".E.merging")).expect("mkdir");
    assert_eq!(
        refused(&["merge", &prog, "A", "B", "--into", "E"], d),
        "error: `.E.merging` exists and is not a merge's directory: delete it, or merge into \
         another name"
    );
    std::fs::remove_dir(d.join(".E.merging")).expect("rmdir");
    // A merge under way holds its marker locked.
    std::fs::create_dir(d.join(".E.merging")).expect("mkdir");
    std::fs::write(d.join(".E.merging/MERGING"), "").expect("write");
    let live = std::fs::File::open(d.join(".E.merging/MERGING")).expect("open");
    live.try_lock().expect("lock");
    assert_eq!(
        refused(&["merge", &prog, "A", "B", "--into", "E"], d),
        "error: `.E.merging` exists: a merge is writing it now"
    );
    assert!(
        d.join(".E.merging/MERGING").exists(),
        "a live merge's directory stays"
    );
    drop(live);
    std::fs::remove_dir_all(d.join(".E.merging")).expect("rmdir");
    assert_eq!(
        refused(&["merge", &prog, "A", "B", "--into", "B/inner"], d),
        "error: `--into B/inner` is inside the database `B`: choose a folder outside it"
    );
    for left in ["D", ".D.merging", "E", "B/inner", "B/.inner.merging"] {
        assert!(!d.join(left).exists(), "{left} was left behind");
    }
}

#[test]
fn an_unfinished_database_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(
        d.join("tc.fold"),
        "data edge(src: int, dst: int)\ndata path(src: int, dst: int)\n\
         input edge from \"edge.csv\"\noutput path\n\
         path(x, y) :- edge(x, y).\npath(x, z) :- path(x, y), edge(y, z).\n",
    )
    .expect("write");
    let mut edges = String::from("src,dst\n");
    for i in 0..1500 {
        edges.push_str(&format!("{i},{}\n", i + 1));
    }
    std::fs::write(d.join("edge.csv"), edges).expect("write");
    ok(&["run", "tc.fold", "--db", "done", "-q"], d);
    let started = Instant::now();
    ok(&["run", "tc.fold", "--db", "timing", "-q"], d);
    let full = started.elapsed();
    // Kill runs part-way until one leaves a checkpoint behind.
    for attempt in 1..=12u32 {
        let db = format!("killed{attempt}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_foldc"))
            .args(["run", "tc.fold", "--db", &db, "-q", "--checkpoint-ms", "0"])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn foldc");
        std::thread::sleep(
            full.mul_f64(0.2 + 0.05 * f64::from(attempt))
                .min(Duration::from_secs(5)),
        );
        if child.try_wait().expect("wait").is_some() {
            continue;
        }
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        let msg = refused(&["merge", "tc.fold", "done", &db, "--into", "M"], d);
        if msg == format!("error: database `{db}` holds no run yet") {
            continue;
        }
        assert_eq!(
            msg,
            format!(
                "error: database `{db}` cannot be merged: its last run did not finish; run \
                 `foldc run tc.fold --db {db}` to finish it first"
            )
        );
        assert!(!d.join("M").exists());
        // Finished, it merges.
        ok(&["run", "tc.fold", "--db", &db, "-q"], d);
        ok(&["merge", "tc.fold", "done", &db, "--into", "M", "-q"], d);
        return;
    }
    panic!("no run was killed after its first checkpoint");
}

/// A merge killed halfway leaves its directory (`.C.merging`, its marker
/// no longer locked): the same merge run again removes it, says so, and
/// writes the database one uninterrupted merge writes.
#[test]
fn a_merge_run_again_after_a_kill_clears_what_the_killed_one_left() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let prog = two_corpora(d);
    ok(&["merge", &prog, "A", "B", "--into", "C", "-q"], d);
    ok(&["export", &prog, "--db", "C", "--out", "C.out"], d);
    // What a kill leaves: the marker, a store half copied.
    std::fs::create_dir_all(d.join(".D.merging/blocks")).expect("mkdir");
    std::fs::write(d.join(".D.merging/MERGING"), "").expect("write");
    std::fs::write(d.join(".D.merging/blocks/1.seg"), "half").expect("write");
    let out = ok(&["merge", &prog, "A", "B", "--into", "D", "-q"], d);
    assert_eq!(
        text(&out.stderr),
        "note: removed `.D.merging`, left by a merge into `D` that was interrupted\n"
    );
    assert!(!d.join(".D.merging").exists());
    ok(&["export", &prog, "--db", "D", "--out", "D.out"], d);
    for f in std::fs::read_dir(d.join("C.out")).expect("outputs") {
        let name = f.expect("entry").file_name();
        let read = |side: &str| std::fs::read_to_string(d.join(side).join(&name)).expect("csv");
        assert_eq!(read("C.out"), read("D.out"), "{name:?}");
    }
}
