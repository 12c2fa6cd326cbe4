//! Which database each row of the merged store comes from.
//!
//! The merged store starts as the base database, rows `0..base_len` of
//! every category; the other database's facts the base lacks are
//! appended after them, rows `base_len..other_end`; facts the merge finds
//! come last. A base row the other database also holds is marked *both*
//! (one bit per base row), so a row's side is two comparisons and a bit.

use crate::plan::CatId;
use crate::store::{Relation, Store};

/// Where a row of the merged store comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Both databases hold the fact.
    Both,
    /// Only the base database.
    Base,
    /// Only the other database.
    Other,
    /// Neither: the merge found it (or its stratum was recomputed).
    New,
}

/// The sides of one category's rows, and what inserting the other
/// database's facts did.
#[derive(Clone, Debug, Default)]
pub struct CatSides {
    pub base_len: u32,
    /// The end of the other database's appended rows.
    pub other_end: u32,
    both: Vec<u64>,
    /// The base's current facts, and superseded rows, at the start.
    pub base_live: usize,
    pub base_dead: usize,
    /// The other database's current facts.
    pub other_live: usize,
    /// Of those: held by the base too, appended, and lost against a
    /// better keyed fact of the base.
    pub both_count: usize,
    pub other_only: usize,
    pub lost: usize,
    /// The other database's facts were inserted.
    pub inserted: bool,
    /// Its stratum was recomputed: every row is new.
    pub recomputed: bool,
}

/// The sides of every category.
#[derive(Clone, Debug, Default)]
pub struct Sides {
    cats: Vec<CatSides>,
}

impl Sides {
    /// Every row of `store` (the base database) is the base's, so far.
    pub fn new(store: &Store) -> Sides {
        Sides {
            cats: store
                .relations()
                .iter()
                .map(|rel| CatSides {
                    base_len: rel.len() as u32,
                    other_end: rel.len() as u32,
                    base_live: rel.live_len(),
                    base_dead: rel.len() - rel.live_len(),
                    ..CatSides::default()
                })
                .collect(),
        }
    }

    pub fn cat(&self, cat: CatId) -> &CatSides {
        &self.cats[cat.index()]
    }

    pub fn cat_mut(&mut self, cat: CatId) -> &mut CatSides {
        &mut self.cats[cat.index()]
    }

    /// Where row `row` of `cat` comes from.
    #[inline]
    pub fn side(&self, cat: CatId, row: u32) -> Side {
        let c = &self.cats[cat.index()];
        if row >= c.other_end {
            Side::New
        } else if row >= c.base_len {
            Side::Other
        } else if c
            .both
            .get(row as usize / 64)
            .is_some_and(|w| w >> (row % 64) & 1 == 1)
        {
            Side::Both
        } else {
            Side::Base
        }
    }

    /// Base row `row` of `cat` is held by the other database too.
    pub fn set_both(&mut self, cat: CatId, row: u32) {
        let c = &mut self.cats[cat.index()];
        let w = row as usize / 64;
        if c.both.len() <= w {
            c.both
                .resize((c.base_len as usize).div_ceil(64).max(w + 1), 0);
        }
        c.both[w] |= 1 << (row % 64);
        c.both_count += 1;
    }

    /// How many current facts of `rel` (category `cat`) only the base
    /// holds: base rows neither superseded nor held by the other too. A
    /// handler whose friends include none of these cannot meet a mixed
    /// combination. A word of both bitsets at a time.
    pub fn base_only_live(&self, cat: CatId, rel: &Relation) -> usize {
        let c = self.cat(cat);
        let dead = rel.dead_bits();
        let len = c.base_len as usize;
        let mut n = 0;
        for w in 0..len.div_ceil(64) {
            let mask = if (w + 1) * 64 <= len {
                u64::MAX
            } else {
                (1u64 << (len % 64)) - 1
            };
            let taken = c.both.get(w).copied().unwrap_or(0) | dead.get(w).copied().unwrap_or(0);
            n += (!taken & mask).count_ones() as usize;
        }
        n
    }

    /// `cat`'s stratum was reset: its rows are all new from now on.
    pub fn recomputed(&mut self, cat: CatId) {
        let c = &mut self.cats[cat.index()];
        c.recomputed = true;
        c.base_len = 0;
        c.other_end = 0;
        c.both = Vec::new();
    }

    /// Whether `rel`'s current facts differ from the base's or from the
    /// other database's (what a stratum reading it through negation or
    /// an aggregate saw on either side).
    pub fn changed(&self, cat: CatId, rel: &Relation) -> bool {
        let c = self.cat(cat);
        c.recomputed
            || rel.len() != c.base_len as usize
            || c.base_live != c.both_count
            || c.other_live != c.both_count
    }

    /// Whether a fact current in the base or in the other database is not
    /// current in `rel` (a keyed category: a better fact won its key), so
    /// what either side found from it may no longer follow.
    pub fn superseded(&self, cat: CatId, rel: &Relation) -> bool {
        let c = self.cat(cat);
        c.recomputed
            || c.lost > 0
            || dead_in(rel, 0, c.base_len) > c.base_dead
            || dead_in(rel, c.base_len, c.other_end) > 0
    }
}

/// Superseded rows of `rel` in `lo..hi`, a word of the bitset at a time.
pub(super) fn dead_in(rel: &Relation, lo: u32, hi: u32) -> usize {
    let bits = rel.dead_bits();
    let (lo, hi) = (lo as usize, (hi as usize).min(bits.len() * 64));
    let mut n = 0;
    let mut r = lo;
    while r < hi {
        let w = bits[r / 64] >> (r % 64);
        let take = (64 - r % 64).min(hi - r);
        let mask = if take == 64 {
            u64::MAX
        } else {
            (1 << take) - 1
        };
        n += (w & mask).count_ones() as usize;
        r += take;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Category, Field, Keep};
    use crate::value::{from_int, Type};

    /// `k(a, b) key(a) keep min(b)` with `keys` keys, each given 9 and
    /// then 3: rows 2i are superseded, rows 2i+1 live.
    fn superseded_halves(keys: i64) -> Relation {
        let cat = Category {
            name: "k".into(),
            fields: ["a", "b"]
                .map(|n| Field {
                    name: n.into(),
                    ty: Type::Int,
                })
                .to_vec(),
            key: Some(vec![0]),
            keep: Keep::Min(1),
            private: false,
            indexes: Vec::new(),
        };
        let mut rel = Relation::new(&cat);
        for i in 0..keys {
            rel.insert(&[from_int(i), from_int(9)]);
            rel.insert(&[from_int(i), from_int(3)]);
        }
        rel
    }

    #[test]
    fn dead_rows_are_counted_in_any_range() {
        let rel = superseded_halves(100);
        // Key i gets 9, then 3: rows 2i die, rows 2i+1 live.
        assert_eq!(dead_in(&rel, 0, 200), 100);
        assert_eq!(dead_in(&rel, 1, 130), 64);
        assert_eq!(dead_in(&rel, 64, 64), 0);
        assert_eq!(dead_in(&rel, 190, 900), 5);
    }

    #[test]
    fn base_only_rows_exclude_dead_and_shared_ones() {
        let rel = superseded_halves(70);
        // 70 keys, each 9 then 3: 140 rows, the 70 odd ones live.
        let store_len = rel.len() as u32;
        let mut sides = Sides {
            cats: vec![CatSides {
                base_len: store_len,
                other_end: store_len,
                ..CatSides::default()
            }],
        };
        let c = CatId(0);
        assert_eq!(sides.base_only_live(c, &rel), 70);
        // Shared live rows stop counting; a shared dead one changes nothing.
        sides.set_both(c, 1);
        sides.set_both(c, 129);
        sides.set_both(c, 2);
        assert_eq!(sides.base_only_live(c, &rel), 68);
        // Rows past the base's end are not the base's.
        sides.cats[0].base_len = 65;
        assert_eq!(sides.base_only_live(c, &rel), 32 - 1);
    }
}
