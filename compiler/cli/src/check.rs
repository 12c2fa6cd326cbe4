//! `foldc check PROG`: diagnostics only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::out::{errln, out};
use crate::source::{DialectArg, Program};
use crate::split;
use crate::Outcome;
use fold_compiler::diag::render;

#[derive(clap::Args)]
pub struct Args {
    /// The program to check.
    program: PathBuf,
    /// How to print diagnostics: for people, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The program's language (default: by extension, `.dl` is Soufflé).
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// Also check that the program decomposes on this split key, an input
    /// category's field (`CAT.FIELD`): run in shards that each get part of
    /// `CAT`'s facts (by `FIELD`) and all other input, the shards find
    /// exactly what one run finds. Prints where each category's facts
    /// live, or the rule and atom that break it (E0801).
    #[arg(long, value_name = "CAT.FIELD")]
    split: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub fn run(args: Args) -> Outcome {
    let program = Program::load_as(&args.program, args.dialect)?;
    let diagnostics = &program.compiled.diagnostics;
    match args.format {
        Format::Human => {
            program.report(diagnostics);
            match render::summary(diagnostics) {
                Some(summary) => errln!("{}: {summary}", program.display_name()),
                None => errln!("{}: ok", program.display_name()),
            }
        }
        Format::Json => out!(
            "{}",
            render::json(&program.display_name(), &program.src, diagnostics)
        ),
    }
    if program.compiled.has_errors() {
        return Ok(ExitCode::FAILURE);
    }
    match &args.split {
        Some(key) => split::check(&program, key, matches!(args.format, Format::Json)),
        None => Ok(ExitCode::SUCCESS),
    }
}
