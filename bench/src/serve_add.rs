//! Adding edges to a finished database through a running `foldc serve`:
//! the service holds the database in memory, so an insert costs the rules'
//! work and a durable checkpoint, not the process start and the load of
//! millions of facts that a `foldc run --db` pays first.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::workload::Pair;

/// The service, stopped when dropped (also on an error half-way).
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serve the database `db` of `program` (in `dir`) and insert each batch
/// of edges in turn; the seconds each insert took, from connecting to the
/// full reply (every insert is durable when answered).
pub fn insert_batches(
    foldc: &Path,
    dir: &Path,
    program: &str,
    db: &str,
    threads: &str,
    batches: &[Vec<Pair>],
) -> Result<Vec<f64>, String> {
    let child = Command::new(foldc)
        .args(["serve", program, "--db", db, "--port", "0"])
        .args(["--threads", threads])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", foldc.display()))?;
    let mut service = Service(child);
    let stderr = service
        .0
        .stderr
        .take()
        .ok_or("no stderr from foldc serve")?;
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .map_err(|e| format!("foldc serve: {e}"))?;
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("foldc serve did not start: {}", line.trim()))?;
    let mut times = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut body = String::from("src,dst\n");
        for (a, c) in batch {
            body.push_str(&format!("{a},{c}\n"));
        }
        let started = Instant::now();
        let reply = post(port, "/insert/edge", &body)?;
        times.push(started.elapsed().as_secs_f64());
        let expected = format!("\"new\":{}", batch.len());
        if !reply.starts_with("HTTP/1.1 200") || !reply.contains(&expected) {
            return Err(format!("an insert was not taken whole: {reply}"));
        }
    }
    Ok(times)
}

/// One POST; the whole reply, status line first.
fn post(port: u16, path: &str, body: &str) -> Result<String, String> {
    let fail = |e: std::io::Error| format!("foldc serve on port {port}: {e}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(fail)?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).map_err(fail)?;
    Ok(reply)
}
