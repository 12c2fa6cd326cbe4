//! `foldc report --db DIR --out report.html`: a database's work as a
//! picture, one self-contained HTML page (no scripts, nothing fetched):
//! the facts of each category, and for each rule × trigger position a bar
//! of what its events did (aborted at which stage, faulted, searched) and
//! what the searches found (new or known facts), then the strata and the
//! merges. The same counters as `foldc stats`, drawn to scale.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use fold_runtime::db::Db;
use fold_runtime::stats::HandlerStats;

use crate::out::errln;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The database (written by `foldc run PROG --db DIR`).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// The stages an event ends in, in lifecycle order, with their colours.
const OUTCOMES: [(&str, &str); 5] = [
    ("aborted categorically", "#b8b8b8"),
    ("aborted on data", "#f0a35e"),
    ("aborted on friends", "#f3d36b"),
    ("faulted", "#d9534f"),
    ("searched", "#5cb85c"),
];
const FOUND: [(&str, &str); 2] = [("found new", "#3b7dd8"), ("found known", "#a9c6ef")];

pub fn run(args: Args) -> Outcome {
    fold_runtime::db::guard::refuse_inside("--out", &args.out, &args.db)?;
    let db = Db::open_existing(&args.db).map_err(|e| e.to_string())?;
    let (program, state) = crate::stats::records(&db, &args.db)?;
    let mut html = String::new();
    let title = format!("foldc report: {}", program.program);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{}</title>\n<style>{STYLE}</style></head><body>\n<h1>{}</h1>\n\
         <p>database <code>{}</code>, fingerprint <code>{}</code>, {} checkpoint{}, {}</p>\n",
        escape(&title),
        escape(&title),
        escape(&args.db.display().to_string()),
        escape(&program.fingerprint),
        state.checkpoint,
        if state.checkpoint == 1 { "" } else { "s" },
        if state.complete {
            "finished"
        } else {
            "<strong>unfinished</strong> (run it again to finish)"
        }
    );

    html.push_str(
        "<h2>Facts</h2>\n<p>Rows of each category, superseded ones included.</p>\n<table>\n",
    );
    let most_rows = state.rows.iter().copied().max().unwrap_or(0).max(1);
    for (name, &rows) in program.categories.iter().zip(&state.rows) {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td class=\"n\">{rows}</td><td class=\"bar\">{}</td></tr>",
            escape(name),
            bar(
                &[(u64::from(rows), "facts", "#7a6fd0")],
                u64::from(most_rows)
            )
        );
    }
    html.push_str("</table>\n");

    html.push_str(
        "<h2>Events</h2>\n<p>Each rule × trigger position: what its events did, then what \
         their searches found, to the scale of the busiest.</p>\n",
    );
    html.push_str(&legend(&OUTCOMES));
    html.push_str(&legend(&FOUND));
    html.push_str(
        "<table>\n<tr><th>rule</th><th>position</th><th class=\"n\">events</th><th></th></tr>\n",
    );
    let handlers = &state.stats.handlers;
    let most_events = handlers.iter().map(|h| h.events).max().unwrap_or(0).max(1);
    let most_found = handlers
        .iter()
        .map(|h| h.found_new + h.found_known)
        .max()
        .unwrap_or(0)
        .max(1);
    for (label, h) in program.handlers.iter().zip(handlers) {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td>{} {}</td><td class=\"n\">{}</td><td class=\"bar\">{}{}</td></tr>",
            escape(&label.rule),
            label.position,
            escape(&label.trigger),
            h.events,
            bar(&outcome_parts(h), most_events),
            bar(
                &[
                    (h.found_new, FOUND[0].0, FOUND[0].1),
                    (h.found_known, FOUND[1].0, FOUND[1].1)
                ],
                most_found
            )
        );
    }
    html.push_str("</table>\n");

    html.push_str("<h2>Strata</h2>\n<table>\n<tr><th>stratum</th><th class=\"n\">rounds</th><th class=\"n\">recomputed</th></tr>\n");
    for (i, s) in state.stats.strata.iter().enumerate() {
        let _ = writeln!(
            html,
            "<tr><th>{i}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            s.rounds, s.recomputed
        );
    }
    html.push_str("</table>\n");
    if !db.merges().is_empty() {
        html.push_str("<h2>Merges</h2>\n");
        for m in db.merges() {
            let _ = writeln!(html, "<pre>{}</pre>", escape(&m.render(&program.handlers)));
        }
    }
    html.push_str("</body></html>\n");
    drop(db);
    std::fs::write(&args.out, html)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    errln!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// An event's outcome counts, in [`OUTCOMES`] order. An event that
/// searched and faulted in other combinations counts as searched, as in
/// the counters.
fn outcome_parts(h: &HandlerStats) -> Vec<(u64, &'static str, &'static str)> {
    let faulted_events = h
        .events
        .saturating_sub(h.aborted_categorically + h.aborted_data + h.aborted_friends + h.searched);
    let counts = [
        h.aborted_categorically,
        h.aborted_data,
        h.aborted_friends,
        faulted_events,
        h.searched,
    ];
    counts
        .iter()
        .zip(OUTCOMES)
        .map(|(&n, (what, colour))| (n, what, colour))
        .collect()
}

/// A bar of coloured parts, its full width standing for `scale`; each part
/// says what it is and how many when pointed at.
fn bar(parts: &[(u64, &str, &str)], scale: u64) -> String {
    let mut out = String::from("<div class=\"track\">");
    for &(n, what, colour) in parts {
        if n == 0 {
            continue;
        }
        let width = (n as f64 / scale as f64 * 100.0).max(0.2);
        let _ = write!(
            out,
            "<span style=\"width:{width:.2}%;background:{colour}\" title=\"{what}: {n}\"></span>"
        );
    }
    out.push_str("</div>");
    out
}

fn legend(items: &[(&str, &str)]) -> String {
    let mut out = String::from("<p class=\"legend\">");
    for (what, colour) in items {
        let _ = write!(
            out,
            "<span><i style=\"background:{colour}\"></i>{what}</span> "
        );
    }
    out.push_str("</p>\n");
    out
}

/// Text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;width:100%;max-width:70em}\
th,td{padding:2px 8px;text-align:left;vertical-align:middle}\
th{font-weight:600;white-space:nowrap}.n{text-align:right;font-variant-numeric:tabular-nums}\
td.bar{width:60%}.track{display:flex;height:10px;margin:2px 0;background:#f4f4f4}\
.track span{display:block;height:100%}.legend span{margin-right:1em}\
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\
code{background:#f4f4f4;padding:0 3px}";
