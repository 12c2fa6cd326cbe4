//! `foldc collect`: the coordinator of a job, and the download of its
//! result.
//!
//! It takes database events from the job's durable consumer and keeps the
//! live databases with their chunk sets in the job's state record: an
//! event whose chunk set a live database (or a pending merge's result)
//! covers is dropped (a duplicate from redelivery); one that covers live
//! databases replaces them; the result of a merge closes its task. Each
//! event is acked only after the state that holds it is saved, and the
//! two smallest live databases are paired into a merge task (published
//! with a deduplication id, then saved), until one database holds every
//! chunk of the manifest and no merge is outstanding. Everything it knows
//! is on the server, so a collector killed at any point is restarted by
//! running it again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use futures::StreamExt;

use fold_runtime::db::Snapshot;

use crate::fault;
use crate::layout::Job;
use crate::manifest::{self, DbEvent, DbRef, Manifest, MergeTask, State};
use crate::nats::{self, Conn, JobHandles};
use crate::pack;
use crate::parts::ShardLayout;
use crate::program;
use crate::worker::download;

/// What to collect.
pub struct CollectOptions {
    pub job: String,
    pub server: String,
    /// Download the result as a database here (must not exist).
    pub db: Option<PathBuf>,
    /// Export the result's outputs here.
    pub out: Option<PathBuf>,
    /// Coordinate until the job is final (else one pass).
    pub wait: bool,
}

/// What collecting found.
#[derive(Debug)]
pub struct Collected {
    /// Whether the job was final (and the result written).
    pub finished: bool,
    pub state: State,
    /// Chunks in the manifest.
    pub chunks: usize,
    /// Bytes of the result's object (of every shard's exports, for a
    /// sharded job collected with `--out`).
    pub bytes: u64,
    /// For a sharded job collected with `--out`: the k-way merge of the
    /// shards' exports, and how long downloading and merging took.
    pub shards_merged: Option<(crate::exports::Merged, Duration)>,
}

/// Collect a job (see the module docs).
pub fn collect(opts: &CollectOptions) -> Result<Collected, String> {
    if let Some(db) = &opts.db {
        if db.symlink_metadata().is_ok() {
            return Err(format!(
                "`{}` already exists; collect writes a new database (name a new directory)",
                db.display()
            ));
        }
    }
    let job = Job::new(&opts.job)?;
    crate::block_on(async {
        let conn = nats::connect(&opts.server).await?;
        let Some((manifest, _)) = nats::manifest(&conn, &job).await? else {
            return Err(format!("no job `{}` on `{}`", job.name, opts.server));
        };
        let handles = nats::open_job(&conn, &job, &manifest.settings).await?;
        let mut c = Coordinator {
            conn,
            handles,
            manifest,
            state: State::default(),
            revision: None,
        };
        c.load().await?;
        let mut failures = 0;
        loop {
            match c.pass(opts).await {
                Ok(Pass::Finished(collected)) => return Ok(collected),
                Ok(Pass::Unfinished(collected, 0)) if !opts.wait => return Ok(collected),
                Ok(Pass::Unfinished(..)) => failures = 0,
                Err(Failed::Fatal(e)) => return Err(e),
                Err(Failed::Retry(e)) if opts.wait && failures < RETRIES => {
                    // The server may be restarting: start over from what it
                    // keeps.
                    failures += 1;
                    eprintln!("collect: {e}; trying again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if let Err(e) = c.load().await {
                        eprintln!("collect: {e}");
                    }
                }
                Err(Failed::Retry(e)) => return Err(e),
            }
        }
    })
}

/// Passes that may fail in a row (about a second apart) while waiting.
const RETRIES: u32 = 120;

/// What one pass of the coordinator found.
enum Pass {
    Finished(Collected),
    /// Not finished; `handled` events were taken.
    Unfinished(Collected, usize),
}

/// Why a pass failed.
enum Failed {
    /// Trying again cannot help (poison chunks, writing the result).
    Fatal(String),
    /// The server may be away for a while.
    Retry(String),
}

struct Coordinator {
    conn: Conn,
    handles: JobHandles,
    manifest: Manifest,
    state: State,
    /// The state record's revision (`None`: not yet written).
    revision: Option<u64>,
}

impl Coordinator {
    /// Take the waiting events, pair, and download the result when final.
    async fn pass(&mut self, opts: &CollectOptions) -> Result<Pass, Failed> {
        // A later submit may have added chunks.
        if let Some((m, _)) = nats::manifest(&self.conn, &self.handles.job)
            .await
            .map_err(Failed::Retry)?
        {
            self.manifest = m;
        }
        // A sharded job collected as exports merges no database.
        let exports_mode = match &self.manifest.split {
            Some(spec) if opts.db.is_some() && !spec.databases => {
                return Err(Failed::Fatal(format!(
                    "job `{}` is sharded and its workers upload sorted exports, not databases: \
                     collect it with --out DIR, or submit it with --databases to collect a \
                     database",
                    self.handles.job.name
                )))
            }
            Some(_) => opts.db.is_none(),
            None => false,
        };
        if !exports_mode {
            self.pair().await.map_err(Failed::Retry)?;
        }
        let handled = self.take_events(opts.wait).await.map_err(Failed::Retry)?;
        if !exports_mode {
            self.pair().await.map_err(Failed::Retry)?;
        }
        self.check_poison().await?;
        let all = self.manifest.chunk_set();
        let collected = |bytes, finished, state: &State| Collected {
            finished,
            state: state.clone(),
            chunks: all.len(),
            bytes,
            shards_merged: None,
        };
        if exports_mode {
            if let Some(shards) = self.state.exports_cover(&all) {
                let started = std::time::Instant::now();
                let (bytes, merged) = self
                    .merge_exports(&shards, opts)
                    .await
                    .map_err(Failed::Fatal)?;
                let mut done = collected(bytes, true, &self.state);
                done.shards_merged = Some((merged, started.elapsed()));
                return Ok(Pass::Finished(done));
            }
        }
        if let Some(result) = self
            .state
            .final_db(&all)
            .filter(|d| !exports_mode || d.exports.is_none())
            .cloned()
        {
            let bytes = self
                .download_result(&result, opts)
                .await
                .map_err(Failed::Fatal)?;
            return Ok(Pass::Finished(collected(bytes, true, &self.state)));
        }
        Ok(Pass::Unfinished(collected(0, false, &self.state), handled))
    }

    async fn load(&mut self) -> Result<(), String> {
        let key = self.handles.job.state_key();
        let entry = self.conn.jobs.entry(key.as_str()).await.map_err(|e| {
            format!(
                "cannot read the state of job `{}`: {e}",
                self.handles.job.name
            )
        })?;
        if let Some(e) = entry {
            if e.operation == jetstream::kv::Operation::Put {
                self.state = manifest::parse(
                    &e.value,
                    &format!("the state of job `{}`", self.handles.job.name),
                )?;
                self.revision = Some(e.revision);
            }
        }
        Ok(())
    }

    async fn save(&mut self) -> Result<(), String> {
        let key = self.handles.job.state_key();
        let bytes = manifest::to_bytes(&self.state);
        let result = match self.revision {
            None => self
                .conn
                .jobs
                .create(key.as_str(), bytes.into())
                .await
                .map_err(|e| e.to_string()),
            Some(r) => self
                .conn
                .jobs
                .update(key.as_str(), bytes.into(), r)
                .await
                .map_err(|e| e.to_string()),
        };
        self.revision = Some(result.map_err(|e| {
            format!(
                "cannot save the state of job `{}` (is another collector running?): {e}",
                self.handles.job.name
            )
        })?);
        Ok(())
    }

    /// Pair the two smallest live databases while there are two.
    async fn pair(&mut self) -> Result<(), String> {
        while self.state.live.len() >= 2 {
            self.state
                .live
                .sort_by(|x, y| (x.bytes, &x.object).cmp(&(y.bytes, &y.object)));
            let task = MergeTask {
                a: self.state.live[0].clone(),
                b: self.state.live[1].clone(),
            };
            nats::publish(
                &self.conn,
                self.handles.job.merge_subject(),
                &task.msg_id(),
                manifest::to_bytes(&task),
            )
            .await?;
            fault::point("collect.after-task");
            self.state.live.drain(..2);
            self.state.merging.push(task);
            self.save().await?;
        }
        Ok(())
    }

    /// Take the database events waiting (waiting a little for them when
    /// `wait`); how many were handled.
    async fn take_events(&mut self, wait: bool) -> Result<usize, String> {
        let consumer = &self.handles.dbs;
        let fail = |e: &dyn std::fmt::Display| format!("cannot fetch database events: {e}");
        // What is waiting, at once; when nothing is and we may wait, the
        // first event to come (a bigger batch would be answered only when
        // full or expired, holding a finished job back for the expiry).
        let mut msgs: Vec<jetstream::Message> = Vec::new();
        let mut batch = consumer
            .fetch()
            .max_messages(64)
            .messages()
            .await
            .map_err(|e| fail(&e))?;
        while let Some(m) = batch.next().await {
            msgs.push(m.map_err(|e| fail(&e))?);
        }
        if msgs.is_empty() && wait {
            let mut batch = consumer
                .batch()
                .max_messages(1)
                .expires(Duration::from_millis(500))
                .messages()
                .await
                .map_err(|e| fail(&e))?;
            while let Some(m) = batch.next().await {
                msgs.push(m.map_err(|e| fail(&e))?);
            }
        }
        let n = msgs.len();
        for msg in msgs {
            let event: DbEvent = match manifest::parse(&msg.payload, "a database event") {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("collect: {e}; dropped");
                    let _ = msg.ack_with(AckKind::Term).await;
                    continue;
                }
            };
            if event.fingerprint != self.manifest.fingerprint {
                eprintln!(
                    "collect: database `{}` is of another program (fingerprint {}); dropped",
                    event.db.object, event.fingerprint
                );
                let _ = msg.ack_with(AckKind::Term).await;
                continue;
            }
            let gone = self.apply(&event);
            self.save().await?;
            fault::point("collect.after-state");
            msg.double_ack()
                .await
                .map_err(|e| format!("cannot ack a database event: {e}"))?;
            for object in gone {
                if !self.state.references(&object) {
                    let _ = self.handles.objects.delete(object.as_str()).await;
                }
            }
        }
        Ok(n)
    }

    /// Apply one database event to the state; the objects it may have
    /// made garbage.
    fn apply(&mut self, event: &DbEvent) -> Vec<String> {
        let mut gone = Vec::new();
        let state = &mut self.state;
        if let Some((a, b)) = &event.from {
            let before = state.merging.len();
            for t in &state.merging {
                if &t.a.object == a && &t.b.object == b {
                    gone.extend(t.a.objects());
                    gone.extend(t.b.objects());
                }
            }
            state
                .merging
                .retain(|t| !(&t.a.object == a && &t.b.object == b));
            if state.merging.len() < before {
                state.merged += 1;
            }
            gone.push(a.clone());
            gone.push(b.clone());
        }
        let db = &event.db;
        if state.covered(db) {
            state.dropped += 1;
            gone.extend(db.objects());
        } else {
            let (covered, kept): (Vec<DbRef>, Vec<DbRef>) =
                state.live.drain(..).partition(|d| db.covers(d));
            state.live = kept;
            state.dropped += covered.len() as u64;
            gone.extend(covered.into_iter().flat_map(|d| d.objects()));
            state.live.push(db.clone());
        }
        gone
    }

    /// Fail when a chunk was refused for good (it can never be covered).
    async fn check_poison(&self) -> Result<(), Failed> {
        let poison = poison_chunks(&self.conn, &self.handles.job)
            .await
            .map_err(Failed::Retry)?;
        let covered: BTreeSet<u32> = self
            .state
            .live
            .iter()
            .flat_map(|d| d.chunks.iter().copied())
            .collect();
        let failed: Vec<String> = poison
            .iter()
            .filter(|p| p.failed && !covered.contains(&p.chunk))
            .map(|p| format!("chunk {}: {}", p.chunk, p.why))
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Failed::Fatal(format!(
                "job `{}` cannot finish: poison chunks\n  {}",
                self.handles.job.name,
                failed.join("\n  ")
            )))
        }
    }

    /// Download the exports of `shards` and merge them k ways into the
    /// `--out` folder; the bytes downloaded and what the merge did.
    async fn merge_exports(
        &self,
        shards: &[DbRef],
        opts: &CollectOptions,
    ) -> Result<(u64, crate::exports::Merged), String> {
        let out = opts.out.clone().unwrap_or_else(|| PathBuf::from("."));
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let staging = parent.join(format!(".collect-shards-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .map_err(|e| format!("cannot clear `{}`: {e}", staging.display()))?;
        }
        let mut dirs = Vec::new();
        let mut bytes = 0;
        for (i, shard) in shards.iter().enumerate() {
            let Some(object) = &shard.exports else {
                return Err(format!("`{}` has no exports", shard.object));
            };
            let Some(packed) = download(&self.handles, object).await? else {
                return Err(format!(
                    "the exports `{object}` are missing from the server"
                ));
            };
            bytes += packed.len() as u64;
            let dir = staging.join(i.to_string());
            pack::unpack(&packed, &dir)?;
            dirs.push(dir);
        }
        let compiled = program::compile(&self.manifest.source, &self.manifest.program_name)?;
        let layout = match &self.manifest.split {
            Some(spec) if spec.ranged => Some(ShardLayout::new(&self.manifest.source, &spec.key)?),
            _ => None,
        };
        let all = self.manifest.chunk_set();
        let result = tokio::task::spawn_blocking(move || {
            let plan = &compiled.plan;
            let cats = crate::exports::public_outputs(plan);
            let merged = crate::exports::merge(plan, &cats, &dirs, &out, layout.as_ref(), &all);
            let _ = std::fs::remove_dir_all(&staging);
            merged
        })
        .await
        .map_err(|e| format!("merging the shards' exports stopped: {e}"))??;
        Ok((bytes, result))
    }

    async fn download_result(&self, result: &DbRef, opts: &CollectOptions) -> Result<u64, String> {
        let Some(bytes) = download(&self.handles, &result.object).await? else {
            return Err(format!(
                "the result `{}` is missing from the server",
                result.object
            ));
        };
        let size = bytes.len() as u64;
        let compiled = program::compile(&self.manifest.source, &self.manifest.program_name)?;
        let program_name = self.manifest.program_name.clone();
        let db = opts.db.clone();
        let out = opts.out.clone();
        tokio::task::spawn_blocking(move || {
            write_result(&bytes, &compiled.plan, &program_name, db, out)
        })
        .await
        .map_err(|e| format!("writing the result stopped: {e}"))??;
        Ok(size)
    }
}

/// Unpack the result beside its destination, then export its outputs
/// and/or move it into place.
fn write_result(
    bytes: &[u8],
    plan: &Arc<fold_runtime::plan::Plan>,
    program: &str,
    db: Option<PathBuf>,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let place = db
        .clone()
        .or_else(|| out.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let parent = place
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    let staging = parent.join(format!(
        ".{}.collect-{}",
        place
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .map_err(|e| format!("cannot clear `{}`: {e}", staging.display()))?;
    }
    pack::unpack(bytes, &staging)?;
    if let Some(out) = &out {
        let snapshot = Snapshot::open(&staging, plan.clone(), program, Some(&plan.outputs))
            .map_err(|e| e.to_string())?;
        snapshot
            .engine
            .write_outputs(out, &plan.outputs)
            .map_err(|e| e.to_string())?;
    }
    match db {
        Some(db) => std::fs::rename(&staging, &db)
            .map_err(|e| format!("cannot move the result to `{}`: {e}", db.display())),
        None => std::fs::remove_dir_all(&staging)
            .map_err(|e| format!("cannot remove `{}`: {e}", staging.display())),
    }
}

/// A chunk recorded as poison.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Poison {
    pub chunk: u32,
    pub why: String,
    /// Refused for good (else: seen at its last delivery).
    pub failed: bool,
}

/// The chunks of `job` recorded as poison.
pub(crate) async fn poison_chunks(conn: &Conn, job: &Job) -> Result<Vec<Poison>, String> {
    let prefix = job.poison_prefix();
    let mut keys = conn
        .jobs
        .keys()
        .await
        .map_err(|e| format!("cannot list keys: {e}"))?;
    let mut out = Vec::new();
    while let Some(key) = keys.next().await {
        let key = key.map_err(|e| format!("cannot list keys: {e}"))?;
        if !key.starts_with(&prefix) {
            continue;
        }
        if let Ok(Some(value)) = conn.jobs.get(key.as_str()).await {
            if let Ok(p) = manifest::parse::<Poison>(&value, "a poison record") {
                out.push(p);
            }
        }
    }
    out.sort_by_key(|p| p.chunk);
    Ok(out)
}
