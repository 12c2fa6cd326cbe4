//! `foldc submit`, `worker`, `collect` and `cluster status` against a real
//! nats-server (see `cluster_support`): the export of a job equals the
//! export of `foldc run --out`, byte for byte, with one or three workers,
//! after more input is submitted to a finished job, and the status says
//! what happened.

mod cluster_support;

use cluster_support::*;

fn reach() -> std::path::PathBuf {
    example("reachability").join("reach.fold")
}

/// Submit reachability in chunks of `rows`, run `workers` workers, and
/// compare with one run.
fn reachability_on(workers: usize, rows: &str, batch: &str) {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let prog = reach();
    submit(
        &server.url(),
        &prog,
        "reach",
        &[
            "--chunk-rows",
            rows,
            "--batch-size",
            batch,
            "--timeout",
            "300ms",
            "--ack-wait",
            "2s",
        ],
    );
    let _w: Vec<Worker> = (0..workers)
        .map(|i| Worker::start(&server, &tmp.path().join(format!("w{i}")), &[]))
        .collect();
    collect_out(&server, "reach", &tmp.path().join("out"));
    single_run(&prog, &[], &tmp.path().join("single"));
    assert_same(
        &tmp.path().join("single"),
        &tmp.path().join("out"),
        "reachability",
    );

    // Collecting a finished job again gives it as an ordinary database.
    let db = tmp.path().join("db");
    foldc_ok(&[
        "collect",
        "reach",
        "--server",
        &server.url(),
        "--db",
        db.to_str().unwrap(),
    ]);
    let exported = tmp.path().join("exported");
    foldc_ok(&[
        "export",
        prog.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--out",
        exported.to_str().unwrap(),
    ]);
    assert_same(
        &tmp.path().join("single"),
        &exported,
        "the collected database",
    );
}

#[test]
fn reachability_one_worker_equals_a_single_run() {
    reachability_on(1, "40", "2");
}

#[test]
fn reachability_three_workers_equal_a_single_run() {
    reachability_on(3, "25", "1");
}

#[test]
fn more_input_to_a_finished_job_is_merged_into_its_result() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prog = reach();
    let edges = std::fs::read_to_string(example("reachability").join("edge.csv")).unwrap();
    let mut lines = edges.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (first, second) = rows.split_at(rows.len() / 2);
    for (name, part) in [("first.csv", first), ("second.csv", second)] {
        std::fs::write(d.join(name), format!("{header}\n{}\n", part.join("\n"))).unwrap();
    }
    let submit_edges = |file: &str| {
        let input = format!("edge={}", d.join(file).display());
        let settings = [
            "--input",
            &input,
            "--chunk-rows",
            "60",
            "--timeout",
            "300ms",
        ];
        submit(&server.url(), &prog, "grow", &settings);
    };
    let _w: Vec<Worker> = (0..2)
        .map(|i| Worker::start(&server, &d.join(format!("w{i}")), &[]))
        .collect();
    submit_edges("first.csv");
    collect_out(&server, "grow", &d.join("out1"));
    let half = format!("edge={}", d.join("first.csv").display());
    single_run(&prog, &["--input".into(), half], &d.join("single1"));
    assert_same(&d.join("single1"), &d.join("out1"), "first half");

    submit_edges("second.csv");
    collect_out(&server, "grow", &d.join("out2"));
    single_run(&prog, &[], &d.join("single2"));
    assert_same(&d.join("single2"), &d.join("out2"), "both halves");

    // The status says the job is finished, in JSON for programs.
    let out = foldc_ok(&[
        "cluster",
        "status",
        "grow",
        "--server",
        &server.url(),
        "--format",
        "json",
    ]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status is JSON");
    let job = &status["jobs"][0];
    assert_eq!(job["job"], "grow");
    assert_eq!(job["finished"], true);
    assert_eq!(job["databases_live"], 1);
    assert_eq!(job["merges_pending"], 0);
    assert_eq!(job["chunks_pending"], 0);
    assert!(job["merges_done"].as_u64().unwrap() >= 1, "{job}");
    assert_eq!(job["chunks"], job["chunks_done"]);
    let workers = status["workers"].as_array().unwrap();
    assert_eq!(workers.len(), 2, "{status}");
    assert!(workers.iter().all(|w| w["alive"] == true), "{status}");
    let text = foldc_ok(&["cluster", "status", "--server", &server.url()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("job grow (reach.fold): finished"), "{text}");
    assert!(text.contains("workers: 2 alive, 0 stale"), "{text}");
}

#[test]
fn private_input_is_not_submitted_and_a_program_without_input_runs() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("scratch.csv"), "id\n1\n2\n").unwrap();
    std::fs::write(
        d.join("p.fold"),
        "private data scratch(id: int)\ndata seen(id: int)\ninput scratch from \"scratch.csv\"\n\
         output seen\nseen(x) :- scratch(x).\n",
    )
    .unwrap();
    let out = std::process::Command::new(foldc_path())
        .args([
            "submit",
            d.join("p.fold").to_str().unwrap(),
            "--server",
            &server.url(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`scratch` is private"), "{err}");

    // Facts written in the program: one chunk without input runs them.
    std::fs::write(
        d.join("q.fold"),
        "data n(x: int)\noutput n\nn(1).\nn(2).\nn(y) :- n(x), y = x + 2, y < 9.\n",
    )
    .unwrap();
    foldc_ok(&[
        "submit",
        d.join("q.fold").to_str().unwrap(),
        "--server",
        &server.url(),
        "--timeout",
        "200ms",
    ]);
    let _w = Worker::start(&server, &d.join("w"), &[]);
    collect_out(&server, "q", &d.join("out"));
    single_run(&d.join("q.fold"), &[], &d.join("single"));
    assert_same(&d.join("single"), &d.join("out"), "program facts");
}

#[test]
fn text_folding_square_found_only_when_two_books_meet_in_a_merge() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prog = example("text-folding").join("text-folding.fold");
    let case = example("text-folding").join("cases/merge-both");
    let input = format!("book={}", case.join("books.csv").display());
    // One book per chunk and per database: neither database holds the
    // square; only their merge can find it.
    foldc_ok(&[
        "submit",
        prog.to_str().unwrap(),
        "--server",
        &server.url(),
        "--job",
        "tf",
        "--input",
        &input,
        "--chunk-rows",
        "1",
        "--batch-size",
        "1",
        "--batch-count",
        "1",
        "--timeout",
        "200ms",
    ]);
    let _w: Vec<Worker> = (0..2)
        .map(|i| Worker::start(&server, &d.join(format!("w{i}")), &[]))
        .collect();
    collect_out(&server, "tf", &d.join("out"));
    assert_same(
        &case.join("expected"),
        &d.join("out"),
        "text folding, merge-both",
    );
    let ortho = std::fs::read_to_string(d.join("out/ortho.csv")).unwrap();
    assert!(
        ortho.contains("a\"\", \"\"b\"\", \"\"c\"\", \"\"d"),
        "the square is missing:\n{ortho}"
    );
    let out = foldc_ok(&[
        "cluster",
        "status",
        "tf",
        "--server",
        &server.url(),
        "--format",
        "json",
    ]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["jobs"][0]["merges_done"], 1, "{status}");
    assert_eq!(status["jobs"][0]["chunks"], 2, "{status}");
}

#[test]
fn a_chunk_that_does_not_load_is_poison_and_named() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n2,3\n3,x\n4,5\n").unwrap();
    let input = format!("edge={}", d.join("edge.csv").display());
    foldc_ok(&[
        "submit",
        reach().to_str().unwrap(),
        "--server",
        &server.url(),
        "--job",
        "bad",
        "--input",
        &input,
        "--chunk-rows",
        "2",
        "--timeout",
        "200ms",
    ]);
    let _w = Worker::start(&server, &d.join("w"), &[]);
    let out = std::process::Command::new(foldc_path())
        .args([
            "collect",
            "bad",
            "--server",
            &server.url(),
            "--wait",
            "--out",
        ])
        .arg(d.join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("job `bad` cannot finish: poison chunks"),
        "{err}"
    );
    assert!(err.contains("chunk 1:"), "{err}");
    assert!(
        !d.join("out").exists(),
        "nothing is exported from an unfinished job"
    );
    let st = foldc_ok(&[
        "cluster",
        "status",
        "bad",
        "--server",
        &server.url(),
        "--format",
        "json",
    ]);
    let status: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    let poison = &status["jobs"][0]["poison"];
    assert_eq!(poison.as_array().map(Vec::len), Some(1), "{status}");
    assert_eq!(poison[0]["chunk"], 1);
    assert_eq!(poison[0]["failed"], true);
}

#[test]
fn a_worker_that_stops_heartbeating_is_stale() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut w = Worker::start(&server, &tmp.path().join("w"), &[]);
    let status = || {
        let out = foldc_ok(&[
            "cluster",
            "status",
            "--server",
            &server.url(),
            "--format",
            "json",
        ]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while status()["workers"].as_array().map_or(0, Vec::len) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never heartbeat"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(status()["workers"][0]["alive"], true);
    w.kill();
    std::thread::sleep(std::time::Duration::from_millis(6_500));
    let st = status();
    assert_eq!(st["workers"][0]["alive"], false, "{st}");
    let text = foldc_ok(&["cluster", "status", "--server", &server.url()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("no jobs") && text.contains("workers: 0 alive, 1 stale"),
        "{text}"
    );
}

#[test]
fn a_removed_job_leaves_nothing_and_its_name_is_free() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prog = reach();
    let submit_gone = || {
        let settings = ["--chunk-rows", "100", "--timeout", "300ms"];
        submit(&server.url(), &prog, "gone", &settings);
    };
    submit_gone();
    let _w = Worker::start(&server, &d.join("w"), &[]);
    collect_out(&server, "gone", &d.join("out1"));
    let out = foldc_ok(&["cluster", "remove", "gone", "--server", &server.url()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("job gone: removed") && said.contains("and its stream"),
        "{said}"
    );
    let status = foldc_ok(&[
        "cluster",
        "status",
        "--server",
        &server.url(),
        "--format",
        "json",
    ]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["jobs"].as_array().map(Vec::len), Some(0), "{status}");
    // Removing it again says there is no such job.
    let again = std::process::Command::new(foldc_path())
        .args(["cluster", "remove", "gone", "--server", &server.url()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("no job `gone`"));
    // The name is free: a new job under it runs from scratch.
    submit_gone();
    collect_out(&server, "gone", &d.join("out2"));
    single_run(&prog, &[], &d.join("single"));
    assert_same(
        &d.join("single"),
        &d.join("out2"),
        "the job submitted again",
    );
}
