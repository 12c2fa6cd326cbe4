//! Shared pieces of the file-driven test harnesses (`harness/*.rs`).
//!
//! Tests are files: `tests/ui/**/*.fold` (diagnostics snapshots) and
//! `tests/run/<case>/` (programs with inputs and expected outputs). Adding a
//! case means adding files; no Rust changes.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use std::path::{Path, PathBuf};

/// The `tests/` folder of the workspace.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root (the parent of `tests/`).
pub fn workspace() -> PathBuf {
    let root = root();
    root.parent().map(Path::to_path_buf).unwrap_or(root)
}

/// Every file under `dir` (recursively) whose name ends with `suffix`,
/// sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The immediate subfolders of `dir`, sorted.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// `path` relative to `base`, with `/` separators (stable across OSes).
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The run cases: every `tests/run/<case>/` (each must have `expected/`),
/// and each `examples/<name>/` and `examples/<name>/cases/<case>/` that
/// has an `expected/` folder.
pub fn run_cases() -> Vec<PathBuf> {
    let mut cases = subdirs(&root().join("run"));
    for example in subdirs(&workspace().join("examples")) {
        let more = subdirs(&example.join("cases"));
        cases.extend(
            std::iter::once(example)
                .chain(more)
                .filter(|d| d.join("expected").is_dir()),
        );
    }
    cases
}

/// A case's one `.fold` program: in the case folder, or for
/// `examples/<name>/cases/<case>/` in the example's folder.
pub fn program_of(case: &Path) -> Result<PathBuf, String> {
    let home = match case.parent() {
        Some(cases) if cases.file_name().is_some_and(|n| n == "cases") => {
            cases.parent().unwrap_or(case)
        }
        _ => case,
    };
    let mut progs: Vec<PathBuf> = std::fs::read_dir(home)
        .map_err(|e| format!("{}: {e}", home.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "fold"))
        .collect();
    progs.sort();
    match progs.len() {
        1 => Ok(progs.remove(0)),
        n => Err(format!(
            "{}: expected one .fold program, found {n}",
            home.display()
        )),
    }
}

/// Every file in `expected` exists in `actual` with the same bytes, and
/// `actual` has no other files.
pub fn compare_dirs(expected: &Path, actual: &Path) -> Result<(), libtest_mimic::Failed> {
    let names = |dir: &Path| -> Result<Vec<String>, libtest_mimic::Failed> {
        let mut v: Vec<String> = std::fs::read_dir(dir)?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        Ok(v)
    };
    let (want, got) = (names(expected)?, names(actual)?);
    if want != got {
        return Err(format!("output files differ\n  want: {want:?}\n  got:  {got:?}").into());
    }
    for name in want {
        let w = std::fs::read_to_string(expected.join(&name))?;
        let g = std::fs::read_to_string(actual.join(&name))?;
        if w != g {
            return Err(format!("{name} differs\n--- want ---\n{w}--- got ---\n{g}").into());
        }
    }
    Ok(())
}

/// The file in a run case's folder that keeps it out of the merge
/// harnesses, saying why (a known limit of merging, not of running).
pub const NO_MERGE: &str = "no-merge.txt";

/// Whether a run case is left out of the merge harnesses (`foldc merge`
/// property, cluster jobs that merge): it has a [`NO_MERGE`] file.
pub fn merge_excluded(case: &Path) -> bool {
    case.join(NO_MERGE).is_file()
}
