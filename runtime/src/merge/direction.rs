//! Which side a rule's replay is driven from: a semi-naive delta join in
//! either direction.
//!
//! A mixed combination holds a fact of the other database alone and one
//! of the base alone. Every positive atom of a rule has a handler, so
//! running each handler on the other's own rows, letting a combination
//! search only when it meets a friend of the base alone, meets every mixed
//! combination (at the position of its other-only fact); and running each
//! handler on the base's own rows, letting a combination search only when
//! it meets a friend of the other alone, meets every one too (at the
//! position of its base-only fact). Either direction alone is complete,
//! but only for a whole rule: a combination whose other-only fact sits at
//! a handler driven from the base, and whose base-only fact at one driven
//! from the other, would be met by neither. So the direction is chosen per
//! rule, for the side with fewer events to run: a handler none of whose
//! friend categories holds a fact of the opposite side alone runs none
//! (it is skipped whole), so it costs nothing either way.
//!
//! Driving from the base pays when the base's own facts that matter are
//! few: a small base-only part against a big other-only one. It is chosen
//! when it runs fewer than half the events and the other side would run
//! at least [`MIN_EVENTS`] (below that the difference is noise, and the
//! replay stays the one the merge report has always described).
//! `FOLD_MERGE_FROM_BASE=1` drives every rule from the base and `=0`
//! none, for the tests that check both directions find the same facts.

use std::collections::HashMap;

use crate::exec::invalidate::body_reads;
use crate::plan::{CatId, Plan};
use crate::store::Store;

use super::sides::{dead_in, Sides};

/// Driving from the base needs the other side to run at least this many
/// events.
pub(super) const MIN_EVENTS: u64 = 1024;

/// How one handler of a stratum replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Drive {
    /// Its rule is driven from the base's side: its events are the
    /// trigger's rows of the base alone, and a combination is mixed when
    /// it meets a friend of the other alone.
    pub from_base: bool,
    /// Some friend category holds a fact of the opposite side alone: its
    /// combinations may mix (otherwise it is skipped whole).
    pub may_mix: bool,
    /// Its events in the chosen direction.
    pub events: u64,
    /// The other database's current rows of its trigger (its events when
    /// driven from the other's side).
    pub other_events: u64,
}

/// Current rows of each side alone, per category, counted once.
struct Counts<'a> {
    sides: &'a Sides,
    store: &'a Store,
    base: Vec<Option<u64>>,
    other: Vec<Option<u64>>,
}

impl Counts<'_> {
    fn base_only(&mut self, cat: CatId) -> u64 {
        let (sides, store) = (self.sides, self.store);
        *self.base[cat.index()]
            .get_or_insert_with(|| sides.base_only_live(cat, store.relation(cat)) as u64)
    }

    fn other_only(&mut self, cat: CatId) -> u64 {
        let (sides, store) = (self.sides, self.store);
        *self.other[cat.index()].get_or_insert_with(|| {
            let c = sides.cat(cat);
            let dead = dead_in(store.relation(cat), c.base_len, c.other_end) as u64;
            u64::from(c.other_end - c.base_len) - dead
        })
    }
}

/// What `FOLD_MERGE_FROM_BASE` asks: `Some(true)` every rule from the
/// base, `Some(false)` none, `None` (unset or anything else) choose.
fn forced() -> Option<bool> {
    match std::env::var("FOLD_MERGE_FROM_BASE").ok().as_deref() {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

/// How each handler of stratum `s` replays, in the stratum's handler order.
pub(super) fn choose(plan: &Plan, store: &Store, sides: &Sides, s: usize) -> Vec<Drive> {
    let mut counts = Counts {
        sides,
        store,
        base: vec![None; plan.categories.len()],
        other: vec![None; plan.categories.len()],
    };
    // Per handler: (events, may mix) driven from the other, and from the base.
    let mut each = Vec::new();
    // Per rule: the events each direction runs.
    let mut cost: HashMap<u32, (u64, u64)> = HashMap::new();
    for &h in &plan.strata[s].handlers {
        let handler = plan.handler(h);
        let reads = body_reads(&handler.body);
        let from_other = (
            counts.other_only(handler.trigger),
            reads.iter().any(|&c| counts.base_only(c) > 0),
        );
        let from_base = (
            counts.base_only(handler.trigger),
            reads.iter().any(|&c| counts.other_only(c) > 0),
        );
        let rule = cost.entry(handler.rule.0).or_default();
        if from_other.1 {
            rule.0 += from_other.0;
        }
        if from_base.1 {
            rule.1 += from_base.0;
        }
        each.push((handler.rule.0, from_other, from_base));
    }
    let forced = forced();
    each.into_iter()
        .map(|(rule, from_other, from_base)| {
            let (o, b) = cost.get(&rule).copied().unwrap_or_default();
            let base_side = forced.unwrap_or(o >= MIN_EVENTS && b.saturating_mul(2) < o);
            let (events, may_mix) = if base_side { from_base } else { from_other };
            Drive {
                from_base: base_side,
                may_mix,
                events,
                other_events: from_other.0,
            }
        })
        .collect()
}
