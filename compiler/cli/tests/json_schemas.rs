//! Every `--format json` output validates against its schema in
//! `schemas/` (JSON Schema 2020-12): real output of the real binary, on the
//! tour example (run, test, explain, merge, stats) and on every ui case
//! (diagnostics), so a field added or renamed without its schema fails.

use std::path::{Path, PathBuf};

mod common;

use common::{copy_files, foldc, ok, text};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The schema `schemas/NAME.json`, compiled (itself checked against the
/// 2020-12 meta-schema).
fn schema(name: &str) -> jsonschema::Validator {
    let path = workspace().join("schemas").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("the schema file");
    let value: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    if let Err(e) = jsonschema::meta::validate(&value) {
        panic!("{name}.json is not a valid JSON Schema: {e}");
    }
    jsonschema::draft202012::new(&value).unwrap_or_else(|e| panic!("{name}.json: {e}"))
}

/// Assert that every line of `stdout` is one JSON value the schema
/// accepts; returns the values.
fn valid(name: &str, stdout: &[u8]) -> Vec<serde_json::Value> {
    let validator = schema(name);
    let stdout = text(stdout);
    let mut values = Vec::new();
    for line in stdout.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {}\n{line}", errors.join("\n"));
        values.push(value);
    }
    assert!(!values.is_empty(), "{name}: no output");
    values
}

/// The tour example in a scratch folder.
fn tour() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_files(&workspace().join("examples/tour"), dir.path());
    dir
}

#[test]
fn run_test_explain_merge_and_stats_match_their_schemas() {
    let dir = tour();
    let d = dir.path();
    let run = &valid(
        "run",
        &ok(&["run", "tour.fold", "--db", "a", "--format", "json"], d).stdout,
    )[0];
    assert!(run["rounds"].as_u64().unwrap_or(0) > 0, "{run}");
    assert_eq!(run["categories"]["reach"], 9, "{run}");
    let interp = &valid(
        "run",
        &ok(
            &[
                "run",
                "tour.fold",
                "--backend",
                "interp",
                "--format",
                "json",
            ],
            d,
        )
        .stdout,
    )[0];
    assert_eq!(interp["backend"]["kind"], "interp");

    let test = &valid(
        "test",
        &ok(&["test", "tour.fold", "--format", "json"], d).stdout,
    )[0];
    assert_eq!(test["failed"], 0, "{test}");

    let explain = &valid(
        "explain",
        &ok(
            &[
                "explain",
                "tour.fold",
                "--db",
                "a",
                "reach(1, 3)",
                "--format",
                "json",
            ],
            d,
        )
        .stdout,
    )[0];
    assert_eq!(explain["tree"]["fact"], "reach(1, 3)");
    assert_eq!(explain["tree"]["reason"]["kind"], "rule");
    let shallow = &valid(
        "explain",
        &ok(
            &[
                "explain",
                "tour.fold",
                "--db",
                "a",
                "reach(1, 3)",
                "--depth",
                "0",
                "--format",
                "json",
            ],
            d,
        )
        .stdout,
    )[0];
    assert_eq!(shallow["tree"]["truncated"], true, "{shallow}");

    std::fs::write(d.join("more.csv"), "src,dst\n7,8\n3,7\n").expect("more edges");
    ok(
        &[
            "run",
            "tour.fold",
            "--db",
            "b",
            "-q",
            "--input",
            "edge=more.csv",
        ],
        d,
    );
    let merge = &valid(
        "merge",
        &ok(
            &[
                "merge",
                "tour.fold",
                "a",
                "b",
                "--into",
                "c",
                "--format",
                "json",
            ],
            d,
        )
        .stdout,
    )[0];
    // The first handler is the Datalog rule `reach(x, y) :- edge(x, y).`,
    // named by its line in the example.
    let tour = std::fs::read_to_string(workspace().join("examples/tour/tour.fold"))
        .expect("the tour example");
    let line = tour
        .lines()
        .position(|l| l.starts_with("reach(x, y) :- edge(x, y)."))
        .expect("the tour's first reach rule")
        + 1;
    assert_eq!(
        merge["record"]["handlers"][0]["rule"],
        format!("reach@{line}").as_str(),
        "{merge}"
    );

    let stats = &valid(
        "stats",
        &ok(&["stats", "--db", "c", "--format", "json"], d).stdout,
    )[0];
    assert_eq!(stats["merges"].as_array().map(Vec::len), Some(1));
    assert!(
        stats["stats"]["handlers"][0]["faults_by_kind"]["division_by_zero"].is_u64(),
        "{stats}"
    );
}

#[test]
fn a_failing_example_matches_the_test_schema() {
    let dir = tour();
    let d = dir.path();
    let src = std::fs::read_to_string(d.join("tour.fold")).expect("tour");
    std::fs::write(
        d.join("failing.fold"),
        format!("{src}\nexample extend hit: reach(1, 2), edge(2, 3) => reach(1, 4)\n"),
    )
    .expect("write");
    let out = foldc(&["test", "failing.fold", "--format", "json"], d);
    assert_eq!(out.status.code(), Some(1));
    let test = &valid("test", &out.stdout)[0];
    assert_eq!(test["failed"], 1, "{test}");
    assert!(test["examples"]
        .as_array()
        .is_some_and(|e| e.iter().any(|e| e["failure"].is_string())));
}

#[test]
fn every_ui_case_prints_diagnostics_matching_the_schema() {
    let ui = workspace().join("tests/ui");
    let mut seen = 0;
    for case in fold_tests::files_with_suffix(&ui, ".fold")
        .into_iter()
        .chain(fold_tests::files_with_suffix(&ui, ".dl"))
    {
        let dir = case.parent().expect("a case folder");
        let name = case.file_name().expect("a case file").to_string_lossy();
        let out = foldc(&["check", &name, "--format", "json"], dir);
        let diagnostics = valid("diagnostic", &out.stdout);
        seen += diagnostics.len();
        for d in &diagnostics {
            let spans = d["spans"].as_array().expect("spans");
            assert_eq!(spans[0]["is_primary"], true, "{d}");
            assert_eq!(spans[0]["line_start"], d["line"], "{d}");
        }
    }
    assert!(seen > 60, "only {seen} diagnostics in the ui corpus");
}
