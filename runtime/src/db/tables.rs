//! Saved tables: a big category's identity table and indexes, kept beside
//! the store so that resuming reads them instead of rebuilding them.
//!
//! Resuming rebuilds every table from the rows (hashing each row into the
//! identity table, grouping it into each index): for millions of rows
//! that is most of a resume's time, and a merge or a small incremental run
//! starts with a resume. So a finished run also writes, for every category
//! of at least [`MIN_ROWS`] rows that grew by more than [`REWRITE`] of its
//! rows since its file was written (or has none), the file `tables/N.bin`
//! (`N`: the category's id) holding its identity table's slots, its
//! superseded rows and its indexes' groups, and a resume loads it with
//! plain byte decoding ([`crate::store::Relation::load_rows_saved`]).
//!
//! The files are a cache, never the record. One is used only when it was
//! written for a prefix of the rows on disk: by the same program, for at
//! most as many rows and the same generation of the category (rows are
//! only appended between two resets, so within a generation the first N
//! rows are always the same rows); when its checksum holds; and when its
//! tables fit the rows (a table that could make a lookup read out of range
//! or never end is refused). The rows after the prefix are then inserted
//! on top, as any rows are: a small incremental run or merge does not
//! rewrite tens of megabytes for a few new rows, and the next resume
//! inserts those few again. Otherwise the tables are rebuilt from the
//! rows, and the next finished run writes the file again. Only categories without strings or
//! lists are saved: their identity hashes are of the values themselves,
//! while a string's word is an interner id that differs between processes.
//!
//! A file is written whole beside its final name and renamed into place,
//! never changed in place, after the checkpoint it describes is on disk;
//! so a file is never ahead of the store, and a merge may link the files
//! of the database it copies instead of copying them.

use std::path::{Path, PathBuf};

use super::varint::{self, Reader};
use crate::store::{Relation, Saved};

/// The folder of the saved tables, in the database directory.
pub const DIR: &str = "tables";
/// Smaller categories rebuild their tables in a millisecond or two.
pub const MIN_ROWS: usize = 1 << 16;
/// A file is rewritten when more than this share of the rows (1/8) lie
/// past it: inserting them on every resume then costs about as much as
/// writing the file once.
pub const REWRITE: usize = 8;

const MAGIC: &[u8; 8] = b"foldtab1";

/// Which rows a file's tables belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// A hash of the program's fingerprint.
    pub program: u64,
    pub generation: u32,
    pub rows: u32,
}

fn path(dir: &Path, cat: usize) -> PathBuf {
    dir.join(DIR).join(format!("{cat}.bin"))
}

/// The saved tables of category `cat` for a prefix of rows `stamp`, if a
/// file holds them whole; anything else (no file, another program or
/// generation, more rows, damage) is `None`.
pub fn read(dir: &Path, cat: usize, stamp: Stamp) -> Option<Saved> {
    let bytes = std::fs::read(path(dir, cat)).ok()?;
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if checksum(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Bytes(body);
    if r.take(8)? != MAGIC {
        return None;
    }
    let found = Stamp {
        program: r.u64()?,
        generation: r.u32()?,
        rows: r.u32()?,
    };
    let prefix = found.program == stamp.program
        && found.generation == stamp.generation
        && found.rows <= stamp.rows;
    if !prefix || r.u32()? as usize != cat {
        return None;
    }
    let ident = r.words()?;
    let dead = r.words()?;
    let mut indexes = Vec::new();
    for _ in 0..r.u32()? {
        let ncols = r.u32()? as usize;
        let mut cols = Vec::with_capacity(ncols.min(64));
        for _ in 0..ncols {
            cols.push(r.u32()? as usize);
        }
        let upto = r.u32()?;
        let ngroups = r.u32()? as usize;
        let len = usize::try_from(r.u64()?).ok()?;
        let mut v = Reader::new(r.take(len)?);
        let mut groups = Vec::with_capacity(ngroups.min(len));
        for _ in 0..ngroups {
            let n = usize::try_from(v.u64()?).ok()?;
            let mut g = Vec::with_capacity(n.min(len));
            let mut row = 0u32;
            for i in 0..n {
                let d = v.u32()?;
                row = if i == 0 { d } else { row.checked_add(d)? };
                g.push(row);
            }
            groups.push(g);
        }
        if !v.is_done() {
            return None;
        }
        indexes.push((cols, upto, groups));
    }
    if !r.0.is_empty() {
        return None;
    }
    Some(Saved {
        rows: found.rows,
        ident: (!ident.is_empty()).then_some(ident),
        dead,
        indexes,
    })
}

/// Write the tables of `rel`, category `cat`, for rows `stamp`.
pub fn write(dir: &Path, cat: usize, stamp: Stamp, rel: &Relation) -> std::io::Result<()> {
    let slots = rel.ident_slots();
    let mut out = Vec::with_capacity(64 + slots.len() * 8 + rel.len() * 2);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&stamp.program.to_le_bytes());
    out.extend_from_slice(&stamp.generation.to_le_bytes());
    out.extend_from_slice(&stamp.rows.to_le_bytes());
    out.extend_from_slice(&(cat as u32).to_le_bytes());
    put_words(&mut out, slots);
    let dead = rel.dead_bits();
    put_words(&mut out, &dead[..rel.len().div_ceil(64).min(dead.len())]);
    let indexes: Vec<_> = rel.indexes().iter().filter(|i| i.upto() > 0).collect();
    out.extend_from_slice(&(indexes.len() as u32).to_le_bytes());
    let mut packed = Vec::new();
    for index in indexes {
        out.extend_from_slice(&(index.cols().len() as u32).to_le_bytes());
        for &c in index.cols() {
            out.extend_from_slice(&(c as u32).to_le_bytes());
        }
        out.extend_from_slice(&index.upto().to_le_bytes());
        out.extend_from_slice(&(index.groups().len() as u32).to_le_bytes());
        packed.clear();
        for g in index.groups() {
            varint::put(&mut packed, g.len() as u64);
            let mut prev = 0u32;
            for (i, &row) in g.iter().enumerate() {
                varint::put(
                    &mut packed,
                    u64::from(if i == 0 { row } else { row - prev }),
                );
                prev = row;
            }
        }
        out.extend_from_slice(&(packed.len() as u64).to_le_bytes());
        out.extend_from_slice(&packed);
    }
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    let folder = dir.join(DIR);
    std::fs::create_dir_all(&folder)?;
    let tmp = folder.join(format!(".{cat}.bin.tmp"));
    std::fs::write(&tmp, &out)?;
    std::fs::rename(&tmp, path(dir, cat))
}

/// Drop the file of category `cat` (its tables are no longer saved).
pub fn remove(dir: &Path, cat: usize) {
    let _ = std::fs::remove_file(path(dir, cat));
}

fn put_words(out: &mut Vec<u8>, words: &[u64]) {
    out.extend_from_slice(&(words.len() as u64).to_le_bytes());
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

/// A fast 64-bit checksum of whole words (and the tail): damage, not
/// malice, is what it guards against.
fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(31);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    h ^ h >> 29
}

/// A cursor over a file's bytes.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A length and that many words.
    fn words(&mut self) -> Option<Vec<u64>> {
        let n = usize::try_from(self.u64()?).ok()?;
        let bytes = self.take(n.checked_mul(8)?)?;
        Some(
            bytes
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{CatId, Category, Field, Keep, Plan};
    use crate::store::Store;
    use crate::value::{from_int, Type};

    fn store() -> Store {
        store_with(true)
    }

    fn store_with(keyed: bool) -> Store {
        let cat = Category {
            name: "t".into(),
            fields: ["a", "b"]
                .map(|n| Field {
                    name: n.into(),
                    ty: Type::Int,
                })
                .to_vec(),
            key: keyed.then(|| vec![0]),
            keep: if keyed { Keep::Min(1) } else { Keep::Least },
            private: false,
        };
        Store::new(&Plan {
            categories: vec![cat],
            ..Plan::default()
        })
    }

    #[test]
    fn saved_tables_load_back_and_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let t = CatId(0);
        let mut a = store();
        let ix = a.ensure_index(t, &[1]);
        let mut words = Vec::new();
        for i in 0..3000i64 {
            for [k, v] in [[i % 700, 9 - i % 5], [i % 700, 1]] {
                let tuple = [from_int(k), from_int(v)];
                if a.relation_mut(t).insert(&tuple).row().is_some() {
                    words.extend_from_slice(&tuple);
                }
            }
        }
        a.catch_up_all();
        let a = a.relation_mut(t);
        let stamp = Stamp {
            program: 7,
            generation: 1,
            rows: a.len() as u32,
        };
        write(dir.path(), 3, stamp, a).unwrap();
        assert!(read(dir.path(), 3, Stamp { rows: 1, ..stamp }).is_none());
        assert!(read(dir.path(), 2, stamp).is_none());
        let saved = read(dir.path(), 3, stamp).unwrap();
        let mut b = store();
        let ib = b.ensure_index(t, &[1]);
        let b = b.relation_mut(t);
        assert_eq!(b.load_rows_saved(words.clone(), a.len(), saved), Ok(true));
        assert_eq!(b.live_len(), a.live_len());
        assert_eq!(b.lookup(ib, &[from_int(1)]), a.lookup(ix, &[from_int(1)]));
        let next = [from_int(5), from_int(0)];
        assert_eq!(b.insert(&next), a.insert(&next));
        // One flipped byte anywhere: the file is not used.
        let file = path(dir.path(), 3);
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[100] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(read(dir.path(), 3, stamp).is_none());
    }

    /// A file saved for the first rows serves a relation with more: the
    /// rows past it are inserted on top, and the result is the relation
    /// built from all the rows (keyed, with superseded rows, and not).
    #[test]
    fn tables_saved_for_a_prefix_serve_more_rows() {
        for keyed in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let t = CatId(0);
            let make = || {
                let mut s = store_with(keyed);
                let ix = s.ensure_index(t, &[1]);
                (s, ix)
            };
            let (mut a, ix) = make();
            let mut words = Vec::new();
            let add = |a: &mut Store, from: i64, to: i64, words: &mut Vec<u64>| {
                for i in from..to {
                    for [k, v] in [[i % 700, 9 - i % 5], [i % 700, i % 3]] {
                        let tuple = [from_int(k), from_int(v)];
                        if a.relation_mut(t).insert(&tuple).row().is_some() {
                            words.extend_from_slice(&tuple);
                        }
                    }
                }
            };
            add(&mut a, 0, 2000, &mut words);
            a.catch_up_all();
            let stamp = Stamp {
                program: 7,
                generation: 1,
                rows: a.relation(t).len() as u32,
            };
            write(dir.path(), 0, stamp, a.relation(t)).unwrap();
            add(&mut a, 2000, 3000, &mut words);
            let more = Stamp {
                rows: a.relation(t).len() as u32,
                ..stamp
            };
            assert!(more.rows > stamp.rows);
            let saved = read(dir.path(), 0, more).unwrap();
            assert_eq!(saved.rows, stamp.rows);
            assert!(read(
                dir.path(),
                0,
                Stamp {
                    generation: 2,
                    ..more
                }
            )
            .is_none());
            let (mut b, ib) = make();
            let n = a.relation(t).len();
            assert_eq!(
                b.relation_mut(t).load_rows_saved(words.clone(), n, saved),
                Ok(true)
            );
            a.catch_up_all();
            b.catch_up_all();
            let (ra, rb) = (a.relation(t), b.relation(t));
            assert_eq!(rb.live_len(), ra.live_len(), "keyed: {keyed}");
            // The same superseded rows (the bitsets' spare capacity aside).
            let marks = |bits: &[u64]| {
                let used = bits.iter().rposition(|&w| w != 0).map_or(0, |i| i + 1);
                bits[..used].to_vec()
            };
            assert_eq!(
                marks(rb.dead_bits()),
                marks(ra.dead_bits()),
                "keyed: {keyed}"
            );
            for v in 0..10 {
                assert_eq!(
                    rb.lookup(ib, &[from_int(v)]),
                    ra.lookup(ix, &[from_int(v)]),
                    "keyed: {keyed}, v = {v}"
                );
            }
            for tuple in [[from_int(5), from_int(0)], [from_int(701), from_int(3)]] {
                assert_eq!(
                    b.relation_mut(t).insert(&tuple),
                    a.relation_mut(t).insert(&tuple)
                );
            }
        }
    }
}
