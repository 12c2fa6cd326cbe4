//! Running a plan to its fixpoint: the engine, the scheduler's strata and
//! rounds, the counters, what a run shows to its observer (the database),
//! and which strata a later run must recompute.

pub mod base;
pub mod budget;
pub mod engine;
pub mod examples;
pub mod invalidate;
pub mod observe;
pub mod origin;
pub mod round;
pub mod rows;
pub mod sched_state;
pub mod scheduler;
pub mod stats;
pub mod timings;
