//! What running one event produces, whichever backend runs it: how far it
//! got ([`Outcome`]), what it found and faulted ([`EventOutcome`]), and the
//! reusable registers it runs in ([`Frame`]).

use crate::plan::builtin::Fault;
use crate::plan::Handler;
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
    /// How far the event got.
    pub outcome: Outcome,
    /// Some join matched a row (or, for a rule without joins, the event
    /// passed its data stage). `foldc test` uses it for near misses.
    pub loaded_friends: bool,
    /// Facts appended to the output.
    pub found: u32,
    /// Combinations (the event with one choice of friends) dropped by a
    /// run-time fault.
    pub faulted: u32,
    /// The event's first fault, if any.
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

/// How far an event got, from the flags either backend records.
pub(crate) fn outcome_of(
    searched: bool,
    first_fault: Option<Fault>,
    categorical: bool,
    passed_data: bool,
) -> Outcome {
    match first_fault {
        _ if searched => Outcome::Searched,
        Some(f) => Outcome::Fault(f),
        None if categorical => Outcome::Categorical,
        None if passed_data => Outcome::Friends,
        None => Outcome::Data,
    }
}

/// Registers and scratch space for running events, reused across events
/// (it grows to the largest handler it has served and then stays).
#[derive(Debug, Default)]
pub struct Frame {
    pub(crate) slots: Vec<Word>,
    pub(crate) scratch: Vec<Word>,
    pub(crate) caches: Vec<u32>,
    pub(crate) text: String,
    pub(crate) list: Vec<Word>,
}

impl Frame {
    /// An empty frame; it grows to fit each handler it runs.
    pub fn new() -> Frame {
        Frame::default()
    }

    /// Grow to fit `h`, as its plan states it (no-op once big enough).
    #[inline]
    pub(crate) fn fit(&mut self, h: &Handler) {
        if self.slots.len() < h.slots as usize {
            self.slots.resize(h.slots as usize, 0);
        }
        if self.scratch.len() < h.scratch as usize {
            self.scratch.resize(h.scratch as usize, 0);
        }
        if self.caches.len() < h.cache_slots as usize {
            self.caches.resize(h.cache_slots as usize, 0);
        }
    }

    /// The slot registers (after an event: the values it last held).
    pub fn slots(&self) -> &[Word] {
        &self.slots
    }
}
