//! Saved tables: a big category's rows, identity table and indexes, kept
//! beside the store so that resuming reads them instead of decoding and
//! rebuilding them.
//!
//! Resuming otherwise decodes every row from its block and rebuilds every
//! table from the rows (hashing each row into the identity table, grouping
//! it into each index): for millions of rows that is most of a resume's
//! time, and a merge or a small incremental run starts with a resume. So a
//! finished run also writes, for every category of at least [`MIN_ROWS`]
//! rows that grew by more than [`REWRITE`] of its rows since its file was
//! written (or has none), the file `tables/N.bin` (`N`: the category's id)
//! holding its rows' words, its identity table's slots, its superseded
//! rows and its indexes' groups, and a resume loads it
//! ([`crate::store::Relation::load_rows_saved`]) and decodes only the
//! blocks of rows found after it.
//!
//! Loading is shaped by what memory costs at this size: every fresh page
//! is a page fault, dearer than copying the bytes in it. So the arrays are
//! stored raw (little-endian words and 32-bit row ids), at offsets the
//! header gives, and read straight into the arrays they stay in ([`Buf`]:
//! huge pages, populated ahead), in pieces read and checksummed on all
//! threads ([`super::checked_io::read_pieces`]); and a run or merge starts
//! reading every file on its own thread when it opens the database
//! ([`Prefetch`]), so the reading overlaps sled's recovery.
//!
//! ```text
//! file   := "foldtab4" program:u64 generation:u32 rows:u32 record:u32 cat:u32
//!           arity:u32 words:u64 slots:u64 dead:u64 indexes:u32 index*
//!           word*words slot*slots dead*dead (len:u32*groups id:u32*ids)*indexes
//!           crc:u32                                 CRC-32 of all before it
//! index  := cols:u32 col:u32*cols upto:u32 groups:u32 ids:u64
//! ```
//!
//! The files are a cache, never the record: the rows are in the blocks
//! too, with their provenance. One is used only when it was written for a
//! prefix of the rows on disk: by the same program, for at most as many
//! rows and the same generation of the category (rows are only appended
//! between two resets, so within a generation the first N rows are always
//! the same rows), from the very blocks that hold those rows now (`record`,
//! a checksum of their keys and sled values, [`record`]: a block's value is
//! its place and checksum, so this reads no block); when its checksum holds
//! and its sizes are those the header gives; and when its tables fit the
//! rows (a table that could make a lookup read out of range or never end
//! is refused) and the rows after them replay on top. Those rows are
//! inserted as any rows are: a small incremental
//! run or merge does not rewrite tens of megabytes for a few new rows, and
//! the next resume inserts those few again. Otherwise every row is decoded
//! from its block and the tables are rebuilt, and the next finished run
//! writes the file again. Only categories without strings or lists are
//! saved: their words and identity hashes are the values themselves,
//! while a string's word is an interner id that differs between processes.
//!
//! A file is written whole beside its final name and renamed into place,
//! never changed in place, after the checkpoint it describes is on disk;
//! so a file is never ahead of the store, and a merge may link the files
//! of the database it copies instead of copying them.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use super::checked_io::{le_bytes, read_pieces, write_pieces, CheckedReader};
use super::copy::create_unshared;
use crate::store::{Buf, IdentTable, Index, Relation, Saved};

/// The folder of the saved tables, in the database directory.
pub const DIR: &str = "tables";
/// Smaller categories rebuild their tables in a millisecond or two.
pub const MIN_ROWS: usize = 1 << 16;
/// A file is rewritten when more than this share of the rows (1/8) lie
/// past it: inserting them on every resume then costs about as much as
/// writing the file once.
pub const REWRITE: usize = 8;

/// Version 4: the rows' words too, the checksum of the blocks they were
/// saved from, and a header giving every array's size, so the arrays are
/// read in parallel; files of earlier versions are not read (the tables
/// are rebuilt and written again by the next finished run).
const MAGIC: &[u8; 8] = b"foldtab4";

/// The checksum of a category's blocks below row `below` (`blocks`: each
/// block's first row and sled value, in row order), which a file records
/// and a resume compares.
pub fn record<'a>(blocks: impl IntoIterator<Item = (usize, &'a [u8])>, below: usize) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    for (first, value) in blocks.into_iter().take_while(|(first, _)| *first < below) {
        crc.update(&(first as u64).to_le_bytes());
        crc.update(&(value.len() as u64).to_le_bytes());
        crc.update(value);
    }
    crc.finalize()
}

/// Which rows a file's tables belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// A hash of the program's fingerprint.
    pub program: u64,
    pub generation: u32,
    pub rows: u32,
}

impl Stamp {
    /// Whether tables saved for `self` serve the rows `wanted`: the same
    /// program and generation, and a prefix of its rows.
    pub fn serves(&self, wanted: &Stamp) -> bool {
        self.program == wanted.program
            && self.generation == wanted.generation
            && self.rows <= wanted.rows
    }
}

fn path(dir: &Path, cat: usize) -> PathBuf {
    dir.join(DIR).join(format!("{cat}.bin"))
}

/// The saved rows and tables of category `cat` for a prefix of rows
/// `stamp`, if a file holds them whole; anything else (no file, another
/// program or generation, more rows, damage) is `None`.
pub fn read(dir: &Path, cat: usize, stamp: Stamp) -> Option<Saved> {
    read_any(dir, cat, 0).and_then(|(found, saved)| found.serves(&stamp).then_some(saved))
}

/// What a file's header says of one index.
struct IndexHead {
    cols: Vec<usize>,
    upto: u32,
    groups: usize,
    ids: usize,
}

/// The file of category `cat` and the rows it was written for, if it is
/// whole and its tables are well formed (whether they serve the rows on
/// disk is the caller's to check, [`Stamp::serves`]). The rows' array has
/// room for `room` rows more.
fn read_any(dir: &Path, cat: usize, room: usize) -> Option<(Stamp, Saved)> {
    let file = File::open(path(dir, cat)).ok()?;
    let len = file.metadata().ok()?.len();
    let mut r = CheckedReader::new(BufReader::with_capacity(1 << 12, &file), len);
    if &r.bytes::<8>()? != MAGIC {
        return None;
    }
    let found = Stamp {
        program: r.u64()?,
        generation: r.u32()?,
        rows: r.u32()?,
    };
    let record = r.u32()?;
    if r.u32()? as usize != cat {
        return None;
    }
    let arity = r.u32()? as usize;
    let (words, slots, dead) = (r.count(8)?, r.count(8)?, r.count(8)?);
    let mut heads = Vec::new();
    for _ in 0..r.u32()? {
        let ncols = r.u32()?;
        let cols = (0..ncols)
            .map(|_| r.u32().map(|c| c as usize))
            .collect::<Option<_>>()?;
        let upto = r.u32()?;
        let groups = usize::try_from(r.u32()?).ok()?;
        heads.push(IndexHead {
            cols,
            upto,
            groups,
            ids: r.count(4)?,
        });
    }
    // The arrays must fill the rest of the file exactly, checksum aside:
    // then no size is allocated that the file does not hold.
    let at = r.consumed();
    let mut size = Some(0u64);
    for (n, width) in [(words, 8), (slots, 8), (dead, 8)]
        .into_iter()
        .chain(heads.iter().flat_map(|h| [(h.groups, 4), (h.ids, 4)]))
    {
        size = size.and_then(|s| s.checked_add((n as u64).checked_mul(width)?));
    }
    if at.checked_add(size?)?.checked_add(4)? != len
        || words != (found.rows as usize).checked_mul(arity)?
    {
        return None;
    }
    let crc = r.into_crc();
    let mut words: Buf<u64> = Buf::zeroed_unpopulated_room(words, room.saturating_mul(arity));
    let mut slots: Buf<u64> = Buf::zeroed_unpopulated(slots);
    let mut dead: Buf<u64> = Buf::zeroed_unpopulated(dead);
    let mut lens: Vec<Buf<u32>> = heads
        .iter()
        .map(|h| Buf::zeroed_unpopulated(h.groups))
        .collect();
    let mut ids: Vec<Buf<u32>> = heads
        .iter()
        .map(|h| Buf::zeroed_unpopulated(h.ids))
        .collect();
    let mut arrays: Vec<&mut [u8]> = vec![words.bytes_mut(), slots.bytes_mut(), dead.bytes_mut()];
    for (l, i) in lens.iter_mut().zip(&mut ids) {
        arrays.push(l.bytes_mut());
        arrays.push(i.bytes_mut());
    }
    if !read_pieces(&file, at, arrays, crc) {
        return None;
    }
    if cfg!(target_endian = "big") {
        for a in [&mut words, &mut slots, &mut dead] {
            a.iter_mut().for_each(|w| *w = u64::from_le(*w));
        }
        for a in lens.iter_mut().chain(&mut ids) {
            a.iter_mut().for_each(|w| *w = u32::from_le(*w));
        }
    }
    let used = slots
        .par_chunks(1 << 16)
        .map(|piece| IdentTable::count_slots(piece, found.rows))
        .try_reduce(|| 0, |a, b| Some(a + b))?;
    let dead_count: usize = dead.iter().map(|w| w.count_ones() as usize).sum();
    let live = (found.rows as usize).checked_sub(dead_count)?;
    let ident = IdentTable::from_slots(slots, used, live)?;
    let indexes = heads
        .into_iter()
        .zip(lens.iter().zip(ids))
        .map(|(h, (lens, ids))| Index::saved(h.cols, h.upto, lens, ids))
        .collect::<Option<_>>()?;
    Some((
        found,
        Saved {
            rows: found.rows,
            words,
            ident: Some(ident),
            dead: dead.to_vec(),
            indexes,
            record,
        },
    ))
}

/// A file's stamp and tables, if it is whole ([`read_any`]).
type Found = Option<(Stamp, Saved)>;

/// The tables files of a database being read in the background while the
/// store opens (sled's recovery and the blocks of facts take about as
/// long as the biggest file): one thread reads them in category order, the
/// order in which a resume asks for them.
#[derive(Debug, Default)]
pub struct Prefetch {
    /// The categories the thread reads, in its order.
    pending: Vec<usize>,
    /// Files read before their category was asked for.
    arrived: Vec<(usize, Found)>,
    from: Option<mpsc::Receiver<(usize, Found)>>,
}

impl Prefetch {
    /// Start reading every tables file in `dir`, leaving room in the rows
    /// of category `c` for `room[c]` rows more (none past its end).
    pub fn start(dir: &Path, room: &[usize]) -> Prefetch {
        let Ok(entries) = std::fs::read_dir(dir.join(DIR)) else {
            return Prefetch::default();
        };
        let mut cats: Vec<usize> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name();
                name.to_str()?.strip_suffix(".bin")?.parse().ok()
            })
            .collect();
        if cats.is_empty() {
            return Prefetch::default();
        }
        cats.sort_unstable();
        let (to, from) = mpsc::channel();
        let (dir, order) = (dir.to_path_buf(), cats.clone());
        let room = room.to_vec();
        let reading = std::thread::Builder::new()
            .name("foldc-tables".into())
            .spawn(move || {
                for cat in order {
                    // Nobody is waiting any more (the resume failed or ended).
                    let more = room.get(cat).copied().unwrap_or(0);
                    if to.send((cat, read_any(&dir, cat, more))).is_err() {
                        break;
                    }
                }
            });
        // Without the thread each file is read when it is asked for.
        match reading {
            Ok(_) => Prefetch {
                pending: cats,
                arrived: Vec::new(),
                from: Some(from),
            },
            Err(_) => Prefetch::default(),
        }
    }

    /// The tables of category `cat` for a prefix of rows `stamp`: from the
    /// background read if it covers the file, else read now.
    pub fn take(&mut self, dir: &Path, cat: usize, stamp: Stamp) -> Option<Saved> {
        let found = match self.pending.iter().position(|&c| c == cat) {
            Some(at) => {
                self.pending.remove(at);
                self.wait_for(cat)
            }
            None => return read(dir, cat, stamp),
        };
        let (found, saved) = found?;
        found.serves(&stamp).then_some(saved)
    }

    fn wait_for(&mut self, cat: usize) -> Found {
        if let Some(at) = self.arrived.iter().position(|(c, _)| *c == cat) {
            return self.arrived.swap_remove(at).1;
        }
        let from = self.from.as_ref()?;
        while let Ok((c, found)) = from.recv() {
            if c == cat {
                return found;
            }
            self.arrived.push((c, found));
        }
        None
    }
}

/// Write the rows and tables of `rel`, category `cat`, for rows `stamp`,
/// saved from the blocks whose checksum is `record` ([`record`]).
pub fn write(
    dir: &Path,
    cat: usize,
    stamp: Stamp,
    record: u32,
    rel: &Relation,
) -> std::io::Result<()> {
    let folder = dir.join(DIR);
    std::fs::create_dir_all(&folder)?;
    let tmp = folder.join(format!(".{cat}.bin.tmp"));
    let words = &rel.words()[..stamp.rows as usize * rel.arity()];
    let slots = rel.ident_slots();
    let dead = rel.dead_bits();
    let dead = &dead[..rel.len().div_ceil(64).min(dead.len())];
    let indexes: Vec<_> = rel.indexes().iter().filter(|i| i.upto() > 0).collect();
    let mut h = Vec::new();
    let u32 = |h: &mut Vec<u8>, n: u32| h.extend_from_slice(&n.to_le_bytes());
    let u64 = |h: &mut Vec<u8>, n: u64| h.extend_from_slice(&n.to_le_bytes());
    h.extend_from_slice(MAGIC);
    u64(&mut h, stamp.program);
    u32(&mut h, stamp.generation);
    u32(&mut h, stamp.rows);
    u32(&mut h, record);
    u32(&mut h, cat as u32);
    u32(&mut h, rel.arity() as u32);
    for n in [words.len(), slots.len(), dead.len()] {
        u64(&mut h, n as u64);
    }
    u32(&mut h, indexes.len() as u32);
    // Each index's group lengths and its groups one after the other (the
    // arena they live in also holds the room they grow into).
    let mut groups = Vec::new();
    for index in &indexes {
        u32(&mut h, index.cols().len() as u32);
        for &c in index.cols() {
            u32(&mut h, c as u32);
        }
        let lens: Vec<u32> = index.groups().map(|g| g.len() as u32).collect();
        let mut ids: Buf<u32> = Buf::new();
        ids.reserve(lens.iter().map(|&n| n as usize).sum());
        index.groups().for_each(|g| ids.extend_from_slice(g));
        u32(&mut h, index.upto());
        u32(&mut h, lens.len() as u32);
        u64(&mut h, ids.len() as u64);
        groups.push((lens, ids));
    }
    let mut arrays = vec![
        le_bytes(words, u64::to_le),
        le_bytes(slots, u64::to_le),
        le_bytes(dead, u64::to_le),
    ];
    for (lens, ids) in &groups {
        arrays.push(le_bytes(lens, u32::to_le));
        arrays.push(le_bytes(ids, u32::to_le));
    }
    let arrays: Vec<&[u8]> = arrays.iter().map(|a| &a[..]).collect();
    write_pieces(&create_unshared(&tmp)?, &h, &arrays)?;
    std::fs::rename(&tmp, path(dir, cat))
}

/// Drop the file of category `cat` (its tables are no longer saved).
pub fn remove(dir: &Path, cat: usize) {
    let _ = std::fs::remove_file(path(dir, cat));
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
            indexes: Vec::new(),
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
        write(dir.path(), 3, stamp, 11, a).unwrap();
        assert!(read(dir.path(), 3, Stamp { rows: 1, ..stamp }).is_none());
        assert!(read(dir.path(), 2, stamp).is_none());
        let saved = read(dir.path(), 3, stamp).unwrap();
        let mut b = store();
        let ib = b.ensure_index(t, &[1]);
        let b = b.relation_mut(t);
        assert_eq!((saved.words.len(), saved.record), (words.len(), 11));
        assert_eq!(b.load_rows_saved(saved, Buf::new(), 0), Ok(true));
        assert_eq!(b.words(), &words[..]);
        assert_eq!(b.live_len(), a.live_len());
        assert_eq!(b.lookup(ib, &[from_int(1)]), a.lookup(ix, &[from_int(1)]));
        let next = [from_int(5), from_int(0)];
        assert_eq!(b.insert(&next), a.insert(&next));
        // Read in the background, the file gives the same tables, and only
        // for the rows it serves.
        let mut pre = Prefetch::start(dir.path(), &[]);
        let saved = pre.take(dir.path(), 3, stamp).unwrap();
        let mut c = store();
        let ic = c.ensure_index(t, &[1]);
        let c = c.relation_mut(t);
        assert_eq!(c.load_rows_saved(saved, Buf::new(), 0), Ok(true));
        assert_eq!(c.lookup(ic, &[from_int(1)]), a.lookup(ix, &[from_int(1)]));
        let other = Stamp {
            generation: 2,
            ..stamp
        };
        assert!(Prefetch::start(dir.path(), &[])
            .take(dir.path(), 3, other)
            .is_none());
        // One flipped byte anywhere (header, rows, slots, checksum), or
        // one byte more or less: the file is not used.
        let file = path(dir.path(), 3);
        let good = std::fs::read(&file).unwrap();
        let n = good.len();
        for at in [10, 40, 100, 5000, n / 2, n - 3] {
            let mut bytes = good.clone();
            bytes[at] ^= 1;
            std::fs::write(&file, &bytes).unwrap();
            assert!(read(dir.path(), 3, stamp).is_none(), "byte {at} flipped");
        }
        for bytes in [&good[..n - 1], &[&good[..], &[0]].concat()[..]] {
            std::fs::write(&file, bytes).unwrap();
            assert!(read(dir.path(), 3, stamp).is_none());
        }
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
            write(dir.path(), 0, stamp, 11, a.relation(t)).unwrap();
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
            let n0 = saved.rows as usize;
            let tail = Buf::from(words[n0 * 2..].to_vec());
            assert_eq!(
                b.relation_mut(t).load_rows_saved(saved, tail, n - n0),
                Ok(true)
            );
            assert_eq!(b.relation(t).words(), a.relation(t).words());
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
