//! A secondary index of a relation: rows grouped by the words of some
//! columns.
//!
//! The hash table holds, per distinct key, the first row with that key
//! (to compare keys against, so the key itself is never stored) and the
//! number of its group; the group lists the key's row ids in insertion
//! order. Lookups hash the key words once and compare them against the
//! first row's columns.

use hashbrown::HashTable;

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
    /// Row ids per key, in insertion order (dead rows may remain; readers
    /// skip them).
    groups: Vec<Vec<u32>>,
    /// Rows below this id are indexed.
    upto: u32,
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
    pub fn groups(&self) -> &[Vec<u32>] {
        &self.groups
    }

    /// An index on `cols` of rows `0..upto` from the groups
    /// [`Index::groups`] gave (`rows`: the relation's words). `None` when
    /// they cannot be: an empty group, a row out of range or out of order,
    /// or two groups with one key.
    pub fn from_groups(
        cols: &[usize],
        groups: Vec<Vec<u32>>,
        upto: u32,
        rows: &[Word],
        arity: usize,
    ) -> Option<Index> {
        if cols.iter().any(|&c| c >= arity) || rows.len() < upto as usize * arity {
            return None;
        }
        let mut table = HashTable::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            let first = *group.first()?;
            if group.windows(2).any(|w| w[0] >= w[1]) || *group.last()? >= upto {
                return None;
            }
            let f = first as usize * arity;
            let row = &rows[f..f + arity];
            let hash = key_hash(row, cols);
            let same = |&(other, _): &(u32, u32)| {
                let o = other as usize * arity;
                cols.iter().all(|&c| rows[o + c] == row[c])
            };
            if table.find(hash, same).is_some() {
                return None;
            }
            table.insert_unique(hash, (first, g as u32), |&(r, _)| {
                let o = r as usize * arity;
                key_hash(&rows[o..o + arity], cols)
            });
        }
        Some(Index {
            cols: cols.to_vec(),
            table,
            groups,
            upto,
        })
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
            let groups = &mut self.groups;
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
            match entry {
                hashbrown::hash_table::Entry::Occupied(o) => {
                    groups[o.get().1 as usize].push(r as u32)
                }
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert((r as u32, groups.len() as u32));
                    groups.push(vec![r as u32]);
                }
            }
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
        &self.groups[group as usize]
    }

    /// Number of distinct keys.
    pub fn keys(&self) -> usize {
        self.table.len()
    }
}
