//! Run counters: per handler (rule × trigger position) and per stratum.
//!
//! Workers count into a private [`HandlerStats`] per chunk; chunks are
//! summed afterwards, so the totals do not depend on the thread count.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::eval::{EventOutcome, Outcome};
use crate::plan::builtin::Fault;
use crate::plan::{CatId, Plan};

/// Counters are shown as plain-text tables; tools that show other numbers
/// beside them (`foldc bench`) lay theirs out the same way.
pub use crate::io::table::render as render_table;

/// Counters of one handler.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerStats {
    /// Events run (superseded facts skipped before their turn excluded).
    pub events: u64,
    /// Events whose friend index had no row for the join key.
    pub aborted_categorically: u64,
    /// Events aborted in the data stage (an abort, or the event tuple did
    /// not match the atom).
    pub aborted_data: u64,
    /// Events that passed the data stage but never reached the search.
    pub aborted_friends: u64,
    /// Combinations of facts aborted by a run-time fault (an event can
    /// have several; one whose every combination faulted counts once more
    /// in no other column).
    pub faults: u64,
    /// Faults by kind, indexed like [`Fault::ALL`].
    pub faults_by_kind: [u64; 5],
    /// Events that completed the search at least once.
    pub searched: u64,
    /// Found facts that became current facts.
    pub found_new: u64,
    /// Found facts already known, or losing against their key's current fact.
    pub found_known: u64,
    /// Events skipped because their fact was superseded before its turn.
    pub skipped_superseded: u64,
    /// `found_new` split by the category of the found fact, indexed by
    /// category id up to the last one the handler found (the report's
    /// event graph draws one edge per rule and category it finds). Empty
    /// in a database written before foldc counted it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub found_into: Vec<u64>,
}

impl HandlerStats {
    /// Count one event's outcome.
    #[inline]
    pub(crate) fn count(&mut self, o: &EventOutcome) {
        self.events += 1;
        match o.outcome {
            Outcome::Categorical => self.aborted_categorically += 1,
            Outcome::Data => self.aborted_data += 1,
            Outcome::Friends => self.aborted_friends += 1,
            Outcome::Searched => self.searched += 1,
            Outcome::Fault(_) => {}
        }
        if let Some(f) = o.fault {
            self.faults += u64::from(o.faulted);
            self.faults_by_kind[(f.code() - 1) as usize] += u64::from(o.faulted);
        }
    }

    /// Count one new fact of category `cat` in [`HandlerStats::found_into`].
    #[inline]
    pub(crate) fn count_found_into(&mut self, cat: CatId) {
        let i = cat.index();
        if self.found_into.len() <= i {
            self.found_into.resize(i + 1, 0);
        }
        self.found_into[i] += 1;
    }

    /// Add `o`'s counts to these.
    pub(crate) fn add(&mut self, o: &HandlerStats) {
        self.events += o.events;
        self.aborted_categorically += o.aborted_categorically;
        self.aborted_data += o.aborted_data;
        self.aborted_friends += o.aborted_friends;
        self.faults += o.faults;
        for (a, b) in self.faults_by_kind.iter_mut().zip(o.faults_by_kind) {
            *a += b;
        }
        self.searched += o.searched;
        self.found_new += o.found_new;
        self.found_known += o.found_known;
        self.skipped_superseded += o.skipped_superseded;
        if self.found_into.len() < o.found_into.len() {
            self.found_into.resize(o.found_into.len(), 0);
        }
        for (a, b) in self.found_into.iter_mut().zip(&o.found_into) {
            *a += b;
        }
    }

    /// Faults of one kind.
    pub fn faults_of(&self, f: Fault) -> u64 {
        self.faults_by_kind[(f.code() - 1) as usize]
    }
}

/// Counters of one stratum.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumStats {
    /// Rounds run to reach the stratum's fixpoint.
    pub rounds: u64,
    /// Times the stratum was recomputed from its given facts because an
    /// input it cannot extend incrementally changed ([`crate::exec::invalidate`]).
    #[serde(default)]
    pub recomputed: u64,
}

/// What a handler's counters are about: its rule, trigger position and
/// trigger category (from the plan, or from a database without one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerLabel {
    /// The rule's name ([`crate::plan::Rule::name`]).
    pub rule: String,
    /// Which atom of the rule the trigger fills (0: the `on` atom).
    pub position: u32,
    /// The trigger category's name.
    pub trigger: String,
}

/// The labels of every handler of `plan`, by handler id.
pub fn labels(plan: &Plan) -> Vec<HandlerLabel> {
    plan.handlers
        .iter()
        .map(|h| HandlerLabel {
            rule: plan.rule(h.rule).name.clone(),
            position: h.position,
            trigger: plan.category(h.trigger).name.clone(),
        })
        .collect()
}

/// A handler's faults as an object keyed by [`Fault::key`].
pub fn faults_by_kind(stats: &HandlerStats) -> serde_json::Value {
    Fault::ALL
        .iter()
        .map(|&f| {
            (
                f.key().to_string(),
                serde_json::Value::from(stats.faults_of(f)),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// All counters of an engine (cumulative over its runs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Indexed by handler id.
    pub handlers: Vec<HandlerStats>,
    /// Indexed by stratum.
    pub strata: Vec<StratumStats>,
}

/// One row of the JSON form: counters with the names that explain them.
#[derive(Serialize)]
struct NamedHandler<'a> {
    handler: u32,
    rule: &'a str,
    position: u32,
    trigger: &'a str,
    #[serde(flatten)]
    stats: &'a HandlerStats,
}

#[derive(Serialize)]
struct Named<'a> {
    handlers: Vec<NamedHandler<'a>>,
    strata: &'a [StratumStats],
}

impl Stats {
    /// All counters zero, one per handler and stratum of `plan`.
    pub(crate) fn new(plan: &Plan) -> Stats {
        Stats {
            handlers: vec![HandlerStats::default(); plan.handlers.len()],
            strata: vec![StratumStats::default(); plan.strata.len()],
        }
    }

    /// Totals over all handlers.
    pub fn total(&self) -> HandlerStats {
        let mut t = HandlerStats::default();
        self.handlers.iter().for_each(|h| t.add(h));
        t
    }

    /// JSON with rule names, positions and trigger categories.
    pub fn to_json(&self, plan: &Plan) -> serde_json::Value {
        self.to_json_labeled(&labels(plan))
    }

    /// [`Stats::to_json`] with the handlers' labels given.
    pub fn to_json_labeled(&self, labels: &[HandlerLabel]) -> serde_json::Value {
        let handlers = self
            .handlers
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(i, (stats, l))| NamedHandler {
                handler: i as u32,
                rule: &l.rule,
                position: l.position,
                trigger: &l.trigger,
                stats,
            })
            .collect();
        let named = Named {
            handlers,
            strata: &self.strata,
        };
        let mut value = serde_json::to_value(named).unwrap_or(serde_json::Value::Null);
        // The stored counters keep faults as an array by fault code; in
        // JSON for people and tools each count is named by its kind.
        if let Some(handlers) = value
            .get_mut("handlers")
            .and_then(serde_json::Value::as_array_mut)
        {
            for (h, stats) in handlers.iter_mut().zip(&self.handlers) {
                if let Some(h) = h.as_object_mut() {
                    h.insert("faults_by_kind".into(), faults_by_kind(stats));
                    // By category id, meaningless without the category
                    // names: the report reads it from the database.
                    h.remove("found_into");
                }
            }
        }
        value
    }

    /// The table `foldc run --stats` prints: one line per handler, in plan
    /// order, columns aligned, then rounds per stratum.
    pub fn render_table(&self, plan: &Plan) -> String {
        self.render_table_labeled(&labels(plan))
    }

    /// [`Stats::render_table`] with the handlers' labels given.
    pub fn render_table_labeled(&self, labels: &[HandlerLabel]) -> String {
        const HEAD: [&str; 11] = [
            "rule", "pos", "events", "categ", "data", "friends", "faults", "searched", "new",
            "known", "skipped",
        ];
        let mut rows: Vec<[String; 11]> = Vec::new();
        for (l, s) in labels.iter().zip(&self.handlers) {
            rows.push([
                l.rule.clone(),
                format!("{} {}", l.position, l.trigger),
                s.events.to_string(),
                s.aborted_categorically.to_string(),
                s.aborted_data.to_string(),
                s.aborted_friends.to_string(),
                s.faults.to_string(),
                s.searched.to_string(),
                s.found_new.to_string(),
                s.found_known.to_string(),
                s.skipped_superseded.to_string(),
            ]);
        }
        let mut out = crate::io::table::render(&HEAD, &rows, 2);
        for (i, s) in self.strata.iter().enumerate() {
            let _ = write!(out, "stratum {i}: {} rounds", s.rounds);
            match s.recomputed {
                0 => {}
                1 => out.push_str(", recomputed once"),
                n => {
                    let _ = write!(out, ", recomputed {n} times");
                }
            }
            out.push('\n');
        }
        let faulted: Vec<String> = Fault::ALL
            .iter()
            .filter_map(|f| {
                let n: u64 = self.handlers.iter().map(|h| h.faults_of(*f)).sum();
                (n > 0).then(|| format!("{f}: {n}"))
            })
            .collect();
        if !faulted.is_empty() {
            let _ = writeln!(out, "faults: {}", faulted.join(", "));
        }
        out
    }
}
