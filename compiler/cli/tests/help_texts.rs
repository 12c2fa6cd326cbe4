//! The texts foldc prints about itself: `explain-code`, shell completions
//! and the man page, from the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;

use common::{foldc, ok, refused, text};

#[test]
fn explain_code_prints_the_explanation_in_any_case_and_lists_every_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = text(&ok(&["explain-code", "e0304"], dir.path()).stdout);
    assert!(out.starts_with("# E0304: variable bound twice"), "{out}");
    assert!(
        out.contains("## Example") && out.contains("## Fix"),
        "{out}"
    );
    let list = text(&ok(&["explain-code"], dir.path()).stdout);
    assert_eq!(list.lines().count(), fold_compiler::diag::Code::ALL.len());
    assert!(
        list.contains("W0006  private category named as an output"),
        "{list}"
    );
    let err = refused(&["explain-code", "E9999"], dir.path());
    assert!(err.contains("`E9999` is not a diagnostic code"), "{err}");
}

#[test]
fn bash_completions_parse_and_name_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = ok(&["completions", "bash"], dir.path()).stdout;
    let body = text(&script);
    for command in ["run", "explain-code", "completions", "man", "stats"] {
        assert!(body.contains(command), "{command} missing");
    }
    // bash -n: the script parses.
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .expect("bash runs");
    bash.stdin
        .take()
        .expect("stdin")
        .write_all(&script)
        .expect("write");
    assert!(bash.wait().expect("bash ends").success());
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(!ok(&["completions", shell], dir.path()).stdout.is_empty());
    }
    assert_eq!(
        foldc(&["completions", "tcsh"], dir.path()).status.code(),
        Some(2)
    );
}

#[test]
fn the_man_page_has_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = text(&ok(&["man"], dir.path()).stdout);
    assert!(page.contains("\n.TH foldc 1"), "{page}");
    for section in ["FOLDC RUN", "FOLDC EXPLAIN-CODE", "FOLDC MERGE"] {
        assert!(page.contains(section), "{section} missing");
    }
    assert!(page.contains("foldc run"), "synopses name the command");
}
