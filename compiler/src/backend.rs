//! Which backend runs a plan's handlers: native code from the Cranelift
//! JIT (the default) or the reference interpreter. A handler the JIT
//! declines runs on the interpreter; [`Installed`] says how many did and
//! why. `foldc` and embedders (see [`crate::embed`]) both install native
//! code through [`natives`].

use std::fmt::Write as _;
use std::time::Duration;

use fold_runtime::native::Natives;
use fold_runtime::plan::{HandlerId, Plan};

use crate::codegen;

/// What runs the handlers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// Native code, compiled with Cranelift (handlers it cannot compile
    /// fall back to the interpreter, one by one).
    #[default]
    Jit,
    /// The reference interpreter of the plan.
    Interp,
}

/// What [`natives`] did.
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
/// interpreter), to hand to [`fold_runtime::Engine::new`] or a database
/// session, and what compiling it did.
pub fn natives(plan: &Plan, backend: Backend) -> (Natives, Installed) {
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
