//! Writing a category as sorted CSV.
//!
//! `DIR/CAT.csv`: a header row of field names, then every current fact
//! sorted by value order ([`value::compare_tuples`]), so runs are
//! reproducible and diffable. Fields are quoted only when necessary
//! (a quote, comma or line break inside, or a lone empty field); lists are
//! fold list literals. Each file is written to a temporary name in DIR and
//! renamed, so a reader never sees half a file.
//!
//! Categories whose fields are all ints or bools (the common case, and
//! the big one) take a fast path: rows are copied into fixed-width arrays
//! whose unsigned order is the value order, sorted in parallel, and
//! formatted with `itoa` straight into a byte buffer.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::store::Relation;
use crate::value::{self, Type, Word};

/// A file that could not be written.
#[derive(Debug)]
pub struct OutputError {
    /// The file (or directory) that could not be written.
    pub path: PathBuf,
    /// The operating system's error.
    pub error: std::io::Error,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for OutputError {}

/// Bytes formatted before they are handed to the file.
const FLUSH: usize = 1 << 20;

/// Remove the temporary files `.NAME.csv.tmpPID` that a killed process
/// left in `dir` (a process that is killed cannot clean up after itself):
/// those of processes that no longer run. Where that cannot be known
/// (no `/proc`), they stay. A cleanup: failures are ignored.
fn remove_stale_temps(dir: &Path, name: &str) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let prefix = format!(".{name}.csv.tmp");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let running = Path::new("/proc").join(pid.to_string()).exists();
        if pid != std::process::id() && !running {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Write `rel` as `dir/NAME.csv` (creating `dir`); returns the path.
pub fn write_relation(
    dir: &Path,
    rel: &Relation,
    fields: &[String],
) -> Result<PathBuf, OutputError> {
    let path = dir.join(format!("{}.csv", rel.name()));
    let fail = |error| OutputError {
        path: path.clone(),
        error,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(OutputError {
            path: dir.to_path_buf(),
            error: std::io::Error::other("it is a file, not a folder"),
        });
    }
    std::fs::create_dir_all(dir).map_err(fail)?;
    remove_stale_temps(dir, rel.name());
    let tmp = dir.join(format!(".{}.csv.tmp{}", rel.name(), std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        write_csv(&mut file, rel, fields)?;
        file.flush()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(path)
}

/// Write the CSV text of `rel` (header and sorted current rows) to `out`.
pub fn write_csv(out: &mut impl Write, rel: &Relation, fields: &[String]) -> std::io::Result<()> {
    let buf = header(fields);
    let types = rel.types();
    if types.iter().all(|t| matches!(t, Type::Int | Type::Bool)) {
        match types.len() {
            1 => return write_fixed::<1>(out, buf, rel),
            2 => return write_fixed::<2>(out, buf, rel),
            3 => return write_fixed::<3>(out, buf, rel),
            4 => return write_fixed::<4>(out, buf, rel),
            _ => {}
        }
    }
    let rows = sorted_rows(rel);
    write_after(out, buf, types, rows.into_iter().map(|r| rel.row(r)))
}

/// Write `rows` (in the order given) of a category with these field
/// names and types as CSV: the bytes [`write_csv`] gives for such rows.
pub fn write_rows<'r>(
    out: &mut impl Write,
    types: &[Type],
    fields: &[String],
    rows: impl Iterator<Item = &'r [Word]>,
) -> std::io::Result<()> {
    write_after(out, header(fields), types, rows)
}

/// The header line: the field names.
fn header(fields: &[String]) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH + 4096);
    for (i, name) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_field(&mut buf, name, fields.len() == 1);
    }
    buf.push(b'\n');
    buf
}

/// Write `buf` (the header), then `rows`, any types.
fn write_after<'r>(
    out: &mut impl Write,
    mut buf: Vec<u8>,
    types: &[Type],
    rows: impl Iterator<Item = &'r [Word]>,
) -> std::io::Result<()> {
    let mut text = String::new();
    for row in rows {
        for (i, (ty, &w)) in types.iter().zip(row).enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            text.clear();
            value::write_plain(&mut text, ty, w);
            push_field(&mut buf, &text, row.len() == 1);
        }
        buf.push(b'\n');
        if buf.len() >= FLUSH {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Current row ids of `rel`, sorted by value order of their tuples.
pub fn sorted_rows(rel: &Relation) -> Vec<u32> {
    let types = rel.types();
    let mut rows: Vec<u32> = rel.live_rows().collect();
    rows.par_sort_unstable_by(|&a, &b| value::compare_tuples(types, rel.row(a), rel.row(b)));
    rows
}

/// Flip the sign bit: unsigned order of the result is the signed order of
/// an int (and leaves bools 0 < 1 in order).
#[inline]
fn order_key(w: Word) -> u64 {
    w ^ (1 << 63)
}

fn write_fixed<const N: usize>(
    out: &mut impl Write,
    buf: Vec<u8>,
    rel: &Relation,
) -> std::io::Result<()> {
    let mut rows: Vec<[u64; N]> = Vec::with_capacity(rel.live_len());
    if rel.has_dead() {
        for r in rel.live_rows() {
            let row = rel.row(r);
            rows.push(std::array::from_fn(|i| order_key(row[i])));
        }
    } else {
        rows.extend(
            rel.words()
                .chunks_exact(N)
                .map(|row| std::array::from_fn(|i| order_key(row[i]))),
        );
    }
    let bools: [bool; N] = std::array::from_fn(|i| rel.types()[i] == Type::Bool);
    // Narrow columns (node ids, small counts) pack into one u64 whose order
    // is the rows' order: a radix sort of those beats comparing arrays.
    let (lo, bits) = column_ranges(&rows);
    if bits.iter().sum::<u32>() <= 64 {
        let mut keys: Vec<u64> = rows.iter().map(|r| pack(r, &lo, &bits)).collect();
        drop(rows);
        radix_sort(&mut keys);
        return format_rows(out, buf, &keys, |k| unpack::<N>(*k, &lo, &bits), &bools);
    }
    rows.par_sort_unstable();
    format_rows(out, buf, &rows, |r| *r, &bools)
}

/// Per column: the least order key and the bits its range needs.
fn column_ranges<const N: usize>(rows: &[[u64; N]]) -> ([u64; N], [u32; N]) {
    let mut lo = [u64::MAX; N];
    let mut hi = [0u64; N];
    for r in rows {
        for i in 0..N {
            lo[i] = lo[i].min(r[i]);
            hi[i] = hi[i].max(r[i]);
        }
    }
    let bits = std::array::from_fn(|i| {
        if rows.is_empty() {
            0
        } else {
            64 - (hi[i] - lo[i]).leading_zeros()
        }
    });
    (lo, bits)
}

#[inline]
fn pack<const N: usize>(r: &[u64; N], lo: &[u64; N], bits: &[u32; N]) -> u64 {
    let mut k = 0u64;
    for i in 0..N {
        k = k.checked_shl(bits[i]).unwrap_or(0) | (r[i] - lo[i]);
    }
    k
}

#[inline]
fn unpack<const N: usize>(mut k: u64, lo: &[u64; N], bits: &[u32; N]) -> [u64; N] {
    let mut r = [0u64; N];
    for i in (0..N).rev() {
        let mask = if bits[i] >= 64 {
            u64::MAX
        } else {
            (1u64 << bits[i]) - 1
        };
        r[i] = (k & mask) + lo[i];
        k = k.checked_shr(bits[i]).unwrap_or(0);
    }
    r
}

/// LSD radix sort, 11 bits per pass, skipping passes above the top bit.
fn radix_sort(keys: &mut Vec<u64>) {
    if keys.len() < 1 << 12 {
        keys.sort_unstable();
        return;
    }
    let top = keys.iter().fold(0u64, |a, &k| a | k);
    let passes = (64 - top.leading_zeros()).div_ceil(11);
    let mut tmp = vec![0u64; keys.len()];
    for pass in 0..passes {
        let shift = pass * 11;
        let mut count = vec![0usize; 1 << 11];
        for &k in keys.iter() {
            count[(k >> shift) as usize & 0x7FF] += 1;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &k in keys.iter() {
            let d = (k >> shift) as usize & 0x7FF;
            tmp[count[d]] = k;
            count[d] += 1;
        }
        std::mem::swap(keys, &mut tmp);
    }
}

/// Format sorted rows (order keys) in parallel blocks, written in order.
fn format_rows<T: Sync, const N: usize>(
    out: &mut impl Write,
    mut buf: Vec<u8>,
    rows: &[T],
    get: impl Fn(&T) -> [u64; N] + Sync,
    bools: &[bool; N],
) -> std::io::Result<()> {
    const BLOCK: usize = 1 << 16;
    for group in rows.chunks(BLOCK * 16) {
        let parts: Vec<Vec<u8>> = group
            .par_chunks(BLOCK)
            .map(|block| {
                let mut b = Vec::with_capacity(block.len() * (N * 8 + 1));
                let mut itoa = itoa::Buffer::new();
                for row in block {
                    for (i, &k) in get(row).iter().enumerate() {
                        if i > 0 {
                            b.push(b',');
                        }
                        let w = order_key(k);
                        if bools[i] {
                            b.extend_from_slice(if w != 0 { b"true" } else { b"false" });
                        } else {
                            b.extend_from_slice(itoa.format(w as i64).as_bytes());
                        }
                    }
                    b.push(b'\n');
                }
                b
            })
            .collect();
        out.write_all(&buf)?;
        buf.clear();
        for p in parts {
            out.write_all(&p)?;
        }
    }
    out.write_all(&buf)
}

/// Append one CSV field, quoted only when necessary.
fn push_field(buf: &mut Vec<u8>, text: &str, only_field: bool) {
    let needs = text
        .bytes()
        .any(|b| matches!(b, b'"' | b',' | b'\n' | b'\r'))
        || (only_field && text.is_empty());
    if !needs {
        buf.extend_from_slice(text.as_bytes());
        return;
    }
    buf.push(b'"');
    for b in text.bytes() {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}
