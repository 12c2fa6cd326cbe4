//! Running a rule's in-program examples (`foldc test`) and timing its
//! handlers on them (`foldc bench`).
//!
//! An example is a fresh store holding exactly the given facts; every
//! handler of the example's rules (one lifecycle rule, or the Datalog
//! rules that find a category) fires once on every given fact of its
//! trigger category, all against that store (one round, no recursion:
//! found facts are collected, not inserted).

use std::time::{Duration, Instant};

use crate::eval::{Code, EventOutcome, Frame, Natives};
use crate::exec::stats::HandlerStats;
use crate::plan::builtin::Fault;
use crate::plan::{CatId, Example, HandlerId, Plan};
use crate::store::Store;
use crate::value::{compare_tuples, Type, Word};

/// A found or expected fact.
pub type Fact = (CatId, Vec<Word>);

/// What an example's events did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleResult {
    /// Found facts, deduplicated, sorted by [`sort_facts`].
    pub found: Vec<Fact>,
    /// Some event loaded friends (got a join row, or passed the data stage
    /// of a rule without joins): what a near miss needs.
    pub loaded_friends: bool,
    /// Faults, in event order.
    pub faults: Vec<Fault>,
    /// Counters per handler of the rules, in order.
    pub stats: Vec<(HandlerId, HandlerStats)>,
}

/// Sort facts by category id, then by value order; remove duplicates.
pub fn sort_facts(plan: &Plan, facts: &mut Vec<Fact>) {
    let types: Vec<Vec<Type>> = plan.categories.iter().map(|c| c.types()).collect();
    facts.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| compare_tuples(&types[a.0.index()], &a.1, &b.1))
    });
    facts.dedup();
}

/// A store holding exactly an example's given facts, and the rules'
/// handlers. Reusable: [`ExampleRun::run`] checks the example,
/// [`ExampleRun::time`] times one handler on it.
pub struct ExampleRun<'p> {
    plan: &'p Plan,
    natives: &'p Natives,
    store: Store,
    handlers: Vec<HandlerId>,
}

impl<'p> ExampleRun<'p> {
    /// The example's store, its handlers running as `natives` where they
    /// have native code (compiled from `plan`, which must be verified:
    /// see [`crate::plan::verify`]).
    pub fn new(plan: &'p Plan, natives: &'p Natives, example: &Example) -> ExampleRun<'p> {
        let mut store = Store::new(plan);
        let handlers: Vec<HandlerId> = example
            .rules
            .iter()
            .flat_map(|&r| plan.rule(r).handlers.iter().copied())
            .collect();
        for fact in &example.given {
            let rel = store.relation_mut(fact.cat);
            if fact.tuple.len() == rel.arity() {
                rel.insert(&fact.tuple);
            }
        }
        store.catch_up_all();
        ExampleRun {
            plan,
            natives,
            store,
            handlers,
        }
    }

    /// The example's handlers, in order.
    pub fn handlers(&self) -> impl Iterator<Item = HandlerId> + '_ {
        self.handlers.iter().copied()
    }

    /// The example's store: exactly its given facts, indexes caught up.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many events `handler` has in the example (current facts of
    /// its trigger; 0 when it is not one of the example's handlers).
    pub fn events(&self, handler: HandlerId) -> usize {
        if !self.handlers.contains(&handler) {
            return 0;
        }
        let trigger = self.plan.handler(handler).trigger;
        self.store.relation(trigger).live_len()
    }

    /// Run one event of `handler` (native code when it has any) on `tuple`
    /// against the example's store, appending what it finds to `out`.
    pub fn run_event(
        &self,
        handler: HandlerId,
        tuple: &[Word],
        frame: &mut Frame,
        out: &mut Vec<Word>,
    ) -> EventOutcome {
        Code::new(self.plan, self.natives).run_event(
            handler.index(),
            &self.store,
            tuple,
            frame,
            out,
        )
    }

    /// Fire every handler once on every current given fact of its trigger.
    pub fn run(&self) -> ExampleResult {
        let mut frame = Frame::new();
        let mut out = Vec::new();
        let mut result = ExampleResult {
            found: Vec::new(),
            loaded_friends: false,
            faults: Vec::new(),
            stats: Vec::new(),
        };
        let code = Code::new(self.plan, self.natives);
        for &h in &self.handlers {
            let rel = self.store.relation(self.plan.handler(h).trigger);
            let mut stats = HandlerStats::default();
            for r in rel.live_rows() {
                out.clear();
                let o = code.run_event(h.index(), &self.store, rel.row(r), &mut frame, &mut out);
                stats.count(&o);
                result.loaded_friends |= o.loaded_friends;
                if let Some(f) = o.fault {
                    result.faults.push(f);
                }
                let mut i = 0;
                while i < out.len() {
                    let cat = CatId(out[i] as u32);
                    let n = self.store.relation(cat).arity();
                    result.found.push((cat, out[i + 1..i + 1 + n].to_vec()));
                    i += 1 + n;
                }
            }
            result.stats.push((h, stats));
        }
        sort_facts(self.plan, &mut result.found);
        result
    }

    /// Time `handler` on the example: every event of its trigger, repeated
    /// `iterations` times; returns the mean time per event (None when the
    /// handler is not the example's or has no event in the example).
    pub fn time(&self, handler: HandlerId, iterations: u32) -> Option<Duration> {
        if !self.handlers.contains(&handler) {
            return None;
        }
        let rel = self.store.relation(self.plan.handler(handler).trigger);
        let code = Code::new(self.plan, self.natives);
        let rows: Vec<u32> = rel.live_rows().collect();
        if rows.is_empty() || iterations == 0 {
            return None;
        }
        let mut frame = Frame::new();
        let mut out = Vec::new();
        let start = Instant::now();
        for _ in 0..iterations {
            for &r in &rows {
                out.clear();
                let o = code.run_event(
                    handler.index(),
                    &self.store,
                    rel.row(r),
                    &mut frame,
                    &mut out,
                );
                std::hint::black_box(o);
            }
        }
        Some(start.elapsed() / (iterations * rows.len() as u32))
    }
}

/// Run one example (see [`ExampleRun::run`]).
pub fn run_example(plan: &Plan, natives: &Natives, example: &Example) -> ExampleResult {
    ExampleRun::new(plan, natives, example).run()
}

/// The expected facts of an example, sorted like [`ExampleResult::found`].
pub fn expected_facts(plan: &Plan, example: &Example) -> Vec<Fact> {
    let mut facts: Vec<Fact> = example
        .expected
        .iter()
        .map(|f| (f.cat, f.tuple.clone()))
        .collect();
    sort_facts(plan, &mut facts);
    facts
}
