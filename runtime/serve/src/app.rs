//! What every handler shares: the plan, the published state, the way to
//! the writer, the metrics and the service's settings.

use std::sync::Arc;
use std::time::Duration;

use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::Word;
use tokio::sync::{mpsc, watch, Semaphore};

use crate::committed::Explanations;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::view::Published;
use crate::writer::Job;

/// Reads a fact as written in the program (`path(1, 2)`).
pub type ParseFact = dyn Fn(&str) -> Result<(CatId, Vec<Word>), String> + Send + Sync;

/// The service's settings that handlers and middleware read.
pub struct Limits {
    /// The largest request body (413 past it, before it is read).
    pub max_body: u64,
    /// How long a client may take to send a body (408 past it).
    pub body_timeout: Duration,
    /// How long a read may take, queueing included (503 past it).
    pub request_timeout: Duration,
    /// How long an insert may wait and run before the client is answered
    /// 503 (the insert itself still commits).
    pub insert_timeout: Duration,
    /// The bearer token writes (and with `token_reads`, reads) need.
    pub token: Option<String>,
    /// Whether reads need the token too (`/healthz` never does).
    pub token_reads: bool,
    /// Whether facts may be inserted into categories rules derive.
    pub allow_derived: bool,
    /// Host names (without port) requests may be addressed to; empty:
    /// any.
    pub hosts: Vec<String>,
    /// Origins (`scheme://host[:port]`) allowed to write besides the
    /// request's own host.
    pub origins: Vec<String>,
}

/// The state every handler gets.
pub struct App {
    pub plan: Arc<Plan>,
    pub published: Arc<Published>,
    pub jobs: mpsc::Sender<Job>,
    pub commits: watch::Receiver<u64>,
    pub shutdown: watch::Receiver<bool>,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    /// Which categories rules derive.
    pub derived: Vec<bool>,
    pub parse_fact: Box<ParseFact>,
    /// The evaluation pool for reads: permits for blocking query work.
    pub readers: Semaphore,
    /// Served with `--read-only`: inserts are refused (405).
    pub read_only: bool,
    /// Why facts hold, from the last committed record.
    pub explanations: Arc<Explanations>,
    /// Explanations take turns (opening a new commit's record can take a
    /// second on a big database): one permit, so waiting ones hold no
    /// thread and no reader's permit.
    pub explaining: Semaphore,
}

impl App {
    /// The category named `name` (404 naming the categories otherwise).
    pub fn category(&self, name: &str) -> Result<CatId, ApiError> {
        self.plan.category_named(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .plan
                .categories
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            ApiError::NotFound(format!(
                "no category `{name}` (categories: {})",
                names.join(", ")
            ))
        })
    }

    /// Explain on a thread of its own, one explanation at a time,
    /// within the request timeout.
    pub async fn explain(
        self: &Arc<Self>,
        cat: CatId,
        tuple: Vec<Word>,
    ) -> Result<String, ApiError> {
        let busy = || {
            ApiError::Unavailable(format!(
                "explanations are queued; try again (one waits at most {} s)",
                self.limits.request_timeout.as_secs()
            ))
        };
        let permit = tokio::time::timeout(self.limits.request_timeout, self.explaining.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let explanations = Arc::clone(&self.explanations);
        let result = tokio::task::spawn_blocking(move || explanations.explain(cat, &tuple)).await;
        drop(permit);
        result.map_err(|_| ApiError::Unavailable("the explanation failed".to_string()))?
    }

    /// Run `work` on the bounded pool of readers, within the request
    /// timeout.
    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let busy = || {
            ApiError::Unavailable(format!(
                "every reader is busy; try again (a read waits at most {} s)",
                self.limits.request_timeout.as_secs()
            ))
        };
        let permit = tokio::time::timeout(self.limits.request_timeout, self.readers.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let app = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || work(&app)).await;
        drop(permit);
        result.map_err(|_| ApiError::Unavailable("the read failed".to_string()))
    }
}
