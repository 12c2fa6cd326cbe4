//! Cranelift codegen: lifecycle handlers as native code.
//!
//! [`compile`] turns every handler of a plan into one machine
//! function following the runtime's native ABI ([`fold_runtime::native`]):
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

use fold_runtime::native::Natives;
use fold_runtime::plan::{Handler, HandlerId, Plan};

/// What to produce besides code.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Keep each function's Cranelift IR as text (`foldc emit clif`).
    pub clif: bool,
}

/// The result of compiling a plan's handlers.
pub struct Jit {
    /// The native code of every handler that compiled, by handler id:
    /// what the runtime's engine takes with the plan.
    pub natives: Natives,
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
        self.natives.count()
    }

    /// Nothing compiled: every handler runs on the interpreter (`why`
    /// names the reason for each).
    pub fn interpreted(plan: &Plan, why: &str) -> Jit {
        Jit {
            natives: Natives::none(),
            declined: (0..plan.handlers.len())
                .map(|h| (HandlerId(h as u32), why.to_string()))
                .collect(),
            clif: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }
}

/// Native code for `plan`'s handlers, or (when the host has no JIT
/// support) none, every handler declined with the reason: what a run, a
/// merge or a cluster worker installs in its engine.
pub fn compile_or_interpret(plan: &Plan, opts: Options) -> Jit {
    compile(plan, opts).unwrap_or_else(|why| Jit::interpreted(plan, &why))
}

/// Compile every handler of a plan (see the module docs). Needs nothing
/// but the plan: the code uses the index ids, cache slots and frame sizes
/// the plan states, so it runs in any engine made from the same plan.
/// Fails only when the host has no JIT support; then everything stays
/// interpreted.
pub fn compile(plan: &Plan, opts: Options) -> Result<Jit, String> {
    let start = Instant::now();
    let mut jit = jit::JitModule::new()?;
    let mut declined = Vec::new();
    let mut clif = Vec::new();
    let mut done = Vec::new();
    for (h, handler) in plan.handlers.iter().enumerate() {
        let id = HandlerId(h as u32);
        if let Err(why) = analysis::supported(handler) {
            declined.push((id, why));
            continue;
        }
        match jit.define(plan, id, handler, opts.clif) {
            Ok(f) => {
                if let Some(text) = &f.clif {
                    clif.push((id, header(plan, id, handler, &f) + text));
                }
                done.push(f);
            }
            Err(why) => declined.push((id, why)),
        }
    }
    let natives = jit.finish(done)?;
    Ok(Jit {
        natives,
        declined,
        clif,
        elapsed: start.elapsed(),
    })
}

/// The Cranelift IR of every handler of a plan, for `foldc emit clif`:
/// one function per handler with a comment header naming it, its
/// constant table and the functions it calls.
pub fn emit_clif(plan: &Plan) -> Result<String, String> {
    let jit = compile(plan, Options { clif: true })?;
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

fn header(plan: &Plan, id: HandlerId, h: &Handler, f: &jit::Defined) -> String {
    let mut out = format!(
        "; handler {}: rule {} position {} on {}\n",
        id.0,
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
