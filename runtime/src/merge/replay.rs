//! The replay: the other database's events that may mix facts of both
//! databases, run on the merged store by the reference interpreter in
//! merge mode.
//!
//! The events are the rows the other database added to a stratum's
//! trigger categories; rows it shares with the base are skip (1), counted
//! and never run. (For a rule driven from the base's side, see
//! [`super::direction`], they are the base's own rows: below, read "base"
//! and "other" swapped.) A handler none of whose friend categories holds
//! a fact of the base alone cannot meet a mixed combination: all its
//! events are skipped at once (skip (0), by handler), which is what makes
//! a merge of databases whose inputs never combine cost no replay at all.
//! Each runs its handler with a [`Tracker`], which sees
//! every friend row a combination joins and lets a combination search
//! (find facts) only when it holds a friend of the base alone and no new
//! fact: everything else the other database already searched (its data
//! and friends were all there), and a combination holding a new fact is
//! run by that fact's own event. Like a round, events are evaluated in
//! parallel against the store as it stands and their finds inserted
//! serially in a fixed order, so the result does not depend on threads.

use rayon::prelude::*;

use crate::eval::interp::{run_in, Mode};
use crate::eval::{Frame, Outcome};
use crate::exec::observe::Observer;
use crate::exec::round::{self, ChunkResult, CHUNK};
use crate::exec::scheduler::Ctx;
use crate::plan::Plan;
use crate::plan::{CatId, HandlerId};
use crate::store::{IndexId, Store};

use super::direction;
use super::sides::{Side, Sides};
use super::MergeCounters;

/// Follows the sides of the friends of one event's combinations.
pub(super) struct Tracker<'s> {
    sides: &'s Sides,
    /// In the combination being evaluated: friends of the base alone,
    /// and new friends.
    base: u32,
    fresh: u32,
    /// Over the whole event: friends joined, those not in both, and
    /// whether a friend of the base alone joined a combination without
    /// new facts.
    joined: u32,
    not_both: u32,
    met_base: bool,
    /// The replay is driven from the base's side ([`super::direction`]):
    /// base and other swap roles, so "a friend of the base alone" reads
    /// "a friend of the other alone".
    from_base: bool,
}

impl<'s> Tracker<'s> {
    fn new(sides: &'s Sides, from_base: bool) -> Self {
        Tracker {
            from_base,
            sides,
            base: 0,
            fresh: 0,
            joined: 0,
            not_both: 0,
            met_base: false,
        }
    }

    fn start_event(&mut self) {
        self.base = 0;
        self.fresh = 0;
        self.joined = 0;
        self.not_both = 0;
        self.met_base = false;
    }

    /// Count the event just run, by the checks in order.
    fn count(&self, outcome: Outcome, c: &mut MergeCounters) {
        if outcome == Outcome::Categorical {
            c.aborted_categorically += 1;
        } else if self.met_base {
            c.replayed += 1;
        } else if self.joined > 0 && self.not_both == 0 {
            c.skipped_friends_in_both += 1;
        } else {
            c.skipped_one_side += 1;
        }
    }
}

impl Mode for Tracker<'_> {
    type Token = Side;

    #[inline]
    fn enter(&mut self, cat: CatId, row: u32) -> Side {
        let side = match (self.sides.side(cat, row), self.from_base) {
            (Side::Base, true) => Side::Other,
            (Side::Other, true) => Side::Base,
            (side, _) => side,
        };
        self.joined += 1;
        match side {
            Side::Both => {}
            Side::Other => self.not_both += 1,
            Side::Base => {
                self.not_both += 1;
                self.base += 1;
                self.met_base |= self.fresh == 0;
            }
            Side::New => {
                self.not_both += 1;
                self.fresh += 1;
            }
        }
        side
    }

    #[inline]
    fn leave(&mut self, side: Side) {
        match side {
            Side::Base => self.base -= 1,
            Side::New => self.fresh -= 1,
            Side::Both | Side::Other => {}
        }
    }

    #[inline]
    fn may_search(&self) -> bool {
        self.base > 0 && self.fresh == 0
    }

    /// Whether a combination searches depends only on the sides of its
    /// rows (and the counts on which sides joined): an existence check
    /// tries one row of each side, never every row.
    #[inline]
    fn exists_class(&self, cat: CatId, row: u32) -> u32 {
        self.sides.side(cat, row) as u32
    }

    #[inline]
    fn exists_classes(&self) -> u32 {
        4
    }
}

/// The rows of one handler's trigger to replay: the other database's
/// own, or (driven from the base) those of the base alone in `lo..hi`.
struct Work {
    handler: HandlerId,
    lo: u32,
    hi: u32,
    from_base: bool,
}

/// Replay the other database's events for the handlers of stratum `s`
/// (its facts are in `ctx.store`, sides in `sides`), insert what mixed
/// combinations found (reported to `obs`), and move the handlers'
/// watermarks past those events; `counters` is indexed by handler.
pub(super) fn stratum<O: Observer>(
    ctx: &mut Ctx<'_>,
    sides: &Sides,
    s: usize,
    obs: &mut O,
    counters: &mut [MergeCounters],
) -> Result<(), String> {
    let check_each = check_each_event();
    let drives = direction::choose(ctx.plan, ctx.store, sides, s);
    let mut work = Vec::new();
    for (&h, drive) in ctx.plan.strata[s].handlers.iter().zip(drives) {
        let trigger = ctx.plan.handler(h).trigger;
        let c = sides.cat(trigger);
        let wm = &mut ctx.state.watermarks[h.index()];
        if *wm != c.base_len {
            return Err(format!(
                "internal error: handler {} stands at row {wm} of `{}`, not at the base's end",
                h.0,
                ctx.plan.category(trigger).name
            ));
        }
        *wm = c.other_end;
        let counter = &mut counters[h.index()];
        counter.skipped_in_both += c.both_count as u64;
        if drive.from_base {
            counter.left_to_base += drive.other_events;
        }
        if !drive.may_mix && !check_each {
            counter.skipped_by_handler += drive.events;
            continue;
        }
        let (lo, hi) = if drive.from_base {
            (0, c.base_len)
        } else {
            (c.base_len, c.other_end)
        };
        work.push(Work {
            handler: h,
            lo,
            hi,
            from_base: drive.from_base,
        });
    }
    let wanted: Vec<(CatId, IndexId)> = work
        .iter()
        .flat_map(|w| ctx.plan.handler(w.handler).reads.iter().copied())
        .collect();
    ctx.store.catch_up(&wanted);

    let results = evaluate(ctx.plan, ctx.store, sides, &work);
    let found_before: Vec<u64> = work
        .iter()
        .map(|w| ctx.stats.handlers[w.handler.index()].found_new)
        .collect();
    let chunks: Vec<ChunkResult> = results
        .into_iter()
        .map(|(res, c)| {
            counters[res.handler].add(&c);
            res
        })
        .collect();
    round::insert(
        ctx.store,
        &chunks,
        &mut ctx.stats.handlers,
        &mut ctx.timings.handlers,
        obs,
    );
    for (w, before) in work.iter().zip(found_before) {
        let h = w.handler.index();
        counters[h].found_new += ctx.stats.handlers[h].found_new - before;
    }
    obs.round_end(ctx.view())
}

/// Whether to check every event one by one, never skipping a handler
/// whole (`FOLD_MERGE_CHECK_EACH_EVENT=1`): what the tests compare the
/// skip against, to show it never skips an event the check would replay.
fn check_each_event() -> bool {
    std::env::var_os("FOLD_MERGE_CHECK_EACH_EVENT").is_some_and(|v| v == "1")
}

/// Run the work's events in chunks (in parallel, results in chunk order).
fn evaluate(
    plan: &Plan,
    store: &Store,
    sides: &Sides,
    work: &[Work],
) -> Vec<(ChunkResult, MergeCounters)> {
    let mut chunks = Vec::new();
    for (i, w) in work.iter().enumerate() {
        let mut lo = w.lo;
        while lo < w.hi {
            let hi = w.hi.min(lo.saturating_add(CHUNK as u32));
            chunks.push((i, lo, hi));
            lo = hi;
        }
    }
    let run = |&(i, lo, hi): &(usize, u32, u32)| {
        let h = work[i].handler.index();
        let p = &plan.handlers[h];
        let rel = store.relation(p.trigger);
        let mut res = ChunkResult {
            handler: h,
            ..ChunkResult::default()
        };
        let mut counters = MergeCounters::default();
        let mut frame = Frame::new();
        let mut raw = Vec::new();
        let from_base = work[i].from_base;
        let mut tracker = Tracker::new(sides, from_base);
        for r in lo..hi {
            if from_base {
                // The base's own current rows only: the others are the
                // other database's events, or shared.
                if sides.side(p.trigger, r) != Side::Base || rel.is_dead(r) {
                    continue;
                }
            } else if rel.is_dead(r) {
                res.stats.skipped_superseded += 1;
                continue;
            }
            raw.clear();
            tracker.start_event();
            let o = run_in(p, store, rel.row(r), &mut frame, &mut raw, &mut tracker);
            res.stats.count(&o);
            tracker.count(o.outcome, &mut counters);
            if o.found > 0 {
                round::collect(store, r, &raw, &mut res, false);
            }
        }
        (res, counters)
    };
    if chunks.len() <= 1 || rayon::current_num_threads() <= 1 {
        chunks.iter().map(run).collect()
    } else {
        chunks.par_iter().map(run).collect()
    }
}
