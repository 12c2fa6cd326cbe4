//! fold-runtime: everything that happens after compilation.
//!
//! The compiler hands over a [`plan::Plan`]; the runtime loads facts (CSV),
//! runs the plan's handlers to a fixpoint over the store, and writes results.
//! It knows nothing of fold's syntax and builds and tests on its own.

pub mod builtin;
pub mod intern;
pub mod plan;
pub mod value;
