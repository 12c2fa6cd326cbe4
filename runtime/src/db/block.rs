//! Fact blocks: consecutive rows of one category with their provenance,
//! packed.
//!
//! ```text
//! block   := n:varint len:varint facts[len bytes] origins
//! facts   := (field*arity)*n      field  := zigzag(stable word - same field of the previous row)
//! origins := origin*n             origin := 0 line                      a program fact
//!                                         | 1 file zigzag(line - prev)  an input record
//!                                         | 2+h zigzag(event - prev)    found by handler h on that event row
//!                                         | M merge zigzag(row - prev)  copied by a merge (format 2)
//! ```
//!
//! `M` is [`MERGED`], 2 + 2^32: above every handler tag, so format 2 only
//! adds a case and reads every format-1 block unchanged.
//!
//! Everything is a varint (see [`super::varint`]); "previous" restarts
//! at 0 in every block, so blocks decode independently (in parallel), and
//! the facts come before the provenance, so loading facts never parses
//! provenance. For the facts of a join this is a few bytes a fact: found
//! facts share their event's fields, one handler's events are consecutive
//! rows, and the handler id fits a byte. The same format holds a derived
//! category's given facts (see [`crate::exec::base`]).

use super::varint::{self, Reader};
use crate::exec::origin::Origin;

/// The tag of [`Origin::Merged`]: handler tags are `2 + h` with `h` a
/// `u32`, so this one is free.
const MERGED: u64 = 2 + (1 << 32);

/// Pack `origins.len()` rows of `arity` stable words each.
pub fn encode(stable: &[u64], arity: usize, origins: &[Origin]) -> Vec<u8> {
    let n = origins.len();
    debug_assert_eq!(stable.len(), n * arity);
    let mut facts = Vec::with_capacity(n * (arity + 1));
    let mut prev = vec![0u64; arity];
    for row in stable
        .chunks_exact(arity.max(1))
        .take(if arity == 0 { 0 } else { n })
    {
        for (p, &w) in prev.iter_mut().zip(row) {
            varint::put_delta(&mut facts, *p, w);
            *p = w;
        }
    }
    let mut out = Vec::with_capacity(facts.len() + 2 * n + 16);
    varint::put(&mut out, n as u64);
    varint::put(&mut out, facts.len() as u64);
    out.extend_from_slice(&facts);
    let (mut prev_line, mut prev_event, mut prev_row) = (0u64, 0u64, 0u64);
    for origin in origins {
        match *origin {
            Origin::Program { line } => {
                varint::put(&mut out, 0);
                varint::put(&mut out, u64::from(line));
            }
            Origin::Input { file, line } => {
                varint::put(&mut out, 1);
                varint::put(&mut out, u64::from(file));
                varint::put_delta(&mut out, prev_line, line);
                prev_line = line;
            }
            Origin::Rule { handler, event } => {
                varint::put(&mut out, 2 + u64::from(handler));
                varint::put_delta(&mut out, prev_event, u64::from(event));
                prev_event = u64::from(event);
            }
            Origin::Merged { merge, row } => {
                varint::put(&mut out, MERGED);
                varint::put(&mut out, u64::from(merge));
                varint::put_delta(&mut out, prev_row, u64::from(row));
                prev_row = u64::from(row);
            }
        }
    }
    out
}

/// A decoded block: `rows` stable words (`arity` per row) and, when
/// asked for, each row's origin.
#[derive(Debug, Default)]
pub struct Decoded {
    pub n: usize,
    pub rows: Vec<u64>,
    pub origins: Vec<Origin>,
}

/// The number of rows a block holds (from its header).
pub fn count(bytes: &[u8]) -> Option<usize> {
    Reader::new(bytes)
        .u64()
        .and_then(|n| usize::try_from(n).ok())
}

/// Unpack only the rows of a block (of [`count`] rows) into `out`.
pub fn decode_rows(bytes: &[u8], arity: usize, out: &mut [u64]) -> Result<(), String> {
    let truncated = || "a block is truncated".to_string();
    let mut r = Reader::new(bytes);
    let n = r.u64().ok_or_else(truncated)?;
    let len = r.u64().ok_or_else(truncated)?;
    let facts = usize::try_from(len)
        .ok()
        .and_then(|len| r.bytes(len))
        .ok_or_else(truncated)?;
    if usize::try_from(n).ok().map(|n| n * arity) != Some(out.len()) || out.len() > facts.len() {
        return Err(format!("a block claims {n} rows in {} bytes", bytes.len()));
    }
    let mut f = Reader::new(facts);
    let mut prev = vec![0u64; arity];
    for row in out.chunks_exact_mut(arity.max(1)) {
        for (p, o) in prev.iter_mut().zip(row) {
            *p = f.delta(*p).ok_or_else(truncated)?;
            *o = *p;
        }
    }
    if !f.is_done() {
        return Err("a block has bytes after its last row".to_string());
    }
    Ok(())
}

/// Unpack a block; `Err` says what is wrong with it.
pub fn decode(bytes: &[u8], arity: usize, want_origins: bool) -> Result<Decoded, String> {
    let truncated = || "a block is truncated".to_string();
    let mut r = Reader::new(bytes);
    let n = r.u64().ok_or_else(truncated)?;
    let len = r.u64().ok_or_else(truncated)?;
    let facts = usize::try_from(len)
        .ok()
        .and_then(|len| r.bytes(len))
        .ok_or_else(truncated)?;
    // Every field takes at least a byte and every origin two: a count
    // beyond that is garbage, not a reason to allocate.
    let n = usize::try_from(n)
        .ok()
        .filter(|&n| n.saturating_mul(arity) <= facts.len() && n.saturating_mul(2) <= bytes.len())
        .ok_or_else(|| format!("a block claims {n} rows in {} bytes", bytes.len()))?;
    let mut d = Decoded {
        n,
        rows: Vec::with_capacity(n * arity),
        origins: Vec::new(),
    };
    let mut f = Reader::new(facts);
    let mut prev = vec![0u64; arity];
    for _ in 0..if arity == 0 { 0 } else { n } {
        for p in prev.iter_mut() {
            *p = f.delta(*p).ok_or_else(truncated)?;
        }
        d.rows.extend_from_slice(&prev);
    }
    if !f.is_done() {
        return Err("a block has bytes after its last row".to_string());
    }
    if !want_origins {
        return Ok(d);
    }
    d.origins.reserve(n);
    let (mut prev_line, mut prev_event, mut prev_row) = (0u64, 0u64, 0u64);
    for _ in 0..n {
        let origin = match r.u64().ok_or_else(truncated)? {
            0 => Origin::Program {
                line: r.u32().ok_or_else(truncated)?,
            },
            1 => {
                let file = r.u32().ok_or_else(truncated)?;
                prev_line = r.delta(prev_line).ok_or_else(truncated)?;
                Origin::Input {
                    file,
                    line: prev_line,
                }
            }
            MERGED => {
                let merge = r.u32().ok_or_else(truncated)?;
                prev_row = r.delta(prev_row).ok_or_else(truncated)?;
                Origin::Merged {
                    merge,
                    row: u32::try_from(prev_row).map_err(|_| truncated())?,
                }
            }
            h => {
                prev_event = r.delta(prev_event).ok_or_else(truncated)?;
                Origin::Rule {
                    handler: u32::try_from(h - 2).map_err(|_| truncated())?,
                    event: u32::try_from(prev_event).map_err(|_| truncated())?,
                }
            }
        };
        d.origins.push(origin);
    }
    if !r.is_done() {
        return Err("a block has bytes after its last origin".to_string());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_origins_round_trip() {
        let rows = [1u64, 2, 1, 3, 900, 2, u64::MAX, 0];
        let origins = [
            Origin::Input { file: 0, line: 2 },
            Origin::Input { file: 0, line: 3 },
            Origin::Rule {
                handler: 3,
                event: 17,
            },
            Origin::Program { line: 9 },
        ];
        let merged = [
            Origin::Merged { merge: 0, row: 7 },
            Origin::Rule {
                handler: u32::MAX,
                event: 1,
            },
            Origin::Merged { merge: 3, row: 2 },
        ];
        let bytes2 = encode(&[1, 2, 3], 1, &merged);
        assert_eq!(decode(&bytes2, 1, true).unwrap().origins, merged);
        let bytes = encode(&rows, 2, &origins);
        let d = decode(&bytes, 2, true).unwrap();
        assert_eq!(d.n, 4);
        assert_eq!(d.rows, rows);
        assert_eq!(d.origins, origins);
        // Zero-field facts still count their rows.
        let d = decode(&encode(&[], 0, &origins[..2]), 0, false).unwrap();
        assert_eq!((d.n, d.origins.len()), (2, 0));
        assert!(decode(&bytes[..bytes.len() - 1], 2, true).is_err());
        assert!(decode(&bytes[..5], 2, false).is_err());
        assert!(decode(&[0xff, 0xff, 0x7f], 2, false).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, 2, true).is_err());
    }
}
