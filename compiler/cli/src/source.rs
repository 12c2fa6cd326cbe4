//! Reading a program and reporting its diagnostics, shared by subcommands.

use crate::out::err;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use fold_runtime::plan::Plan;

use fold_compiler::diag::render;
use fold_compiler::diag::Diagnostic;
use fold_compiler::{Compiled, Dialect};

/// A program file, read and compiled.
pub struct Program {
    pub path: PathBuf,
    pub src: String,
    pub compiled: Compiled,
}

/// `--dialect`: which language a program is written in, when its
/// extension does not say (`.dl` is Soufflé, anything else fold).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DialectArg {
    Fold,
    Souffle,
}

impl Program {
    /// Read and compile a program in the dialect its extension names.
    pub fn load(path: &Path) -> Result<Program, String> {
        Program::load_as(path, None)
    }

    /// Read and compile a program, in `dialect` if given.
    pub fn load_as(path: &Path, dialect: Option<DialectArg>) -> Result<Program, String> {
        let mut src = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        // A byte order mark (some editors write one) is not program text.
        if let Some(rest) = src.strip_prefix('\u{feff}') {
            src = rest.to_string();
        }
        let dir = path.parent().map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        });
        let dialect = match dialect {
            Some(DialectArg::Fold) => Dialect::Fold,
            Some(DialectArg::Souffle) => Dialect::Souffle,
            None => Dialect::of_path(path),
        };
        let mut compiled = fold_compiler::compile_dialect(&src, dir, dialect);
        // Diagnostics point into the preprocessed text when there is one.
        if let Some(expanded) = compiled.expanded_source.take() {
            src = expanded;
        }
        Ok(Program {
            path: path.to_path_buf(),
            src,
            compiled,
        })
    }

    pub fn display_name(&self) -> String {
        self.path.display().to_string()
    }

    /// Report the diagnostics and take the plan; without one (the program
    /// has errors), the error saying what was not done (`undone`:
    /// "nothing was run").
    pub fn checked_plan(&mut self, undone: &str) -> Result<Plan, String> {
        self.report(&self.compiled.diagnostics);
        self.compiled
            .plan
            .take()
            .ok_or_else(|| format!("`{}` has errors; {undone}", self.display_name()))
    }

    /// Print diagnostics (all, or only errors) to stderr for a human.
    pub fn report(&self, diagnostics: &[Diagnostic]) {
        report(&self.display_name(), &self.src, diagnostics);
    }
}

/// Print diagnostics about `src` (called `name`) to stderr for a human, in
/// color on a terminal unless `NO_COLOR` is set.
pub fn report(name: &str, src: &str, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    err!("{}", render::human(name, src, diagnostics, color));
}
