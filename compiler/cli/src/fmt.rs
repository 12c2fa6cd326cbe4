//! `foldc fmt FILE...`: rewrite fold programs in the canonical layout
//! (`--check`: change nothing, list the files that are not formatted).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::out::{errln, out, outln};
use crate::source::report;
use crate::Outcome;
use fold_compiler::fmt::format;
use fold_compiler::Dialect;

#[derive(clap::Args)]
pub struct Args {
    /// The programs to format in place; `-` (or none) reads standard
    /// input and writes the formatted program to standard output.
    files: Vec<PathBuf>,
    /// Write nothing: print the name of each file that is not formatted,
    /// and exit 1 if there is one.
    #[arg(long)]
    check: bool,
}

/// What became of one file.
enum Done {
    Unchanged,
    /// Formatted (or, with `--check`, would be).
    Changed,
    /// Not formatted: it does not parse (its errors were printed), or
    /// cannot be read or written.
    Failed,
}

pub fn run(args: Args) -> Outcome {
    let stdin = [PathBuf::from("-")];
    let files = if args.files.is_empty() {
        &stdin[..]
    } else {
        &args.files[..]
    };
    let (mut changed, mut failed) = (0, 0);
    for path in files {
        let done = if path == Path::new("-") {
            format_stdin(args.check)
        } else {
            format_file(path, args.check)
        };
        match done {
            Done::Unchanged => {}
            Done::Changed => changed += 1,
            Done::Failed => failed += 1,
        }
    }
    if failed > 0 {
        return Err(format!(
            "{failed} file{} not formatted (see above)",
            if failed == 1 { "" } else { "s" }
        ));
    }
    if args.check && changed > 0 {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn format_file(path: &Path, check: bool) -> Done {
    let name = path.display().to_string();
    if Dialect::of_path(path) == Dialect::Souffle {
        errln!("error: `{name}` is a Soufflé program: foldc fmt formats fold programs");
        return Done::Failed;
    }
    let src = match std::fs::read_to_string(path) {
        Ok(src) => src,
        Err(e) => {
            errln!("error: cannot read `{name}`: {e}");
            return Done::Failed;
        }
    };
    let Some(formatted) = formatted(&name, &src) else {
        return Done::Failed;
    };
    if formatted == src {
        return Done::Unchanged;
    }
    if check {
        outln!("{name}");
        return Done::Changed;
    }
    match std::fs::write(path, formatted) {
        Ok(()) => Done::Changed,
        Err(e) => {
            errln!("error: cannot write `{name}`: {e}");
            Done::Failed
        }
    }
}

fn format_stdin(check: bool) -> Done {
    let mut src = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut src) {
        errln!("error: cannot read standard input: {e}");
        return Done::Failed;
    }
    let Some(formatted) = formatted("<stdin>", &src) else {
        return Done::Failed;
    };
    if check {
        if formatted == src {
            return Done::Unchanged;
        }
        outln!("<stdin>");
        return Done::Changed;
    }
    out!("{formatted}");
    Done::Unchanged
}

/// The formatted text, or `None` after printing why there is none.
fn formatted(name: &str, src: &str) -> Option<String> {
    // A byte order mark (some editors write one) is not program text.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    match format(src) {
        Ok(text) => Some(text),
        Err(diagnostics) => {
            report(name, src, &diagnostics);
            errln!("{name}: not formatted: it has syntax errors");
            None
        }
    }
}
