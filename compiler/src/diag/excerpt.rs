//! Long source lines cut down to the part a diagnostic is about.
//!
//! A diagnostic prints the lines its labels are on. A machine-made
//! program can put thousands of constructs on one line, and every
//! diagnostic about any of them would print the whole line again (3,000
//! unused loop variables on one line printed 469 MB). So a line longer
//! than [`LONG_LINE`] bytes is shown only around the labels on it, with
//! `…` where text is left out; line numbers stay those of the file.

use std::ops::Range;

/// Lines up to this many bytes are shown whole.
pub const LONG_LINE: usize = 240;
/// Bytes kept on either side of the labels on a long line.
const CONTEXT: usize = 60;
/// What stands for the text left out.
const ELIDED: &str = "…";

/// The lines a diagnostic shows, with long ones cut down.
pub struct Excerpt {
    /// From the start of the first line shown to the end of the last.
    pub text: String,
    /// The 0-based number of the first line shown.
    pub first_line: usize,
    /// Pieces of the source kept: (source range, where it starts in `text`).
    kept: Vec<(Range<usize>, usize)>,
    /// The long lines cut, 1-based, for a note.
    pub cut: Vec<usize>,
}

impl Excerpt {
    /// Where byte `at` of the source lies in [`Excerpt::text`] (a byte
    /// that was left out maps to the nearest kept one).
    pub fn map(&self, at: usize) -> usize {
        let mut best = 0;
        for (range, start) in &self.kept {
            if at < range.start {
                return best.max(*start);
            }
            if at <= range.end {
                return start + (at - range.start);
            }
            best = start + range.len();
        }
        best
    }

    /// `range` of the source in [`Excerpt::text`].
    pub fn map_range(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.map(range.start);
        start..self.map(range.end).max(start)
    }
}

/// Where each line of a source starts, found once for all its
/// diagnostics (searching the text for each would cost a pass over a long
/// line per diagnostic on it).
pub struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    pub fn new(src: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines {
            starts,
            len: src.len(),
        }
    }

    /// The 0-based line holding byte `at`.
    pub fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The bytes of line `n` (without its line break).
    pub fn range(&self, n: usize) -> Range<usize> {
        let start = self.starts.get(n).copied().unwrap_or(self.len);
        let end = self
            .starts
            .get(n + 1)
            .map_or(self.len, |next| next.saturating_sub(1));
        start..end.max(start)
    }
}

/// The excerpt of `src` (its lines `index`) for labels `spans` (each
/// inside `src`), or `None` when no line they are on is long: then the
/// source is shown as it is.
pub fn excerpt(src: &str, index: &Lines, spans: &[Range<usize>]) -> Option<Excerpt> {
    let first = spans.iter().map(|r| r.start).min()?;
    let last = spans.iter().map(|r| r.end).max()?;
    let first_line = index.line_of(first);
    let lines: Vec<Range<usize>> = (first_line..=index.line_of(last))
        .map(|n| index.range(n))
        .collect();
    if lines.iter().all(|l| l.len() <= LONG_LINE) {
        return None;
    }
    let mut out = Excerpt {
        text: String::new(),
        first_line,
        kept: Vec::new(),
        cut: Vec::new(),
    };
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.text.push('\n');
        }
        let keep = if line.len() <= LONG_LINE {
            line.clone()
        } else {
            out.cut.push(first_line + n + 1);
            window(src, line, spans)
        };
        if keep.start > line.start {
            out.text.push_str(ELIDED);
        }
        out.kept.push((keep.clone(), out.text.len()));
        out.text.push_str(&src[keep.clone()]);
        if keep.end < line.end {
            out.text.push_str(ELIDED);
        }
    }
    Some(out)
}

/// The part of long `line` to show: its labels and [`CONTEXT`] bytes
/// around them, or its start when no label is on it.
fn window(src: &str, line: &Range<usize>, spans: &[Range<usize>]) -> Range<usize> {
    let on: Vec<&Range<usize>> = spans
        .iter()
        .filter(|r| r.start <= line.end && r.end >= line.start)
        .collect();
    let (lo, hi) = match (
        on.iter().map(|r| r.start.max(line.start)).min(),
        on.iter().map(|r| r.end.min(line.end)).max(),
    ) {
        (Some(lo), Some(hi)) => (lo.saturating_sub(CONTEXT), hi + CONTEXT),
        _ => (line.start, line.start + LONG_LINE / 2),
    };
    let lo = floor_char(src, lo.max(line.start));
    let hi = ceil_char(src, hi.min(line.end));
    lo..hi
}

fn floor_char(src: &str, mut at: usize) -> usize {
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(src: &str, mut at: usize) -> usize {
    while !src.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one label: a slice of one range
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        assert!(excerpt("a b c\nd e f\n", &Lines::new("a b c\nd e f\n"), &[2..3]).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_and_positions_follow() {
        let src = format!(
            "first\n{}TARGET{}\nlast\n",
            "x".repeat(1000),
            "y".repeat(1000)
        );
        let at = src.find("TARGET").unwrap();
        let e = excerpt(&src, &Lines::new(&src), &[at..at + 6]).unwrap();
        assert_eq!(e.first_line, 1);
        assert_eq!(e.cut, [2]);
        assert!(e.text.len() < 2 * CONTEXT + 6 + 2 * ELIDED.len() + 1);
        assert!(e.text.starts_with(ELIDED) && e.text.ends_with(ELIDED));
        let r = e.map_range(&(at..at + 6));
        assert_eq!(&e.text[r], "TARGET");
    }

    #[test]
    fn labels_on_two_lines_keep_the_lines_between() {
        let long = "z".repeat(500);
        let src = format!("{long}A\nmiddle\nB{long}\n");
        let a = src.find('A').unwrap();
        let b = src.find('B').unwrap();
        let e = excerpt(&src, &Lines::new(&src), &[a..a + 1, b..b + 1]).unwrap();
        assert_eq!(e.cut, [1, 3]);
        assert!(e.text.contains("\nmiddle\n"));
        assert_eq!(&e.text[e.map_range(&(a..a + 1))], "A");
        assert_eq!(&e.text[e.map_range(&(b..b + 1))], "B");
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let src = format!("{}!{}", "é".repeat(400), "ü".repeat(400));
        let at = src.find('!').unwrap();
        let e = excerpt(&src, &Lines::new(&src), &[at..at + 1]).unwrap();
        assert_eq!(&e.text[e.map_range(&(at..at + 1))], "!");
    }
}
