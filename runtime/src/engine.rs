//! The public face of the runtime for the CLI: an [`Engine`] holds a plan,
//! its store, where every handler stands, and the counters.
//!
//! ```text
//! let mut engine = Engine::new(plan);
//! engine.load_plan_inputs()?;      // all files parsed before any insert
//! engine.insert_program_facts();
//! engine.run(&RunOptions::default())?;
//! engine.write_outputs(dir, &plan.outputs)?;
//! ```
//!
//! The store stays separate from persistence: a durable database can save
//! the rows (in row-id order), the [`SchedState`] watermarks and the
//! counters, and a later run resumes from them; the insert hook of
//! [`crate::round::insert`] sees the provenance (handler, event row) of
//! every found fact.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::csv_in::{self, CsvError};
use crate::csv_out::{self, OutputError};
use crate::interp::{prepare_all, Prepared};
use crate::plan::{CatId, Plan};
use crate::progress::Progress;
use crate::scheduler::{self, SchedState};
use crate::stats::Stats;
use crate::store::{Inserted, Store};
use crate::value::Word;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads; 0: one per core.
    pub threads: usize,
    /// No progress line.
    pub quiet: bool,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub threads: usize,
    pub rounds: u64,
    pub events: u64,
    pub found_new: u64,
    pub faults: u64,
    pub elapsed: Duration,
}

/// Why a run could not start.
#[derive(Debug)]
pub enum RunError {
    ThreadPool(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::ThreadPool(e) => write!(f, "cannot start worker threads: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// One loaded input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedFile {
    pub cat: CatId,
    pub path: PathBuf,
    /// Records read.
    pub rows: usize,
    /// Records that became current facts.
    pub new: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub files: Vec<LoadedFile>,
}

pub struct Engine {
    plan: Arc<Plan>,
    store: Store,
    prepared: Vec<Prepared>,
    sched: SchedState,
    stats: Stats,
}

impl Engine {
    /// A fresh engine with an empty store.
    pub fn new(plan: Arc<Plan>) -> Engine {
        let mut store = Store::new(&plan);
        let prepared = prepare_all(&plan, &mut store);
        Engine {
            sched: SchedState::new(&plan),
            stats: Stats::new(&plan),
            plan,
            store,
            prepared,
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    pub fn sched_state(&self) -> &SchedState {
        &self.sched
    }
    pub fn prepared(&self) -> &[Prepared] {
        &self.prepared
    }

    /// Load CSV files, all or nothing: every file is parsed completely
    /// before anything is inserted; the first error leaves the store as
    /// it was.
    pub fn load_inputs(&mut self, inputs: &[(CatId, PathBuf)]) -> Result<LoadReport, CsvError> {
        let mut parsed = Vec::with_capacity(inputs.len());
        for (cat, path) in inputs {
            parsed.push(csv_in::read_file(path, self.plan.category(*cat))?);
        }
        let mut report = LoadReport::default();
        for ((cat, path), rows) in inputs.iter().zip(parsed) {
            let rel = self.store.relation_mut(*cat);
            let arity = rel.arity();
            let mut file = LoadedFile {
                cat: *cat,
                path: path.clone(),
                rows: 0,
                new: 0,
            };
            if arity == 0 {
                // Zero-field facts: a file can only say "it holds".
                file.rows = usize::from(!rows.is_empty());
            } else {
                for tuple in rows.chunks_exact(arity) {
                    file.rows += 1;
                    file.new += usize::from(rel.insert(tuple).row().is_some());
                }
            }
            report.files.push(file);
        }
        Ok(report)
    }

    /// Load the plan's own `input` declarations.
    pub fn load_plan_inputs(&mut self) -> Result<LoadReport, CsvError> {
        let inputs: Vec<(CatId, PathBuf)> = self
            .plan
            .inputs
            .iter()
            .map(|i| (i.cat, i.path.clone()))
            .collect();
        self.load_inputs(&inputs)
    }

    /// Insert the facts written in the program; returns how many were new.
    pub fn insert_program_facts(&mut self) -> usize {
        let plan = Arc::clone(&self.plan);
        plan.facts
            .iter()
            .filter(|f| self.insert(f.cat, &f.tuple).row().is_some())
            .count()
    }

    /// Insert one fact (it becomes an event of the next run). A tuple of
    /// the wrong arity is refused as `Known`.
    pub fn insert(&mut self, cat: CatId, tuple: &[Word]) -> Inserted {
        let rel = self.store.relation_mut(cat);
        if tuple.len() != rel.arity() {
            return Inserted::Known;
        }
        rel.insert(tuple)
    }

    /// Run every stratum to its fixpoint.
    pub fn run(&mut self, opts: &RunOptions) -> Result<RunSummary, RunError> {
        let start = Instant::now();
        let before = self.stats.total();
        let rounds_before: u64 = self.stats.strata.iter().map(|s| s.rounds).sum();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()
            .map_err(|e| RunError::ThreadPool(e.to_string()))?;
        let mut progress = Progress::new(opts.quiet);
        let Engine {
            plan,
            store,
            prepared,
            sched,
            stats,
        } = self;
        pool.install(|| scheduler::run_strata(plan, prepared, store, sched, stats, &mut progress));
        progress.finish();
        let after = self.stats.total();
        Ok(RunSummary {
            threads: pool.current_num_threads(),
            rounds: self.stats.strata.iter().map(|s| s.rounds).sum::<u64>() - rounds_before,
            events: after.events - before.events,
            found_new: after.found_new - before.found_new,
            faults: after.faults - before.faults,
            elapsed: start.elapsed(),
        })
    }

    /// Write `DIR/CAT.csv` for each category (sorted); returns the paths.
    pub fn write_outputs(&self, dir: &Path, cats: &[CatId]) -> Result<Vec<PathBuf>, OutputError> {
        cats.iter()
            .map(|&cat| {
                let fields: Vec<String> = self
                    .plan
                    .category(cat)
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .collect();
                csv_out::write_relation(dir, self.store.relation(cat), &fields)
            })
            .collect()
    }

    /// The current facts of `cat`, sorted by value order.
    pub fn facts(&self, cat: CatId) -> Vec<Vec<Word>> {
        let rel = self.store.relation(cat);
        csv_out::sorted_rows(rel)
            .into_iter()
            .map(|r| rel.row(r).to_vec())
            .collect()
    }

    /// Number of current facts of `cat`.
    pub fn count(&self, cat: CatId) -> usize {
        self.store.relation(cat).live_len()
    }
}
