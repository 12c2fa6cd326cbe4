//! The merges of a database as tables: for each, what happened to every
//! category's facts, what the replay of the other database's events did
//! per rule × trigger position, and the strata it did not merge.

use std::fmt::Write as _;

use fold_runtime::merge::{MergeCounters, MergeRecord};
use fold_runtime::stats::HandlerLabel;

use super::text::{escape, group};

/// The merge counters' columns, in the order they are decided.
const COUNTERS: [&str; 7] = [
    "skipped by handler",
    "skipped in both",
    "friends in both",
    "one side",
    "aborted categ.",
    "replayed",
    "found new",
];

fn counters(c: &MergeCounters) -> [u64; 7] {
    [
        c.skipped_by_handler,
        c.skipped_in_both,
        c.skipped_friends_in_both,
        c.skipped_one_side,
        c.aborted_categorically,
        c.replayed,
        c.found_new,
    ]
}

/// Every merge of the database (nothing when it has none).
pub fn tables(merges: &[MergeRecord], labels: &[HandlerLabel]) -> String {
    let mut html = String::new();
    if merges.is_empty() {
        return html;
    }
    html.push_str("<h2>Merges</h2>\n");
    for (i, m) in merges.iter().enumerate() {
        let _ = writeln!(
            html,
            "<h3 class=\"merge\">Merge {}: <code>{}</code> into a copy of <code>{}</code></h3>\n\
             <p>{} new facts in the strata merged, {:.3} s.</p>",
            i + 1,
            escape(&m.other),
            escape(&m.base),
            group(m.new_facts),
            m.seconds
        );
        html.push_str(
            "<table class=\"merge-categories\">\n<tr><th>category</th><th class=\"n\">base</th>\
             <th class=\"n\">other</th><th class=\"n\">in both</th><th class=\"n\">copied in</th>\
             <th class=\"n\">lost</th><th class=\"n\">new</th><th>stratum</th></tr>\n",
        );
        for c in &m.categories {
            let _ = writeln!(
                html,
                "<tr><th>{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&c.name),
                group(c.base),
                group(c.other),
                group(c.both),
                group(c.other_only),
                group(c.lost),
                group(c.new),
                if c.recomputed { "recomputed" } else { "merged" }
            );
        }
        html.push_str("</table>\n");
        let mut head =
            String::from("<tr><th>rule</th><th>position</th><th class=\"n\">events</th>");
        for name in COUNTERS {
            let _ = write!(head, "<th class=\"n\">{name}</th>");
        }
        head.push_str("</tr>\n");
        let _ = write!(
            html,
            "<p>The other database's events, replayed or skipped:</p>\n\
             <table class=\"merge-events\">\n{head}"
        );
        for (h, c) in m.handlers.iter().enumerate() {
            if c.events() == 0 && c.found_new == 0 {
                continue;
            }
            let (rule, position) = labels.get(h).map_or_else(
                || (format!("handler {h}"), String::new()),
                |l| (l.rule.clone(), format!("{} {}", l.position, l.trigger)),
            );
            let _ = write!(
                html,
                "<tr><th>{}</th><td>{}</td><td class=\"n\">{}</td>",
                escape(&rule),
                escape(&position),
                group(c.events())
            );
            for n in counters(c) {
                let _ = write!(html, "<td class=\"n\">{}</td>", group(n));
            }
            html.push_str("</tr>\n");
        }
        let _ = write!(
            html,
            "<tr class=\"total\"><th>total</th><td></td><td class=\"n\">{}</td>",
            group(m.total.events())
        );
        for n in counters(&m.total) {
            let _ = write!(html, "<td class=\"n\">{}</td>", group(n));
        }
        html.push_str("</tr>\n</table>\n");
        if !m.not_merged.is_empty() {
            html.push_str(
                "<table class=\"merge-strata\">\n<tr><th>stratum</th><th>categories</th>\
                 <th>what</th><th>why</th><th class=\"n\">found</th></tr>\n",
            );
            for s in &m.not_merged {
                let _ =
                    writeln!(
                    html,
                    "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                    s.stratum,
                    escape(&s.categories.join(", ")),
                    if s.kept { "kept the base's facts" } else { "recomputed" },
                    escape(&s.reason),
                    group(s.found)
                );
            }
            html.push_str("</table>\n");
        }
    }
    html
}
