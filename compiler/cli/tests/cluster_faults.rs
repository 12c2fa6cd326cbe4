//! Faults lose nothing: a worker aborted at each fault point (after a
//! fetch, after an upload, after publishing, mid-merge, after publishing
//! a merge), the collector aborted and restarted, nats-server killed and
//! restarted on its store, and workers killed at random moments (seeded)
//! all end in the export of a single run, byte for byte. The fault points
//! are the `FOLD_FAULT` points of `fold_cluster::fault`; each runs at its
//! first and its second reaching.

mod cluster_support;
mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cluster_support::*;
use common::Rng;

/// Reachability in 13 chunks, two batches of two per local database: a
/// few databases, so a few merges.
fn submit(server: &Server, job: &str) {
    submit_in(server, job, "30");
}

/// Reachability in chunks of `rows` records.
fn submit_in(server: &Server, job: &str, rows: &str) {
    let prog = example("reachability").join("reach.fold");
    cluster_support::submit(
        &server.url(),
        &prog,
        job,
        &[
            "--chunk-rows",
            rows,
            "--batch-size",
            "2",
            "--batch-count",
            "2",
            "--timeout",
            "300ms",
            "--ack-wait",
            "1s",
        ],
    );
}

fn single(d: &Path) {
    single_run(
        &example("reachability").join("reach.fold"),
        &[],
        &d.join("single"),
    );
}

fn spawn_collect(server: &Server, job: &str, out: &Path, fault: Option<&str>) -> Child {
    let mut cmd = Command::new(foldc_path());
    cmd.args(["collect", job, "--server", &server.url(), "--wait", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(f) = fault {
        cmd.env("FOLD_FAULT", f);
    }
    cmd.spawn().expect("collect starts")
}

/// Wait for `child` to exit within `limit`; whether it succeeded.
fn wait_for(child: &mut Child, limit: Duration, what: &str) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A worker aborted at `point` (its `count`-th reaching) while alone, then
/// a healthy worker finishes the job.
fn worker_fault(point: &str, count: u32) {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    submit(&server, "f");
    let mut collect = spawn_collect(&server, "f", &d.join("out"), None);
    let fault = format!("{point}:{count}");
    let mut doomed = Worker::start(&server, &d.join("doomed"), &[("FOLD_FAULT", &fault)]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !doomed.exited() {
        assert!(
            Instant::now() < deadline,
            "the worker never reached fault point {fault}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _healthy = Worker::start(&server, &d.join("healthy"), &[]);
    let ok = wait_for(&mut collect, Duration::from_secs(120), "collect");
    assert!(ok, "collect failed after fault {fault}");
    single(d);
    assert_same(&d.join("single"), &d.join("out"), &fault);
}

/// The collector aborted at `point`, then run again.
fn collector_fault(point: &str, count: u32) {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    submit(&server, "c");
    let _w: Vec<Worker> = (0..2)
        .map(|i| Worker::start(&server, &d.join(format!("w{i}")), &[]))
        .collect();
    let fault = format!("{point}:{count}");
    let mut doomed = spawn_collect(&server, "c", &d.join("out"), Some(&fault));
    let ok = wait_for(&mut doomed, Duration::from_secs(60), "the faulty collect");
    assert!(!ok, "collect never reached fault point {fault}");
    collect_out(&server, "c", &d.join("out"));
    single(d);
    assert_same(&d.join("single"), &d.join("out"), &fault);
}

#[test]
fn worker_killed_after_a_fetch() {
    worker_fault("worker.after-fetch", 1);
    worker_fault("worker.after-fetch", 2);
}

#[test]
fn worker_killed_after_an_upload() {
    worker_fault("worker.after-upload", 1);
    worker_fault("worker.after-upload", 2);
}

#[test]
fn worker_killed_after_publishing() {
    worker_fault("worker.after-publish", 1);
    worker_fault("worker.after-publish", 2);
}

#[test]
fn worker_killed_mid_merge() {
    worker_fault("merge.mid", 1);
    worker_fault("merge.mid", 2);
}

#[test]
fn worker_killed_after_publishing_a_merge() {
    worker_fault("merge.after-publish", 1);
    worker_fault("merge.after-publish", 2);
}

#[test]
fn collector_killed_after_publishing_a_task() {
    collector_fault("collect.after-task", 1);
    collector_fault("collect.after-task", 2);
}

#[test]
fn collector_killed_after_saving_its_state() {
    collector_fault("collect.after-state", 1);
    collector_fault("collect.after-state", 3);
}

#[test]
fn nats_server_killed_and_restarted_on_its_store() {
    let mut server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Chunks of 5 records (73 chunks, about 18 databases and as many
    // merges): the job is still running when the server goes down.
    submit_in(&server, "s", "5");
    let _w: Vec<Worker> = (0..2)
        .map(|i| Worker::start(&server, &d.join(format!("w{i}")), &[]))
        .collect();
    let mut collect = spawn_collect(&server, "s", &d.join("out"), None);
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        matches!(collect.try_wait(), Ok(None)),
        "the job ended before the server was killed"
    );
    server.kill_and_restart(Duration::from_millis(800));
    let ok = wait_for(&mut collect, Duration::from_secs(120), "collect");
    assert!(ok, "collect failed across the server's restart");
    single(d);
    assert_same(&d.join("single"), &d.join("out"), "server restart");
}

#[test]
fn workers_killed_at_random_moments() {
    let seed: u64 = std::env::var("FOLD_CLUSTER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(17);
    let mut rng = Rng(seed);
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Small chunks: the job lasts long enough for the kills to land in it.
    submit_in(&server, "r", "8");
    let mut started = 0;
    let start = |started: &mut usize| {
        *started += 1;
        Worker::start(&server, &d.join(format!("w{started}")), &[])
    };
    let mut workers: Vec<Worker> = (0..3).map(|_| start(&mut started)).collect();
    let mut collect = spawn_collect(&server, "r", &d.join("out"), None);
    // At most four kills within about five seconds.
    let mut kills = 0;
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(150 + rng.next() % 1000));
        if let Ok(Some(_)) = collect.try_wait() {
            break;
        }
        let victim = (rng.next() % workers.len() as u64) as usize;
        workers[victim].kill();
        kills += 1;
        workers[victim] = start(&mut started);
    }
    assert!(
        kills > 0,
        "the job ended before any worker was killed (seed {seed})"
    );
    let ok = wait_for(&mut collect, Duration::from_secs(120), "collect");
    assert!(ok, "collect failed (seed {seed})");
    single(d);
    assert_same(
        &d.join("single"),
        &d.join("out"),
        &format!("random kills, seed {seed}"),
    );
}
