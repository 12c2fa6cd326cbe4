//! Runs every engine on one prepared dataset, `runs` times, each run in its
//! own child process, and checks every answer.
//!
//! Runs are interleaved (run 1 of every engine, then run 2 of every engine, ...)
//! so that slow drift of the machine is spread over all engines alike.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::measure;
use crate::peer;
use crate::verify::{self, Summary};
use crate::workload::Spec;

pub struct RunOpts {
    pub engines: Vec<Engine>,
    pub runs: usize,
    pub threads: usize,
    pub foldc: PathBuf,
    pub foldc_args: Vec<String>,
    pub timeout: Duration,
    pub keep_outputs: bool,
}

/// One measured run of one engine.
pub struct Sample {
    /// Evaluation only (loading and writing excluded); `None` when the
    /// engine does not report it (foldc without an `eval_ms` line).
    pub eval_s: Option<f64>,
    /// Whole process, spawn to exit: startup, CSV in, evaluation, CSV out.
    pub wall_s: f64,
    /// User + system CPU time of the whole process (all threads).
    pub cpu_s: f64,
    pub rss_mib: f64,
    pub outputs: Vec<Summary>,
}

pub enum Status {
    Ok,
    /// Ran, but its answer is not the expected one.
    Wrong(String),
    Failed(String),
}

/// All the runs of one engine on one dataset.
pub struct Row {
    pub workload: &'static str,
    pub input: String,
    pub engine: Engine,
    pub samples: Vec<Sample>,
    pub status: Status,
}

impl Row {
    pub fn facts(&self) -> Option<u64> {
        self.samples
            .first()
            .map(|s| s.outputs.iter().map(|o| o.rows).sum())
    }
}

pub fn run_workload(spec: &'static Spec, ds: &Dataset, opts: &RunOpts) -> Vec<Row> {
    let mut rows: Vec<Row> = opts
        .engines
        .iter()
        .filter(|&&e| spec.supports(e))
        .map(|&engine| Row {
            workload: spec.name,
            input: ds.label.clone(),
            engine,
            samples: Vec::new(),
            status: Status::Ok,
        })
        .collect();
    for row in &mut rows {
        if row.engine == Engine::Foldc && !opts.foldc.is_file() {
            row.status = Status::Failed(format!("no foldc binary at {}", opts.foldc.display()));
        }
    }
    let self_exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("fold-bench"));

    for run in 0..opts.runs {
        for row in &mut rows {
            if !matches!(row.status, Status::Ok) {
                continue;
            }
            let out = ds.dir.join("out").join(row.engine.name());
            match run_once(spec, ds, row.engine, &out, &self_exe, opts) {
                Ok(sample) => {
                    eprintln!(
                        "  {:<5} {:<10} run {}/{}: eval {} wall {:.3}s cpu {:.3}s rss {:.1} MiB",
                        spec.name,
                        row.engine.name(),
                        run + 1,
                        opts.runs,
                        sample
                            .eval_s
                            .map_or("-".to_string(), |e| format!("{e:.3}s")),
                        sample.wall_s,
                        sample.cpu_s,
                        sample.rss_mib
                    );
                    row.samples.push(sample);
                }
                Err(why) => {
                    eprintln!("  {:<5} {:<10} FAILED: {why}", spec.name, row.engine.name());
                    row.status = Status::Failed(why);
                }
            }
            if !opts.keep_outputs {
                let _ = std::fs::remove_dir_all(&out);
            }
        }
    }
    if !opts.keep_outputs {
        let _ = std::fs::remove_dir(ds.dir.join("out"));
    }
    check_answers(spec, ds, &mut rows);
    rows
}

fn run_once(
    spec: &Spec,
    ds: &Dataset,
    engine: Engine,
    out: &Path,
    self_exe: &Path,
    opts: &RunOpts,
) -> Result<Sample, String> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let threads = opts.threads.to_string();
    let cmd = if engine == Engine::Foldc {
        let mut cmd = Command::new(&opts.foldc);
        cmd.arg("run")
            .arg(&ds.program)
            .arg("--out")
            .arg(out)
            .args(["--threads", &threads])
            .args(&opts.foldc_args);
        cmd
    } else {
        let mut cmd = Command::new(self_exe);
        cmd.args(["peer", "--workload", spec.name, "--engine", engine.name()])
            .arg("--dir")
            .arg(&ds.dir)
            .arg("--out")
            .arg(out)
            .args(["--threads", &threads]);
        cmd
    };
    let fin = measure::run(cmd, opts.timeout).map_err(|e| format!("cannot run: {e}"))?;
    if !fin.success() {
        return Err(fin.failure());
    }
    let eval_s = if engine == Engine::Foldc {
        peer::foldc_eval_seconds(&fin.stdout).or_else(|| peer::foldc_eval_seconds(&fin.stderr))
    } else {
        let report = peer::parse_report(&fin.stdout).ok_or("the peer printed no result line")?;
        Some(report.eval_s)
    };
    let mut outputs = Vec::with_capacity(spec.outputs.len());
    for o in spec.outputs {
        outputs.push(verify::summarize(&out.join(format!("{}.csv", o.name)))?);
    }
    Ok(Sample {
        eval_s,
        wall_s: fin.wall.as_secs_f64(),
        cpu_s: fin.cpu.as_secs_f64(),
        rss_mib: fin.max_rss_kib as f64 / 1024.0,
        outputs,
    })
}

/// Every run of every engine must give the expected counts (where known) and
/// the same facts as the reference engine: the first one (ascent when
/// selected) whose first run has the expected counts.
fn check_answers(spec: &Spec, ds: &Dataset, rows: &mut [Row]) {
    let counts_ok = |outs: &[Summary]| match &ds.expected {
        Some(want) => outs.iter().zip(want).all(|(o, &w)| o.rows == w),
        None => true,
    };
    let reference: Option<(Engine, Vec<Summary>)> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Ok))
        .filter_map(|r| r.samples.first().map(|s| (r.engine, &s.outputs)))
        .find(|(_, outs)| counts_ok(outs))
        .map(|(e, outs)| (e, outs.clone()));
    for row in rows.iter_mut() {
        if !matches!(row.status, Status::Ok) {
            continue;
        }
        if let Some(why) = wrong(spec, ds, row, reference.as_ref()) {
            row.status = Status::Wrong(why);
        }
    }
}

fn wrong(
    spec: &Spec,
    ds: &Dataset,
    row: &Row,
    reference: Option<&(Engine, Vec<Summary>)>,
) -> Option<String> {
    for sample in &row.samples {
        for (i, got) in sample.outputs.iter().enumerate() {
            let name = spec.outputs[i].name;
            if let Some(want) = ds.expected.as_ref().map(|e| e[i]) {
                if got.rows != want {
                    return Some(format!("{name}: {} facts, expected {want}", got.rows));
                }
            }
            if let Some((engine, outs)) = reference {
                if outs[i] != *got {
                    return Some(format!(
                        "{name}: {} facts that differ from {}'s {}",
                        got.rows,
                        engine.name(),
                        outs[i].rows
                    ));
                }
            }
        }
    }
    None
}
