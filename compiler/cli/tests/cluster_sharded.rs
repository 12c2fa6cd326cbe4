//! Sharded jobs (`foldc submit --split CAT.FIELD`) against a real
//! nats-server: the collected shards' exports equal `foldc run --out`
//! byte for byte with one and two workers, on multi-source reachability,
//! on spelling, and on a program with an output of every placement
//! (concatenated per shard, merged k ways, the same on every shard);
//! private shard-local state never leaves a
//! worker; `--databases` still gives one database through the general
//! merge; a program that does not decompose is refused with the rule
//! named, or runs as a general job with `--general`.

mod cluster_support;

use std::path::{Path, PathBuf};

use cluster_support::*;

fn reach_seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sharded/reach-seeds.fold")
}

fn every_placement() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sharded/every-placement.fold")
}

fn spelling() -> PathBuf {
    example("spelling").join("spelling.fold")
}

fn submit_split(server: &Server, prog: &Path, job: &str, key: &str, extra: &[&str]) {
    let mut settings = vec![
        "--split",
        key,
        "--shards",
        "5",
        "--batch-size",
        "1",
        "--ack-wait",
        "5s",
    ];
    settings.extend_from_slice(extra);
    let out = submit(&server.url(), prog, job, &settings);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("submitted 5 shards"), "{text}");
}

/// Run `prog` as a sharded job on `key` with `workers` workers and
/// compare the collected outputs with one run; what collect printed.
fn sharded_equals_single(prog: &Path, key: &str, workers: usize) -> String {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    submit_split(&server, prog, "job", key, &[]);
    let _w: Vec<Worker> = (0..workers)
        .map(|i| Worker::start(&server, &d.join(format!("w{i}")), &[]))
        .collect();
    let said = collect_out(&server, "job", &d.join("out"));
    single_run(prog, &[], &d.join("single"));
    assert_same(
        &d.join("single"),
        &d.join("out"),
        &format!("{key}, {workers} workers"),
    );
    said
}

#[test]
fn sharded_reachability_equals_a_single_run_with_one_and_two_workers() {
    sharded_equals_single(&reach_seeds(), "seed.s", 1);
    sharded_equals_single(&reach_seeds(), "seed.s", 2);
}

#[test]
fn every_placement_is_collected_as_a_single_run_writes_it() {
    for workers in [1, 2] {
        let said = sharded_equals_single(&every_placement(), "seed.s", workers);
        // `reach` sorts shard by shard and `sink` is the same on every
        // shard: no row of either is compared; `reached_from`, split on
        // its second field, is merged.
        assert!(
            said.contains("(2 categories concatenated, 1 merged k ways)"),
            "{said}"
        );
    }
}

#[test]
fn sharded_spelling_equals_a_single_run_and_private_state_stays_home() {
    sharded_equals_single(&spelling(), "typo.w", 2);

    // What the workers uploaded: exports of public outputs only (no `ed`,
    // which is private and split on the typo), cut per shard, and no
    // database.
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    submit_split(&server, &spelling(), "spell", "typo.w", &[]);
    let _w = Worker::start(&server, &tmp.path().join("w"), &[]);
    collect_out(&server, "spell", &tmp.path().join("out"));
    let objects = server_objects(&server.url(), "fold_spell");
    let exports: Vec<&(String, Vec<u8>)> = objects
        .iter()
        .filter(|(name, _)| name.starts_with("exports."))
        .collect();
    assert!(
        !exports.is_empty(),
        "no exports uploaded: {:?}",
        names(&objects)
    );
    assert!(
        objects.iter().all(|(name, _)| !name.starts_with("db.")),
        "a database left a worker: {:?}",
        names(&objects)
    );
    for (name, bytes) in exports {
        let mut archive = tar::Archive::new(bytes.as_slice());
        let files: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert!(
            files.iter().any(|f| f == "suggestion.parts/rows"),
            "{name}: {files:?}"
        );
        assert!(
            !files.iter().any(|f| f.starts_with("ed.")),
            "{name} carries private `ed`: {files:?}"
        );
    }
}

#[test]
fn a_sharded_job_with_databases_collects_one_database() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prog = reach_seeds();
    submit_split(&server, &prog, "dbs", "seed.s", &["--databases"]);
    let _w: Vec<Worker> = (0..2)
        .map(|i| Worker::start(&server, &d.join(format!("w{i}")), &[]))
        .collect();
    collect_out(&server, "dbs", &d.join("out"));
    single_run(&prog, &[], &d.join("single"));
    assert_same(
        &d.join("single"),
        &d.join("out"),
        "exports of a job with databases",
    );
    let db = d.join("db");
    foldc_ok(&[
        "collect",
        "dbs",
        "--server",
        &server.url(),
        "--wait",
        "--db",
        db.to_str().unwrap(),
    ]);
    let exported = d.join("exported");
    foldc_ok(&[
        "export",
        prog.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--out",
        exported.to_str().unwrap(),
    ]);
    assert_same(&d.join("single"), &exported, "the merged database");

    // Without --databases, asking for a database is refused, saying why.
    submit_split(&server, &prog, "nodb", "seed.s", &[]);
    let out = std::process::Command::new(foldc_path())
        .args(["collect", "nodb", "--server", &server.url(), "--db"])
        .arg(d.join("db2"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--databases"), "{err}");
}

#[test]
fn a_program_that_does_not_decompose_is_refused_or_runs_general() {
    let prog = example("points-to").join("andersen.fold");
    let err = refused_split(&prog, "assign.to");
    assert!(err.contains("E0801"), "{err}");
    assert!(err.contains("rule `points_to@30`"), "{err}");
    assert!(err.contains("andersen.fold:30:1"), "{err}");
    assert!(err.contains("does not decompose on `assign.to`"), "{err}");

    // A key that names no field is refused too (E0800).
    let err = refused_split(&prog, "assign.nope");
    assert!(
        err.contains("E0800") && err.contains("no field `nope`"),
        "{err}"
    );

    // With --general it runs as a general job, and equals one run.
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let out = foldc_ok(&[
        "submit",
        prog.to_str().unwrap(),
        "--server",
        &server.url(),
        "--job",
        "pts",
        "--split",
        "assign.to",
        "--general",
        "--chunk-rows",
        "20",
        "--timeout",
        "300ms",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("running it as a general job"), "{err}");
    let _w: Vec<Worker> = (0..2)
        .map(|i| Worker::start(&server, &tmp.path().join(format!("w{i}")), &[]))
        .collect();
    collect_out(&server, "pts", &tmp.path().join("out"));
    single_run(&prog, &[], &tmp.path().join("single"));
    assert_same(
        &tmp.path().join("single"),
        &tmp.path().join("out"),
        "general andersen",
    );
}

/// `foldc submit PROG --split KEY`, which must be refused (exit 1) before
/// anything reaches a server (none listens at the URL given); its stderr.
fn refused_split(prog: &Path, key: &str) -> String {
    let out = std::process::Command::new(foldc_path())
        .args([
            "submit",
            prog.to_str().unwrap(),
            "--server",
            "nats://127.0.0.1:9",
        ])
        .args(["--split", key])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

fn names(objects: &[(String, Vec<u8>)]) -> Vec<&str> {
    objects.iter().map(|(n, _)| n.as_str()).collect()
}

/// Every object of the object store `bucket`, with its bytes.
fn server_objects(url: &str, bucket: &str) -> Vec<(String, Vec<u8>)> {
    use futures::StreamExt;
    use tokio::io::AsyncReadExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let store = js.get_object_store(bucket).await.unwrap();
        let mut list = store.list().await.unwrap();
        let mut out = Vec::new();
        while let Some(info) = list.next().await {
            let info = info.unwrap();
            let mut obj = store.get(info.name.as_str()).await.unwrap();
            let mut bytes = Vec::new();
            obj.read_to_end(&mut bytes).await.unwrap();
            out.push((info.name.clone(), bytes));
        }
        out.sort();
        out
    })
}

#[test]
fn a_sharded_worker_killed_at_any_point_loses_nothing() {
    let prog = spelling();
    let tmp = tempfile::tempdir().unwrap();
    single_run(&prog, &[], &tmp.path().join("single"));
    // A worker fetches shard by shard but uploads once, when the queue
    // is empty: the second fetch is reachable, a second upload is not.
    let faults = [
        ("worker.after-fetch", 1),
        ("worker.after-fetch", 2),
        ("worker.after-upload", 1),
        ("worker.after-publish", 1),
    ];
    for (point, count) in faults {
        let fault = format!("{point}:{count}");
        let server = Server::start();
        let d = tmp.path().join(fault.replace([':', '.'], "-"));
        let url = server.url();
        foldc_ok(&[
            "submit",
            prog.to_str().unwrap(),
            "--server",
            &url,
            "--job",
            "f",
            "--split",
            "typo.w",
            "--shards",
            "5",
            "--batch-size",
            "1",
            "--ack-wait",
            "1s",
        ]);
        let mut faulty = Worker::start(&server, &d.join("faulty"), &[("FOLD_FAULT", &fault)]);
        // The faulty worker takes work first; the healthy one joins
        // after its crash (or after a while, when it never crashes).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !faulty.exited() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        assert!(
            faulty.exited(),
            "{fault}: the fault point was never reached"
        );
        let _healthy = Worker::start(&server, &d.join("healthy"), &[]);
        collect_out(&server, "f", &d.join("out"));
        assert_same(&tmp.path().join("single"), &d.join("out"), &fault);
    }
}
