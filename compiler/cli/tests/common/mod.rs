//! Running the real `foldc` binary from the CLI tests: exit codes and
//! output as a user sees them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// Transitive closure over `edge.csv`: the program most CLI tests run.
pub const TC: &str = "data edge(src: int, dst: int)\n\
                  data path(src: int, dst: int)\n\
                  input edge from \"edge.csv\"\n\
                  output path\n\
                  path(x, y) :- edge(x, y).\n\
                  path(x, z) :- path(x, y), edge(y, z).\n";

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

/// Every file of a folder (an output folder: CSV files) by name, with its
/// text.
pub fn dir_texts(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        out.insert(name.into_owned(), std::fs::read_to_string(&p)?);
    }
    Ok(out)
}

/// Copy the files of folder `from` (not its folders) into `to`, made if
/// missing.
pub fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("make the folder");
    for e in std::fs::read_dir(from).expect("list the folder") {
        let p = e.expect("folder entry").path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap_or_default())).expect("copy a file");
        }
    }
}

/// SplitMix64: a reproducible stream of random words from a seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
