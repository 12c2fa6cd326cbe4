//! Deterministic fault injection for the fault tests: `FOLD_FAULT=POINT`
//! or `FOLD_FAULT=POINT:COUNT` aborts the process (as `kill -9` would end
//! it: no destructors, no flush) the COUNT-th time (default: the first)
//! it reaches the named point. The points are the moments between two
//! durable steps, where a crash is the hardest to recover from:
//!
//! - `worker.after-fetch`: a batch is fetched and run into the local
//!   database, nothing uploaded;
//! - `worker.after-upload`: the database is uploaded, no event published;
//! - `worker.after-publish`: the event is published, the chunks not acked;
//! - `merge.mid`: both databases downloaded and being merged;
//! - `merge.after-publish`: the merged database's event published, the
//!   task not acked;
//! - `collect.after-task`: a merge task published, the state not saved;
//! - `collect.after-state`: the state saved, the database event not acked.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The environment variable naming the fault point.
pub const FAULT_ENV: &str = "FOLD_FAULT";

/// Every point, for tests and documentation.
pub const POINTS: &[&str] = &[
    "worker.after-fetch",
    "worker.after-upload",
    "worker.after-publish",
    "merge.mid",
    "merge.after-publish",
    "collect.after-task",
    "collect.after-state",
];

static ARMED: OnceLock<Option<(String, u64)>> = OnceLock::new();
static REACHED: AtomicU64 = AtomicU64::new(0);

fn armed() -> &'static Option<(String, u64)> {
    ARMED.get_or_init(|| {
        let spec = std::env::var(FAULT_ENV).ok()?;
        let (point, count) = match spec.split_once(':') {
            Some((p, c)) => (p.to_string(), c.trim().parse().unwrap_or(1)),
            None => (spec.clone(), 1),
        };
        Some((point, count.max(1)))
    })
}

/// Abort the process here if `FOLD_FAULT` names `point` and this is the
/// time it counts.
pub fn point(point: &str) {
    if let Some((armed, count)) = armed() {
        if armed == point && REACHED.fetch_add(1, Ordering::SeqCst) + 1 == *count {
            eprintln!("fault injected at `{point}` ({FAULT_ENV}): aborting");
            std::process::abort();
        }
    }
}
