//! Where every handler stands between runs: its watermark, its queue of
//! prioritized events, each category's generation and each stratum's
//! basis. The scheduler advances it; the durable database saves and
//! restores it; the observer sees it at every consistent point.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::exec::invalidate::{Reason, Seen};
use crate::plan::{CatId, HandlerId, Plan};
use crate::store::Store;
use crate::value::{from_float, from_int, to_float, to_int, Word};

/// A priority value: int or float (a handler's priority has one type).
#[derive(Clone, Copy, Debug)]
pub enum PrioKey {
    Int(i64),
    Float(f64),
}

impl PrioKey {
    /// A priority value from its word (`float`: the priority's type).
    pub fn of(word: Word, float: bool) -> PrioKey {
        if float {
            PrioKey::Float(to_float(word))
        } else {
            PrioKey::Int(to_int(word))
        }
    }

    /// The value's word.
    pub fn word(self) -> Word {
        match self {
            PrioKey::Int(v) => from_int(v),
            PrioKey::Float(v) => from_float(v),
        }
    }
}

impl Ord for PrioKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PrioKey::Int(a), PrioKey::Int(b)) => a.cmp(b),
            (PrioKey::Float(a), PrioKey::Float(b)) => a.total_cmp(b),
            (PrioKey::Int(a), PrioKey::Float(b)) => (*a as f64).total_cmp(b).then(Ordering::Less),
            (PrioKey::Float(a), PrioKey::Int(b)) => {
                a.total_cmp(&(*b as f64)).then(Ordering::Greater)
            }
        }
    }
}
impl PartialOrd for PrioKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for PrioKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for PrioKey {}

/// Where every handler stands: the part of a run that a durable database
/// saves to resume later.
#[derive(Debug, Default)]
pub struct SchedState {
    /// Per handler: trigger rows below this were scheduled (run, queued,
    /// or skipped).
    pub watermarks: Vec<u32>,
    /// Per prioritized handler: queued `(priority, row)`.
    pub(super) queues: Vec<BinaryHeap<Reverse<(PrioKey, u32)>>>,
    /// Per category: how many times it was reset (its stratum recomputed).
    pub generation: Vec<u32>,
    /// Per stratum: what it saw of the categories it reads when it last
    /// started ([`invalidate::reads`] order); `None`: it never started.
    pub basis: Vec<Option<Vec<Seen>>>,
}

/// A stratum recomputed by a run, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recomputed {
    pub stratum: usize,
    pub reason: Reason,
}

impl SchedState {
    pub fn new(plan: &Plan) -> SchedState {
        SchedState {
            watermarks: vec![0; plan.handlers.len()],
            queues: (0..plan.handlers.len())
                .map(|_| BinaryHeap::new())
                .collect(),
            generation: vec![0; plan.categories.len()],
            basis: vec![None; plan.strata.len()],
        }
    }

    /// The queued events of handler `h`, in the order they will run.
    pub fn queue(&self, h: usize) -> Vec<(PrioKey, u32)> {
        let mut q: Vec<(PrioKey, u32)> = self.queues[h].iter().map(|Reverse(e)| *e).collect();
        q.sort_unstable();
        q
    }

    /// Replace the queued events of handler `h` (a database resuming).
    pub fn set_queue(&mut self, h: usize, events: impl IntoIterator<Item = (PrioKey, u32)>) {
        self.queues[h] = events.into_iter().map(Reverse).collect();
    }

    /// Forget every event of these handlers: they start again from row 0.
    pub(super) fn restart(&mut self, handlers: &[HandlerId]) {
        for h in handlers {
            self.watermarks[h.index()] = 0;
            self.queues[h.index()].clear();
        }
    }

    /// Events not yet run for handler `h`.
    pub fn pending(&self, store: &Store, h: HandlerId, trigger: CatId) -> usize {
        let h = h.index();
        let len = store.relation(trigger).len();
        len.saturating_sub(self.watermarks[h] as usize) + self.queues[h].len()
    }
}
