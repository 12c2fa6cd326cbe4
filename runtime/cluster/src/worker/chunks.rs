//! Chunk events: batches run into one local state, published when the
//! queue drains, and acked only then.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use futures::StreamExt;

use fold_runtime::plan::CatId;

use super::publish::Upload;
use super::{ack_all, download, JobCtx, Worker};
use crate::fault;
use crate::local::{self, Local};
use crate::manifest::{self, Chunk, Manifest, WholeInput};
use crate::parts::ShardLayout;

impl Worker<'_> {
    /// Take batches of chunk events into one local database and publish it.
    pub(super) async fn take_chunks(&mut self, ctx: &Arc<JobCtx>) -> Result<bool, String> {
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

/// Messages a worker holds: the server is told they are in progress every
/// third of the ack wait, until they are acked.
pub(super) struct Held {
    msgs: Arc<Mutex<Vec<jetstream::Message>>>,
    ticker: tokio::task::JoinHandle<()>,
}

impl Held {
    pub(super) fn new(msgs: Vec<jetstream::Message>, manifest: &Manifest) -> Held {
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

    pub(super) fn stop(&self) -> Vec<jetstream::Message> {
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
