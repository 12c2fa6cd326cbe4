//! `foldc fmt`: one canonical layout for fold programs.
//!
//! The program is parsed, and its tree printed again line by line
//! ([`layout`]); the comments and blank lines the lexer skips are read
//! from the gaps between tokens ([`comments`]) and put back beside the
//! code they were next to ([`weave`]). Formatting is idempotent, and the
//! formatted program parses to the same tree (up to positions), so it
//! compiles to the same plan.
//!
//! Datalog rules are named by their line (`path@7`, in stats and in
//! `example path@7 ...`): when formatting moves such a rule to another
//! line, the examples that name it are renamed to follow it.

mod comments;
mod expr;
mod layout;
mod weave;

use std::collections::HashMap;

use fold_grammar::print::LineIndex;
use fold_grammar::token::lex;

use crate::diag::{syntax_diagnostic, Diagnostic};
use comments::Trivia;
use layout::{Kind, Layout};

/// The canonical form of a fold program, or its syntax errors (a program
/// that does not parse is not formatted).
pub fn format(src: &str) -> Result<String, Vec<Diagnostic>> {
    let (program, errors) = fold_grammar::parse(src);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| syntax_diagnostic(e, src)).collect());
    }
    let tokens = lex(src);
    let trivia = Trivia::scan(src, &tokens);
    let same = |name: &str| name.to_string();
    let lay_out = |rename: &dyn Fn(&str) -> String| {
        let mut layout = Layout::new(src, &tokens, &trivia, rename);
        layout.program(&program);
        layout.finish();
        layout.lines
    };
    let lines = lay_out(&same);
    let (text, landed) = weave::weave(&lines, &trivia);

    // Where each Datalog rule's line went.
    let index = LineIndex::new(src);
    let moved: HashMap<usize, usize> = lines
        .iter()
        .zip(&landed)
        .filter(|(line, _)| line.kind == Kind::ClauseStart)
        .map(|(line, new)| (index.line_col(line.start).0, *new))
        .filter(|(old, new)| old != new)
        .collect();
    if moved.is_empty() {
        return Ok(text);
    }
    let rename = |name: &str| -> String {
        let Some((rule, line)) = name.rsplit_once('@') else {
            return name.to_string();
        };
        match line.parse::<usize>().ok().and_then(|l| moved.get(&l)) {
            Some(new) => format!("{rule}@{new}"),
            None => name.to_string(),
        }
    };
    // Renaming changes no line's position, only example lines' text.
    let lines = lay_out(&rename);
    Ok(weave::weave(&lines, &trivia).0)
}

/// The byte ranges of the comments in `src` (for editors: the lexer
/// skips them).
pub fn comment_spans(src: &str) -> Vec<(usize, usize)> {
    let tokens = lex(src);
    Trivia::scan(src, &tokens)
        .comments
        .iter()
        .map(|c| (c.start, c.start + c.text.len()))
        .collect()
}

#[cfg(test)]
mod tests;
