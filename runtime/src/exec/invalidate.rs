//! Which strata a later run must recompute instead of extending.
//!
//! Facts are permanent and a run only ever adds, so a stratum whose rules
//! read their categories *positively* is extended incrementally: new facts
//! are new events, run against everything known, and the fixpoint grows to
//! what a fresh run over all the facts would reach. That breaks in three
//! cases, where facts the stratum found earlier may no longer follow:
//!
//! 1. a category it reads through negation (`!atom`) or an aggregate
//!    (`count`, `sum`, `min`, `max`) **gained** a fact: a negated fact now
//!    exists, or an aggregate's value changed;
//! 2. a keyed category it reads **lost** a current fact (a better fact for
//!    the key superseded it): what was found from the old fact stays;
//! 3. a category it reads was itself **recomputed** (its stratum was
//!    reset), which may have removed facts.
//!
//! The rule: when a stratum starts, each category it reads from an earlier
//! stratum (or from input) is compared with what it was when the stratum
//! last started (its *basis*: generation, rows, superseded rows). On any of
//! the three changes the stratum is **recomputed**: the facts its rules
//! found are dropped (the given facts of its categories are kept, see
//! [`crate::exec::base`]), its handlers start again from row 0, and the
//! generation of its categories goes up, which in turn recomputes every
//! later stratum that reads them. Everything else is incremental.
//!
//! The basis is taken when the stratum *starts* (its inputs are complete
//! then), so a run interrupted inside a stratum and resumed does not reset
//! it a second time.

use serde::{Deserialize, Serialize};

use crate::plan::{CatId, Op, Plan};
use crate::store::Store;

/// How a stratum reads a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    pub cat: CatId,
    /// Through negation or an aggregate (needs the category complete).
    pub complete: bool,
}

/// What a stratum saw of one category it reads, when it last started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Resets of the category so far.
    pub generation: u32,
    /// Rows (the next row id).
    pub rows: u32,
    /// Superseded rows.
    pub dead: u32,
}

/// Why a stratum is recomputed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A category read through negation or an aggregate gained facts.
    Gained(CatId),
    /// A keyed category it reads had a fact superseded.
    Superseded(CatId),
    /// A category it reads was recomputed.
    Recomputed(CatId),
}

impl Reason {
    /// `edge gained facts (read through negation or an aggregate)`.
    pub fn describe(&self, plan: &Plan) -> String {
        match *self {
            Reason::Gained(c) => format!(
                "`{}` gained facts and is read through negation or an aggregate",
                plan.category(c).name
            ),
            Reason::Superseded(c) => {
                format!("a fact of `{}` was superseded", plan.category(c).name)
            }
            Reason::Recomputed(c) => format!("`{}` was recomputed", plan.category(c).name),
        }
    }
}

/// The categories stratum `s` reads from outside itself, by id.
pub fn reads(plan: &Plan, s: usize) -> Vec<Read> {
    let stratum = &plan.strata[s];
    let mut out: Vec<Read> = Vec::new();
    let mut add = |cat: CatId, complete: bool| {
        if stratum.categories.contains(&cat) {
            return;
        }
        match out.iter_mut().find(|r| r.cat == cat) {
            Some(r) => r.complete |= complete,
            None => out.push(Read { cat, complete }),
        }
    };
    for h in &stratum.handlers {
        let handler = plan.handler(*h);
        add(handler.trigger, false);
        walk(&handler.body, &mut add);
    }
    out.sort_by_key(|r| r.cat);
    out
}

/// Every category a handler's body reads (joined, checked categorically,
/// negated or aggregated), each once, in first-read order.
pub fn body_reads(body: &[Op]) -> Vec<CatId> {
    let mut out: Vec<CatId> = Vec::new();
    walk(body, &mut |cat, _| {
        if !out.contains(&cat) {
            out.push(cat);
        }
    });
    out
}

fn walk(ops: &[Op], add: &mut impl FnMut(CatId, bool)) {
    for op in ops {
        match op {
            Op::Categorical { cat, .. } => add(*cat, false),
            Op::Join { cat, body, .. } => {
                add(*cat, false);
                walk(body, add);
            }
            Op::NotExists { cat, .. } | Op::Aggregate { cat, .. } => add(*cat, true),
            Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                walk(body, add)
            }
            Op::If { then, els, .. } => {
                walk(then, add);
                walk(els, add);
            }
            Op::Abort { .. } | Op::Let { .. } | Op::Find { .. } => {}
        }
    }
}

/// What the stratum sees of each category in `reads` now.
pub fn basis(reads: &[Read], store: &Store, generation: &[u32]) -> Vec<Seen> {
    reads
        .iter()
        .map(|r| {
            let rel = store.relation(r.cat);
            Seen {
                generation: generation[r.cat.index()],
                rows: rel.len() as u32,
                dead: (rel.len() - rel.live_len()) as u32,
            }
        })
        .collect()
}

/// Whether a stratum that last started on `old` must be recomputed now.
pub fn check(reads: &[Read], old: &[Seen], now: &[Seen]) -> Option<Reason> {
    if old.len() != reads.len() {
        // A basis of another shape cannot be compared: recompute.
        return reads.first().map(|r| Reason::Recomputed(r.cat));
    }
    for ((r, o), n) in reads.iter().zip(old).zip(now) {
        if o.generation != n.generation {
            return Some(Reason::Recomputed(r.cat));
        }
        if r.complete && o.rows != n.rows {
            return Some(Reason::Gained(r.cat));
        }
        if o.dead != n.dead {
            return Some(Reason::Superseded(r.cat));
        }
    }
    None
}
