//! A progress line on stderr for long runs and long steps.
//!
//! Shown only when stderr is a terminal, the run is not quiet, and the run
//! has lasted more than about a second (short runs stay silent). Updated
//! between rounds, so it never touches the workers' hot loop. [`Step`] is
//! the same line for one long step: loading a file (rows per second),
//! the final checkpoint, writing a CSV file. The message is cut to the
//! terminal's width (`wide_msg`), so the line never wraps.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_secs(1);

/// The line's look: a spinner, the time so far, the message cut to fit.
const TEMPLATE: &str = "{spinner} [{elapsed_precise}] {wide_msg}";

/// Whether a line may be drawn at all.
fn allowed(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A spinner line on stderr, ticking by itself.
fn spinner() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template(TEMPLATE).unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The line of one long step; cleared when dropped.
pub struct Step {
    enabled: bool,
    start: Instant,
    bar: Option<ProgressBar>,
}

impl Step {
    /// A line that appears once the step has lasted a second and is
    /// updated ([`Step::update`]) again.
    pub fn new(quiet: bool) -> Step {
        Step {
            enabled: allowed(quiet),
            start: Instant::now(),
            bar: None,
        }
    }

    /// A line shown at once, for a step that is one long call (the final
    /// checkpoint of a long run, writing a big file).
    pub fn now(quiet: bool, message: String) -> Step {
        let mut step = Step::new(quiet);
        if step.enabled {
            let bar = spinner();
            bar.set_message(message);
            step.bar = Some(bar);
        }
        step
    }

    /// Show `message()` (made only when it will be shown).
    pub fn update(&mut self, message: impl FnOnce() -> String) {
        if !self.enabled || (self.bar.is_none() && self.start.elapsed() < DELAY) {
            return;
        }
        self.bar.get_or_insert_with(spinner).set_message(message());
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

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
            enabled: allowed(quiet),
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
        let bar = self.bar.get_or_insert_with(spinner);
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
