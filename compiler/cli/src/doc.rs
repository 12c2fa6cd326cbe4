//! `foldc doc`: the standard library reference, from the same table the
//! type checker and the runtime use.

use std::process::ExitCode;

use crate::out::{out, outln};
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// Show only the builtins with this name.
    name: Option<String>,
}

pub fn run(args: Args) -> Outcome {
    match args.name {
        None => out!("{}", fold_stdlib::reference_markdown()),
        Some(name) => {
            let overloads = fold_stdlib::overloads(&name);
            if overloads.is_empty() {
                return Err(format!(
                    "no builtin named `{name}` (run `foldc doc` for the whole list)"
                ));
            }
            for b in overloads {
                outln!("{}\n\n{}\n", b.signature(), b.doc);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
