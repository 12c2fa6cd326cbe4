//! The durable database behind `foldc run --db DIR`: sled is the store of
//! record, evaluation stays in memory.
//!
//! # What is saved
//!
//! Everything a run needs to go on where it stopped: the rows of every
//! category in row-id order (superseded ones too: they are history, and
//! replaying rows in order rebuilds identity tables, dead marks and the
//! same row ids), each row's provenance ([`crate::exec::origin::Origin`]: the
//! handler and event row that found it, or the input file and line, or the
//! program line), the given facts of derived categories
//! ([`crate::exec::base`]), the scheduler's watermarks and priority queues (the
//! pending events), the strata's bases ([`crate::exec::invalidate`]), the
//! lifecycle counters, the input file names, the strings and lists
//! ([`symbols`]: stable ids, since interner ids are per process), and
//! which program wrote it ([`meta::fingerprint`]). Identity tables and
//! indexes are not part of the record: they are rebuilt as in any run, or
//! read back, with a raw copy of the rows, from the cache of big
//! categories in `tables/` ([`tables`]).
//!
//! # Layout
//!
//! Two sled trees; the keys are listed in [`keys`]. Facts are *blocks*,
//! never one key per fact: a checkpoint appends, per category, the rows
//! found since the previous one as blocks of at most [`BLOCK_ROWS`] rows,
//! keyed by category and first row and packed as varint deltas with their
//! provenance ([`block`]). The blocks' bytes go to one segment file per
//! checkpoint beside sled, and sled holds where each lies ([`segments`]:
//! sled re-reads everything in its last log segment on every open, which
//! for the blocks was all of them); databases of format 1 and 2 keep
//! their blocks in sled and go on doing so. Two JSON records say which
//! program wrote the database and describe the last checkpoint
//! ([`meta`]); they and the queues, rewritten by every checkpoint, live
//! in a tree of their own, so that sled never rewrites the write-once
//! blocks along with them (it rewrites a whole leaf after a few updates
//! to it).
//!
//! Provenance is what `explain` and merge build on: the origin of row `r`
//! of a category is in the block holding `r`; a found fact names its
//! handler (so its rule and trigger position) and its event, row `event`
//! of the handler's trigger category, whose own origin continues the
//! chain; the friends are found again by re-running the handler on the
//! event. A merge of two databases of one program can tag every fact by
//! the database(s) holding it, block by block, and apply the skip checks
//! to the events of one database against the other.
//!
//! # Crash safety
//!
//! A checkpoint is taken between two rounds, when the in-memory state is
//! consistent, and is written as **one** sled transaction over both
//! trees: the new blocks (their places, the segment file being on disk
//! before the transaction starts), new symbols, the queues and the state
//! record together. sled recovers a transaction atomically (all its
//! writes are sealed under one log reservation) and recovers a prefix of its log, so
//! after a crash (`kill -9` at any moment) the database is exactly some earlier
//! checkpoint: never a block without its state record or the reverse.
//! Resuming restores that state and re-runs the rounds after it. A round
//! depends only on the state at its start (events are evaluated against
//! the store as of the round's start and inserted serially in a fixed
//! order, for any thread count), so the re-run rounds produce the same
//! rows, the same row ids and the same counters as the lost ones did: the
//! finished database is the one a clean run writes. Loading the inputs
//! again on resume adds nothing (the store deduplicates).
//!
//! Checkpoints are taken after [`Db::set_interval`] (250 ms by default),
//! then after half the run's time so far (at most a minute; longer when
//! writing one takes long), or when a lot of rows are pending: a crash
//! loses at most about a third of the work, and durability costs little; sled makes them durable in the
//! background, and the end of a run writes a final, *complete* checkpoint
//! and flushes it to disk before the run reports success; then it records
//! that checkpoint's number in a small file beside the store
//! ([`manifest`]). sled opens a log damaged in the middle as the older
//! log before the damage, without an error; a store older than the
//! manifest is therefore reported as corrupt rather than resumed.
//!
//! Nothing read from disk is trusted: every length in the state record
//! is checked against the program and the blocks, replayed rows must get
//! their saved row ids, and sled is opened and read under `catch_unwind`,
//! so a bad database is an error naming its directory, never a panic.
//!
//! # Incremental runs
//!
//! A run on an existing database loads inputs (only rows not already
//! present become facts, and events), inserts program facts, and runs the
//! strata again: strata read positively are extended from the new events
//! only; a stratum that reads a changed category through negation or an
//! aggregate (or reads a recomputed one) is recomputed, see
//! [`crate::exec::invalidate`].

mod block;
mod checked_io;
pub(crate) mod copy;
mod error;
pub mod guard;
mod keys;
mod load;
mod manifest;
pub(crate) mod merges;
pub(crate) mod meta;
mod open;
mod read;
mod save;
pub mod scratch;
mod segments;
pub mod session;
pub(crate) mod symbols;
pub(crate) mod tables;
mod varint;
pub mod verify;

#[cfg(test)]
mod resume_tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::DbError;
pub use load::Restored;
pub use meta::{fingerprint, ProgramMeta, RuleFinds, StateMeta};
pub(crate) use read::Contents;
pub use session::{Opened, ReadBack, Session, SessionError, SessionOptions, Snapshot, Update};

use crate::db::merges::MergeRecord;
use crate::exec::engine::Engine;
use crate::exec::observe::{Observer, View};
use crate::exec::origin::Origin;
use crate::plan::{CatId, Plan};
use crate::store::IndexId;
use save::Writer;
use symbols::Symbols;

/// Rows per fact block at most (some tens of megabytes): a checkpoint
/// writes one block per category that grew, as big as it takes, since
/// every key sled stores costs rewrites of its leaf later; the cap only
/// bounds the memory one block needs.
pub const BLOCK_ROWS: usize = 1 << 22;

/// The name of the records tree.
const RECORDS: &str = "records";

/// An open database.
pub struct Db {
    dir: PathBuf,
    /// Blocks (the default tree).
    sled: sled::Db,
    /// The program and state records and the queues.
    records: sled::Tree,
    /// What the last finished run flushed (see [`manifest`]).
    manifest: Option<manifest::Manifest>,
    program: Option<ProgramMeta>,
    state: Option<StateMeta>,
    /// The merges that built it (see [`crate::merge`]), oldest first.
    merges: Vec<MergeRecord>,
    /// Per category: the rows whose saved tables are on disk, as far as
    /// this process knows (see [`tables`]).
    tables: Vec<Option<tables::Stamp>>,
    /// The tables files being read while the store opens.
    prefetch: tables::Prefetch,
    /// Whether blocks are in segment files (format 3 on), else in sled.
    segments: bool,
    /// Whether its files were copied by a merge ([`Access::Merging`]):
    /// its segments are flushed to the disk at the end, not only those it
    /// writes itself.
    copied: bool,
    symbols: Symbols,
    writer: Writer,
    /// Per category: its provenance once read, kept when the database is
    /// open read-only (its record never changes then), so a process that
    /// explains many facts (`foldc serve`) reads it once.
    origins: Vec<Option<std::sync::Arc<Vec<Origin>>>>,
    /// Where a read-only open copied sled's files to (see
    /// [`open::open_sled_read_only`]); declared last, so it is removed
    /// after the store is closed.
    _scratch: Option<tempfile::TempDir>,
}

/// What a database is opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `run`: create it if new; with `fresh`, drop what it holds.
    Run {
        /// Drop whatever the database holds and start anew.
        fresh: bool,
    },
    /// `export`, or a database merged (`foldc merge`): it must exist and
    /// belong to the program.
    Read,
    /// The result of a merge under way (see [`copy`]): it must exist and
    /// belong to the program, and its merge marker is expected.
    Merging,
}

impl Db {
    /// Open the database at `dir` for `plan` (the program at `program`).
    pub fn open(dir: &Path, plan: &Plan, program: &str, access: Access) -> Result<Db, DbError> {
        Db::open_with_room(dir, plan, program, access, &[])
    }

    /// [`Db::open`], leaving room after each category's saved rows for
    /// `room[category id]` more (a merge knows how many facts it may
    /// append: the arrays then need not move, copying and faulting in
    /// tens of megabytes again, when those come).
    pub fn open_with_room(
        dir: &Path,
        plan: &Plan,
        program: &str,
        access: Access,
        room: &[usize],
    ) -> Result<Db, DbError> {
        if access != Access::Merging {
            refuse_merging(dir)?;
        }
        let fresh = access == Access::Run { fresh: true };
        let mut opening = match access {
            Access::Run { .. } => open::Opening::CreateIfNew,
            _ => open::Opening::Existing,
        };
        if fresh && dir.join("db").is_file() {
            // Checked as a database (and locked) before anything goes; one
            // too damaged to open is locked as sled would lock it.
            let held = match open::open_sled(dir, open::Opening::Existing) {
                Ok(store) => open::Held::Store(store),
                Err(DbError::Corrupt { .. }) => open::lock_damaged(dir)?,
                Err(e) => return Err(e),
            };
            open::remove_store(dir, held)?;
            opening = open::Opening::Recreate;
        }
        // A run or a merge resumes every category: its saved tables are
        // read while sled recovers (export reads only some, when asked).
        let prefetch = match access {
            Access::Run { fresh: false } | Access::Merging => tables::Prefetch::start(dir, room),
            _ => tables::Prefetch::default(),
        };
        let mut db = if access == Access::Read {
            Db::open_dir_read_only(dir)?
        } else {
            Db::open_dir(dir, opening)?
        };
        db.prefetch = prefetch;
        db.copied = access == Access::Merging;
        let meta = ProgramMeta::new(plan, program);
        match &db.program {
            Some(stored) if !fresh => {
                if !(meta::OLDEST_FORMAT..=meta::FORMAT).contains(&stored.format) {
                    return Err(DbError::Format {
                        dir: db.dir.clone(),
                        found: stored.format,
                    });
                }
                if stored.fingerprint != meta.fingerprint {
                    return Err(DbError::OtherProgram {
                        dir: db.dir.clone(),
                        stored_program: stored.program.clone(),
                        stored_fingerprint: stored.fingerprint.clone(),
                        program: program.to_string(),
                        fingerprint: meta.fingerprint.clone(),
                    });
                }
            }
            None if !fresh && !db.is_blank() => {
                return Err(DbError::NotADatabase {
                    dir: db.dir.clone(),
                    why: "it holds data that foldc did not write".to_string(),
                })
            }
            _ => {}
        }
        db.check_manifest()?;
        if matches!(access, Access::Read | Access::Merging) && db.state.is_none() {
            return Err(DbError::Empty {
                dir: db.dir.clone(),
            });
        }
        let mut meta = meta;
        if !db.segments {
            // Written on as format 2: its blocks stay in sled.
            meta.format = meta::SEGMENTS_FORMAT - 1;
        }
        db.writer = Writer::new(plan, meta, db.state.as_ref());
        db.tables = vec![None; plan.categories.len()];
        if access == Access::Read {
            // A read answers from what it reads; all of it is checked first
            // (a run reads, and so checks, every block as it resumes).
            db.verify()?;
        }
        Ok(db)
    }

    /// Open an existing database without its program (`foldc stats`),
    /// for reading only (see [`open::open_sled_read_only`]); everything
    /// in it is checked ([`Db::verify`]).
    pub fn open_existing(dir: &Path) -> Result<Db, DbError> {
        refuse_merging(dir)?;
        let db = Db::open_dir_read_only(dir)?;
        db.check_manifest()?;
        if db.program.is_none() || db.state.is_none() {
            return Err(DbError::Empty {
                dir: db.dir.clone(),
            });
        }
        db.verify()?;
        Ok(db)
    }

    fn open_dir(dir: &Path, opening: open::Opening) -> Result<Db, DbError> {
        let sled = open::open_sled(dir, opening)?;
        Db::with_store(dir, sled, None)
    }

    /// [`Db::open_dir`] of an existing database, writing nothing in it.
    fn open_dir_read_only(dir: &Path) -> Result<Db, DbError> {
        let (sled, scratch) = open::open_sled_read_only(dir)?;
        Db::with_store(dir, sled, Some(scratch))
    }

    fn with_store(
        dir: &Path,
        sled: sled::Db,
        scratch: Option<tempfile::TempDir>,
    ) -> Result<Db, DbError> {
        let records = open::guarded(dir, "it cannot be opened", || {
            sled.open_tree(RECORDS).map_err(|e| open::map_error(dir, e))
        })?;
        let mut db = Db {
            dir: dir.to_path_buf(),
            sled,
            records,
            manifest: None,
            program: None,
            state: None,
            merges: Vec::new(),
            tables: Vec::new(),
            prefetch: tables::Prefetch::default(),
            segments: true,
            copied: false,
            symbols: Symbols::default(),
            writer: Writer::default(),
            origins: Vec::new(),
            _scratch: scratch,
        };
        db.program = db.read_json(keys::PROGRAM, "the program record")?;
        db.segments = db
            .program
            .as_ref()
            .is_none_or(|p| p.format >= meta::SEGMENTS_FORMAT);
        db.state = db.read_json(keys::STATE, "the state record")?;
        db.merges = db
            .read_json(keys::MERGES, "the merge records")?
            .unwrap_or_default();
        db.manifest = manifest::read(dir)?;
        Ok(db)
    }

    fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &[u8],
        what: &str,
    ) -> Result<Option<T>, DbError> {
        let dir = &self.dir;
        let bytes = open::guarded(dir, "it cannot be read", || {
            self.records.get(key).map_err(|e| open::map_error(dir, e))
        })?;
        match bytes {
            None => Ok(None),
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| self.corrupt(format!("{what} does not read back ({e})"))),
        }
    }

    /// The store must hold at least the checkpoint the last finished run
    /// flushed: sled opens a damaged log as an older one, silently.
    fn check_manifest(&self) -> Result<(), DbError> {
        let Some(m) = &self.manifest else {
            return Ok(());
        };
        let have = self.state.as_ref().map_or(0, |s| s.checkpoint);
        if have < m.checkpoint {
            return Err(self.corrupt(format!(
                "the last finished run saved checkpoint {}, but the store holds {}",
                m.checkpoint,
                if have == 0 {
                    "none".to_string()
                } else {
                    format!("only checkpoint {have}")
                }
            )));
        }
        Ok(())
    }

    /// What turns the values sled holds for blocks into their bytes;
    /// shareable between threads.
    fn blocks(&self) -> segments::Blocks<'_> {
        segments::Blocks {
            dir: &self.dir,
            in_segments: self.segments,
        }
    }

    /// Whether the store holds nothing at all (a new database).
    fn is_blank(&self) -> bool {
        self.sled.is_empty() && self.records.is_empty()
    }

    /// The record of the program that wrote the database.
    pub fn program(&self) -> Option<&ProgramMeta> {
        self.program.as_ref()
    }

    /// The last checkpoint's record (`None`: nothing saved yet).
    pub fn state(&self) -> Option<&StateMeta> {
        self.state.as_ref()
    }

    /// The merges that built this database, oldest first.
    pub fn merges(&self) -> &[MergeRecord] {
        &self.merges
    }

    /// Record a merge into this database; saved with the next checkpoint.
    pub fn add_merge(&mut self, record: MergeRecord) {
        self.merges.push(record);
        self.writer.merges_changed();
    }

    /// Load the saved state into a fresh `engine` (of the same program):
    /// every category, or only `only` (for export: facts, no run state).
    pub fn restore(
        &mut self,
        engine: &mut Engine,
        only: Option<&[CatId]>,
    ) -> Result<Restored, DbError> {
        let dir = self.dir.clone();
        open::guarded(&dir, "it cannot be loaded", || {
            load::restore(self, engine, only)
        })
    }

    /// Take checkpoints at most this often (0: after every round).
    pub fn set_interval(&mut self, interval: Duration) {
        self.writer.set_interval(interval);
    }

    /// Write the final checkpoint of a finished run and flush it to disk;
    /// then save the tables of big categories that changed (see
    /// [`tables`]), their indexes brought up to date first.
    pub fn finish(&mut self, engine: &mut Engine) -> Result<Saved, DbError> {
        save::checkpoint(self, &engine.view(), true)?;
        if let (Some(p), Some(s)) = (&self.program, &self.state) {
            let m = manifest::Manifest {
                program: p.program.clone(),
                fingerprint: p.fingerprint.clone(),
                checkpoint: s.checkpoint,
            };
            manifest::write(&self.dir, &m)?;
            self.manifest = Some(m);
        }
        self.save_tables(engine);
        self.collect_segments();
        Ok(self.writer.saved())
    }

    /// Delete the segment files no block refers to (left by a crash
    /// before their checkpoint, or emptied by a stratum's reset), once the
    /// last checkpoint is on disk. A cleanup, never an error of the run.
    fn collect_segments(&self) {
        if !self.segments {
            return;
        }
        let mut used = std::collections::HashSet::new();
        for kv in self.sled.iter() {
            let Ok((_, v)) = kv else { return };
            match segments::BlockRef::decode(&v) {
                Some(at) => used.insert(at.segment),
                // Not a database this foldc wrote: touch nothing.
                None => return,
            };
        }
        segments::collect_garbage(&self.dir, &used);
    }

    /// Save the tables of every big category that has grown well past its
    /// file (see [`tables::REWRITE`]). They are a cache: a file that cannot be written is
    /// removed (the next resume rebuilds), never an error of the run.
    ///
    /// An index is caught up only before a round that reads it, so at the
    /// end of a run one may lag far behind its rows (in transitive
    /// closure, the index of `path` that new `edge` facts join was last
    /// read in the first round). The next run that reads it (an
    /// incremental run adding edges, a merge) would rebuild it from there;
    /// catching up here, in parallel, and saving it moves that work out of
    /// every later run into this one.
    fn save_tables(&mut self, engine: &mut Engine) {
        let program = self.program_hash();
        let view = engine.view();
        let due: Vec<(usize, tables::Stamp)> = view
            .store
            .relations()
            .iter()
            .enumerate()
            .filter_map(|(ci, rel)| {
                let stamp = tables::Stamp {
                    program,
                    generation: view.sched.generation[ci],
                    rows: rel.len() as u32,
                };
                let fresh = |saved: &tables::Stamp| {
                    saved.serves(&stamp)
                        && (stamp.rows - saved.rows) as usize
                            <= stamp.rows as usize / tables::REWRITE
                };
                let wanted = rel.len() >= tables::MIN_ROWS
                    && !symbols::needs_mapping(rel.types())
                    && !self
                        .tables
                        .get(ci)
                        .is_some_and(|t| t.as_ref().is_some_and(fresh));
                wanted.then_some((ci, stamp))
            })
            .collect();
        let behind: Vec<(CatId, IndexId)> = due
            .iter()
            .flat_map(|&(ci, _)| {
                let n = view.store.relations()[ci].index_count();
                (0..n).map(move |i| (CatId(ci as u32), IndexId(i as u32)))
            })
            .collect();
        engine.parts_mut().store.catch_up(&behind);
        let relations = engine.store().relations();
        for (ci, stamp) in due {
            let written = self
                .record(ci, relations[ci].name(), stamp.rows)
                .map_err(|e| e.to_string())
                .and_then(|record| {
                    tables::write(&self.dir, ci, stamp, record, &relations[ci])
                        .map_err(|e| e.to_string())
                });
            let on_disk = match written {
                Ok(()) => Some(stamp),
                Err(_) => {
                    tables::remove(&self.dir, ci);
                    None
                }
            };
            if let Some(t) = self.tables.get_mut(ci) {
                *t = on_disk;
            }
        }
    }

    /// The checksum of category `ci`'s (`name`) blocks below row `below`
    /// ([`tables::record`]).
    fn record(&self, ci: usize, name: &str, below: u32) -> Result<u32, DbError> {
        let blocks = load::block_values(self, keys::FACTS, ci, name)?;
        Ok(tables::record(
            blocks.iter().map(|(f, v)| (*f, &v[..])),
            below as usize,
        ))
    }

    /// The program's fingerprint as a number (it is 16 hex digits).
    fn program_hash(&self) -> u64 {
        self.program
            .as_ref()
            .and_then(|p| u64::from_str_radix(&p.fingerprint, 16).ok())
            .unwrap_or(0)
    }

    pub(crate) fn corrupt(&self, what: String) -> DbError {
        DbError::Corrupt {
            dir: self.dir.clone(),
            what,
        }
    }

    fn io(&self, e: sled::Error) -> DbError {
        open::map_error(&self.dir, e)
    }
}

/// A merge killed halfway left `dir`: nothing may resume it.
fn refuse_merging(dir: &Path) -> Result<(), DbError> {
    if copy::is_merging(dir) {
        return Err(DbError::NotADatabase {
            dir: dir.to_path_buf(),
            why: "it is what an interrupted `foldc merge` left; delete it and merge again"
                .to_string(),
        });
    }
    Ok(())
}

/// What this process wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Saved {
    /// Checkpoints written.
    pub checkpoints: u64,
    /// Fact rows written to blocks, over all those checkpoints.
    pub rows: u64,
}

impl Observer for Db {
    const PROVENANCE: bool = true;

    #[inline]
    fn inserted(&mut self, cat: CatId, row: u32, origin: Origin) {
        self.writer.inserted(cat, row, origin);
    }

    fn reset(&mut self, cat: CatId) {
        self.writer.reset(cat);
    }

    fn round_end(&mut self, view: View<'_>) -> Result<(), String> {
        if let Some(fault) = self.writer.fault() {
            return Err(self.corrupt(fault).to_string());
        }
        if self.writer.due() {
            save::checkpoint(self, &view, false).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
