//! fold-bench: runs foldc and its peers (ascent, ascent_par, datafrog, crepe)
//! on the same inputs, each engine in its own child process, and prints
//! evaluation time, whole-process time and peak memory side by side.
//!
//! `fold-bench [OPTIONS]` runs the benchmark; `fold-bench gen` writes a
//! generated input; `fold-bench peer` (hidden) is the child that runs one peer.

mod cluster;
mod csv_io;
mod dataset;
mod db;
mod db_split;
mod engine;
mod gen;
mod measure;
mod peer;
mod report;
mod runner;
mod serve_add;
mod verify;
mod workload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use dataset::{DataOpts, Size};
use engine::Engine;
use runner::{RunOpts, Status};

#[derive(Parser, Debug)]
#[command(
    name = "fold-bench",
    about = "Benchmark foldc against ascent, ascent_par, datafrog and crepe",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: BenchArgs,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Write a generated input CSV (the same one the benchmark uses).
    Gen(GenArgs),
    /// The database on tc: --db against in-memory, size, adding 10 edges,
    /// and `foldc merge` against a fresh run (1% new edges; random halves).
    Db(db::DbArgs),
    /// Sharded jobs (`foldc submit --split`) with 1, 2 and 4 workers against
    /// one run: multi-source reachability and spelling suggestions.
    Cluster(cluster::ClusterArgs),
    /// Run one peer engine on one input directory (used by the harness itself).
    #[command(hide = true)]
    Peer(peer::PeerArgs),
    /// Run a command and report its peak memory (used by the harness itself).
    #[command(hide = true)]
    Measure(measure::MeasureArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WorkloadSel {
    Tc,
    Sg,
    Cspa,
    Csda,
    All,
}

#[derive(Args, Debug)]
struct BenchArgs {
    /// Workloads to run (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    workload: Vec<WorkloadSel>,
    /// Input size preset.
    #[arg(long, value_enum, default_value_t = Size::Medium)]
    size: Size,
    /// Generate tc/sg inputs with this many nodes instead of the preset.
    #[arg(long)]
    nodes: Option<u64>,
    /// Edges of the generated tc graph (default: 2 x nodes).
    #[arg(long, requires = "nodes")]
    edges: Option<u64>,
    /// Seed of the generated inputs.
    #[arg(long, default_value_t = gen::SEED)]
    seed: u64,
    /// Runs per engine; the table shows the median.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The foldc binary [default: target/release/foldc in the workspace].
    #[arg(long)]
    foldc: Option<PathBuf>,
    /// Extra argument for foldc (repeatable), e.g. `--foldc-arg=--backend
    /// --foldc-arg=interp` for the reference interpreter.
    #[arg(long = "foldc-arg", allow_hyphen_values = true)]
    foldc_args: Vec<String>,
    /// Threads for ascent_par and foldc [default: the machine's cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Engines to run (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    engines: Vec<Engine>,
    /// The shared data folder [default: ../shared/data beside the workspace].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Where run directories and outputs go [default: $TMPDIR/fold-bench].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Kill a run after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Also write the table as CSV to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Keep every engine's output CSVs (under the work dir's run directories).
    #[arg(long)]
    keep_outputs: bool,
}

#[derive(Args, Debug)]
struct GenArgs {
    /// `tc` (random graph, `src,dst`) or `sg` (random recursive tree, `p,c`).
    #[arg(value_parser = ["tc", "sg"])]
    workload: String,
    #[arg(long)]
    nodes: u64,
    /// Edges of the tc graph (default: 2 x nodes).
    #[arg(long)]
    edges: Option<u64>,
    #[arg(long, default_value_t = gen::SEED)]
    seed: u64,
    #[arg(long)]
    out: PathBuf,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Cmd::Peer(args)) => peer::main(args),
        Some(Cmd::Gen(args)) => generate(args),
        Some(Cmd::Db(args)) => db::main(args, &workspace_root()),
        Some(Cmd::Cluster(args)) => cluster::main(args, &workspace_root()),
        Some(Cmd::Measure(args)) => measure::wrapper_main(args),
        None => bench(&cli.run),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fold-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The fraction of all CPUs' time spent busy over `window`, from /proc/stat.
fn cpu_busy_fraction(window: Duration) -> Option<f64> {
    fn sample() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        let total: u64 = v.iter().take(8).sum();
        let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
        Some((total, idle))
    }
    let (t0, i0) = sample()?;
    std::thread::sleep(window);
    let (t1, i1) = sample()?;
    let total = t1.checked_sub(t0)?;
    (total > 0).then(|| 1.0 - (i1 - i0) as f64 / total as f64)
}

fn generate(args: &GenArgs) -> Result<(), String> {
    let (rows, header) = if args.workload == "tc" {
        let edges = args.edges.unwrap_or(2 * args.nodes);
        (gen::random_graph(args.nodes, edges, args.seed)?, "src,dst")
    } else {
        (gen::random_tree(args.nodes, args.seed), "p,c")
    };
    csv_io::write_unsorted(&args.out, header, &rows)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))
}

fn bench(args: &BenchArgs) -> Result<(), String> {
    let specs: Vec<&'static workload::Spec> = if args.workload.contains(&WorkloadSel::All) {
        workload::ALL.to_vec()
    } else {
        let mut v = Vec::new();
        for w in &args.workload {
            let name = w.to_possible_value().map(|p| p.get_name().to_string());
            let spec = name
                .as_deref()
                .and_then(workload::by_name)
                .ok_or("unknown workload")?;
            if !v.iter().any(|s: &&workload::Spec| s.name == spec.name) {
                v.push(spec);
            }
        }
        v
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let engines = if args.engines.is_empty() {
        Engine::ALL.to_vec()
    } else {
        args.engines.clone()
    };
    let foldc = args
        .foldc
        .clone()
        .unwrap_or_else(|| workspace_root().join("target/release/foldc"));
    let data_opts = DataOpts {
        data_root: args
            .data
            .clone()
            .unwrap_or_else(|| workspace_root().join("../shared/data")),
        work_root: args
            .work_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("fold-bench")),
        size: args.size,
        nodes: args.nodes,
        edges: args.edges,
        seed: args.seed,
    };
    let run_opts = RunOpts {
        engines,
        runs: args.runs.max(1),
        threads,
        foldc: foldc.clone(),
        foldc_args: args.foldc_args.clone(),
        timeout: Duration::from_secs(args.timeout),
        keep_outputs: args.keep_outputs,
    };
    eprintln!(
        "fold-bench: {} run(s) per engine, {threads} thread(s) for ascent_par and foldc, foldc = {}",
        run_opts.runs,
        foldc.display()
    );

    if let Some(busy) = cpu_busy_fraction(Duration::from_millis(500)) {
        if busy > 0.15 {
            eprintln!(
                "fold-bench: warning: the CPUs were {:.0}% busy before starting; \
                 other processes share them and times will be noisy",
                busy * 100.0
            );
        }
    }

    let mut rows = Vec::new();
    for spec in specs {
        let ds = dataset::prepare(spec, &data_opts)?;
        eprintln!("{} on {} ({})", spec.name, ds.label, ds.dir.display());
        rows.extend(runner::run_workload(spec, &ds, &run_opts));
    }

    println!(
        "\nMedian of {} run(s); i64 facts; {threads} thread(s) for ascent_par and foldc, 1 for the others.",
        run_opts.runs
    );
    println!(
        "eval = evaluation only (CSV loading/writing excluded); wall = whole child process.\n"
    );
    print!("{}", report::table(&rows));
    if let Some(path) = &args.csv {
        std::fs::write(path, report::csv(&rows, threads))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let wrong = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Wrong(_)))
        .count();
    if wrong > 0 {
        return Err(format!("{wrong} engine run(s) gave a wrong answer"));
    }
    Ok(())
}
