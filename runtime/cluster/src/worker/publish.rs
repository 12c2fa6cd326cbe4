//! Uploading what a worker made and publishing its database event.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{JobCtx, Worker};
use crate::fault;
use crate::manifest::{self, DbEvent, DbRef};
use crate::nats;
use crate::pack;

/// What a worker uploads: a database (packed without its cache), and for
/// a sharded job, its public categories' sorted exports.
pub(super) struct Upload<'a> {
    pub db: Option<&'a Path>,
    pub exports: Option<&'a Path>,
}

impl Worker<'_> {
    /// Pack and upload what a local database or merge hands back (see
    /// [`Upload`]) and publish its event.
    pub(super) async fn publish_db(
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
}
