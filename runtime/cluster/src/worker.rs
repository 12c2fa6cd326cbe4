//! `foldc worker`: an identical, stateless worker. It finds the jobs in the
//! jobs bucket and for each takes merge tasks first (without waiting),
//! then batches of chunk events (the first fetch without waiting), which
//! it runs into a local database until a fetch comes back empty or the job's batch count is reached;
//! then it uploads the database and publishes its event, and only then
//! acks the chunks. While it works, it tells the server the messages it
//! holds are in progress, and heartbeats in the workers bucket.
//!
//! Any error with the server (it may restart) drops the local work and
//! starts over after a pause: what was not acked is delivered again.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use futures::StreamExt;
use tokio::io::AsyncReadExt;

use fold_runtime::merge::merge_databases;
use fold_runtime::plan::CatId;
use fold_runtime::RunOptions;

use crate::fault;
use crate::layout::{self, Job};
use crate::local::{self, Local};
use crate::manifest::{self, Chunk, DbEvent, DbRef, Heartbeat, Manifest, MergeTask, WholeInput};
use crate::nats::{self, Conn, JobHandles};
use crate::pack;
use crate::parts::ShardLayout;
use crate::program::{self, Compiled};

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

/// How often a worker heartbeats.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

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

    /// Take one merge task, if one is waiting, and do it.
    async fn take_merge(&mut self, ctx: &Arc<JobCtx>) -> Result<bool, String> {
        let mut batch = ctx
            .handles
            .merges
            .fetch()
            .max_messages(1)
            .messages()
            .await
            .map_err(|e| format!("cannot fetch merge tasks: {e}"))?;
        let Some(msg) = batch.next().await else {
            return Ok(false);
        };
        let msg = msg.map_err(|e| format!("cannot fetch merge tasks: {e}"))?;
        let task: MergeTask = match manifest::parse(&msg.payload, "a merge task") {
            Ok(t) => t,
            Err(e) => {
                eprintln!("worker {}: {e}; dropped", self.id);
                let _ = msg.ack_with(AckKind::Term).await;
                return Ok(true);
            }
        };
        self.set_doing(&format!(
            "merging {} + {} of job {}",
            task.a.object, task.b.object, ctx.handles.job.name
        ));
        let held = Held::new(vec![msg], &ctx.manifest);
        let result = self.merge(ctx, &task).await;
        let msgs = held.stop();
        match result {
            Ok(()) => {
                fault::point("merge.after-publish");
                ack_all(&msgs).await
            }
            Err(e) => {
                // Let another try (the server delivers it again later).
                for m in &msgs {
                    let _ = m.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
                }
                Err(e)
            }
        }
        .map(|()| true)
    }

    async fn merge(&mut self, ctx: &Arc<JobCtx>, task: &MergeTask) -> Result<(), String> {
        let started = std::time::Instant::now();
        let dir = self.local_dir(&ctx.handles.job.name, "merge")?;
        let (a, b, into) = (dir.join("a"), dir.join("b"), dir.join("c"));
        for (db, path) in [(&task.a, &a), (&task.b, &b)] {
            match download(&ctx.handles, &db.object).await? {
                Some(bytes) => pack::unpack(&bytes, path)?,
                None => {
                    // Its result (or a database covering it) is in the
                    // coordinator's hands already, which removed the input.
                    eprintln!(
                        "worker {}: merge task {} + {}: `{}` is gone; the task is obsolete",
                        self.id, task.a.object, task.b.object, db.object
                    );
                    let _ = std::fs::remove_dir_all(&dir);
                    return Ok(());
                }
            }
        }
        let downloaded = started.elapsed();
        fault::point("merge.mid");
        let compiled = ctx.compiled.clone();
        let program = ctx.manifest.program_name.clone();
        let opts = self.run_options();
        let into2 = into.clone();
        let facts = tokio::task::spawn_blocking(move || -> Result<u64, String> {
            merge_databases(
                &compiled.plan,
                compiled.natives(),
                &program,
                &a,
                &b,
                &into2,
                &opts,
            )?;
            Ok(0)
        })
        .await
        .map_err(|e| format!("the merge stopped: {e}"))??;
        let merged = started.elapsed() - downloaded;
        let chunks = task.union();
        let from = Some((task.a.object.clone(), task.b.object.clone()));
        let what = format!(
            "merged {} + {}: download {:.3} s, merge {:.3} s",
            task.a.object,
            task.b.object,
            downloaded.as_secs_f64(),
            merged.as_secs_f64()
        );
        let upload = Upload {
            db: Some(&into),
            exports: None,
        };
        self.publish_db(ctx, upload, chunks, facts, from, &what)
            .await?;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    /// Take batches of chunk events into one local database and publish it.
    async fn take_chunks(&mut self, ctx: &Arc<JobCtx>) -> Result<bool, String> {
        let settings = &ctx.manifest.settings;
        let mut held: Option<Held> = None;
        let mut session: Option<Local> = None;
        let mut chunks = BTreeSet::new();
        let mut dir: Option<PathBuf> = None;
        // The whole inputs of a sharded job already in the local database.
        let mut loaded_whole = BTreeSet::new();
        // Which shard each key value of a range-split job came from.
        let mut layout = ctx.layout.clone();
        let mut fetching = Duration::ZERO;
        let mut running = Duration::ZERO;
        for i in 0..settings.batch_count.max(1) {
            let fetch_started = std::time::Instant::now();
            // The first fetch does not wait, so that a worker passes over
            // the jobs without work quickly; later ones wait up to the
            // job's timeout for more before the database is written out.
            let max = settings.batch_size.max(1);
            let chunks_consumer = &ctx.handles.chunks;
            // A sharded job's chunks are all published before any is
            // taken and never extended: an empty queue means every shard
            // is taken, so waiting for more would only delay the upload.
            let fetched = if i == 0 || ctx.manifest.split.is_some() {
                chunks_consumer.fetch().max_messages(max).messages().await
            } else {
                chunks_consumer
                    .batch()
                    .max_messages(max)
                    .expires(Duration::from_millis(settings.timeout_ms.max(100)))
                    .messages()
                    .await
            };
            let mut batch = fetched.map_err(|e| format!("cannot fetch chunks: {e}"))?;
            let mut msgs = Vec::new();
            while let Some(m) = batch.next().await {
                msgs.push(m.map_err(|e| format!("cannot fetch chunks: {e}"))?);
            }
            fetching += fetch_started.elapsed();
            if msgs.is_empty() {
                break;
            }
            let d = match &dir {
                Some(d) => d.clone(),
                None => {
                    let d = self.local_dir(&ctx.handles.job.name, "local")?;
                    dir = Some(d.clone());
                    d
                }
            };
            self.set_doing(&format!(
                "running {} chunks of job {}",
                msgs.len(),
                ctx.handles.job.name
            ));
            let h = held.get_or_insert_with(|| Held::new(Vec::new(), &ctx.manifest));
            h.add(&msgs);
            let run_started = std::time::Instant::now();
            let (s, taken) = self
                .run_batch(
                    ctx,
                    &d,
                    session.take(),
                    &msgs,
                    &mut loaded_whole,
                    &mut layout,
                )
                .await?;
            running += run_started.elapsed();
            session = Some(s);
            chunks.extend(taken);
            fault::point("worker.after-fetch");
        }
        let Some(held) = held else {
            return Ok(false);
        };
        let Some(session) = session else {
            // Every chunk was refused (and recorded as poison).
            ack_all(&held.stop()).await?;
            return Ok(true);
        };
        let facts: u64 = {
            let plan = ctx.compiled.plan.clone();
            let engine = session.engine();
            plan.outputs.iter().map(|&c| engine.count(c) as u64).sum()
        };
        let Some(local_dir) = dir else {
            return Err("a local state without its folder".to_string());
        };
        // A sharded job's result is the union of its shards' facts: the
        // public categories, sorted, are what collect needs.
        let exports = ctx
            .manifest
            .split
            .as_ref()
            .map(|_| local_dir.join("exports"));
        let plan = ctx.compiled.plan.clone();
        let to = exports.clone();
        let taken = chunks.clone();
        let db_dir = tokio::task::spawn_blocking(move || -> Result<Option<PathBuf>, String> {
            let (engine, db_dir) = session.finish()?;
            if let Some(to) = &to {
                let layout = layout.as_ref().map(|l| (l, &taken));
                crate::exports::write(&engine, &plan, to, layout)?;
            }
            Ok(db_dir)
        })
        .await
        .map_err(|e| format!("closing the local database stopped: {e}"))??;
        if !chunks.is_empty() {
            let what = format!(
                "fetch {:.3} s, download and run {:.3} s",
                fetching.as_secs_f64(),
                running.as_secs_f64()
            );
            self.publish_db(
                ctx,
                Upload {
                    db: db_dir.as_deref(),
                    exports: exports.as_deref(),
                },
                chunks,
                facts,
                None,
                &what,
            )
            .await?;
        }
        ack_all(&held.stop()).await?;
        let _ = std::fs::remove_dir_all(&local_dir);
        Ok(true)
    }

    /// Download a batch's chunks and run them into the session (opened on
    /// the first batch). Returns the session and the chunks it took; a
    /// chunk that does not load is refused and recorded as poison.
    async fn run_batch(
        &mut self,
        ctx: &Arc<JobCtx>,
        dir: &Path,
        session: Option<Local>,
        msgs: &[jetstream::Message],
        loaded_whole: &mut BTreeSet<String>,
        layout: &mut Option<ShardLayout>,
    ) -> Result<(Local, Vec<u32>), String> {
        let plan = ctx.compiled.plan.clone();
        let mut inputs: Vec<(u32, Option<(CatId, PathBuf)>)> = Vec::new();
        let mut whole: Vec<(CatId, PathBuf)> = Vec::new();
        for msg in msgs {
            let chunk: Chunk = match manifest::parse(&msg.payload, "a chunk event") {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("worker {}: {e}; dropped", self.id);
                    let _ = msg.ack_with(AckKind::Term).await;
                    continue;
                }
            };
            if let Ok(info) = msg.info() {
                if info.delivered >= ctx.manifest.settings.max_deliver
                    && ctx.manifest.settings.max_deliver > 0
                {
                    self.poison(ctx, chunk.n, "its last delivery did not finish", false)
                        .await;
                }
            }
            let file = match (&chunk.category, &chunk.object) {
                (Some(cat), Some(object)) => {
                    let Some(cat_id) = plan.category_named(cat) else {
                        self.poison(
                            ctx,
                            chunk.n,
                            &format!("no category `{cat}` in the program"),
                            true,
                        )
                        .await;
                        continue;
                    };
                    let Some(bytes) = download(&ctx.handles, object).await? else {
                        self.poison(
                            ctx,
                            chunk.n,
                            &format!("its object `{object}` is missing"),
                            true,
                        )
                        .await;
                        continue;
                    };
                    if crc32fast::hash(&bytes) != chunk.checksum
                        || bytes.len() as u64 != chunk.bytes
                    {
                        self.poison(ctx, chunk.n, "its object does not match its checksum", true)
                            .await;
                        continue;
                    }
                    let stem = Path::new(&chunk.file)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let path = dir.join(format!("chunk-{}-{stem}.csv", chunk.n));
                    std::fs::write(&path, &bytes)
                        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
                    if let Some(layout) = layout.as_mut().filter(|l| l.key.cat == cat_id) {
                        if let Err(why) = layout.add_shard(&plan, chunk.n, &path, &bytes) {
                            self.poison(ctx, chunk.n, &why, true).await;
                            continue;
                        }
                    }
                    Some((cat_id, path))
                }
                _ => None,
            };
            for w in &chunk.whole {
                if loaded_whole.contains(&w.object) {
                    continue;
                }
                match self.whole_input(ctx, dir, w).await? {
                    Ok(input) => {
                        loaded_whole.insert(w.object.clone());
                        whole.push(input);
                    }
                    Err(why) => {
                        // Every shard needs it: no shard of this job can run.
                        self.poison(ctx, chunk.n, &why, true).await;
                    }
                }
            }
            inputs.push((chunk.n, file));
        }

        let compiled = ctx.compiled.clone();
        let program = ctx.manifest.program_name.clone();
        let db_dir = dir.join("db-dir");
        let opts = self.run_options();
        // Without a database to upload, the state stays in memory.
        let in_memory = ctx.manifest.split.as_ref().is_some_and(|s| !s.databases);
        let (session, taken, refused) = tokio::task::spawn_blocking(move || {
            local::run_chunks(
                &compiled, &program, &db_dir, in_memory, session, inputs, whole, &opts,
            )
        })
        .await
        .map_err(|e| format!("the run stopped: {e}"))??;
        for (n, why) in refused {
            self.poison(ctx, n, &why, true).await;
        }
        Ok((session, taken))
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

    /// Pack and upload what a local database or merge hands back (see
    /// [`Upload`]) and publish its event.
    async fn publish_db(
        &self,
        ctx: &Arc<JobCtx>,
        upload: Upload<'_>,
        chunks: BTreeSet<u32>,
        facts: u64,
        from: Option<(String, String)>,
        what: &str,
    ) -> Result<(), String> {
        self.set_doing(&format!(
            "uploading a database of job {}",
            ctx.handles.job.name
        ));
        let started = std::time::Instant::now();
        let put = |name: String, dir: PathBuf| async move {
            let bytes = tokio::task::spawn_blocking(move || pack::pack(&dir))
                .await
                .map_err(|e| format!("packing stopped: {e}"))??;
            let mut reader: &[u8] = &bytes;
            ctx.handles
                .objects
                .put(name.as_str(), &mut reader)
                .await
                .map_err(|e| format!("cannot upload `{name}`: {e}"))?;
            Ok::<(String, u64), String>((name, bytes.len() as u64))
        };
        let exports = match upload.exports {
            Some(dir) => Some(put(manifest::exports_object(&chunks), dir.to_path_buf()).await?),
            None => None,
        };
        let db = match upload.db {
            Some(dir) => Some(put(manifest::db_object(&chunks), dir.to_path_buf()).await?),
            None => None,
        };
        let uploaded = started.elapsed();
        fault::point("worker.after-upload");
        // Without a database, the exports stand for it (a sharded job
        // whose databases stay home).
        let Some((object, bytes)) = db.clone().or_else(|| exports.clone()) else {
            return Err("nothing to upload".to_string());
        };
        let event = DbEvent {
            db: DbRef {
                object: object.clone(),
                chunks,
                bytes,
                exports: exports.map(|(name, _)| name),
            },
            fingerprint: ctx.manifest.fingerprint.clone(),
            from,
            facts,
            worker: self.id.clone(),
        };
        nats::publish(
            &self.conn,
            ctx.handles.job.db_subject(),
            &format!("db:{object}"),
            manifest::to_bytes(&event),
        )
        .await?;
        eprintln!(
            "worker {}: job {}: published `{object}` ({} chunks, {} bytes; {}, pack and \
             upload {:.3} s)",
            self.id,
            ctx.handles.job.name,
            event.db.chunks.len(),
            event.db.bytes,
            what,
            uploaded.as_secs_f64()
        );
        fault::point("worker.after-publish");
        Ok(())
    }

    /// Download a sharded job's whole input into `dir`, checked against
    /// its record: `Ok(Err(why))` when the object is missing or damaged.
    async fn whole_input(
        &self,
        ctx: &Arc<JobCtx>,
        dir: &Path,
        w: &WholeInput,
    ) -> Result<Result<(CatId, PathBuf), String>, String> {
        let Some(cat) = ctx.compiled.plan.category_named(&w.category) else {
            return Ok(Err(format!("no category `{}` in the program", w.category)));
        };
        let Some(bytes) = download(&ctx.handles, &w.object).await? else {
            return Ok(Err(format!("its whole input `{}` is missing", w.object)));
        };
        if crc32fast::hash(&bytes) != w.checksum || bytes.len() as u64 != w.bytes {
            return Ok(Err(format!(
                "its whole input `{}` does not match its checksum",
                w.object
            )));
        }
        let stem = Path::new(&w.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = dir.join(format!("{}-{stem}.csv", w.object));
        std::fs::write(&path, &bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        Ok(Ok((cat, path)))
    }
}

/// What a worker uploads: a database (packed without its cache), and for
/// a sharded job, its public categories' sorted exports.
struct Upload<'a> {
    db: Option<&'a Path>,
    exports: Option<&'a Path>,
}

/// Messages a worker holds: the server is told they are in progress every
/// third of the ack wait, until they are acked.
struct Held {
    msgs: Arc<Mutex<Vec<jetstream::Message>>>,
    ticker: tokio::task::JoinHandle<()>,
}

impl Held {
    fn new(msgs: Vec<jetstream::Message>, manifest: &Manifest) -> Held {
        let msgs = Arc::new(Mutex::new(msgs));
        let every = Duration::from_millis((manifest.settings.ack_wait_ms / 3).max(100));
        let shared = msgs.clone();
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let now: Vec<jetstream::Message> = match shared.lock() {
                    Ok(m) => m.clone(),
                    Err(_) => return,
                };
                for m in &now {
                    let _ = m.ack_with(AckKind::Progress).await;
                }
            }
        });
        Held { msgs, ticker }
    }

    fn add(&self, more: &[jetstream::Message]) {
        if let Ok(mut m) = self.msgs.lock() {
            m.extend_from_slice(more);
        }
    }

    fn stop(&self) -> Vec<jetstream::Message> {
        self.ticker.abort();
        match self.msgs.lock() {
            Ok(mut m) => std::mem::take(&mut *m),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // Work dropped on an error: the server delivers its messages again.
        self.ticker.abort();
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

async fn heartbeat(
    conn: Conn,
    id: String,
    doing: Arc<Mutex<String>>,
    changed: Arc<tokio::sync::Notify>,
) {
    let host = host_name();
    loop {
        let beat = Heartbeat {
            worker: id.clone(),
            host: host.clone(),
            pid: std::process::id(),
            doing: doing.lock().map(|d| d.clone()).unwrap_or_default(),
            at_ms: manifest::now_ms(),
        };
        let _ = conn
            .workers
            .put(&id, manifest::to_bytes(&beat).into())
            .await;
        tokio::select! {
            () = tokio::time::sleep(HEARTBEAT_EVERY) => {}
            () = changed.notified() => {}
        }
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".to_string())
}

/// A name unique among workers: host, process, start time.
fn worker_id() -> String {
    let host: String = host_name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{host}-{}-{}",
        std::process::id(),
        manifest::now_ms() % 100_000
    )
}
