//! `foldc submit`, `foldc worker`, `foldc collect` and `foldc cluster
//! status`: a job run by identical workers sharing a NATS JetStream
//! server. The work lives in `fold_cluster`; these parse arguments and
//! print.

use crate::format::Format;
use std::path::PathBuf;
use std::process::ExitCode;

use fold_cluster::collect::{collect, CollectOptions};
use fold_cluster::manifest::Settings;
use fold_cluster::parse_duration;
use fold_cluster::status::status;
use fold_cluster::submit::{submit, SubmitOptions};
use fold_cluster::worker::{worker, WorkerOptions};

use crate::out::{errln, out, outln};
use crate::Outcome;

#[derive(clap::Args)]
pub struct SubmitArgs {
    /// The program to run.
    program: PathBuf,
    /// The NATS server (`nats://host:4222`).
    #[arg(long, value_name = "URL")]
    server: String,
    /// The job's name (default: the program's file stem). Submitting again
    /// to a job adds input to it.
    #[arg(long, value_name = "NAME")]
    job: Option<String>,
    /// Read CAT's facts from FILE instead of the program's `input` lines
    /// (repeatable).
    #[arg(long = "input", value_name = "CAT=FILE")]
    inputs: Vec<String>,
    /// Records per chunk at most.
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    chunk_rows: usize,
    /// Chunks per fetch at most.
    #[arg(long, value_name = "N", default_value_t = 8)]
    batch_size: usize,
    /// Non-empty fetches one local database takes before it is written out.
    #[arg(long, value_name = "K", default_value_t = 1_000_000)]
    batch_count: usize,
    /// How long a worker's fetch waits for chunks (an empty fetch writes
    /// its database out).
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_duration)]
    timeout: std::time::Duration,
    /// How long a message stays with a worker that shows no progress
    /// before it is delivered again.
    #[arg(long, value_name = "DUR", default_value = "30s", value_parser = parse_duration)]
    ack_wait: std::time::Duration,
    /// Deliveries of a chunk at most; past it, the chunk is poison.
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_deliver: i64,
    /// Run as a sharded job: partition input CAT by ranges of FIELD into
    /// --shards chunks and give every other input whole to each shard.
    /// The program must decompose on the key (`foldc check --split`);
    /// `collect --out` then joins the shards' sorted exports (concatenated
    /// per shard where the order allows, else merged k ways), with no
    /// database merge.
    #[arg(long, value_name = "CAT.FIELD")]
    split: Option<String>,
    /// Shards of a sharded job (a worker takes them one at a time).
    #[arg(long, value_name = "N", default_value_t = 16, requires = "split",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    shards: u32,
    /// With --split: run a program that does not decompose on the key as
    /// a general job (databases merged) instead of refusing it.
    #[arg(long, requires = "split")]
    general: bool,
    /// With --split: workers upload their databases too, so that
    /// `collect --db` can build one database through the general merge
    /// (without it, only sorted exports of public categories leave a
    /// worker).
    #[arg(long, requires = "split")]
    databases: bool,
}

pub fn run_submit(args: SubmitArgs) -> Outcome {
    let opts = SubmitOptions {
        program: args.program,
        server: args.server,
        job: args.job,
        inputs: args.inputs,
        chunk_rows: args.chunk_rows,
        split: args.split,
        shards: args.shards,
        general: args.general,
        databases: args.databases,
        settings: Settings {
            batch_size: args.batch_size,
            batch_count: args.batch_count,
            timeout_ms: args.timeout.as_millis() as u64,
            ack_wait_ms: args.ack_wait.as_millis().max(1000) as u64,
            max_deliver: args.max_deliver,
        },
    };
    let submitted = submit(&opts)?;
    if let Some(why) = &submitted.general_because {
        errln!("{why}");
        errln!("running it as a general job (--general)");
    }
    let rows: u64 = submitted.chunks.iter().map(|c| c.rows).sum();
    if submitted.shards > 0 {
        outln!(
            "job {}: submitted {} shards ({rows} rows of the split input)",
            submitted.job,
            submitted.shards
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "job {}: {} {} chunks ({rows} rows)",
        submitted.job,
        if submitted.extended {
            "added"
        } else {
            "submitted"
        },
        submitted.chunks.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct WorkerArgs {
    /// The NATS server (`nats://host:4222`).
    #[arg(long, value_name = "URL")]
    server: String,
    /// Threads per run (default: one per core; at most 1024).
    #[arg(long, default_value_t = 0, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    threads: usize,
    /// Where local databases live (default: a folder in the system's
    /// temporary directory).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Stop after this long without work (default: run until stopped).
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    idle_exit: Option<std::time::Duration>,
}

pub fn run_worker(args: WorkerArgs) -> Outcome {
    let work_dir = args.work_dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("foldc-worker-{}", std::process::id()))
    });
    worker(&WorkerOptions {
        server: args.server,
        threads: args.threads,
        work_dir,
        idle_exit: args.idle_exit,
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct CollectArgs {
    /// The job.
    job: String,
    /// The NATS server (`nats://host:4222`).
    #[arg(long, value_name = "URL")]
    server: String,
    /// Write the result as a foldc database at DIR (must not exist).
    #[arg(long, value_name = "DIR", required_unless_present = "out")]
    db: Option<PathBuf>,
    /// Write the result's output categories as DIR/CAT.csv (sorted, the
    /// bytes `foldc run --out` writes).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Coordinate until the job is finished (without it: one pass, exit
    /// code 2 when the job is not finished yet).
    #[arg(long)]
    wait: bool,
}

pub fn run_collect(args: CollectArgs) -> Outcome {
    let collected = collect(&CollectOptions {
        job: args.job.clone(),
        server: args.server,
        db: args.db,
        out: args.out,
        wait: args.wait,
    })?;
    let s = &collected.state;
    if let (true, Some((merged, took))) = (collected.finished, &collected.shards_merged) {
        outln!(
            "job {}: finished: {} shards in {} exports ({} bytes), collected in {:.3} s \
             ({} categories concatenated, {} merged k ways): {} rows read, {} written",
            args.job,
            collected.chunks,
            s.live.len(),
            collected.bytes,
            took.as_secs_f64(),
            merged.concatenated,
            merged.merged,
            merged.rows_in,
            merged.rows_out
        );
        return Ok(ExitCode::SUCCESS);
    }
    if collected.finished {
        outln!(
            "job {}: finished: {} chunks, {} merges, {} databases dropped as covered; result {} bytes",
            args.job,
            collected.chunks,
            s.merged,
            s.dropped,
            collected.bytes
        );
        Ok(ExitCode::SUCCESS)
    } else {
        errln!(
            "job {}: not finished: {} live databases, {} merges pending ({} chunks in all); run \
             collect again, or with --wait",
            args.job,
            s.live.len(),
            s.merging.len(),
            collected.chunks
        );
        Ok(ExitCode::from(2))
    }
}

#[derive(clap::Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(clap::Subcommand)]
enum ClusterCommand {
    /// Chunks pending, in flight and redelivered, live databases, merges,
    /// poison chunks, and workers alive or stale.
    Status(StatusArgs),
    /// Delete everything a job keeps on the server (its manifest, state,
    /// queued events, chunks, databases and exports); its name is free
    /// again. Collect its result first: nothing of it is left.
    Remove(RemoveArgs),
}

#[derive(clap::Args)]
struct RemoveArgs {
    /// The job.
    job: String,
    /// The NATS server (`nats://host:4222`).
    #[arg(long, value_name = "URL")]
    server: String,
}

#[derive(clap::Args)]
struct StatusArgs {
    /// Only this job (default: every job).
    job: Option<String>,
    /// The NATS server (`nats://host:4222`).
    #[arg(long, value_name = "URL")]
    server: String,
    /// Text for people or JSON for programs.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run_cluster(args: ClusterArgs) -> Outcome {
    match args.command {
        ClusterCommand::Remove(a) => {
            let removed = fold_cluster::remove::remove(&a.server, &a.job)?;
            outln!(
                "job {}: removed {} records, {} objects{}",
                a.job,
                removed.records,
                removed.objects,
                if removed.stream {
                    " and its stream"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ClusterCommand::Status(a) => {
            let st = status(&a.server, a.job.as_deref())?;
            match a.format {
                Format::Text => out!("{}", st.render()),
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&st).map_err(|e| e.to_string())?
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
