//! The results table (medians of the runs, ratios to single-threaded ascent),
//! as aligned text and optionally as CSV.

use crate::engine::Engine;
use crate::runner::{Row, Sample, Status};

/// Medians of one row's samples.
struct Medians {
    eval_s: Option<f64>,
    wall_s: f64,
    cpu_s: f64,
    rss_mib: f64,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn medians(samples: &[Sample]) -> Option<Medians> {
    let evals: Vec<f64> = samples.iter().filter_map(|s| s.eval_s).collect();
    Some(Medians {
        eval_s: if evals.len() == samples.len() {
            median(evals)
        } else {
            None
        },
        wall_s: median(samples.iter().map(|s| s.wall_s).collect())?,
        cpu_s: median(samples.iter().map(|s| s.cpu_s).collect())?,
        rss_mib: median(samples.iter().map(|s| s.rss_mib).collect())?,
    })
}

const COLS: usize = 13;

const HEADER: [&str; COLS] = [
    "workload", "input", "engine", "eval s", "wall s", "cpu s", "RSS MiB", "eval/asc", "wall/asc",
    "RSS/asc", "facts", "runs", "check",
];

/// One table line per row, as cells.
fn cells(rows: &[Row]) -> Vec<[String; COLS]> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let m = medians(&row.samples);
        let base = rows
            .iter()
            .find(|r| {
                r.engine == Engine::Ascent
                    && r.workload == row.workload
                    && r.input == row.input
                    && matches!(r.status, Status::Ok)
            })
            .and_then(|r| medians(&r.samples));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
            _ => "-".to_string(),
        };
        let num =
            |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |v| format!("{v:.digits$}"));
        let check = match &row.status {
            Status::Ok if row.samples.is_empty() => "no runs".to_string(),
            Status::Ok => "ok".to_string(),
            Status::Wrong(why) => format!("WRONG: {why}"),
            Status::Failed(why) => format!("FAILED: {why}"),
        };
        let (eval, wall, cpu, rss) = match &m {
            Some(m) => (m.eval_s, Some(m.wall_s), Some(m.cpu_s), Some(m.rss_mib)),
            None => (None, None, None, None),
        };
        let (b_eval, b_wall, b_rss) = match &base {
            Some(b) => (b.eval_s, Some(b.wall_s), Some(b.rss_mib)),
            None => (None, None, None),
        };
        out.push([
            row.workload.to_string(),
            row.input.clone(),
            row.engine.name().to_string(),
            num(eval, 3),
            num(wall, 3),
            num(cpu, 3),
            num(rss, 1),
            ratio(eval, b_eval),
            ratio(wall, b_wall),
            ratio(rss, b_rss),
            row.facts().map_or("-".to_string(), |f| f.to_string()),
            row.samples.len().to_string(),
            check,
        ]);
    }
    out
}

/// The aligned text table (numbers right-aligned, the check column last).
pub fn table(rows: &[Row]) -> String {
    let body = cells(rows);
    let mut widths = HEADER.map(str::len);
    for line in &body {
        for (w, c) in widths.iter_mut().zip(line) {
            *w = (*w).max(c.len());
        }
    }
    let mut s = String::new();
    let mut put = |line: &[String]| {
        for (i, c) in line.iter().enumerate() {
            let w = widths[i];
            let sep = if i + 1 == line.len() { "" } else { "  " };
            let cell = if (3..=11).contains(&i) {
                format!("{c:>w$}{sep}")
            } else if i + 1 == line.len() {
                c.clone()
            } else {
                format!("{c:<w$}{sep}")
            };
            s.push_str(&cell);
        }
        s.push('\n');
    };
    put(&HEADER.map(String::from));
    for line in &body {
        put(line);
    }
    s
}

/// The same data as CSV (for `--csv`); `-` marks a missing value.
pub fn csv(rows: &[Row], threads: usize) -> String {
    let quote = |v: &str| {
        if v.contains([',', '"']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_string()
        }
    };
    let mut s = String::from(
        "workload,input,engine,threads,eval_s,wall_s,cpu_s,rss_mib,eval_ratio,wall_ratio,rss_ratio,facts,runs,check\n",
    );
    for line in cells(rows) {
        let mut fields: Vec<String> = line.iter().map(|c| quote(c)).collect();
        fields.insert(3, threads.to_string());
        s.push_str(&fields.join(","));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
