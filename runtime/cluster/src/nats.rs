//! Connecting to the server and opening (or creating) a job's stream,
//! consumers, object store and the shared buckets. Creation is idempotent:
//! every command may be the first to touch a job.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, kv, object_store, stream};
use async_nats::HeaderMap;

use crate::layout::{self, Job};
use crate::manifest::{self, Manifest, Settings};

/// How long worker heartbeats live.
pub const HEARTBEAT_TTL: Duration = Duration::from_secs(15);

/// A connection with JetStream.
#[derive(Clone)]
pub struct Conn {
    pub js: jetstream::Context,
    pub jobs: kv::Store,
    pub workers: kv::Store,
}

/// Connect to `url` (or any of a comma-separated list of server URLs)
/// and open the shared buckets.
pub async fn connect(url: &str) -> Result<Conn, String> {
    let servers: Vec<&str> = url
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let client = async_nats::ConnectOptions::new()
        .name("foldc")
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .connect(servers)
        .await
        .map_err(|e| format!("cannot connect to the NATS server at `{url}`: {e}"))?;
    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(10));
    let jobs = key_value(&js, layout::JOBS_BUCKET, Duration::ZERO).await?;
    let workers = key_value(&js, layout::WORKERS_BUCKET, HEARTBEAT_TTL).await?;
    Ok(Conn { js, jobs, workers })
}

async fn key_value(
    js: &jetstream::Context,
    bucket: &str,
    ttl: Duration,
) -> Result<kv::Store, String> {
    if let Ok(store) = js.get_key_value(bucket).await {
        return Ok(store);
    }
    js.create_key_value(kv::Config {
        bucket: bucket.to_string(),
        history: 1,
        max_age: ttl,
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|e| format!("cannot create the key-value bucket `{bucket}`: {e}"))
}

/// One job's stream, consumers and object store.
#[derive(Clone)]
pub struct JobHandles {
    pub job: Job,
    pub chunks: consumer::PullConsumer,
    pub merges: consumer::PullConsumer,
    pub dbs: consumer::PullConsumer,
    pub objects: object_store::ObjectStore,
}

/// Open (creating what is missing) the stream, consumers and object store
/// of `job` under `settings`.
pub async fn open_job(conn: &Conn, job: &Job, settings: &Settings) -> Result<JobHandles, String> {
    let stream = conn
        .js
        .get_or_create_stream(stream::Config {
            name: job.stream(),
            subjects: vec![job.subjects()],
            retention: stream::RetentionPolicy::WorkQueue,
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("cannot open the stream of job `{}`: {e}", job.name))?;
    let ack_wait = Duration::from_millis(settings.ack_wait_ms);
    let make = |name: &str, subject: String| consumer::pull::Config {
        durable_name: Some(name.to_string()),
        filter_subject: subject,
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait,
        max_deliver: settings.max_deliver,
        ..Default::default()
    };
    let mut consumers = Vec::new();
    for (name, subject) in [
        (layout::CHUNKS_CONSUMER, job.chunk_subject()),
        (layout::MERGES_CONSUMER, job.merge_subject()),
        (layout::DBS_CONSUMER, job.db_subject()),
    ] {
        let c: consumer::PullConsumer = stream
            .get_or_create_consumer(name, make(name, subject))
            .await
            .map_err(|e| format!("cannot open consumer `{name}` of job `{}`: {e}", job.name))?;
        consumers.push(c);
    }
    let objects = match conn.js.get_object_store(job.objects()).await {
        Ok(store) => store,
        Err(_) => conn
            .js
            .create_object_store(object_store::Config {
                bucket: job.objects(),
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("cannot create the object store of job `{}`: {e}", job.name))?,
    };
    let dbs = consumers.pop();
    let merges = consumers.pop();
    let chunks = consumers.pop();
    match (chunks, merges, dbs) {
        (Some(chunks), Some(merges), Some(dbs)) => Ok(JobHandles {
            job: job.clone(),
            chunks,
            merges,
            dbs,
            objects,
        }),
        _ => Err("internal: consumers missing".to_string()),
    }
}

/// The manifest of `job`, with its revision (for compare-and-set).
pub async fn manifest(conn: &Conn, job: &Job) -> Result<Option<(Manifest, u64)>, String> {
    let entry = conn
        .jobs
        .entry(job.manifest_key())
        .await
        .map_err(|e| format!("cannot read the manifest of job `{}`: {e}", job.name))?;
    match entry {
        Some(e) if e.operation == kv::Operation::Put => {
            let m: Manifest =
                manifest::parse(&e.value, &format!("the manifest of job `{}`", job.name))?;
            Ok(Some((m, e.revision)))
        }
        _ => Ok(None),
    }
}

/// Publish `payload` on `subject` with the deduplication id `msg_id` and
/// wait for the server to store it.
pub async fn publish(
    conn: &Conn,
    subject: String,
    msg_id: &str,
    payload: Vec<u8>,
) -> Result<(), String> {
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", msg_id);
    let ack = conn
        .js
        .publish_with_headers(subject.clone(), headers, payload.into())
        .await
        .map_err(|e| format!("cannot publish on `{subject}`: {e}"))?;
    ack.await
        .map_err(|e| format!("the server did not store the message on `{subject}`: {e}"))?;
    Ok(())
}
