//! `foldc`: the fold compiler and runtime on the command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    fold_compiler::cli::main()
}
