//! The scheduler: strata in order, each to a fixpoint in rounds.
//!
//! Every fact that enters a category is an event, exactly once, for every
//! handler triggered by that category. A per-handler watermark (the next
//! row id not yet scheduled) tracks that; dead (superseded) rows are
//! skipped when their turn comes.
//!
//! A round takes the stratum's pending events, evaluates them in parallel
//! against the store as it was at the start of the round
//! ([`crate::exec::round::evaluate`]), then inserts what they found serially in
//! chunk order ([`crate::exec::round::insert`]). Row ids, counters and results
//! are therefore identical for any thread count.
//!
//! Prioritized handlers keep their pending events in a heap ordered by
//! (priority, row id). A round runs all pending events of unprioritized
//! handlers plus the prioritized events with the smallest priority value
//! in the stratum (Dijkstra-like: with `keep min` the first fact of a key
//! to be run is usually its final one, and superseded ones are skipped).
//!
//! A stratum that starts on changed inputs it cannot extend incrementally
//! is recomputed first ([`crate::exec::invalidate`]). After every round the
//! [`Observer`] sees the whole state (the durable database checkpoints
//! there); a run resumed from such a point continues exactly as the
//! interrupted one would have.

use std::cmp::Reverse;

use std::path::PathBuf;
use std::time::Instant;

use crate::eval::{Code, EventOutcome, Frame, Natives, Outcome};
use crate::exec::base::BaseLog;
use crate::exec::invalidate::{self, Reason};
use crate::exec::observe::{Observer, View};
use crate::exec::round::{self, Rows, Work};
use crate::exec::sched_state::{PrioKey, Recomputed, SchedState};
use crate::exec::stats::Stats;
use crate::exec::timings::{nanos, Timings};
use crate::io::progress::Progress;
use crate::plan::{CatId, HandlerId, Plan};
use crate::store::{IndexId, Store};

/// Everything a run works on, borrowed from the engine.
pub struct Ctx<'a> {
    pub plan: &'a Plan,
    /// Native code of the plan's handlers.
    pub natives: &'a Natives,
    pub store: &'a mut Store,
    pub state: &'a mut SchedState,
    pub stats: &'a mut Stats,
    pub timings: &'a mut Timings,
    pub base: &'a BaseLog,
    pub files: &'a [PathBuf],
}

impl Ctx<'_> {
    pub(crate) fn view(&self) -> View<'_> {
        View {
            plan: self.plan,
            store: self.store,
            sched: self.state,
            stats: self.stats,
            timings: self.timings,
            base: self.base,
            files: self.files,
        }
    }
}

/// What a run does when a stratum starts: decide whether it is
/// recomputed or extended, and prepare an extended one. A run on a
/// database follows [`Incremental`]; a merge has its own rule
/// ([`crate::merge`]).
pub trait Policy {
    /// Why stratum `s` must be recomputed (`None`: it is extended).
    fn recompute(&mut self, ctx: &Ctx<'_>, s: usize) -> Option<Reason>;

    /// Stratum `s` was reset: its found facts are gone.
    fn reset(&mut self, _ctx: &Ctx<'_>, _s: usize) {}

    /// Work before the extended stratum `s` runs to its fixpoint.
    fn extend<O: Observer>(
        &mut self,
        _ctx: &mut Ctx<'_>,
        _s: usize,
        _obs: &mut O,
    ) -> Result<(), String> {
        Ok(())
    }
}

/// The rule of an incremental run ([`crate::exec::invalidate`]): recompute a
/// stratum when what it reads changed in a way it cannot extend.
pub struct Incremental;

impl Policy for Incremental {
    fn recompute(&mut self, ctx: &Ctx<'_>, s: usize) -> Option<Reason> {
        let old = ctx.state.basis[s].as_ref()?;
        let reads = invalidate::reads(ctx.plan, s);
        let now = invalidate::basis(&reads, ctx.store, &ctx.state.generation);
        invalidate::check(&reads, old, &now)
    }
}

/// Run every stratum of the plan to its fixpoint under `policy`; returns
/// the strata that had to be recomputed. Fails only when the observer does.
pub fn run_strata_with<O: Observer, P: Policy>(
    ctx: &mut Ctx<'_>,
    progress: &mut Progress,
    obs: &mut O,
    policy: &mut P,
) -> Result<Vec<Recomputed>, String> {
    let mut recomputed = Vec::new();
    for s in 0..ctx.plan.strata.len() {
        let reason = policy.recompute(ctx, s);
        if let Some(reason) = reason {
            reset_stratum(ctx, s, obs);
            policy.reset(ctx, s);
            recomputed.push(Recomputed { stratum: s, reason });
        }
        // The basis is what the stratum reads as it starts, complete.
        let reads = invalidate::reads(ctx.plan, s);
        ctx.state.basis[s] = Some(invalidate::basis(&reads, ctx.store, &ctx.state.generation));
        if reason.is_none() {
            policy.extend(ctx, s, obs)?;
        }
        run_stratum(ctx, s, progress, obs)?;
    }
    Ok(recomputed)
}

/// Drop what stratum `s` found: its categories keep only their given
/// facts (inserted again in arrival order), its handlers start over, and
/// the generation of its categories goes up (so readers recompute too).
fn reset_stratum<O: Observer>(ctx: &mut Ctx<'_>, s: usize, obs: &mut O) {
    let stratum = &ctx.plan.strata[s];
    for &c in &stratum.categories {
        let rel = ctx.store.relation_mut(c);
        rel.clear();
        ctx.state.generation[c.index()] += 1;
        obs.reset(c);
        for i in 0..ctx.base.len(c) {
            let (tuple, origin) = ctx.base.entry(c, i);
            if let Some(r) = rel.insert(tuple).row() {
                obs.inserted(c, r, origin);
            }
        }
    }
    ctx.state.restart(&stratum.handlers);
    ctx.stats.strata[s].recomputed += 1;
}

fn run_stratum<O: Observer>(
    ctx: &mut Ctx<'_>,
    s: usize,
    progress: &mut Progress,
    obs: &mut O,
) -> Result<(), String> {
    let handlers = &ctx.plan.strata[s].handlers;
    let code = Code::new(ctx.plan, ctx.natives);
    let mut frame = Frame::new();
    loop {
        let started = Instant::now();
        let (store, state, stats) = (&mut *ctx.store, &mut *ctx.state, &mut *ctx.stats);
        queue_prioritized(handlers, code, store, state, stats, &mut frame);
        let work = next_work(handlers, code.plan, store, state, stats);
        if work.is_empty() {
            break;
        }
        let mut wanted: Vec<(CatId, IndexId)> = Vec::new();
        for w in &work {
            wanted.extend_from_slice(&code.handler(w.handler).reads);
        }
        store.catch_up(&wanted);
        let events: usize = work.iter().map(Work::len).sum();
        let threads = rayon::current_num_threads();
        let hs = &stats.handlers;
        let prefilter = |h: usize| threads > 1 && hs[h].found_known >= hs[h].found_new;
        let results = round::evaluate(code, store, &work, prefilter)?;
        drop(work);
        let timings = &mut *ctx.timings;
        let found = round::insert(
            store,
            &results,
            &mut stats.handlers,
            &mut timings.handlers,
            obs,
        );
        stats.strata[s].rounds += 1;
        let pending: usize = handlers
            .iter()
            .map(|&h| state.pending(store, h, code.plan.handler(h).trigger))
            .sum();
        progress.round(
            s,
            stats.strata[s].rounds,
            events as u64,
            pending as u64,
            found,
        );
        // The checkpoint that follows is the database's time, not the stratum's.
        timings.strata[s] += nanos(started.elapsed());
        obs.round_end(ctx.view())?;
    }
    Ok(())
}

/// Queue the new trigger rows of prioritized handlers with their priority.
fn queue_prioritized(
    handlers: &[HandlerId],
    code: Code<'_>,
    store: &Store,
    state: &mut SchedState,
    stats: &mut Stats,
    frame: &mut Frame,
) {
    for h in handlers {
        let handler = code.handler(h.index());
        let Some(priority) = &handler.priority else {
            continue;
        };
        let float = priority.float;
        let rel = store.relation(handler.trigger);
        let st = &mut stats.handlers[h.index()];
        for r in state.watermarks[h.index()]..rel.len() as u32 {
            if rel.is_dead(r) {
                st.skipped_superseded += 1;
                continue;
            }
            match code.priority(h.index(), store, rel.row(r), frame) {
                Ok(Some(w)) => state.queues[h.index()].push(Reverse((PrioKey::of(w, float), r))),
                Ok(None) => st.count(&EventOutcome::ended(Outcome::Data, None)),
                Err(f) => st.count(&EventOutcome::ended(Outcome::Fault(f), Some(f))),
            }
        }
        state.watermarks[h.index()] = rel.len() as u32;
    }
}

/// The next round's events (empty: the stratum is at its fixpoint).
fn next_work(
    handlers: &[HandlerId],
    plan: &Plan,
    store: &Store,
    state: &mut SchedState,
    stats: &mut Stats,
) -> Vec<Work> {
    // The smallest queued priority, after dropping superseded heads.
    let mut best: Option<PrioKey> = None;
    for h in handlers {
        let p = plan.handler(*h);
        if p.priority.is_none() {
            continue;
        }
        let rel = store.relation(p.trigger);
        let q = &mut state.queues[h.index()];
        while let Some(Reverse((key, r))) = q.peek() {
            if !rel.is_dead(*r) {
                if best.is_none_or(|b| *key < b) {
                    best = Some(*key);
                }
                break;
            }
            stats.handlers[h.index()].skipped_superseded += 1;
            q.pop();
        }
    }
    let mut work = Vec::new();
    for h in handlers {
        let p = plan.handler(*h);
        if p.priority.is_some() {
            let Some(best) = best else { continue };
            let q = &mut state.queues[h.index()];
            let mut rows = Vec::new();
            while let Some(Reverse((key, r))) = q.peek() {
                if *key != best {
                    break;
                }
                rows.push(*r);
                q.pop();
            }
            if !rows.is_empty() {
                work.push(Work {
                    handler: h.index(),
                    rows: Rows::List(rows),
                });
            }
        } else {
            let len = store.relation(p.trigger).len() as u32;
            let wm = &mut state.watermarks[h.index()];
            if *wm < len {
                work.push(Work {
                    handler: h.index(),
                    rows: Rows::Range(*wm, len),
                });
                *wm = len;
            }
        }
    }
    work
}
