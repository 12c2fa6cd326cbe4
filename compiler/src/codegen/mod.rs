//! Cranelift codegen: lifecycle handlers as native code.
//!
//! [`compile`] turns every prepared handler of a plan into one machine
//! function following the runtime's native ABI ([`fold_runtime::eval::native`]):
//! the event's binding, categorical checks, aborts, `let`s, joins (the
//! whole loop over an index group's rows), negation, aggregates, the
//! search (`if`, `for`, `let`, `find`) and every expression, with the
//! interpreter's fault rules (checked arithmetic; a fault drops the
//! combination it happened in and what it found). What needs the store
//! or the interner goes through the runtime's callbacks; stdlib builtins
//! are called through their own native entries.
//!
//! The interpreter defines meaning: native code agrees with it or is not
//! made. A handler this module cannot compile is *declined* (with a
//! reason) and stays on the interpreter; [`Jit::declined`] lists them.
//!
//! One module per concern: `jit` sets up the JIT and owns the code,
//! `analysis` decides what a handler needs before any code is made,
//! `func` holds the per-function state (scopes of fault handling,
//! constants, calls), `ops` and `rows` emit the handler's steps and
//! row loops, `expr` the expressions.

mod analysis;
mod expr;
mod func;
mod jit;
mod ops;
mod rows;

use std::time::{Duration, Instant};

use fold_runtime::eval::interp::Prepared;
use fold_runtime::eval::native::NativeHandler;
use fold_runtime::plan::{HandlerId, Plan};

/// What to produce besides code.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Keep each function's Cranelift IR as text (`foldc emit clif`).
    pub clif: bool,
}

/// The result of compiling a plan's handlers.
pub struct Jit {
    /// Per prepared handler, in the same order: its native code, or `None`
    /// when it was declined.
    pub natives: Vec<Option<NativeHandler>>,
    /// Handlers left to the interpreter, with the reason.
    pub declined: Vec<(HandlerId, String)>,
    /// The Cranelift IR of each compiled handler (with [`Options::clif`]).
    pub clif: Vec<(HandlerId, String)>,
    /// Time spent generating and compiling code.
    pub elapsed: Duration,
}

impl Jit {
    /// Number of handlers compiled to native code.
    pub fn compiled(&self) -> usize {
        self.natives.iter().filter(|n| n.is_some()).count()
    }
}

/// Compile every prepared handler (see the module docs). `prepared` must
/// come from the store the code will run against (an engine's, or an
/// example run's): native code uses its index ids. Fails only when the
/// host has no JIT support; then everything stays interpreted.
pub fn compile(plan: &Plan, prepared: &[Prepared], opts: Options) -> Result<Jit, String> {
    let start = Instant::now();
    let mut jit = jit::JitModule::new()?;
    let mut declined = Vec::new();
    let mut clif = Vec::new();
    let mut done = Vec::new();
    for p in prepared {
        if let Err(why) = analysis::supported(p) {
            declined.push((p.handler, why));
            continue;
        }
        match jit.define(plan, p, opts.clif) {
            Ok(f) => {
                if let Some(text) = &f.clif {
                    clif.push((p.handler, header(plan, p, &f) + text));
                }
                done.push(f);
            }
            Err(why) => declined.push((p.handler, why)),
        }
    }
    let natives = jit.finish(prepared, done)?;
    Ok(Jit {
        natives,
        declined,
        clif,
        elapsed: start.elapsed(),
    })
}

/// What installing native code did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Handlers running as native code.
    pub native: usize,
    /// Handlers left to the interpreter, with the reason.
    pub declined: Vec<(HandlerId, String)>,
    /// Time spent generating and compiling code.
    pub elapsed: Duration,
}

/// Compile an engine's handlers and run them natively from now on.
pub fn install(engine: &mut fold_runtime::Engine) -> Result<Report, String> {
    let jit = compile(engine.plan(), engine.prepared(), Options::default())?;
    Ok(Report {
        declined: jit.declined,
        elapsed: jit.elapsed,
        native: engine.install_native(jit.natives),
    })
}

/// Compile an example run's handlers and run them natively from now on.
pub fn install_example(
    run: &mut fold_runtime::exec::examples::ExampleRun,
) -> Result<Report, String> {
    let jit = compile(run.plan(), run.prepared(), Options::default())?;
    Ok(Report {
        declined: jit.declined,
        elapsed: jit.elapsed,
        native: run.install_native(jit.natives),
    })
}

/// The Cranelift IR of every handler of a plan, for `foldc emit clif`:
/// one function per handler with a comment header naming it, its
/// constant table and the functions it calls.
pub fn emit_clif(plan: &Plan) -> Result<String, String> {
    let mut store = fold_runtime::store::Store::new(plan);
    let prepared = fold_runtime::eval::interp::prepare_all(plan, &mut store);
    let jit = compile(plan, &prepared, Options { clif: true })?;
    let mut out = String::new();
    for (_, text) in &jit.clif {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(text);
    }
    for (h, why) in &jit.declined {
        out.push_str(&format!(
            "\n; handler {} stays on the interpreter: {why}\n",
            h.0
        ));
    }
    Ok(out)
}

fn header(plan: &Plan, p: &Prepared, f: &jit::Defined) -> String {
    let h = plan.handler(p.handler);
    let mut out = format!(
        "; handler {}: rule {} position {} on {}\n",
        p.handler.0,
        plan.rule(h.rule).name,
        h.position,
        plan.category(h.trigger).name
    );
    for line in &f.notes {
        out.push_str("; ");
        out.push_str(line);
        out.push('\n');
    }
    out
}
