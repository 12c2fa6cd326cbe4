//! The public face of the runtime for the CLI: an [`Engine`] holds a plan,
//! its store, where every handler stands, and the counters.
//!
//! ```text
//! let mut engine = Engine::new(plan, natives)?;   // the plan is verified
//! engine.load_plan_inputs()?;      // all files parsed before any insert
//! engine.insert_program_facts();
//! engine.run(&RunOptions::default())?;
//! engine.write_outputs(dir, &plan.outputs)?;
//! ```
//!
//! The store stays separate from persistence: the `*_observed` variants
//! report every new fact with its [`Origin`] and every consistent point
//! between rounds to an [`Observer`] (the durable database,
//! [`crate::db`], which saves rows in row-id order, the [`SchedState`] and
//! the counters; a later run resumes from them through
//! [`Engine::parts_mut`]). The plain variants observe nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::eval::Natives;
use crate::exec::base::BaseLog;
use crate::exec::observe::{Observer, View};
use crate::exec::origin::Origin;
use crate::exec::sched_state::{Recomputed, SchedState};
use crate::exec::scheduler::{self, Ctx, Incremental, Policy};
use crate::exec::stats::Stats;
use crate::exec::timings::Timings;
use crate::io::csv_in::{self, CsvError};
use crate::io::csv_out::{self, OutputError};
use crate::io::progress::{Progress, Step};
use crate::plan::{verify, CatId, Plan, VerifyError};
use crate::store::{Inserted, Store};
use crate::value::Word;

/// Outputs with at least this many rows show a line while written.
const BIG_OUTPUT: usize = 1 << 20;

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
    /// Worker threads the run used (the pool's actual size).
    pub threads: usize,
    /// Rounds run, over every stratum.
    pub rounds: u64,
    /// Events run.
    pub events: u64,
    /// Found facts that became current facts.
    pub found_new: u64,
    /// Combinations of facts dropped by run-time faults.
    pub faults: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Strata recomputed instead of extended (see [`crate::exec::invalidate`]).
    pub recomputed: Vec<Recomputed>,
}

/// Why a run could not start, or stopped.
#[derive(Debug)]
pub enum RunError {
    /// The worker thread pool could not be built (the reason).
    ThreadPool(String),
    /// The observer failed (the database could not be written).
    Observer(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::ThreadPool(e) => write!(f, "cannot start worker threads: {e}"),
            RunError::Observer(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for RunError {}

/// One loaded input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedFile {
    /// The category the file was loaded into.
    pub cat: CatId,
    /// The file, as it was opened.
    pub path: PathBuf,
    /// Records read.
    pub rows: usize,
    /// Records that became current facts.
    pub new: usize,
}

/// What loading input files did, file by file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// One entry per file, in the order loaded.
    pub files: Vec<LoadedFile>,
}

/// A plan's facts in memory and the state of its run: load facts, run
/// to the fixpoint, read the facts back. Every thread count gives the
/// same result.
pub struct Engine {
    plan: Arc<Plan>,
    store: Store,
    /// Native code of the plan's handlers (none: all interpreted).
    natives: Natives,
    sched: SchedState,
    stats: Stats,
    /// Where the time went ([`Timings`]), beside the counters.
    timings: Timings,
    /// Given facts of derived categories (kept when a stratum is reset).
    base: BaseLog,
    /// Input files loaded so far; [`Origin::Input`] indexes this.
    files: Vec<PathBuf>,
    /// Whether loading and writing draw a progress line on a terminal
    /// ([`Engine::set_progress`]; a run's own line follows
    /// [`RunOptions::quiet`]).
    progress: bool,
}

/// Mutable access to an engine's state, for a database restoring it.
pub struct Parts<'a> {
    pub plan: &'a Plan,
    pub store: &'a mut Store,
    pub sched: &'a mut SchedState,
    pub stats: &'a mut Stats,
    pub timings: &'a mut Timings,
    pub base: &'a mut BaseLog,
    pub files: &'a mut Vec<PathBuf>,
}

impl Engine {
    /// A fresh engine with an empty store for `plan`, whose handlers run
    /// as `natives` (compiled from this plan) where they have native code
    /// and on the interpreter elsewhere. The plan is verified first
    /// ([`verify`]): the engine takes what it states as it is.
    pub fn new(plan: Arc<Plan>, natives: Natives) -> Result<Engine, VerifyError> {
        verify(&plan)?;
        let store = Store::new(&plan);
        Ok(Engine {
            sched: SchedState::new(&plan),
            stats: Stats::new(&plan),
            timings: Timings::new(&plan),
            base: BaseLog::new(&plan),
            files: Vec::new(),
            plan,
            store,
            natives,
            progress: true,
        })
    }

    /// Whether loading inputs and writing outputs show a progress line
    /// on stderr when it is a terminal (on by default; `--quiet` and
    /// libraries turn it off).
    pub fn set_progress(&mut self, shown: bool) {
        self.progress = shown;
    }

    /// Whether loading and writing show progress ([`Engine::set_progress`]).
    pub fn progress(&self) -> bool {
        self.progress
    }

    /// The input files loaded so far (what [`Origin::Input`] refers to).
    pub fn input_files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The whole state, as an observer sees it between rounds.
    pub fn view(&self) -> View<'_> {
        View {
            plan: &self.plan,
            store: &self.store,
            sched: &self.sched,
            stats: &self.stats,
            timings: &self.timings,
            base: &self.base,
            files: &self.files,
        }
    }

    /// The whole state, mutably (a database restoring a saved run).
    pub fn parts_mut(&mut self) -> Parts<'_> {
        Parts {
            plan: &self.plan,
            store: &mut self.store,
            sched: &mut self.sched,
            stats: &mut self.stats,
            timings: &mut self.timings,
            base: &mut self.base,
            files: &mut self.files,
        }
    }

    /// The plan the engine runs.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }
    /// The plan, shared (to hold while changing the engine).
    pub fn plan_arc(&self) -> Arc<Plan> {
        Arc::clone(&self.plan)
    }
    /// The facts in memory: relations and their indexes.
    pub fn store(&self) -> &Store {
        &self.store
    }
    /// The lifecycle counters, cumulative over every run of this engine.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    /// Time per handler and stratum, cumulative like the counters.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }
    /// The scheduler's state between runs (the resume tests compare it).
    #[cfg(test)]
    pub(crate) fn sched_state(&self) -> &SchedState {
        &self.sched
    }
    /// Bring every index of every category up to date (what an
    /// explanation reads: every handler's lookups, on every category).
    pub fn catch_up_indexes(&mut self) {
        self.store.catch_up_all();
    }

    /// The native code its handlers run as.
    pub fn natives(&self) -> &Natives {
        &self.natives
    }

    /// Load CSV files, all or nothing: every file is parsed completely
    /// before anything is inserted; the first error leaves the store as
    /// it was.
    pub fn load_inputs(&mut self, inputs: &[(CatId, PathBuf)]) -> Result<LoadReport, CsvError> {
        self.load_inputs_observed(inputs, &mut ())
    }

    /// [`Engine::load_inputs`], reporting each new fact with its file and
    /// line to `obs`.
    pub fn load_inputs_observed<O: Observer>(
        &mut self,
        inputs: &[(CatId, PathBuf)],
        obs: &mut O,
    ) -> Result<LoadReport, CsvError> {
        let mut parsed = Vec::with_capacity(inputs.len());
        for (cat, path) in inputs {
            let mut lines = Vec::new();
            let want = O::PROVENANCE.then_some(&mut lines);
            let mut step = Step::new(!self.progress);
            let size = std::fs::metadata(path).map_or(0, |m| m.len()).max(1);
            let started = std::time::Instant::now();
            let mut tick = |rows: u64, bytes: u64| {
                step.update(|| {
                    let rate = rows as f64 / started.elapsed().as_secs_f64().max(1e-9);
                    format!(
                        "loading {}: {rows} rows, {:.0}%, {rate:.0} rows/s",
                        path.display(),
                        100.0 * bytes as f64 / size as f64
                    )
                })
            };
            let rows = csv_in::read_file_ticking(path, self.plan.category(*cat), want, &mut tick)?;
            parsed.push((rows, lines));
        }
        Ok(self.insert_parsed(inputs, parsed, obs))
    }

    /// Load CSV text for `cat` that came from elsewhere than a file
    /// (`foldc serve`), all or nothing; `name` stands for the file in
    /// errors and provenance.
    pub fn load_csv_observed<O: Observer>(
        &mut self,
        cat: CatId,
        name: &Path,
        bytes: &[u8],
        obs: &mut O,
    ) -> Result<LoadReport, CsvError> {
        let mut lines = Vec::new();
        let want = O::PROVENANCE.then_some(&mut lines);
        let rows = csv_in::parse_lines(name, bytes, self.plan.category(cat), want)?;
        let inputs = [(cat, name.to_path_buf())];
        Ok(self.insert_parsed(&inputs, vec![(rows, lines)], obs))
    }

    /// Insert parsed inputs (rows and, with provenance, their lines).
    fn insert_parsed<O: Observer>(
        &mut self,
        inputs: &[(CatId, PathBuf)],
        parsed: Vec<(Vec<Word>, Vec<u64>)>,
        obs: &mut O,
    ) -> LoadReport {
        let mut report = LoadReport::default();
        for ((cat, path), (rows, lines)) in inputs.iter().zip(parsed) {
            let file_id = match self.files.iter().position(|f| f == path) {
                Some(i) => i,
                None => {
                    self.files.push(path.clone());
                    self.files.len() - 1
                }
            } as u32;
            let rel = self.store.relation_mut(*cat);
            let arity = rel.arity();
            let mut file = LoadedFile {
                cat: *cat,
                path: path.clone(),
                rows: 0,
                new: 0,
            };
            // A category without fields has one word per row (see
            // `csv_in::read_file`), and every row is the same fact.
            let width = arity.max(1);
            for (i, row) in rows.chunks_exact(width).enumerate() {
                let tuple = &row[..arity];
                let origin = Origin::Input {
                    file: file_id,
                    line: lines.get(i).copied().unwrap_or(0),
                };
                file.rows += 1;
                if let Some(row) = rel.insert(tuple).row() {
                    file.new += 1;
                    obs.inserted(*cat, row, origin);
                }
                self.base.record(*cat, tuple, origin);
            }
            report.files.push(file);
        }
        report
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
        self.insert_program_facts_observed(&mut ())
    }

    /// [`Engine::insert_program_facts`], reporting each new fact with its
    /// line to `obs`.
    pub fn insert_program_facts_observed<O: Observer>(&mut self, obs: &mut O) -> usize {
        let plan = Arc::clone(&self.plan);
        plan.facts
            .iter()
            .filter(|f| {
                let origin = Origin::Program { line: f.line };
                let ins = self.insert_given(f.cat, &f.tuple, origin);
                if let Some(row) = ins.row() {
                    obs.inserted(f.cat, row, origin);
                }
                ins.row().is_some()
            })
            .count()
    }

    /// Insert one fact (it becomes an event of the next run). A tuple of
    /// the wrong arity is refused as `Known`.
    pub fn insert(&mut self, cat: CatId, tuple: &[Word]) -> Inserted {
        self.insert_given(cat, tuple, Origin::Program { line: 0 })
    }

    fn insert_given(&mut self, cat: CatId, tuple: &[Word], origin: Origin) -> Inserted {
        let rel = self.store.relation_mut(cat);
        if tuple.len() != rel.arity() {
            return Inserted::Known;
        }
        self.base.record(cat, tuple, origin);
        rel.insert(tuple)
    }

    /// Run every stratum to its fixpoint.
    pub fn run(&mut self, opts: &RunOptions) -> Result<RunSummary, RunError> {
        self.run_observed(opts, &mut ())
    }

    /// [`Engine::run`], reporting every found fact and every end of a
    /// round to `obs`; stops with [`RunError::Observer`] when it fails.
    pub fn run_observed<O: Observer + Send>(
        &mut self,
        opts: &RunOptions,
        obs: &mut O,
    ) -> Result<RunSummary, RunError> {
        self.run_with(opts, obs, &mut Incremental)
    }

    /// [`Engine::run_observed`], deciding at the start of each stratum by
    /// `policy` (a merge's, see [`crate::merge`]).
    pub fn run_with<O: Observer + Send, P: Policy + Send>(
        &mut self,
        opts: &RunOptions,
        obs: &mut O,
        policy: &mut P,
    ) -> Result<RunSummary, RunError> {
        let start = Instant::now();
        let before = self.stats.total();
        let rounds_before: u64 = self.stats.strata.iter().map(|s| s.rounds).sum();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .stack_size(crate::WORKER_STACK_BYTES)
            .build()
            .map_err(|e| RunError::ThreadPool(e.to_string()))?;
        let mut progress = Progress::new(opts.quiet);
        let Engine {
            plan,
            store,
            natives,
            sched,
            stats,
            timings,
            base,
            files,
            progress: _,
        } = self;
        let mut ctx = Ctx {
            plan,
            natives,
            store,
            state: sched,
            stats,
            timings,
            base,
            files,
        };
        let recomputed = pool
            .install(|| scheduler::run_strata_with(&mut ctx, &mut progress, obs, policy))
            .map_err(RunError::Observer)?;
        progress.finish();
        let after = self.stats.total();
        Ok(RunSummary {
            threads: pool.current_num_threads(),
            rounds: self.stats.strata.iter().map(|s| s.rounds).sum::<u64>() - rounds_before,
            events: after.events - before.events,
            found_new: after.found_new - before.found_new,
            faults: after.faults - before.faults,
            elapsed: start.elapsed(),
            recomputed,
        })
    }

    /// Write `DIR/CAT.csv` for each category (sorted); returns the paths.
    pub fn write_outputs(&self, dir: &Path, cats: &[CatId]) -> Result<Vec<PathBuf>, OutputError> {
        cats.iter()
            .map(|&cat| {
                // One call per file: a big one shows its line at once.
                let rows = self.count(cat);
                let _step = (rows >= BIG_OUTPUT).then(|| {
                    Step::now(
                        !self.progress,
                        format!("writing {}.csv: {rows} rows", self.plan.category(cat).name),
                    )
                });
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

    /// The first `n` current facts of `cat` in value order, without
    /// sorting them all (a preview of a big category stays cheap).
    pub fn first_facts(&self, cat: CatId, n: usize) -> Vec<Vec<Word>> {
        let rel = self.store.relation(cat);
        rel.first_rows(n)
            .into_iter()
            .map(|r| rel.row(r).to_vec())
            .collect()
    }

    /// Number of current facts of `cat`.
    pub fn count(&self, cat: CatId) -> usize {
        self.store.relation(cat).live_len()
    }
}
