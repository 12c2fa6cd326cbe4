//! The reference interpreter: what one event of a handler means.
//!
//! [`run`] binds the event's tuple into a frame, runs the handler's ops
//! (the plan's own, as lowering placed them) over a read-only store, and
//! appends the found facts to an output buffer. It allocates nothing per
//! event or per tuple once the [`Frame`] and the output buffer have grown
//! to size; a worker reuses both across the events of a chunk. Native code
//! replaces it per handler and must agree with it on every outcome.
//!
//! Found facts are appended to the output as `[cat, field words...]`. A
//! fault discards what the combination of facts it happened in found (see
//! `exec`); the event's other combinations keep theirs.

mod exec;
mod expr;

pub(crate) use exec::{run as run_in, Mode};

use super::{EventOutcome, Frame};
use crate::plan::builtin::Fault;
use crate::plan::Handler;
use crate::store::Store;
use crate::value::Word;

/// Run one event of `h` on the interpreter: `tuple` is the event fact,
/// `store` is read only, found facts are appended to `out`.
pub(crate) fn run(
    h: &Handler,
    store: &Store,
    tuple: &[Word],
    frame: &mut Frame,
    out: &mut Vec<Word>,
) -> EventOutcome {
    exec::run(h, store, tuple, frame, out, exec::Plain)
}

/// Evaluate a handler's priority for an event tuple: `Ok(None)` when the
/// tuple does not match the trigger atom or there is no priority.
pub(crate) fn priority(
    h: &Handler,
    store: &Store,
    tuple: &[Word],
    frame: &mut Frame,
) -> Result<Option<Word>, Fault> {
    let Some(priority) = &h.priority else {
        return Ok(None);
    };
    frame.fit(h);
    let mut sink = Vec::new();
    let mut ex = exec::Exec::new(store, frame, &mut sink);
    if !ex.bind_event(&h.bind, tuple)? {
        return Ok(None);
    }
    ex.eval(&priority.expr).map(Some)
}
