//! The run corpus through a cluster: every run case (`tests/run/<case>/`)
//! and every example case with expected output (the text-folding merge
//! cases among them: the square that only exists when two books meet)
//! has its inputs submitted in chunks of about a quarter of its largest
//! input, one chunk per fetch, as its own job on one shared nats-server
//! with two workers, and the collected export must equal `foldc run
//! --out` over the same inputs, byte for byte.

mod cluster_support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cluster_support::*;
use fold_tests::{merge_excluded, program_of, relative, run_cases, workspace};
use libtest_mimic::{Arguments, Failed, Trial};

static URL: OnceLock<String> = OnceLock::new();

fn main() {
    let args = Arguments::from_args();
    let base = workspace();
    let mut trials = Vec::new();
    for (i, case) in corpus().into_iter().enumerate() {
        let name = relative(&case, &base);
        trials.push(Trial::test(format!("cluster::{name}"), move || {
            cluster_case(&case, i)
        }));
    }
    let listing = args.list;
    let kept = trials.iter().filter(|t| !args.is_filtered_out(t)).count();
    let (mut server, mut workers, _dir) = if listing || kept == 0 {
        (None, Vec::new(), None)
    } else {
        let server = Server::start();
        let dir = tempfile::tempdir().expect("tempdir");
        let workers: Vec<Worker> = (0..2)
            .map(|i| Worker::start(&server, &dir.path().join(format!("w{i}")), &[]))
            .collect();
        let _ = URL.set(server.url());
        (Some(server), workers, Some(dir))
    };
    let conclusion = libtest_mimic::run(&args, trials);
    for w in &mut workers {
        w.kill();
    }
    if let Some(s) = &mut server {
        s.kill();
    }
    conclusion.exit();
}

/// The run cases with an expected output that runs (not an expected
/// error), but those whose merge is a known limit (`no-merge.txt` says why).
fn corpus() -> Vec<PathBuf> {
    let mut cases = run_cases();
    cases.retain(|c| !c.join("expected/error.txt").exists() && !merge_excluded(c));
    cases
}

fn cluster_case(case: &Path, i: usize) -> Result<(), Failed> {
    let url = URL.get().ok_or("no server")?;
    let prog = program_of(case)?;
    let src = std::fs::read_to_string(&prog)?;
    let plan = fold_compiler::compile(&src, prog.parent())
        .plan
        .ok_or("the program does not compile")?;
    let mut inputs = Vec::new();
    let mut largest = 0;
    for input in &plan.inputs {
        let file = input.path.file_name().ok_or("input names no file")?;
        let path = case.join(file);
        let rows = csv::Reader::from_path(&path)?.records().count();
        largest = largest.max(rows);
        inputs.push("--input".to_string());
        inputs.push(format!(
            "{}={}",
            plan.category(input.cat).name,
            path.display()
        ));
    }
    let tmp = tempfile::tempdir()?;
    let d = tmp.path();
    let job = format!("case{i}");
    let chunk_rows = (largest / 4).max(1).to_string();
    let mut args: Vec<String> = vec![
        "--chunk-rows".into(),
        chunk_rows,
        "--batch-size".into(),
        "1".into(),
        "--batch-count".into(),
        "2".into(),
        "--timeout".into(),
        "200ms".into(),
    ];
    args.extend(inputs.iter().cloned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    submit(url, &prog, &job, &refs);
    let out = d.join("out");
    let status = std::process::Command::new(foldc_path())
        .args(["collect", &job, "--server", url, "--wait", "--out"])
        .arg(&out)
        .output()?;
    if !status.status.success() {
        return Err(format!(
            "collect failed:\n{}",
            String::from_utf8_lossy(&status.stderr)
        )
        .into());
    }
    single_run(&prog, &inputs, &d.join("single"));
    let (want, got) = (dir_bytes(&d.join("single")), dir_bytes(&out));
    if want != got {
        for (name, w) in &want {
            let g = got.get(name).cloned().unwrap_or_default();
            if &g != w {
                return Err(format!(
                    "{name} differs from the single run\n--- want ---\n{}--- got ---\n{}",
                    String::from_utf8_lossy(w),
                    String::from_utf8_lossy(&g)
                )
                .into());
            }
        }
        return Err(format!("other files: {:?}", got.keys().collect::<Vec<_>>()).into());
    }
    Ok(())
}
