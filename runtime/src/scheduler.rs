//! The scheduler: strata in order, each to a fixpoint in rounds.
//!
//! Every fact that enters a category is an event, exactly once, for every
//! handler triggered by that category. A per-handler watermark (the next
//! row id not yet scheduled) tracks that; dead (superseded) rows are
//! skipped when their turn comes.
//!
//! A round takes the stratum's pending events, evaluates them in parallel
//! against the store as it was at the start of the round
//! ([`crate::round::evaluate`]), then inserts what they found serially in
//! chunk order ([`crate::round::insert`]). Row ids, counters and results
//! are therefore identical for any thread count.
//!
//! Prioritized handlers keep their pending events in a heap ordered by
//! (priority, row id). A round runs all pending events of unprioritized
//! handlers plus the prioritized events with the smallest priority value
//! in the stratum (Dijkstra-like: with `keep min` the first fact of a key
//! to be run is usually its final one, and superseded ones are skipped).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::interp::{eval_priority, EventOutcome, Frame, Outcome, Prepared};
use crate::plan::{HandlerId, Plan};
use crate::progress::Progress;
use crate::round::{self, Rows, Work};
use crate::stats::Stats;
use crate::store::{IndexId, Store};
use crate::value::{to_float, to_int, Word};

/// A priority value: int or float (a handler's priority has one type).
#[derive(Clone, Copy, Debug)]
pub enum PrioKey {
    Int(i64),
    Float(f64),
}

impl PrioKey {
    fn of(word: Word, float: bool) -> PrioKey {
        if float {
            PrioKey::Float(to_float(word))
        } else {
            PrioKey::Int(to_int(word))
        }
    }
}

impl Ord for PrioKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PrioKey::Int(a), PrioKey::Int(b)) => a.cmp(b),
            (PrioKey::Float(a), PrioKey::Float(b)) => a.total_cmp(b),
            (PrioKey::Int(a), PrioKey::Float(b)) => (*a as f64).total_cmp(b).then(Ordering::Less),
            (PrioKey::Float(a), PrioKey::Int(b)) => {
                a.total_cmp(&(*b as f64)).then(Ordering::Greater)
            }
        }
    }
}
impl PartialOrd for PrioKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for PrioKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for PrioKey {}

/// Where every handler stands: the part of a run that a durable database
/// saves to resume later.
#[derive(Debug, Default)]
pub struct SchedState {
    /// Per handler: trigger rows below this were scheduled (run, queued,
    /// or skipped).
    pub watermarks: Vec<u32>,
    /// Per prioritized handler: queued `(priority, row)`.
    queues: Vec<BinaryHeap<Reverse<(PrioKey, u32)>>>,
}

impl SchedState {
    pub fn new(plan: &Plan) -> SchedState {
        SchedState {
            watermarks: vec![0; plan.handlers.len()],
            queues: (0..plan.handlers.len())
                .map(|_| BinaryHeap::new())
                .collect(),
        }
    }

    /// Events not yet run for handler `h`.
    pub fn pending(&self, store: &Store, p: &Prepared) -> usize {
        let h = p.handler.index();
        let len = store.relation(p.trigger).len();
        len.saturating_sub(self.watermarks[h] as usize) + self.queues[h].len()
    }
}

/// Run every stratum of the plan to its fixpoint.
pub fn run_strata(
    plan: &Plan,
    prepared: &[Prepared],
    store: &mut Store,
    state: &mut SchedState,
    stats: &mut Stats,
    progress: &mut Progress,
) {
    for (s, stratum) in plan.strata.iter().enumerate() {
        run_stratum(
            s,
            &stratum.handlers,
            prepared,
            store,
            state,
            stats,
            progress,
        );
    }
}

fn run_stratum(
    s: usize,
    handlers: &[HandlerId],
    prepared: &[Prepared],
    store: &mut Store,
    state: &mut SchedState,
    stats: &mut Stats,
    progress: &mut Progress,
) {
    let mut frame = Frame::new();
    loop {
        queue_prioritized(handlers, prepared, store, state, stats, &mut frame);
        let work = next_work(handlers, prepared, store, state, stats);
        if work.is_empty() {
            break;
        }
        let mut wanted: Vec<(crate::plan::CatId, IndexId)> = Vec::new();
        for w in &work {
            wanted.extend_from_slice(&prepared[w.handler].indexes);
        }
        store.catch_up(&wanted);
        let events: usize = work.iter().map(Work::len).sum();
        let threads = rayon::current_num_threads();
        let hs = &stats.handlers;
        let prefilter = |h: usize| threads > 1 && hs[h].found_known >= hs[h].found_new;
        let results = round::evaluate(prepared, store, &work, prefilter);
        drop(work);
        let found = round::insert(store, &results, &mut stats.handlers, |_, _, _, _| {});
        stats.strata[s].rounds += 1;
        let pending: usize = handlers
            .iter()
            .map(|h| state.pending(store, &prepared[h.index()]))
            .sum();
        progress.round(
            s,
            stats.strata[s].rounds,
            events as u64,
            pending as u64,
            found,
        );
    }
}

/// Queue the new trigger rows of prioritized handlers with their priority.
fn queue_prioritized(
    handlers: &[HandlerId],
    prepared: &[Prepared],
    store: &Store,
    state: &mut SchedState,
    stats: &mut Stats,
    frame: &mut Frame,
) {
    for h in handlers {
        let p = &prepared[h.index()];
        let Some((_, float)) = &p.priority else {
            continue;
        };
        let rel = store.relation(p.trigger);
        let st = &mut stats.handlers[h.index()];
        for r in state.watermarks[h.index()]..rel.len() as u32 {
            if rel.is_dead(r) {
                st.skipped_superseded += 1;
                continue;
            }
            match eval_priority(p, store, rel.row(r), frame) {
                Ok(Some(w)) => state.queues[h.index()].push(Reverse((PrioKey::of(w, *float), r))),
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
    prepared: &[Prepared],
    store: &Store,
    state: &mut SchedState,
    stats: &mut Stats,
) -> Vec<Work> {
    // The smallest queued priority, after dropping superseded heads.
    let mut best: Option<PrioKey> = None;
    for h in handlers {
        let p = &prepared[h.index()];
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
        let p = &prepared[h.index()];
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
