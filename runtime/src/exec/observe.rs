//! What a run shows to whoever keeps a record of it (the durable
//! database, [`crate::db`]): every fact that becomes current, with where
//! it came from, and every point where the engine's state is consistent.
//!
//! The engine is generic over the [`Observer`], so a run without a
//! database (`()`, which observes nothing) compiles to the same code as
//! before: the calls are empty and inlined away.

use crate::exec::base::BaseLog;
pub use crate::exec::origin::Origin;
use crate::exec::sched_state::SchedState;
use crate::exec::stats::Stats;
use crate::exec::timings::Timings;
use crate::plan::{CatId, Plan};
use crate::store::Store;

/// The engine's state between two rounds: consistent, so it can be saved
/// as a whole and a run can resume from it.
pub struct View<'a> {
    pub plan: &'a Plan,
    pub store: &'a Store,
    pub sched: &'a SchedState,
    pub stats: &'a Stats,
    pub timings: &'a Timings,
    pub base: &'a BaseLog,
    pub files: &'a [std::path::PathBuf],
}

/// Sees a run as it happens.
pub trait Observer {
    /// Whether the origins of input facts (file lines) are wanted; when
    /// false, CSV loading does not collect line numbers.
    const PROVENANCE: bool;

    /// Row `row` of `cat` became a current fact (new, or superseding an
    /// older one). Rows of a category are reported in row-id order.
    fn inserted(&mut self, cat: CatId, row: u32, origin: Origin);

    /// Every row of `cat` was dropped (its stratum is recomputed); rows
    /// are reported again from row 0.
    fn reset(&mut self, cat: CatId);

    /// A round ended: the state in `view` is consistent.
    fn round_end(&mut self, view: View<'_>) -> Result<(), String>;
}

/// Observes nothing (a run without a database).
impl Observer for () {
    const PROVENANCE: bool = false;

    #[inline(always)]
    fn inserted(&mut self, _: CatId, _: u32, _: Origin) {}

    #[inline(always)]
    fn reset(&mut self, _: CatId) {}

    #[inline(always)]
    fn round_end(&mut self, _: View<'_>) -> Result<(), String> {
        Ok(())
    }
}
