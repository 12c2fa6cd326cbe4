//! `foldc report` on every example of the repository: each run's report
//! draws its event graph (the layout places every example's graph) with
//! a node per category and rule of the program.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{foldc, ok, text};

#[test]
fn every_example_report_draws_its_event_graph() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut programs: Vec<_> = std::fs::read_dir(&examples)
        .expect("examples")
        .filter_map(|e| {
            let dir = e.ok()?.path();
            let name = dir.file_name()?.to_string_lossy().into_owned();
            let prog = std::fs::read_dir(&dir)
                .ok()?
                .filter_map(|f| f.ok().map(|f| f.path()))
                .find(|p| p.extension().is_some_and(|x| x == "fold"))?;
            Some((name, prog))
        })
        .collect();
    programs.sort();
    assert!(programs.len() >= 5, "{programs:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for (name, prog) in &programs {
        let db = format!("{name}.db");
        let page = format!("{name}.html");
        ok(&["run", &prog.to_string_lossy(), "--db", &db, "-q"], d);
        ok(&["report", "--db", &db, "--out", &page], d);
        let html = std::fs::read_to_string(d.join(&page)).expect("report");
        assert!(!html.contains("No graph"), "{name}: no graph drawn");
        let out = foldc(&["stats", "--db", &db, "--format", "json"], d);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let names = |kind: &str| -> BTreeSet<String> {
            let tag = format!("<g class=\"node {kind}\" id=\"node-");
            html.match_indices(&tag)
                .filter_map(|(i, _)| {
                    let rest = &html[i..];
                    let at = rest.find("data-name=\"")? + 11;
                    let end = rest[at..].find('"')?;
                    Some(rest[at..at + end].to_string())
                })
                .collect()
        };
        let categories: BTreeSet<String> = stats["rows"]
            .as_object()
            .expect("rows")
            .keys()
            .cloned()
            .collect();
        let rules: BTreeSet<String> = stats["stats"]["handlers"]
            .as_array()
            .expect("handlers")
            .iter()
            .map(|h| h["rule"].as_str().expect("rule").to_string())
            .collect();
        assert_eq!(names("category"), categories, "{name}");
        assert_eq!(names("rule"), rules, "{name}");
    }
}
