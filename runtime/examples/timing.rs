//! Quick local timing of the runtime on the shared benchmark inputs:
//! transitive closure and same generation with hand-built plans.
//!
//! `cargo run -p fold-runtime --release --example timing -- [threads] [tc|sg|all]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use fold_runtime::RunOptions;

fn data(name: &str) -> PathBuf {
    let dir = std::env::var("FOLD_BENCH_DATA").unwrap_or_else(|_| "/work/shared/data/bench".into());
    PathBuf::from(dir).join(name)
}

fn time(
    name: &str,
    plan: fold_runtime::plan::Plan,
    input: fold_runtime::plan::CatId,
    file: &str,
    out: fold_runtime::plan::CatId,
    threads: usize,
) {
    let plan = Arc::new(plan);
    let t0 = Instant::now();
    let mut engine = common::engine(plan);
    if let Err(e) = engine.load_inputs(&[(input, data(file))]) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let t1 = Instant::now();
    let summary = match engine.run(&RunOptions {
        threads,
        quiet: false,
    }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t2 = Instant::now();
    let dir = std::env::temp_dir().join(format!("fold-timing-{}", std::process::id()));
    if let Err(e) = engine.write_outputs(&dir, &[out]) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let t3 = Instant::now();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{name}: {} facts, threads {}, rounds {}, events {} | load {:.3}s run {:.3}s write {:.3}s total {:.3}s",
        engine.count(out),
        summary.threads,
        summary.rounds,
        summary.events,
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        (t3 - t0).as_secs_f64(),
    );
    if std::env::var("FOLD_STATS").is_ok() {
        print!("{}", engine.stats().render_table(engine.plan()));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let threads = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let which = args.get(2).map(String::as_str).unwrap_or("all");
    if which == "tc" || which == "all" {
        let (plan, edge, path) = common::tc_plan();
        time("tc", plan, edge, "tc-random-2000-4000.csv", path, threads);
    }
    if which == "sg" || which == "all" {
        let (plan, parent, sg) = common::sg_plan();
        time("sg", plan, parent, "sg-tree-10000.csv", sg, threads);
    }
}
