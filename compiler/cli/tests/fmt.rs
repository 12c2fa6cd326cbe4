//! `foldc fmt`: every `.fold` file in the repository is formatted (this
//! is the CI's `--check`), and the command rewrites files in place,
//! lists unformatted ones with `--check`, formats standard input, and
//! refuses programs that do not parse.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn foldc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(args)
        .output()
        .expect("foldc runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fold_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            // The fuzz corpus holds inputs for the fuzzer, kept as found.
            if name != "target" && name != "fuzz" && !name.starts_with('.') {
                fold_files(&p, out);
            }
        } else if name.ends_with(".fold") {
            out.push(p);
        }
    }
}

/// The repository's programs are all in the canonical layout. Only the
/// syntax-error corpus (`tests/ui/syntax`), which cannot be formatted, and
/// the fuzz corpus (inputs, not programs people read) are left out.
#[test]
fn every_repository_program_is_formatted() {
    let root = repo();
    let mut files = Vec::new();
    fold_files(&root, &mut files);
    let syntax = root.join("tests/ui/syntax");
    let (broken, formattable): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|p| p.starts_with(&syntax));
    assert!(
        formattable.len() >= 80,
        "found {} programs",
        formattable.len()
    );
    let args: Vec<&str> = formattable.iter().filter_map(|p| p.to_str()).collect();
    let out = foldc(&[&["fmt", "--check"], &args[..]].concat());
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "not formatted (run `foldc fmt` on them):\n{listed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "foldc fmt --check: {} programs formatted, {} syntax-error cases skipped",
        formattable.len(),
        broken.len()
    );
    // The skipped ones really cannot be formatted.
    for p in &broken {
        let out = foldc(&["fmt", "--check", p.to_str().unwrap_or("")]);
        assert!(
            !out.status.success(),
            "{} formats: move it out of tests/ui/syntax",
            p.display()
        );
    }
}

#[test]
fn rewrites_in_place_and_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("messy.fold");
    let messy = "data e(a:int)   // the edges\nrule r: on e(x) find e(x)\n";
    std::fs::write(&file, messy).expect("write");
    let path = file.to_str().expect("utf-8 path");

    let out = foldc(&["fmt", "--check", path]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), path);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        messy,
        "--check wrote"
    );

    let out = foldc(&["fmt", path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let formatted = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        formatted,
        "data e(a: int) // the edges\nrule r:\n  on e(x)\n  find e(x)\n"
    );
    assert!(foldc(&["fmt", "--check", path]).status.success());
}

#[test]
fn formats_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("foldc runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"p(x):-q(x),x>1.")
        .expect("write");
    let out = child.wait_with_output().expect("exits");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "p(x) :- q(x), x > 1.\n"
    );
}

#[test]
fn refuses_programs_that_do_not_parse() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.fold");
    let text = "data e(a: int\n";
    std::fs::write(&file, text).expect("write");
    let out = foldc(&["fmt", file.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E0002") || err.contains("E0001"), "{err}");
    assert!(err.contains("not formatted: it has syntax errors"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
}
