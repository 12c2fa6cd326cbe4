//! Which backend runs the handlers: native code from the Cranelift JIT
//! (the default) or the reference interpreter (`--backend interp`). A
//! handler the JIT declines runs on the interpreter; `--stats` says how
//! many did and why.

use std::fmt::Write as _;
use std::time::Duration;

use clap::ValueEnum;

use crate::out::{errln, out};
use fold_runtime::native::Natives;
use fold_runtime::plan::{HandlerId, Plan};

use fold_compiler::codegen;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// Native code, compiled with Cranelift (handlers it cannot compile
    /// fall back to the interpreter, one by one).
    #[default]
    Jit,
    /// The reference interpreter of the plan.
    Interp,
}

/// What [`install`] did.
#[derive(Debug)]
pub struct Installed {
    pub backend: Backend,
    pub handlers: usize,
    /// Handlers running as native code.
    pub native: usize,
    /// Handlers the JIT left to the interpreter, with the reason.
    pub declined: Vec<(HandlerId, String)>,
    /// Time spent generating and compiling native code.
    pub codegen: Duration,
}

impl Installed {
    /// Handlers that fell back to the interpreter under the JIT.
    pub fn fell_back(&self) -> usize {
        match self.backend {
            Backend::Jit => self.handlers - self.native,
            Backend::Interp => 0,
        }
    }

    /// The backend lines of `foldc run --stats`.
    pub fn render(&self, plan: &Plan) -> String {
        let mut out = String::new();
        match self.backend {
            Backend::Interp => {
                let _ = writeln!(out, "backend: interpreter ({} handlers)", self.handlers);
            }
            Backend::Jit => {
                let _ = writeln!(
                    out,
                    "backend: jit, {} of {} handlers native, {} fell back to the interpreter",
                    self.native,
                    self.handlers,
                    self.fell_back()
                );
                for (h, why) in &self.declined {
                    let handler = plan.handler(*h);
                    let _ = writeln!(
                        out,
                        "  interpreted: handler {} (rule {} position {}): {why}",
                        h.0,
                        plan.rule(handler.rule).name,
                        handler.position
                    );
                }
            }
        }
        out
    }
}

/// The native code `plan`'s handlers run as on `backend` (none for the
/// interpreter), and what compiling it did.
pub fn compile(plan: &Plan, backend: Backend) -> (Natives, Installed) {
    let mut installed = Installed {
        backend,
        handlers: plan.handlers.len(),
        native: 0,
        declined: Vec::new(),
        codegen: Duration::ZERO,
    };
    if backend == Backend::Interp {
        return (Natives::none(), installed);
    }
    let jit = codegen::compile_or_interpret(plan, codegen::Options::default());
    installed.codegen = jit.elapsed;
    installed.native = jit.compiled();
    installed.declined = jit.declined;
    (jit.natives, installed)
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
