//! `foldc run PROG`: load inputs, run to the fixpoint, write outputs.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value;
use fold_runtime::{Engine, RunOptions};

use super::source::Program;
use super::Outcome;

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
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// No progress line and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Print the lifecycle counters per rule and trigger position.
    #[arg(long)]
    stats: bool,
}

/// Rows shown per output category when there is no `--out`.
const PREVIEW_ROWS: usize = 20;

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    program.report(&program.compiled.diagnostics);
    let Some(plan) = program.compiled.plan.take() else {
        return Err(format!(
            "`{}` has errors; nothing was run",
            program.display_name()
        ));
    };
    let inputs = inputs(&plan, &args.inputs)?;
    let plan = Arc::new(plan);
    let mut engine = Engine::new(plan.clone());
    engine
        .load_inputs(&inputs)
        .map_err(|e| format!("{e}\nnothing was loaded"))?;
    engine.insert_program_facts();
    let summary = engine
        .run(&RunOptions {
            threads: args.threads,
            quiet: args.quiet,
        })
        .map_err(|e| e.to_string())?;
    match &args.out {
        Some(dir) => {
            engine
                .write_outputs(dir, &plan.outputs)
                .map_err(|e| e.to_string())?;
        }
        None => preview(&engine, &plan),
    }
    if !args.quiet {
        let counts: Vec<String> = plan
            .outputs
            .iter()
            .map(|&c| format!("{} {}", engine.count(c), plan.category(c).name))
            .collect();
        eprintln!(
            "{}: {} in {} rounds, {} events, {:.3} s on {} thread{}{}",
            program.display_name(),
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
        );
    }
    if args.stats {
        print!("{}", engine.stats().render_table(&plan));
    }
    Ok(ExitCode::SUCCESS)
}

/// The plan's inputs, with `--input CAT=FILE` replacing a category's files.
fn inputs(plan: &Plan, overrides: &[String]) -> Result<Vec<(CatId, PathBuf)>, String> {
    let mut replaced: Vec<(CatId, PathBuf)> = Vec::new();
    for o in overrides {
        let Some((name, file)) = o.split_once('=') else {
            return Err(format!("`--input {o}`: expected CAT=FILE"));
        };
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
        let facts = engine.facts(cat);
        println!("{} ({} facts)", category.name, facts.len());
        for row in facts.iter().take(PREVIEW_ROWS) {
            println!("  {}", value::display_fact(&category.name, &types, row));
        }
        if facts.len() > PREVIEW_ROWS {
            println!(
                "  ... {} more (use --out DIR to write them all)",
                facts.len() - PREVIEW_ROWS
            );
        }
    }
}
