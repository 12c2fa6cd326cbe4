//! The progress line: drawn on stderr only when it is a terminal, never
//! with --quiet, never wider than the terminal. A terminal is made with
//! util-linux's `script` (a pseudo-terminal of 24 rows and 40 columns).

use std::process::Command;

mod common;

use common::{ok, text};

/// A program whose output has 1.1 million rows: writing it shows a line.
fn big_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut csv = String::from("src,dst\n");
    for i in 0..1_100_000u64 {
        csv.push_str(&format!("{i},{}\n", i * 7 % 1_100_000));
    }
    std::fs::write(dir.path().join("edge.csv"), csv).expect("write edges");
    std::fs::write(
        dir.path().join("p.fold"),
        "data edge(src: int, dst: int)\ndata out(a: int, b: int)\n\
         input edge from \"edge.csv\"\noutput out\nout(x, y) :- edge(x, y).\n",
    )
    .expect("write program");
    dir
}

/// What a terminal of 40 columns shows of `foldc ARGS`: its lines (split
/// at carriage returns too), escape sequences removed.
fn on_a_terminal(args: &str, dir: &std::path::Path) -> Option<Vec<String>> {
    let foldc = env!("CARGO_BIN_EXE_foldc");
    let log = dir.join("typescript");
    let status = Command::new("script")
        .arg("-qc")
        .arg(format!("stty rows 24 cols 40 < /dev/tty; {foldc} {args}"))
        .arg(&log)
        .current_dir(dir)
        .output()
        .ok()?;
    if !status.status.success() {
        return None;
    }
    let bytes = std::fs::read(&log).ok()?;
    let mut plain = String::new();
    let mut escape = false;
    for c in String::from_utf8_lossy(&bytes).chars() {
        match (escape, c) {
            (false, '\u{1b}') => escape = true,
            (true, c) if c.is_ascii_alphabetic() => escape = false,
            (true, _) => {}
            (false, '\r') => plain.push('\n'),
            (false, c) => plain.push(c),
        }
    }
    Some(plain.lines().map(str::to_string).collect())
}

#[test]
fn progress_shows_on_a_terminal_within_its_width_and_never_otherwise() {
    let dir = big_run();
    let d = dir.path();
    let Some(lines) = on_a_terminal("run p.fold --out o", d) else {
        eprintln!("SKIPPED: util-linux `script` is not available to make a terminal");
        return;
    };
    assert!(
        lines.iter().any(|l| l.contains("writing out.csv")),
        "no progress line on a terminal:\n{}",
        lines.join("\n")
    );
    for line in lines.iter().filter(|l| l.contains("[00:")) {
        assert!(
            line.chars().count() <= 40,
            "wider than the terminal: `{line}`"
        );
    }
    let quiet = on_a_terminal("run p.fold --out o -q", d).expect("script ran before");
    assert!(!quiet.iter().any(|l| l.contains("[00:")), "{quiet:?}");
    // Not a terminal: nothing but the summary on stderr.
    let piped = text(&ok(&["run", "p.fold", "--out", "o"], d).stderr);
    assert!(!piped.contains("[00:"), "{piped}");
}
