//! `foldc`: the fold compiler and runtime on the command line.

use std::process::ExitCode;

/// The compiler's passes recurse over expressions, and a program may nest
/// them thousands deep (a generated sum of thousands of terms is a tree
/// that deep). The main thread's 8 MiB would overflow near 4,000 levels;
/// this much address space (only the pages used are ever touched) takes
/// the parser's limit (`fold_grammar::MAX_NESTING`) with room to spare.
const STACK_BYTES: usize = 256 << 20;

fn main() -> ExitCode {
    fold_runtime::init_global_pool();
    let cli = std::thread::Builder::new()
        .name("foldc".to_string())
        .stack_size(STACK_BYTES)
        .spawn(fold_compiler::cli::main);
    match cli.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        // A panic has printed its message already.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start foldc: {e}");
            ExitCode::FAILURE
        }
    }
}
