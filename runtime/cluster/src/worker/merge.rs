//! Merge tasks: two databases of a job merged into one and published.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::AckKind;
use futures::StreamExt;

use fold_runtime::merge::merge_databases;

use super::chunks::Held;
use super::publish::Upload;
use super::{ack_all, download, JobCtx, Worker};
use crate::fault;
use crate::manifest::{self, MergeTask};
use crate::pack;

impl Worker<'_> {
    /// Take one merge task, if one is waiting, and do it.
    pub(super) async fn take_merge(&mut self, ctx: &Arc<JobCtx>) -> Result<bool, String> {
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
}
