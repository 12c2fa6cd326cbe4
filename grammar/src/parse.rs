//! The parser's entry point and its errors, as data.
//!
//! [`parse`] always returns a [`Program`]; everything that went wrong is in
//! the accompanying [`ParseError`]s, sorted by position. Rendering them is
//! the compiler's job.

use std::fmt;

use lalrpop_util::{ErrorRecovery, ParseError as LalrError};

use crate::ast::*;
use crate::token::{lex, LexError, Spanned, Tok, SOFT_KEYWORDS};

/// Errors the grammar's actions would raise by failing: there are none,
/// since actions record problems in the [`ErrorSink`] and keep going.
#[derive(Clone, Debug, PartialEq)]
pub enum UserError {}

/// Where recovered errors collect while the parser keeps going.
#[derive(Default)]
pub struct ErrorSink {
    errors: Vec<ParseError>,
}

impl ErrorSink {
    pub(crate) fn recovered(&mut self, e: ErrorRecovery<usize, Tok, UserError>) {
        self.errors.push(ParseError::from_lalrpop(e.error));
    }

    /// Take back the "too large" error of the literal at `span` (it was
    /// 2^63, and is negated); `false` when there is none.
    fn take_too_large(&mut self, span: Span) -> bool {
        let at = self
            .errors
            .iter()
            .rposition(|e| e.span == span && e.kind == ParseErrorKind::IntTooLarge);
        at.map(|i| self.errors.remove(i)).is_some()
    }

    fn push(&mut self, error: ParseError) {
        self.errors.push(error);
    }
}

/// A syntax error: what went wrong and where.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParseErrorKind {
    /// A token the grammar does not allow here.
    UnexpectedToken {
        found: String,
        expected: Vec<String>,
    },
    /// The file ended in the middle of something.
    UnexpectedEnd { expected: Vec<String> },
    /// Text that is not a token at all.
    Lex(LexError),
    /// An integer literal beyond the range of `int` (i64).
    IntTooLarge,
    /// Expressions or blocks nested deeper than [`crate::MAX_NESTING`].
    TooDeep,
}

impl ParseError {
    fn from_lalrpop(e: LalrError<usize, Tok, UserError>) -> ParseError {
        match e {
            LalrError::InvalidToken { location } => ParseError {
                kind: ParseErrorKind::Lex(LexError::UnexpectedChar),
                span: Span::new(location, location + 1),
            },
            LalrError::UnrecognizedEof { location, expected } => ParseError {
                kind: ParseErrorKind::UnexpectedEnd {
                    expected: clean_expected(expected),
                },
                span: Span::new(location, location),
            },
            LalrError::UnrecognizedToken {
                token: (l, tok, r),
                expected,
            } => {
                let kind = match tok {
                    Tok::Error(e) => ParseErrorKind::Lex(e),
                    tok => ParseErrorKind::UnexpectedToken {
                        found: tok.to_string(),
                        expected: clean_expected(expected),
                    },
                };
                ParseError {
                    kind,
                    span: Span::new(l, r),
                }
            }
            LalrError::ExtraToken { token: (l, tok, r) } => ParseError {
                kind: ParseErrorKind::UnexpectedToken {
                    found: tok.to_string(),
                    expected: vec![],
                },
                span: Span::new(l, r),
            },
            LalrError::User { error } => match error {},
        }
    }
}

/// lalrpop lists expected terminals by their grammar names (`"\"data\""`,
/// `Ident`); turn them into what a user reads, drop the error pseudo-token,
/// and sort for stable output.
fn clean_expected(expected: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = expected
        .into_iter()
        .filter(|e| e != "LexErr")
        .map(|e| match e.as_str() {
            "Ident" => "identifier".to_string(),
            "IntLit" => "integer".to_string(),
            "FloatLit" => "float".to_string(),
            "StrLit" => "string".to_string(),
            other => format!("`{}`", other.trim_matches('"').replace("\\\"", "\"")),
        })
        .collect();
    // Where a name fits, so does a soft keyword: listing them all as well
    // would bury what is expected.
    if out.iter().any(|e| e == "identifier") {
        out.retain(|e| !SOFT_KEYWORDS.iter().any(|k| e.trim_matches('`') == *k));
    }
    out.sort();
    out.dedup();
    out
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::UnexpectedToken { found, .. } => write!(f, "unexpected {found}"),
            ParseErrorKind::UnexpectedEnd { .. } => f.write_str("unexpected end of file"),
            ParseErrorKind::Lex(e) => write!(f, "{e}"),
            ParseErrorKind::IntTooLarge => f.write_str("integer literal is too large for `int`"),
            ParseErrorKind::TooDeep => write!(
                f,
                "expressions nest more than {} levels deep",
                crate::MAX_NESTING
            ),
        }
    }
}

/// Parse a whole program. Never fails: broken text becomes error nodes and
/// entries in the returned error list (sorted by position).
pub fn parse(src: &str) -> (Program, Vec<ParseError>) {
    let tokens = lex(src);
    let regions = item_starts(src, &tokens);
    let mut sink = ErrorSink::default();
    let parser = crate::fold::ProgramParser::new();
    let mut program = match parser.parse(&mut sink, tokens.iter().cloned().map(Ok)) {
        Ok(program) => program,
        Err(e) => {
            sink.push(ParseError::from_lalrpop(e));
            Program::default()
        }
    };
    salvage_declarations(&mut program, &tokens);
    drop_fragments(&mut program, src);
    let errors = without_cascades(sink.errors, &regions);
    let mut errors = blame_keywords(errors, src, &tokens, &regions);
    if let Some(at) = crate::nesting::too_deep(&program) {
        // No later pass may see a tree this deep: they recurse over it.
        // Dropping it would recurse as deep as it nests, so it is let go
        // of instead (the refused program's memory, once).
        errors.push(too_deep(at));
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        std::mem::forget(std::mem::take(&mut program));
    }
    (program, errors)
}

fn too_deep(at: usize) -> ParseError {
    ParseError {
        kind: ParseErrorKind::TooDeep,
        span: Span::new(at, at),
    }
}

/// A stage keyword at the start of a line, taken as a name because the
/// line before it ended early (`abort when x >`, then `find f(x)` on the
/// next line), makes the parser stumble one token later. Such an error is
/// put back on the keyword, with what the parser expected in its place.
/// Only errors that survived [`without_cascades`] (one per item) are
/// looked at, and what was expected is found by parsing again from the
/// start of the item, so this stays linear in the size of the file.
fn blame_keywords(
    errors: Vec<ParseError>,
    src: &str,
    tokens: &[Spanned],
    item_starts: &[usize],
) -> Vec<ParseError> {
    errors
        .into_iter()
        .map(|e| {
            if !matches!(e.kind, ParseErrorKind::UnexpectedToken { .. }) {
                return e;
            }
            let at = tokens.partition_point(|(l, _, _)| *l < e.span.start as usize);
            let Some(k) = at.checked_sub(1) else { return e };
            let (kl, kw, kr) = &tokens[k];
            let line_start = src
                .get(..*kl)
                .is_some_and(|before| before.trim_end_matches([' ', '\t', '\r']).ends_with('\n'));
            if !kw.starts_stage_or_item() || !line_start {
                return e;
            }
            let item = item_starts[..item_starts.partition_point(|&s| s < *kl)]
                .last()
                .copied()
                .unwrap_or(0);
            let first = tokens.partition_point(|(l, _, _)| *l < item);
            let mut sink = ErrorSink::default();
            let prefix = tokens[first..k].iter().cloned().map(Ok);
            if let Err(end) = crate::fold::ProgramParser::new().parse(&mut sink, prefix) {
                sink.push(ParseError::from_lalrpop(end));
            }
            let expected = sink.errors.into_iter().find_map(|p| match p.kind {
                ParseErrorKind::UnexpectedEnd { expected } => Some(expected),
                _ => None,
            });
            // The keyword was read as a name only where an expression
            // could start (where it could stand as a keyword, a name
            // cannot: a stage boundary, or between items).
            let in_expression = |x: &[String]| {
                ["identifier", "`(`"]
                    .iter()
                    .all(|want| x.iter().any(|e| e == want))
            };
            match expected {
                Some(expected) if in_expression(&expected) => ParseError {
                    kind: ParseErrorKind::UnexpectedToken {
                        found: kw.to_string(),
                        expected,
                    },
                    span: Span::new(*kl, *kr),
                },
                _ => e,
            }
        })
        .collect()
}

/// A `data` declaration whose field list is broken is recovered as an
/// error item; keep its name as a broken declaration, so that every use of
/// the category does not report it unknown on top of the syntax error.
fn salvage_declarations(program: &mut Program, tokens: &[crate::token::Spanned]) {
    for item in &mut program.items {
        let Item::Error(span) = item else { continue };
        let start = tokens.partition_point(|(l, _, _)| *l < span.start as usize);
        let mut toks = tokens[start..]
            .iter()
            .take_while(|(l, _, _)| *l < span.end as usize);
        let mut first = toks.next();
        let private = matches!(first, Some((_, Tok::Private, _)));
        if private {
            first = toks.next();
        }
        let (Some((l, Tok::Data, _)), Some((nl, Tok::Ident(name), nr))) = (first, toks.next())
        else {
            continue;
        };
        *item = Item::Data(DataDecl {
            private,
            name: Ident {
                name: name.clone(),
                span: Span::new(*nl, *nr),
            },
            fields: Vec::new(),
            key: None,
            keep: None,
            broken: true,
            span: Span::new(*l, span.end as usize),
        });
    }
}

/// After a broken item the parser resumes at the next token that can
/// start one, often in the middle of a line: in `out(x) :- e(x); e(y).`
/// it reads `e(y).` as a fact. An item that starts on the line where a
/// broken one ends is such a fragment, not a new item (checking it would
/// only report errors that restate the first), so it becomes part of the
/// error. Items on later lines are items, indented or not.
fn drop_fragments(program: &mut Program, src: &str) {
    let mut error_end: Option<usize> = None;
    for item in &mut program.items {
        let span = item.span();
        let same_line = |end: usize| {
            src.get(end..span.start as usize)
                .is_some_and(|between| !between.contains('\n'))
        };
        if error_end.is_some_and(same_line) {
            *item = Item::Error(span);
        }
        error_end = matches!(item, Item::Error(_)).then_some(span.end as usize);
    }
}

/// Offsets where a top-level item plausibly starts: a token at the very
/// start of a line that can begin an item.
fn item_starts(src: &str, tokens: &[crate::token::Spanned]) -> Vec<usize> {
    tokens
        .iter()
        .filter(|(l, tok, _)| {
            let at_line_start = *l == 0 || src.as_bytes().get(l - 1) == Some(&b'\n');
            let starts_item = tok.starts_item() || matches!(tok, Tok::Ident(_));
            at_line_start && starts_item
        })
        .map(|(l, _, _)| *l)
        .collect()
}

/// Sort errors and keep the first of each top-level item. After an error
/// the parser skips ahead and often trips again before it is back in step;
/// those later reports restate the first. An error right at the start of
/// the item after a broken one is such a stumble too. Lexical errors are
/// always kept: they are exact.
fn without_cascades(mut errors: Vec<ParseError>, item_starts: &[usize]) -> Vec<ParseError> {
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    let region = |offset: u32| item_starts.partition_point(|&s| s <= offset as usize);
    let mut kept: Vec<ParseError> = Vec::with_capacity(errors.len());
    let mut last_region: Option<usize> = None;
    for e in errors {
        let exact = matches!(
            e.kind,
            ParseErrorKind::Lex(_) | ParseErrorKind::IntTooLarge | ParseErrorKind::TooDeep
        );
        let r = region(e.span.start);
        let at_start = item_starts.binary_search(&(e.span.start as usize)).is_ok();
        let cascade = match last_region {
            Some(prev) => r == prev || (at_start && r == prev + 1),
            None => false,
        };
        if exact || !cascade {
            last_region = Some(r);
            kept.push(e);
        }
    }
    kept
}

/// Parse a single expression (for tests and tools).
pub fn parse_expr(src: &str) -> (Option<Expr>, Vec<ParseError>) {
    let tokens = lex(src);
    let mut sink = ErrorSink::default();
    let result = crate::fold::ExprParser::new().parse(&mut sink, tokens.into_iter().map(Ok));
    let mut errors = sink.errors;
    let expr = match result {
        Ok(e) => match crate::nesting::too_deep_expr(&e) {
            Some(at) => {
                errors.push(too_deep(at));
                // As in `parse`: dropping it would recurse as deep.
                std::mem::forget(e);
                None
            }
            None => Some(e),
        },
        Err(e) => {
            errors.push(ParseError::from_lalrpop(e));
            None
        }
    };
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    (expr, errors)
}

// ------------------------------------------------------------ grammar helpers

pub(crate) fn int_literal(sink: &mut ErrorSink, digits: &str, l: usize, r: usize) -> Expr {
    let span = Span::new(l, r);
    let too_large = ParseError {
        kind: ParseErrorKind::IntTooLarge,
        span,
    };
    match digits.parse::<i64>() {
        Ok(v) => Expr {
            kind: ExprKind::Int(v),
            span,
        },
        // 2^63 is too large unless it is negated, which only `negate`
        // knows: it takes the error back then.
        Err(_) if digits.parse::<u64>() == Ok(1 << 63) => {
            sink.push(too_large);
            Expr {
                kind: ExprKind::Int(i64::MIN),
                span,
            }
        }
        Err(_) => {
            sink.push(too_large);
            Expr {
                kind: ExprKind::Error,
                span,
            }
        }
    }
}

pub(crate) fn float_literal(text: &str, l: usize, r: usize) -> Expr {
    // The lexer only passes digit sequences with `.` or an exponent, which
    // always parse; an overlong exponent saturates to infinity.
    let v = text.parse::<f64>().unwrap_or(f64::INFINITY);
    Expr {
        kind: ExprKind::Float(v),
        span: Span::new(l, r),
    }
}

pub(crate) fn binary(op: BinaryOp, a: Expr, b: Expr, l: usize, r: usize) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
        span: Span::new(l, r),
    }
}

/// `-e`, folding negative number literals into constants.
pub(crate) fn negate(sink: &mut ErrorSink, e: Expr, l: usize, r: usize) -> Expr {
    let span = Span::new(l, r);
    let kind = match e.kind {
        // `-9223372036854775808`: the literal 2^63 said it was too large.
        ExprKind::Int(i64::MIN) if sink.take_too_large(e.span) => ExprKind::Int(i64::MIN),
        ExprKind::Int(v) if v != i64::MIN => ExprKind::Int(-v),
        ExprKind::Float(v) => ExprKind::Float(-v),
        other => ExprKind::Unary(
            UnaryOp::Neg,
            Box::new(Expr {
                kind: other,
                span: e.span,
            }),
        ),
    };
    Expr { kind, span }
}
