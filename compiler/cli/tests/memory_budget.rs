//! A rule that finds far more than memory holds stops the run with an
//! error naming the category and rule that grew, and a non-zero exit,
//! rather than growing until the kernel kills it (`FOLDC_MAX_MEMORY_MB`).

use std::process::Command;

/// 2000 x 2000 = 4 M facts of `pair` in one round: about 120 MiB buffered.
const PROGRAM: &str = "\
data n(x: int)
data m(y: int)
data pair(x: int, y: int)
input n from \"n.csv\"
input m from \"m.csv\"
output pair
pair(x, y) :- n(x), m(y).
";

fn dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("p.fold"), PROGRAM).expect("write program");
    let rows: String = (1..=2000).map(|i| format!("{i}\n")).collect();
    std::fs::write(dir.path().join("n.csv"), format!("x\n{rows}")).expect("write n");
    std::fs::write(dir.path().join("m.csv"), format!("y\n{rows}")).expect("write m");
    dir
}

fn run(dir: &std::path::Path, limit_mb: &str, threads: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(["run", "p.fold", "-q", "-j", threads, "--out", "out"])
        .env("FOLDC_MAX_MEMORY_MB", limit_mb)
        .current_dir(dir)
        .output()
        .expect("foldc runs")
}

#[test]
fn a_round_past_the_limit_stops_with_the_category_and_rule_named() {
    let dir = dir();
    for threads in ["1", "2"] {
        let out = run(dir.path(), "8", threads);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("past the limit of 8 MiB"), "{err}");
        assert!(err.contains("FOLDC_MAX_MEMORY_MB"), "{err}");
        assert!(err.contains("category `pair` grew most"), "{err}");
        assert!(err.contains("rule `pair@7` (line 7)"), "{err}");
        assert!(!dir.path().join("out/pair.csv").exists());
    }
}

#[test]
fn a_round_within_the_limit_runs() {
    let dir = dir();
    let out = run(dir.path(), "1024", "1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(dir.path().join("out/pair.csv")).expect("written");
    assert_eq!(written.lines().count(), 1 + 2000 * 2000);
}
