//! The formatter's two properties over every `.fold` file in the
//! repository (examples, test corpora, fixtures): formatting is
//! idempotent, and the formatted program means the same. "Means the
//! same" is checked three ways: the syntax trees are equal up to
//! positions; a program with a plan has an equal plan (categories,
//! rules, handlers, strata, facts and examples — only source line
//! numbers may differ, and Datalog rules' `@line` names with them); a
//! program without one has the same diagnostics (codes and messages).
//!
//! Programs that do not parse cannot be formatted; they must all live in
//! the syntax-error corpus, `tests/ui/syntax`.

use std::path::{Path, PathBuf};

use fold_compiler::{compile, fmt::format};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.fold` file under `dir`, outside build output.
fn fold_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                fold_files(&path, out);
            }
        } else if name.ends_with(".fold") {
            out.push(path);
        }
    }
}

/// Positions blurred: ` @12..40` spans dropped, the digits after `@`
/// (`path@7`) and after `line: ` replaced by `_`.
fn blur(text: &str) -> String {
    let digit_run = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix(" @").filter(|a| digit_run(a) > 0) {
            rest = after.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        } else if let Some(after) = rest.strip_prefix('@').filter(|a| digit_run(a) > 0) {
            out.push_str("@_");
            rest = &after[digit_run(after)..];
        } else if let Some(after) = rest.strip_prefix("line: ").filter(|a| digit_run(a) > 0) {
            out.push_str("line: _");
            rest = &after[digit_run(after)..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[test]
fn every_fold_file_formats_idempotently_and_means_the_same() {
    let root = repo_root();
    let mut files = Vec::new();
    fold_files(&root, &mut files);
    let (mut formatted, mut plans, mut diagnostics, mut skipped) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let src = std::fs::read_to_string(path).expect("readable");
        let once = match format(&src) {
            Ok(text) => text,
            Err(_) => {
                if !shown.starts_with("tests/ui/syntax/") {
                    failures.push(format!("{shown}: does not parse, outside tests/ui/syntax"));
                }
                skipped += 1;
                continue;
            }
        };
        formatted += 1;
        match format(&once) {
            Ok(twice) if twice == once => {}
            Ok(twice) => failures.push(format!(
                "{shown}: not idempotent\n--- once\n{once}--- twice\n{twice}"
            )),
            Err(e) => failures.push(format!(
                "{shown}: formatted text does not parse: {e:?}\n{once}"
            )),
        }
        let dir = path.parent();
        let before = compile(&src, dir);
        let after = compile(&once, dir);
        let tree = |c: &fold_compiler::Compiled| blur(&fold_grammar::print::program(&c.ast));
        if tree(&before) != tree(&after) {
            failures.push(format!(
                "{shown}: the tree changed\n--- before\n{}--- after\n{}",
                tree(&before),
                tree(&after)
            ));
            continue;
        }
        match (&before.plan, &after.plan) {
            (Some(a), Some(b)) => {
                let (a, b) = (blur(&format!("{a:?}")), blur(&format!("{b:?}")));
                if a == b {
                    plans += 1;
                } else {
                    failures.push(format!("{shown}: the plan changed"));
                }
            }
            (None, None) => {
                let said = |c: &fold_compiler::Compiled| -> Vec<(String, String)> {
                    c.diagnostics
                        .iter()
                        .map(|d| (d.code.as_str().to_string(), blur(&d.message)))
                        .collect()
                };
                if said(&before) == said(&after) {
                    diagnostics += 1;
                } else {
                    failures.push(format!(
                        "{shown}: the diagnostics changed: {:?} -> {:?}",
                        said(&before),
                        said(&after)
                    ));
                }
            }
            _ => failures.push(format!("{shown}: one has a plan, the other not")),
        }
    }
    println!(
        "fmt corpus: {} files; {formatted} formatted, idempotent and tree-equal; \
         {plans} plan-equal, {diagnostics} with equal diagnostics (no plan); \
         {skipped} syntax-error cases not formattable",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(files.len() >= 100, "found only {} .fold files", files.len());
    assert_eq!(formatted, plans + diagnostics);
}
