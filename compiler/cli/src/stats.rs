//! `foldc stats --db DIR`: a database's lifecycle counters per rule ×
//! trigger position × stage, without the program (the database names its
//! rules and categories).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use fold_runtime::db::{Db, ProgramMeta, StateMeta};

use crate::out::{out, outln};
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The database (written by `foldc run PROG --db DIR`).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// A table for people, or one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// The program and state records of a database that holds a run,
/// checked to fit each other (its counters and row counts per handler and
/// category of the program).
pub(super) fn records<'d>(
    db: &'d Db,
    dir: &Path,
) -> Result<(&'d ProgramMeta, &'d StateMeta), String> {
    let (Some(program), Some(state)) = (db.program(), db.state()) else {
        return Err(format!("database `{}` holds no run yet", dir.display()));
    };
    if state.stats.handlers.len() != program.handlers.len()
        || state.rows.len() != program.categories.len()
    {
        return Err(format!(
            "database `{}` is corrupt: its counters do not fit its program record; \
             delete the directory to start over",
            dir.display()
        ));
    }
    Ok((program, state))
}

pub fn run(args: Args) -> Outcome {
    let db = Db::open_existing(&args.db).map_err(|e| e.to_string())?;
    let (program, state) = records(&db, &args.db)?;
    let facts: Vec<(String, u32)> = program
        .categories
        .iter()
        .cloned()
        .zip(state.rows.iter().copied())
        .collect();
    match args.format {
        Format::Json => {
            let value = serde_json::json!({
                "database": args.db.display().to_string(),
                "program": program.program,
                "fingerprint": program.fingerprint,
                "checkpoint": state.checkpoint,
                "complete": state.complete,
                "rows": facts.iter().map(|(c, n)| (c.clone(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
                "stats": state.stats.to_json_labeled(&program.handlers),
                "merges": db.merges().iter().map(|m| crate::merge::record_json(m, &program.handlers)).collect::<Vec<_>>(),
            });
            outln!("{value}");
        }
        Format::Table => {
            outln!(
                "database {}: program {} (fingerprint {}), {} checkpoint{}, {}",
                args.db.display(),
                program.program,
                program.fingerprint,
                state.checkpoint,
                if state.checkpoint == 1 { "" } else { "s" },
                if state.complete {
                    "finished"
                } else {
                    "unfinished (run it again to finish)"
                }
            );
            let rows: Vec<String> = facts.iter().map(|(c, n)| format!("{c} {n}")).collect();
            outln!("rows: {}", rows.join(", "));
            out!("{}", state.stats.render_table_labeled(&program.handlers));
            for m in db.merges() {
                out!("{}", m.render(&program.handlers));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
