//! `foldc worker`: an identical, stateless worker. It finds the jobs in the
//! jobs bucket and for each takes merge tasks first (without waiting),
//! then batches of chunk events (the first fetch without waiting), which
//! it runs into a local database until a fetch comes back empty or the
//! job's batch count is reached; then it uploads the database and
//! publishes its event, and only then acks the chunks. While it works, it
//! tells the server the messages it holds are in progress, and heartbeats
//! in the workers bucket.
//!
//! Any error with the server (it may restart) drops the local work and
//! starts over after a pause: what was not acked is delivered again.
//!
//! The stages are files: `chunks` (batches run into a local state),
//! `merge` (merge tasks), `publish` (uploads and database events),
//! `heartbeat` (the sign of life).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;
use tokio::io::AsyncReadExt;

use fold_runtime::RunOptions;

use crate::layout::{self, Job};
use crate::manifest::{self, Manifest};
use crate::nats::{self, Conn, JobHandles};
use crate::parts::ShardLayout;
use crate::program::{self, Compiled};

mod chunks;
mod heartbeat;
mod merge;
mod publish;

use heartbeat::{heartbeat, worker_id};

/// How a worker runs.
pub struct WorkerOptions {
    pub server: String,
    /// Threads per run (0: one per core).
    pub threads: usize,
    /// Where local databases live.
    pub work_dir: PathBuf,
    /// Stop after this long without work (`None`: run until killed).
    pub idle_exit: Option<Duration>,
}

/// A job this worker knows: its manifest's program compiled once.
struct JobCtx {
    handles: JobHandles,
    manifest: Manifest,
    compiled: Arc<Compiled>,
    /// A range-split job's layout (before any shard is loaded).
    layout: Option<ShardLayout>,
}

/// Run a worker until it is killed (or idle for `idle_exit`).
pub fn worker(opts: &WorkerOptions) -> Result<(), String> {
    std::fs::create_dir_all(&opts.work_dir)
        .map_err(|e| format!("cannot create `{}`: {e}", opts.work_dir.display()))?;
    crate::block_on(async {
        let conn = nats::connect(&opts.server).await?;
        let id = worker_id();
        let doing = Arc::new(Mutex::new("starting".to_string()));
        let changed = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(heartbeat(
            conn.clone(),
            id.clone(),
            doing.clone(),
            changed.clone(),
        ));
        let mut w = Worker {
            conn,
            id,
            opts,
            doing,
            changed,
            jobs: HashMap::new(),
            serial: 0,
        };
        let mut idle_since = tokio::time::Instant::now();
        // Wakes an idle worker when a job is submitted (or extended), so
        // that a new job starts at once rather than at the next look.
        let mut submitted = w.conn.jobs.watch("*.manifest").await.ok();
        loop {
            match w.cycle().await {
                Ok(true) => idle_since = tokio::time::Instant::now(),
                Ok(false) => {
                    w.set_doing("idle");
                    if opts.idle_exit.is_some_and(|d| idle_since.elapsed() >= d) {
                        return Ok(());
                    }
                    let pause = tokio::time::sleep(Duration::from_millis(200));
                    match submitted.as_mut() {
                        Some(watch) => tokio::select! {
                            () = pause => {}
                            seen = watch.next() => if seen.is_none() { submitted = None },
                        },
                        None => pause.await,
                    }
                }
                Err(e) => {
                    eprintln!("worker {}: {e}; starting over", w.id);
                    w.jobs.clear();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    submitted = w.conn.jobs.watch("*.manifest").await.ok();
                }
            }
        }
    })
}

struct Worker<'a> {
    conn: Conn,
    id: String,
    opts: &'a WorkerOptions,
    doing: Arc<Mutex<String>>,
    /// Wakes the heartbeat when what the worker does changes.
    changed: Arc<tokio::sync::Notify>,
    jobs: HashMap<String, Arc<JobCtx>>,
    /// Numbers local directories.
    serial: u64,
}

impl Worker<'_> {
    fn set_doing(&self, what: &str) {
        if let Ok(mut d) = self.doing.lock() {
            if *d != what {
                what.clone_into(&mut d);
                self.changed.notify_one();
            }
        }
    }

    fn run_options(&self) -> RunOptions {
        RunOptions {
            threads: self.opts.threads,
            quiet: true,
        }
    }

    /// One pass over the jobs; whether any work was done.
    async fn cycle(&mut self) -> Result<bool, String> {
        let mut names = Vec::new();
        let mut keys = self
            .conn
            .jobs
            .keys()
            .await
            .map_err(|e| format!("cannot list jobs: {e}"))?;
        while let Some(key) = keys.next().await {
            let key = key.map_err(|e| format!("cannot list jobs: {e}"))?;
            if let Some(job) = layout::job_of_manifest_key(&key) {
                names.push(job.to_string());
            }
        }
        names.sort();
        let mut worked = false;
        for name in names {
            let ctx = match self.job(&name).await {
                Ok(ctx) => ctx,
                Err(e) => {
                    eprintln!("worker {}: job `{name}`: {e}", self.id);
                    continue;
                }
            };
            if self.take_merge(&ctx).await? {
                return Ok(true);
            }
            worked |= self.take_chunks(&ctx).await?;
        }
        Ok(worked)
    }

    async fn job(&mut self, name: &str) -> Result<Arc<JobCtx>, String> {
        if let Some(ctx) = self.jobs.get(name) {
            return Ok(ctx.clone());
        }
        let job = Job::new(name)?;
        let Some((manifest, _)) = nats::manifest(&self.conn, &job).await? else {
            return Err("no manifest".to_string());
        };
        let compiled = program::compile(&manifest.source, &manifest.program_name)?;
        if compiled.fingerprint != manifest.fingerprint {
            return Err(format!(
                "this foldc compiles the program to fingerprint {}, the job's is {}: workers \
                 and submit must run the same foldc",
                compiled.fingerprint, manifest.fingerprint
            ));
        }
        let layout = match &manifest.split {
            Some(spec) if spec.ranged => Some(ShardLayout::new(&manifest.source, &spec.key)?),
            _ => None,
        };
        let handles = nats::open_job(&self.conn, &job, &manifest.settings).await?;
        let ctx = Arc::new(JobCtx {
            handles,
            manifest,
            compiled: Arc::new(compiled),
            layout,
        });
        self.jobs.insert(name.to_string(), ctx.clone());
        Ok(ctx)
    }

    fn local_dir(&mut self, job: &str, what: &str) -> Result<PathBuf, String> {
        self.serial += 1;
        let dir = self.opts.work_dir.join(job).join(format!(
            "{what}-{}-{}",
            std::process::id(),
            self.serial
        ));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("cannot clear `{}`: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        Ok(dir)
    }

    /// Record chunk `n` as poison (`failed`: refused for good, else only at
    /// its last delivery).
    async fn poison(&self, ctx: &Arc<JobCtx>, n: u32, why: &str, failed: bool) {
        eprintln!(
            "worker {}: chunk {n} of job {}: {why}",
            self.id, ctx.handles.job.name
        );
        let record =
            serde_json::json!({ "chunk": n, "why": why, "failed": failed, "worker": self.id });
        let _ = self
            .conn
            .jobs
            .put(
                ctx.handles.job.poison_key(n),
                manifest::to_bytes(&record).into(),
            )
            .await;
    }
}

async fn ack_all(msgs: &[jetstream::Message]) -> Result<(), String> {
    for m in msgs {
        m.double_ack()
            .await
            .map_err(|e| format!("cannot ack a message: {e}"))?;
    }
    Ok(())
}

/// The bytes of `object`, or `None` when it does not exist.
pub(crate) async fn download(
    handles: &JobHandles,
    object: &str,
) -> Result<Option<Vec<u8>>, String> {
    use async_nats::jetstream::object_store::GetErrorKind;
    let mut obj = match handles.objects.get(object).await {
        Ok(o) => o,
        Err(e) if e.kind() == GetErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot download `{object}`: {e}")),
    };
    let mut bytes = Vec::new();
    obj.read_to_end(&mut bytes)
        .await
        .map_err(|e| format!("cannot download `{object}`: {e}"))?;
    Ok(Some(bytes))
}
