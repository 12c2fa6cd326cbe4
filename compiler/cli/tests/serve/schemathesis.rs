//! Schemathesis (from PyPI) against the running service: it reads
//! `/openapi.json`, generates requests from it (examples, boundary
//! values, then random ones for a bounded time) and checks every reply
//! against the document: declared statuses, content types and schemas,
//! no server errors, schema-valid requests accepted and schema-violating
//! ones rejected, `Allow` on 405. The subscription stream never ends, so
//! it is left out (`openapi.rs` and `changes.rs` check it).
//!
//! Installed once into `target/tools/schemathesis` with `python3 -m pip`
//! (about 20 s), as the cluster tests install nats-server; when it cannot
//! be installed the test fails saying so. `FOLD_SCHEMATHESIS_SECONDS`
//! sets the time given to random requests (20 by default).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::client::Server;
use crate::tc_dir;

/// The pip requirement of the version the configuration is written for.
const REQUIREMENT: &str = "schemathesis==4.32.*";

fn tools_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("tools")
}

/// Where schemathesis is installed (installing it on first use).
fn installed() -> PathBuf {
    let tools = tools_dir();
    let dir = tools.join("schemathesis");
    let st = dir.join("bin/st");
    if st.is_file() {
        return dir;
    }
    std::fs::create_dir_all(&tools).expect("create target/tools");
    let lock = File::create(tools.join("schemathesis.lock")).expect("create the install lock");
    lock.lock().expect("take the install lock");
    let mut why = String::new();
    if !st.is_file() {
        match Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("--target")
            .arg(&dir)
            .arg(REQUIREMENT)
            .output()
        {
            Ok(out) if out.status.success() => {}
            Ok(out) => why = String::from_utf8_lossy(&out.stderr).into_owned(),
            Err(e) => why = format!("cannot run python3: {e}"),
        }
    }
    drop(lock);
    assert!(
        st.is_file(),
        "installing `{REQUIREMENT}` with `python3 -m pip install --target {}` failed: {}",
        dir.display(),
        why.trim()
    );
    dir
}

#[test]
fn schemathesis_finds_the_service_true_to_its_document() {
    let st = installed();
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &[]);
    let seconds = std::env::var("FOLD_SCHEMATHESIS_SECONDS").unwrap_or_else(|_| "20".into());
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/schemathesis.toml");
    let out = Command::new("python3")
        .arg(st.join("bin/st"))
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("http://127.0.0.1:{}/openapi.json", s.port))
        .args(["--checks", "all", "--max-time", &seconds, "--workers", "2"])
        .args(["--request-timeout", "10", "--seed", "2026"])
        .args(["--exclude-path", "/categories/{cat}/changes"])
        .env("PYTHONPATH", &st)
        .current_dir(dir.path())
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = report
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with(" generated") || l.contains(" generated, ") || l.starts_with("=="))
        .collect();
    eprintln!("schemathesis: {}", summary.join(" / "));
    assert!(
        out.status.success(),
        "schemathesis found the service untrue to its document:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("Tested: 13"), "{report}");
}
