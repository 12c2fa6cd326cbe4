//! What a merge did, as `foldc merge` prints it and the merged database
//! keeps it (`foldc stats --db` shows it again).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::exec::stats::HandlerLabel;
use crate::io::table;

/// The replay of the other database's events: the skips of the merge, in
/// order (a whole handler first, then the three checks of one event after
/// the automatic abort categorically), and what was replayed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeCounters {
    /// (1) Events whose fact both databases hold: not run.
    pub skipped_in_both: u64,
    /// (0) Events of a handler none of whose friend categories holds a
    /// fact of the base alone when its stratum is merged: no combination
    /// it joins can mix the two databases, so none of its events ran.
    /// (Absent from records written before it existed.)
    #[serde(default)]
    pub skipped_by_handler: u64,
    /// Events of a rule driven from the base's side (see
    /// `merge::direction`: its facts of the base alone were far fewer than
    /// the other's): they did not run; the rule's handlers ran the base's
    /// own rows instead, and for those handlers the counters (0), (2), (3),
    /// categorical and replayed count the base's events. (Absent from
    /// records written before it existed.)
    #[serde(default)]
    pub left_to_base: u64,
    /// (2) Events whose every friend both databases hold.
    pub skipped_friends_in_both: u64,
    /// (3) Events whose fact and friends come from one database (an event
    /// without friends included).
    pub skipped_one_side: u64,
    /// Events whose friend index had no row for the join key.
    pub aborted_categorically: u64,
    /// Events that met a friend only the base holds: the mixed
    /// combinations were run.
    pub replayed: u64,
    /// New facts the replayed events found.
    pub found_new: u64,
}

impl MergeCounters {
    /// Add `o`'s counts to these.
    pub(crate) fn add(&mut self, o: &MergeCounters) {
        self.skipped_in_both += o.skipped_in_both;
        self.skipped_by_handler += o.skipped_by_handler;
        self.left_to_base += o.left_to_base;
        self.skipped_friends_in_both += o.skipped_friends_in_both;
        self.skipped_one_side += o.skipped_one_side;
        self.aborted_categorically += o.aborted_categorically;
        self.replayed += o.replayed;
        self.found_new += o.found_new;
    }

    /// Events considered (of the other database, and of the base for a
    /// rule driven from its side).
    pub fn events(&self) -> u64 {
        self.skipped_in_both
            + self.left_to_base
            + self.skipped_by_handler
            + self.skipped_friends_in_both
            + self.skipped_one_side
            + self.aborted_categorically
            + self.replayed
    }
}

/// One category in a merge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryMerge {
    /// The category's name.
    pub name: String,
    /// Current facts of the base.
    pub base: u64,
    /// Current facts of the other database.
    pub other: u64,
    /// Of the other's facts: those the base holds too.
    pub both: u64,
    /// Of the other's facts: those only it holds (copied in).
    pub other_only: u64,
    /// Of the other's facts: those that lost against a better fact of the
    /// base with the same key.
    pub lost: u64,
    /// Facts the merge found (in neither database).
    pub new: u64,
    /// Its stratum was recomputed rather than merged.
    pub recomputed: bool,
}

/// A stratum the merge did not merge: it kept the base's facts of it (the
/// other's given facts added), or recomputed it; and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumRecord {
    /// The stratum's number (its index into `Plan::strata`).
    pub stratum: u32,
    /// The names of the categories its rules find.
    pub categories: Vec<String>,
    /// The base's facts were kept (else: recomputed).
    pub kept: bool,
    /// Why it was not merged, for `foldc stats` and the merge report.
    pub reason: String,
    /// Facts its rules found (again, when recomputed).
    pub found: u64,
}

/// One merge into a database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MergeRecord {
    /// The database copied (the base: the larger), as named on the
    /// command line.
    pub base: String,
    /// The database merged into the copy, as named on the command line.
    pub other: String,
    /// Totals over every handler.
    pub total: MergeCounters,
    /// By handler id (handlers of recomputed strata replay nothing).
    pub handlers: Vec<MergeCounters>,
    /// By category id.
    pub categories: Vec<CategoryMerge>,
    /// New facts found in the strata merged (by replayed events and by
    /// the runs to the fixpoint that followed).
    pub new_facts: u64,
    /// The strata not merged, in order.
    pub not_merged: Vec<StratumRecord>,
    /// Wall time of the merge itself, in seconds (opening and copying the
    /// databases excluded).
    pub seconds: f64,
}

impl MergeRecord {
    /// The report `foldc merge` prints and `foldc stats` repeats.
    pub fn render(&self, labels: &[HandlerLabel]) -> String {
        let mut out = String::new();
        let t = &self.total;
        let _ = writeln!(
            out,
            "merged `{}` into a copy of `{}` in {:.3} s",
            self.other, self.base, self.seconds
        );
        let facts: Vec<String> = self
            .categories
            .iter()
            .filter(|c| c.other_only + c.lost + c.new > 0 || c.recomputed)
            .map(|c| {
                let mut s = format!("{} {}+{}", c.name, c.other_only, c.new);
                if c.lost > 0 {
                    let _ = write!(s, " ({} lost)", c.lost);
                }
                if c.recomputed {
                    s.push_str(" (recomputed)");
                }
                s
            })
            .collect();
        let both: u64 = self.categories.iter().map(|c| c.both).sum();
        let only: u64 = self.categories.iter().map(|c| c.other_only).sum();
        let lost: u64 = self.categories.iter().map(|c| c.lost).sum();
        let _ = writeln!(
            out,
            "  facts of `{}`: {both} in both, {only} copied in, {lost} lost to a better fact \
             of the same key",
            self.other
        );
        if !facts.is_empty() {
            let _ = writeln!(
                out,
                "  per category (copied in + new): {}",
                facts.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "  events of `{}`: {} skipped (1) as in both, {} skipped with their whole handler, \
             {} skipped (2) as their friends are in both, {} skipped (3) as one side's, {} \
             aborted categorically, {} replayed",
            self.other,
            t.skipped_in_both,
            t.skipped_by_handler,
            t.skipped_friends_in_both,
            t.skipped_one_side,
            t.aborted_categorically,
            t.replayed
        );
        if t.left_to_base > 0 {
            let _ = writeln!(
                out,
                "  of those, {} left to the base's side: their rules had far fewer facts of `{}` \
                 alone, so those drove the replay (the base's events are counted in their place)",
                t.left_to_base, self.base
            );
        }
        let _ = writeln!(
            out,
            "  new facts: {} ({} found by replayed events, {} by the runs to the fixpoint after)",
            self.new_facts,
            t.found_new,
            self.new_facts.saturating_sub(t.found_new)
        );
        // A handler driven from the base's side was skipped for want of
        // facts of the other alone.
        for (from_base, alone) in [(false, &self.base), (true, &self.other)] {
            let whole: Vec<String> = labels
                .iter()
                .zip(&self.handlers)
                .filter(|(_, c)| c.skipped_by_handler > 0 && (c.left_to_base > 0) == from_base)
                .map(|(l, _)| format!("`{}` at {} ({})", l.rule, l.position, l.trigger))
                .collect();
            if !whole.is_empty() {
                let _ = writeln!(
                    out,
                    "  handlers skipped whole, as none of the categories they join holds a fact \
                     of `{alone}` alone: {}",
                    whole.join(", ")
                );
            }
        }
        for r in &self.not_merged {
            let what = if r.kept {
                "kept the base's facts of"
            } else {
                "recomputed"
            };
            let _ = writeln!(
                out,
                "  {what} stratum {} ({}): {}; {} facts found",
                r.stratum,
                r.categories.join(", "),
                r.reason,
                r.found
            );
        }
        out.push_str(&self.render_handlers(labels));
        out
    }

    /// The per-handler replay counters as a table (handlers that replayed
    /// nothing left out).
    pub fn render_handlers(&self, labels: &[HandlerLabel]) -> String {
        const HEAD: [&str; 9] = [
            "rule",
            "pos",
            "(1) both",
            "handler",
            "(2) friends",
            "(3) one side",
            "categ",
            "replayed",
            "new",
        ];
        let rows: Vec<Vec<String>> = labels
            .iter()
            .zip(&self.handlers)
            .filter(|(_, c)| c.events() > 0)
            .map(|(l, c)| {
                vec![
                    l.rule.clone(),
                    format!("{} {}", l.position, l.trigger),
                    c.skipped_in_both.to_string(),
                    c.skipped_by_handler.to_string(),
                    c.skipped_friends_in_both.to_string(),
                    c.skipped_one_side.to_string(),
                    c.aborted_categorically.to_string(),
                    c.replayed.to_string(),
                    c.found_new.to_string(),
                ]
            })
            .collect();
        if rows.is_empty() {
            return String::new();
        }
        table::render(&HEAD, &rows, 2)
    }
}
