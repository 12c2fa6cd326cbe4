//! The identity table of a relation: from a tuple's identity (the whole
//! tuple, or its key fields) to its current row id.
//!
//! An open-addressing table with linear probing over one `Vec<u64>`: each
//! entry packs a row id with 32 bits of the identity's hash. Compared with
//! a general hash table this has one cache miss per probe instead of two
//! (no separate control bytes), never reads rows to grow (slots are placed
//! by the stored hash bits), reads a row only when the 32 hash bits match,
//! and lets the inserting thread warm the slot of a later candidate while
//! it works on the current one ([`IdentTable::warm`]): the misses of
//! several inserts overlap instead of queueing.
//!
//! Rows are compared by a caller-supplied `same(row)`, so the table knows
//! nothing of arity, keys or `keep`.

use super::buf::Buf;
use crate::value::Word;

/// 0 is an empty slot; otherwise `(row + 1) | tag << 32`.
#[derive(Debug, Default)]
pub struct IdentTable {
    slots: Buf<u64>,
    len: usize,
    /// `slots.len() - 1` (a power of two minus one), or 0 when empty.
    mask: usize,
    shift: u32,
}

/// The 32 hash bits kept in a slot (never 0 in the packed form's row half).
#[inline]
pub fn tag_of(hash: u64) -> u32 {
    (hash >> 32) as u32
}

#[inline]
fn row_of(e: u64) -> u32 {
    (e as u32).wrapping_sub(1)
}

#[inline]
fn tag_in(e: u64) -> u32 {
    (e >> 32) as u32
}

/// Where the probe for an identity starts.
#[derive(Clone, Copy, Debug)]
pub enum Probe {
    /// The identity is present at this row; `slot` is its slot.
    Found { row: u32, slot: usize },
    /// Not present; it would go into `slot`.
    Vacant { slot: usize },
}

impl IdentTable {
    #[inline]
    fn home(&self, tag: u32) -> usize {
        // Fibonacci hashing of the kept bits: the slot needs no other bits,
        // so growing never re-reads a row.
        ((tag.wrapping_mul(0x9E37_79B9) as u64) << 32 >> self.shift) as usize
    }

    /// Find the row with this hash whose identity `same` accepts.
    #[inline]
    pub fn probe(&self, hash: u64, mut same: impl FnMut(u32) -> bool) -> Probe {
        if self.slots.is_empty() {
            return Probe::Vacant { slot: usize::MAX };
        }
        let tag = tag_of(hash);
        let mut i = self.home(tag);
        loop {
            let e = self.slots[i];
            if e == 0 {
                return Probe::Vacant { slot: i };
            }
            if tag_in(e) == tag && same(row_of(e)) {
                return Probe::Found {
                    row: row_of(e),
                    slot: i,
                };
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The row of an identity, if present.
    #[inline]
    pub fn find(&self, hash: u64, same: impl FnMut(u32) -> bool) -> Option<u32> {
        match self.probe(hash, same) {
            Probe::Found { row, .. } => Some(row),
            Probe::Vacant { .. } => None,
        }
    }

    /// The rows of `n` identities at once: identity `i` hashes to `hash(i)`
    /// and `same(i, row)` says whether `row` holds it. The probes go in the
    /// order of their home slots, a bucket of the table at a time and the
    /// buckets spread over threads, so they sweep the table instead of
    /// missing the cache once each (a merge looks up millions of facts).
    pub fn find_many(
        &self,
        n: usize,
        hash: impl Fn(usize) -> u64 + Sync,
        same: impl Fn(usize, u32) -> bool + Sync,
    ) -> Vec<Option<u32>> {
        use rayon::prelude::*;
        let mut out = vec![None; n];
        if self.slots.is_empty() || n == 0 {
            return out;
        }
        const BUCKET_BITS: u32 = 12;
        let shift = self
            .slots
            .len()
            .trailing_zeros()
            .saturating_sub(BUCKET_BITS);
        // Each tuple is hashed once, in order; the probes then carry their
        // tag (the home slot follows from it), so going through them in
        // table order reads no tuple again but those whose tag matches.
        let tags: Vec<u32> = (0..n)
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| tag_of(hash(i)))
            .collect();
        let mut starts = vec![0u32; (self.slots.len() >> shift) + 1];
        for &t in &tags {
            starts[(self.home(t) >> shift) + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        // (tuple, tag) packed as `i << 32 | tag`.
        let mut sorted = vec![0u64; n];
        for (i, &t) in tags.iter().enumerate() {
            let b = &mut starts[self.home(t) >> shift];
            sorted[*b as usize] = (i as u64) << 32 | u64::from(t);
            *b += 1;
        }
        drop(tags);
        let found: Vec<(u32, u32)> = sorted
            .par_chunks(1 << 14)
            .flat_map_iter(|chunk| {
                chunk.iter().filter_map(|&p| {
                    let (i, tag) = ((p >> 32) as u32, p as u32);
                    let mut at = self.home(tag);
                    loop {
                        let e = self.slots[at];
                        if e == 0 {
                            return None;
                        }
                        if tag_in(e) == tag && same(i as usize, row_of(e)) {
                            return Some((i, row_of(e)));
                        }
                        at = (at + 1) & self.mask;
                    }
                })
            })
            .collect();
        for (i, row) in found {
            out[i as usize] = Some(row);
        }
        out
    }

    /// Put `row` into the vacant `slot` a [`IdentTable::probe`] returned.
    #[inline]
    pub fn insert_at(&mut self, slot: usize, hash: u64, row: u32) {
        if slot == usize::MAX || (self.len + 1) * 8 > self.slots.len() * 5 {
            self.grow();
            self.insert_new(hash, row);
            return;
        }
        self.slots[slot] = pack(row, tag_of(hash));
        self.len += 1;
    }

    /// Point a present identity's slot at a new row (a better keyed fact).
    #[inline]
    pub fn replace_at(&mut self, slot: usize, hash: u64, row: u32) {
        self.slots[slot] = pack(row, tag_of(hash));
    }

    fn insert_new(&mut self, hash: u64, row: u32) {
        let tag = tag_of(hash);
        let mut i = self.home(tag);
        while self.slots[i] != 0 {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = pack(row, tag);
        self.len += 1;
    }

    /// Insert rows `first..first + n` whose identity hashes `hash(i)`
    /// gives (for row `first + i`), in the order of their home slots, so
    /// the writes sweep the table instead of missing the cache once per
    /// row (a database load of millions of rows). `hash` is called twice
    /// per row rather than storing the hashes. `same(a, b)`: rows `a` and
    /// `b` have the same identity. `Err(row)`: that row's identity was
    /// already present.
    pub fn insert_many(
        &mut self,
        first: u32,
        n: usize,
        hash: impl Fn(usize) -> u64,
        mut same: impl FnMut(u32, u32) -> bool,
    ) -> Result<(), u32> {
        self.reserve(self.len + n);
        // Counting sort of (tag, row) by the top bits of the home slot:
        // 4096 buckets, each a few kilobytes of table.
        const BUCKET_BITS: u32 = 12;
        let shift = self
            .slots
            .len()
            .trailing_zeros()
            .saturating_sub(BUCKET_BITS);
        let mut starts = vec![0u32; (self.slots.len() >> shift) + 1];
        for i in 0..n {
            starts[(self.home(tag_of(hash(i))) >> shift) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut sorted: Buf<u64> = Buf::zeroed(n);
        for i in 0..n {
            let tag = tag_of(hash(i));
            let b = &mut starts[self.home(tag) >> shift];
            sorted[*b as usize] = pack(first + i as u32, tag);
            *b += 1;
        }
        for &e in sorted.iter() {
            let (row, tag) = (row_of(e), tag_in(e));
            let mut i = self.home(tag);
            loop {
                let cur = self.slots[i];
                if cur == 0 {
                    self.slots[i] = e;
                    self.len += 1;
                    break;
                }
                if tag_in(cur) == tag && same(row_of(cur), row) {
                    return Err(row);
                }
                i = (i + 1) & self.mask;
            }
        }
        Ok(())
    }

    /// Number of identities held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The raw slots (for a database to save, see [`IdentTable::from_slots`]).
    pub fn slots(&self) -> &[u64] {
        &self.slots
    }

    /// The number of used slots among `slots` (a piece of a saved table's
    /// slots, see [`IdentTable::from_slots`]), or `None` if one of them
    /// points at a row past `rows`.
    pub fn count_slots(slots: &[u64], rows: u32) -> Option<usize> {
        let mut used = 0;
        let mut past = false;
        for &e in slots {
            used += usize::from(e != 0);
            past |= e != 0 && row_of(e) >= rows;
        }
        (!past).then_some(used)
    }

    /// A table from slots [`IdentTable::slots`] gave, of which `used` are
    /// used ([`IdentTable::count_slots`], all pointing at rows that
    /// exist), for `live` current rows. `None` when they cannot be such a
    /// table: a capacity that is not a power of two, too full to always
    /// end a probe at an empty slot, or a count that differs. (Slots that
    /// point at the wrong rows cannot be told apart here: a saved table is
    /// checksummed where it is kept.)
    pub fn from_slots(slots: Buf<u64>, used: usize, live: usize) -> Option<IdentTable> {
        let cap = slots.len();
        if cap == 0 {
            return (live == 0).then(IdentTable::default);
        }
        if !cap.is_power_of_two() || cap < 16 || (live + 1) * 8 > cap * 5 || used != live {
            return None;
        }
        Some(IdentTable {
            slots,
            len: used,
            mask: cap - 1,
            shift: 64 - cap.trailing_zeros(),
        })
    }

    /// Grow once so that `total` entries fit without growing again.
    pub fn reserve(&mut self, total: usize) {
        let mut cap = self.slots.len().max(16);
        while (total + 1) * 8 > cap * 5 {
            cap *= 2;
        }
        if cap > self.slots.len() {
            self.rehash(cap);
        }
    }

    fn grow(&mut self) {
        self.rehash((self.slots.len() * 2).max(16));
    }

    fn rehash(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, Buf::zeroed(cap));
        self.mask = cap - 1;
        self.shift = 64 - cap.trailing_zeros();
        for &e in old.iter() {
            if e != 0 {
                let mut i = self.home(tag_in(e));
                while self.slots[i] != 0 {
                    i = (i + 1) & self.mask;
                }
                self.slots[i] = e;
            }
        }
    }

    /// Touch the home slot of `hash` (and the first word of the row there,
    /// when its hash bits match) so that a later probe finds them cached.
    /// Returns a value only so the reads cannot be optimised away.
    #[inline]
    pub fn warm(&self, hash: u64, rows: &[Word], arity: usize) -> u64 {
        if self.slots.is_empty() {
            return 0;
        }
        let tag = tag_of(hash);
        let e = self.slots[self.home(tag)];
        if e != 0 && tag_in(e) == tag && arity > 0 {
            let at = row_of(e) as usize * arity;
            return rows.get(at).copied().unwrap_or(0);
        }
        e
    }
}

#[inline]
fn pack(row: u32, tag: u32) -> u64 {
    (row.wrapping_add(1)) as u64 | (tag as u64) << 32
}
