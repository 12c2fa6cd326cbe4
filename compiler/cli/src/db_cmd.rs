//! `foldc db verify DIR` and `foldc db repair DIR`: check a database
//! against every checksum it holds, and rebuild what can be rebuilt.
//!
//! `verify` reads every page of the store and every block it refers to
//! (see `fold_runtime::db::verify`) and the saved tables, and lists each
//! damage as every other command reports it: naming the file. `repair`
//! removes what is rebuilt from the record by the next run (saved tables
//! that are damaged, stale or stand on damaged blocks; segment files no
//! block refers to), and says what was lost: blocks of facts that fail
//! their checksums are the record itself, and nothing holds their
//! provenance again.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use fold_runtime::db::{Db, DbError};

use crate::out::outln;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Check every page, block and saved table of a database against its
    /// checksums; list each damage (exit 1 when there is any).
    Verify {
        /// The database (written by `foldc run PROG --db DIR`).
        dir: PathBuf,
    },
    /// Remove the damaged or stale parts that the next run rebuilds from
    /// the record, and say what cannot be rebuilt (exit 1 when something
    /// was lost).
    Repair {
        /// The database (written by `foldc run PROG --db DIR`).
        dir: PathBuf,
    },
}

pub fn run(args: Args) -> Outcome {
    match args.action {
        Action::Verify { dir } => verify(dir),
        Action::Repair { dir } => repair(dir),
    }
}

fn verify(dir: PathBuf) -> Outcome {
    let db = Db::open_to_check(&dir, false).map_err(|e| e.to_string())?;
    let (verified, damage) = db.verify_all().map_err(|e| e.to_string())?;
    outln!(
        "database `{}`: {} keys, {} blocks in {} segment files, {} bytes read",
        dir.display(),
        verified.keys,
        verified.blocks,
        verified.segments,
        verified.bytes
    );
    for (name, state) in db.check_tables() {
        match state {
            Ok(rows) => outln!("saved tables of `{name}`: good for {rows} rows"),
            Err(why) => outln!(
                "saved tables of `{name}`: not used ({why}); `foldc db repair` removes them, the next run writes them again"
            ),
        }
    }
    if damage.is_empty() {
        outln!("no damage");
        return Ok(ExitCode::SUCCESS);
    }
    for d in &damage {
        outln!("{}", corrupt(&dir, format!("{}: {}", d.what, d.why)));
    }
    Err(format!(
        "database `{}` has {} damaged block{}",
        dir.display(),
        damage.len(),
        if damage.len() == 1 { "" } else { "s" }
    ))
}

fn repair(dir: PathBuf) -> Outcome {
    let db = Db::open_to_check(&dir, true).map_err(|e| {
        format!("{e}\nnothing can be rebuilt: the store's own records do not read back")
    })?;
    let (_, damage) = db.verify_all().map_err(|e| {
        format!("{e}\nnothing can be rebuilt: the store's own pages do not read back")
    })?;
    let damaged: BTreeSet<String> = damage
        .iter()
        .filter_map(|d| d.what.split('`').nth(1).map(str::to_string))
        .collect();
    let removed = db.drop_rebuildable(&damaged);
    for f in &removed {
        outln!("removed {f} (rebuilt by the next run)");
    }
    if damage.is_empty() {
        outln!(
            "database `{}`: no damage{}",
            dir.display(),
            if removed.is_empty() {
                ", nothing to repair"
            } else {
                ""
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    for d in &damage {
        outln!("lost: {} ({})", d.what, d.why);
    }
    Err(format!(
        "database `{}`: {} block{} of the record cannot be rebuilt (the facts and their provenance are in no other file); \
         run the program again on its inputs with --fresh",
        dir.display(),
        damage.len(),
        if damage.len() == 1 { "" } else { "s" }
    ))
}

fn corrupt(dir: &std::path::Path, what: String) -> DbError {
    DbError::Corrupt {
        dir: dir.to_path_buf(),
        what,
    }
}
