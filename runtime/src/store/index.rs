//! A secondary index of a relation: rows grouped by the words of some
//! columns.
//!
//! The hash table holds, per distinct key, the first row with that key
//! (to compare keys against, so the key itself is never stored) and the
//! number of its group; the group lists the key's row ids in insertion
//! order. Lookups hash the key words once and compare them against the
//! first row's columns.
//!
//! The groups live in one array (an arena) rather than one `Vec` each:
//! a group is a span of it, and a full group moves to the end with twice
//! the room, leaving its old span unused. Millions of row ids are then
//! one big allocation (see [`Buf`]) that a database saves and loads as
//! one array, instead of thousands of small ones, at the price of at most
//! as many unused ids as used ones.

use hashbrown::HashTable;

use super::buf::Buf;
use super::hash_words;
use crate::value::Word;

/// An index of one relation: an index into its list of indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexId(pub u32);

#[derive(Debug, Default)]
pub struct Index {
    cols: Vec<usize>,
    /// `(first row, group)` per distinct key.
    table: HashTable<(u32, u32)>,
    /// Where each group lies in `arena`.
    spans: Vec<Span>,
    /// Row ids per key, in insertion order (dead rows may remain; readers
    /// skip them).
    arena: Buf<u32>,
    /// Rows below this id are indexed.
    upto: u32,
}

/// A group's place in the arena: `len` ids from `start`, room for `cap`.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    len: u32,
    cap: u32,
}

#[inline]
fn key_hash(row: &[Word], cols: &[usize]) -> u64 {
    hash_words(cols.iter().map(|&c| row[c]))
}

impl Index {
    pub fn new(cols: &[usize]) -> Index {
        Index {
            cols: cols.to_vec(),
            ..Index::default()
        }
    }

    pub fn cols(&self) -> &[usize] {
        &self.cols
    }

    /// Rows below this id are indexed.
    pub fn upto(&self) -> u32 {
        self.upto
    }

    /// Every group of row ids, in the order keys were first seen.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &[u32]> + '_ {
        self.spans
            .iter()
            .map(|s| &self.arena[s.start..s.start + s.len as usize])
    }

    /// An index on `cols` of rows `0..upto` from the groups a database
    /// saved: group `g` holds `lens[g]` row ids, all of them one after the
    /// other in `ids`. `None` when the lengths do not add up. Its table is
    /// built by [`Index::attach`], which checks the groups against the rows.
    pub fn saved(cols: Vec<usize>, upto: u32, lens: &[u32], ids: Buf<u32>) -> Option<Index> {
        let mut spans = Vec::with_capacity(lens.len());
        let mut start = 0usize;
        for &len in lens {
            spans.push(Span {
                start,
                len,
                cap: len,
            });
            start = start.checked_add(len as usize)?;
        }
        (start == ids.len()).then_some(Index {
            cols,
            table: HashTable::new(),
            spans,
            arena: ids,
            upto,
        })
    }

    /// Build the table of an index from [`Index::saved`] over the rows
    /// it was saved for (`rows`: the relation's words, `len` rows); false
    /// when the groups cannot be those of these rows: a column past the
    /// arity, rows not yet there, an empty group, a row out of range or
    /// out of order, or two groups with one key.
    pub fn attach(&mut self, rows: &[Word], arity: usize, len: u32) -> bool {
        let cols = &self.cols;
        if cols.iter().any(|&c| c >= arity) || self.upto > len {
            return false;
        }
        let upto = self.upto;
        let mut table = HashTable::with_capacity(self.spans.len());
        for (g, s) in self.spans.iter().enumerate() {
            let group = &self.arena[s.start..s.start + s.len as usize];
            let (Some(&first), Some(&last)) = (group.first(), group.last()) else {
                return false;
            };
            if group.windows(2).any(|w| w[0] >= w[1]) || last >= upto {
                return false;
            }
            let f = first as usize * arity;
            let row = &rows[f..f + arity];
            let hash = key_hash(row, cols);
            let same = |&(other, _): &(u32, u32)| {
                let o = other as usize * arity;
                cols.iter().all(|&c| rows[o + c] == row[c])
            };
            if table.find(hash, same).is_some() {
                return false;
            }
            table.insert_unique(hash, (first, g as u32), |&(r, _)| {
                let o = r as usize * arity;
                key_hash(&rows[o..o + arity], cols)
            });
        }
        self.table = table;
        true
    }

    /// Append row `r` to group `g`, moving the group to the end of the
    /// arena with twice the room when it is full.
    fn push(spans: &mut [Span], arena: &mut Buf<u32>, g: usize, r: u32) {
        let s = &mut spans[g];
        if s.len == s.cap {
            let start = arena.len();
            let cap = (s.cap * 2).max(1);
            arena.extend_from_within(s.start..s.start + s.len as usize);
            arena.resize(start + cap as usize, 0);
            (s.start, s.cap) = (start, cap);
        }
        arena[s.start + s.len as usize] = r;
        s.len += 1;
    }

    /// Whether rows were added to the relation since the last catch-up.
    pub fn is_behind(&self, len: usize) -> bool {
        (self.upto as usize) < len
    }

    /// Index the rows added since the last call. Rows already dead are
    /// left out: they can never be read again.
    pub fn catch_up(&mut self, rows: &[Word], arity: usize, len: usize, dead: &[u64]) {
        let cols = &self.cols;
        for r in self.upto as usize..len {
            // The bitset ends at the last superseded row: rows past it live.
            if dead.get(r / 64).is_some_and(|w| w >> (r % 64) & 1 == 1) {
                continue;
            }
            let row = &rows[r * arity..(r + 1) * arity];
            let hash = key_hash(row, cols);
            let groups = self.spans.len() as u32;
            let entry = self.table.entry(
                hash,
                |&(first, _)| {
                    let f = first as usize * arity;
                    cols.iter().all(|&c| rows[f + c] == row[c])
                },
                |&(first, _)| {
                    let f = first as usize * arity;
                    key_hash(&rows[f..f + arity], cols)
                },
            );
            let g = match entry {
                hashbrown::hash_table::Entry::Occupied(o) => o.get().1,
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert((r as u32, groups));
                    self.spans.push(Span {
                        start: self.arena.len(),
                        len: 0,
                        cap: 0,
                    });
                    groups
                }
            };
            Self::push(&mut self.spans, &mut self.arena, g as usize, r as u32);
        }
        self.upto = len as u32;
    }

    /// The group of rows whose columns equal `key` (one word per column,
    /// in the order of [`Index::cols`]).
    #[inline]
    pub fn lookup(&self, rows: &[Word], arity: usize, key: &[Word]) -> Option<u32> {
        let hash = hash_words(key.iter().copied());
        let cols = &self.cols;
        self.table
            .find(hash, |&(first, _)| {
                let f = first as usize * arity;
                cols.iter().zip(key).all(|(&c, &k)| rows[f + c] == k)
            })
            .map(|&(_, g)| g)
    }

    /// The row ids of a group from [`Index::lookup`].
    #[inline]
    pub fn group(&self, group: u32) -> &[u32] {
        let s = self.spans[group as usize];
        &self.arena[s.start..s.start + s.len as usize]
    }

    /// Number of distinct keys.
    pub fn keys(&self) -> usize {
        self.table.len()
    }
}
