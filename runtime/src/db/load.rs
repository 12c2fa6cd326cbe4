//! Resuming: the last checkpoint back into a fresh engine.
//!
//! Symbols first (strings, then lists, in id order), then each
//! category's blocks in row order, decoded in parallel and inserted in row
//! order, which rebuilds identity tables and superseded marks and must
//! hand out exactly the saved row ids (anything else is corruption); then
//! the given facts, the scheduler's state and the counters. Every length
//! in the state record is checked against the program and the blocks, so
//! a damaged database is reported, not half-loaded.

use std::borrow::Cow;

use rayon::prelude::*;

use super::meta::StateMeta;
use super::symbols::needs_mapping;
use super::{block, keys, tables, varint, Db, DbError};
use crate::exec::engine::Engine;
use crate::exec::sched_state::PrioKey;
use crate::plan::{CatId, Plan};
use crate::store::Buf;
use crate::value::Word;

/// What a resume found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// Rows loaded (superseded ones included).
    pub rows: u64,
    /// Checkpoints the database had.
    pub checkpoint: u64,
    /// Whether the run that wrote the last checkpoint had finished.
    pub complete: bool,
}

pub(super) fn restore(
    db: &mut Db,
    engine: &mut Engine,
    only: Option<&[CatId]>,
) -> Result<Restored, DbError> {
    let Some(state) = db.state.clone() else {
        return Ok(Restored {
            complete: true,
            ..Restored::default()
        });
    };
    let floats: Vec<Option<bool>> = engine
        .plan()
        .handlers
        .iter()
        .map(|h| h.priority.as_ref().map(|p| p.float))
        .collect();
    check_shape(db, &state, engine.plan())?;
    load_symbols(db, &state)?;

    let parts = engine.parts_mut();
    let plan = parts.plan;
    let mut rows = 0u64;
    for ci in 0..plan.categories.len() {
        let cat = CatId(ci as u32);
        if only.is_some_and(|o| !o.contains(&cat)) {
            continue;
        }
        let stamp = tables::Stamp {
            program: db.program_hash(),
            generation: state.generation[ci],
            rows: state.rows[ci],
        };
        rows += load_facts(db, parts.store.relation_mut(cat), ci, stamp)?;
        if only.is_none() {
            load_given(db, parts.base, cat, state.given[ci])?;
        }
    }
    if only.is_none() {
        for (h, handler) in plan.handlers.iter().enumerate() {
            let len = parts.store.relation(handler.trigger).len() as u32;
            if state.watermarks[h] > len {
                return Err(db.corrupt(format!(
                    "handler {h} has run past the last row of `{}`",
                    plan.category(handler.trigger).name
                )));
            }
        }
        parts.sched.watermarks = state.watermarks.clone();
        parts.sched.generation = state.generation.clone();
        parts.sched.basis = state.basis.clone();
        for (h, float) in floats.iter().enumerate() {
            if let Some(float) = float {
                let q = load_queue(db, h, *float, state.queued[h])?;
                let len = parts.store.relation(plan.handlers[h].trigger).len() as u32;
                if q.iter().any(|&(_, row)| row >= len) {
                    return Err(db.corrupt(format!(
                        "the event queue of handler {h} refers to a missing row"
                    )));
                }
                parts.sched.set_queue(h, q);
            }
        }
        // Tables read ahead for categories that did not want them go.
        db.prefetch = tables::Prefetch::default();
        *parts.stats = state.stats.clone();
        // A database from before timings were kept starts them at zero.
        if state.timings.fits(plan) {
            *parts.timings = state.timings.clone();
        }
        *parts.files = state.files.iter().map(Into::into).collect();
    }
    Ok(Restored {
        rows,
        checkpoint: state.checkpoint,
        complete: state.complete,
    })
}

/// Every per-category, per-handler and per-stratum list must fit the
/// program (the fingerprint matched, so a mismatch is damage).
pub(super) fn check_shape(db: &Db, s: &StateMeta, plan: &Plan) -> Result<(), DbError> {
    let (c, h, st) = (
        plan.categories.len(),
        plan.handlers.len(),
        plan.strata.len(),
    );
    let ok = s.rows.len() == c
        && s.given.len() == c
        && s.generation.len() == c
        && s.basis.len() == st
        && s.watermarks.len() == h
        && s.queued.len() == h
        && s.stats.handlers.len() == h
        && s.stats.strata.len() == st;
    if ok {
        Ok(())
    } else {
        Err(db.corrupt(
            "the state record does not fit the program's categories, handlers and strata"
                .to_string(),
        ))
    }
}

pub(super) fn load_symbols(db: &mut Db, state: &StateMeta) -> Result<(), DbError> {
    db.symbols
        .set_list_types(&state.list_types)
        .map_err(|e| db.corrupt(e))?;
    for (tag, what) in [(keys::STRINGS, "strings"), (keys::LISTS, "lists")] {
        for kv in db.sled.scan_prefix([tag]) {
            let (k, v) = kv.map_err(|e| db.io(e))?;
            let first = keys::last_u32(&k, 5)
                .ok_or_else(|| db.corrupt(format!("a key of the {what} table is malformed")))?;
            let v = db.blocks().bytes(&v).map_err(|e| db.corrupt(e))?;
            let loaded = if tag == keys::STRINGS {
                db.symbols.load_strings(first, &v)
            } else {
                db.symbols.load_lists(first, &v)
            };
            loaded.map_err(|e| db.corrupt(e))?;
        }
    }
    if db.symbols.strings() != state.strings || db.symbols.lists() != state.lists {
        return Err(db.corrupt(format!(
            "the symbol tables hold {} strings and {} lists, the state record says {} and {}",
            db.symbols.strings(),
            db.symbols.lists(),
            state.strings,
            state.lists
        )));
    }
    Ok(())
}

/// The blocks under `tag`+`ci` (of category `name`): each one's first
/// row and sled value, in row order.
pub(super) fn block_values(
    db: &Db,
    tag: u8,
    ci: usize,
    name: &str,
) -> Result<Vec<(usize, sled::IVec)>, DbError> {
    let mut out = Vec::new();
    for kv in db.sled.scan_prefix(keys::one(tag, ci as u32)) {
        let (k, v) = kv.map_err(|e| db.io(e))?;
        let first = keys::last_u32(&k, 9)
            .ok_or_else(|| db.corrupt(format!("a block key of `{name}` is malformed")))?;
        out.push((first as usize, v));
    }
    Ok(out)
}

/// Read and decode the blocks under `tag`+`ci`, checking they are
/// contiguous from 0 and hold `expect` rows.
pub(super) fn read_blocks(
    db: &Db,
    tag: u8,
    ci: usize,
    arity: usize,
    want_origins: bool,
    expect: u32,
    name: &str,
) -> Result<Vec<block::Decoded>, DbError> {
    let raw = block_values(db, tag, ci, name)?;
    let blocks = db.blocks();
    let decoded: Vec<Result<block::Decoded, String>> = raw
        .par_iter()
        .map(|(_, v)| block::decode(&blocks.bytes(v)?, arity, want_origins))
        .collect();
    let mut next = 0usize;
    let mut out = Vec::with_capacity(decoded.len());
    for ((first, _), d) in raw.iter().zip(decoded) {
        let d = d.map_err(|e| db.corrupt(format!("`{name}`: {e}")))?;
        if *first != next {
            return Err(db.corrupt(format!(
                "`{name}` has a block at row {first} where row {next} was expected"
            )));
        }
        next += d.n;
        out.push(d);
    }
    if next != expect as usize {
        return Err(db.corrupt(format!(
            "`{name}` has {next} rows on disk, the state record says {expect}"
        )));
    }
    Ok(out)
}

/// Load a category's rows: from its saved tables file ([`tables`]) when
/// one serves them, which also brings its identity table and indexes, and
/// from the blocks for the rows after it (or all of them).
fn load_facts(
    db: &mut Db,
    rel: &mut crate::store::Relation,
    ci: usize,
    stamp: tables::Stamp,
) -> Result<u64, DbError> {
    let expect = stamp.rows as usize;
    let name = rel.name().to_string();
    let (arity, types) = (rel.arity(), rel.types().to_vec());
    let stored = block_values(db, keys::FACTS, ci, &name)?;
    // Saved rows and tables serve only if saved from these very blocks.
    let saved = (expect >= tables::MIN_ROWS && !needs_mapping(&types))
        .then(|| db.prefetch.take(&db.dir, ci, stamp))
        .flatten()
        .filter(|s| {
            let blocks = stored.iter().map(|(first, v)| (*first, &v[..]));
            s.record == tables::record(blocks, s.rows as usize)
        });
    if let Some(saved) = saved {
        // The tables stand for the blocks below their rows, which are not
        // decoded: their checksums are checked all the same, so damage
        // under a valid cache is found now, not after the cache is gone.
        let blocks = db.blocks();
        stored
            .par_iter()
            .filter(|(first, _)| *first < saved.rows as usize)
            .try_for_each(|(_, v)| blocks.bytes(v).map(|_| ()))
            .map_err(|e| db.corrupt(format!("`{name}`: {e}")))?;
        let (on_disk, from) = (
            tables::Stamp {
                rows: saved.rows,
                ..stamp
            },
            saved.rows as usize,
        );
        let tail = decode_rows(db, &stored, from, expect, arity, &name)?;
        // Tables that do not fit, or rows after them that do not replay
        // on top, leave the record to say: every row is decoded from it.
        if rel.load_rows_saved(saved, tail, expect - from) == Ok(true) {
            if let Some(t) = db.tables.get_mut(ci) {
                *t = Some(on_disk);
            }
            return Ok(expect as u64);
        }
        rel.clear();
    }
    let mut words = decode_rows(db, &stored, 0, expect, arity, &name)?;
    if needs_mapping(&types) {
        for row in words.chunks_exact_mut(arity) {
            for (w, ty) in row.iter_mut().zip(&types) {
                *w = db.symbols.word_for_stable(ty, *w).ok_or_else(|| {
                    db.corrupt(format!("`{name}` refers to a missing string or list"))
                })?;
            }
        }
    }
    rel.load_rows(words, expect)
        .map_err(|row| not_replayed(db, row, &name))?;
    if let Some(t) = db.tables.get_mut(ci) {
        *t = None;
    }
    Ok(expect as u64)
}

fn not_replayed(db: &Db, row: u32, name: &str) -> DbError {
    db.corrupt(format!(
        "row {row} of `{name}` does not replay (a duplicate, or out of order)"
    ))
}

/// Rows `from..expect` of a category from its blocks (`stored`: each
/// block's first row and value, in row order), decoded in parallel
/// straight into one buffer. The blocks must follow each other from row
/// 0 to `expect`, each holding the rows up to the next; only those
/// holding rows from `from` on are read, and their counts are checked
/// before anything is allocated for them.
fn decode_rows(
    db: &Db,
    stored: &[(usize, sled::IVec)],
    from: usize,
    expect: usize,
    arity: usize,
    name: &str,
) -> Result<Buf<Word>, DbError> {
    if stored.is_empty() && expect > 0 {
        return Err(db.corrupt(format!(
            "`{name}` has no rows on disk, the state record says {expect}"
        )));
    }
    // Each block ends where the next begins (the last at `expect`).
    let mut wanted = Vec::new();
    for (i, (first, v)) in stored.iter().enumerate() {
        let last = i + 1 == stored.len();
        let end = stored.get(i + 1).map_or(expect, |(next, _)| *next);
        if i == 0 && *first != 0 {
            return Err(db.corrupt(format!("`{name}` has its first block at row {first}")));
        }
        if end <= *first {
            return Err(db.corrupt(if last {
                format!("`{name}` has a block at row {first}, the state record says {expect} rows")
            } else {
                format!("`{name}` has blocks at rows {first} and {end}, out of order")
            }));
        }
        if end > from {
            wanted.push((*first, end, v, last));
        }
    }
    let blocks = db.blocks();
    let fetched: Vec<Cow<'_, [u8]>> = wanted
        .par_iter()
        .map(|(.., v, _)| blocks.bytes(v))
        .collect::<Result<_, String>>()
        .map_err(|e| db.corrupt(format!("`{name}`: {e}")))?;
    for ((first, end, _, last), bytes) in wanted.iter().zip(&fetched) {
        // A row takes at least a byte a field, so the rows allocated for
        // are bounded by the bytes read.
        let n = block::count(bytes).filter(|&n| arity == 0 || n <= bytes.len());
        if n != Some(end - first) {
            let n = n.map_or("an impossible number of".to_string(), |n| n.to_string());
            return Err(db.corrupt(if *last {
                format!("`{name}`: the last block holds {n} rows from row {first}, the state record says {expect} rows in all")
            } else {
                format!("`{name}`: the block at row {first} holds {n} rows, the next begins at row {end}")
            }));
        }
    }
    let start = wanted.first().map_or(from, |(first, ..)| *first);
    // The threads decoding take the pages' first faults in parallel.
    let mut words: Buf<Word> = Buf::zeroed_unpopulated((expect - start) * arity);
    let mut slices = Vec::with_capacity(wanted.len());
    let mut rest: &mut [Word] = &mut words;
    for ((first, end, ..), bytes) in wanted.iter().zip(&fetched) {
        let (head, tail) = rest.split_at_mut((end - first) * arity);
        slices.push((head, bytes));
        rest = tail;
    }
    slices
        .into_par_iter()
        .map(|(out, bytes)| block::decode_rows(bytes, arity, out))
        .collect::<Result<(), String>>()
        .map_err(|e| db.corrupt(format!("`{name}`: {e}")))?;
    // The first block read may start before `from`.
    if start < from {
        let skip = (from - start) * arity;
        words.copy_within(skip.., 0);
        words.resize(words.len() - skip, 0);
    }
    Ok(words)
}

fn to_process(
    db: &Db,
    types: &[crate::value::Type],
    row: &[u64],
    out: &mut [Word],
    name: &str,
) -> Result<(), DbError> {
    for ((o, ty), &s) in out.iter_mut().zip(types).zip(row) {
        *o = db
            .symbols
            .word_for_stable(ty, s)
            .ok_or_else(|| db.corrupt(format!("`{name}` refers to a missing string or list")))?;
    }
    Ok(())
}

fn load_given(
    db: &Db,
    base: &mut crate::exec::base::BaseLog,
    cat: CatId,
    expect: u32,
) -> Result<(), DbError> {
    let Some(name) = db
        .program
        .as_ref()
        .and_then(|p| p.categories.get(cat.index()).cloned())
    else {
        return Err(db.corrupt("the program record lacks a category".to_string()));
    };
    if expect > 0 && !base.is_derived(cat) {
        return Err(db.corrupt(format!("`{name}` has given facts but no rule finds it")));
    }
    let types = base.types(cat).to_vec();
    let arity = types.len();
    let blocks = read_blocks(db, keys::GIVEN, cat.index(), arity, true, expect, &name)?;
    let mut tuple: Vec<Word> = vec![0; arity];
    for d in &blocks {
        for (i, origin) in d.origins.iter().enumerate() {
            to_process(
                db,
                &types,
                &d.rows[i * arity..(i + 1) * arity],
                &mut tuple,
                &name,
            )?;
            if !base.record(cat, &tuple, *origin) {
                return Err(db.corrupt(format!("`{name}` has a given fact twice")));
            }
        }
    }
    Ok(())
}

fn load_queue(db: &Db, h: usize, float: bool, expect: u32) -> Result<Vec<(PrioKey, u32)>, DbError> {
    let bad = || db.corrupt(format!("the event queue of handler {h} does not read back"));
    let bytes = db
        .records
        .get(keys::one(keys::QUEUE, h as u32))
        .map_err(|e| db.io(e))?
        .ok_or_else(bad)?;
    let mut r = varint::Reader::new(&bytes);
    let mut out = Vec::with_capacity(expect as usize);
    let (mut key, mut row) = (0u64, 0u64);
    while !r.is_done() {
        key = r.delta(key).ok_or_else(bad)?;
        row = r.delta(row).ok_or_else(bad)?;
        out.push((
            PrioKey::of(key, float),
            u32::try_from(row).map_err(|_| bad())?,
        ));
    }
    if out.len() != expect as usize {
        return Err(bad());
    }
    Ok(out)
}
