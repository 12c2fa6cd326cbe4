//! The comments and blank lines of a program, which the lexer skips.
//!
//! Between two tokens there is only whitespace and comments, so reading
//! the gaps between the lexer's tokens finds every comment without
//! lexing strings a second time.

use fold_grammar::token::Spanned;

/// A comment as written (`// ...` without trailing blanks, or a whole
/// `/* ... */`).
#[derive(Clone, Debug)]
pub struct Comment {
    pub start: usize,
    pub text: String,
    /// Nothing but whitespace before it on its line: it stands on a line
    /// of its own (before the code it is about), rather than trailing code.
    pub own_line: bool,
    /// A blank line separates it from what comes before.
    pub blank_before: bool,
}

/// What the formatter keeps of the text the lexer skips.
#[derive(Default)]
pub struct Trivia {
    /// Every comment, in source order.
    pub comments: Vec<Comment>,
    /// Token start offsets preceded by a blank line (after the last
    /// comment before them, if any), sorted.
    blank_before_token: Vec<usize>,
}

impl Trivia {
    pub fn scan(src: &str, tokens: &[Spanned]) -> Trivia {
        let mut trivia = Trivia::default();
        let mut prev_end = 0;
        for (start, _, end) in tokens {
            trivia.gap(src, prev_end, *start, true);
            prev_end = *end;
        }
        trivia.gap(src, prev_end, src.len(), false);
        trivia
    }

    /// Whether a blank line comes right before the token at `offset`.
    pub fn blank_before(&self, offset: usize) -> bool {
        self.blank_before_token.binary_search(&offset).is_ok()
    }

    /// Whether a comment starts strictly inside `start..end`.
    pub fn any_within(&self, start: usize, end: usize) -> bool {
        let first = self.comments.partition_point(|c| c.start <= start);
        self.comments.get(first).is_some_and(|c| c.start < end)
    }

    /// Read the gap `from..to` (whitespace and comments only); `token`
    /// says whether a token follows it.
    fn gap(&mut self, src: &str, from: usize, to: usize, token: bool) {
        let Some(text) = src.get(from..to) else {
            return;
        };
        let mut at = 0;
        // The whitespace before the next comment or token.
        let mut newlines = if from == 0 { 1 } else { 0 };
        let mut blank = false;
        while at < text.len() {
            let rest = &text[at..];
            if rest.starts_with("//") {
                let len = rest.find('\n').unwrap_or(rest.len());
                self.push(from + at, rest[..len].trim_end(), newlines, blank);
                at += len;
                newlines = 0;
                blank = false;
            } else if rest.starts_with("/*") {
                // The lexer only skips block comments that end.
                let len = rest.find("*/").map_or(rest.len(), |i| i + 2);
                self.push(from + at, &rest[..len], newlines, blank);
                at += len;
                newlines = 0;
                blank = false;
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                if c == '\n' {
                    newlines += 1;
                    if newlines >= 2 {
                        blank = true;
                    }
                }
                at += c.len_utf8();
            }
        }
        if token && blank {
            self.blank_before_token.push(to);
        }
    }

    fn push(&mut self, start: usize, text: &str, newlines: usize, blank: bool) {
        self.comments.push(Comment {
            start,
            text: text.to_string(),
            own_line: newlines > 0,
            blank_before: blank && start > 0,
        });
    }
}
