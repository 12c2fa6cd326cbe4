//! A worker's sign of life in the workers bucket, and its name.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::manifest::{self, Heartbeat};
use crate::nats::Conn;

/// How often a worker heartbeats.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

pub(super) async fn heartbeat(
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
pub(super) fn worker_id() -> String {
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
