//! `foldc merge` as a property over the test corpus: every run case
//! (`tests/run/<case>/`) and every example case with expected output has
//! its input rows split at random into three databases A, B and C, each
//! built by `foldc run --db`. Then, for every output category:
//!
//! - `merge(A, B)` equals one run over A ∪ B, and `merge(B, A)` the same
//!   bytes (commutative);
//! - `merge(merge(A, B), C)` and `merge(A, merge(B, C))` both equal the
//!   case's expected output, one run over everything (associative);
//! - A and B are left untouched (their exports and counters unchanged);
//! - skipping a handler whole never skips an event that checking each
//!   event would replay: `merge(A, B)` with every event checked
//!   (`FOLD_MERGE_CHECK_EACH_EVENT=1`) replays and finds exactly what the
//!   merge with the skip does, handler by handler, and gives the same bytes;
//! - driving every rule's replay from the base's side
//!   (`FOLD_MERGE_FROM_BASE=1`: the base's own facts as events, mixed when
//!   they meet the other's) and from the other's (`=0`) both give the bytes
//!   of `merge(A, B)`: either direction alone meets every mixed combination.
//!
//! Splits are seeded by the case name, so a failure repeats; set
//! `FOLD_MERGE_SEEDS=N` to try N splits per case (default 2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{dir_texts, Rng};
use fold_tests::{merge_excluded, program_of, relative, run_cases, workspace};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let seeds: u64 = std::env::var("FOLD_MERGE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let base = workspace();
    let mut trials = Vec::new();
    for case in corpus() {
        let name = relative(&case, &base);
        for seed in 0..seeds {
            let case = case.clone();
            let label = name.clone();
            trials.push(Trial::test(format!("{name}::split_{seed}"), move || {
                merge_case(&case, &label, seed)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// The run cases with an expected output that runs (not an expected
/// error), but those whose merge is a known limit (`no-merge.txt` says why).
fn corpus() -> Vec<PathBuf> {
    let mut cases = run_cases();
    cases.retain(|c| !c.join("expected/error.txt").exists() && !merge_excluded(c));
    cases
}

fn seed_of(name: &str, seed: u64) -> u64 {
    name.bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
        .wrapping_add(seed.wrapping_mul(0x9E37_79B9))
}

/// One input category of the program: its name, header and rows.
struct Input {
    cat: String,
    header: csv::StringRecord,
    rows: Vec<csv::StringRecord>,
}

fn inputs(prog: &Path, case: &Path) -> Result<Vec<Input>, Failed> {
    let src = std::fs::read_to_string(prog)?;
    let compiled = fold_compiler::compile(&src, prog.parent());
    let plan = compiled.plan.ok_or("the program does not compile")?;
    let mut out = Vec::new();
    for input in &plan.inputs {
        let file = input.path.file_name().ok_or("input names no file")?;
        let mut reader = csv::Reader::from_path(case.join(file))?;
        let header = reader.headers()?.clone();
        let rows = reader.records().collect::<Result<Vec<_>, _>>()?;
        out.push(Input {
            cat: plan.category(input.cat).name.clone(),
            header,
            rows,
        });
    }
    Ok(out)
}

/// Write the rows of `inputs` that `keep` selects as `DIR/<part>-<cat>.csv`
/// and return the `--input CAT=FILE` arguments naming them.
fn write_part(
    dir: &Path,
    part: &str,
    inputs: &[Input],
    keep: &dyn Fn(usize, usize) -> bool,
) -> Result<Vec<String>, Failed> {
    let mut args = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let file = dir.join(format!("{part}-{}.csv", input.cat));
        let mut w = csv::Writer::from_path(&file)?;
        w.write_record(&input.header)?;
        for (r, row) in input.rows.iter().enumerate() {
            if keep(i, r) {
                w.write_record(row)?;
            }
        }
        w.flush()?;
        args.push("--input".to_string());
        args.push(format!("{}={}", input.cat, file.display()));
    }
    Ok(args)
}

fn foldc(args: &[String]) -> Result<String, Failed> {
    foldc_with(args, &[])
}

fn foldc_with(args: &[String], env: &[(&str, &str)]) -> Result<String, Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(args)
        .envs(env.iter().copied())
        .output()?;
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() || err.contains("panicked") {
        return Err(format!("foldc {} failed:\n{err}", args.join(" ")).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn s(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

/// A directory's files by name.
type Files = BTreeMap<String, String>;

/// `merge(A, B)` checking each event against the merge `AB` (which may
/// skip handlers whole): the same bytes, and handler by handler the same
/// events replayed and facts found; the skipped events are all events
/// the check skips one by one.
fn handler_skip_loses_nothing(
    p: &str,
    db: &dyn Fn(&str) -> String,
    want: &BTreeMap<String, String>,
    export: &dyn Fn(&str) -> Result<Files, Failed>,
) -> Result<(), Failed> {
    let args = s(&[
        "merge",
        p,
        &db("A"),
        &db("B"),
        "--into",
        &db("AB_each"),
        "-q",
    ]);
    foldc_with(&args, &[("FOLD_MERGE_CHECK_EACH_EVENT", "1")])?;
    same("merge(A, B) checking each event", want, &export("AB_each")?)?;
    let handlers = |name: &str| -> Result<Vec<serde_json::Value>, Failed> {
        let stats = foldc(&s(&["stats", "--db", &db(name), "--format", "json"]))?;
        let v: serde_json::Value = serde_json::from_str(&stats)?;
        let merges = v["merges"].as_array().ok_or("stats without merges")?;
        let last = merges.last().ok_or("no merge record")?;
        Ok(last["handlers"].as_array().ok_or("no handlers")?.clone())
    };
    let (skip, each) = (handlers("AB")?, handlers("AB_each")?);
    for (h, (a, b)) in skip.iter().zip(&each).enumerate() {
        let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap_or(u64::MAX);
        if b["skipped_by_handler"] != 0 {
            return Err(format!("handler {h}: the full check skipped a handler whole").into());
        }
        for k in ["replayed", "found_new", "skipped_in_both"] {
            if n(a, k) != n(b, k) {
                return Err(format!(
                    "handler {h}: {k} is {} with the handler skip, {} checking each event",
                    n(a, k),
                    n(b, k)
                )
                .into());
            }
        }
        let checked = [
            "skipped_friends_in_both",
            "skipped_one_side",
            "aborted_categorically",
        ];
        let one_by_one: u64 = checked.iter().map(|k| n(b, k)).sum();
        let skipped = n(a, "skipped_by_handler");
        if skipped > 0 && skipped != one_by_one {
            return Err(format!(
                "handler {h}: skipped {skipped} events whole, where the check skipped \
                 {one_by_one} one by one"
            )
            .into());
        }
    }
    Ok(())
}

/// Every file of a directory, by name.
fn same(
    what: &str,
    want: &BTreeMap<String, String>,
    got: &BTreeMap<String, String>,
) -> Result<(), Failed> {
    if want == got {
        return Ok(());
    }
    for (name, w) in want {
        let g = got.get(name).map(String::as_str).unwrap_or("(missing)\n");
        if g != w {
            return Err(
                format!("{what}: {name} differs\n--- want ---\n{w}--- got ---\n{g}").into(),
            );
        }
    }
    Err(format!("{what}: other files {:?}", got.keys().collect::<Vec<_>>()).into())
}

fn merge_case(case: &Path, name: &str, seed: u64) -> Result<(), Failed> {
    let prog = program_of(case)?;
    let p = prog.to_string_lossy().into_owned();
    let inputs = inputs(&prog, case)?;
    let mut rng = Rng(seed_of(name, seed));
    // Each row goes to A, B or C.
    let assign: Vec<Vec<usize>> = inputs
        .iter()
        .map(|i| i.rows.iter().map(|_| (rng.next() % 3) as usize).collect())
        .collect();
    let threads = |rng: &mut Rng| (1 + rng.next() % 2).to_string();
    let tmp = tempfile::tempdir()?;
    let d = tmp.path();
    let db = |n: &str| d.join(n).to_string_lossy().into_owned();

    for (k, part) in ["A", "B", "C"].iter().enumerate() {
        let mut args = s(&["run", &p, "--db", &db(part), "-q", "--threads"]);
        args.push(threads(&mut rng));
        args.extend(write_part(d, part, &inputs, &|i, r| assign[i][r] == k)?);
        foldc(&args)?;
    }
    let export = |dbname: &str| -> Result<BTreeMap<String, String>, Failed> {
        let out = db(&format!("{dbname}.out"));
        foldc(&s(&["export", &p, "--db", &db(dbname), "--out", &out]))?;
        Ok(dir_texts(Path::new(&out))?)
    };
    let stats = |dbname: &str| foldc(&s(&["stats", "--db", &db(dbname), "--format", "json"]));
    let (a_before, a_stats) = (export("A")?, stats("A")?);
    let (b_before, b_stats) = (export("B")?, stats("B")?);
    let merge = |x: &str, y: &str, into: &str, rng: &mut Rng| -> Result<(), Failed> {
        let mut args = s(&["merge", &p, &db(x), &db(y), "--into", &db(into), "-q"]);
        args.push("--threads".into());
        args.push(threads(rng));
        foldc(&args).map(drop)
    };

    // merge(A, B) == run(A ∪ B), and merge(B, A) the same bytes.
    let mut union = s(&["run", &p, "-q", "--out", &db("AuB")]);
    union.extend(write_part(d, "AuB", &inputs, &|i, r| assign[i][r] < 2)?);
    foldc(&union)?;
    let want_ab = dir_texts(&d.join("AuB"))?;
    merge("A", "B", "AB", &mut rng)?;
    same("merge(A, B) against run(A ∪ B)", &want_ab, &export("AB")?)?;
    handler_skip_loses_nothing(&p, &db, &want_ab, &export)?;
    for (from_base, into) in [("1", "AB_from_base"), ("0", "AB_from_other")] {
        let args = s(&["merge", &p, &db("A"), &db("B"), "--into", &db(into), "-q"]);
        foldc_with(&args, &[("FOLD_MERGE_FROM_BASE", from_base)])?;
        same(
            &format!("merge(A, B) with FOLD_MERGE_FROM_BASE={from_base}"),
            &want_ab,
            &export(into)?,
        )?;
    }
    merge("B", "A", "BA", &mut rng)?;
    same("merge(B, A) against merge(A, B)", &want_ab, &export("BA")?)?;

    // Three databases in either grouping give one run over everything.
    let want = dir_texts(&case.join("expected"))?;
    merge("AB", "C", "AB_C", &mut rng)?;
    same("merge(merge(A, B), C)", &want, &export("AB_C")?)?;
    merge("B", "C", "BC", &mut rng)?;
    merge("A", "BC", "A_BC", &mut rng)?;
    same("merge(A, merge(B, C))", &want, &export("A_BC")?)?;

    // The sources are untouched.
    same("A after merging", &a_before, &export("A")?)?;
    same("B after merging", &b_before, &export("B")?)?;
    if stats("A")? != a_stats || stats("B")? != b_stats {
        return Err("merging changed a source database's counters".into());
    }
    Ok(())
}
