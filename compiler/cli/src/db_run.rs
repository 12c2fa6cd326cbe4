//! `foldc run --db DIR`: the run of `run.rs`, kept in a database.
//!
//! Open (refusing another program's database unless `--fresh`), resume
//! the saved state, load the inputs (only new rows become facts), insert
//! program facts, run with checkpoints, and write the final checkpoint
//! before reporting success. The summary says what was resumed, what was
//! new, and which strata were recomputed rather than extended.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fold_runtime::db::{Access, Db, DbError, Restored, Saved};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::{Engine, LoadReport, RunOptions, RunSummary};

use crate::out::errln;

/// How to keep the run.
pub struct DbArgs<'a> {
    pub dir: &'a Path,
    pub program: &'a str,
    pub fresh: bool,
    pub checkpoint_ms: Option<u64>,
}

/// Refuse an output folder that is the database's folder or inside it: the
/// CSV files would become foreign files of the database.
pub fn refuse_out_in_db(out: &Path, db: &Path) -> Result<(), String> {
    refuse_inside("--out", out, db)
}

/// Refuse `path` (given as option `flag`) when it is the database `db` or
/// lies inside it, symbolic links followed as far as they exist.
pub fn refuse_inside(flag: &str, path: &Path, db: &Path) -> Result<(), String> {
    let full = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path_full, db_full) = (full(path), full(db));
    let inside = path_full.starts_with(&db_full)
        || matches!(
            (resolved(&path_full), resolved(&db_full)),
            (Some(p), Some(d)) if p.starts_with(&d)
        );
    if inside {
        return Err(format!(
            "`{flag} {}` is inside the database `{}`: choose a folder outside it",
            path.display(),
            db.display()
        ));
    }
    Ok(())
}

/// `path` with symbolic links resolved as far as it exists (an output
/// folder may not exist yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = at.canonicalize() {
            return Some(rest.iter().rev().fold(real, |p, part| p.join(part)));
        }
        rest.push(at.file_name()?);
        at = at.parent()?;
    }
}

/// Warn that the last run on `db` did not finish, so what a read-only
/// command is `doing` (`exporting`, `explaining`) uses its last checkpoint.
pub fn warn_unfinished(db: &Path, doing: &str) {
    errln!(
        "warning: the last run on database `{}` did not finish; {doing} its last checkpoint \
         (run it again to finish)",
        db.display()
    );
}

/// Open the database again and check it against the finished-run record.
/// sled lets go of its lock a moment after the store is dropped (its
/// background threads finish first), so a lock still held is waited for.
fn read_back(dir: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match Db::open_existing(dir) {
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

/// What bringing a database up to date did (see [`update`]).
pub struct Updated {
    pub restored: Restored,
    pub report: LoadReport,
    /// Program facts that were new.
    pub given: usize,
    pub summary: RunSummary,
    pub saved: Saved,
    /// Opening and resuming; the final checkpoint.
    pub opened: Duration,
    pub finished: Duration,
}

/// Open the database (refusing another program's unless `--fresh`),
/// resume it, load `inputs` (only new rows become facts), insert program
/// facts, run with checkpoints and write the final one: what `run --db`
/// does, and `serve` before it answers. Returns the open store.
pub fn update(
    engine: &mut Engine,
    plan: &Plan,
    db: &DbArgs<'_>,
    inputs: &[(CatId, PathBuf)],
    opts: &RunOptions,
) -> Result<(Db, Updated), String> {
    let access = Access::Run { fresh: db.fresh };
    let started = Instant::now();
    let mut store = Db::open(db.dir, plan, db.program, access).map_err(|e| e.to_string())?;
    if let Some(ms) = db.checkpoint_ms {
        store.set_interval(Duration::from_millis(ms));
    }
    let restored = store.restore(engine, None).map_err(|e| e.to_string())?;
    let opened = started.elapsed();
    let report = engine
        .load_inputs_observed(inputs, &mut store)
        .map_err(|e| format!("{e}\nnothing was loaded"))?;
    let given = engine.insert_program_facts_observed(&mut store);
    let summary = engine
        .run_observed(opts, &mut store)
        .map_err(|e| e.to_string())?;
    let finishing = Instant::now();
    let saved = store.finish(engine).map_err(|e| e.to_string())?;
    let updated = Updated {
        restored,
        report,
        given,
        summary,
        saved,
        opened,
        finished: finishing.elapsed(),
    };
    Ok((store, updated))
}

/// Run `engine` kept in the database; returns the run's summary, the
/// lines that describe what happened to the database, and the check that
/// it reads back (to wait for before reporting success).
pub fn run(
    engine: &mut Engine,
    plan: &Plan,
    db: &DbArgs<'_>,
    inputs: &[(CatId, PathBuf)],
    opts: &RunOptions,
) -> Result<(RunSummary, Vec<String>, ReadBack), String> {
    let (store, updated) = update(engine, plan, db, inputs, opts)?;
    let Updated {
        restored,
        report,
        given,
        summary,
        saved,
        opened,
        finished,
    } = updated;
    // What was written must read back before the run says it succeeded: a
    // store whose own files were damaged can take writes it will not
    // recover (opening checks the store against the finished-run record).
    // Closing and opening it again goes on while the outputs are written.
    let dir = db.dir.to_path_buf();
    let read_back = std::thread::spawn(move || {
        drop(store);
        read_back(&dir)
    });

    let mut lines = Vec::new();
    let name = db.dir.display();
    let read: usize = report.files.iter().map(|f| f.rows).sum();
    let new_input: usize = report.files.iter().map(|f| f.new).sum::<usize>() + given;
    if restored.checkpoint == 0 {
        lines.push(format!("database `{name}`: new"));
    } else if restored.complete {
        lines.push(format!(
            "database `{name}`: resumed {} facts in {:.3} s; {new_input} of {read} input rows \
             were new",
            restored.rows,
            opened.as_secs_f64()
        ));
    } else {
        lines.push(format!(
            "database `{name}`: resumed an interrupted run at checkpoint {} ({} facts in {:.3} s)",
            restored.checkpoint,
            restored.rows,
            opened.as_secs_f64()
        ));
    }
    let recomputed: Vec<usize> = summary.recomputed.iter().map(|r| r.stratum).collect();
    for r in &summary.recomputed {
        let cats: Vec<&str> = plan.strata[r.stratum]
            .categories
            .iter()
            .map(|&c| plan.category(c).name.as_str())
            .collect();
        lines.push(format!(
            "  recomputed stratum {} ({}): {}",
            r.stratum,
            cats.join(", "),
            r.reason.describe(plan)
        ));
    }
    if restored.checkpoint > 0 {
        let extended: Vec<String> = (0..plan.strata.len())
            .filter(|s| !recomputed.contains(s))
            .map(|s| s.to_string())
            .collect();
        if !extended.is_empty() {
            lines.push(format!(
                "  extended incrementally: stratum {}",
                extended.join(", ")
            ));
        }
    }
    lines.push(format!(
        "  saved {} new rows in {} checkpoint{} (the last took {:.3} s)",
        saved.rows,
        saved.checkpoints,
        if saved.checkpoints == 1 { "" } else { "s" },
        finished.as_secs_f64()
    ));
    Ok((
        summary,
        lines,
        ReadBack {
            thread: Some(read_back),
        },
    ))
}

/// The check that the database reads back, under way (see [`run`]).
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
