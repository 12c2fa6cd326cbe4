//! Rendering diagnostics: the only module that knows ariadne.
//!
//! Human output labels the source like rustc; `--format json` prints one
//! JSON object per diagnostic per line for tools and editors.

use ariadne::{Config, IndexType, Label as ALabel, Report, ReportKind, Source};
use fold_grammar::print::LineIndex;

use std::ops::Range;

use crate::diag::excerpt;
use crate::diag::{Diagnostic, Label, Severity};

/// Render diagnostics for a human. `color` only on terminals (never in
/// snapshots).
pub fn human(file: &str, src: &str, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    // Indexed once: thousands of diagnostics must not each index the file.
    let source = Source::from(src);
    let lines = excerpt::Lines::new(src);
    // The column last counted on a long line: (line start, byte, column),
    // so diagnostics along one line count its characters once.
    let mut counted = (usize::MAX, 0, 0);
    for d in diagnostics {
        let spans: Vec<Range<usize>> = std::iter::once(&d.primary)
            .chain(&d.secondary)
            .map(|l| clamp(src, l.span.range()))
            .collect();
        match excerpt::excerpt(src, &lines, &spans) {
            None => write_one(file, &source, d, &spans, None, color, &mut out),
            Some(e) => {
                // Blank lines before the excerpt keep the line numbers of
                // the file (ariadne's display offset moves only the header).
                let padded = "\n".repeat(e.first_line) + &e.text;
                let cut = Source::from(padded.as_str());
                let pad = e.first_line;
                let primary = spans[0].start;
                let start = lines.range(lines.line_of(primary)).start;
                if counted.0 != start || counted.1 > primary {
                    counted = (start, start, 1);
                }
                counted.2 += src[counted.1..primary].chars().count();
                counted.1 = primary;
                let column = counted.2;
                let spans: Vec<Range<usize>> = spans
                    .iter()
                    .map(|r| {
                        let m = e.map_range(r);
                        m.start + pad..m.end + pad
                    })
                    .collect();
                let note = format!(
                    "line{} {} {} long: shown only around the problem (column {column})",
                    if e.cut.len() == 1 { "" } else { "s" },
                    e.cut
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if e.cut.len() == 1 { "is" } else { "are" },
                );
                write_one(file, &cut, d, &spans, Some(note), color, &mut out)
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Write diagnostic `d` with its labels at `spans` (primary first) of
/// `source`, and an extra note.
fn write_one(
    file: &str,
    source: &Source<&str>,
    d: &Diagnostic,
    spans: &[Range<usize>],
    extra: Option<String>,
    color: bool,
    out: &mut Vec<u8>,
) {
    let kind = match d.severity() {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let range = spans.first().cloned().unwrap_or(0..0);
    let mut report = Report::build(kind, (file, range.clone()))
        .with_config(
            Config::default()
                .with_index_type(IndexType::Byte)
                .with_color(color),
        )
        .with_code(d.code.as_str())
        .with_message(&d.message);
    // Labels in the order of their lines: ariadne starts a new snippet,
    // under a header that repeats the primary location, whenever a
    // label lies above the one before it.
    let line_of = |at: usize| {
        let line = source
            .get_byte_line(at)
            .map_or(usize::MAX, |(_, line, _)| line);
        i32::try_from(line).unwrap_or(i32::MAX)
    };
    let primary = ALabel::new((file, range.clone())).with_order(line_of(range.start));
    report = report.with_label(if d.primary.message.is_empty() {
        primary
    } else {
        primary.with_message(&d.primary.message)
    });
    for (l, range) in d.secondary.iter().zip(spans.iter().skip(1)) {
        let order = line_of(range.start);
        report = report.with_label(
            ALabel::new((file, range.clone()))
                .with_message(&l.message)
                .with_order(order),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    if let Some(note) = &d.note {
        report = report.with_note(note);
    }
    if let Some(note) = extra {
        report = report.with_note(note);
    }
    // Writing into a Vec cannot fail.
    let _ = report.finish().write((file, source), out);
}

/// Spans from the parser always lie inside the source; clamp anyway so a
/// stale span can never make rendering panic.
fn clamp(src: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let end = range.end.min(src.len());
    range.start.min(end)..end
}

/// One JSON object per line per diagnostic (`schemas/diagnostic.json`).
///
/// The flat fields (`code`, `severity`, `file`, `line`, `column`,
/// `end_line`, `end_column`, `label`, `help`, `note`) describe the primary
/// span, as earlier versions printed them. Beside them, in rustc's shape:
/// `level`, `spans` (the primary span and every secondary label, each
/// with `is_primary`) and `children` (the help and the note as entries of
/// their own), so tools written for rustc's JSON read these too.
pub fn json(file: &str, src: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(src);
    let mut out = String::new();
    for d in diagnostics {
        let (line, column) = index.line_col(d.primary.span.start as usize);
        let (end_line, end_column) = index.line_col(d.primary.span.end as usize);
        let mut spans = vec![span(&index, file, &d.primary, true)];
        spans.extend(d.secondary.iter().map(|l| span(&index, file, l, false)));
        let children: Vec<serde_json::Value> = [("help", &d.help), ("note", &d.note)]
            .into_iter()
            .filter_map(|(level, text)| {
                text.as_ref().map(|message| {
                    serde_json::json!({
                        "message": message,
                        "level": level,
                        "spans": [],
                        "children": [],
                    })
                })
            })
            .collect();
        let value = serde_json::json!({
            "code": d.code.as_str(),
            "severity": d.severity(),
            "level": d.severity(),
            "message": d.message,
            "file": file,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "label": d.primary.message,
            "help": d.help,
            "note": d.note,
            "spans": spans,
            "children": children,
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

/// One labelled span in rustc's shape: byte offsets, 1-based lines and
/// columns (columns count characters).
fn span(index: &LineIndex, file: &str, label: &Label, primary: bool) -> serde_json::Value {
    let (line_start, column_start) = index.line_col(label.span.start as usize);
    let (line_end, column_end) = index.line_col(label.span.end as usize);
    serde_json::json!({
        "file_name": file,
        "byte_start": label.span.start,
        "byte_end": label.span.end,
        "line_start": line_start,
        "line_end": line_end,
        "column_start": column_start,
        "column_end": column_end,
        "is_primary": primary,
        "label": if label.message.is_empty() { None } else { Some(&label.message) },
    })
}

/// `N errors, M warnings` (or nothing when clean).
pub fn summary(diagnostics: &[Diagnostic]) -> Option<String> {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(plural(w, "warning")),
        (e, 0) => Some(plural(e, "error")),
        (e, w) => Some(format!("{}, {}", plural(e, "error"), plural(w, "warning"))),
    }
}
