//! Checkpoints: the rows found since the last one, with their provenance,
//! and the whole small state, written as one atomic sled batch.

use std::borrow::Cow;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::meta::{ProgramMeta, StateMeta};
use super::segments::{self, SegmentWriter};
use super::symbols::needs_mapping;
use super::{block, keys, varint, Db, DbError, Saved, BLOCK_ROWS};
use crate::exec::observe::View;
use crate::exec::origin::Origin;
use crate::plan::{CatId, Plan};
use crate::value::Word;

/// The first checkpoint comes after this long by default.
const INTERVAL: Duration = Duration::from_millis(250);
/// Later ones come after half the time the run has taken so far (so a crash loses at most
/// a third of the work done, and a run writes a few blocks per category,
/// not one per round: sled rewrites a whole leaf, values included, after
/// ten updates to it, so fewer, bigger blocks keep it from copying them).
const GROWTH_DIVISOR: u32 = 2;
/// ...but never less often than this.
const MAX_INTERVAL: Duration = Duration::from_secs(60);
/// A checkpoint may take at most about this share of a run's time: the
/// interval grows to this multiple of the last checkpoint's duration.
const COST_FACTOR: u32 = 4;
/// Pending rows that force a checkpoint (bounds the provenance held in
/// memory and the work a crash loses).
const MAX_PENDING: usize = 4 << 20;

/// What is not on disk yet.
#[derive(Debug)]
pub(super) struct Writer {
    /// Per category: rows on disk.
    written: Vec<u32>,
    /// Per category: given facts on disk.
    written_given: Vec<u32>,
    /// Per category: reset since the last checkpoint (its blocks go).
    rewrite: Vec<bool>,
    /// Per category: provenance of rows `written..` (from row 0 when
    /// `rewrite`).
    pending: Vec<Vec<Origin>>,
    pending_rows: usize,
    /// An inconsistency seen while observing (a bug, reported at the next
    /// round's end rather than panicking mid-round).
    fault: Option<String>,
    /// A merge was recorded since the last checkpoint.
    merges_changed: bool,
    checkpoints: u64,
    /// The last checkpoint, being persisted on its thread.
    persisting: Option<std::thread::JoinHandle<Result<(), DbError>>>,
    program: Option<ProgramMeta>,
    min_interval: Duration,
    interval: Duration,
    last: Instant,
    /// When this process started running (for the growing interval).
    started: Instant,
    saved: Saved,
}

impl Default for Writer {
    fn default() -> Writer {
        Writer {
            written: Vec::new(),
            written_given: Vec::new(),
            rewrite: Vec::new(),
            pending: Vec::new(),
            pending_rows: 0,
            fault: None,
            merges_changed: false,
            checkpoints: 0,
            persisting: None,
            program: None,
            min_interval: INTERVAL,
            interval: INTERVAL,
            last: Instant::now(),
            started: Instant::now(),
            saved: Saved::default(),
        }
    }
}

impl Writer {
    pub(super) fn new(plan: &Plan, program: ProgramMeta, state: Option<&StateMeta>) -> Writer {
        let n = plan.categories.len();
        let from = |v: Option<&Vec<u32>>| match v {
            Some(v) if v.len() == n => v.clone(),
            _ => vec![0; n],
        };
        Writer {
            written: from(state.map(|s| &s.rows)),
            written_given: from(state.map(|s| &s.given)),
            rewrite: vec![false; n],
            pending: vec![Vec::new(); n],
            checkpoints: state.map_or(0, |s| s.checkpoint),
            program: Some(program),
            ..Writer::default()
        }
    }

    pub(super) fn set_interval(&mut self, interval: Duration) {
        self.min_interval = interval;
        self.interval = interval;
    }

    pub(super) fn saved(&self) -> Saved {
        self.saved
    }

    pub(super) fn fault(&self) -> Option<String> {
        self.fault.clone()
    }

    pub(super) fn merges_changed(&mut self) {
        self.merges_changed = true;
    }

    #[inline]
    pub(super) fn inserted(&mut self, cat: CatId, row: u32, origin: Origin) {
        let c = cat.index();
        let base = if self.rewrite[c] { 0 } else { self.written[c] };
        let pending = &mut self.pending[c];
        if row as usize != base as usize + pending.len() && self.fault.is_none() {
            self.fault = Some(format!(
                "internal error: row {row} of category {c} reported out of order"
            ));
        }
        pending.push(origin);
        self.pending_rows += 1;
    }

    pub(super) fn reset(&mut self, cat: CatId) {
        let c = cat.index();
        self.rewrite[c] = true;
        self.pending_rows -= self.pending[c].len();
        self.pending[c].clear();
    }

    pub(super) fn due(&self) -> bool {
        self.last.elapsed() >= self.interval || self.pending_rows >= MAX_PENDING
    }
}

/// Write one checkpoint of `view`; `complete` marks the end of a run and
/// flushes to disk before returning.
pub(super) fn checkpoint(db: &mut Db, view: &View<'_>, complete: bool) -> Result<(), DbError> {
    let started = Instant::now();
    // The previous checkpoint is committed before this one is built (a
    // reset category's blocks are found in the store to be removed).
    wait_persisted(db)?;
    let plan = view.plan;
    let mut batch = sled::Batch::default();
    let mut records = sled::Batch::default();
    let mut segment = SegmentWriter::new(&db.dir, db.writer.checkpoints + 1);
    let mut rows_written = 0u64;
    for (ci, category) in plan.categories.iter().enumerate() {
        let cat = CatId(ci as u32);
        let rel = view.store.relation(cat);
        if db.writer.rewrite[ci] {
            for kv in db.sled.scan_prefix(keys::one(keys::FACTS, ci as u32)) {
                let (k, _) = kv.map_err(|e| db.io(e))?;
                batch.remove(k);
            }
            db.writer.written[ci] = 0;
            db.writer.rewrite[ci] = false;
        }
        let (lo, hi) = (db.writer.written[ci] as usize, rel.len());
        let pending = std::mem::take(&mut db.writer.pending[ci]);
        if pending.len() != hi.saturating_sub(lo) {
            return Err(DbError::Io {
                dir: db.dir.clone(),
                error: format!(
                    "internal error: {} rows of `{}` to save but {} provenance records",
                    hi.saturating_sub(lo),
                    category.name,
                    pending.len()
                ),
            });
        }
        let (arity, types) = (rel.arity(), rel.types());
        let map = needs_mapping(types);
        let mut start = lo;
        while start < hi {
            let end = (start + BLOCK_ROWS).min(hi);
            let words = &rel.words()[start * arity..end * arity];
            let stable: Cow<[u64]> = if map {
                Cow::Owned(stable_rows(db, types, words))
            } else {
                Cow::Borrowed(words)
            };
            let bytes = block::encode(&stable, arity, &pending[start - lo..end - lo]);
            let value = block_value(db, &mut segment, bytes)?;
            batch.insert(&keys::two(keys::FACTS, ci as u32, start as u32), value);
            start = end;
        }
        rows_written += (hi - lo) as u64;
        db.writer.written[ci] = hi as u32;

        let (glo, ghi) = (db.writer.written_given[ci] as usize, view.base.len(cat));
        if ghi > glo {
            let mut words: Vec<Word> = Vec::with_capacity((ghi - glo) * arity);
            let mut origins = Vec::with_capacity(ghi - glo);
            for i in glo..ghi {
                let (tuple, origin) = view.base.entry(cat, i);
                words.extend_from_slice(tuple);
                origins.push(origin);
            }
            let stable = stable_rows(db, types, &words);
            let bytes = block::encode(&stable, arity, &origins);
            let value = block_value(db, &mut segment, bytes)?;
            batch.insert(&keys::two(keys::GIVEN, ci as u32, glo as u32), value);
            db.writer.written_given[ci] = ghi as u32;
        }
    }
    db.writer.pending_rows = 0;

    let (strs, lists) = db.symbols.take_new();
    if let Some((first, bytes)) = strs {
        let value = block_value(db, &mut segment, bytes)?;
        batch.insert(&keys::one(keys::STRINGS, first), value);
    }
    if let Some((first, bytes)) = lists {
        let value = block_value(db, &mut segment, bytes)?;
        batch.insert(&keys::one(keys::LISTS, first), value);
    }

    let mut queued = vec![0u32; plan.handlers.len()];
    for (h, handler) in plan.handlers.iter().enumerate() {
        if handler.priority.is_none() {
            continue;
        }
        let q = view.sched.queue(h);
        queued[h] = q.len() as u32;
        let mut bytes = Vec::with_capacity(q.len() * 3 + 4);
        let (mut prev_key, mut prev_row) = (0u64, 0u64);
        for (key, row) in q {
            varint::put_delta(&mut bytes, prev_key, key.word());
            varint::put_delta(&mut bytes, prev_row, u64::from(row));
            prev_key = key.word();
            prev_row = u64::from(row);
        }
        records.insert(&keys::one(keys::QUEUE, h as u32), bytes);
    }

    db.writer.checkpoints += 1;
    let state = StateMeta {
        checkpoint: db.writer.checkpoints,
        complete,
        rows: db.writer.written.clone(),
        given: db.writer.written_given.clone(),
        generation: view.sched.generation.clone(),
        basis: view.sched.basis.clone(),
        watermarks: view.sched.watermarks.clone(),
        queued,
        stats: view.stats.clone(),
        timings: view.timings.clone(),
        files: view
            .files
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect(),
        strings: db.symbols.strings(),
        lists: db.symbols.lists(),
        list_types: db.symbols.list_type_codes(),
    };
    records.insert(keys::STATE, to_json(&state));
    if db.writer.merges_changed {
        records.insert(keys::MERGES, to_json(&db.merges));
    }
    if let Some(program) = &db.writer.program {
        records.insert(keys::PROGRAM, to_json(program));
        db.program = Some(program.clone());
    }
    // The segment reaches the disk before the transaction that refers to
    // it commits; a run leaves both to a thread and goes on (the next
    // checkpoint waits for it), the final checkpoint does them itself,
    // after flushing the segments a merge copied.
    let persist = Persist {
        dir: db.dir.clone(),
        segment,
        tree: db.sled.deref().clone(),
        records_tree: db.records.clone(),
        batch,
        records,
    };
    if complete {
        if db.copied {
            segments::sync_folder(&db.dir).map_err(|e| segment_error(&db.dir, e))?;
        }
        persist.run()?;
        db.sled.flush().map_err(|e| db.io(e))?;
    } else {
        let handle = std::thread::Builder::new()
            .name("foldc-checkpoint".into())
            .spawn(move || persist.run())
            .map_err(|e| DbError::Io {
                dir: db.dir.clone(),
                error: format!("cannot start a thread to write a checkpoint: {e}"),
            })?;
        db.writer.persisting = Some(handle);
    }
    db.state = Some(state);
    db.writer.merges_changed = false;

    db.writer.saved.checkpoints += 1;
    db.writer.saved.rows += rows_written;
    let took = started.elapsed();
    let w = &mut db.writer;
    w.interval = if w.min_interval.is_zero() {
        Duration::ZERO
    } else {
        let grown = (w.started.elapsed() / GROWTH_DIVISOR).min(MAX_INTERVAL);
        w.min_interval.max(grown).max(took * COST_FACTOR)
    };
    db.writer.last = Instant::now();
    Ok(())
}

/// What sled holds for a block: the block itself, or (format 3) where it
/// lies in this checkpoint's segment file.
fn block_value(db: &Db, segment: &mut SegmentWriter, bytes: Vec<u8>) -> Result<Vec<u8>, DbError> {
    if !db.segments {
        return Ok(bytes);
    }
    segment
        .add(bytes)
        .map(|at| at.encode().to_vec())
        .map_err(|e| segment_error(&db.dir, e))
}

fn segment_error(dir: &Path, e: std::io::Error) -> DbError {
    DbError::Io {
        dir: dir.to_path_buf(),
        error: format!("cannot write a segment file: {e}"),
    }
}

/// What makes a checkpoint durable: its segment, then its transaction.
struct Persist {
    dir: PathBuf,
    segment: SegmentWriter,
    tree: sled::Tree,
    records_tree: sled::Tree,
    batch: sled::Batch,
    records: sled::Batch,
}

impl Persist {
    fn run(self) -> Result<(), DbError> {
        self.segment
            .persist()
            .map_err(|e| segment_error(&self.dir, e))?;
        commit(
            &self.dir,
            &self.tree,
            &self.records_tree,
            &self.batch,
            &self.records,
        )
    }
}

/// Wait for the checkpoint being persisted on its thread, if any; its
/// failure is this run's.
fn wait_persisted(db: &mut Db) -> Result<(), DbError> {
    match db.writer.persisting.take() {
        None => Ok(()),
        Some(handle) => handle.join().unwrap_or_else(|_| {
            Err(DbError::Io {
                dir: db.dir.clone(),
                error: "writing a checkpoint failed".to_string(),
            })
        }),
    }
}

/// Apply both batches as one transaction: recovered together or not at all.
fn commit(
    dir: &Path,
    tree: &sled::Tree,
    records_tree: &sled::Tree,
    blocks: &sled::Batch,
    records: &sled::Batch,
) -> Result<(), DbError> {
    use sled::transaction::{TransactionError, Transactional};
    let tx: Result<(), TransactionError<()>> = (tree, records_tree).transaction(|(b, r)| {
        b.apply_batch(blocks)?;
        r.apply_batch(records)?;
        Ok(())
    });
    match tx {
        Ok(()) => Ok(()),
        Err(TransactionError::Storage(e)) => Err(super::open::map_error(dir, e)),
        Err(TransactionError::Abort(())) => Err(DbError::Io {
            dir: dir.to_path_buf(),
            error: "a checkpoint was aborted".to_string(),
        }),
    }
}

/// `words` (rows of `types`) with strings and lists as stable ids.
fn stable_rows(db: &mut Db, types: &[crate::value::Type], words: &[Word]) -> Vec<u64> {
    let arity = types.len();
    if arity == 0 || !needs_mapping(types) {
        return words.to_vec();
    }
    let mut out = Vec::with_capacity(words.len());
    for row in words.chunks_exact(arity) {
        for (ty, &w) in types.iter().zip(row) {
            out.push(db.symbols.stable_id(ty, w));
        }
    }
    out
}

/// A record as JSON. Plain data always serializes; were it ever to fail,
/// the empty value would read back as corrupt, never as something else.
fn to_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}
