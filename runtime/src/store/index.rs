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
//! the room (or, when it is the last span, grows where it is), leaving its
//! old span unused. Millions of row ids are then one big allocation (see
//! [`Buf`]) that a database saves and loads as one array, instead of
//! thousands of small ones. The price is unused room: once the arena is
//! more than [`SLACK`] times the ids in use, a catch-up compacts it,
//! leaving each group half its length again as room.

use hashbrown::HashTable;

use super::buf::Buf;
use super::hash_words;
use crate::value::Word;

/// The arena is compacted when it is this many times the ids in use.
const SLACK: usize = 3;

pub use crate::plan::IndexId;

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
    /// Ids in all groups (the rest of the arena is room).
    ids: usize,
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
            ids: ids.len(),
            arena: ids,
            upto,
        })
    }

    /// Build the table of an index from [`Index::saved`] over the rows
    /// it was saved for (`rows`: the relation's words, `len` rows); false
    /// when the groups cannot be those of these rows: a column past the
    /// arity, rows not yet there, more ids than rows, an empty group, a row
    /// out of range or out of order, or two groups with one key.
    pub fn attach(&mut self, rows: &[Word], arity: usize, len: u32) -> bool {
        let cols = &self.cols;
        // Each row is in one group at most.
        if cols.iter().any(|&c| c >= arity) || self.upto > len || self.ids > self.upto as usize {
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
            // A group never holds more ids than there are rows (u32).
            let cap = s.cap.saturating_mul(2).max(1);
            if s.start + s.cap as usize == arena.len() {
                arena.resize(s.start + cap as usize, 0);
            } else {
                let start = arena.len();
                arena.extend_from_within(s.start..s.start + s.len as usize);
                arena.resize(start + cap as usize, 0);
                s.start = start;
            }
            s.cap = cap;
        }
        arena[s.start + s.len as usize] = r;
        s.len += 1;
    }

    /// Copy every group into a new arena with half its length as room.
    fn compact(&mut self) {
        let room = |len: u32| len.saturating_add(len / 2).max(1);
        let mut arena: Buf<u32> = Buf::new();
        arena.reserve(self.spans.iter().map(|s| room(s.len) as usize).sum());
        for s in &mut self.spans {
            let start = arena.len();
            arena.extend_from_slice(&self.arena[s.start..s.start + s.len as usize]);
            arena.resize(start + room(s.len) as usize, 0);
            (s.start, s.cap) = (start, room(s.len));
        }
        self.arena = arena;
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
            self.ids += 1;
        }
        self.upto = len as u32;
        if self.arena.len() > SLACK * self.ids + 4096 {
            self.compact();
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn groups_of(index: &Index, rows: &[Word], keys: u64) -> Vec<Vec<u32>> {
        (0..keys)
            .map(|k| {
                index
                    .lookup(rows, 1, &[k])
                    .map_or_else(Vec::new, |g| index.group(g).to_vec())
            })
            .collect()
    }

    /// Groups that grow unevenly over many catch-ups keep their rows in
    /// order while the arena moves, grows in place and compacts; saved and
    /// attached again, they serve rows on top alike; damaged, they are
    /// refused.
    #[test]
    fn groups_keep_their_rows_as_the_arena_grows_compacts_and_is_saved() {
        const KEYS: u64 = 2000;
        let (mut rows, mut want) = (Vec::new(), vec![Vec::new(); KEYS as usize]);
        let mut index = Index::new(&[0]);
        let mut rng = 7u64;
        let mut add = |rows: &mut Vec<Word>, want: &mut Vec<Vec<u32>>, n: usize| {
            for _ in 0..n {
                rng = rng
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                // Skewed: low keys get most rows.
                let key = ((rng >> 33) % KEYS) * ((rng >> 20) % KEYS) / KEYS;
                want[key as usize].push(rows.len() as u32);
                rows.push(key);
            }
        };
        // Nine rows for every key in turn: each group moves three times,
        // leaving 15 ids of room behind for 9 used, and the arena compacts.
        for i in 0..9 * KEYS {
            want[(i % KEYS) as usize].push(rows.len() as u32);
            rows.push(i % KEYS);
        }
        index.catch_up(&rows, 1, rows.len(), &[]);
        let mut compacted = index.arena.len() < 31 * KEYS as usize;
        for round in 0..120 {
            add(&mut rows, &mut want, (round % 7) * 60 + 1);
            let before = index.arena.len();
            index.catch_up(&rows, 1, rows.len(), &[]);
            compacted |= index.arena.len() < before;
            assert!(index.arena.len() <= SLACK * index.ids + 4096);
        }
        assert!(compacted, "the arena never compacted");
        assert_eq!(groups_of(&index, &rows, KEYS), want);

        let lens: Vec<u32> = index.groups().map(|g| g.len() as u32).collect();
        let ids: Vec<u32> = index.groups().flatten().copied().collect();
        let saved = |ids: Vec<u32>| Index::saved(vec![0], index.upto(), &lens, Buf::from(ids));
        let mut loaded = saved(ids.clone()).expect("lengths add up");
        assert!(loaded.attach(&rows, 1, rows.len() as u32));
        add(&mut rows, &mut want, 500);
        loaded.catch_up(&rows, 1, rows.len(), &[]);
        assert_eq!(groups_of(&loaded, &rows, KEYS), want);

        let n = rows.len() as u32;
        assert!(saved(ids[1..].to_vec()).is_none(), "an id missing");
        let mut swapped = ids.clone();
        swapped.swap(0, 1);
        let mut bad = saved(swapped).expect("lengths add up");
        assert!(!bad.attach(&rows, 1, n), "a group out of order");
        let mut past = ids.clone();
        past[lens[0] as usize - 1] = n + 5;
        assert!(
            !saved(past).expect("lengths").attach(&rows, 1, n),
            "a row past the end"
        );
    }
}
