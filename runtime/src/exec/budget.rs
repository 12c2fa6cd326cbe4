//! The memory a round may buffer: a round's found facts wait in memory
//! until the round ends, and a rule that finds far more than it should
//! (a join that multiplies) would otherwise grow until the kernel kills
//! the process without a word. Past the limit the run stops with an error
//! naming the category and rule that grew.
//!
//! The limit is `FOLDC_MAX_MEMORY_MB` (MiB) when set, else half the
//! machine's memory (`MemTotal` of `/proc/meminfo`; 8 GiB where that
//! cannot be read).

use std::sync::OnceLock;

/// The environment variable that sets the limit, in MiB.
pub const ENV: &str = "FOLDC_MAX_MEMORY_MB";

/// Bytes a round may buffer in found facts.
pub fn limit() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| match std::env::var(ENV) {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(mb) => mb.saturating_mul(1 << 20),
            Err(_) => {
                eprintln!("warning: {ENV}={v:?} is not a whole number of MiB; using the default");
                default_limit()
            }
        },
        Err(_) => default_limit(),
    })
}

fn default_limit() -> usize {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<usize>().ok()
        })
        .map(|kb| kb.saturating_mul(1024))
        .unwrap_or(16 << 30);
    total / 2
}
