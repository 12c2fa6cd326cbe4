//! `foldc serve` as clients meet it: the real binary on a loopback port,
//! spoken to over HTTP. Each file is one concern: the routes and their
//! errors, the OpenAPI document against the routes (and schemathesis
//! against the document), the safety limits,
//! subscriptions, durability, explanations during an insert, read-only
//! serving, load.

#[path = "../common/mod.rs"]
mod common;

mod changes;
mod client;
mod concurrency;
mod durability;
mod explain_during_insert;
mod load;
mod openapi;
mod read_only;
mod routes;
mod safety;
mod schemathesis;

use std::path::Path;

/// A folder with the transitive-closure program and its first edge.
pub fn tc_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("tc.fold"), common::TC).expect("write");
    std::fs::write(dir.path().join("edge.csv"), "src,dst\n1,2\n").expect("write");
    dir
}

/// The CSV text of edges `(a, b)`.
pub fn edges_csv(edges: &[(i64, i64)]) -> String {
    let mut s = String::from("src,dst\n");
    for (a, b) in edges {
        s.push_str(&format!("{a},{b}\n"));
    }
    s
}

/// What `foldc export` writes of the database in `dir`, by file.
pub fn exported(dir: &Path, out: &str) -> std::collections::BTreeMap<String, String> {
    common::ok(&["export", "tc.fold", "--db", "db", "--out", out], dir);
    common::dir_texts(&dir.join(out)).expect("exported")
}

/// What one clean run over `edges` writes.
pub fn clean_run(
    dir: &Path,
    edges: &[(i64, i64)],
    out: &str,
) -> std::collections::BTreeMap<String, String> {
    let file = format!("{out}.csv");
    std::fs::write(dir.join(&file), edges_csv(edges)).expect("write");
    let input = format!("edge={file}");
    common::ok(
        &["run", "tc.fold", "--input", &input, "--out", out, "-q"],
        dir,
    );
    common::dir_texts(&dir.join(out)).expect("run")
}
