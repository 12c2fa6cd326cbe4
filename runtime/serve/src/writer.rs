//! The one thread that changes the database: inserts one at a time, each
//! run incrementally and checkpointed before it is answered, then the new
//! committed state published to readers, with the record as of the
//! commit staged for explanations ([`crate::committed`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use fold_runtime::db::{Session, SessionError};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::Word;
use fold_runtime::{Engine, RunOptions};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};

use crate::committed::{self, Explanations};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::view::{self, Published};

/// Renders why the database holds a fact (the CLI's `explain` tree).
pub type Explain =
    dyn Fn(&Engine, &mut fold_runtime::db::Db, CatId, &[Word]) -> Result<String, String> + Send;

/// Work for the writer.
pub enum Job {
    /// CSV text (a header, then rows) for `cat`, already validated.
    Insert {
        cat: CatId,
        csv: Vec<u8>,
        reply: oneshot::Sender<Result<Inserted, ApiError>>,
    },
}

/// What an insert did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Inserted {
    pub category: String,
    /// Records in the body.
    pub read: usize,
    /// Records that became current facts.
    pub new: usize,
    /// Facts superseded (keyed categories) by this insert, in every category.
    pub superseded: usize,
    /// Facts the rules found.
    pub derived: u64,
    /// Facts of every category after it.
    pub facts: usize,
    /// The change in the number of facts (a recomputed stratum may shrink).
    pub change: i64,
    pub rounds: u64,
    pub events: u64,
    /// The commit that made it visible (see `/stats`).
    pub commit: u64,
}

/// What the writer needs.
pub struct Writer {
    pub plan: Arc<Plan>,
    pub session: Session,
    pub opts: RunOptions,
    pub published: Arc<Published>,
    pub commits: watch::Sender<u64>,
    pub metrics: Arc<Metrics>,
    /// Where each commit's record is staged for explanations.
    pub explanations: Arc<Explanations>,
}

impl Writer {
    /// Serve jobs until every sender is gone; then close the database and
    /// wait until what it wrote reads back.
    pub fn run(mut self, mut jobs: mpsc::Receiver<Job>) -> Result<(), String> {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let mut inserts = 0u64;
        while let Some(job) = jobs.blocking_recv() {
            match job {
                Job::Insert { cat, csv, reply } => {
                    inserts += 1;
                    let name = PathBuf::from(format!(
                        "serve-{started}-{inserts}/{}.csv",
                        self.plan.category(cat).name
                    ));
                    let result = self.insert(cat, &name, &csv);
                    let fatal = matches!(result, Err(ApiError::Unavailable(_)));
                    let _ = reply.send(result);
                    if fatal {
                        // The store could not be written: what was
                        // answered before stays; nothing more is taken.
                        return Err("the database could not be written; the service stopped".into());
                    }
                }
            }
        }
        let (_, read_back) = self.session.close();
        read_back.wait()
    }

    fn insert(
        &mut self,
        cat: CatId,
        name: &std::path::Path,
        csv: &[u8],
    ) -> Result<Inserted, ApiError> {
        let clock = Instant::now();
        let engine = self.session.engine();
        let before = (0..self.plan.categories.len())
            .map(|c| CatId(c as u32))
            .map(|c| (engine.count(c), engine.row_count(c)))
            .fold((0, 0), |(l, r), (a, b)| (l + a, r + b));
        let update = match self.session.insert_csv(cat, name, csv, &self.opts) {
            Ok(update) => update,
            Err(SessionError::Input(e)) => {
                return Err(ApiError::BadRequest(format!("{e}; nothing was inserted")))
            }
            Err(e) => return Err(ApiError::Unavailable(e.to_string())),
        };
        let engine = self.session.engine();
        let after = (0..self.plan.categories.len())
            .map(|c| CatId(c as u32))
            .map(|c| (engine.count(c), engine.row_count(c)))
            .fold((0, 0), |(l, r), (a, b)| (l + a, r + b));
        // Rows added minus facts added: the ones superseded meanwhile.
        let superseded = (after.1 - before.1).saturating_sub(after.0.saturating_sub(before.0));
        let reset: Vec<CatId> = update
            .summary
            .recomputed
            .iter()
            .flat_map(|r| self.plan.strata[r.stratum].categories.iter().copied())
            .collect();
        let prev = self.published.get();
        let next = view::snapshot(&self.plan, engine, Some(&prev), &reset);
        let commit = next.commit;
        // Staged before the commit is published: an explanation asked
        // after the insert's answer reads this commit.
        stage(&self.explanations, self.session.dir(), commit);
        self.metrics.committed(&self.plan, &next);
        self.published.set(next);
        let _ = self.commits.send(commit);
        self.metrics
            .insert_seconds
            .observe(clock.elapsed().as_secs_f64());
        let report = &update.report;
        Ok(Inserted {
            category: self.plan.category(cat).name.clone(),
            read: report.files.iter().map(|f| f.rows).sum(),
            new: report.files.iter().map(|f| f.new).sum(),
            superseded,
            derived: update.summary.found_new,
            facts: after.0,
            change: after.0 as i64 - before.0 as i64,
            rounds: update.summary.rounds,
            events: update.summary.events,
            commit,
        })
    }
}

/// Stage the record of `dir` as of `commit` for explanations; when it
/// cannot be (no room for the copy), explanations answer 503 until a
/// later commit is staged, and inserts go on.
pub fn stage(explanations: &Explanations, dir: &std::path::Path, commit: u64) {
    match committed::stage(dir, commit) {
        Ok(staged) => explanations.publish(Some(staged)),
        Err(e) => {
            eprintln!(
                "foldc serve: cannot copy the record of commit {commit} for explanations: {e}"
            );
            explanations.publish(None);
        }
    }
}
