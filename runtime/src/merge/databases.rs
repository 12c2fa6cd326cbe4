//! Merging two database directories into a new one: what `foldc merge`
//! and a cluster worker's merge task do.
//!
//! Both databases are opened (holding their locks, so no run changes them
//! meanwhile), checked to belong to the program and to be finished, and
//! never written. The larger is copied into `.NAME.merging` beside the
//! result, resumed and merged with the other ([`super::merge`]), finished
//! with one checkpoint, and only then renamed to the result's name: the
//! result either does not exist or is a finished database. A merge killed
//! halfway leaves `.NAME.merging`; the next merge into the same name
//! removes it (a merge still running keeps it locked and is left alone).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{merge, unfinished, MergeRecord, Names};
use crate::db::guard::refuse_inside;
use crate::db::{copy, Access, Db};
use crate::eval::Natives;
use crate::exec::engine::{Engine, RunOptions};
use crate::plan::Plan;

/// Where the time of a merge went, in seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// Copying the larger database.
    pub copy: f64,
    /// Reading the other.
    pub read: f64,
    /// Resuming the copy.
    pub resume: f64,
    /// Merging: copying the other's facts in, the replay and the runs to
    /// the fixpoint.
    pub merge: f64,
    /// Of `merge`: copying the other database's facts in.
    pub insert: f64,
    /// Of `merge`: replaying the other database's events.
    pub replay: f64,
    /// The final checkpoint and the rename.
    pub save: f64,
}

impl Phases {
    /// `copy 0.001 s, read the other ...` for a summary line.
    pub fn render(&self) -> String {
        format!(
            "copy {:.3} s, read the other {:.3} s, resume {:.3} s, merge {:.3} s (insert {:.3} \
             s, replay {:.3} s), save {:.3} s",
            self.copy, self.read, self.resume, self.merge, self.insert, self.replay, self.save
        )
    }
}

/// What a merge of two databases did.
#[derive(Clone, Debug)]
pub struct Merged {
    /// What the merge did, as the result database keeps it.
    pub record: MergeRecord,
    /// Where its time went.
    pub phases: Phases,
    /// Things worth telling the user (a stale merge directory removed).
    pub notes: Vec<String>,
}

/// Merge databases `a` and `b` of `plan` (the program named `program`)
/// into the new database `into`; handlers run as `natives` after the
/// replay (see the module docs).
pub fn merge_databases(
    plan: &Arc<Plan>,
    natives: Natives,
    program: &str,
    a: &Path,
    b: &Path,
    into: &Path,
    opts: &RunOptions,
) -> Result<Merged, String> {
    if into.symlink_metadata().is_ok() {
        return Err(format!(
            "`{}` already exists; `foldc merge` creates the merged database (name a new \
             directory)",
            into.display()
        ));
    }
    if let (Ok(ca), Ok(cb)) = (a.canonicalize(), b.canonicalize()) {
        if ca == cb {
            return Err(format!(
                "`{}` and `{}` are the same database; a database merged with itself is itself",
                a.display(),
                b.display()
            ));
        }
    }
    for source in [a, b] {
        refuse_inside("--into", into, source)?;
    }
    let db_a = open_source(a, plan, program)?;
    let db_b = open_source(b, plan, program)?;
    // The larger is copied (copying is cheaper than inserting); on a tie, A.
    let size = |db: &Db| {
        db.state()
            .map_or(0, |s| s.rows.iter().map(|&r| u64::from(r)).sum())
    };
    let ((base, base_dir), (other, other_dir)) = if size(&db_b) > size(&db_a) {
        ((db_b, b), (db_a, a))
    } else {
        ((db_a, a), (db_b, b))
    };
    let mut notes = Vec::new();
    let tmp = temp_dir(into, &mut notes)?;
    let _lock = copy::start_merge_dir(&tmp).map_err(|e| e.to_string())?;
    let (base_name, other_name) = (
        base_dir.display().to_string(),
        other_dir.display().to_string(),
    );
    let names = Names {
        base: &base_name,
        other: &other_name,
    };
    let source = Sources { base, other, names };
    match build(plan, natives, program, source, &tmp, into, opts) {
        Ok((record, phases)) => Ok(Merged {
            record,
            phases,
            notes,
        }),
        Err(e) => {
            // Nothing of a failed merge is kept: A and B are untouched.
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// The two databases of a merge, opened.
struct Sources<'n> {
    base: Db,
    other: Db,
    names: Names<'n>,
}

/// Copy the base into `tmp`, merge the other into it, finish it and move
/// it to `into`.
fn build(
    plan: &Arc<Plan>,
    natives: Natives,
    program: &str,
    sources: Sources<'_>,
    tmp: &Path,
    into: &Path,
    opts: &RunOptions,
) -> Result<(MergeRecord, Phases), String> {
    let Sources {
        base,
        mut other,
        names,
    } = sources;
    let mut phases = Phases::default();
    let mut clock = Instant::now();
    let mut lap = || {
        let t = clock.elapsed().as_secs_f64();
        clock = Instant::now();
        t
    };
    base.copy_into(tmp).map_err(|e| e.to_string())?;
    drop(base);
    phases.copy = lap();
    let contents = other.read_contents(plan).map_err(|e| e.to_string())?;
    drop(other);
    phases.read = lap();
    let mut engine = Engine::new(plan.clone(), natives).map_err(|e| e.to_string())?;
    // The other's current facts may all be appended: room for them.
    let room: Vec<usize> = contents.cats.iter().map(|c| c.live).collect();
    let mut db = Db::open_with_room(tmp, plan, program, Access::Merging, &room)
        .map_err(|e| e.to_string())?;
    db.restore(&mut engine, None).map_err(|e| e.to_string())?;
    phases.resume = lap();
    let index = db.merges().len() as u32;
    let (record, spent) = merge(&mut engine, &contents, names, index, opts, &mut db)?;
    db.add_merge(record.clone());
    phases.merge = lap();
    (phases.insert, phases.replay) = (spent.insert, spent.replay);
    db.finish(&mut engine).map_err(|e| e.to_string())?;
    drop(db);
    copy::finish_merge_dir(tmp, into).map_err(|e| e.to_string())?;
    phases.save = lap();
    Ok((record, phases))
}

/// Open a database to merge: it must belong to the program and be
/// finished.
fn open_source(dir: &Path, plan: &Plan, program: &str) -> Result<Db, String> {
    let db = Db::open(dir, plan, program, Access::Read).map_err(|e| match e.other_program() {
        Some(whose) => format!("{whose}; only databases of one program merge"),
        None => e.to_string(),
    })?;
    if let Some(why) = db.state().and_then(|s| unfinished(plan, s)) {
        return Err(format!(
            "database `{}` cannot be merged: {why}; run `foldc run {program} --db {}` to \
             finish it first",
            dir.display(),
            dir.display()
        ));
    }
    Ok(db)
}

/// Where the merged database is built: `.NAME.merging` beside `into`.
fn temp_dir(into: &Path, notes: &mut Vec<String>) -> Result<PathBuf, String> {
    let name = into
        .file_name()
        .ok_or_else(|| format!("`{}` names no directory", into.display()))?;
    let tmp = into.with_file_name(format!(".{}.merging", name.to_string_lossy()));
    // What a killed merge into the same name left goes; a live one's stays.
    let existed = tmp.symlink_metadata().is_ok();
    copy::remove_stale_merge_dir(&tmp)?;
    if existed {
        notes.push(format!(
            "removed `{}`, left by a merge into `{}` that was interrupted",
            tmp.display(),
            into.display()
        ));
    }
    Ok(tmp)
}
