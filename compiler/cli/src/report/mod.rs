//! `foldc report --db DIR --out report.html`: a database's work as a
//! picture, one self-contained HTML page (no scripts, nothing fetched):
//! the program's event graph (categories and rules, events and finds
//! with their counts, strokes to scale), then the facts of each
//! category, every rule × trigger position with its counters and time,
//! the strata with theirs, and the merges as tables. The same counters
//! as `foldc stats`; every number is written out, none hides in a
//! tooltip.

mod extent;
mod graph;
mod merges;
mod svg;
mod text;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use fold_runtime::db::Db;
use fold_runtime::stats::HandlerStats;

use crate::out::errln;
use crate::Outcome;
use graph::{Counters, EventGraph};
use text::{duration, escape, group};

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
    let stats = &state.stats;
    let timings = &state.timings;
    // Times are shown only when the run kept them for every handler and
    // stratum (a database from before foldc did has none).
    let timed = timings.handlers.len() == stats.handlers.len()
        && timings.strata.len() == stats.strata.len()
        && timings.strata.iter().any(|&t| t > 0);
    let mut html = String::new();
    let title = format!("foldc report: {}", program.program);
    let total = stats.total();
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
    let facts: u64 = state.rows.iter().map(|&r| u64::from(r)).sum();
    let _ = writeln!(
        html,
        "<table class=\"summary\"><tr><th>facts</th><td class=\"n\">{}</td>\
         <th>events</th><td class=\"n\">{}</td><th>found new</th><td class=\"n\">{}</td>\
         <th>faults</th><td class=\"n\">{}</td><th>rounds</th><td class=\"n\">{}</td>\
         <th>time in strata</th><td class=\"n\">{}</td></tr></table>",
        group(facts),
        group(total.events),
        group(total.found_new),
        group(total.faults),
        group(stats.strata.iter().map(|s| s.rounds).sum()),
        if timed {
            duration(timings.strata.iter().sum())
        } else {
            "not recorded".to_string()
        }
    );

    let graph = EventGraph::build(&Counters {
        categories: &program.categories,
        rows: &state.rows,
        labels: &program.handlers,
        handlers: &stats.handlers,
        handler_nanos: timed.then_some(timings.handlers.as_slice()),
        finds: &program.finds,
    });
    html.push_str(
        "<h2>Event graph</h2>\n<p class=\"legend\"><span><i class=\"category\"></i>category: \
         its facts</span> <span><i class=\"rule\"></i>rule: its events, the new facts they \
         found, their time</span> <span><i style=\"background:#8f86d8\"></i>events: a \
         category's facts run by a rule</span> <span><i style=\"background:#3b7dd8\"></i>finds: \
         new facts a rule found of a category</span><br>Stroke widths are to the scale of \
         the busiest edge of their kind.</p>\n",
    );
    if program.finds.is_empty() {
        html.push_str(
            "<p>This database was written before foldc recorded which categories each rule \
             finds: run the program on it again to draw the finds.</p>\n",
        );
    }
    match svg::draw(&graph) {
        Ok(svg) => {
            let _ = writeln!(html, "<div id=\"graph\">{svg}</div>");
        }
        Err(why) => {
            let _ = writeln!(html, "<p>No graph: {}.</p>", escape(&why));
        }
    }

    html.push_str(
        "<h2>Facts</h2>\n<p>Rows of each category, superseded ones included.</p>\n<table>\n",
    );
    let most_rows = state.rows.iter().copied().max().unwrap_or(0).max(1);
    for (name, &rows) in program.categories.iter().zip(&state.rows) {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td class=\"n\">{}</td><td class=\"bar\">{}</td></tr>",
            escape(name),
            group(u64::from(rows)),
            bar(
                &[(u64::from(rows), "facts", "#7a6fd0")],
                u64::from(most_rows)
            )
        );
    }
    html.push_str("</table>\n");

    html.push_str(
        "<h2>Rules</h2>\n<p>Each rule × trigger position: what its events did, then what \
         their searches found; the bars to the scale of the busiest.</p>\n",
    );
    html.push_str(&legend(&OUTCOMES));
    html.push_str(&legend(&FOUND));
    let _ = writeln!(
        html,
        "<table>\n<tr><th>rule</th><th>position</th><th class=\"n\">events</th>\
         <th class=\"n\">categ.</th><th class=\"n\">data</th><th class=\"n\">friends</th>\
         <th class=\"n\">faults</th><th class=\"n\">searched</th><th class=\"n\">new</th>\
         <th class=\"n\">known</th><th class=\"n\">skipped</th>{}<th></th></tr>",
        if timed {
            "<th class=\"n\">time</th>"
        } else {
            ""
        }
    );
    let handlers = &stats.handlers;
    let most_events = handlers.iter().map(|h| h.events).max().unwrap_or(0).max(1);
    let most_found = handlers
        .iter()
        .map(|h| h.found_new + h.found_known)
        .max()
        .unwrap_or(0)
        .max(1);
    for (i, (label, h)) in program.handlers.iter().zip(handlers).enumerate() {
        let time = if timed {
            format!("<td class=\"n\">{}</td>", duration(timings.handlers[i]))
        } else {
            String::new()
        };
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td>{} {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td>{time}<td class=\"bar\">{}{}</td></tr>",
            escape(&label.rule),
            label.position,
            escape(&label.trigger),
            group(h.events),
            group(h.aborted_categorically),
            group(h.aborted_data),
            group(h.aborted_friends),
            group(h.faults),
            group(h.searched),
            group(h.found_new),
            group(h.found_known),
            group(h.skipped_superseded),
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

    let _ = writeln!(
        html,
        "<h2>Strata</h2>\n<table>\n<tr><th>stratum</th><th class=\"n\">rounds</th>\
         <th class=\"n\">recomputed</th>{}</tr>",
        if timed {
            "<th class=\"n\">time</th>"
        } else {
            ""
        }
    );
    for (i, s) in stats.strata.iter().enumerate() {
        let time = if timed {
            format!("<td class=\"n\">{}</td>", duration(timings.strata[i]))
        } else {
            String::new()
        };
        let _ = writeln!(
            html,
            "<tr><th>{i}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>{time}</tr>",
            group(s.rounds),
            group(s.recomputed)
        );
    }
    html.push_str("</table>\n");
    if !timed {
        html.push_str(
            "<p>Times were not recorded: this database was written before foldc kept them.</p>\n",
        );
    }
    html.push_str(&merges::tables(db.merges(), &program.handlers));
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

/// A bar of coloured parts, its full width standing for `scale`; the
/// numbers are in the table beside it (and in each part's title).
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

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1em}\
th,td{padding:2px 8px;text-align:left;vertical-align:middle;border-bottom:1px solid #eee}\
th{font-weight:600;white-space:nowrap}.n{text-align:right;font-variant-numeric:tabular-nums}\
td.bar{width:30em;min-width:12em}.track{display:flex;height:10px;margin:2px 0;background:#f4f4f4}\
.track span{display:block;height:100%}.legend span{margin-right:1em}\
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\
.legend i.category{background:#eeebfc;border:1px solid #6a5fc8;border-radius:4px}\
.legend i.rule{background:#e5f3e5;border:1px solid #3f8f3f}\
#graph{overflow-x:auto;border:1px solid #eee;padding:.5em}\
#graph svg{display:block;margin:0 auto}\
#graph text{font-family:system-ui,sans-serif!important;fill:#222;\
paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
table.summary td{padding-right:1.5em}\
code{background:#f4f4f4;padding:0 3px}";
