//! `foldc serve PROG --db DIR`: the database brought up to date as
//! `foldc run --db` would (the program's inputs and facts, an interrupted
//! run finished), or with `--read-only` opened as it is without writing
//! to it, then served over HTTP by [`fold_serve`]: counts,
//! indexed queries, inserts (durable when answered), explanations,
//! counters, metrics and subscriptions; the routes are listed in its
//! OpenAPI document at `/openapi.json` and in the README.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fold_runtime::RunOptions;

use crate::backend;
use crate::db_run::{self, DbArgs};
use crate::source::Program;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program that writes the database.
    program: PathBuf,
    /// The database (created if new, as by `foldc run --db`).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// The port to listen on (0 for any free port; the one taken is
    /// printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on (`0.0.0.0` for every interface: then set
    /// a token).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Worker threads for the runs (default: one per core; at most 1024).
    #[arg(long, default_value_t = 0, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    threads: usize,
    /// A bearer token that writes need (`Authorization: Bearer TOKEN`).
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_file")]
    token: Option<String>,
    /// A file holding the token (its first line).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Reads need the token too.
    #[arg(long)]
    token_reads: bool,
    /// Allow inserting facts into categories that rules derive (else 409).
    #[arg(long)]
    allow_derived_inserts: bool,
    /// Another host name requests may be addressed to (repeatable); by
    /// default, on loopback: localhost, 127.0.0.1 and [::1]; elsewhere:
    /// any.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// An origin allowed to write besides the service's own
    /// (`https://app.example`; repeatable).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Connections open at once at most; more are answered 503.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Queries running at once at most (default: one per core).
    #[arg(long, default_value_t = 0)]
    readers: usize,
    /// The largest request body, in bytes (413 past it).
    #[arg(long, default_value_t = 64 << 20)]
    max_body: u64,
    /// Seconds a read may take (503 past it).
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Seconds a client may take to send a request's headers or body
    /// (408 for a body), and an idle connection stays open.
    #[arg(long, default_value_t = 10)]
    client_timeout: u64,
    /// Seconds an insert may take before the client is answered 503 (it
    /// still commits).
    #[arg(long, default_value_t = 600)]
    insert_timeout: u64,
    /// Open the database without writing to it (read-only media, no
    /// write permission, a full disk, beside a writer): every read is
    /// served as of its last finished run, inserts are refused (405), and
    /// the program's inputs are not loaded.
    #[arg(long)]
    read_only: bool,
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = Arc::new(program.checked_plan("nothing was served")?);
    let inputs = crate::run::inputs(&plan, &[])?;
    let opts = RunOptions {
        threads: args.threads,
        quiet: true,
    };
    let name = program.display_name();
    let db = DbArgs {
        dir: &args.db,
        program: &name,
        fresh: false,
        checkpoint_ms: None,
    };
    let token = match (&args.token, &args.token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read the token file `{}`: {e}", file.display()))?;
            let token = text.lines().next().unwrap_or("").trim().to_string();
            if token.is_empty() {
                return Err(format!("the token file `{}` is empty", file.display()));
            }
            Some(token)
        }
        (None, None) => None,
    };
    let mut hosts = args.allow_host.clone();
    if args.host.is_loopback() {
        hosts.extend(["localhost", "127.0.0.1", "[::1]"].map(String::from));
    }
    let database = if args.read_only {
        let snapshot = fold_runtime::db::Snapshot::open(&args.db, Arc::clone(&plan), &name, None)
            .map_err(|e| e.to_string())?;
        if !snapshot.restored.complete {
            crate::db_run::warn_unfinished(&args.db, "serving");
        }
        fold_serve::Database::ReadOnly(snapshot)
    } else {
        let (natives, _) = backend::compile(&plan, backend::Backend::Jit);
        let (session, _, _) = db_run::update(&plan, natives, &db, &inputs, &opts)?;
        fold_serve::Database::Writable(session)
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = fold_serve::Options {
        host: args.host,
        port: args.port,
        name: args.db.display().to_string(),
        program: name.clone(),
        limits: fold_serve::Limits {
            max_body: args.max_body,
            body_timeout: Duration::from_secs(args.client_timeout),
            request_timeout: Duration::from_secs(args.request_timeout),
            insert_timeout: Duration::from_secs(args.insert_timeout),
            token,
            token_reads: args.token_reads,
            allow_derived: args.allow_derived_inserts,
            hosts,
            origins: args.allow_origin.clone(),
        },
        max_connections: args.max_connections,
        readers: if args.readers == 0 {
            cores
        } else {
            args.readers
        },
        header_timeout: Duration::from_secs(args.client_timeout),
        run: opts,
        queue: 64,
    };
    let ast = program.compiled.ast.clone();
    let parse_fact = Box::new(move |text: &str| {
        fold_compiler::parse_fact(text, &ast).map_err(|diagnostics| {
            let why: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
            format!("`{text}` is not a fact of the program: {}", why.join("; "))
        })
    });
    let explain_plan = Arc::clone(&plan);
    let explain = Box::new(
        move |engine: &fold_runtime::Engine, db: &mut fold_runtime::db::Db, cat, tuple: &[u64]| {
            crate::explain::tree(&explain_plan, &name, engine, db, cat, tuple, None)
                .map_err(|e| e.replace(" in database `{db}`", " in the database"))
        },
    );
    fold_serve::serve(plan, database, options, parse_fact, explain)?;
    Ok(ExitCode::SUCCESS)
}
