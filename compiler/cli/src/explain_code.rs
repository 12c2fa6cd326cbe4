//! `foldc explain-code CODE`: the long explanation of a diagnostic code,
//! with an example that triggers it and the fix (the texts live in
//! `compiler/src/diag/codes/`); without a code, the list of codes.

use std::process::ExitCode;

use fold_compiler::diag::explain::lookup;
use fold_compiler::diag::Code;

use crate::out::{out, outln};
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The code, as diagnostics print it (`E0304`, `W0002`); without one,
    /// every code with its title.
    code: Option<String>,
}

pub fn run(args: Args) -> Outcome {
    let Some(text) = args.code else {
        for code in Code::ALL {
            outln!("{}  {}", code.as_str(), code.title());
        }
        return Ok(ExitCode::SUCCESS);
    };
    match lookup(&text) {
        Some(code) => {
            out!("{}", code.explanation());
            Ok(ExitCode::SUCCESS)
        }
        None => Err(format!(
            "`{text}` is not a diagnostic code of foldc (`foldc explain-code` lists them; \
             docs/codes.md is the index)"
        )),
    }
}
