//! `foldc explain` cases: every `tests/explain/<case>/<name>.explain` file
//! is a test. The case folder holds one program and its inputs; the file
//! says what to ask and what to expect:
//!
//! ```text
//! fact: reach(1, 9)
//! depth: 1                (optional)
//!
//! <the exact standard output, or `error: ...`: the last line of
//!  standard error of a refusal, with exit code 1>
//! ```
//!
//! Messages call the database `DB`. The database is built by `foldc run --db` under both backends and on 1
//! and 4 threads: provenance, like every result, must not depend on them,
//! so each build must explain the fact with the same bytes.

use std::path::{Path, PathBuf};

mod common;

use common::{copy_files, foldc, text};
use fold_tests::{files_with_suffix, program_of, relative, root, subdirs};
use libtest_mimic::{Arguments, Failed, Trial};

const BUILDS: [(&str, &str); 3] = [("interp", "1"), ("jit", "1"), ("jit", "4")];

fn main() {
    let args = Arguments::from_args();
    let base = root().join("explain");
    let mut trials = Vec::new();
    for case in subdirs(&base) {
        for query in files_with_suffix(&case, ".explain") {
            let name = relative(&query, &base);
            let case = case.clone();
            trials.push(Trial::test(name, move || check(&case, &query)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// What a `.explain` file asks and expects.
struct Query {
    fact: String,
    depth: Option<String>,
    expected: String,
}

fn parse(path: &Path) -> Result<Query, Failed> {
    let src = std::fs::read_to_string(path)?;
    let (head, expected) = src
        .split_once("\n\n")
        .ok_or("a query file needs its header, a blank line, then the expected output")?;
    let mut fact = None;
    let mut depth = None;
    for line in head.lines() {
        match line.split_once(": ") {
            Some(("fact", f)) => fact = Some(f.to_string()),
            Some(("depth", d)) => depth = Some(d.to_string()),
            _ => return Err(format!("unknown header line `{line}`").into()),
        }
    }
    Ok(Query {
        fact: fact.ok_or("no `fact:` line")?,
        depth,
        expected: expected.to_string(),
    })
}

fn check(case: &Path, query: &Path) -> Result<(), Failed> {
    let q = parse(query)?;
    let prog = program_of(case)?;
    let prog_name = prog
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("a program file name")?;
    let tmp = tempfile::tempdir()?;
    let work: PathBuf = tmp.path().join("case");
    copy_files(case, &work);
    for (backend, threads) in BUILDS {
        let db = format!("db-{backend}-{threads}");
        let run = foldc(
            &[
                "run",
                &prog_name,
                "--db",
                &db,
                "-q",
                "--out",
                "out",
                "--backend",
                backend,
                "--threads",
                threads,
            ],
            &work,
        );
        if !run.status.success() {
            return Err(format!("foldc run failed:\n{}", text(&run.stderr)).into());
        }
        let mut args = vec!["explain", prog_name.as_str(), "--db", db.as_str()];
        if let Some(d) = &q.depth {
            args.extend(["--depth", d]);
        }
        args.push(&q.fact);
        let out = foldc(&args, &work);
        // Messages name the database; expected output calls it `DB`.
        let named = |t: &[u8]| text(t).replace(&format!("`{db}`"), "`DB`");
        let (stdout, stderr) = (named(&out.stdout), named(&out.stderr));
        if stderr.contains("panicked") {
            return Err(format!("foldc explain panicked:\n{stderr}").into());
        }
        let got = if q.expected.starts_with("error: ") {
            if out.status.code() != Some(1) {
                return Err(format!("expected exit 1, got {:?}:\n{stdout}", out.status).into());
            }
            format!("{}\n", stderr.lines().last().unwrap_or_default())
        } else {
            if !out.status.success() {
                return Err(format!("foldc explain failed:\n{stderr}").into());
            }
            stdout
        };
        if got != q.expected {
            return Err(format!(
                "built with --backend {backend} --threads {threads}: expected\n{}\ngot\n{got}",
                q.expected
            )
            .into());
        }
    }
    Ok(())
}
