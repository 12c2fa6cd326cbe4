//! Merging two databases of one program (`foldc merge PROG A B --into C`)
//! into the database a single run over both inputs builds, doing only the
//! work that mixes facts of both.
//!
//! # The algorithm
//!
//! The larger database is the *base*: its directory is copied to the
//! result and resumed (its facts keep their row ids, so their provenance
//! stays valid). The *other* database is read as data ([`crate::db::Contents`])
//! and merged in, stratum by stratum, in the plan's order:
//!
//! 1. Its facts are copied into the store ([`insert`]), tagging every
//!    row's *side* ([`sides`]): a base row the other holds too is *both*;
//!    a fact only the other holds is appended, *other only*; the rest of
//!    the base is *base only*. Facts found later are *new*. A keyed
//!    category goes through its keep rule, so the winner for a key is the
//!    same whichever database is the base, and merge order never matters.
//! 2. Its events are replayed ([`replay`]), skipping every one whose
//!    outcome is already in the store. The automatic abort-categorically
//!    check applies first; then an event is skipped when (1) its fact is
//!    in both databases (never run), (2) every friend it joins is in both,
//!    or (3) its fact and all its friends come from one database (that
//!    database already did this work; an event without friends is this
//!    case). Otherwise the event meets a friend of the base alone: the
//!    combination is mixed, and it is run on the merged store.
//! 3. What mixed combinations find is new (in neither database); new facts
//!    are ordinary events, and the stratum runs to its fixpoint as any
//!    run does (on native code by default).
//!
//! # Why replaying the other's own facts suffices
//!
//! A combination of facts that neither database could have seen holds a
//! fact of the base alone and a fact of the other alone. Every positive
//! atom of a rule has a handler that receives a fact there and joins all
//! the others, so the handler at the position of the other-only fact
//! meets the combination when that fact's event is replayed. The replay
//! therefore runs only the other database's own rows, and in them only
//! the combinations holding a base-only friend: a combination of other
//! and both facts was searched by the other database (each of its facts
//! was current there, and whichever arrived last met the rest), and one
//! holding a new fact is met by that fact's own event. The replay runs on
//! the reference interpreter, whose merge mode ([`replay::Tracker`])
//! tracks the side of every friend row joined (an existence check tries
//! one row of each side). By symmetry the base's own rows, meeting a
//! friend of the other alone, meet every mixed combination as well; each
//! rule is replayed from whichever side has fewer events ([`direction`]).
//!
//! # Strata that cannot be merged
//!
//! Facts found through negation or an aggregate, or from a keyed fact that
//! a better one replaced, may not hold in the merge. So a stratum is
//! merged as above only when what it reads in the merge extends what each
//! database read: the rule of [`crate::exec::invalidate`], applied against both
//! databases at once. Otherwise, when everything it reads is exactly the
//! base's, the base's facts of it are kept (and the other's given facts
//! added as new ones); else it is recomputed: its found facts dropped, the
//! given facts of both databases kept, its rules run again over the
//! merged facts. See [`policy`].
//!
//! # What the result holds
//!
//! The merged database is an ordinary finished database: the base's rows,
//! the other's rows appended with their provenance remapped (input files
//! into the result's file table, event rows onto the result's rows, or
//! [`crate::exec::observe::Origin::Merged`] when the event fact is not current
//! in the result), the given facts of both, the counters of both plus the
//! merge's own, and a [`MergeRecord`] of what the merge did.

mod databases;
mod direction;
mod insert;
mod policy;
mod replay;
mod sides;

pub use crate::db::merges::{CategoryMerge, MergeCounters, MergeRecord, StratumRecord};
pub use databases::{merge_databases, Merged, Phases};
pub(crate) use sides::Sides;

use std::time::Instant;

use crate::db::{Contents, StateMeta};
use crate::exec::engine::{Engine, RunOptions};
use crate::exec::observe::Observer;
use crate::plan::{CatId, Plan};

use insert::Inserter;
use policy::{Decision, MergePolicy};

/// How the two databases are named in the merge record.
#[derive(Clone, Copy, Debug)]
pub struct Names<'a> {
    /// The database copied and resumed (the larger), as the user named it.
    pub base: &'a str,
    /// The database read as data and merged into the copy.
    pub other: &'a str,
}

/// Why a database cannot be merged as it is: its last run did not finish
/// (it has events pending). `None` when it can.
pub fn unfinished(plan: &Plan, state: &StateMeta) -> Option<String> {
    if !state.complete {
        return Some("its last run did not finish".to_string());
    }
    let pending = plan.handlers.iter().enumerate().any(|(h, handler)| {
        let rows = state.rows.get(handler.trigger.index()).copied();
        state.watermarks.get(h).copied() != rows || state.queued.get(h).is_some_and(|&q| q > 0)
    });
    pending.then(|| "it has events pending".to_string())
}

/// Where a merge's own time went (parts of [`MergeRecord::seconds`]), in
/// seconds: the rest ran strata to their fixpoint.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spent {
    /// Copying the other database's facts into the store, with their sides.
    pub insert: f64,
    /// Replaying the other database's events that may mix facts of both
    /// (deciding which to skip included).
    pub replay: f64,
}

/// Merge `other` (a database of the same program, read as data) into
/// `engine`, which holds the base database resumed; `obs` (the result's
/// database) sees every fact and checkpoint. `merge` is this merge's
/// number among the result's merge records. Returns what the merge did
/// and where its time went.
pub fn merge<O: Observer + Send>(
    engine: &mut Engine,
    other: &Contents,
    names: Names<'_>,
    merge: u32,
    opts: &RunOptions,
    obs: &mut O,
) -> Result<(MergeRecord, Spent), String> {
    let started = Instant::now();
    let plan = engine.plan_arc();
    let (nc, nh, ns) = (
        plan.categories.len(),
        plan.handlers.len(),
        plan.strata.len(),
    );
    if other.cats.len() != nc || other.stats.handlers.len() != nh || other.stats.strata.len() != ns
    {
        return Err(format!(
            "database `{}` does not fit the program's categories, handlers and strata",
            names.other
        ));
    }
    let mut derived = vec![false; nc];
    for s in &plan.strata {
        for c in &s.categories {
            derived[c.index()] = true;
        }
    }

    let parts = engine.parts_mut();
    let mut sides = Sides::new(parts.store);
    let files: Vec<u32> = other
        .files
        .iter()
        .map(|f| match parts.files.iter().position(|g| g == f) {
            Some(i) => i as u32,
            None => {
                parts.files.push(f.clone());
                parts.files.len() as u32 - 1
            }
        })
        .collect();
    let mut inserter = Inserter::new(&plan, other, files, merge);
    for (ci, c) in other.cats.iter().enumerate() {
        for (tuple, origin) in c.given() {
            parts
                .base
                .record(CatId(ci as u32), tuple, inserter.given_origin(origin));
        }
    }
    for (mine, theirs) in parts.stats.handlers.iter_mut().zip(&other.stats.handlers) {
        mine.add(theirs);
    }
    for (mine, theirs) in parts.stats.strata.iter_mut().zip(&other.stats.strata) {
        mine.rounds += theirs.rounds;
        mine.recomputed += theirs.recomputed;
    }
    let before: Vec<u64> = parts.stats.handlers.iter().map(|h| h.found_new).collect();
    // Categories no rule finds (inputs) are read by every stratum: first.
    let given: Vec<CatId> = (0..nc as u32)
        .map(CatId)
        .filter(|c| !derived[c.index()])
        .collect();
    inserter.insert(parts.store, &mut sides, &given, obs)?;
    let given_secs = started.elapsed().as_secs_f64();

    let mut policy = MergePolicy::new(sides, inserter, &plan);
    engine
        .run_with(opts, obs, &mut policy)
        .map_err(|e| e.to_string())?;

    let found = |s: usize| -> u64 {
        plan.strata[s]
            .handlers
            .iter()
            .map(|h| engine.stats().handlers[h.index()].found_new - before[h.index()])
            .sum()
    };
    let mut record = MergeRecord {
        base: names.base.to_string(),
        other: names.other.to_string(),
        handlers: policy.counters,
        ..MergeRecord::default()
    };
    for c in &record.handlers {
        record.total.add(c);
    }
    for (s, (decision, reason)) in policy.decisions.into_iter().enumerate() {
        if decision == Decision::Merge {
            record.new_facts += found(s);
            continue;
        }
        record.not_merged.push(StratumRecord {
            stratum: s as u32,
            categories: plan.strata[s]
                .categories
                .iter()
                .map(|&c| plan.category(c).name.clone())
                .collect(),
            kept: decision == Decision::KeepBase,
            reason,
            found: found(s),
        });
    }
    for (ci, category) in plan.categories.iter().enumerate() {
        let cat = CatId(ci as u32);
        let c = policy.sides.cat(cat);
        let len = engine.store().relation(cat).len() as u64;
        record.categories.push(CategoryMerge {
            name: category.name.clone(),
            base: c.base_live as u64,
            other: other.cats[ci].live as u64,
            both: c.both_count as u64,
            other_only: c.other_only as u64,
            lost: c.lost as u64,
            new: if c.recomputed {
                0
            } else {
                len - u64::from(c.other_end)
            },
            recomputed: c.recomputed,
        });
    }
    record.seconds = started.elapsed().as_secs_f64();
    let spent = Spent {
        insert: given_secs + policy.insert_secs,
        replay: policy.replay_secs,
    };
    Ok((record, spent))
}
