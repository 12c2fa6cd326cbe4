//! Explanations from the last committed record, so that `/explain` never
//! waits for a running insert.
//!
//! An explanation reads each fact's provenance from the database's
//! record and runs rules again over the facts; the writer's session is
//! busy (and changing) while an insert runs. So after every commit the
//! writer *stages* the record as committed: a copy of sled's files (a few
//! megabytes: the blocks are in segment files) and of the manifest, in a
//! scratch folder, beside links to the database's segment and tables
//! folders (segment files are written once and never changed; a tables
//! file is replaced whole, and checked against the record before it is
//! used). An explanation opens the newest staged record read-only, as
//! `foldc explain` opens a database, keeps it open until a newer commit
//! is staged, and answers from it, on a reader thread; the writer never
//! waits for it and it never waits for the writer.
//!
//! With `--read-only` there is no writer: the database opened read-only at
//! the start answers every explanation.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use fold_runtime::db::{scratch, Snapshot};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::Word;

use crate::error::ApiError;
use crate::writer::Explain;

/// sled's own files (and its snapshots, `snap.N`), and foldc's manifest.
const RECORD_FILES: [&str; 3] = ["conf", "db", "foldc.json"];
/// Folders of write-once files, linked rather than copied.
const LINKED: [&str; 2] = ["blocks", "tables"];

/// A copy of the record as of one commit (removed when dropped).
pub struct Staged {
    dir: tempfile::TempDir,
    /// The commit it holds (see `/stats`).
    pub commit: u64,
}

/// Stage the record of the database at `db` as of commit `commit`; the
/// writer calls this between inserts, when the record is the commit's.
pub fn stage(db: &Path, commit: u64) -> std::io::Result<Staged> {
    let db = db.canonicalize()?;
    // In memory when it can be (the copy is small and read at once); a
    // killed service's copies go when the next one stages.
    let scratch = scratch::folder(".foldc-serve-")?;
    for entry in std::fs::read_dir(&db)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(n) = name.to_str() else { continue };
        let to = scratch.path().join(n);
        let kind = entry.file_type()?;
        let snapshot = n.starts_with("snap.") && !n.ends_with(".generating");
        if kind.is_file() && (RECORD_FILES.contains(&n) || snapshot) {
            std::fs::copy(entry.path(), &to)?;
        } else if kind.is_dir() && n == "blobs" {
            std::fs::create_dir(&to)?;
            for blob in std::fs::read_dir(entry.path())? {
                let blob = blob?;
                if blob.file_type()?.is_file() {
                    std::fs::copy(blob.path(), to.join(blob.file_name()))?;
                }
            }
        } else if kind.is_dir() && LINKED.contains(&n) {
            link_dir(&entry.path(), &to)?;
        }
    }
    Ok(Staged {
        dir: scratch,
        commit,
    })
}

#[cfg(unix)]
fn link_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(from, to)
}

#[cfg(not(unix))]
fn link_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    for file in std::fs::read_dir(from)? {
        let file = file?;
        if file.file_type()?.is_file() {
            std::fs::copy(file.path(), to.join(file.file_name()))?;
        }
    }
    Ok(())
}

/// The database opened for explanations, as of one commit.
struct Opened {
    commit: u64,
    snapshot: Snapshot,
    /// The staged record it reads (kept while it is open).
    _staged: Option<Arc<Staged>>,
}

struct State {
    explain: Box<Explain>,
    opened: Option<Opened>,
}

/// Where explanations come from (see the module docs).
pub struct Explanations {
    plan: Arc<Plan>,
    /// The program's name, as the database records it.
    program: String,
    /// The newest staged record (`None` while the last commit's could
    /// not be staged).
    latest: Mutex<Option<Arc<Staged>>>,
    /// Opened once with `--read-only`: nothing is staged.
    fixed: bool,
    state: Mutex<State>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Explanations {
    /// Explanations from records the writer stages ([`Explanations::publish`]).
    pub fn staged(plan: Arc<Plan>, program: String, explain: Box<Explain>) -> Explanations {
        Explanations {
            plan,
            program,
            latest: Mutex::new(None),
            fixed: false,
            state: Mutex::new(State {
                explain,
                opened: None,
            }),
        }
    }

    /// Explanations from a database opened read-only once, for good.
    pub fn fixed(plan: Arc<Plan>, snapshot: Snapshot, explain: Box<Explain>) -> Explanations {
        let opened = Opened {
            commit: 0,
            snapshot,
            _staged: None,
        };
        Explanations {
            plan,
            program: String::new(),
            latest: Mutex::new(None),
            fixed: true,
            state: Mutex::new(State {
                explain,
                opened: Some(opened),
            }),
        }
    }

    /// The record of a new commit (`None`: it could not be staged, and
    /// explanations answer 503 until one is): the next explanation reads
    /// it.
    pub fn publish(&self, staged: Option<Staged>) {
        *lock(&self.latest) = staged.map(Arc::new);
    }

    /// Why the last committed state holds `tuple` of `cat` (the tree
    /// `foldc explain` prints). Explanations take turns; none waits for
    /// an insert.
    pub fn explain(&self, cat: CatId, tuple: &[Word]) -> Result<String, ApiError> {
        let latest = lock(&self.latest).clone();
        let mut state = lock(&self.state);
        let State { explain, opened } = &mut *state;
        if !self.fixed {
            let Some(staged) = latest else {
                return Err(ApiError::Unavailable(
                    "explanations are not available: the committed record could not be \
                     copied (see the service's log)"
                        .to_string(),
                ));
            };
            if opened.as_ref().map(|o| o.commit) != Some(staged.commit) {
                // The older one goes first: two engines of a big
                // database are a lot of memory.
                *opened = None;
                *opened = Some(self.open(staged)?);
            }
        }
        let Some(opened) = opened.as_mut() else {
            return Err(ApiError::Unavailable(
                "explanations are not available".to_string(),
            ));
        };
        let Snapshot { engine, db, .. } = &mut opened.snapshot;
        engine.catch_up_indexes();
        let scratch = opened._staged.as_ref().map(|s| s.dir.path().to_path_buf());
        explain(engine, db, cat, tuple).map_err(|e| ApiError::NotFound(scrub(e, scratch)))
    }

    fn open(&self, staged: Arc<Staged>) -> Result<Opened, ApiError> {
        let dir = staged.dir.path().to_path_buf();
        let snapshot =
            Snapshot::open(&dir, Arc::clone(&self.plan), &self.program, None).map_err(|e| {
                ApiError::Unavailable(format!(
                    "the committed record could not be read ({}); try again",
                    scrub(e.to_string(), Some(dir.clone()))
                ))
            })?;
        Ok(Opened {
            commit: staged.commit,
            snapshot,
            _staged: Some(staged),
        })
    }
}

/// A message without the scratch folder's path in it.
fn scrub(message: String, scratch: Option<PathBuf>) -> String {
    match scratch {
        Some(dir) => message.replace(&dir.display().to_string(), "the database"),
        None => message,
    }
}
