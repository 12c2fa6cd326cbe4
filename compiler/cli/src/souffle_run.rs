//! `foldc run prog.dl`: a Soufflé program run the way Soufflé runs it:
//! `.input` files from the fact directory (`-F`, default `.`), `.output`
//! files into the output directory (`-D`, default `.`, `-` for standard
//! output), `.printsize` counts on standard output.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fold_compiler::souffle::io::{self, OutputDir, SouffleIo};
use fold_runtime::plan::Plan;
use fold_runtime::{Engine, RunOptions};

use crate::backend::{self, Backend};
use crate::out::{errln, out};
use crate::source::Program;
use crate::Outcome;

/// The options of `foldc run` a Soufflé program uses.
pub struct SouffleArgs {
    pub fact_dir: Option<PathBuf>,
    pub output_dir: Option<PathBuf>,
    pub threads: usize,
    pub quiet: bool,
    pub backend: Backend,
    pub stats: bool,
    pub timings: bool,
    /// `--db` was given (not supported for `.dl` yet).
    pub db: bool,
    /// `--input` was given (a `.dl` program reads its `.input` files).
    pub inputs: bool,
}

pub fn run(args: &SouffleArgs, program: &Program, plan: Plan, io: &SouffleIo) -> Outcome {
    if args.db {
        return Err(format!(
            "`{}`: `--db` is not supported for Soufflé programs yet; run without it",
            program.display_name()
        ));
    }
    if args.inputs {
        return Err(format!(
            "`{}`: a Soufflé program reads its `.input` files from the fact directory; use `-F DIR` instead of `--input`",
            program.display_name()
        ));
    }
    let plan = Arc::new(plan);
    let (natives, installed) = backend::compile(&plan, args.backend);
    let mut engine = Engine::new(plan.clone(), natives).map_err(|e| e.to_string())?;
    let fact_dir = args.fact_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    io::load_facts(&mut engine, &plan, io, &fact_dir)
        .map_err(|e| format!("{e}\nnothing was run"))?;
    engine.insert_program_facts();
    let opts = RunOptions {
        threads: args.threads,
        quiet: args.quiet,
    };
    let summary = engine.run(&opts).map_err(|e| e.to_string())?;
    let dir = match &args.output_dir {
        Some(d) if d.as_os_str() == "-" => OutputDir::Stdout,
        Some(d) => OutputDir::Dir(d.clone()),
        None => OutputDir::Dir(PathBuf::from(".")),
    };
    let printed = io::write_outputs(&engine, &plan, io, &dir)?;
    out!("{printed}");
    out!("{}", io::printsize(&engine, &plan, io));
    if !args.quiet {
        errln!(
            "{}",
            crate::run::summary_line(&program.display_name(), &engine, &plan, &summary)
        );
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
