//! fold-runtime: everything that happens after compilation.
//!
//! The compiler hands over a [`plan::Plan`]; the runtime loads facts (CSV),
//! runs the plan's handlers to a fixpoint over the store, and writes results.
//! It knows nothing of fold's syntax and builds and tests on its own.
//!
//! The steps of a run, each in its own module:
//!
//! 1. [`engine::Engine::new`]: a [`store::Store`] with one relation per
//!    category, and every handler prepared ([`interp::prepare`]), which
//!    declares the indexes it reads;
//! 2. [`csv_in`]: inputs parsed completely, then inserted (all or nothing);
//! 3. [`scheduler`]: strata in order, each to a fixpoint in rounds; a
//!    round ([`round`]) runs pending events in parallel through the
//!    reference interpreter ([`interp::run_event`]) and inserts what they
//!    found serially, in a fixed order, so any thread count gives the same
//!    database and the same counters ([`stats`]);
//! 4. [`csv_out`]: current facts, sorted by value, one file per category.
//!
//! [`examples`] runs a rule's in-program examples; [`explain`] says why a
//! database holds a fact; [`plan_print`] renders
//! a plan for `foldc emit plan`.

#![deny(unsafe_code)]

pub mod db;
pub mod eval;
pub mod exec;
pub mod explain;
pub mod io;
pub mod merge;
pub mod plan;
pub mod store;
pub mod value;

pub use exec::engine::{Engine, LoadReport, LoadedFile, RunError, RunOptions, RunSummary};

/// The stack of every worker thread. The interpreter recurses over an
/// expression's depth, which the parser lets reach
/// `fold_grammar::MAX_NESTING`: rayon's default (2 MiB) runs out before
/// that, and a debug build needs more than 16 MiB there. Address space
/// only: untouched pages cost nothing.
pub const WORKER_STACK_BYTES: usize = 64 << 20;

/// Give rayon's global pool (used outside a run's own pool, as by a
/// merge's replay) worker stacks of [`WORKER_STACK_BYTES`]. Call before
/// anything uses the pool; later calls change nothing.
pub fn init_global_pool() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
}
