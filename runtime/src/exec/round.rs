//! One round's work: events cut into fixed-size chunks, evaluated in
//! parallel against the (read-only) store, found facts collected per chunk
//! in order.
//!
//! Chunk boundaries depend only on the work list, never on the thread
//! count, and rayon's indexed `collect` keeps chunk order; so the serial
//! insert that follows sees the same facts in the same order for any
//! number of threads.
//!
//! Each worker drops finds that are already known (or lose against their
//! key's current fact) before they reach the serial phase: the identity
//! tables are only read during the round, and a known fact stays known,
//! so the result is the same as checking at insert time, only cheaper
//! for the one thread that inserts.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::eval::{Code, Frame};
use crate::exec::budget;
use crate::exec::observe::Observer;
use crate::exec::origin::Origin;
use crate::exec::stats::HandlerStats;
use crate::exec::timings::nanos;
use crate::plan::CatId;
use crate::store::Store;
use crate::value::Word;

/// Events per chunk: big enough to amortise a chunk's buffers, small
/// enough to balance two or more threads. Never depends on the threads.
pub const CHUNK: usize = 2048;

/// Rows of one handler's trigger to run as events.
#[derive(Clone, Debug)]
pub enum Rows {
    /// Row ids `lo..hi`.
    Range(u32, u32),
    /// Row ids listed explicitly (prioritized events).
    List(Vec<u32>),
}

/// One handler's events in a round (`handler` indexes the plan's handlers).
#[derive(Clone, Debug)]
pub struct Work {
    pub handler: usize,
    pub rows: Rows,
}

impl Work {
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Range(lo, hi) => (hi - lo) as usize,
            Rows::List(l) => l.len(),
        }
    }
}

/// What one chunk of events produced.
#[derive(Debug, Default)]
pub struct ChunkResult {
    pub handler: usize,
    pub stats: HandlerStats,
    /// Candidates, each `[cat, ident hash, field words...]`.
    pub found: Vec<Word>,
    /// `(event row, end offset in found)` per event that found candidates:
    /// the provenance of each candidate (handler, event fact).
    pub events: Vec<(u32, u32)>,
    /// Offsets in `found` of recent candidates, by hash ([`RECENT`] of
    /// them, `u32::MAX` empty; sized on first use): a repeat of one is
    /// counted known and not buffered.
    pub(crate) recent: Vec<u32>,
    /// Time spent evaluating the chunk's events ([`crate::exec::timings`]).
    pub nanos: u64,
}

/// Entries of a chunk's table of recent candidates. A find repeated within
/// a chunk (an enumerating join whose rows all lead to the same fact) is
/// caught when its earlier copy is still in the table; one that was pushed
/// out is caught at insert, as before: only memory differs, never a
/// result or a counter.
const RECENT: usize = 4096;

/// Cut the work into chunks of at most [`CHUNK`] events.
fn chunks(work: &[Work]) -> Vec<(usize, &[u32], u32, u32)> {
    let mut out = Vec::new();
    for (w, item) in work.iter().enumerate() {
        match &item.rows {
            Rows::Range(lo, hi) => {
                let mut a = *lo;
                while a < *hi {
                    let b = (*hi).min(a.saturating_add(CHUNK as u32));
                    out.push((w, &[][..], a, b));
                    a = b;
                }
            }
            Rows::List(list) => {
                for c in list.chunks(CHUNK) {
                    out.push((w, c, 0, 0));
                }
            }
        }
    }
    out
}

/// Run every event of `work` against `store` (on the current rayon pool).
/// `prefilter(handler)` says whether workers drop known finds for that
/// handler (worth it only with several threads, for handlers that find
/// many known facts: otherwise it is a second probe of every new one).
/// Results and counters are the same either way.
/// Fails when the round's found facts outgrow [`budget::limit`]: the
/// error names the category and the rule that found most of them.
pub(crate) fn evaluate(
    code: Code<'_>,
    store: &Store,
    work: &[Work],
    prefilter: impl Fn(usize) -> bool + Sync,
) -> Result<Vec<ChunkResult>, String> {
    let chunks = chunks(work);
    let limit = budget::limit();
    // Bytes of found facts buffered by every chunk so far; past the limit
    // every chunk stops at its next event.
    let buffered = AtomicUsize::new(0);
    let over = AtomicBool::new(false);
    let watch = |res: &ChunkResult, before: usize| {
        let grown = (res.found.len() - before) * std::mem::size_of::<Word>();
        if grown > 0 && buffered.fetch_add(grown, Ordering::Relaxed) + grown > limit {
            over.store(true, Ordering::Relaxed);
        }
    };
    let run = |&(w, list, lo, hi): &(usize, &[u32], u32, u32)| {
        let h = work[w].handler;
        let prefilter = prefilter(h);
        let mut res = ChunkResult {
            handler: h,
            ..ChunkResult::default()
        };
        let started = Instant::now();
        let mut frame = Frame::new();
        let mut raw = Vec::new();
        let rows = (lo..hi).chain(list.iter().copied());
        for r in rows {
            if over.load(Ordering::Relaxed) {
                break;
            }
            let before = res.found.len();
            one_event(code, h, store, r, &mut frame, &mut raw, &mut res, prefilter);
            watch(&res, before);
        }
        res.nanos = nanos(started.elapsed());
        res
    };
    let results: Vec<ChunkResult> = if chunks.len() <= 1 || rayon::current_num_threads() <= 1 {
        chunks.iter().map(run).collect()
    } else {
        chunks.par_iter().map(run).collect()
    };
    if over.load(Ordering::Relaxed) {
        return Err(too_much(code, &results, buffered.into_inner(), limit));
    }
    Ok(results)
}

/// The error of a round that buffered more than `limit` bytes of finds:
/// which category and which rule grew.
fn too_much(code: Code<'_>, results: &[ChunkResult], bytes: usize, limit: usize) -> String {
    let plan = code.plan;
    let mut by_cat = vec![0usize; plan.categories.len()];
    let mut by_rule = vec![0usize; plan.rules.len()];
    for res in results {
        let rule = plan.handlers[res.handler].rule.index();
        let mut i = 0;
        while i < res.found.len() {
            let cat = res.found[i] as usize;
            let n = plan.categories[cat].arity();
            by_cat[cat] += 1;
            by_rule[rule] += 1;
            i += 2 + n;
        }
    }
    let most = |counts: &[usize]| {
        counts
            .iter()
            .enumerate()
            .max_by_key(|(_, &c)| c)
            .map(|(i, &c)| (i, c))
            .unwrap_or((0, 0))
    };
    let (cat, facts) = most(&by_cat);
    let (rule, _) = most(&by_rule);
    let mib = |b: usize| b >> 20;
    format!(
        "out of memory budget: one round buffered {} MiB of found facts, past the limit of {} MiB \
         (set by {} in MiB, else half the machine's memory); category `{}` grew most \
         ({facts} facts waiting), found by rule `{}` (line {})",
        mib(bytes),
        mib(limit),
        budget::ENV,
        plan.categories.get(cat).map_or("?", |c| c.name.as_str()),
        plan.rules.get(rule).map_or("?", |r| r.name.as_str()),
        plan.rules.get(rule).map_or(0, |r| r.line),
    )
}

#[inline]
#[allow(clippy::too_many_arguments)]
fn one_event(
    code: Code<'_>,
    h: usize,
    store: &Store,
    r: u32,
    frame: &mut Frame,
    raw: &mut Vec<Word>,
    res: &mut ChunkResult,
    prefilter: bool,
) {
    let rel = store.relation(code.handler(h).trigger);
    if rel.is_dead(r) {
        res.stats.skipped_superseded += 1;
        return;
    }
    raw.clear();
    let o = code.run_event(h, store, rel.row(r), frame, raw);
    res.stats.count(&o);
    if o.found > 0 {
        collect(store, r, raw, res, prefilter);
    }
}

/// Move the facts event row `r` found (`raw`: `[cat, field words...]`
/// each) into `res` as candidates for [`insert`], dropping known ones
/// when `prefilter`.
pub(crate) fn collect(store: &Store, r: u32, raw: &[Word], res: &mut ChunkResult, prefilter: bool) {
    let before = res.found.len();
    let mut i = 0;
    while i < raw.len() {
        let cat = CatId(raw[i] as u32);
        let frel = store.relation(cat);
        let n = frel.arity();
        let tuple = &raw[i + 1..i + 1 + n];
        let hash = frel.ident_hash(tuple);
        if res.recent.is_empty() {
            res.recent.resize(RECENT, u32::MAX);
        }
        // The top bits of a multiplicative mix pick the entry.
        let slot = (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize % RECENT;
        let prev = res.recent[slot] as usize;
        let repeat = prev != u32::MAX as usize
            && res.found[prev] == raw[i]
            && res.found[prev + 1] == hash
            && res.found[prev + 2..prev + 2 + n] == *tuple;
        // A repeat of a candidate this chunk already holds is known once
        // that one is inserted (the same tuple never wins twice): counting
        // it now is what insert would count.
        if repeat || (prefilter && frel.is_known(hash, tuple)) {
            res.stats.found_known += 1;
        } else {
            res.recent[slot] = res.found.len() as u32;
            res.found.push(raw[i]);
            res.found.push(hash);
            res.found.extend_from_slice(tuple);
        }
        i += 1 + n;
    }
    if res.found.len() > before {
        res.events.push((r, res.found.len() as u32));
    }
}

/// Insert a round's candidates serially, in chunk order, counting them;
/// `obs` sees every new row with its origin (the handler and the row of
/// the event that found it). Each chunk's evaluation and insertion time
/// is added to its handler's entry of `handler_nanos`.
pub fn insert<O: Observer>(
    store: &mut Store,
    results: &[ChunkResult],
    stats: &mut [HandlerStats],
    handler_nanos: &mut [u64],
    obs: &mut O,
) -> u64 {
    let mut new = 0;
    let mut warm = 0u64;
    let mut batch: Vec<usize> = Vec::with_capacity(WARM_BATCH);
    for res in results {
        let started = Instant::now();
        let s = &mut stats[res.handler];
        s.add(&res.stats);
        let found = &res.found;
        let mut i = 0usize;
        let mut ev = 0usize;
        while i < found.len() {
            // Touch the table slots of a batch of candidates in a tight
            // loop first: their cache misses overlap instead of queueing.
            batch.clear();
            let mut j = i;
            while j < found.len() && batch.len() < WARM_BATCH {
                let rel = store.relation(CatId(found[j] as u32));
                warm ^= rel.warm(found[j + 1]);
                batch.push(j);
                j += 2 + rel.arity();
            }
            for &at in &batch {
                while res.events[ev].1 as usize <= at {
                    ev += 1;
                }
                let cat = CatId(found[at] as u32);
                let rel = store.relation_mut(cat);
                let n = rel.arity();
                let ins = rel.insert_hashed(found[at + 1], &found[at + 2..at + 2 + n]);
                match ins.row() {
                    Some(row) => {
                        s.found_new += 1;
                        s.count_found_into(cat);
                        new += 1;
                        let origin = Origin::Rule {
                            handler: res.handler as u32,
                            event: res.events[ev].0,
                        };
                        obs.inserted(cat, row, origin);
                    }
                    None => s.found_known += 1,
                }
            }
            i = j;
        }
        handler_nanos[res.handler] += res.nanos + nanos(started.elapsed());
    }
    std::hint::black_box(warm);
    new
}

/// Candidates whose identity-table slots are touched together.
const WARM_BATCH: usize = 32;
