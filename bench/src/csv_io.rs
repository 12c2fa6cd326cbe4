//! CSV in and out for the peer engines: a header row, then `int,int` rows.
//!
//! The reader is a plain byte scanner (no quoting: the inputs are integers), the
//! writer sorts the facts and formats them with `itoa`, so the peers' output
//! files are what foldc writes: sorted rows under a header.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::workload::{Pair, Rel};

/// Reads `path`: skips the header row, parses every other non-empty line as
/// two comma-separated i64 fields.
pub fn read_pairs(path: &Path) -> io::Result<Rel> {
    let bytes = std::fs::read(path)?;
    let mut lines = bytes.split(|&b| b == b'\n');
    lines.next(); // header
    let mut rel = Vec::with_capacity(bytes.len() / 12);
    for (i, line) in lines.enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let pair = parse_pair(line).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}:{}: expected `int,int`, found {:?}",
                    path.display(),
                    i + 2,
                    String::from_utf8_lossy(line)
                ),
            )
        })?;
        rel.push(pair);
    }
    Ok(rel)
}

/// Parses `a,b` (surrounding spaces and double quotes allowed around each field).
pub fn parse_pair(line: &[u8]) -> Option<Pair> {
    let comma = line.iter().position(|&b| b == b',')?;
    let a = parse_i64(&line[..comma])?;
    let b = parse_i64(&line[comma + 1..])?;
    Some((a, b))
}

fn parse_i64(field: &[u8]) -> Option<i64> {
    let field = field.trim_ascii();
    let field = field
        .strip_prefix(b"\"")
        .and_then(|f| f.strip_suffix(b"\""))
        .unwrap_or(field);
    let (neg, digits) = match field.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, field),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = i64::from(d - b'0');
        n = n.checked_mul(10)?;
        n = if neg {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

/// Sorts `rel` and writes it to `path` under `header`.
pub fn write_sorted(path: &Path, header: &str, rel: &mut Rel) -> io::Result<()> {
    rel.sort_unstable();
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(header.as_bytes())?;
    out.write_all(b"\n")?;
    let mut a = itoa::Buffer::new();
    let mut b = itoa::Buffer::new();
    for &(x, y) in rel.iter() {
        out.write_all(a.format(x).as_bytes())?;
        out.write_all(b",")?;
        out.write_all(b.format(y).as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Writes `rel` as it is (no sorting): used for generated inputs.
pub fn write_unsorted(path: &Path, header: &str, rel: &[Pair]) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(out, "{header}")?;
    for &(x, y) in rel {
        writeln!(out, "{x},{y}")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields() {
        assert_eq!(parse_pair(b"1,2"), Some((1, 2)));
        assert_eq!(parse_pair(b" -3 , \"4\""), Some((-3, 4)));
        assert_eq!(
            parse_pair(b"-9223372036854775808,9223372036854775807"),
            Some((i64::MIN, i64::MAX))
        );
        assert_eq!(parse_pair(b"1"), None);
        assert_eq!(parse_pair(b"1,x"), None);
        assert_eq!(parse_pair(b"1,-"), None);
        assert_eq!(parse_pair(b"9223372036854775808,0"), None);
    }

    #[test]
    fn round_trips_sorted() {
        let dir = std::env::temp_dir().join(format!("fold-bench-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.csv");
        let mut rel = vec![(3, 1), (-1, 7), (3, 0)];
        write_sorted(&path, "a,b", &mut rel).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "a,b\n-1,7\n3,0\n3,1\n"
        );
        assert_eq!(read_pairs(&path).unwrap(), vec![(-1, 7), (3, 0), (3, 1)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
