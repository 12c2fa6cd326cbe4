//! `foldc merge PROG A B --into C`: two databases of one program into the
//! database a single run over both inputs builds (see
//! `fold_runtime::merge` for the algorithm).
//!
//! Both databases are opened (holding their locks, so no run changes them
//! meanwhile), checked to belong to PROG and to be finished, and never
//! written. The larger is copied into a new directory beside C, which is
//! resumed and merged with the other, finished with one checkpoint, and
//! only then renamed to C: C either does not exist or is a finished
//! database. The report is printed and kept in C (`foldc stats --db C`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use fold_runtime::db::{copy, Access, Db};
use fold_runtime::exec::stats::labels;
use fold_runtime::merge::{self, Names};
use fold_runtime::plan::Plan;
use fold_runtime::{Engine, RunOptions};

use crate::backend::{self, Backend};
use crate::out::{errln, out, outln};
use crate::source::Program;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program both databases were written by.
    program: PathBuf,
    /// A database of the program (`foldc run PROG --db A`).
    a: PathBuf,
    /// Another database of the program.
    b: PathBuf,
    /// The merged database to create (the directory must not exist; A and
    /// B are left as they are).
    #[arg(long, value_name = "DIR")]
    into: PathBuf,
    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, default_value_t = 0, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    threads: usize,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
    /// What runs the handlers after the replay (the replay itself always
    /// runs on the reference interpreter).
    #[arg(long, value_enum, default_value_t = Backend::Jit)]
    backend: Backend,
}

pub fn run(args: Args) -> Outcome {
    let started = Instant::now();
    let mut program = Program::load(&args.program)?;
    let plan = program.checked_plan("nothing was merged")?;
    let name = program.display_name();
    let plan = Arc::new(plan);
    if args.into.symlink_metadata().is_ok() {
        return Err(format!(
            "`{}` already exists; `foldc merge` creates the merged database (name a new \
             directory)",
            args.into.display()
        ));
    }
    if let (Ok(a), Ok(b)) = (args.a.canonicalize(), args.b.canonicalize()) {
        if a == b {
            return Err(format!(
                "`{}` and `{}` are the same database; a database merged with itself is itself",
                args.a.display(),
                args.b.display()
            ));
        }
    }
    for source in [&args.a, &args.b] {
        crate::db_run::refuse_inside("--into", &args.into, source)?;
    }
    let a = open_source(&args.a, &plan, &name)?;
    let b = open_source(&args.b, &plan, &name)?;
    // The larger is copied (copying is cheaper than inserting); on a tie, A.
    let size = |db: &Db| {
        db.state()
            .map_or(0, |s| s.rows.iter().map(|&r| u64::from(r)).sum())
    };
    let ((base, base_dir), (other, other_dir)) = if size(&b) > size(&a) {
        ((b, &args.b), (a, &args.a))
    } else {
        ((a, &args.a), (b, &args.b))
    };
    let tmp = temp_dir(&args.into)?;
    let _lock = copy::start_merge_dir(&tmp).map_err(|e| e.to_string())?;
    let opts = RunOptions {
        threads: args.threads,
        quiet: args.quiet,
    };
    let (base_name, other_name) = (
        base_dir.display().to_string(),
        other_dir.display().to_string(),
    );
    let names = Names {
        base: &base_name,
        other: &other_name,
    };
    let merged = build(
        &plan,
        &name,
        base,
        other,
        &tmp,
        &args.into,
        names,
        &opts,
        args.backend,
    );
    let (record, phases) = match merged {
        Ok(done) => done,
        Err(e) => {
            // Nothing of a failed merge is kept: A and B are untouched.
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    if !args.quiet {
        out!("{}", record.render(&labels(&plan)));
        outln!(
            "database `{}`: written in {:.3} s in all ({})",
            args.into.display(),
            started.elapsed().as_secs_f64(),
            phases.render()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the time of a merge went, in seconds.
#[derive(Default)]
struct Phases {
    copy: f64,
    read: f64,
    resume: f64,
    merge: f64,
    save: f64,
}

impl Phases {
    fn render(&self) -> String {
        format!(
            "copy {:.3} s, read the other {:.3} s, resume {:.3} s, merge {:.3} s, save {:.3} s",
            self.copy, self.read, self.resume, self.merge, self.save
        )
    }
}

/// Copy `base` into `tmp`, merge `other` into it, finish it and move it to
/// `into`.
#[allow(clippy::too_many_arguments)]
fn build(
    plan: &Arc<Plan>,
    program: &str,
    base: Db,
    mut other: Db,
    tmp: &Path,
    into: &Path,
    names: Names<'_>,
    opts: &RunOptions,
    backend: Backend,
) -> Result<(merge::MergeRecord, Phases), String> {
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
    let (natives, _) = backend::compile(plan, backend);
    let mut engine = Engine::new(plan.clone(), natives).map_err(|e| e.to_string())?;
    let mut db = Db::open(tmp, plan, program, Access::Merging).map_err(|e| e.to_string())?;
    db.restore(&mut engine, None).map_err(|e| e.to_string())?;
    phases.resume = lap();
    let index = db.merges().len() as u32;
    let record = merge::merge(&mut engine, &contents, names, index, opts, &mut db)?;
    db.add_merge(record.clone());
    phases.merge = lap();
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
    if let Some(why) = db.state().and_then(|s| merge::unfinished(plan, s)) {
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
fn temp_dir(into: &Path) -> Result<PathBuf, String> {
    let name = into
        .file_name()
        .ok_or_else(|| format!("`{}` names no directory", into.display()))?;
    let tmp = into.with_file_name(format!(".{}.merging", name.to_string_lossy()));
    // What a killed merge into the same name left goes; a live one's stays.
    let existed = tmp.symlink_metadata().is_ok();
    copy::remove_stale_merge_dir(&tmp)?;
    if existed {
        errln!(
            "note: removed `{}`, left by a merge into `{}` that was interrupted",
            tmp.display(),
            into.display()
        );
    }
    Ok(tmp)
}
