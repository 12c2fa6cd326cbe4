//! `foldc cluster status`: what the server knows about jobs and workers.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use futures::StreamExt;
use serde::Serialize;

use crate::collect::poison_chunks;
use crate::layout::{self, Job};
use crate::manifest::{self, Heartbeat, State};
use crate::nats::{self, Conn};

/// A worker is stale when its last heartbeat is older than this.
const STALE_MS: u64 = 6_000;

/// The status of the cluster.
#[derive(Debug, Serialize)]
pub struct Status {
    pub jobs: Vec<JobStatus>,
    pub workers: Vec<WorkerStatus>,
}

/// One job.
#[derive(Debug, Serialize)]
pub struct JobStatus {
    pub job: String,
    pub program: String,
    pub chunks: usize,
    /// Chunk events not yet delivered.
    pub chunks_pending: u64,
    /// Chunk events delivered, not yet acked.
    pub chunks_in_flight: usize,
    /// Chunk events delivered more than once.
    pub chunks_redelivered: usize,
    /// Chunks held by a live database.
    pub chunks_done: usize,
    pub databases_live: usize,
    /// Database events waiting for the collector.
    pub database_events_pending: u64,
    pub merges_pending: usize,
    pub merges_done: u64,
    pub databases_dropped: u64,
    /// Chunks refused for good or at their last delivery.
    pub poison: Vec<crate::collect::Poison>,
    /// One live database holds every chunk.
    pub finished: bool,
}

/// One worker.
#[derive(Debug, Serialize)]
pub struct WorkerStatus {
    pub worker: String,
    pub host: String,
    pub pid: u32,
    pub doing: String,
    pub last_seen_ms: u64,
    pub alive: bool,
}

/// The status of `job` (or of every job) on `server`.
pub fn status(server: &str, job: Option<&str>) -> Result<Status, String> {
    crate::block_on(async {
        let conn = nats::connect(server).await?;
        let names = match job {
            Some(j) => vec![j.to_string()],
            None => job_names(&conn).await?,
        };
        let mut jobs = Vec::new();
        for name in names {
            jobs.push(job_status(&conn, &Job::new(&name)?).await?);
        }
        let workers = workers(&conn).await?;
        Ok(Status { jobs, workers })
    })
}

async fn job_names(conn: &Conn) -> Result<Vec<String>, String> {
    let mut keys = conn
        .jobs
        .keys()
        .await
        .map_err(|e| format!("cannot list jobs: {e}"))?;
    let mut names = Vec::new();
    while let Some(key) = keys.next().await {
        let key = key.map_err(|e| format!("cannot list jobs: {e}"))?;
        if let Some(j) = layout::job_of_manifest_key(&key) {
            names.push(j.to_string());
        }
    }
    names.sort();
    Ok(names)
}

async fn job_status(conn: &Conn, job: &Job) -> Result<JobStatus, String> {
    let Some((manifest, _)) = nats::manifest(conn, job).await? else {
        return Err(format!("no job `{}`", job.name));
    };
    let handles = nats::open_job(conn, job, &manifest.settings).await?;
    let info = |e| format!("cannot read consumer info of job `{}`: {e}", job.name);
    let chunks = handles.chunks.get_info().await.map_err(info)?;
    let dbs = handles.dbs.get_info().await.map_err(info)?;
    let state: State = match conn.jobs.get(job.state_key()).await {
        Ok(Some(v)) => manifest::parse(&v, "the job's state")?,
        _ => State::default(),
    };
    let done: BTreeSet<u32> = state
        .live
        .iter()
        .flat_map(|d| d.chunks.iter().copied())
        .collect();
    let all = manifest.chunk_set();
    Ok(JobStatus {
        job: job.name.clone(),
        program: manifest.program_name.clone(),
        chunks: all.len(),
        chunks_pending: chunks.num_pending,
        chunks_in_flight: chunks.num_ack_pending,
        chunks_redelivered: chunks.num_redelivered,
        chunks_done: done.len(),
        databases_live: state.live.len(),
        database_events_pending: dbs.num_pending + dbs.num_ack_pending as u64,
        merges_pending: state.merging.len(),
        merges_done: state.merged,
        databases_dropped: state.dropped,
        poison: poison_chunks(conn, job).await?,
        finished: state.final_db(&all).is_some(),
    })
}

async fn workers(conn: &Conn) -> Result<Vec<WorkerStatus>, String> {
    let mut keys = conn
        .workers
        .keys()
        .await
        .map_err(|e| format!("cannot list workers: {e}"))?;
    let now = manifest::now_ms();
    let mut out = Vec::new();
    while let Some(key) = keys.next().await {
        let key = key.map_err(|e| format!("cannot list workers: {e}"))?;
        let Ok(Some(v)) = conn.workers.get(key.as_str()).await else {
            continue;
        };
        let Ok(beat) = manifest::parse::<Heartbeat>(&v, "a heartbeat") else {
            continue;
        };
        let age = now.saturating_sub(beat.at_ms);
        out.push(WorkerStatus {
            worker: beat.worker,
            host: beat.host,
            pid: beat.pid,
            doing: beat.doing,
            last_seen_ms: age,
            alive: age < STALE_MS,
        });
    }
    out.sort_by(|a, b| a.worker.cmp(&b.worker));
    Ok(out)
}

impl Status {
    /// The status for a human.
    pub fn render(&self) -> String {
        let mut s = String::new();
        if self.jobs.is_empty() {
            s.push_str("no jobs\n");
        }
        for j in &self.jobs {
            let _ = writeln!(
                s,
                "job {} ({}): {}",
                j.job,
                j.program,
                if j.finished { "finished" } else { "running" }
            );
            let _ = writeln!(
                s,
                "  chunks: {} in all, {} pending, {} in flight, {} redelivered, {} in live databases",
                j.chunks, j.chunks_pending, j.chunks_in_flight, j.chunks_redelivered, j.chunks_done
            );
            let _ = writeln!(
                s,
                "  databases: {} live, {} events waiting for the collector, {} dropped as covered",
                j.databases_live, j.database_events_pending, j.databases_dropped
            );
            let _ = writeln!(
                s,
                "  merges: {} pending, {} done",
                j.merges_pending, j.merges_done
            );
            for p in &j.poison {
                let _ = writeln!(
                    s,
                    "  poison chunk {}{}: {}",
                    p.chunk,
                    if p.failed {
                        ""
                    } else {
                        " (at its last delivery)"
                    },
                    p.why
                );
            }
        }
        let alive = self.workers.iter().filter(|w| w.alive).count();
        let _ = writeln!(
            s,
            "workers: {} alive, {} stale",
            alive,
            self.workers.len() - alive
        );
        for w in &self.workers {
            let _ = writeln!(
                s,
                "  {} ({} pid {}): {}, seen {:.1} s ago{}",
                w.worker,
                w.host,
                w.pid,
                w.doing,
                w.last_seen_ms as f64 / 1e3,
                if w.alive { "" } else { " (stale)" }
            );
        }
        s
    }
}
