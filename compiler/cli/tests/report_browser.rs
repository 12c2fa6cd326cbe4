//! `foldc report` in a real browser: headless Chromium (Debian's package,
//! installed by the test when missing) renders the report of the
//! text-folding example, and of the README's merge of two corpora; the
//! screenshot is a PNG of the window's size with something drawn on it,
//! the rendered DOM holds a graph node for every category and rule of
//! the program with its count written on it, an edge per trigger, the
//! merge tables, and the browser logged no script error and fetched
//! nothing.

mod browser_support;
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{foldc, ok, text};

fn text_folding() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/text-folding/text-folding.fold")
}

/// `n` as the report writes it (thin spaces between groups of three).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// The report of database `db` in `d`, with `foldc stats` of it as JSON.
fn report(d: &Path, db: &str) -> (PathBuf, serde_json::Value) {
    let page = d.join(format!("{db}.html"));
    ok(&["report", "--db", db, "--out", &page.to_string_lossy()], d);
    let out = foldc(&["stats", "--db", db, "--format", "json"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats = serde_json::from_slice(&out.stdout).expect("stats json");
    (page, stats)
}

/// The page holds everything it shows: no script, nothing to fetch.
fn assert_self_contained(html: &str) {
    assert!(!html.contains("<script"), "a script in the report");
    assert!(!html.contains("src="), "an embedded resource in the report");
    assert!(!html.contains("@import"), "an imported style sheet");
    for (i, _) in html.match_indices("href=\"") {
        let target = &html[i + 6..];
        assert!(
            target.starts_with('#'),
            "a link out of the page: {}",
            &target[..target.len().min(60)]
        );
    }
    for (i, _) in html.match_indices("url(") {
        assert!(
            html[i + 4..].starts_with('#') || html[i + 4..].starts_with("\"#"),
            "a fetched url: {}",
            &html[i..(i + 60).min(html.len())]
        );
    }
}

/// Screenshot and DOM of `page` in headless Chromium; asserts the
/// browser logged no script error and took a real screenshot.
fn render(d: &Path, page: &Path) -> String {
    let browser = browser_support::chromium();
    let profile = d.join("profile");
    let shot = d.join("shot.png");
    let (w, h) = (1400u32, 2400u32);
    let out = browser_support::headless(
        &browser,
        &profile,
        page,
        &[
            &format!("--screenshot={}", shot.display()),
            &format!("--window-size={w},{h}"),
        ],
    );
    let log = text(&out.stderr);
    assert!(out.status.success(), "chromium failed:\n{log}");
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let size = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    assert_eq!((size(16), size(20)), (w, h), "the window's size");
    // A blank page of this size compresses to a few kilobytes; text,
    // boxes and curves do not.
    assert!(
        png.len() > 40_000,
        "a nearly blank screenshot: {} bytes",
        png.len()
    );

    let out = browser_support::headless(&browser, &profile, page, &["--dump-dom"]);
    let log = format!("{log}{}", text(&out.stderr));
    assert!(out.status.success(), "chromium failed:\n{log}");
    for bad in ["Uncaught", "ERR_", "Failed to load resource"] {
        assert!(
            !log.lines().any(|l| l.contains(bad)),
            "the browser logged `{bad}`:\n{log}"
        );
    }
    let dom = text(&out.stdout);
    assert!(
        dom.contains("</svg>"),
        "no SVG in the rendered page:\n{dom}"
    );
    dom
}

/// The graph's nodes of one kind in the rendered DOM, by name.
fn nodes(dom: &str, kind: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(&format!(
        r#"<g class="node {kind}" id="node-\d+" data-name="([^"]+)">"#
    ))
    .expect("regex");
    re.captures_iter(dom).map(|c| c[1].to_string()).collect()
}

#[test]
fn the_text_folding_report_renders_its_event_graph() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let prog = text_folding().to_string_lossy().into_owned();
    ok(&["run", &prog, "--db", "db", "-q"], d);
    let (page, stats) = report(d, "db");
    let html = std::fs::read_to_string(&page).expect("report");
    assert_self_contained(&html);
    let dom = render(d, &page);

    let rows = stats["rows"].as_object().expect("rows");
    let categories: BTreeSet<String> = rows.keys().cloned().collect();
    let handlers = stats["stats"]["handlers"].as_array().expect("handlers");
    let rules: BTreeSet<String> = handlers
        .iter()
        .map(|h| h["rule"].as_str().expect("rule").to_string())
        .collect();
    assert_eq!(nodes(&dom, "category"), categories);
    assert_eq!(nodes(&dom, "rule"), rules);
    assert!(categories.contains("ortho") && rules.contains("prove"));
    // Counts are written on the picture, not hidden in tooltips.
    for (name, n) in rows {
        let label = format!(">{} facts<", grouped(n.as_u64().expect("rows")));
        assert!(dom.contains(&label), "{name}: {label} not in the DOM");
    }
    for rule in &rules {
        let events: u64 = handlers
            .iter()
            .filter(|h| h["rule"] == rule.as_str())
            .map(|h| h["events"].as_u64().expect("events"))
            .sum();
        let label = format!(">{} events, ", grouped(events));
        assert!(dom.contains(&label), "{rule}: {label} not in the DOM");
    }
    // One event edge per rule and trigger category, as many as the
    // distinct pairs of the counters.
    let triggers: BTreeSet<(&str, &str)> = handlers
        .iter()
        .map(|h| {
            (
                h["trigger"].as_str().expect("trigger"),
                h["rule"].as_str().expect("rule"),
            )
        })
        .collect();
    assert_eq!(
        dom.matches("<g class=\"edge event\"").count(),
        triggers.len()
    );
    // `cut` finds three categories: each edge carries its own share.
    for (to, n) in [("word", 16), ("pair", 23), ("phrase", 54)] {
        let edge =
            format!("class=\"edge find\" data-from=\"cut\" data-to=\"{to}\" data-count=\"{n}\"");
        assert!(dom.contains(&edge), "{edge} not in the DOM");
    }
    // Times of rules and strata were recorded by this run.
    assert!(dom.contains("<th class=\"n\">time</th>"));
}

#[test]
fn a_merged_database_shows_its_merge_as_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let prog = text_folding().to_string_lossy().into_owned();
    std::fs::write(d.join("left.csv"), "id,text\n1,a b. a c.\n").expect("write");
    std::fs::write(d.join("right.csv"), "id,text\n1,b d. c d.\n").expect("write");
    for (db, input) in [("A", "book=left.csv"), ("B", "book=right.csv")] {
        ok(&["run", &prog, "--input", input, "--db", db, "-q"], d);
    }
    ok(&["merge", &prog, "A", "B", "--into", "C"], d);
    let (page, stats) = report(d, "C");
    assert_self_contained(&std::fs::read_to_string(&page).expect("report"));
    let dom = render(d, &page);
    let merges = stats["merges"].as_array().expect("merges");
    assert_eq!(merges.len(), 1);
    assert_eq!(dom.matches("<table class=\"merge-categories\">").count(), 1);
    assert_eq!(dom.matches("<table class=\"merge-events\">").count(), 1);
    // A row per category with its counts, in cells.
    let rows = stats["rows"].as_object().expect("rows");
    for name in rows.keys() {
        let row = format!("<tr><th>{name}</th><td class=\"n\">");
        assert!(dom.contains(&row), "no merge row for {name}");
    }
    // The square only the two corpora make together: one new ortho, in
    // neither database before (base, other, in both, copied, lost, new).
    let cells = ["0", "0", "0", "0", "0", "1"]
        .map(|n| format!("<td class=\"n\">{n}</td>"))
        .concat();
    let row = format!("<tr><th>ortho</th>{cells}<td>merged</td></tr>");
    assert!(dom.contains(&row), "{row} not in the DOM");
    // The replay's totals: what its replayed events found (the meeting
    // square's grids), the sum of the per-handler rows, in the total row.
    let total = merges[0]["total"]["found_new"].as_u64().expect("found_new");
    let by_handler: u64 = merges[0]["handlers"]
        .as_array()
        .expect("handlers")
        .iter()
        .map(|h| h["found_new"].as_u64().expect("found_new"))
        .sum();
    assert!(total > 0);
    assert_eq!(total, by_handler);
    assert!(dom.contains("<tr class=\"total\"><th>total</th>"));
}
