//! `fold-bench cluster`: sharded jobs (`foldc submit --split`) on one
//! machine with 1, 2 and 4 workers (`--threads 1` each) against one run
//! (`foldc run --threads 1`), on two programs that never combine facts
//! across their key:
//!
//! - multi-source reachability on a random graph (`--scale` × the
//!   reachability example's 364 edges, half as many nodes), from every
//!   `--seed-every`-th node, split on the source;
//! - spelling suggestions for `--scale` × the example's 44 typos, made by
//!   one or two random edits of words of the example's dictionary, split
//!   on the typo.
//!
//! Each job runs on a fresh nats-server of its own; the workers are
//! started (and idle) before the clock starts, which then covers `submit`
//! and `collect --wait --out` to the last byte written. Every job's output
//! is compared with the single run's, byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::csv_io;
use crate::gen::{self, SplitMix64};

#[derive(clap::Args, Debug)]
pub struct ClusterArgs {
    /// Scale of both workloads against their examples.
    #[arg(long, default_value_t = 60)]
    scale: u64,
    /// Reachability: every this many nodes is a source.
    #[arg(long, default_value_t = 40)]
    seed_every: u64,
    /// Worker counts to run (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,2,4")]
    workers: Vec<usize>,
    /// Shards per job.
    #[arg(long, default_value_t = 16)]
    shards: u32,
    /// The foldc binary [default: target/release/foldc in the workspace].
    #[arg(long)]
    foldc: Option<PathBuf>,
    /// The nats-server binary [default: $FOLD_NATS_SERVER, else
    /// target/tools/nats/bin/nats-server (the tests install it there),
    /// else nats-server on the PATH].
    #[arg(long)]
    nats_server: Option<PathBuf>,
    /// Where inputs, outputs and server stores go [default:
    /// $TMPDIR/fold-bench/cluster].
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

const REACH: &str = "data edge(src: int, dst: int)\n\
                     data seed(s: int)\n\
                     data reach(s: int, x: int)\n\
                     data reach_count(s: int, n: int)\n\
                     input edge from \"edge.csv\"\n\
                     input seed from \"seed.csv\"\n\
                     output reach\n\
                     output reach_count\n\
                     reach(s, s) :- seed(s).\n\
                     reach(s, y) :- reach(s, x), edge(x, y).\n\
                     reach_count(s, n) :- seed(s), n = count reach(s, _).\n";

/// One workload: its folder (program and inputs) and split key.
struct Workload {
    name: &'static str,
    dir: PathBuf,
    program: &'static str,
    key: &'static str,
}

pub fn main(args: &ClusterArgs, root: &Path) -> Result<(), String> {
    let foldc = args
        .foldc
        .clone()
        .unwrap_or_else(|| root.join("target/release/foldc"));
    if !foldc.is_file() {
        return Err(format!(
            "no foldc at {} (build it: cargo build --release --locked)",
            foldc.display()
        ));
    }
    let server = server_binary(args, root)?;
    let work = args
        .work_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("fold-bench/cluster"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let workloads = [
        reach_workload(&work, args)?,
        spelling_workload(&work, root, args)?,
    ];
    println!(
        "sharded jobs, {} shards, workers with --threads 1, against foldc run --threads 1",
        args.shards
    );
    println!(
        "{:<14} {:>8} {:>9} {:>9} {:>10} {:>10}",
        "workload", "workers", "wall s", "vs 1 w", "vs run", "collect s"
    );
    for w in &workloads {
        let single = w.dir.join("single");
        let t = Instant::now();
        run(Command::new(&foldc)
            .args(["run", w.program, "-q", "--threads", "1", "--out"])
            .arg(&single)
            .current_dir(&w.dir))?;
        let single_s = t.elapsed().as_secs_f64();
        println!(
            "{:<14} {:>8} {:>9.3} {:>9} {:>10} {:>10}",
            w.name, "run", single_s, "", "", ""
        );
        let mut one = None;
        for &n in &args.workers {
            let (wall, collect_s) = job(&foldc, &server, w, n, args.shards)?;
            compare(&single, &w.dir.join(format!("out{n}")))?;
            let base = *one.get_or_insert(wall);
            println!(
                "{:<14} {:>8} {:>9.3} {:>8.2}x {:>9.2}x {:>10.3}",
                w.name,
                n,
                wall,
                base / wall,
                single_s / wall,
                collect_s
            );
        }
    }
    Ok(())
}

/// Run one sharded job with `workers` workers; its wall time (submit to
/// the last output written) and the k-way merge's time.
fn job(
    foldc: &Path,
    server: &Path,
    w: &Workload,
    workers: usize,
    shards: u32,
) -> Result<(f64, f64), String> {
    let port = free_port()?;
    let url = format!("nats://127.0.0.1:{port}");
    let store = w.dir.join(format!("nats-{workers}"));
    let _ = std::fs::remove_dir_all(&store);
    let mut procs = Procs(Vec::new());
    procs.0.push(
        Command::new(server)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", server.display()))?,
    );
    wait_for_port(port)?;
    for i in 0..workers {
        let dir = w.dir.join(format!("worker-{workers}-{i}"));
        procs.0.push(
            Command::new(foldc)
                .args(["worker", "--server", &url, "--threads", "1", "--work-dir"])
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start a worker: {e}"))?,
        );
    }
    // Let the workers connect and go idle before the clock starts.
    std::thread::sleep(Duration::from_millis(800));
    let out = w.dir.join(format!("out{workers}"));
    let _ = std::fs::remove_dir_all(&out);
    let t = Instant::now();
    run(Command::new(foldc)
        .args(["submit", w.program, "--server", &url, "--job", "bench"])
        .args(["--split", w.key, "--shards", &shards.to_string()])
        .args(["--batch-size", "1", "--ack-wait", "60s"])
        .current_dir(&w.dir))?;
    let said = run(Command::new(foldc)
        .args(["collect", "bench", "--server", &url, "--wait", "--out"])
        .arg(&out)
        .current_dir(&w.dir))?;
    let wall = t.elapsed().as_secs_f64();
    // "... collected in 0.123 s (...): ..."
    let collect_s = said
        .split("collected in ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|x| x.parse::<f64>().ok())
        .ok_or_else(|| format!("collect did not say how long it merged: {said}"))?;
    Ok((wall, collect_s))
}

/// Child processes killed when dropped.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in self.0.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn compare(want: &Path, got: &Path) -> Result<(), String> {
    let list = |d: &Path| -> Result<Vec<PathBuf>, String> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| format!("{}: {e}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        v.sort();
        Ok(v)
    };
    let (w, g) = (list(want)?, list(got)?);
    let names = |v: &[PathBuf]| -> Vec<Option<std::ffi::OsString>> {
        v.iter()
            .map(|p| p.file_name().map(|n| n.to_owned()))
            .collect()
    };
    if names(&w) != names(&g) {
        return Err(format!(
            "{} holds other files than {}",
            got.display(),
            want.display()
        ));
    }
    for (a, b) in w.iter().zip(&g) {
        if std::fs::read(a).ok() != std::fs::read(b).ok() {
            return Err(format!(
                "{} differs from the single run's {}",
                b.display(),
                a.display()
            ));
        }
    }
    Ok(())
}

fn reach_workload(work: &Path, args: &ClusterArgs) -> Result<Workload, String> {
    let dir = work.join("reach");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let edges = 364 * args.scale;
    let nodes = edges / 2;
    let graph = gen::random_graph(nodes, edges, gen::SEED)?;
    csv_io::write_unsorted(&dir.join("edge.csv"), "src,dst", &graph)
        .map_err(|e| format!("edge.csv: {e}"))?;
    let mut seeds = String::from("s\n");
    for s in (0..nodes).step_by(args.seed_every.max(1) as usize) {
        seeds.push_str(&format!("{s}\n"));
    }
    write(&dir.join("seed.csv"), &seeds)?;
    write(&dir.join("reach.fold"), REACH)?;
    Ok(Workload {
        name: "reach",
        dir,
        program: "reach.fold",
        key: "seed.s",
    })
}

fn spelling_workload(work: &Path, root: &Path, args: &ClusterArgs) -> Result<Workload, String> {
    let dir = work.join("spelling");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let example = root.join("examples/spelling");
    let program = std::fs::read_to_string(example.join("spelling.fold"))
        .map_err(|e| format!("spelling.fold: {e}"))?;
    write(&dir.join("spelling.fold"), &program)?;
    let dictionary = std::fs::read_to_string(example.join("dictionary.csv"))
        .map_err(|e| format!("dictionary.csv: {e}"))?;
    write(&dir.join("dictionary.csv"), &dictionary)?;
    let words: Vec<&str> = dictionary
        .lines()
        .skip(1)
        .filter(|w| !w.is_empty())
        .collect();
    let mut rng = SplitMix64::new(gen::SEED);
    let mut typos = std::collections::BTreeSet::new();
    let want = 44 * args.scale as usize;
    while typos.len() < want {
        let mut t: Vec<u8> = words[rng.below(words.len() as u64) as usize]
            .bytes()
            .collect();
        for _ in 0..1 + rng.below(2) {
            let at = rng.below(t.len() as u64 + 1) as usize;
            let letter = b'a' + rng.below(26) as u8;
            match rng.below(3) {
                0 => t.insert(at, letter),
                1 if at < t.len() && t.len() > 1 => {
                    t.remove(at);
                }
                _ if at < t.len() => t[at] = letter,
                _ => t.push(letter),
            }
        }
        typos.insert(String::from_utf8_lossy(&t).into_owned());
    }
    let mut text = String::from("w\n");
    for t in &typos {
        text.push_str(t);
        text.push('\n');
    }
    write(&dir.join("typos.csv"), &text)?;
    Ok(Workload {
        name: "spelling",
        dir,
        program: "spelling.fold",
        key: "typo.w",
    })
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn server_binary(args: &ClusterArgs, root: &Path) -> Result<PathBuf, String> {
    if let Some(p) = &args.nats_server {
        return Ok(p.clone());
    }
    if let Some(p) = std::env::var_os("FOLD_NATS_SERVER") {
        return Ok(PathBuf::from(p));
    }
    let installed = root.join("target/tools/nats/bin/nats-server");
    if installed.is_file() {
        return Ok(installed);
    }
    match Command::new("nats-server").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(PathBuf::from("nats-server")),
        _ => Err(
            "no nats-server: pass --nats-server, set FOLD_NATS_SERVER, or run the \
                  cluster tests once (they install it under target/tools)"
                .to_string(),
        ),
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn wait_for_port(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("nats-server did not listen on port {port}"))
}
