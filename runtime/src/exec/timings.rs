//! Where a run's time went: per handler (evaluating its events and
//! inserting what they found, summed over threads) and per stratum (wall
//! time of its rounds, checkpoints excluded). Kept beside the counters,
//! not in them: counters are the same for every thread count and every
//! resumption, times never are.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::plan::Plan;

/// Nanoseconds, cumulative over every run of an engine (and of a
/// database: saved with its checkpoints).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// Indexed by handler id: time in its events, over all threads.
    pub handlers: Vec<u64>,
    /// Indexed by stratum: wall time of its rounds.
    pub strata: Vec<u64>,
}

impl Timings {
    /// All zero, one per handler and stratum of `plan`.
    pub(crate) fn new(plan: &Plan) -> Timings {
        Timings {
            handlers: vec![0; plan.handlers.len()],
            strata: vec![0; plan.strata.len()],
        }
    }

    /// Whether these fit `plan` (a database written before foldc kept
    /// timings has none).
    pub fn fits(&self, plan: &Plan) -> bool {
        self.handlers.len() == plan.handlers.len() && self.strata.len() == plan.strata.len()
    }
}

/// `d` in whole nanoseconds, saturating (584 years).
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
