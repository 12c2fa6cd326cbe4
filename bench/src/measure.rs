//! Runs one child process and measures it from the outside: wall time from
//! spawn to exit, CPU time and peak resident set size. A small wrapper
//! process runs each engine as its only child and reads `RUSAGE_CHILDREN`,
//! so each engine's memory is its own (and no `unsafe` is needed).

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};

pub struct Finished {
    /// `Some(code)` on a normal exit, `None` when killed by a signal.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub wall: Duration,
    /// User plus system CPU time of the child (all its threads).
    pub cpu: Duration,
    /// `ru_maxrss` of the child, in KiB (Linux units).
    pub max_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// A one-line reason for a failed run.
    pub fn failure(&self) -> String {
        let last = self
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let how = if self.timed_out {
            "timed out".to_string()
        } else if let Some(sig) = self.signal {
            format!("killed by signal {sig}")
        } else {
            format!("exit {}", self.code.unwrap_or(-1))
        };
        if last.is_empty() {
            how
        } else {
            format!("{how}: {last}")
        }
    }
}

/// Spawns `cmd` with captured output and waits for it, killing it after
/// `timeout`. The command runs under a small wrapper (this binary's hidden
/// `measure` subcommand) whose only child it is, so the wrapper's
/// `RUSAGE_CHILDREN` is exactly that command's peak memory and CPU time.
pub fn run(cmd: Command, timeout: Duration) -> std::io::Result<Finished> {
    let report = tempfile_path()?;
    let mut wrapper = Command::new(std::env::current_exe()?);
    wrapper
        .arg("measure")
        .arg("--timeout-ms")
        .arg(timeout.as_millis().to_string())
        .arg("--report")
        .arg(&report)
        .arg("--")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        wrapper.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapper.env(k, v),
            None => wrapper.env_remove(k),
        };
    }
    wrapper
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = wrapper.spawn()?;
    let output = child.wait_with_output()?;
    let text = std::fs::read_to_string(&report);
    let _ = std::fs::remove_file(&report);
    let text = text
        .map_err(|e| std::io::Error::other(format!("the measuring wrapper left no report: {e}")))?;
    let mut f = Report::parse(&text)
        .ok_or_else(|| std::io::Error::other(format!("bad measurement report `{text}`")))?;
    f.stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    f.stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    Ok(f)
}

fn tempfile_path() -> std::io::Result<std::path::PathBuf> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(std::env::temp_dir().join(format!("fold-bench-measure-{}-{n}", std::process::id())))
}

/// The wrapper's report: one line of numbers.
struct Report;

impl Report {
    fn write(f: &Finished) -> String {
        format!(
            "{} {} {} {} {} {}\n",
            f.code.map_or(-1, i64::from),
            f.signal.map_or(-1, i64::from),
            u8::from(f.timed_out),
            f.wall.as_nanos(),
            f.cpu.as_nanos(),
            f.max_rss_kib
        )
    }

    fn parse(text: &str) -> Option<Finished> {
        let v: Vec<i128> = text
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if v.len() != 6 {
            return None;
        }
        let opt = |x: i128| (x >= 0).then_some(x as i32);
        Some(Finished {
            code: opt(v[0]),
            signal: opt(v[1]),
            timed_out: v[2] != 0,
            wall: Duration::from_nanos(v[3] as u64),
            cpu: Duration::from_nanos(v[4] as u64),
            max_rss_kib: v[5] as u64,
            stdout: String::new(),
            stderr: String::new(),
        })
    }
}

/// Arguments of the hidden `measure` subcommand.
#[derive(clap::Args, Debug)]
pub struct MeasureArgs {
    #[arg(long)]
    timeout_ms: u64,
    #[arg(long)]
    report: std::path::PathBuf,
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// The wrapper: run the command (inheriting stdio), kill it after the
/// timeout, then report its status, wall and CPU time, and peak RSS.
pub fn wrapper_main(args: &MeasureArgs) -> Result<(), String> {
    use std::os::unix::process::ExitStatusExt;
    let (program, rest) = args.command.split_first().ok_or("nothing to measure")?;
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    let deadline = start + Duration::from_millis(args.timeout_ms);
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline && !timed_out {
            timed_out = true;
            let _ = child.kill();
        }
        thread::sleep(Duration::from_millis(2));
    };
    let wall = start.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| e.to_string())?;
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    let f = Finished {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        wall,
        cpu: tv(usage.user_time()) + tv(usage.system_time()),
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        stdout: String::new(),
        stderr: String::new(),
    };
    std::fs::write(&args.report, Report::write(&f)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run the wrapper in-process (the test binary has no `measure`
    /// subcommand) and read its report back.
    fn measure(command: &[&str], timeout_ms: u64) -> Finished {
        let report = tempfile_path().unwrap();
        let args = MeasureArgs {
            timeout_ms,
            report: report.clone(),
            command: command.iter().map(|s| s.to_string()).collect(),
        };
        wrapper_main(&args).unwrap();
        let f = Report::parse(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let _ = std::fs::remove_file(report);
        f
    }

    #[test]
    fn measures_a_child() {
        let f = measure(&["sh", "-c", "exit 3"], 30_000);
        assert_eq!(f.code, Some(3));
        assert!(!f.timed_out);
        assert!(f.max_rss_kib > 0);
    }

    #[test]
    fn kills_on_timeout() {
        let f = measure(&["sleep", "30"], 200);
        assert!(f.timed_out);
        assert_eq!(f.signal, Some(9));
        assert!(f.wall < Duration::from_secs(10));
    }

    #[test]
    fn failure_names_the_last_stderr_line() {
        let f = Finished {
            code: Some(3),
            signal: None,
            timed_out: false,
            wall: Duration::ZERO,
            cpu: Duration::ZERO,
            max_rss_kib: 1,
            stdout: "hi\n".into(),
            stderr: "oops\n\n".into(),
        };
        assert_eq!(f.failure(), "exit 3: oops");
    }
}
