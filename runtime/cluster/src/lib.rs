//! foldc on a cluster: identical, stateless workers sharing one NATS
//! JetStream server (or cluster), and nothing else.
//!
//! - [`submit`] splits a job's inputs into chunks on CSV record boundaries,
//!   stores them in the job's object store, records the manifest (the
//!   program travels in it) and publishes one event per chunk on the job's
//!   work-queue stream.
//! - [`worker`] fetches batches of chunk events, runs them incrementally
//!   into a local database ([`fold_runtime::db::Session`]), and when its
//!   fetch comes back empty (or after the batch count) uploads that
//!   database and publishes a database event; it also takes merge tasks
//!   ([`fold_runtime::merge::merge_databases`]).
//! - [`collect`] is the coordinator: it keeps the live databases with their
//!   chunk sets in the job's state record, drops those another covers,
//!   pairs the two smallest into a merge task, and when one database holds
//!   every chunk, downloads it.
//! - [`status`] reads consumers, the state record and heartbeats.
//!
//! Why the result equals one machine's run: a database over batches equals
//! one run over their union (incremental runs); merging two databases
//! equals one run over both inputs; facts are sets, so a chunk that is
//! processed twice (redelivery) changes nothing. Every message is acked
//! only after what it caused is durable on the server, so a process killed
//! at any point loses nothing ([`fault`] names the points).

pub mod collect;
pub mod exports;
pub mod fault;
mod layout;
mod local;
pub mod manifest;
mod nats;
mod pack;
pub mod parts;
mod program;
pub mod remove;
mod shard;
mod split;
pub mod status;
pub mod submit;
pub mod worker;

pub use layout::valid_job_name;

/// Run `work` on a tokio runtime of one thread (blocking work goes to
/// tokio's blocking pool, so heartbeats go on meanwhile).
fn block_on<T>(work: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(work)
}

/// Parse a duration such as `500ms`, `2s`, `1m` or a plain number of
/// seconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, scale_ms) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1e3)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60e3)
    } else {
        (t, 1e3)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(std::time::Duration::from_millis(
            (v * scale_ms).round() as u64,
        )),
        _ => Err(format!(
            "`{text}`: expected a duration such as 500ms, 2s or 1m"
        )),
    }
}
