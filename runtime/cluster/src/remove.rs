//! `foldc cluster remove JOB`: everything a job keeps on the server gone
//! (its manifest, state and poison records, its stream with the events
//! and tasks still queued, and its object store with the chunks, whole
//! inputs, databases and exports), for a job whose result was collected
//! or that is abandoned.
//!
//! The manifest goes first: workers find jobs by their manifests, so no
//! worker starts on the job again; one that is working on it meets a
//! missing stream, drops its local work and starts over. The job's name
//! is free again once the command returns.

use futures::StreamExt;

use crate::layout::Job;
use crate::nats;

/// What was removed.
#[derive(Debug, Default)]
pub struct Removed {
    /// Records deleted from the jobs bucket.
    pub records: usize,
    /// Objects in the job's store when it was deleted.
    pub objects: usize,
    pub stream: bool,
}

/// Remove job `name` from the server at `server` (see the module docs).
pub fn remove(server: &str, name: &str) -> Result<Removed, String> {
    let job = Job::new(name)?;
    crate::block_on(async {
        let conn = nats::connect(server).await?;
        if nats::manifest(&conn, &job).await?.is_none() {
            return Err(format!("no job `{name}` on `{server}`"));
        }
        let mut removed = Removed::default();
        conn.jobs
            .purge(job.manifest_key())
            .await
            .map_err(|e| format!("cannot remove the manifest of job `{name}`: {e}"))?;
        removed.records += 1;
        let mut keys = conn
            .jobs
            .keys()
            .await
            .map_err(|e| format!("cannot list the records of job `{name}`: {e}"))?;
        let mut own = Vec::new();
        while let Some(key) = keys.next().await {
            let key = key.map_err(|e| format!("cannot list the records of job `{name}`: {e}"))?;
            if key == job.state_key() || key.starts_with(&job.poison_prefix()) {
                own.push(key);
            }
        }
        for key in own {
            conn.jobs
                .purge(key.as_str())
                .await
                .map_err(|e| format!("cannot remove `{key}`: {e}"))?;
            removed.records += 1;
        }
        if let Ok(store) = conn.js.get_object_store(job.objects()).await {
            if let Ok(mut list) = store.list().await {
                while let Some(Ok(_)) = list.next().await {
                    removed.objects += 1;
                }
            }
            conn.js
                .delete_object_store(job.objects())
                .await
                .map_err(|e| format!("cannot remove the object store of job `{name}`: {e}"))?;
        }
        removed.stream = conn.js.delete_stream(job.stream()).await.is_ok();
        Ok(removed)
    })
}
