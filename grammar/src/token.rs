//! Tokens of fold, recognised by a logos-generated lexer.
//!
//! Whitespace and comments (`// ...`, `/* ... */`) are skipped. Characters
//! that start no token, unterminated strings and unterminated block
//! comments become [`Tok::Error`] tokens so the parser can report them in
//! place and keep going.

use std::fmt;

use logos::Logos;

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
#[logos(skip r"/\*([^*]|\*+[^*/])*\*+/")]
pub enum Tok {
    // Keywords. `min`, `max`, `count`, `sum`, `hit`, `miss`, `near_miss`
    // and the type names are plain identifiers: they are only special in
    // one position, and users may name fields and variables after them.
    #[token("data")]
    Data,
    #[token("private")]
    Private,
    #[token("key")]
    Key,
    #[token("keep")]
    Keep,
    #[token("input")]
    Input,
    #[token("from")]
    From,
    #[token("output")]
    Output,
    #[token("rule")]
    Rule,
    #[token("on")]
    On,
    #[token("abort")]
    Abort,
    #[token("when")]
    When,
    #[token("friends")]
    Friends,
    #[token("let")]
    Let,
    #[token("find")]
    Find,
    #[token("search")]
    Search,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("priority")]
    Priority,
    #[token("example")]
    Example,
    #[token("true")]
    True,
    #[token("false")]
    False,

    #[regex(r"[A-Za-z][A-Za-z0-9_]*|_[A-Za-z0-9_]+", |lex| lex.slice().to_string())]
    Ident(String),
    #[token("_")]
    Underscore,
    /// Digits of an integer literal (range checked by the parser, which
    /// knows whether a minus sign precedes it).
    #[regex(r"[0-9]+", |lex| lex.slice().to_string())]
    Int(String),
    #[regex(r"[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+", |lex| lex.slice().to_string())]
    Float(String),
    /// A string literal, escapes already decoded.
    #[regex(r#""([^"\\\n]|\\.)*""#, |lex| unescape(lex.slice()))]
    Str(String),

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token(":-")]
    Turnstile,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("=>")]
    Arrow,
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Bang,
    /// In `example path@6 hit: ...`: the Datalog rule of line 6 that finds
    /// `path`.
    #[token("@")]
    At,

    /// Text that starts no token. Never produced by logos directly: the
    /// lexer wrapper turns logos errors into this, with a reason.
    Error(LexError),
}

/// Why a piece of text is not a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LexError {
    #[default]
    UnexpectedChar,
    UnterminatedString,
    UnterminatedComment,
    BadEscape,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LexError::UnexpectedChar => "unexpected character",
            LexError::UnterminatedString => "unterminated string literal",
            LexError::UnterminatedComment => "unterminated block comment",
            LexError::BadEscape => "unknown escape sequence in string",
        })
    }
}

/// Decode the escapes of a string literal (the slice includes the quotes).
/// An unknown escape is kept verbatim here; [`lex`] reports it.
fn unescape(slice: &str) -> String {
    let inner = &slice[1..slice.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn has_bad_escape(slice: &str) -> bool {
    let mut chars = slice.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && !matches!(chars.next(), Some('n' | 't' | 'r' | '0' | '"' | '\\')) {
            return true;
        }
    }
    false
}

/// Keywords that are also field and variable names where a name, and no
/// keyword, fits (`data msg(from: str, key: str)`): the grammar's
/// `SoftKeyword` lists the same words. `let`, `for`, `in`, `if`, `else`, `true`
/// and `false` are not: they would make statements ambiguous.
pub const SOFT_KEYWORDS: [&str; 16] = [
    "data", "private", "key", "keep", "input", "from", "output", "rule", "on", "abort", "when",
    "friends", "find", "search", "priority", "example",
];

/// The keywords that begin a top-level item.
pub const ITEM_KEYWORDS: [&str; 6] = ["data", "private", "input", "output", "rule", "example"];

/// The keywords that begin a stage of a lifecycle rule (`let` aside).
pub const STAGE_KEYWORDS: [&str; 6] = ["on", "abort", "friends", "find", "search", "priority"];

/// A token with its byte range.
pub type Spanned = (usize, Tok, usize);

/// Split `src` into tokens. Never fails: bad text becomes [`Tok::Error`].
pub fn lex(src: &str) -> Vec<Spanned> {
    let mut out = Vec::new();
    let mut lexer = Tok::lexer(src);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        let tok = match result {
            Ok(Tok::Str(s)) if has_bad_escape(lexer.slice()) => {
                let _ = s;
                Tok::Error(LexError::BadEscape)
            }
            // A block comment that ends is skipped; `/*` reaching here never
            // ends, and swallows the rest of the file.
            Ok(Tok::Slash) if src[span.end..].starts_with('*') => {
                out.push((
                    span.start,
                    Tok::Error(LexError::UnterminatedComment),
                    src.len(),
                ));
                break;
            }
            Ok(tok) => tok,
            Err(()) => {
                let rest = &src[span.start..];
                if rest.starts_with('"') {
                    // The string runs to the end of its line: skip it whole
                    // so its contents are not lexed as code.
                    let end = rest.find('\n').map_or(src.len(), |i| span.start + i);
                    out.push((span.start, Tok::Error(LexError::UnterminatedString), end));
                    lexer.bump(end.saturating_sub(span.end));
                    continue;
                }
                if rest.starts_with("/*") {
                    out.push((
                        span.start,
                        Tok::Error(LexError::UnterminatedComment),
                        src.len(),
                    ));
                    break;
                }
                Tok::Error(LexError::UnexpectedChar)
            }
        };
        out.push((span.start, tok, span.end));
    }
    out
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Tok::Ident(s) => return write!(f, "identifier `{s}`"),
            Tok::Int(s) | Tok::Float(s) => return write!(f, "number `{s}`"),
            Tok::Str(_) => return f.write_str("string literal"),
            Tok::Error(e) => return write!(f, "{e}"),
            other => other.text(),
        };
        write!(f, "`{text}`")
    }
}

impl Tok {
    /// A keyword that begins a top-level item ([`ITEM_KEYWORDS`]).
    pub fn starts_item(&self) -> bool {
        ITEM_KEYWORDS.contains(&self.text())
    }

    /// A keyword that begins a rule's stage or a top-level item.
    pub fn starts_stage_or_item(&self) -> bool {
        self.starts_item() || STAGE_KEYWORDS.contains(&self.text())
    }

    /// The fixed text of a keyword or punctuation token.
    pub fn text(&self) -> &'static str {
        match self {
            Tok::Data => "data",
            Tok::Private => "private",
            Tok::Key => "key",
            Tok::Keep => "keep",
            Tok::Input => "input",
            Tok::From => "from",
            Tok::Output => "output",
            Tok::Rule => "rule",
            Tok::On => "on",
            Tok::Abort => "abort",
            Tok::When => "when",
            Tok::Friends => "friends",
            Tok::Let => "let",
            Tok::Find => "find",
            Tok::Search => "search",
            Tok::For => "for",
            Tok::In => "in",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::Priority => "priority",
            Tok::Example => "example",
            Tok::True => "true",
            Tok::False => "false",
            Tok::Underscore => "_",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Colon => ":",
            Tok::Turnstile => ":-",
            Tok::Dot => ".",
            Tok::DotDot => "..",
            Tok::Arrow => "=>",
            Tok::Assign => "=",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Bang => "!",
            Tok::At => "@",
            Tok::Ident(_) => "identifier",
            Tok::Int(_) => "integer",
            Tok::Float(_) => "float",
            Tok::Str(_) => "string",
            Tok::Error(_) => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn ranges_and_floats_do_not_collide() {
        assert_eq!(
            kinds("xs[1..3] 2.5 edge(1, 2)."),
            vec![
                Tok::Ident("xs".into()),
                Tok::LBracket,
                Tok::Int("1".into()),
                Tok::DotDot,
                Tok::Int("3".into()),
                Tok::RBracket,
                Tok::Float("2.5".into()),
                Tok::Ident("edge".into()),
                Tok::LParen,
                Tok::Int("1".into()),
                Tok::Comma,
                Tok::Int("2".into()),
                Tok::RParen,
                Tok::Dot,
            ]
        );
    }

    #[test]
    fn comments_are_skipped_and_errors_kept() {
        assert_eq!(
            kinds("a // x\n/* y\n z */ b"),
            vec![Tok::Ident("a".into()), Tok::Ident("b".into())]
        );
        assert_eq!(
            kinds("a # b"),
            vec![
                Tok::Ident("a".into()),
                Tok::Error(LexError::UnexpectedChar),
                Tok::Ident("b".into())
            ]
        );
        assert_eq!(
            kinds("\"abc\nx"),
            vec![
                Tok::Error(LexError::UnterminatedString),
                Tok::Ident("x".into())
            ]
        );
        assert_eq!(
            kinds("a /* b"),
            vec![
                Tok::Ident("a".into()),
                Tok::Error(LexError::UnterminatedComment)
            ]
        );
        assert_eq!(kinds(r#""a\qb""#), vec![Tok::Error(LexError::BadEscape)]);
        assert_eq!(kinds(r#""a\"b\n""#), vec![Tok::Str("a\"b\n".into())]);
    }

    #[test]
    fn underscore_alone_is_a_wildcard() {
        assert_eq!(
            kinds("_ _x near_miss"),
            vec![
                Tok::Underscore,
                Tok::Ident("_x".into()),
                Tok::Ident("near_miss".into())
            ]
        );
    }
}
