//! The explanations of the diagnostic codes (`foldc explain-code`): every
//! code has one, titled as the code is, whose example reports exactly
//! that code and whose fix reports no error and not the code; and
//! `docs/codes.md` is the generated index (`FOLD_BLESS=1` rewrites it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fold_compiler::diag::explain::{index, parts};
use fold_compiler::diag::{Code, Severity};

fn codes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diag/codes")
}

#[test]
fn every_example_reports_its_code_and_every_fix_none() {
    // Examples that read input find `edge.csv` and `seed.csv` here.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/code-inputs");
    let mut failures = Vec::new();
    for &code in Code::ALL {
        let c = code.as_str();
        let parts = parts(code);
        if parts.title != code.title() {
            failures.push(format!(
                "{c}.md: title `{}`, but the code's title is `{}`",
                parts.title,
                code.title()
            ));
        }
        match &parts.example {
            None => failures.push(format!("{c}.md: no code block under `## Example`")),
            Some(example) => {
                let got = example.codes(&dir);
                if got != BTreeSet::from([code]) {
                    failures.push(format!("{c}.md: the example reports {got:?}, not just {c}"));
                }
            }
        }
        match &parts.fix {
            None => failures.push(format!("{c}.md: no code block under `## Fix`")),
            Some(fix) => {
                let got = fix.codes(&dir);
                if got.contains(&code) || got.iter().any(|c| c.severity() == Severity::Error) {
                    failures.push(format!("{c}.md: the fix still reports {got:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_explanation_file_is_a_code() {
    let known: BTreeSet<String> = Code::ALL
        .iter()
        .map(|c| format!("{}.md", c.as_str()))
        .collect();
    let stray: Vec<String> = std::fs::read_dir(codes_dir())
        .expect("the codes directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !known.contains(name))
        .collect();
    assert!(stray.is_empty(), "files that explain no code: {stray:?}");
}

#[test]
fn the_index_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/codes.md");
    let expected = index();
    if std::env::var_os("FOLD_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("writing docs/codes.md");
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "docs/codes.md is not the index of the codes; rewrite it with \
         `FOLD_BLESS=1 cargo test --release --locked -p fold-compiler --test codes`"
    );
}
