//! `foldc export PROG --db DIR --out OUTDIR`: a database's facts as the
//! sorted CSV files `foldc run --out` writes (the same bytes).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fold_runtime::db::Snapshot;
use fold_runtime::plan::CatId;

use crate::source::Program;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program that wrote the database.
    program: PathBuf,
    /// The database (written by `foldc run PROG --db DIR`).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// Write each category as OUTDIR/CAT.csv (sorted).
    #[arg(long, value_name = "OUTDIR")]
    out: PathBuf,
    /// Only this category (any category, output or not); default: the
    /// program's outputs.
    #[arg(long, value_name = "NAME")]
    category: Option<String>,
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = program.checked_plan("nothing was exported")?;
    let cats: Vec<CatId> = match &args.category {
        None => plan.outputs.clone(),
        Some(name) => match plan.category_named(name) {
            Some(c) => vec![c],
            None => {
                let names: Vec<&str> = plan.categories.iter().map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "`--category {name}`: no such category (categories: {})",
                    names.join(", ")
                ));
            }
        },
    };
    fold_runtime::db::guard::refuse_out_in_db(&args.out, &args.db)?;
    let plan = Arc::new(plan);
    let snapshot = Snapshot::open(&args.db, plan, &program.display_name(), Some(&cats))
        .map_err(|e| e.to_string())?;
    let (engine, restored) = (snapshot.engine, snapshot.restored);
    if !restored.complete {
        crate::db_run::warn_unfinished(&args.db, "exporting");
    }
    engine
        .write_outputs(&args.out, &cats)
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
