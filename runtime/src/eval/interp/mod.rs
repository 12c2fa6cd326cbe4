//! The reference interpreter: what one event of a handler means.
//!
//! [`run_event`] is the single per-event entry point: bind the event's
//! tuple into a frame, run the handler's ops over a read-only store, and
//! append the found facts to an output buffer. It allocates nothing per
//! event or per tuple once the [`Frame`] and the output buffer have grown
//! to size; a worker reuses both across the events of a chunk. Native code
//! (the JIT, later) replaces this function per handler and must agree with
//! it on every outcome.
//!
//! Found facts are appended to the output as `[cat, field words...]`. A
//! fault discards what the combination of facts it happened in found (see
//! `exec`); the event's other combinations keep theirs.

mod exec;
mod expr;
mod prepare;

pub use prepare::{expr_type, prepare, prepare_all, Key, POp, Prepared, Source};

pub(crate) use exec::{outcome_of, run as run_event_in, Mode};
pub(crate) use expr::{concat_list, concat_str, slice};

use crate::plan::builtin::Fault;
use crate::store::Store;
use crate::value::Word;

/// How far an event got (exactly one per event, for the counters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The friend index had no row for the join key.
    Categorical,
    /// Stopped in the data stage (an abort, or the event tuple did not
    /// match the atom's constants/repeated variables).
    Data,
    /// Passed the data stage but never reached the search.
    Friends,
    /// Run-time faults ended every combination that got anywhere: no
    /// search completed.
    Fault(Fault),
    /// Completed the search at least once.
    Searched,
}

/// The result of one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventOutcome {
    pub outcome: Outcome,
    /// Some join matched a row (or, for a rule without joins, the event
    /// passed its data stage). `foldc test` uses it for near misses.
    pub loaded_friends: bool,
    /// Facts appended to the output.
    pub found: u32,
    /// Combinations dropped by a run-time fault, and the first such fault.
    pub faulted: u32,
    pub fault: Option<Fault>,
}

impl EventOutcome {
    /// An event that ended before running its handler's ops (e.g. its
    /// priority could not be computed); a fault counts as one combination.
    pub fn ended(outcome: Outcome, fault: Option<Fault>) -> EventOutcome {
        EventOutcome {
            outcome,
            loaded_friends: false,
            found: 0,
            faulted: u32::from(fault.is_some()),
            fault,
        }
    }
}

/// Registers and scratch space for running events, reused across events
/// (it grows to the largest handler it has served and then stays).
#[derive(Debug, Default)]
pub struct Frame {
    pub(crate) slots: Vec<Word>,
    pub(crate) scratch: Vec<Word>,
    pub(crate) hits: Vec<u32>,
    pub(crate) text: String,
    pub(crate) list: Vec<Word>,
}

impl Frame {
    pub fn new() -> Frame {
        Frame::default()
    }

    /// Grow to fit `p` (no-op once big enough).
    #[inline]
    fn fit(&mut self, p: &Prepared) {
        if self.slots.len() < p.slots {
            self.slots.resize(p.slots, 0);
        }
        if self.scratch.len() < p.scratch {
            self.scratch.resize(p.scratch, 0);
        }
        if self.hits.len() < p.hits {
            self.hits.resize(p.hits, 0);
        }
    }

    /// The slot registers (after an event: the values it last held).
    pub fn slots(&self) -> &[Word] {
        &self.slots
    }
}

/// Run one event of a prepared handler: `tuple` is the event fact, `store`
/// is read only, found facts are appended to `out`.
pub fn run_event(
    p: &Prepared,
    store: &Store,
    tuple: &[Word],
    frame: &mut Frame,
    out: &mut Vec<Word>,
) -> EventOutcome {
    if let Some(n) = &p.native {
        if let Some(o) = crate::eval::native::run_event(n, p, store, tuple, frame, out) {
            return o;
        }
    }
    exec::run(p, store, tuple, frame, out, exec::Plain)
}

/// Evaluate a handler's priority for an event tuple: `Ok(None)` when the
/// tuple does not match the trigger atom or there is no priority.
pub fn eval_priority(
    p: &Prepared,
    store: &Store,
    tuple: &[Word],
    frame: &mut Frame,
) -> Result<Option<Word>, Fault> {
    let Some((expr, _)) = &p.priority else {
        return Ok(None);
    };
    frame.fit(p);
    let mut sink = Vec::new();
    let mut ex = exec::Exec::new(store, frame, &mut sink);
    if !ex.bind_event(&p.bind, tuple)? {
        return Ok(None);
    }
    ex.eval(expr).map(Some)
}
