//! The in-memory store: one [`Relation`] per category.
//!
//! Rows are flat words (see [`crate::value`]); a row id is the row's
//! position in its relation, handed out in insertion order. The scheduler
//! inserts serially in a deterministic order, so row ids, and everything
//! keyed by them (watermarks, index lists, provenance), are the same for
//! any number of threads.
//!
//! During a round the store is only read (shared by all workers); it is
//! written only between rounds. That is why indexes are declared up front
//! (the plan lists each category's indexes, [`crate::plan::Category::indexes`],
//! and [`Store::new`] makes them, numbered as the plan numbers them) and brought
//! up to date lazily, just before a round that reads them
//! ([`Store::catch_up`]): an index nobody reads any more (for instance one
//! only needed while the first round's triggers were pending) costs
//! nothing after its last use.
//!
//! Persistence (`--db`) is a separate layer: it can rebuild a store by
//! re-inserting rows in row-id order, which reproduces the same ids.

mod buf;
mod ident;
mod index;
mod relation;

pub use buf::Buf;
pub use ident::IdentTable;
pub use index::{Index, IndexId};
pub use relation::{Inserted, Relation, Saved};

use rustc_hash::FxHasher;
use std::hash::Hasher;

use crate::plan::{CatId, Plan};
use crate::value::Word;

/// The hash of a sequence of words, as used by every table of the store.
/// Full tuples, key fields of a row, and lookup keys built in a frame all
/// hash through here, so equal words always meet.
#[inline]
pub fn hash_words<I: IntoIterator<Item = Word>>(words: I) -> u64 {
    let mut h = FxHasher::default();
    for w in words {
        h.write_u64(w);
    }
    h.finish()
}

/// All relations of one program.
#[derive(Debug)]
pub struct Store {
    relations: Vec<Relation>,
}

impl Store {
    /// An empty store with one relation per category of `plan`.
    pub fn new(plan: &Plan) -> Store {
        Store {
            relations: plan.categories.iter().map(Relation::new).collect(),
        }
    }

    #[inline]
    pub fn relation(&self, cat: CatId) -> &Relation {
        &self.relations[cat.index()]
    }

    #[inline]
    pub fn relation_mut(&mut self, cat: CatId) -> &mut Relation {
        &mut self.relations[cat.index()]
    }

    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// The index of `cat` on `cols`, declared on first request (it is
    /// filled by the next [`Store::catch_up`]).
    pub fn ensure_index(&mut self, cat: CatId, cols: &[usize]) -> IndexId {
        self.relations[cat.index()].ensure_index(cols)
    }

    /// Bring the given indexes up to date with their relations' rows. Each
    /// index is independent, so several are caught up in parallel (on the
    /// current rayon pool); the result does not depend on that.
    pub fn catch_up(&mut self, wanted: &[(CatId, IndexId)]) {
        use rayon::prelude::*;
        type Job<'a> = (&'a [Word], usize, usize, &'a [u64], &'a mut Index);
        let mut jobs: Vec<Job> = Vec::new();
        let mut want: Vec<(usize, usize)> = wanted
            .iter()
            .map(|(c, i)| (c.index(), i.0 as usize))
            .collect();
        want.sort_unstable();
        want.dedup();
        for (ci, rel) in self.relations.iter_mut().enumerate() {
            let (rows, arity, len, dead, indexes) = rel.parts_for_indexing();
            for (ii, index) in indexes.iter_mut().enumerate() {
                if want.binary_search(&(ci, ii)).is_ok() && index.is_behind(len) {
                    jobs.push((rows, arity, len, dead, index));
                }
            }
        }
        if jobs.len() <= 1 {
            for (rows, arity, len, dead, index) in jobs {
                index.catch_up(rows, arity, len, dead);
            }
        } else {
            jobs.into_par_iter()
                .for_each(|(rows, arity, len, dead, index)| index.catch_up(rows, arity, len, dead));
        }
    }

    /// Bring every index of every relation up to date.
    pub fn catch_up_all(&mut self) {
        let all: Vec<(CatId, IndexId)> = self
            .relations
            .iter()
            .enumerate()
            .flat_map(|(c, r)| {
                (0..r.index_count()).map(move |i| (CatId(c as u32), IndexId(i as u32)))
            })
            .collect();
        self.catch_up(&all);
    }
}
