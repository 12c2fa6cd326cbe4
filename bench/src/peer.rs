//! The child side of a peer run (`fold-bench peer ...`): load the input CSVs,
//! evaluate with one engine, write sorted output CSVs, and print one result
//! line that the parent parses. Each phase is timed on its own.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::csv_io;
use crate::engine::Engine;
use crate::workload::{self, Stopwatch};

const RESULT_TAG: &str = "fold-bench-result";

#[derive(Args, Debug)]
pub struct PeerArgs {
    #[arg(long)]
    pub workload: String,
    #[arg(long, value_enum)]
    pub engine: Engine,
    /// Directory holding `CAT.csv` for each input category.
    #[arg(long)]
    pub dir: PathBuf,
    /// Directory to write `CAT.csv` for each output category into.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

/// What a peer child reports about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerReport {
    pub load_s: f64,
    pub eval_s: f64,
    pub write_s: f64,
    pub facts: Vec<u64>,
}

pub fn main(args: &PeerArgs) -> Result<(), String> {
    let spec = workload::by_name(&args.workload)
        .ok_or_else(|| format!("unknown workload {}", args.workload))?;
    if args.engine == Engine::Foldc || !spec.supports(args.engine) {
        return Err(format!(
            "{} has no {} implementation",
            spec.name,
            args.engine.name()
        ));
    }
    if args.engine == Engine::AscentPar {
        ascent::rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads.max(1))
            .build_global()
            .map_err(|e| format!("cannot start the rayon pool: {e}"))?;
    }

    let t_load = Instant::now();
    let mut rels = Vec::with_capacity(spec.inputs.len());
    for cat in spec.inputs {
        let path = args.dir.join(format!("{cat}.csv"));
        rels.push(csv_io::read_pairs(&path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let load_s = t_load.elapsed().as_secs_f64();

    let mut sw = Stopwatch::start();
    let mut outputs = (spec.run)(args.engine, rels, &mut sw);
    let eval_s = sw.elapsed().as_secs_f64();

    let t_write = Instant::now();
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut facts = Vec::with_capacity(outputs.len());
    for (out, rel) in spec.outputs.iter().zip(outputs.iter_mut()) {
        let path = args.out.join(format!("{}.csv", out.name));
        csv_io::write_sorted(&path, out.header, rel)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        facts.push(rel.len() as u64);
    }
    let write_s = t_write.elapsed().as_secs_f64();

    let report = PeerReport {
        load_s,
        eval_s,
        write_s,
        facts,
    };
    println!("{}", format_report(&report));
    workload::leak(outputs);
    Ok(())
}

pub fn format_report(r: &PeerReport) -> String {
    let facts: Vec<String> = r.facts.iter().map(u64::to_string).collect();
    format!(
        "{RESULT_TAG} load_s={:.6} eval_s={:.6} write_s={:.6} facts={}",
        r.load_s,
        r.eval_s,
        r.write_s,
        facts.join(",")
    )
}

/// Finds the result line in a peer child's stdout.
pub fn parse_report(stdout: &str) -> Option<PeerReport> {
    let line = stdout.lines().rev().find(|l| l.starts_with(RESULT_TAG))?;
    let mut r = PeerReport {
        load_s: f64::NAN,
        eval_s: f64::NAN,
        write_s: f64::NAN,
        facts: Vec::new(),
    };
    for field in line.split_whitespace().skip(1) {
        let (k, v) = field.split_once('=')?;
        match k {
            "load_s" => r.load_s = v.parse().ok()?,
            "eval_s" => r.eval_s = v.parse().ok()?,
            "write_s" => r.write_s = v.parse().ok()?,
            "facts" => {
                r.facts = v
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .ok()?
            }
            _ => {}
        }
    }
    (!r.eval_s.is_nan()).then_some(r)
}

/// foldc's evaluation time in seconds, if its output reports one: the first
/// number after `eval_ms` (as `eval_ms=12.5`, `eval_ms: 12.5` or
/// `"eval_ms": 12.5`) or after `eval_s`; else the time of foldc's run summary
/// line (`PROG: 12 path in 3 rounds, 40 events, 0.045 s on 2 threads`), which
/// is the fixpoint alone, loading and writing excluded.
pub fn foldc_eval_seconds(text: &str) -> Option<f64> {
    for (key, scale) in [("eval_ms", 1e-3), ("eval_s", 1.0)] {
        let mut rest = text;
        while let Some(i) = rest.find(key) {
            let after = &rest[i + key.len()..];
            let value = after.trim_start_matches(['"', ' ', '=', ':', '\t']);
            if value.len() < after.len() {
                if let Ok(v) = leading_number(value).parse::<f64>() {
                    return Some(v * scale);
                }
            }
            rest = after;
        }
    }
    text.lines().find_map(summary_seconds)
}

/// `... 0.045 s on 2 threads` -> 0.045.
fn summary_seconds(line: &str) -> Option<f64> {
    let i = line.rfind(" s on ")?;
    let threads = &line[i + " s on ".len()..];
    let n = leading_number(threads);
    if n.is_empty() || !threads[n.len()..].starts_with(" thread") {
        return None;
    }
    let before = &line[..i];
    let start = before
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |j| j + 1);
    before[start..].parse().ok()
}

fn leading_number(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips() {
        let r = PeerReport {
            load_s: 0.25,
            eval_s: 1.5,
            write_s: 0.125,
            facts: vec![3, 4, 5],
        };
        let text = format!("noise\n{}\n", format_report(&r));
        assert_eq!(parse_report(&text), Some(r));
        assert_eq!(parse_report("nothing here"), None);
    }

    #[test]
    fn finds_foldc_eval_time() {
        assert_eq!(
            foldc_eval_seconds("run done eval_ms=250 facts=3"),
            Some(0.25)
        );
        assert_eq!(
            foldc_eval_seconds(r#"{"load_ms": 3, "eval_ms": 1500.0}"#),
            Some(1.5)
        );
        assert_eq!(foldc_eval_seconds("eval_s: 2"), Some(2.0));
        assert_eq!(foldc_eval_seconds("eval_status=ok"), None);
        assert_eq!(foldc_eval_seconds(""), None);
        let summary =
            "/tmp/x/tc.fold: 621724 path in 9 rounds, 1243448 events, 0.162 s on 2 threads\n";
        assert_eq!(foldc_eval_seconds(summary), Some(0.162));
        assert_eq!(
            foldc_eval_seconds("p: no outputs in 1 rounds, 0 events, 1.5 s on 1 thread, 3 faults"),
            Some(1.5)
        );
        assert_eq!(foldc_eval_seconds("took 3 s on average"), None);
    }
}
