//! Values as text: fold literals, plain CSV fields, quoted strings in
//! messages, and parsing them back.

use std::fmt;

use super::intern;
use super::word::{from_bool, from_float, from_int, to_bool, to_float, to_int, Type, Word};

/// Write a value as a fold literal (`42`, `2.5`, `"text"`, `true`, `[1, 2]`).
/// Floats always carry a `.` or exponent so they read back as floats.
pub fn write_literal(out: &mut String, ty: &Type, w: Word) {
    match ty {
        Type::Int => out.push_str(itoa::Buffer::new().format(to_int(w))),
        Type::Float => write_float(out, to_float(w)),
        Type::Bool => out.push_str(if to_bool(w) { "true" } else { "false" }),
        Type::Str => write_quoted(out, intern::str_of(w)),
        Type::List(elem) => {
            out.push('[');
            for (i, x) in intern::list_of(w).iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(out, elem, *x);
            }
            out.push(']');
        }
    }
}

/// Write a value the way it appears in a CSV field (before CSV quoting):
/// strings bare, everything else as a fold literal.
pub fn write_plain(out: &mut String, ty: &Type, w: Word) {
    match ty {
        Type::Str => out.push_str(intern::str_of(w)),
        _ => write_literal(out, ty, w),
    }
}

fn write_float(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("nan");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "inf" } else { "-inf" });
    } else {
        out.push_str(ryu::Buffer::new().format_finite(v));
    }
}

/// The special float values, as CSV files and other tools spell them:
/// `nan`, `inf`, `-inf` (written so, see [`write_float`]), and read in any
/// case, with a sign, and `infinity` spelled out (`NaN`, `+Inf`,
/// `-Infinity`), so every value foldc writes or another tool commonly
/// writes reads back.
fn special_float(tok: &str) -> Option<f64> {
    let (negative, word) = match tok.as_bytes().first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    if word.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else if word.eq_ignore_ascii_case("inf") || word.eq_ignore_ascii_case("infinity") {
        Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        })
    } else {
        None
    }
}

/// A string literal with `"`, `\` and control characters escaped.
pub fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Display a tuple as `cat(a, b)`.
pub fn display_fact(name: &str, types: &[Type], tuple: &[Word]) -> String {
    let mut out = String::with_capacity(name.len() + 8 * tuple.len());
    out.push_str(name);
    out.push('(');
    for (i, (ty, w)) in types.iter().zip(tuple).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_literal(&mut out, ty, *w);
    }
    out.push(')');
    out
}

/// Why a textual value could not be read as a `Type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseValueError {
    /// The type the text was read as.
    pub expected: Type,
    /// What is wrong with the text, in words.
    pub message: String,
}

impl fmt::Display for ParseValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}: {}", self.expected, self.message)
    }
}

/// Read a value of type `ty` from a CSV field: strings are taken verbatim,
/// other types are read as fold literals (surrounding spaces ignored).
pub fn parse_plain(ty: &Type, text: &str) -> Result<Word, ParseValueError> {
    match ty {
        Type::Str => Ok(intern::intern_str(text)),
        _ => parse_literal(ty, text),
    }
}

/// Read a fold literal of type `ty` (the whole text must be consumed).
pub fn parse_literal(ty: &Type, text: &str) -> Result<Word, ParseValueError> {
    let mut reader = LiteralReader { text, pos: 0 };
    let w = reader.value(ty)?;
    reader.skip_space();
    if reader.pos != text.len() {
        return Err(reader.error(ty, "unexpected text after the value"));
    }
    Ok(w)
}

struct LiteralReader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> LiteralReader<'a> {
    fn error(&self, ty: &Type, message: &str) -> ParseValueError {
        ParseValueError {
            expected: ty.clone(),
            message: format!("{message} (in `{}`)", shorten(self.text.trim())),
        }
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.text[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// The token up to the next `,`, `]` or end (for scalars).
    fn scalar(&mut self) -> &'a str {
        self.skip_space();
        let rest = self.rest();
        let end = rest.find([',', ']']).unwrap_or(rest.len());
        let token = rest[..end].trim_end();
        self.pos += end;
        token
    }

    fn value(&mut self, ty: &Type) -> Result<Word, ParseValueError> {
        match ty {
            Type::Int => {
                let tok = self.scalar();
                tok.parse::<i64>().map(from_int).map_err(|e| {
                    use std::num::IntErrorKind::{NegOverflow, PosOverflow};
                    match e.kind() {
                        PosOverflow | NegOverflow => self.error(
                            ty,
                            "out of range (from -9223372036854775808 to 9223372036854775807)",
                        ),
                        _ => self.error(ty, "not an integer"),
                    }
                })
            }
            Type::Float => {
                let tok = self.scalar();
                let v = match special_float(tok) {
                    Some(v) => Some(v),
                    None if tok.contains(|c: char| c.is_ascii_digit()) => tok.parse::<f64>().ok(),
                    None => None,
                };
                v.map(from_float)
                    .ok_or_else(|| self.error(ty, "not a number"))
            }
            Type::Bool => match self.scalar() {
                "true" => Ok(from_bool(true)),
                "false" => Ok(from_bool(false)),
                _ => Err(self.error(ty, "not `true` or `false`")),
            },
            Type::Str => {
                self.skip_space();
                if !self.rest().starts_with('"') {
                    return Err(self.error(ty, "a string inside a list must be quoted"));
                }
                self.pos += 1;
                let mut s = String::new();
                let mut chars = self.rest().char_indices();
                loop {
                    let Some((i, c)) = chars.next() else {
                        return Err(self.error(ty, "unterminated string"));
                    };
                    match c {
                        '"' => {
                            self.pos += i + 1;
                            return Ok(intern::intern_str(&s));
                        }
                        '\\' => match chars.next() {
                            Some((_, 'n')) => s.push('\n'),
                            Some((_, 't')) => s.push('\t'),
                            Some((_, 'r')) => s.push('\r'),
                            Some((_, '"')) => s.push('"'),
                            Some((_, '\\')) => s.push('\\'),
                            _ => return Err(self.error(ty, "unknown escape in string")),
                        },
                        c => s.push(c),
                    }
                }
            }
            Type::List(elem) => {
                self.skip_space();
                if !self.rest().starts_with('[') {
                    return Err(self.error(ty, "a list starts with `[`"));
                }
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.rest().starts_with(']') {
                    self.pos += 1;
                    return Ok(intern::intern_list(&items));
                }
                loop {
                    items.push(self.value(elem)?);
                    self.skip_space();
                    if self.rest().starts_with(',') {
                        self.pos += 1;
                    } else if self.rest().starts_with(']') {
                        self.pos += 1;
                        return Ok(intern::intern_list(&items));
                    } else {
                        return Err(self.error(ty, "expected `,` or `]` in list"));
                    }
                }
            }
        }
    }
}

/// Text quoted in a message, cut to a readable length (a field of a
/// malformed file can be megabytes long).
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    const MOST: usize = 60;
    match text.char_indices().nth(MOST) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}

#[cfg(test)]
mod special_float_tests {
    use super::*;
    use crate::value::to_float;

    #[test]
    fn special_floats_read_in_every_common_spelling_and_write_back_the_same() {
        let read = |t: &str| parse_plain(&Type::Float, t).map(to_float);
        for t in ["nan", "NaN", "NAN", "-nan", "+NaN"] {
            assert!(read(t).unwrap().is_nan(), "{t}");
        }
        for t in ["inf", "Inf", "+inf", "infinity", "Infinity", "INF"] {
            assert_eq!(read(t).unwrap(), f64::INFINITY, "{t}");
        }
        for t in ["-inf", "-Inf", "-infinity", "-INFINITY"] {
            assert_eq!(read(t).unwrap(), f64::NEG_INFINITY, "{t}");
        }
        for t in ["infinit", "na", "--inf", "in f", ""] {
            assert!(read(t).is_err(), "{t}");
        }
        // What is written reads back to the same value and text.
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.5] {
            let mut out = String::new();
            write_float(&mut out, v);
            let back = read(&out).unwrap();
            assert!(
                back.total_cmp(&v).is_eq() || (v.is_nan() && back.is_nan()),
                "{out}"
            );
        }
    }
}
