//! Putting the comments and blank lines back between the formatted lines.
//!
//! A comment on a line of its own goes before the first line of code
//! that ends after it (so one inside a clause goes before the part of the
//! clause it preceded); a comment after code goes at the end of the last
//! line of code that starts before it. A line that would get two trailing
//! comments gets them on lines of their own above it instead. A blank
//! line in the source (any number of them) is kept as one, except at the
//! start of a block, before its `}`, and inside a clause. Trailing
//! comments on consecutive lines are aligned, as are the facts of
//! consecutive examples.

use crate::fmt::comments::{Comment, Trivia};
use crate::fmt::layout::{Kind, Line, INDENT};

/// One line of output before alignment.
struct Row {
    code: String,
    /// Where alignment padding goes in `code`, and its group.
    align: Option<(usize, String)>,
    comment: Option<String>,
}

/// The formatted text, and for each layout line the 1-based output line
/// it landed on.
pub fn weave(lines: &[Line], trivia: &Trivia) -> (String, Vec<usize>) {
    let mut leading: Vec<Vec<&Comment>> = vec![Vec::new(); lines.len()];
    let mut trailing: Vec<Vec<&Comment>> = vec![Vec::new(); lines.len()];
    let mut at_end: Vec<&Comment> = Vec::new();
    for c in &trivia.comments {
        if c.own_line {
            match lines.iter().position(|l| l.end > c.start) {
                Some(i) => leading[i].push(c),
                None => at_end.push(c),
            }
        } else {
            match lines.iter().rposition(|l| l.start < c.start) {
                Some(i) => trailing[i].push(c),
                // Code precedes it on its line, so some line starts
                // before it; this is only for safety.
                None => at_end.push(c),
            }
        }
    }
    for (lead, trail) in leading.iter_mut().zip(&mut trailing) {
        if trail.len() > 1 {
            lead.append(trail);
        }
    }

    let mut rows: Vec<Option<Row>> = Vec::new();
    let mut landed = Vec::with_capacity(lines.len());
    // Whether a blank line may come next: not at the top, nor right after
    // a line that opens a block.
    let mut may_blank = false;
    let blank = |rows: &mut Vec<Option<Row>>, wanted: bool, may: bool| {
        if wanted && may {
            rows.push(None);
        }
    };
    for (i, line) in lines.iter().enumerate() {
        let inside = matches!(line.kind, Kind::Close | Kind::Continuation);
        let comment_indent = if line.kind == Kind::Close {
            line.indent + INDENT
        } else {
            line.indent
        };
        for c in &leading[i] {
            blank(
                &mut rows,
                c.blank_before,
                may_blank && line.kind != Kind::Continuation,
            );
            rows.push(Some(Row {
                code: format!("{}{}", " ".repeat(comment_indent), c.text),
                align: None,
                comment: None,
            }));
            may_blank = true;
        }
        blank(
            &mut rows,
            trivia.blank_before(line.start),
            may_blank && !inside,
        );
        rows.push(Some(Row {
            code: format!("{}{}", " ".repeat(line.indent), line.text),
            align: line
                .align
                .clone()
                .map(|(at, group)| (at + line.indent, group)),
            comment: trailing[i].first().map(|c| c.text.clone()),
        }));
        landed.push(rows.len());
        may_blank = line.kind != Kind::Open && !line.text.ends_with(':');
    }
    for c in at_end {
        blank(&mut rows, c.blank_before, may_blank);
        rows.push(Some(Row {
            code: c.text.clone(),
            align: None,
            comment: None,
        }));
        may_blank = true;
    }
    (render(rows), landed)
}

/// Align and join the rows.
fn render(mut rows: Vec<Option<Row>>) -> String {
    align_runs(
        &mut rows,
        |r| r.align.as_ref().map(|(_, group)| group.clone()),
        |r| {
            let at = r.align.as_ref().map_or(0, |(at, _)| *at);
            (r.code[..at].chars().count(), at)
        },
    );
    align_runs(
        &mut rows,
        |r| r.comment.as_ref().map(|_| String::new()),
        |r| (r.code.chars().count(), r.code.len()),
    );
    let mut out = String::new();
    // `None` is a blank line.
    for row in rows.into_iter() {
        if let Some(row) = row {
            out.push_str(&row.code);
            if let Some(c) = &row.comment {
                out.push(' ');
                out.push_str(c);
            }
        }
        // No trailing spaces on any line.
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
    }
    out
}

/// In each run of consecutive rows in the same group (`group`; `None`:
/// in none), pad each row at the byte offset `point` gives, so that the
/// text after it starts in the same column (`point` gives that column
/// before padding, and the offset).
fn align_runs(
    rows: &mut [Option<Row>],
    group: impl Fn(&Row) -> Option<String>,
    point: impl Fn(&Row) -> (usize, usize),
) {
    let key = |row: &Option<Row>| row.as_ref().and_then(&group);
    let mut i = 0;
    while i < rows.len() {
        let Some(current) = key(&rows[i]) else {
            i += 1;
            continue;
        };
        let run_end = (i..rows.len())
            .find(|&j| key(&rows[j]).as_ref() != Some(&current))
            .unwrap_or(rows.len());
        let widest = rows[i..run_end]
            .iter()
            .flatten()
            .map(|r| point(r).0)
            .max()
            .unwrap_or(0);
        for row in rows[i..run_end].iter_mut().flatten() {
            let (column, at) = point(row);
            let pad = " ".repeat(widest - column);
            row.code.insert_str(at, &pad);
        }
        i = run_end;
    }
}
