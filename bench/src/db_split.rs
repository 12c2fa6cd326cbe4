//! `fold-bench db`'s merges of databases whose inputs never combine: what
//! identical workers of a sharded job hand back. Each is timed against a
//! fresh `--db` run over all the input and its result compared with that
//! run's, byte for byte:
//!
//! - multi-source reachability with its sources (`seed`) hash-split into
//!   two shards, and into four merged pairwise as a tree (the root merge
//!   timed), every shard given all the edges;
//! - the text-folding corpus (`generate.py`) split by book.

use std::path::Path;

use crate::db::{merge_counts, Bench};
use crate::gen::SplitMix64;

const REACH: &str = "data edge(src: int, dst: int)\n\
                     data seed(s: int)\n\
                     data reach(s: int, x: int)\n\
                     input edge from \"edge.csv\"\n\
                     input seed from \"seed.csv\"\n\
                     output reach\n\
                     reach(s, s) :- seed(s).\n\
                     reach(s, y) :- reach(s, x), edge(x, y).\n";

/// The sentences of the generated text-folding corpus.
const SENTENCES: &str = "8000";

/// The report rows of the split merges (`edge.csv` is already written).
pub(crate) fn rows(b: &Bench, nodes: i64, root: &Path) -> Result<Vec<String>, String> {
    let write = |name: &str, text: &str| {
        std::fs::write(b.path(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("reach.fold", REACH)?;
    let shard_of = |s: i64, n: u64| SplitMix64::new(s as u64).below(n) as usize;
    let seeds = |n: u64, k: usize| -> String {
        let mut out = String::from("s\n");
        for s in (0..nodes).filter(|&s| shard_of(s, n) == k) {
            out.push_str(&format!("{s}\n"));
        }
        out
    };
    write("seed_all.csv", &seeds(1, 0))?;
    // The file the program names (runs pass their shard's instead).
    write("seed.csv", &seeds(1, 0))?;
    let mut rows = Vec::new();
    let reach = |db: &str, input: &str| -> Result<(), String> {
        b.remove(db)?;
        b.foldc(&["run", "reach.fold", "-q", "--db", db, "--input", input])
            .map(drop)
    };

    // Two shards.
    for k in 0..2 {
        write(&format!("seed2_{k}.csv"), &seeds(2, k))?;
        reach(&format!("R2_{k}"), &format!("seed=seed2_{k}.csv"))?;
    }
    let fresh = fresh_run(b, "reach.fold", "seed=seed_all.csv")?;
    rows.push(timed_merge(
        b,
        "reach.fold",
        ("R2_0", "R2_1"),
        "reach, sources in 2 shards",
        fresh,
    )?);

    // Four shards, merged as a tree; the root merge is timed.
    for k in 0..4 {
        write(&format!("seed4_{k}.csv"), &seeds(4, k))?;
        reach(&format!("R4_{k}"), &format!("seed=seed4_{k}.csv"))?;
    }
    for (a, c, into) in [("R4_0", "R4_1", "R4_01"), ("R4_2", "R4_3", "R4_23")] {
        b.remove(into)?;
        b.foldc(&["merge", "reach.fold", a, c, "--into", into, "-q"])?;
    }
    rows.push(timed_merge(
        b,
        "reach.fold",
        ("R4_01", "R4_23"),
        "reach, 4 shards: root merge",
        fresh,
    )?);

    // The text-folding corpus, split by book.
    let program = root.join("examples/text-folding/text-folding.fold");
    let text =
        std::fs::read_to_string(&program).map_err(|e| format!("{}: {e}", program.display()))?;
    write("tf.fold", &text)?;
    let generator = root.join("examples/text-folding/generate.py");
    let corpus = std::process::Command::new("python3")
        .arg(&generator)
        .arg(SENTENCES)
        .output()
        .map_err(|e| format!("cannot run python3 {}: {e}", generator.display()))?;
    if !corpus.status.success() {
        return Err(format!("{} failed", generator.display()));
    }
    let corpus = String::from_utf8_lossy(&corpus.stdout).into_owned();
    let (halves, books) = split_by_book(&corpus)?;
    write("books_all.csv", &corpus)?;
    for (k, half) in halves.iter().enumerate() {
        write(&format!("books_{k}.csv"), half)?;
        b.remove(&format!("T_{k}"))?;
        b.foldc(&[
            "run",
            "tf.fold",
            "-q",
            "--db",
            &format!("T_{k}"),
            "--input",
            &format!("book=books_{k}.csv"),
        ])?;
    }
    let fresh = fresh_run(b, "tf.fold", "book=books_all.csv")?;
    rows.push(timed_merge(
        b,
        "tf.fold",
        ("T_0", "T_1"),
        &format!("text folding by book ({books})"),
        fresh,
    )?);
    Ok(rows)
}

/// A fresh `--db` run of `prog` over `input` into `F`: its median time.
fn fresh_run(b: &Bench, prog: &str, input: &str) -> Result<f64, String> {
    let (t, _) = b.median(
        &|| b.remove("F"),
        &["run", prog, "-q", "--db", "F", "--input", input],
    )?;
    b.remove("F.csv")?;
    b.foldc(&["export", prog, "--db", "F", "--out", "F.csv"])?;
    Ok(t)
}

/// Merge `dbs` into `M` (median time), check it against the fresh run's
/// export in `F.csv`, and report the ratio, the counts and the phases.
fn timed_merge(
    b: &Bench,
    prog: &str,
    dbs: (&str, &str),
    label: &str,
    fresh: f64,
) -> Result<String, String> {
    let (merge, report) = b.median(
        &|| b.remove("M"),
        &["merge", prog, dbs.0, dbs.1, "--into", "M"],
    )?;
    b.remove("M.csv")?;
    b.foldc(&["export", prog, "--db", "M", "--out", "M.csv"])?;
    if !same_dirs(&b.path("M.csv"), &b.path("F.csv"))? {
        return Err(format!("{label}: the merge differs from the fresh run"));
    }
    let phases = report
        .lines()
        .find_map(|l| {
            l.split_once(" in all (")
                .map(|(_, p)| p.trim_end_matches(')'))
        })
        .unwrap_or("phases not reported");
    Ok(format!(
        "merge, {label:<28} {merge:8.3} s   {:.2}x a fresh --db run over both ({fresh:.3} s)\n      \
         {}\n      phases: {phases}",
        merge / fresh,
        merge_counts(&report)
    ))
}

/// Whether two directories hold the same files with the same bytes.
fn same_dirs(a: &Path, c: &Path) -> Result<bool, String> {
    let list = |d: &Path| -> Result<Vec<(String, Vec<u8>)>, String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).map_err(|e| format!("{}: {e}", d.display()))? {
            let e = e.map_err(|e| e.to_string())?;
            let bytes = std::fs::read(e.path()).map_err(|e| e.to_string())?;
            out.push((e.file_name().to_string_lossy().into_owned(), bytes));
        }
        out.sort();
        Ok(out)
    };
    Ok(list(a)? == list(c)?)
}

/// The corpus CSV (a header, then one `id,"text"` record per line) as two
/// CSVs of alternate books, and how many books there are.
fn split_by_book(corpus: &str) -> Result<([String; 2], usize), String> {
    let mut lines = corpus.lines();
    let header = lines.next().ok_or("the generated corpus is empty")?;
    let mut halves = [format!("{header}\n"), format!("{header}\n")];
    let mut books = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        halves[books % 2].push_str(line);
        halves[books % 2].push('\n');
        books += 1;
    }
    Ok((halves, books))
}
