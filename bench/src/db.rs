//! `fold-bench db`: the database's costs and gains on transitive closure
//! over the shared `tc-random-2000-4000.csv`, each step the median of
//! `--runs` runs of the real `foldc` binary (stdout discarded, `-q`):
//!
//! - a run with `--db` against the same run without it, and the size of
//!   the database on disk against the CSV of its facts;
//! - adding 10 new edges to the finished database against the full run,
//!   by `foldc run --db` (a new process that loads the database first)
//!   and through a running `foldc serve` (checked against a fresh run);
//! - `foldc merge` against a fresh `--db` run over both inputs, where B
//!   holds 1% new edges (alone, and on top of A's edges), and where A and B
//!   are two random halves of the input; with the merge's skip counts;
//! - merges of databases whose inputs never combine ([`db_split`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::csv_io;
use crate::db_split;
use crate::gen::SplitMix64;
use crate::serve_add;
use crate::workload::Pair;

#[derive(clap::Args, Debug)]
pub struct DbArgs {
    /// Runs per step; the median is shown.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Threads for foldc [default: the machine's cores].
    #[arg(long)]
    threads: Option<usize>,
    /// The edge file [default: ../shared/data/bench/tc-random-2000-4000.csv].
    #[arg(long)]
    edges: Option<PathBuf>,
    /// The foldc binary [default: target/release/foldc in the workspace].
    #[arg(long)]
    foldc: Option<PathBuf>,
    /// Where databases and inputs go [default: $TMPDIR/fold-bench/db].
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

const PROGRAM: &str = "data edge(src: int, dst: int)\n\
                       data path(src: int, dst: int)\n\
                       input edge from \"edge.csv\"\n\
                       output path\n\
                       path(x, y) :- edge(x, y).\n\
                       path(x, z) :- path(x, y), edge(y, z).\n";

pub(crate) struct Bench {
    foldc: PathBuf,
    dir: PathBuf,
    runs: usize,
    threads: String,
}

impl Bench {
    /// Run foldc once in the work dir; its stdout on success.
    pub(crate) fn foldc(&self, args: &[&str]) -> Result<String, String> {
        let threads: &[&str] = match args.first() {
            Some(&"run") | Some(&"merge") => &["--threads", &self.threads],
            _ => &[],
        };
        let out = Command::new(&self.foldc)
            .args(args)
            .args(threads)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.foldc.display()))?;
        if !out.status.success() {
            return Err(format!(
                "foldc {} failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The median time of `step`, after `prepare` (untimed) each time; the
    /// last run's stdout.
    pub(crate) fn median(
        &self,
        prepare: &dyn Fn() -> Result<(), String>,
        step: &[&str],
    ) -> Result<(f64, String), String> {
        let mut times = Vec::new();
        let mut last = String::new();
        for _ in 0..self.runs {
            prepare()?;
            let t = Instant::now();
            last = self.foldc(step)?;
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        Ok((times[times.len() / 2], last))
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub(crate) fn remove(&self, name: &str) -> Result<(), String> {
        let p = self.path(name);
        if p.exists() {
            std::fs::remove_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        Ok(())
    }

    fn write(&self, name: &str, edges: &[Pair]) -> Result<(), String> {
        csv_io::write_unsorted(&self.path(name), "src,dst", edges)
            .map_err(|e| format!("{name}: {e}"))
    }
}

fn size_of(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| size_of(&e.path())).sum())
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}

/// `n` edges between `nodes` nodes that `taken` does not hold (added to it).
fn new_edges(
    taken: &mut std::collections::HashSet<Pair>,
    nodes: i64,
    n: usize,
    seed: u64,
) -> Vec<Pair> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let e = (
            rng.below(nodes as u64) as i64,
            rng.below(nodes as u64) as i64,
        );
        if taken.insert(e) {
            out.push(e);
        }
    }
    out
}

/// The lines of `foldc merge`'s report that count events and new facts.
pub(crate) fn merge_counts(report: &str) -> String {
    report
        .lines()
        .filter(|l| l.starts_with("  events of") || l.starts_with("  new facts"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n      ")
}

pub fn main(args: &DbArgs, root: &Path) -> Result<(), String> {
    let edges_file = args
        .edges
        .clone()
        .unwrap_or_else(|| root.join("../shared/data/bench/tc-random-2000-4000.csv"));
    let edges =
        csv_io::read_pairs(&edges_file).map_err(|e| format!("{}: {e}", edges_file.display()))?;
    let dir = args
        .work_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("fold-bench/db"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let b = Bench {
        foldc: args
            .foldc
            .clone()
            .unwrap_or_else(|| root.join("target/release/foldc")),
        dir,
        runs: args.runs.max(1),
        threads: threads.to_string(),
    };
    std::fs::write(b.path("tc.fold"), PROGRAM).map_err(|e| e.to_string())?;
    b.write("edge.csv", &edges)?;
    let nodes = edges.iter().map(|&(a, c)| a.max(c)).max().unwrap_or(0) + 1;
    let mut taken: std::collections::HashSet<Pair> = edges.iter().copied().collect();
    let add10 = new_edges(&mut taken, nodes, 10, 10);
    let one_pct = new_edges(&mut taken, nodes, edges.len().div_ceil(100), 100);
    let served: Vec<Vec<Pair>> = (0..args.runs.max(1) as u64)
        .map(|i| new_edges(&mut taken, nodes, 10, 1000 + i))
        .collect();
    let with = |more: &[Pair]| [edges.as_slice(), more].concat();
    b.write("plus10.csv", &with(&add10))?;
    b.write("new1pct.csv", &one_pct)?;
    b.write("plus1pct.csv", &with(&one_pct))?;
    let mut shuffled = edges.clone();
    let mut rng = SplitMix64::new(7);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let (h1, h2) = shuffled.split_at(shuffled.len() / 2);
    b.write("half1.csv", h1)?;
    b.write("half2.csv", h2)?;
    eprintln!(
        "fold-bench db: {} edges from {}, {} run(s) per step, {threads} thread(s), in {}",
        edges.len(),
        edges_file.display(),
        b.runs,
        b.dir.display()
    );

    let none = || Ok(());
    let q = ["run", "tc.fold", "-q"];
    let (mem, _) = b.median(&none, &q)?;
    let (db, _) = b.median(&|| b.remove("A"), &[&q[..], &["--db", "A"]].concat())?;
    b.foldc(&["export", "tc.fold", "--db", "A", "--out", "A.csv"])?;
    let (db_bytes, csv_bytes) = (size_of(&b.path("A")), size_of(&b.path("A.csv")));
    let src = b.path("A");
    let (add, _) = b.median(
        &|| {
            b.remove("A10")?;
            copy_dir(&src, &b.path("A10")).map_err(|e| e.to_string())
        },
        &[&q[..], &["--db", "A10", "--input", "edge=plus10.csv"]].concat(),
    )?;

    b.remove("S")?;
    copy_dir(&src, &b.path("S")).map_err(|e| e.to_string())?;
    let mut times =
        serve_add::insert_batches(&b.foldc, &b.dir, "tc.fold", "S", &b.threads, &served)?;
    times.sort_by(f64::total_cmp);
    let serve_add = times[times.len() / 2];
    // What the service holds is what one run over all those edges finds.
    let all: Vec<Pair> = served.iter().flatten().copied().collect();
    b.write("served.csv", &with(&all))?;
    b.foldc(&["export", "tc.fold", "--db", "S", "--out", "S.csv"])?;
    b.foldc(&[&q[..], &["--input", "edge=served.csv", "--out", "SF.csv"]].concat())?;
    if std::fs::read(b.path("S.csv/path.csv")).ok() != std::fs::read(b.path("SF.csv/path.csv")).ok()
    {
        return Err("the served inserts differ from a fresh run over their edges".to_string());
    }

    let mut rows = vec![
        format!("run without --db                     {mem:8.3} s"),
        format!(
            "run with --db                        {db:8.3} s   {:.2}x the run without",
            db / mem
        ),
        format!(
            "database on disk                     {:8.1} MB  {:.2}x the CSV of its facts ({:.1} MB)",
            db_bytes as f64 / 1e6,
            db_bytes as f64 / csv_bytes.max(1) as f64,
            csv_bytes as f64 / 1e6
        ),
        format!(
            "add 10 edges to the finished db      {add:8.3} s   {:.1}% of the run with --db",
            100.0 * add / db
        ),
        format!(
            "the same through foldc serve         {serve_add:8.3} s   {:.1}% of the run with --db \
             (the database stays loaded)",
            100.0 * serve_add / db
        ),
    ];
    let scenarios: [(&str, &str, &str, &str); 3] = [
        (
            "B = 1% new edges alone",
            "edge.csv",
            "new1pct.csv",
            "plus1pct.csv",
        ),
        (
            "B = A's edges + 1% new",
            "edge.csv",
            "plus1pct.csv",
            "plus1pct.csv",
        ),
        ("A, B = random halves", "half1.csv", "half2.csv", "edge.csv"),
    ];
    for (label, a, bb, all) in scenarios {
        b.remove("MA")?;
        b.remove("MB")?;
        b.foldc(&[&q[..], &["--db", "MA", "--input", &format!("edge={a}")]].concat())?;
        b.foldc(&[&q[..], &["--db", "MB", "--input", &format!("edge={bb}")]].concat())?;
        let (fresh, _) = b.median(
            &|| b.remove("F"),
            &[&q[..], &["--db", "F", "--input", &format!("edge={all}")]].concat(),
        )?;
        let (merge, report) = b.median(
            &|| b.remove("M"),
            &["merge", "tc.fold", "MA", "MB", "--into", "M"],
        )?;
        b.foldc(&["export", "tc.fold", "--db", "M", "--out", "M.csv"])?;
        b.foldc(&["export", "tc.fold", "--db", "F", "--out", "F.csv"])?;
        let same = std::fs::read(b.path("M.csv/path.csv")).ok()
            == std::fs::read(b.path("F.csv/path.csv")).ok();
        if !same {
            return Err(format!("{label}: the merge differs from the fresh run"));
        }
        rows.push(format!(
            "merge, {label:<24}   {merge:8.3} s   {:.2}x a fresh --db run over both ({fresh:.3} s)\n      {}",
            merge / fresh,
            merge_counts(&report)
        ));
    }
    rows.extend(db_split::rows(&b, nodes, root)?);
    println!(
        "\nfoldc database on tc ({} edges), median of {} run(s), {threads} thread(s):",
        edges.len(),
        b.runs
    );
    for r in rows {
        println!("  {r}");
    }
    Ok(())
}
