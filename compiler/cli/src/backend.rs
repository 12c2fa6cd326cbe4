//! `--backend`: which backend runs the handlers, native code from the
//! Cranelift JIT (the default) or the reference interpreter. Installing
//! native code lives in the library ([`fold_compiler::backend`]); here
//! are the option and what `--stats` and `--timings` print.

use std::time::Duration;

use clap::ValueEnum;

use crate::out::{errln, out};
use fold_runtime::native::Natives;
use fold_runtime::plan::Plan;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// Native code, compiled with Cranelift (handlers it cannot compile
    /// fall back to the interpreter, one by one).
    #[default]
    Jit,
    /// The reference interpreter of the plan.
    Interp,
}

pub use fold_compiler::backend::Installed;

/// The native code `plan`'s handlers run as on `backend` (none for the
/// interpreter), and what compiling it did
/// ([`fold_compiler::backend::natives`]).
pub fn compile(plan: &Plan, backend: Backend) -> (Natives, Installed) {
    fold_compiler::backend::natives(plan, backend.into())
}

impl From<Backend> for fold_compiler::backend::Backend {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Jit => fold_compiler::backend::Backend::Jit,
            Backend::Interp => fold_compiler::backend::Backend::Interp,
        }
    }
}

/// The `--timings` line: each stage in milliseconds, and parse to native.
/// After a run: `--stats` prints the lifecycle counters and what ran
/// natively, `--timings` the time of each stage.
pub fn after_run(
    stats: bool,
    timings_too: bool,
    engine: &fold_runtime::Engine,
    plan: &Plan,
    installed: &Installed,
    compiled: &fold_compiler::Timings,
    evaluation: Duration,
) {
    if stats {
        out!("{}", engine.stats().render_table(plan));
        out!("{}", installed.render(plan));
    }
    if timings_too {
        errln!("{}", timings(compiled, installed.codegen, evaluation));
    }
}

pub fn timings(t: &fold_compiler::Timings, codegen: Duration, evaluation: Duration) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "timings: parse {:.3} ms, check {:.3} ms, lower {:.3} ms, codegen {:.3} ms, \
         evaluation {:.3} ms (parse to native {:.3} ms)",
        ms(t.parse),
        ms(t.check),
        ms(t.lower),
        ms(codegen),
        ms(evaluation),
        ms(t.parse + t.check + t.lower + codegen)
    )
}
