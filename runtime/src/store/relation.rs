//! One category's facts: flat rows, identity table, liveness, indexes.
//!
//! Identity: without a key the whole tuple is the identity; with a key the
//! key fields are, and the identity table points at the key's *current*
//! row. A better fact for a key (by [`Keep`]) is appended as a new row,
//! becomes current, and the old row is marked dead: it stays as history
//! (row ids never move) but indexes, joins, output and events skip it.

use std::cmp::Ordering;

use super::buf::Buf;
use super::hash_words;
use super::ident::{IdentTable, Probe};
use super::index::{Index, IndexId};
use crate::plan::{Category, Keep};
use crate::value::{compare, compare_tuples, Type, Word};

/// What inserting a tuple did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// A new fact with this row id.
    New(u32),
    /// A better fact for an existing key: new row `row`, `old` is now dead.
    Superseded { row: u32, old: u32 },
    /// Already known, or lost against the key's current fact.
    Known,
}

impl Inserted {
    /// The new row, if the tuple became a current fact.
    pub fn row(self) -> Option<u32> {
        match self {
            Inserted::New(r) | Inserted::Superseded { row: r, .. } => Some(r),
            Inserted::Known => None,
        }
    }
}

/// A relation's rows and tables as a database saves them, to load them
/// back without decoding the rows or rebuilding the tables: the rows'
/// words, the identity table's slots (only for values that are the same
/// words in every process: interner ids of strings and lists are not),
/// the superseded rows, and each index.
#[derive(Debug, Default)]
pub struct Saved {
    /// The rows the tables were saved for: a prefix of the rows loaded
    /// (rows are only appended within a generation).
    pub rows: u32,
    /// Their words, `arity` per row.
    pub words: Buf<Word>,
    /// Checked against the rows it was saved for ([`IdentTable::from_slots`]).
    pub ident: Option<IdentTable>,
    pub dead: Vec<u64>,
    /// Checked against the rows by [`Index::attach`].
    pub indexes: Vec<Index>,
    /// A checksum of the record the rows were saved from (its blocks),
    /// for the database to compare with the record it holds now.
    pub record: u32,
}

#[derive(Debug)]
pub struct Relation {
    name: String,
    arity: usize,
    types: Vec<Type>,
    key: Option<Vec<usize>>,
    keep: Keep,
    /// `arity` words per row, row `r` at `r * arity`.
    rows: Buf<Word>,
    len: u32,
    /// One bit per row: superseded (only keyed relations ever set one).
    dead: Vec<u64>,
    dead_count: usize,
    /// Row ids by identity (whole tuple, or key fields -> current row).
    ident: IdentTable,
    indexes: Vec<Index>,
}

impl Relation {
    /// An empty relation for `cat`, with the indexes the plan lists for it
    /// (empty until the first [`crate::store::Store::catch_up`]).
    pub fn new(cat: &Category) -> Relation {
        Relation {
            name: cat.name.clone(),
            arity: cat.arity(),
            types: cat.types(),
            key: cat.key.clone(),
            keep: cat.keep,
            rows: Buf::new(),
            len: 0,
            dead: Vec::new(),
            dead_count: 0,
            ident: IdentTable::default(),
            indexes: cat.indexes.iter().map(|cols| Index::new(cols)).collect(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    #[inline]
    pub fn arity(&self) -> usize {
        self.arity
    }
    pub fn types(&self) -> &[Type] {
        &self.types
    }
    pub fn is_keyed(&self) -> bool {
        self.key.is_some()
    }
    /// Number of rows, dead ones included (the next row id).
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Number of current facts.
    pub fn live_len(&self) -> usize {
        self.len as usize - self.dead_count
    }
    /// All rows' words, `arity` per row.
    #[inline]
    pub fn words(&self) -> &[Word] {
        &self.rows
    }

    #[inline]
    pub fn row(&self, r: u32) -> &[Word] {
        let start = r as usize * self.arity;
        &self.rows[start..start + self.arity]
    }

    /// Whether the row was superseded.
    #[inline]
    pub fn is_dead(&self, r: u32) -> bool {
        // Only keyed relations allocate the bitset, and only up to the last
        // superseded row; rows past it are alive.
        self.dead
            .get(r as usize / 64)
            .is_some_and(|w| w >> (r % 64) & 1 == 1)
    }

    /// The dead-row bitset: bit `r % 64` of word `r / 64` is set when row
    /// `r` was superseded; rows past its end are alive.
    #[inline]
    pub fn dead_bits(&self) -> &[u64] {
        &self.dead
    }

    /// Whether any row was ever superseded (readers may skip checks if not).
    #[inline]
    pub fn has_dead(&self) -> bool {
        self.dead_count > 0
    }

    /// Current rows, in row-id order.
    pub fn live_rows(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len).filter(move |&r| !self.is_dead(r))
    }

    /// The first `n` current rows in value order, without sorting them all
    /// (a preview of a big category stays cheap). Millions of rows are
    /// scanned in chunks on all threads; the first of each chunk's first
    /// are the first of all.
    pub fn first_rows(&self, n: usize) -> Vec<u32> {
        use rayon::prelude::*;
        const CHUNK: u32 = 1 << 16;
        let chunks: Vec<Vec<u32>> = (0..self.len.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let rows = c * CHUNK..(c * CHUNK).saturating_add(CHUNK).min(self.len);
                if self.dead.is_empty() {
                    self.first_of(rows, n)
                } else {
                    self.first_of(rows.filter(|&r| !self.is_dead(r)), n)
                }
            })
            .collect();
        self.first_of(chunks.into_iter().flatten(), n)
    }

    /// The first `n` of `rows` in value order.
    fn first_of(&self, rows: impl Iterator<Item = u32>, n: usize) -> Vec<u32> {
        let types = &self.types;
        let order = |a: u32, b: u32| compare_tuples(types, self.row(a), self.row(b));
        let arity = self.arity;
        let mut best: Vec<u32> = Vec::with_capacity(n + 1);
        for r in rows {
            if best.len() == n {
                // Most rows lose to the last kept on their first field.
                let Some(&l) = best.last() else { continue };
                let (a, b) = (r as usize * arity, l as usize * arity);
                let by_first = match types.first() {
                    Some(ty) => compare(ty, self.rows[a], self.rows[b]),
                    None => Ordering::Equal,
                };
                if by_first.is_gt() || (by_first.is_eq() && order(r, l).is_ge()) {
                    continue;
                }
            }
            let at = best.partition_point(|&b| order(b, r).is_lt());
            best.insert(at, r);
            best.truncate(n);
        }
        best
    }

    /// The hash of a tuple's identity (whole tuple or key fields).
    #[inline]
    pub fn ident_hash(&self, tuple: &[Word]) -> u64 {
        match &self.key {
            None => hash_words(tuple.iter().copied()),
            Some(key) => hash_words(key.iter().map(|&c| tuple[c])),
        }
    }

    /// Whether inserting `tuple` now would change nothing (it is known, or
    /// loses against its key's current fact). Read-only, so workers use it
    /// to drop known finds before the serial insert.
    #[inline]
    pub fn is_known(&self, hash: u64, tuple: &[Word]) -> bool {
        match &self.key {
            None => self
                .ident
                .find(hash, |r| same_words(self.row(r), tuple))
                .is_some(),
            Some(key) => match self.ident.find(hash, |r| same_key(key, self.row(r), tuple)) {
                None => false,
                Some(cur) => !self.better(tuple, self.row(cur)),
            },
        }
    }

    /// The current row with `tuple`'s identity (the same tuple, or for a
    /// keyed category the key's current fact), if any.
    pub fn current(&self, tuple: &[Word]) -> Option<u32> {
        let hash = self.ident_hash(tuple);
        match &self.key {
            None => self.ident.find(hash, |r| same_words(self.row(r), tuple)),
            Some(key) => self.ident.find(hash, |r| same_key(key, self.row(r), tuple)),
        }
    }

    /// [`Relation::current`] of `n` tuples at once (`tuple(i)` gives the
    /// i-th; `None` entries are not looked up), probed in table order.
    pub fn current_many<'t>(
        &self,
        n: usize,
        tuple: impl Fn(usize) -> Option<&'t [Word]> + Sync,
    ) -> Vec<Option<u32>> {
        // A tuple not to look up gets a hash no row can match: its probe
        // ends at the first empty slot or a failed comparison.
        let hash = |i: usize| tuple(i).map_or(0, |t| self.ident_hash(t));
        match &self.key {
            None => self.ident.find_many(n, hash, |i, r| {
                tuple(i).is_some_and(|t| same_words(self.row(r), t))
            }),
            Some(key) => self.ident.find_many(n, hash, |i, r| {
                tuple(i).is_some_and(|t| same_key(key, self.row(r), t))
            }),
        }
    }

    /// Touch what inserting a tuple with this hash will read (see
    /// [`IdentTable::warm`]).
    #[inline]
    pub fn warm(&self, hash: u64) -> u64 {
        self.ident.warm(hash, &self.rows, self.arity)
    }

    /// Insert a tuple (see [`Inserted`]).
    pub fn insert(&mut self, tuple: &[Word]) -> Inserted {
        let hash = self.ident_hash(tuple);
        self.insert_hashed(hash, tuple)
    }

    /// Insert a tuple whose [`Relation::ident_hash`] is already known.
    pub fn insert_hashed(&mut self, hash: u64, tuple: &[Word]) -> Inserted {
        debug_assert_eq!(tuple.len(), self.arity);
        let next = self.len;
        let probe = match &self.key {
            None => self.ident.probe(hash, |r| same_words(self.row(r), tuple)),
            Some(key) => self
                .ident
                .probe(hash, |r| same_key(key, self.row(r), tuple)),
        };
        match probe {
            Probe::Vacant { slot } => {
                self.ident.insert_at(slot, hash, next);
                push_row(&mut self.rows, &mut self.len, tuple);
                Inserted::New(next)
            }
            Probe::Found { row: old, slot } => {
                if self.key.is_none() || !self.better(tuple, self.row(old)) {
                    return Inserted::Known;
                }
                self.ident.replace_at(slot, hash, next);
                push_row(&mut self.rows, &mut self.len, tuple);
                let words = (self.len as usize).div_ceil(64);
                if self.dead.len() < words {
                    self.dead.resize(words.max(self.dead.len() * 2), 0);
                }
                self.dead[old as usize / 64] |= 1 << (old % 64);
                self.dead_count += 1;
                Inserted::Superseded { row: next, old }
            }
        }
    }

    /// Append `n` tuples of an unkeyed relation that the caller knows are
    /// absent and distinct (`tuple(i)` gives the i-th), as rows
    /// `len..len + n`; returns the first. One reservation for the rows and
    /// one for the identity table, whose entries go in sorted by home slot
    /// (a merge copies in millions of facts: row by row, each insert would
    /// miss the cache and the arrays would regrow and refault many times).
    /// `Err(row)`: row `row`'s identity was present after all; the rows are
    /// then appended without it, so the caller must give up the relation.
    pub fn append_absent<'t>(
        &mut self,
        n: usize,
        tuple: impl Fn(usize) -> &'t [Word],
    ) -> Result<u32, u32> {
        debug_assert!(self.key.is_none(), "append_absent on a keyed relation");
        let first = self.len;
        self.rows.reserve(n * self.arity);
        for i in 0..n {
            push_row(&mut self.rows, &mut self.len, tuple(i));
        }
        let (rows, arity) = (&self.rows, self.arity);
        let row = |r: u32| &rows[r as usize * arity..(r as usize + 1) * arity];
        self.ident.insert_many(
            first,
            n,
            |i| hash_words(row(first + i as u32).iter().copied()),
            |a, b| same_words(row(a), row(b)),
        )?;
        Ok(first)
    }

    /// Drop every row (its stratum is recomputed). The indexes stay
    /// declared, under the same ids, and refill on the next catch-up.
    pub fn clear(&mut self) {
        self.rows = Buf::new();
        self.len = 0;
        self.dead = Vec::new();
        self.dead_count = 0;
        self.ident = IdentTable::default();
        for index in &mut self.indexes {
            *index = Index::new(index.cols());
        }
    }

    /// Append rows saved from an earlier run, in row-id order (a database
    /// load). Every row must become a new row, as it did when it was
    /// first inserted; `Err(row)` names the first that does not (a damaged
    /// database). Without a key every row is a distinct current fact, so
    /// the rows are taken as they are (moved in, when the relation is
    /// empty) and the identity table is built in one sweep
    /// ([`IdentTable::insert_many`]); keyed rows are replayed one by one,
    /// which also marks the superseded ones.
    pub fn load_rows(&mut self, words: Buf<Word>, n: usize) -> Result<(), u32> {
        if words.len() != n * self.arity {
            return Err(self.len);
        }
        if self.key.is_some() || self.arity == 0 {
            for i in 0..n {
                let next = self.len;
                let tuple = &words[i * self.arity..(i + 1) * self.arity];
                if self.insert(tuple).row() != Some(next) {
                    return Err(next);
                }
            }
            return Ok(());
        }
        let first = self.len;
        let total = u32::try_from(n)
            .ok()
            .and_then(|n| first.checked_add(n))
            .ok_or(first)?;
        if self.rows.is_empty() {
            self.rows = words;
        } else {
            self.rows.extend_from_slice(&words);
        }
        self.len = total;
        let (rows, arity, len) = (&self.rows, self.arity, self.len as usize);
        let row = |r: u32| &rows[r as usize * arity..(r as usize + 1) * arity];
        let base = first as usize * arity;
        let hash = |i: usize| {
            hash_words(
                rows[base + i * arity..base + (i + 1) * arity]
                    .iter()
                    .copied(),
            )
        };
        // The declared indexes are built meanwhile on the other threads:
        // a load is followed by rounds that read them, and building them
        // now overlaps with the identity table instead of following it.
        let (ident, indexes) = (&mut self.ident, &mut self.indexes);
        let (loaded, ()) = rayon::join(
            || ident.insert_many(first, n, hash, |a, b| same_words(row(a), row(b))),
            || {
                use rayon::prelude::*;
                indexes
                    .par_iter_mut()
                    .for_each(|index| index.catch_up(rows, arity, len, &[]));
            },
        );
        loaded
    }

    /// Take the rows and tables a database saved ([`Saved`]) into this
    /// empty relation, instead of decoding the rows and rebuilding the
    /// tables, then load the `n` rows saved after them (`tail`) as
    /// [`Relation::load_rows`] does. Tables that do not fit the rows are
    /// not used: `Ok(false)`, and the relation is left empty (the caller
    /// then loads every row from the record). `Err(row)` as `load_rows`.
    pub fn load_rows_saved(
        &mut self,
        saved: Saved,
        tail: Buf<Word>,
        n: usize,
    ) -> Result<bool, u32> {
        let n0 = saved.rows as usize;
        let fits = self.len == 0
            && saved.words.len() == n0 * self.arity
            && n0.checked_add(n).is_some_and(|t| u32::try_from(t).is_ok());
        let dead_count: usize = saved.dead.iter().map(|w| w.count_ones() as usize).sum();
        let dead_fits = saved.dead.len() <= n0.div_ceil(64)
            && (self.key.is_some() || dead_count == 0)
            && saved.dead.last().is_none_or(|&w| {
                let used = n0 - (saved.dead.len() - 1) * 64;
                used >= 64 || w >> used == 0
            });
        let ident = saved
            .ident
            .filter(|t| fits && dead_fits && t.len() == n0 - dead_count);
        let Some(ident) = ident else {
            return Ok(false);
        };
        self.rows = saved.words;
        self.len = n0 as u32;
        self.dead = saved.dead;
        self.dead_count = dead_count;
        self.ident = ident;
        // Declared indexes take their saved groups; the others are built
        // by the first round that reads them, as in any run.
        let mut saved_indexes = saved.indexes;
        for index in &mut self.indexes {
            let Some(at) = saved_indexes.iter().position(|s| s.cols() == index.cols()) else {
                continue;
            };
            let mut ix = saved_indexes.swap_remove(at);
            if ix.attach(&self.rows, self.arity, self.len) {
                *index = ix;
            }
        }
        self.load_rows(tail, n)?;
        Ok(true)
    }

    /// The identity table's slots (for a database to save, see
    /// [`Relation::load_rows_saved`]).
    pub fn ident_slots(&self) -> &[u64] {
        self.ident.slots()
    }

    /// The declared indexes, by [`IndexId`].
    pub fn indexes(&self) -> &[Index] {
        &self.indexes
    }

    /// Whether `new` beats `current` (same key) by the category's `keep`.
    pub fn better(&self, new: &[Word], current: &[Word]) -> bool {
        better_by(self.keep, &self.types, new, current)
    }

    // ---- indexes ----

    /// The index on `cols` (declared now if new; filled on catch-up).
    pub fn ensure_index(&mut self, cols: &[usize]) -> IndexId {
        if let Some(id) = self.find_index(cols) {
            return id;
        }
        self.indexes.push(Index::new(cols));
        IndexId(self.indexes.len() as u32 - 1)
    }

    pub fn find_index(&self, cols: &[usize]) -> Option<IndexId> {
        self.indexes
            .iter()
            .position(|i| i.cols() == cols)
            .map(|i| IndexId(i as u32))
    }

    pub fn index_count(&self) -> usize {
        self.indexes.len()
    }

    #[inline]
    pub fn index_by(&self, id: IndexId) -> &Index {
        &self.indexes[id.0 as usize]
    }

    /// The rows (dead ones included; callers skip them) whose indexed
    /// columns equal `key`, or `None` when there are none.
    #[inline]
    pub fn lookup(&self, id: IndexId, key: &[Word]) -> Option<&[u32]> {
        let index = &self.indexes[id.0 as usize];
        index
            .lookup(&self.rows, self.arity, key)
            .map(|g| index.group(g))
    }

    /// Whether some current row has `key` in the index's columns.
    pub fn any_live(&self, id: IndexId, key: &[Word]) -> bool {
        match self.lookup(id, key) {
            None => false,
            Some(rows) => !self.has_dead() || rows.iter().any(|&r| !self.is_dead(r)),
        }
    }

    pub(super) fn parts_for_indexing(&mut self) -> (&[Word], usize, usize, &[u64], &mut [Index]) {
        (
            &self.rows,
            self.arity,
            self.len as usize,
            &self.dead,
            &mut self.indexes,
        )
    }
}

fn push_row(rows: &mut Buf<Word>, len: &mut u32, tuple: &[Word]) {
    rows.extend_from_slice(tuple);
    // Row ids are u32 (half the memory of usize in every index list).
    *len = len
        .checked_add(1)
        .unwrap_or_else(|| panic!("more than 4 billion rows in one category"));
}

/// Word-slice equality without a `memcmp` call (rows are a few words).
#[inline]
pub(crate) fn same_words(a: &[Word], b: &[Word]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[inline]
fn same_key(key: &[usize], a: &[Word], b: &[Word]) -> bool {
    key.iter().all(|&c| a[c] == b[c])
}

/// `keep`'s choice between two facts with the same key: never depends on
/// which arrived first.
fn better_by(keep: Keep, types: &[Type], new: &[Word], current: &[Word]) -> bool {
    if new == current {
        return false;
    }
    let by_field = match keep {
        Keep::Least => Ordering::Equal,
        Keep::Min(f) => compare(&types[f], new[f], current[f]),
        Keep::Max(f) => compare(&types[f], new[f], current[f]).reverse(),
    };
    match by_field {
        Ordering::Less => true,
        Ordering::Greater => false,
        Ordering::Equal => compare_tuples(types, new, current) == Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Field;
    use crate::value::from_int;

    fn cat(key: Option<Vec<usize>>, keep: Keep) -> Category {
        Category {
            name: "t".into(),
            fields: vec![
                Field {
                    name: "a".into(),
                    ty: Type::Int,
                },
                Field {
                    name: "b".into(),
                    ty: Type::Int,
                },
            ],
            key,
            keep,
            private: false,
            indexes: Vec::new(),
        }
    }

    /// The preview's first rows are those of a full sort, across chunks,
    /// with superseded rows left out and negative numbers first.
    #[test]
    fn first_rows_are_the_first_of_a_full_sort() {
        for keyed in [false, true] {
            let mut r = if keyed {
                Relation::new(&cat(Some(vec![0]), Keep::Min(1)))
            } else {
                Relation::new(&cat(None, Keep::Least))
            };
            // 200,000 rows over several chunks, in scrambled order; keyed,
            // later rows with smaller `b` supersede earlier ones.
            let mut x = 12345u64;
            for _ in 0..200_000 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let a = (x >> 33) as i64 % 150_000 - 75_000;
                let b = (x >> 20) as i64 % 7 - 3;
                r.insert(&[from_int(a), from_int(b)]);
            }
            let mut all: Vec<u32> = r.live_rows().collect();
            all.sort_by(|&p, &q| compare_tuples(r.types(), r.row(p), r.row(q)));
            for n in [0, 1, 20, 5000] {
                let got: Vec<&[Word]> = r.first_rows(n).into_iter().map(|i| r.row(i)).collect();
                let want: Vec<&[Word]> = all.iter().take(n).map(|&i| r.row(i)).collect();
                assert_eq!(got, want, "keyed {keyed}, n {n}");
            }
        }
    }

    fn t(a: i64, b: i64) -> [Word; 2] {
        [from_int(a), from_int(b)]
    }

    /// Looking many tuples up at once agrees with one at a time, keyed or
    /// not, for present, absent and skipped tuples; appending absent ones
    /// in bulk gives the rows and identities inserting them one by one does.
    #[test]
    fn bulk_lookups_and_appends_agree_with_single_ones() {
        for keyed in [false, true] {
            let mut r = if keyed {
                Relation::new(&cat(Some(vec![0]), Keep::Min(1)))
            } else {
                Relation::new(&cat(None, Keep::Least))
            };
            for i in 0..50_000 {
                r.insert(&t(i * 3, i % 5));
            }
            let probes: Vec<[Word; 2]> = (0..60_000).map(|i| t(i * 2, i % 5)).collect();
            let skip = |i: usize| i.is_multiple_of(7);
            let many = r.current_many(probes.len(), |i| (!skip(i)).then(|| &probes[i][..]));
            for (i, p) in probes.iter().enumerate() {
                let want = if skip(i) { None } else { r.current(p) };
                assert_eq!(many[i], want, "keyed {keyed}, probe {i}");
            }
        }
        let mut one = Relation::new(&cat(None, Keep::Least));
        let mut bulk = Relation::new(&cat(None, Keep::Least));
        for i in 0..1000 {
            one.insert(&t(i, 0));
            bulk.insert(&t(i, 0));
        }
        let more: Vec<[Word; 2]> = (1000..40_000).map(|i| t(i, 1)).collect();
        for m in &more {
            one.insert(m);
        }
        assert_eq!(bulk.append_absent(more.len(), |i| &more[i][..]), Ok(1000));
        assert_eq!(bulk.words(), one.words());
        for m in more.iter().step_by(97) {
            assert_eq!(bulk.current(m), one.current(m));
        }
        // A tuple present after all is reported.
        assert_eq!(bulk.append_absent(1, |_| &more[5][..]), Err(40_000));
    }

    #[test]
    fn dedup_by_whole_tuple() {
        let mut r = Relation::new(&cat(None, Keep::Least));
        assert_eq!(r.insert(&t(1, 2)), Inserted::New(0));
        assert_eq!(r.insert(&t(1, 3)), Inserted::New(1));
        assert_eq!(r.insert(&t(1, 2)), Inserted::Known);
        assert_eq!(r.live_len(), 2);
        assert!(r.is_known(r.ident_hash(&t(1, 3)), &t(1, 3)));
        assert!(!r.is_known(r.ident_hash(&t(3, 3)), &t(3, 3)));
    }

    #[test]
    fn keyed_keep_min_supersedes() {
        let mut r = Relation::new(&cat(Some(vec![0]), Keep::Min(1)));
        assert_eq!(r.insert(&t(1, 5)), Inserted::New(0));
        assert_eq!(r.insert(&t(1, 7)), Inserted::Known);
        assert!(r.is_known(r.ident_hash(&t(1, 7)), &t(1, 7)));
        assert!(!r.is_known(r.ident_hash(&t(1, 3)), &t(1, 3)));
        assert_eq!(r.insert(&t(1, 3)), Inserted::Superseded { row: 1, old: 0 });
        assert!(r.is_dead(0) && !r.is_dead(1));
        assert_eq!(r.live_rows().collect::<Vec<_>>(), vec![1]);
        assert_eq!(r.insert(&t(2, -1)), Inserted::New(2));
        assert_eq!(r.live_len(), 2);
    }

    #[test]
    fn keyed_keep_max_and_least() {
        let mut r = Relation::new(&cat(Some(vec![0]), Keep::Max(1)));
        r.insert(&t(1, 5));
        assert_eq!(r.insert(&t(1, 3)), Inserted::Known);
        assert!(r.insert(&t(1, 9)).row().is_some());
        let mut r = Relation::new(&cat(Some(vec![0]), Keep::Least));
        r.insert(&t(1, 5));
        assert!(r.insert(&t(1, 4)).row().is_some());
        assert_eq!(r.insert(&t(1, 6)), Inserted::Known);
    }

    #[test]
    fn loaded_rows_equal_inserted_rows_and_repeats_are_refused() {
        let rows: Vec<[Word; 2]> = (0..5000).map(|i| t(i % 97, i / 97)).collect();
        let mut inserted = Relation::new(&cat(None, Keep::Least));
        for r in &rows {
            inserted.insert(r);
        }
        let mut loaded = Relation::new(&cat(None, Keep::Least));
        let id = loaded.ensure_index(&[0]);
        loaded.load_rows(rows.concat().into(), rows.len()).unwrap();
        assert_eq!(loaded.words(), inserted.words());
        assert_eq!(loaded.insert(&t(3, 3)), Inserted::Known);
        assert_eq!(loaded.insert(&t(-1, 0)), Inserted::New(5000));
        assert_eq!(
            loaded.lookup(id, &[from_int(5)]).map(<[u32]>::len),
            Some(52)
        );
        let mut twice = Relation::new(&cat(None, Keep::Least));
        assert_eq!(
            twice.load_rows([t(1, 2), t(3, 4), t(1, 2)].concat().into(), 3),
            Err(2)
        );
        // Keyed rows replay, marking the superseded.
        let mut keyed = Relation::new(&cat(Some(vec![0]), Keep::Min(1)));
        keyed
            .load_rows([t(1, 5), t(1, 3)].concat().into(), 2)
            .unwrap();
        assert!(keyed.is_dead(0) && !keyed.is_dead(1));
        let mut bad = Relation::new(&cat(Some(vec![0]), Keep::Min(1)));
        assert_eq!(bad.load_rows([t(1, 3), t(1, 5)].concat().into(), 2), Err(1));
    }

    #[test]
    fn index_groups_in_insertion_order_and_skips_dead() {
        let mut r = Relation::new(&cat(Some(vec![0, 1]), Keep::Least));
        for (a, b) in [(1, 1), (2, 1), (1, 2), (1, 3)] {
            r.insert(&t(a, b));
        }
        let id = r.ensure_index(&[0]);
        let (rows, arity, len, dead, idx) = r.parts_for_indexing();
        idx[0].catch_up(rows, arity, len, dead);
        assert_eq!(r.lookup(id, &[from_int(1)]), Some(&[0u32, 2, 3][..]));
        assert_eq!(r.lookup(id, &[from_int(9)]), None);
        assert!(r.any_live(id, &[from_int(2)]));
    }
}
