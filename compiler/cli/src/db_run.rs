//! `foldc run --db DIR`: the run of `run.rs`, kept in a database.
//!
//! Open (refusing another program's database unless `--fresh`), resume
//! the saved state, load the inputs (only new rows become facts), insert
//! program facts, run with checkpoints, and write the final checkpoint
//! before reporting success. The summary says what was resumed, what was
//! new, and which strata were recomputed rather than extended.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use fold_runtime::db::{Opened, ReadBack, Session, SessionOptions, Update};
use fold_runtime::native::Natives;
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::{Engine, RunOptions, RunSummary};

use crate::out::errln;

/// How to keep the run.
pub struct DbArgs<'a> {
    pub dir: &'a Path,
    pub program: &'a str,
    pub fresh: bool,
    pub checkpoint_ms: Option<u64>,
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

/// Open the database (refusing another program's unless `--fresh`),
/// resume it, load `inputs` (only new rows become facts), insert program
/// facts, run with checkpoints and write the final one: what `run --db`
/// does, and `serve` before it answers. Returns the open session.
pub fn update(
    plan: &Arc<Plan>,
    natives: Natives,
    db: &DbArgs<'_>,
    inputs: &[(CatId, PathBuf)],
    opts: &RunOptions,
) -> Result<(Session, Opened, Update), String> {
    let options = SessionOptions {
        fresh: db.fresh,
        checkpoint_every: db.checkpoint_ms.map(Duration::from_millis),
    };
    let (mut session, opened) = Session::open(db.dir, plan.clone(), natives, db.program, &options)
        .map_err(|e| e.to_string())?;
    let update = session.update(inputs, opts).map_err(|e| e.to_string())?;
    Ok((session, opened, update))
}

/// Run the program kept in the database; returns its engine (to write
/// outputs from), the run's summary, the lines that describe what
/// happened to the database, and the check that it reads back (to wait
/// for before reporting success).
pub fn run(
    plan: &Arc<Plan>,
    natives: Natives,
    db: &DbArgs<'_>,
    inputs: &[(CatId, PathBuf)],
    opts: &RunOptions,
) -> Result<(Engine, RunSummary, Vec<String>, ReadBack), String> {
    let (session, opened, update) = update(plan, natives, db, inputs, opts)?;
    let Update {
        report,
        given,
        summary,
        saved,
        finished,
    } = update;
    let restored = opened.restored;
    let opened = opened.elapsed;
    // What was written must read back before the run says it succeeded;
    // that check goes on while the outputs are written.
    let (engine, read_back) = session.close();

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
    Ok((engine, summary, lines, read_back))
}
