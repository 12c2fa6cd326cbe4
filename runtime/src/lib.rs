//! fold-runtime: everything that happens after compilation.
//!
//! The compiler hands over a [`plan::Plan`], the contract between the two:
//! it states every category, rule and handler with every physical choice
//! made (indexes, frame layout), and [`plan::verify`] checks it once. With
//! the plan comes the native code the compiler made of its handlers
//! ([`native::Natives`]; none runs everything on the reference
//! interpreter). The runtime knows nothing of fold's syntax.
//!
//! # The API
//!
//! - [`plan`]: the contract (with [`plan::builtin`], the shape of a
//!   standard-library function, and [`plan::print`] for `foldc emit plan`);
//! - [`value`]: values as words, their types, order, text forms and the
//!   interner of strings and lists;
//! - [`Engine`]: a plan's facts in memory, loaded ([`csv`]), run to the
//!   fixpoint ([`RunOptions`], [`RunSummary`]) and read back; every
//!   thread count gives the same result;
//! - [`db`]: a program's state kept in a database: a [`db::Session`] adds
//!   facts incrementally and checkpoints, a [`db::Snapshot`] reads one;
//! - [`merge`]: two databases of one program into one, as if one run had
//!   read both inputs;
//! - [`explain`]: why a database holds a fact; [`examples`]: a rule's
//!   in-program examples; [`stats`]: the lifecycle counters;
//! - [`native`]: the boundary native handlers are compiled against.
//!
//! # Inside
//!
//! `store` (relations and indexes), `eval` (the interpreter and native
//! dispatch, one event at a time), `exec` (the engine, the scheduler's
//! strata and rounds, what a run shows its observer), `io` (CSV, tables,
//! the progress line), `db` (segments, tables cache, records) and `merge`
//! (sides, replay, policy) are private to the crate.

#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![deny(missing_docs)]

pub mod db;
mod eval;
mod exec;
pub mod explain;
mod io;
pub mod merge;
pub mod plan;
mod store;
pub mod value;

// Inside the crate, `fold_runtime::...` names it too (the test support
// shared with the integration tests is written that way).
#[cfg(test)]
extern crate self as fold_runtime;

pub use eval::native;
pub use eval::{EventOutcome, Frame, Outcome};
pub use exec::engine::{Engine, LoadReport, LoadedFile, RunError, RunOptions, RunSummary};
pub use exec::{examples, stats, timings};

/// Reading input CSV and writing sorted output CSV.
pub mod csv {
    pub use crate::io::csv_in::{parse, read_file, CsvError};
    pub use crate::io::csv_out::{write_rows, OutputError};
}

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
