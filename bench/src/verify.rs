//! Checks an engine's output file: counts its rows and takes an
//! order-independent fingerprint of its facts, so that every engine's answer
//! can be compared with every other's without holding two answers in memory.
//!
//! The file is streamed: the harness must stay small, because a child's
//! `ru_maxrss` starts from its parent's high-water mark at spawn time.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::csv_io::parse_pair;
use crate::gen::mix64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub rows: u64,
    /// Wrapping sum of a hash of each fact: equal sets give equal sums.
    pub fingerprint: u64,
}

pub fn fingerprint_pair(a: i64, b: i64) -> u64 {
    mix64(mix64(a as u64) ^ (b as u64).rotate_left(29))
}

/// Reads `path` (header row, then `int,int` rows).
pub fn summarize(path: &Path) -> Result<Summary, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(64);
    let mut rows = 0u64;
    let mut fingerprint = 0u64;
    let mut lineno = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        if lineno == 1 {
            continue; // header
        }
        let l = line.trim_ascii();
        if l.is_empty() {
            continue;
        }
        let (a, b) = parse_pair(l).ok_or_else(|| {
            format!(
                "{}:{lineno}: not an `int,int` row: {:?}",
                path.display(),
                String::from_utf8_lossy(l)
            )
        })?;
        rows += 1;
        fingerprint = fingerprint.wrapping_add(fingerprint_pair(a, b));
    }
    Ok(Summary { rows, fingerprint })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_does_not_matter_content_does() {
        let dir = std::env::temp_dir().join(format!("fold-bench-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (p, q, r) = (dir.join("p.csv"), dir.join("q.csv"), dir.join("r.csv"));
        std::fs::write(&p, "a,b\n1,2\n3,4\n").unwrap();
        std::fs::write(&q, "x,y\r\n3,4\r\n1,2\r\n").unwrap();
        std::fs::write(&r, "a,b\n1,2\n4,3\n").unwrap();
        let (sp, sq, sr) = (
            summarize(&p).unwrap(),
            summarize(&q).unwrap(),
            summarize(&r).unwrap(),
        );
        assert_eq!(sp, sq);
        assert_eq!(sp.rows, 2);
        assert_ne!(sp.fingerprint, sr.fingerprint);
        std::fs::write(&r, "a,b\n1,2\nbad\n").unwrap();
        assert!(summarize(&r).unwrap_err().contains(":3:"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
