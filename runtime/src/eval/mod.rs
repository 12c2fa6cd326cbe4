//! Evaluating one event of a handler: the reference interpreter
//! ([`interp`]), which defines what a handler means, and the native
//! boundary ([`native`]), through which JIT-compiled handlers run and must
//! agree with it. [`Code`] is a plan's handlers together with whatever
//! native code was compiled for them; [`Code::run_event`] picks the
//! backend per handler.

mod event;
pub(crate) mod interp;
pub mod native;
mod values;

pub use event::{EventOutcome, Frame, Outcome};
pub(crate) use native::Natives;

use crate::plan::builtin::Fault;
use crate::plan::{Handler, HandlerId, Plan};
use crate::store::Store;
use crate::value::Word;

/// A plan's handlers and their native code: what runs events.
#[derive(Clone, Copy)]
pub(crate) struct Code<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) natives: &'a Natives,
}

impl<'a> Code<'a> {
    pub(crate) fn new(plan: &'a Plan, natives: &'a Natives) -> Self {
        Code { plan, natives }
    }

    #[inline]
    pub(crate) fn handler(&self, h: usize) -> &'a Handler {
        &self.plan.handlers[h]
    }

    /// Run one event of handler `h`: native code when it was compiled,
    /// else the interpreter (which also decides any event native code
    /// hands back). `tuple` is the event fact, found facts are appended to
    /// `out`.
    #[inline]
    pub(crate) fn run_event(
        &self,
        h: usize,
        store: &Store,
        tuple: &[Word],
        frame: &mut Frame,
        out: &mut Vec<Word>,
    ) -> EventOutcome {
        let handler = self.handler(h);
        if let Some(n) = self.natives.get(HandlerId(h as u32)) {
            if let Some(o) = native::run_event(n, handler, store, tuple, frame, out) {
                return o;
            }
        }
        interp::run(handler, store, tuple, frame, out)
    }

    /// The priority of an event of handler `h` (see [`interp::priority`]).
    pub(crate) fn priority(
        &self,
        h: usize,
        store: &Store,
        tuple: &[Word],
        frame: &mut Frame,
    ) -> Result<Option<Word>, Fault> {
        interp::priority(self.handler(h), store, tuple, frame)
    }
}
