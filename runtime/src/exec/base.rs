//! The given facts of derived categories: what a recomputed stratum starts
//! from again.
//!
//! When a stratum is recomputed (see [`crate::exec::invalidate`]), the facts its
//! rules found are dropped; the facts that were *given* for its categories
//! (input rows and program facts, which a program may also have for a
//! category its rules find) must stay. The store alone cannot tell them
//! apart, and a given fact that lost against a better keyed fact, or that
//! was already known as a found one, has no row of its own at all. So
//! every given fact of a derived category is logged here, once, in
//! arrival order, with its origin; a reset inserts them again in that
//! order. Categories no rule finds are never reset and log nothing.

use hashbrown::HashSet;
use rustc_hash::FxBuildHasher;

use crate::exec::origin::Origin;
use crate::plan::{CatId, Plan};
use crate::value::{Type, Word};

/// The given facts of one derived category.
#[derive(Debug, Default)]
pub struct BaseCat {
    types: Vec<Type>,
    arity: usize,
    words: Vec<Word>,
    origins: Vec<Origin>,
    seen: HashSet<Box<[Word]>, FxBuildHasher>,
}

/// Given facts per category (empty for categories no rule finds).
#[derive(Debug, Default)]
pub struct BaseLog {
    /// Per category: whether some rule finds it.
    derived: Vec<bool>,
    cats: Vec<BaseCat>,
}

impl BaseLog {
    pub fn new(plan: &Plan) -> BaseLog {
        let mut derived = vec![false; plan.categories.len()];
        for s in &plan.strata {
            for c in &s.categories {
                derived[c.index()] = true;
            }
        }
        BaseLog {
            derived,
            cats: plan
                .categories
                .iter()
                .map(|c| BaseCat {
                    types: c.types(),
                    arity: c.arity(),
                    ..BaseCat::default()
                })
                .collect(),
        }
    }

    /// Whether some rule finds facts of `cat` (so its stratum may be reset).
    pub fn is_derived(&self, cat: CatId) -> bool {
        self.derived.get(cat.index()).copied().unwrap_or(false)
    }

    /// Log a given fact of a derived category (no-op for others, and for
    /// a tuple already logged). Returns whether it was logged now.
    pub fn record(&mut self, cat: CatId, tuple: &[Word], origin: Origin) -> bool {
        if !self.is_derived(cat) {
            return false;
        }
        let c = &mut self.cats[cat.index()];
        if tuple.len() != c.arity || !c.seen.insert(tuple.into()) {
            return false;
        }
        c.words.extend_from_slice(tuple);
        c.origins.push(origin);
        true
    }

    /// The field types of `cat`.
    pub fn types(&self, cat: CatId) -> &[Type] {
        self.cats.get(cat.index()).map_or(&[], |c| &c.types)
    }

    /// Number of given facts logged for `cat`.
    pub fn len(&self, cat: CatId) -> usize {
        self.cats.get(cat.index()).map_or(0, |c| c.origins.len())
    }

    pub fn is_empty(&self, cat: CatId) -> bool {
        self.len(cat) == 0
    }

    /// The `i`-th given fact of `cat` and its origin.
    pub fn entry(&self, cat: CatId, i: usize) -> (&[Word], Origin) {
        let c = &self.cats[cat.index()];
        (&c.words[i * c.arity..(i + 1) * c.arity], c.origins[i])
    }
}
