//! `foldc check PROG`: diagnostics only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::out::{errln, out};
use crate::source::{DialectArg, Program};
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
    Ok(if program.compiled.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
