//! Soufflé's tokens, by hand: the `.dl` dialect differs from fold's in
//! comments, directives (`.decl`), qualified names (`A.b`), unsigned and
//! hexadecimal literals and a few operators, and a separate small lexer
//! keeps fold's grammar free of them.

use fold_grammar::ast::Span;

/// One token of a `.dl` file.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name: a relation, variable, type or functor (`a`, `A.b`, `x?`).
    Ident(String),
    /// `.decl`, `.type`, `.input`, ... (the name without the dot).
    Directive(String),
    Int(i64),
    /// `12u`: an unsigned literal.
    Unsigned(i64),
    Float(f64),
    Str(String),
    /// `#include`, `#define`, ...: a preprocessor line (its whole text).
    Hash(String),
    /// Punctuation and operators, as written.
    Punct(&'static str),
    Eof,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// A text that is not a token.
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    pub message: String,
    pub span: Span,
}

const PUNCTS: &[&str] = &[
    ":-", "<=", ">=", "!=", "<:", "(", ")", ",", ".", ":", ";", "!", "=", "<", ">", "+", "-", "*",
    "/", "%", "^", "{", "}", "[", "]", "$", "@", "|", "&",
];

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'?'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'?'
}

/// Split `src` into tokens; the last is always [`Tok::Eof`].
pub fn lex(src: &str) -> (Vec<Token>, Vec<LexError>) {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut errs = Vec::new();
    let mut i = 0;
    // Whether only whitespace precedes `i` on its line (for `#` lines).
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let at_line_start = line_start;
        line_start = false;
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            if i >= b.len() {
                errs.push(LexError {
                    message: "unclosed `/*` comment".into(),
                    span: Span::new(start, start + 2),
                });
            }
            i = (i + 2).min(b.len());
            continue;
        }
        if c == b'#' && at_line_start {
            while i < b.len() && b[i] != b'\n' {
                // A line continued with `\`.
                if b[i] == b'\\' && b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                i += 1;
            }
            toks.push(Token {
                tok: Tok::Hash(src[start..i].to_string()),
                span: Span::new(start, i),
            });
            continue;
        }
        if c == b'"' {
            i += 1;
            let mut s = String::new();
            let mut closed = false;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    b'\\' if i + 1 < b.len() => {
                        let e = b[i + 1];
                        match e {
                            b'n' => s.push('\n'),
                            b't' => s.push('\t'),
                            b'r' => s.push('\r'),
                            b'"' => s.push('"'),
                            b'\\' => s.push('\\'),
                            _ => {
                                // Unknown escapes stay as written.
                                s.push('\\');
                                let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                                s.push_str(&src[i + 1..i + 1 + ch_len]);
                                i += ch_len - 1;
                            }
                        }
                        i += 2;
                    }
                    b'\n' => break,
                    _ => {
                        // Whole characters: the text is UTF-8.
                        let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
                        s.push_str(&src[i..i + ch_len]);
                        i += ch_len;
                    }
                }
            }
            if !closed {
                errs.push(LexError {
                    message: "unclosed string".into(),
                    span: Span::new(start, i),
                });
            }
            toks.push(Token {
                tok: Tok::Str(s),
                span: Span::new(start, i),
            });
            continue;
        }
        if c.is_ascii_digit() {
            let (tok, end) = number(src, start);
            i = end;
            match tok {
                Ok(tok) => toks.push(Token {
                    tok,
                    span: Span::new(start, end),
                }),
                Err(message) => errs.push(LexError {
                    message,
                    span: Span::new(start, end),
                }),
            }
            continue;
        }
        if c == b'.' && b.get(i + 1).is_some_and(|&n| n.is_ascii_alphabetic()) {
            // A directive only where a clause may begin (after `.`, `)` ends
            // a clause and a letter cannot follow directly).
            let prev_is_name = toks.last().is_some_and(|t: &Token| {
                t.span.end as usize == start && matches!(t.tok, Tok::Ident(_))
            });
            if !prev_is_name {
                i += 1;
                while i < b.len() && (ident_char(b[i]) || b[i] == b'-') {
                    i += 1;
                }
                toks.push(Token {
                    tok: Tok::Directive(src[start + 1..i].to_string()),
                    span: Span::new(start, i),
                });
                continue;
            }
        }
        if ident_start(c) {
            while i < b.len() {
                if ident_char(b[i]) {
                    i += 1;
                } else if b[i] == b'.' && b.get(i + 1).is_some_and(|&n| ident_start(n)) {
                    // A qualified name (`Comp.rel`).
                    i += 1;
                } else {
                    break;
                }
            }
            toks.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                span: Span::new(start, i),
            });
            continue;
        }
        if let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            i += p.len();
            toks.push(Token {
                tok: Tok::Punct(p),
                span: Span::new(start, i),
            });
            continue;
        }
        let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
        errs.push(LexError {
            message: format!("`{}` is not a token of Soufflé", &src[i..i + ch_len]),
            span: Span::new(start, i + ch_len),
        });
        i += ch_len;
    }
    toks.push(Token {
        tok: Tok::Eof,
        span: Span::new(b.len(), b.len()),
    });
    (toks, errs)
}

/// A number literal from `start`: decimal, `0x` hex, `0b` binary, float,
/// with a `u` suffix for unsigned. Returns the token and its end.
fn number(src: &str, start: usize) -> (Result<Tok, String>, usize) {
    let b = src.as_bytes();
    let mut i = start;
    let radix_prefix = |p: u8| {
        b[start] == b'0'
            && b.get(start + 1)
                .is_some_and(|c| c.to_ascii_lowercase() == p)
    };
    if radix_prefix(b'x') || radix_prefix(b'b') {
        let radix = if radix_prefix(b'x') { 16 } else { 2 };
        i += 2;
        while i < b.len() && (b[i] as char).is_digit(radix) {
            i += 1;
        }
        let digits = &src[start + 2..i];
        let unsigned = b.get(i) == Some(&b'u');
        if unsigned {
            i += 1;
        }
        // Soufflé's hexadecimal literals are bit patterns: `0xFFFFFFFF`
        // is allowed, so read as u64 and reinterpret.
        let v = u64::from_str_radix(digits, radix)
            .map(|v| v as i64)
            .map_err(|_| format!("`{}` is not a number", &src[start..i]));
        let tok = v.map(|v| {
            if unsigned {
                Tok::Unsigned(v)
            } else {
                Tok::Int(v)
            }
        });
        return (tok, i);
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut float = false;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        float = true;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e') | Some(b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+') | Some(b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            float = true;
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    let text = &src[start..i];
    if float {
        return (
            text.parse::<f64>()
                .map(Tok::Float)
                .map_err(|_| format!("`{text}` is not a number")),
            i,
        );
    }
    let unsigned = b.get(i) == Some(&b'u');
    let end = if unsigned { i + 1 } else { i };
    let v = text
        .parse::<i64>()
        .map_err(|_| format!("`{text}` does not fit in 64 bits"));
    (
        v.map(|v| {
            if unsigned {
                Tok::Unsigned(v)
            } else {
                Tok::Int(v)
            }
        }),
        end,
    )
}
