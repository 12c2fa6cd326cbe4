//! A progress line on stderr for long runs.
//!
//! Shown only when stderr is a terminal, the run is not quiet, and the run
//! has lasted more than about a second (short runs stay silent). Updated
//! between rounds, so it never touches the workers' hot loop.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    enabled: bool,
    start: Instant,
    bar: Option<ProgressBar>,
    events: u64,
    found: u64,
}

impl Progress {
    /// A progress line that appears after a second, if stderr is a
    /// terminal and `quiet` is false.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            start: Instant::now(),
            bar: None,
            events: 0,
            found: 0,
        }
    }

    /// Report a finished round.
    pub fn round(&mut self, stratum: usize, round: u64, events: u64, pending: u64, found: u64) {
        self.events += events;
        self.found += found;
        if !self.enabled || self.start.elapsed() < DELAY {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        bar.set_message(format!(
            "stratum {stratum}, round {round}: {} events done, {pending} pending, {} facts found",
            self.events, self.found
        ));
    }

    /// Remove the line (at the end of a run).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
