//! The parser's entry point and its errors, as data.
//!
//! [`parse`] always returns a [`Program`]; everything that went wrong is in
//! the accompanying [`ParseError`]s, sorted by position. Rendering them is
//! the compiler's job.

use std::fmt;

use lalrpop_util::{ErrorRecovery, ParseError as LalrError};

use crate::ast::*;
use crate::token::{lex, LexError, Tok};

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
    UnexpectedToken { found: String, expected: Vec<String> },
    /// The file ended in the middle of something.
    UnexpectedEnd { expected: Vec<String> },
    /// Text that is not a token at all.
    Lex(LexError),
    /// An integer literal beyond the range of `int` (i64).
    IntTooLarge,
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
        }
    }
}

/// Parse a whole program. Never fails: broken text becomes error nodes and
/// entries in the returned error list (sorted by position).
pub fn parse(src: &str) -> (Program, Vec<ParseError>) {
    let tokens = lex(src);
    let starts: Vec<usize> = tokens.iter().map(|(l, _, _)| *l).collect();
    let mut sink = ErrorSink::default();
    let parser = crate::fold::ProgramParser::new();
    let program = match parser.parse(&mut sink, tokens.into_iter().map(Ok)) {
        Ok(program) => program,
        Err(e) => {
            sink.push(ParseError::from_lalrpop(e));
            Program::default()
        }
    };
    (program, without_cascades(sink.errors, &starts))
}

/// Sort errors and drop the ones that follow another within a token or
/// two: after recovery the parser often trips again on the very next
/// token, and that second report only restates the first.
fn without_cascades(mut errors: Vec<ParseError>, token_starts: &[usize]) -> Vec<ParseError> {
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    let mut kept: Vec<ParseError> = Vec::with_capacity(errors.len());
    for e in errors {
        if let Some(prev) = kept.last() {
            let between = token_starts
                .iter()
                .filter(|&&t| t >= prev.span.end as usize && t < e.span.start as usize)
                .count();
            let is_lex = matches!(e.kind, ParseErrorKind::Lex(_) | ParseErrorKind::IntTooLarge);
            if between <= 1 && !is_lex {
                continue;
            }
        }
        kept.push(e);
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
        Ok(e) => Some(e),
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
    match digits.parse::<i64>() {
        Ok(v) => Expr {
            kind: ExprKind::Int(v),
            span,
        },
        Err(_) => {
            sink.push(ParseError {
                kind: ParseErrorKind::IntTooLarge,
                span,
            });
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
pub(crate) fn negate(e: Expr, l: usize, r: usize) -> Expr {
    let span = Span::new(l, r);
    let kind = match e.kind {
        ExprKind::Int(v) => ExprKind::Int(-v),
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
