//! The benchmark workloads: one module each, holding the fold program and the
//! same program written for every peer engine.
//!
//! Every relation in every workload is binary, so facts are `(i64, i64)` pairs:
//! fold stores `int` as an i64 word, and all peers are given the same i64 tuples
//! (none of them is narrowed to u32, which would halve their memory).

use std::time::{Duration, Instant};

use crate::engine::Engine;

mod csda;
mod cspa;
mod sg;
mod tc;

/// One fact of a binary relation.
pub type Pair = (i64, i64);

/// The facts of one relation, in no particular order.
pub type Rel = Vec<Pair>;

/// Runs one peer engine on the input relations (in `Spec::inputs` order) and
/// returns the output relations (in `Spec::outputs` order).
pub type RunFn = fn(Engine, Vec<Rel>, &mut Stopwatch) -> Vec<Rel>;

/// An output category: its name (the CSV file is `NAME.csv`) and CSV header.
pub struct Output {
    pub name: &'static str,
    pub header: &'static str,
}

/// Everything the harness knows about one workload.
pub struct Spec {
    pub name: &'static str,
    /// The fold program, in Datalog form; input files are `CAT.csv` beside it.
    pub program: &'static str,
    /// Input categories; each is read from `CAT.csv` (header row, then pairs).
    pub inputs: &'static [&'static str],
    pub outputs: &'static [Output],
    /// The peer engines that have an implementation of this workload.
    pub peers: &'static [Engine],
    pub run: RunFn,
}

impl Spec {
    pub fn supports(&self, engine: Engine) -> bool {
        engine == Engine::Foldc || self.peers.contains(&engine)
    }
}

pub const ALL: [&Spec; 4] = [&tc::SPEC, &sg::SPEC, &cspa::SPEC, &csda::SPEC];

pub fn by_name(name: &str) -> Option<&'static Spec> {
    ALL.into_iter().find(|s| s.name == name)
}

/// Measures evaluation only: started by the caller right before the engine
/// gets its inputs, stopped by the engine code as soon as the fixpoint is
/// reached (before results are copied out, sorted or written).
pub struct Stopwatch {
    start: Instant,
    stopped: Option<Duration>,
}

impl Stopwatch {
    pub fn start() -> Self {
        Stopwatch {
            start: Instant::now(),
            stopped: None,
        }
    }

    pub fn stop(&mut self) {
        if self.stopped.is_none() {
            self.stopped = Some(self.start.elapsed());
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.stopped.unwrap_or_else(|| self.start.elapsed())
    }
}

/// Splits the input relations into a fixed-size array (the order is the spec's).
pub fn inputs<const N: usize>(rels: Vec<Rel>) -> [Rel; N] {
    let got = rels.len();
    rels.try_into()
        .unwrap_or_else(|_| panic!("expected {N} input relations, got {got}"))
}

/// Leaves an engine's state allocated: the child process exits right after
/// writing its results, so freeing millions of index entries would only add
/// teardown time that no one-shot program pays on purpose.
pub fn leak<T>(state: T) {
    std::mem::forget(state);
}
