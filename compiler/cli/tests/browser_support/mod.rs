//! A real browser for the report tests: Debian's `chromium`, headless.
//! `FOLD_CHROMIUM` names one; else `chromium` on the PATH; else it is
//! installed with `apt-get install -y chromium` (once, under a file lock
//! in `target/tools`: the tests run as root with the package registry
//! reachable, as CI does). When none can be had the test fails, saying
//! why: it is never skipped.
#![allow(dead_code)]

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn tools_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("tools")
}

fn works(browser: &Path) -> bool {
    Command::new(browser)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The chromium binary (see the module docs); panics with what to do
/// when there is none.
pub fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("FOLD_CHROMIUM") {
        return PathBuf::from(p);
    }
    let on_path = PathBuf::from("chromium");
    if works(&on_path) {
        return on_path;
    }
    let tools = tools_dir();
    std::fs::create_dir_all(&tools).expect("create target/tools");
    let lock = File::create(tools.join("chromium.lock")).expect("create the install lock");
    lock.lock().expect("take the install lock");
    let mut why = String::new();
    if !works(&on_path) {
        for args in [
            &["update", "-q"][..],
            &["install", "-y", "-q", "chromium"][..],
        ] {
            match Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdin(Stdio::null())
                .output()
            {
                Ok(out) if out.status.success() => {}
                Ok(out) => {
                    why = format!(
                        "`apt-get {}` failed: {}",
                        args.join(" "),
                        String::from_utf8_lossy(&out.stderr).trim()
                    );
                    break;
                }
                Err(e) => {
                    why = format!("cannot run apt-get: {e}");
                    break;
                }
            }
        }
    }
    drop(lock);
    if works(&on_path) {
        return on_path;
    }
    panic!(
        "the report tests need a real browser and none could be had: {why}; install Debian's \
         `chromium` (apt-get install -y chromium) or set FOLD_CHROMIUM to a chromium binary"
    );
}

/// Run headless chromium on `page` with `extra` arguments (a screenshot,
/// or the DOM dumped on stdout), with the flags that work as root in a
/// container, its profile in `profile`. Fails the test when it does not
/// finish within two minutes.
pub fn headless(browser: &Path, profile: &Path, page: &Path, extra: &[&str]) -> Output {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Read both pipes on threads: a DOM is bigger than a pipe's buffer.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish rendering {url} in two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().expect("stdout read"),
        stderr: err.join().expect("stderr read"),
    }
}
