//! A merge's decision at the start of each stratum: merge it (copy the
//! other database's facts in and replay its mixed events), keep the
//! base's facts of it, or recompute it.
//!
//! Either database's facts of a stratum follow from what it read there.
//! They still hold in the merge when what the stratum reads now only
//! *extends* what each database read: every category it reads holds the
//! other database's facts (none was recomputed or left out), one it reads
//! through negation or an aggregate is the same in the merge as in both
//! databases, and a keyed one lost no fact either database held to a
//! better one. That is [`crate::exec::invalidate`]'s rule, applied against both
//! databases at once; such a stratum is **merged**.
//!
//! Otherwise, when every category the stratum reads is exactly the base's
//! (the other added nothing to it), the base's facts of the stratum are
//! exactly right: they are **kept**, the other database's facts of the
//! stratum are left out, and only its given facts (input rows and program
//! facts) are added, as ordinary new facts. This is the case of a
//! database merged with an older copy of itself, for instance. Anything
//! else is **recomputed**: the stratum's found facts are dropped, the
//! given facts of both databases kept, and its rules run again.

use std::time::Instant;

use crate::exec::invalidate::{self, Reason};
use crate::exec::observe::Observer;
use crate::exec::scheduler::{Ctx, Policy};
use crate::plan::{CatId, Plan};
use crate::store::Store;

use super::insert::Inserter;
use super::replay;
use super::sides::Sides;
use super::MergeCounters;

/// What happens to a stratum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    Merge,
    KeepBase,
    Recompute,
}

pub(super) struct MergePolicy<'m> {
    pub sides: Sides,
    pub inserter: Inserter<'m>,
    /// By handler.
    pub counters: Vec<MergeCounters>,
    /// By stratum: the decision, and why it is not a merge.
    pub decisions: Vec<(Decision, String)>,
    /// Seconds spent copying the other database's facts in, and replaying
    /// its events (the rest of the merge runs strata to their fixpoint).
    pub insert_secs: f64,
    pub replay_secs: f64,
}

impl<'m> MergePolicy<'m> {
    pub(super) fn new(sides: Sides, inserter: Inserter<'m>, plan: &Plan) -> Self {
        MergePolicy {
            sides,
            inserter,
            counters: vec![MergeCounters::default(); plan.handlers.len()],
            decisions: vec![(Decision::Merge, String::new()); plan.strata.len()],
            insert_secs: 0.0,
            replay_secs: 0.0,
        }
    }

    /// Why the other database's facts of stratum `s` may not hold in the
    /// merge (`None`: they do), as a reason and its description.
    fn blocker(&self, plan: &Plan, store: &Store, s: usize) -> Option<(Reason, String)> {
        let name = |c: CatId| &plan.category(c).name;
        for read in invalidate::reads(plan, s) {
            let (cat, rel) = (read.cat, store.relation(read.cat));
            let c = self.sides.cat(cat);
            if c.recomputed {
                return Some((
                    Reason::Recomputed(cat),
                    format!("`{}` was recomputed", name(cat)),
                ));
            }
            if !c.inserted {
                return Some((
                    Reason::Recomputed(cat),
                    format!(
                        "the other database's `{}` was left out (the base's was kept)",
                        name(cat)
                    ),
                ));
            }
            if read.complete && self.sides.changed(cat, rel) {
                return Some((
                    Reason::Gained(cat),
                    format!(
                        "`{}` is read through negation or an aggregate and is not the same in \
                         both databases",
                        name(cat)
                    ),
                ));
            }
            if rel.is_keyed() && self.sides.superseded(cat, rel) {
                return Some((
                    Reason::Superseded(cat),
                    format!(
                        "a fact of `{}` one database held lost its key to a better one",
                        name(cat)
                    ),
                ));
            }
        }
        None
    }

    /// Whether every category stratum `s` reads is exactly the base's.
    fn reads_are_the_base(&self, plan: &Plan, store: &Store, s: usize) -> bool {
        invalidate::reads(plan, s).iter().all(|read| {
            let c = self.sides.cat(read.cat);
            !c.recomputed && store.relation(read.cat).len() == c.base_len as usize
        })
    }
}

impl Policy for MergePolicy<'_> {
    fn recompute(&mut self, ctx: &Ctx<'_>, s: usize) -> Option<Reason> {
        let decision = match self.blocker(ctx.plan, ctx.store, s) {
            None => (Decision::Merge, String::new()),
            Some((_, why)) if self.reads_are_the_base(ctx.plan, ctx.store, s) => {
                (Decision::KeepBase, why)
            }
            Some((reason, why)) => {
                self.decisions[s] = (Decision::Recompute, why);
                return Some(reason);
            }
        };
        self.decisions[s] = decision;
        None
    }

    fn reset(&mut self, ctx: &Ctx<'_>, s: usize) {
        for &c in &ctx.plan.strata[s].categories {
            self.sides.recomputed(c);
        }
    }

    fn extend<O: Observer>(
        &mut self,
        ctx: &mut Ctx<'_>,
        s: usize,
        obs: &mut O,
    ) -> Result<(), String> {
        let plan = ctx.plan;
        let cats = &plan.strata[s].categories;
        let started = Instant::now();
        if self.decisions[s].0 == Decision::KeepBase {
            self.inserter.insert_given(ctx.store, cats, obs);
            self.insert_secs += started.elapsed().as_secs_f64();
            return Ok(());
        }
        self.inserter
            .insert(ctx.store, &mut self.sides, cats, obs)?;
        let inserted = Instant::now();
        self.insert_secs += (inserted - started).as_secs_f64();
        let replayed = replay::stratum(ctx, &self.sides, s, obs, &mut self.counters);
        self.replay_secs += inserted.elapsed().as_secs_f64();
        replayed
    }
}
