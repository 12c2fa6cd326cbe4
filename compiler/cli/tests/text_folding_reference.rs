//! text-folding.fold against its independent reference: for every corpus of
//! `examples/text-folding/` (its `books.csv` and each case's, the
//! `genesis-40` prefix of real English among them) `python3 reference.py`,
//! which searches every box shape straight from the definitions, and
//! `foldc run --out` must write the same files, byte for byte, and both
//! must equal the case's committed `expected/` folder. Without python3
//! the test fails saying so: it never passes unchecked.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{dir_texts, ok};

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/text-folding")
}

/// The example's folder and every case under `cases/`, each with its
/// `books.csv`.
fn corpora() -> Vec<PathBuf> {
    let mut out = vec![example()];
    let cases = std::fs::read_dir(example().join("cases")).expect("read cases/");
    out.extend(cases.flatten().map(|e| e.path()));
    out.retain(|d| d.join("books.csv").is_file());
    out.sort();
    out
}

fn reference(books: &Path, out: &Path) {
    let run = Command::new("python3")
        .arg(example().join("reference.py"))
        .arg(books)
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (the reference needs it): {e}"));
    assert!(
        run.status.success(),
        "reference.py {}: {}",
        books.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn every_corpus_folds_as_the_reference_says() {
    let program = example().join("text-folding.fold");
    let program = program.to_string_lossy().into_owned();
    let corpora = corpora();
    assert!(
        corpora.iter().any(|c| c.ends_with("genesis-40")),
        "the real-text case genesis-40 is missing"
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut wrong = Vec::new();
    for (i, case) in corpora.iter().enumerate() {
        let books = case.join("books.csv");
        let by_reference = tmp.path().join(format!("ref{i}"));
        let by_foldc = tmp.path().join(format!("run{i}"));
        reference(&books, &by_reference);
        let input = format!("book={}", books.display());
        let out = by_foldc.to_string_lossy().into_owned();
        ok(
            &["run", &program, "--input", &input, "--out", &out, "-q"],
            tmp.path(),
        );
        let want = dir_texts(&by_reference).expect("read the reference output");
        let got = dir_texts(&by_foldc).expect("read foldc's output");
        assert_eq!(want.len(), 5, "{}: five output categories", case.display());
        if want != got {
            let files: Vec<&String> = want
                .keys()
                .chain(got.keys())
                .filter(|f| want.get(*f) != got.get(*f))
                .collect();
            wrong.push(format!("{}: foldc differs in {files:?}", case.display()));
        }
        match dir_texts(&case.join("expected")) {
            Ok(expected) if expected == want => {}
            Ok(_) => wrong.push(format!(
                "{}: expected/ is not what reference.py writes",
                case.display()
            )),
            Err(e) => wrong.push(format!("{}: expected/: {e}", case.display())),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
