//! A database session: a program's engine kept in a database, brought up
//! to date and kept so. What `foldc run --db`, `foldc serve` and a cluster
//! worker do with a database, in one place.
//!
//! [`Session::open`] opens the directory (refusing another program's
//! database unless `fresh`) and resumes the saved state into an engine;
//! [`Session::update`] loads inputs (only rows not yet present become
//! facts), inserts the program's facts, runs to the fixpoint with
//! checkpoints and writes the final checkpoint; [`Session::insert_csv`]
//! does the same for CSV text that came from elsewhere (an HTTP insert, a
//! queue message). Nothing is reported done before its final checkpoint
//! is on disk, and [`Session::close`] checks that what was written reads
//! back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Access, Db, DbError, Restored, Saved};
use crate::eval::Natives;
use crate::exec::engine::{Engine, LoadReport, RunOptions, RunSummary};
use crate::plan::{CatId, Plan};

/// How to open a session.
#[derive(Clone, Debug, Default)]
pub struct SessionOptions {
    /// Drop what the database holds and start over (needed to reuse a
    /// database written by another program).
    pub fresh: bool,
    /// Checkpoint at most this often (default: first after 250 ms, then
    /// after half the run's time so far); zero checkpoints every round.
    pub checkpoint_every: Option<Duration>,
}

/// What opening a session found.
#[derive(Clone, Debug)]
pub struct Opened {
    /// What resuming the saved state found.
    pub restored: Restored,
    /// Opening the store and resuming the saved state.
    pub elapsed: Duration,
}

/// What one update did (see [`Session::update`]).
#[derive(Clone, Debug)]
pub struct Update {
    /// The input files or text loaded, with their new rows.
    pub report: LoadReport,
    /// Program facts that were new.
    pub given: usize,
    /// The run to the fixpoint after the load.
    pub summary: RunSummary,
    /// What the session has written since it opened (this update's final
    /// checkpoint included).
    pub saved: Saved,
    /// The final checkpoint.
    pub finished: Duration,
}

/// A program's engine kept in its database (see the module docs).
pub struct Session {
    dir: PathBuf,
    engine: Engine,
    db: Db,
}

impl Session {
    /// Open (or create) the database at `dir` for `plan`, whose handlers
    /// run as `natives`; `program` names the program in records and
    /// messages. The saved state is resumed.
    pub fn open(
        dir: &Path,
        plan: Arc<Plan>,
        natives: Natives,
        program: &str,
        opts: &SessionOptions,
    ) -> Result<(Session, Opened), SessionError> {
        let started = Instant::now();
        let mut engine = Engine::new(plan.clone(), natives).map_err(SessionError::plan)?;
        let access = Access::Run { fresh: opts.fresh };
        let mut db = Db::open(dir, &plan, program, access)?;
        if let Some(every) = opts.checkpoint_every {
            db.set_interval(every);
        }
        let restored = db.restore(&mut engine, None)?;
        let session = Session {
            dir: dir.to_path_buf(),
            engine,
            db,
        };
        let opened = Opened {
            restored,
            elapsed: started.elapsed(),
        };
        Ok((session, opened))
    }

    /// Load `inputs` (all or nothing; only rows not yet present become
    /// facts), insert the program's facts, run to the fixpoint with
    /// checkpoints and write the final one.
    pub fn update(
        &mut self,
        inputs: &[(CatId, PathBuf)],
        opts: &RunOptions,
    ) -> Result<Update, SessionError> {
        self.engine.set_progress(!opts.quiet);
        let report = self
            .engine
            .load_inputs_observed(inputs, &mut self.db)
            .map_err(|e| SessionError::Input(format!("{e}\nnothing was loaded")))?;
        let given = self.engine.insert_program_facts_observed(&mut self.db);
        self.run(report, given, opts)
    }

    /// Insert CSV text for `cat` that came from elsewhere than a file, all
    /// or nothing (`name` stands for the file in errors and provenance),
    /// then run and checkpoint as [`Session::update`] does.
    pub fn insert_csv(
        &mut self,
        cat: CatId,
        name: &Path,
        bytes: &[u8],
        opts: &RunOptions,
    ) -> Result<Update, SessionError> {
        let report = self
            .engine
            .load_csv_observed(cat, name, bytes, &mut self.db)
            .map_err(|e| SessionError::Input(e.to_string()))?;
        self.run(report, 0, opts)
    }

    fn run(
        &mut self,
        report: LoadReport,
        given: usize,
        opts: &RunOptions,
    ) -> Result<Update, SessionError> {
        let summary = self
            .engine
            .run_observed(opts, &mut self.db)
            .map_err(|e| SessionError::Store(e.to_string()))?;
        let finishing = Instant::now();
        // After a long run the last checkpoint takes a while: say so.
        let _step = (summary.elapsed >= std::time::Duration::from_secs(1)).then(|| {
            crate::io::progress::Step::now(opts.quiet, "writing the final checkpoint".into())
        });
        let saved = self.db.finish(&mut self.engine)?;
        Ok(Update {
            report,
            given,
            summary,
            saved,
            finished: finishing.elapsed(),
        })
    }

    /// The engine holding the database's facts.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine and the database together, as an explanation reads them
    /// ([`crate::explain::Explainer`]) between updates.
    pub fn parts_mut(&mut self) -> (&mut Engine, &mut Db) {
        (&mut self.engine, &mut self.db)
    }

    /// The database's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Close the database and check, on a thread of its own, that what was
    /// written reads back (a store whose own files were damaged can take
    /// writes it will not recover). The engine stays usable meanwhile.
    pub fn close(self) -> (Engine, ReadBack) {
        let Session { dir, engine, db } = self;
        let thread = std::thread::spawn(move || {
            drop(db);
            read_back(&dir)
        });
        (
            engine,
            ReadBack {
                thread: Some(thread),
            },
        )
    }
}

/// A database opened to read it (`export`, `explain`): its facts resumed
/// into an engine on the interpreter. Nothing is written.
pub struct Snapshot {
    /// The database's facts, resumed into an engine (interpreter only).
    pub engine: Engine,
    /// The database itself (records, merges, meta).
    pub db: Db,
    /// What resuming the saved state found.
    pub restored: Restored,
}

impl Snapshot {
    /// Open the database at `dir` of `plan` (the program named
    /// `program`) and resume the categories `only` (all when `None`).
    pub fn open(
        dir: &Path,
        plan: Arc<Plan>,
        program: &str,
        only: Option<&[CatId]>,
    ) -> Result<Snapshot, SessionError> {
        let mut db = Db::open(dir, &plan, program, Access::Read)?;
        let mut engine = Engine::new(plan, Natives::none()).map_err(SessionError::plan)?;
        let restored = db.restore(&mut engine, only)?;
        Ok(Snapshot {
            engine,
            db,
            restored,
        })
    }
}

/// Why a session failed.
#[derive(Debug)]
pub enum SessionError {
    /// The database could not be opened, read or written.
    Db(DbError),
    /// The plan was refused (see [`crate::plan::verify`]).
    Plan(String),
    /// An input did not load (nothing of it was).
    Input(String),
    /// A run could not write its checkpoints.
    Store(String),
}

impl SessionError {
    fn plan(e: crate::plan::VerifyError) -> SessionError {
        SessionError::Plan(e.to_string())
    }
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Db(e) => write!(f, "{e}"),
            SessionError::Plan(e) | SessionError::Input(e) | SessionError::Store(e) => {
                f.write_str(e)
            }
        }
    }
}

impl std::error::Error for SessionError {}

impl From<DbError> for SessionError {
    fn from(e: DbError) -> Self {
        SessionError::Db(e)
    }
}

/// Open the database again and check it against the finished-run record.
/// sled lets go of its lock a moment after the store is dropped (its
/// background threads finish first), so a lock still held is waited for.
fn read_back(dir: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // Its records and blocks were just written: they are read back,
        // not every checksum again.
        match Db::open_to_check(dir, true) {
            Ok(_) => return Ok(()),
            Err(DbError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => {
                return Err(format!(
                    "{e}\nthe run's last checkpoint does not read back from the database"
                ))
            }
        }
    }
}

/// The check that a closed database reads back, under way (see
/// [`Session::close`]).
pub struct ReadBack {
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

impl ReadBack {
    /// Nothing to check (a run without a database).
    pub fn none() -> ReadBack {
        ReadBack { thread: None }
    }

    /// Wait for the check; its error, if any.
    pub fn wait(self) -> Result<(), String> {
        match self.thread.map(std::thread::JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("checking that the database reads back failed".to_string()),
        }
    }
}
