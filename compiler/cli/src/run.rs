//! `foldc run PROG`: load inputs, run to the fixpoint, write outputs.

use crate::format::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fold_runtime::db::ReadBack;
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value;
use fold_runtime::{Engine, RunOptions};

use crate::backend::{self, Backend};
use crate::db_run::{self, DbArgs};
use crate::out::{errln, outln};
use crate::source::{DialectArg, Program};
use crate::Outcome;

mod json;

#[derive(clap::Args)]
pub struct Args {
    /// The program to run.
    program: PathBuf,
    /// Write each output category as DIR/CAT.csv (sorted). Without it, the
    /// first rows of each output are printed.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Read CAT's facts from FILE instead of the program's `input` lines
    /// (repeatable).
    #[arg(long = "input", value_name = "CAT=FILE")]
    inputs: Vec<String>,
    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, short = 'j', default_value_t = 0, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    threads: usize,
    /// No progress line and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Print the lifecycle counters per rule and trigger position.
    #[arg(long)]
    stats: bool,
    /// What runs the handlers: native code (handlers the JIT cannot
    /// compile fall back to the interpreter) or the reference interpreter.
    #[arg(long, value_enum, default_value_t = Backend::Jit)]
    backend: Backend,
    /// Print the time of each stage: parse, check, lower, codegen, evaluation.
    #[arg(long)]
    timings: bool,
    /// Keep the whole state in a database at DIR (created if new): a later
    /// run with the same DIR adds new input incrementally, or finishes an
    /// interrupted run. Without it, nothing is kept.
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    /// With --db: drop what the database holds and start over (needed to
    /// reuse a database written by another program).
    #[arg(long, requires = "db")]
    fresh: bool,
    /// With --db: checkpoint at most every MS milliseconds (0: after every
    /// round). For tests.
    #[arg(long, value_name = "MS", requires = "db", hide = true)]
    checkpoint_ms: Option<u64>,
    /// The program's language (default: by extension, `.dl` is Soufflé).
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// Soufflé programs: read `.input` files from DIR (default: `.`).
    #[arg(short = 'F', long = "fact-dir", value_name = "DIR")]
    fact_dir: Option<PathBuf>,
    /// Soufflé programs: write `.output` files into DIR (default: `.`;
    /// `-` prints them to standard output).
    #[arg(short = 'D', long = "output-dir", value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// `json`: instead of the rows of each output (without --out), the
    /// --stats table and the --timings line, print one JSON object
    /// (`schemas/run.json`): the summary, facts per category, timings and
    /// counters. Progress and the database lines stay on stderr.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Rows shown per output category when there is no `--out`.
const PREVIEW_ROWS: usize = 20;

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load_as(&args.program, args.dialect)?;
    let plan = program.checked_plan("nothing was run")?;
    if let Some(io) = program.compiled.souffle.take() {
        if args.format == Format::Json {
            return Err("`--format json` is for fold programs; a Soufflé program writes its `.output` files".into());
        }
        return crate::souffle_run::run(&args_souffle(&args), &program, plan, &io);
    }
    if args.fact_dir.is_some() || args.output_dir.is_some() {
        return Err("`-F`/`-D` are for Soufflé programs (`.dl`); a fold program names its inputs and takes `--out DIR`".into());
    }
    let inputs = inputs(&plan, &args.inputs)?;
    if let (Some(out), Some(db)) = (&args.out, &args.db) {
        fold_runtime::db::guard::refuse_out_in_db(out, db)?;
    }
    let plan = Arc::new(plan);
    let (natives, installed) = backend::compile(&plan, args.backend);
    let opts = RunOptions {
        threads: args.threads,
        quiet: args.quiet,
    };
    let (engine, summary, db_lines, read_back) = match &args.db {
        None => {
            let mut engine = Engine::new(plan.clone(), natives).map_err(|e| e.to_string())?;
            engine.set_progress(!args.quiet);
            engine
                .load_inputs(&inputs)
                .map_err(|e| format!("{e}\nnothing was loaded"))?;
            engine.insert_program_facts();
            let summary = engine.run(&opts).map_err(|e| e.to_string())?;
            (engine, summary, Vec::new(), ReadBack::none())
        }
        Some(dir) => {
            let db = DbArgs {
                dir,
                program: &program.display_name(),
                fresh: args.fresh,
                checkpoint_ms: args.checkpoint_ms,
            };
            db_run::run(&plan, natives, &db, &inputs, &opts)?
        }
    };
    match &args.out {
        Some(dir) => {
            engine
                .write_outputs(dir, &plan.outputs)
                .map_err(|e| e.to_string())?;
        }
        None if args.format == Format::Json => {}
        None => preview(&engine, &plan),
    }
    read_back.wait()?;
    if args.format == Format::Json {
        let report = json::report(
            &program.display_name(),
            &engine,
            &plan,
            &summary,
            &installed,
            &program.compiled.timings,
            &db_lines,
        );
        outln!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    if !args.quiet {
        errln!(
            "{}",
            summary_line(&program.display_name(), &engine, &plan, &summary)
        );
        for line in &db_lines {
            errln!("{line}");
        }
    }
    backend::after_run(
        args.stats,
        args.timings,
        &engine,
        &plan,
        &installed,
        &program.compiled.timings,
        summary.elapsed,
    );
    Ok(ExitCode::SUCCESS)
}

/// The plan's inputs, with `--input CAT=FILE` replacing a category's files.
pub(super) fn inputs(plan: &Plan, overrides: &[String]) -> Result<Vec<(CatId, PathBuf)>, String> {
    let mut replaced: Vec<(CatId, PathBuf)> = Vec::new();
    for o in overrides {
        let Some((name, file)) = o.split_once('=') else {
            return Err(format!("`--input {o}`: expected CAT=FILE"));
        };
        if file.is_empty() {
            return Err(format!(
                "`--input {o}`: no file after `=` (expected CAT=FILE)"
            ));
        }
        let Some(cat) = plan.category_named(name.trim()) else {
            let names: Vec<&str> = plan.categories.iter().map(|c| c.name.as_str()).collect();
            return Err(format!(
                "`--input {o}`: no category `{name}` (categories: {})",
                names.join(", ")
            ));
        };
        replaced.push((cat, PathBuf::from(file)));
    }
    let mut out: Vec<(CatId, PathBuf)> = plan
        .inputs
        .iter()
        .filter(|i| !replaced.iter().any(|(c, _)| *c == i.cat))
        .map(|i| (i.cat, i.path.clone()))
        .collect();
    out.extend(replaced);
    Ok(out)
}

/// Print the first rows of each output category.
fn preview(engine: &Engine, plan: &Plan) {
    for &cat in &plan.outputs {
        let category = plan.category(cat);
        let types = category.types();
        let total = engine.count(cat);
        outln!("{} ({} facts)", category.name, total);
        for row in engine.first_facts(cat, PREVIEW_ROWS) {
            outln!("  {}", value::display_fact(&category.name, &types, &row));
        }
        if total > PREVIEW_ROWS {
            outln!(
                "  ... {} more (use --out DIR to write them all)",
                total - PREVIEW_ROWS
            );
        }
    }
}

/// What a Soufflé run takes from the command line.
fn args_souffle(args: &Args) -> crate::souffle_run::SouffleArgs {
    crate::souffle_run::SouffleArgs {
        fact_dir: args.fact_dir.clone(),
        output_dir: args.output_dir.clone().or_else(|| args.out.clone()),
        threads: args.threads,
        quiet: args.quiet,
        backend: args.backend,
        stats: args.stats,
        timings: args.timings,
        db: args.db.is_some(),
        inputs: !args.inputs.is_empty(),
    }
}

/// The line a run ends with on stderr: the program, its outputs' counts,
/// rounds, events, time and threads (and faults, when there were any).
pub fn summary_line(
    program: &str,
    engine: &fold_runtime::Engine,
    plan: &fold_runtime::plan::Plan,
    summary: &fold_runtime::RunSummary,
) -> String {
    let counts: Vec<String> = plan
        .outputs
        .iter()
        .map(|&c| format!("{} {}", engine.count(c), plan.category(c).name))
        .collect();
    format!(
        "{program}: {} in {} rounds, {} events, {:.3} s on {} thread{}{}",
        if counts.is_empty() {
            "no outputs".to_string()
        } else {
            counts.join(", ")
        },
        summary.rounds,
        summary.events,
        summary.elapsed.as_secs_f64(),
        summary.threads,
        if summary.threads == 1 { "" } else { "s" },
        if summary.faults > 0 {
            format!(", {} faults", summary.faults)
        } else {
            String::new()
        }
    )
}
