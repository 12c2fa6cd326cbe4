//! Starting, accepting and stopping: the listener, the connection limit,
//! the writer thread and a graceful stop on SIGTERM or Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use fold_runtime::db::{Session, Snapshot};
use fold_runtime::plan::Plan;
use fold_runtime::RunOptions;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

use crate::app::{App, Limits, ParseFact};
use crate::committed::Explanations;
use crate::metrics::Metrics;
use crate::view::{self, Published};
use crate::writer::{self, Explain, Writer};

/// How long a stop waits for open connections to finish their requests.
const DRAIN: Duration = Duration::from_secs(30);

/// How to serve.
pub struct Options {
    /// The address to listen on.
    pub host: IpAddr,
    /// The port (0: any free one; the one taken is printed).
    pub port: u16,
    /// The database's name in the first line printed.
    pub name: String,
    /// The program's name, as the database records it.
    pub program: String,
    /// Timeouts, sizes and who may ask.
    pub limits: Limits,
    /// Connections open at once at most; more are answered 503.
    pub max_connections: usize,
    /// Queries running at once at most (the evaluation pool for reads).
    pub readers: usize,
    /// How long a client may take to send a request's headers (and how
    /// long an idle connection stays open).
    pub header_timeout: Duration,
    /// How the writer runs the rules.
    pub run: RunOptions,
    /// Inserts queued behind the running one at most (more wait to queue).
    pub queue: usize,
}

/// The database served.
pub enum Database {
    /// Open to write: inserts are taken.
    Writable(Session),
    /// Opened read-only (`--read-only`): nothing in it is written, and
    /// inserts are refused.
    ReadOnly(Snapshot),
}

/// Serve `database` until SIGTERM or Ctrl-C; then let running requests
/// finish and close the database.
pub fn serve(
    plan: Arc<Plan>,
    database: Database,
    options: Options,
    parse_fact: Box<ParseFact>,
    explain: Box<Explain>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
        .build()
        .map_err(|e| format!("cannot start the service's threads: {e}"))?;
    let metrics = Arc::new(Metrics::new().map_err(|e| format!("metrics: {e}"))?);
    let (first, session, explanations) = match database {
        Database::Writable(session) => {
            let first = view::snapshot(&plan, session.engine(), None, &[]);
            let explanations =
                Explanations::staged(Arc::clone(&plan), options.program.clone(), explain);
            writer::stage(&explanations, session.dir(), 0);
            (first, Some(session), explanations)
        }
        Database::ReadOnly(snapshot) => {
            let first = view::snapshot(&plan, &snapshot.engine, None, &[]);
            let explanations = Explanations::fixed(Arc::clone(&plan), snapshot, explain);
            (first, None, explanations)
        }
    };
    let read_only = session.is_none();
    let explanations = Arc::new(explanations);
    metrics.committed(&plan, &first);
    let total = first.total();
    let published = Arc::new(Published::new(first));
    let (commits_tx, commits) = watch::channel(0u64);
    let (shutdown_tx, shutdown) = watch::channel(false);
    let (jobs_tx, jobs) = mpsc::channel(options.queue.max(1));
    let derived = (0..plan.categories.len())
        .map(|c| {
            plan.strata
                .iter()
                .any(|s| s.categories.iter().any(|d| d.index() == c))
        })
        .collect();
    let (failed_tx, failed) = watch::channel(false);
    // With `--read-only` no writer runs: the jobs' receiver goes, and the
    // failure flag is kept (never raised) until the service stops.
    let (writer, _never_failed) = match session {
        Some(session) => {
            let writer = Writer {
                plan: Arc::clone(&plan),
                session,
                opts: options.run.clone(),
                published: Arc::clone(&published),
                commits: commits_tx,
                metrics: Arc::clone(&metrics),
                explanations: Arc::clone(&explanations),
            };
            let thread = std::thread::Builder::new()
                .name("serve-writer".to_string())
                .spawn(move || {
                    let result = writer.run(jobs);
                    if result.is_err() {
                        let _ = failed_tx.send(true);
                    }
                    result
                })
                .map_err(|e| format!("cannot start the writer: {e}"))?;
            (Some(thread), None)
        }
        None => {
            drop(jobs);
            (None, Some((failed_tx, commits_tx)))
        }
    };
    let app = Arc::new(App {
        plan,
        published,
        jobs: jobs_tx,
        commits,
        shutdown,
        metrics,
        limits: options.limits,
        derived,
        parse_fact,
        readers: Semaphore::new(options.readers.max(1)),
        read_only,
        explanations,
        explaining: Semaphore::new(1),
    });
    let addr = SocketAddr::new(options.host, options.port);
    let served = runtime.block_on(async {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        eprintln!(
            "foldc serve: database `{}`{} ({total} facts) on http://{bound} \
             (routes: /openapi.json; SIGTERM or Ctrl-C stops)",
            options.name,
            if read_only { " read-only" } else { "" }
        );
        if !options.host.is_loopback() && app.limits.token.is_none() && !read_only {
            eprintln!(
                "foldc serve: warning: listening on {} without a token: anyone who reaches \
                 it can insert facts (--token or --token-file)",
                options.host
            );
        }
        accept(
            listener,
            Arc::clone(&app),
            options.max_connections.max(1),
            options.header_timeout,
            shutdown_tx,
            failed,
        )
        .await;
        Ok::<(), String>(())
    });
    // The router's copies are gone with the connections: the last sender
    // of jobs goes now, and the writer finishes what is queued.
    drop(app);
    runtime.shutdown_timeout(Duration::from_secs(5));
    let written = match writer {
        Some(writer) => writer
            .join()
            .unwrap_or_else(|_| Err("the writer failed".to_string())),
        None => Ok(()),
    };
    served.and(written)
}

/// Accept connections until a stop signal, then wait for the open ones
/// to finish their requests.
async fn accept(
    listener: TcpListener,
    app: Arc<App>,
    max: usize,
    header_timeout: Duration,
    shutdown: watch::Sender<bool>,
    mut failed: watch::Receiver<bool>,
) {
    let router = crate::routes::router(Arc::clone(&app));
    let slots = Arc::new(Semaphore::new(max));
    let (stop_tx, stop) = watch::channel(false);
    let mut connections = JoinSet::new();
    let signal = stop_signal();
    tokio::pin!(signal);
    loop {
        tokio::select! {
            _ = &mut signal => break,
            // The store could not be written: what was answered stays,
            // and the service stops rather than refuse every insert.
            _ = failed.wait_for(|f| *f) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match Arc::clone(&slots).try_acquire_owned() {
                    Ok(slot) => {
                        let service = TowerToHyperService::new(router.clone());
                        let stop = stop.clone();
                        connections.spawn(async move {
                            connection(stream, service, header_timeout, stop).await;
                            drop(slot);
                        });
                    }
                    Err(_) => {
                        connections.spawn(refuse(stream));
                    }
                },
                Err(e) => {
                    // Out of descriptors or memory: refuse for a moment,
                    // never for good.
                    eprintln!("foldc serve: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Subscriptions end; running requests finish, idle connections close.
    let _ = shutdown.send(true);
    let _ = stop_tx.send(true);
    drop(router);
    drop(app);
    let drained = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        // A client that reads nothing: its connection goes. The writer
        // still runs every insert queued before it closes the database.
        eprintln!(
            "foldc serve: {} connections still open after {} s; closing them",
            connections.len(),
            DRAIN.as_secs()
        );
        connections.abort_all();
    }
}

async fn connection(
    stream: TcpStream,
    service: TowerToHyperService<axum::Router>,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Answer 503 to a connection over the limit and close it.
async fn refuse(mut stream: TcpStream) {
    let body = "{\"error\":\"too many connections; try again\"}\n";
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(reply.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// SIGTERM or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
