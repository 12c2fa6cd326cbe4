//! Running the real `foldc` binary from the CLI tests: exit codes and
//! output as a user sees them.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn foldc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("foldc runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run and insist on success.
pub fn ok(args: &[&str], dir: &Path) -> Output {
    let out = foldc(args, dir);
    assert!(
        out.status.success(),
        "foldc {args:?} failed:\n{}",
        text(&out.stderr)
    );
    out
}

/// Run and insist on exit 1 without a panic; returns the last stderr line.
pub fn refused(args: &[&str], dir: &Path) -> String {
    let out = foldc(args, dir);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "foldc {args:?}:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err.lines().last().unwrap_or_default().to_string()
}
