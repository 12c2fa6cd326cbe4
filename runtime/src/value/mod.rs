//! Values as fixed-width words.
//!
//! Every field of every fact is one 64-bit [`Word`]: ints are their two's
//! complement bits, floats their IEEE bits, bools 0 or 1, and strings and
//! lists are ids into the global interner ([`crate::value::intern`]). Tuples are
//! therefore `[Word]` slices of a category's arity, with no per-tuple heap
//! allocation. The static [`Type`] of a field says how to read its word.
//!
//! Identity is by word: two facts are the same when their words are equal.
//! Strings and lists are interned structurally, so equal strings (and equal
//! lists) always have the same id. Ordering, in contrast, is by value
//! ([`compare`]): strings by bytes, lists lexicographically, floats by
//! IEEE total order. Output sorting and `keep min/max` use [`compare`], so
//! they never depend on the order in which ids were handed out.

pub mod exact_sum;
pub mod intern;

use std::cmp::Ordering;
use std::fmt;

/// One field of one fact.
pub type Word = u64;

/// The static type of a field, variable or expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Int,
    Float,
    Str,
    Bool,
    List(Box<Type>),
}

impl Type {
    pub fn list_of(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    /// The element type of a list type.
    pub fn elem(&self) -> Option<&Type> {
        match self {
            Type::List(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Str => f.write_str("str"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "[{t}]"),
        }
    }
}

#[inline]
pub fn from_int(v: i64) -> Word {
    v as u64
}
#[inline]
pub fn to_int(w: Word) -> i64 {
    w as i64
}
#[inline]
pub fn from_float(v: f64) -> Word {
    v.to_bits()
}
#[inline]
pub fn to_float(w: Word) -> f64 {
    f64::from_bits(w)
}
#[inline]
pub fn from_bool(v: bool) -> Word {
    v as u64
}
#[inline]
pub fn to_bool(w: Word) -> bool {
    w != 0
}

/// Compare two words of type `ty` by value. The scalar types compare
/// inline (millions of rows are sorted and previewed through here); the
/// interned ones look their values up, out of line.
#[inline]
pub fn compare(ty: &Type, a: Word, b: Word) -> Ordering {
    match ty {
        Type::Int => to_int(a).cmp(&to_int(b)),
        Type::Bool => a.cmp(&b),
        Type::Float => to_float(a).total_cmp(&to_float(b)),
        Type::Str | Type::List(_) => compare_interned(ty, a, b),
    }
}

#[inline(never)]
fn compare_interned(ty: &Type, a: Word, b: Word) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    match ty {
        Type::Str => intern::str_of(a)
            .as_bytes()
            .cmp(intern::str_of(b).as_bytes()),
        Type::List(elem) => {
            let (xs, ys) = (intern::list_of(a), intern::list_of(b));
            for (x, y) in xs.iter().zip(ys.iter()) {
                match compare(elem, *x, *y) {
                    Ordering::Equal => continue,
                    other => return other,
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => compare(ty, a, b),
    }
}

/// Compare two tuples field by field, by value.
pub fn compare_tuples(types: &[Type], a: &[Word], b: &[Word]) -> Ordering {
    for ((ty, x), y) in types.iter().zip(a).zip(b) {
        match compare(ty, *x, *y) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    Ordering::Equal
}

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
    pub expected: Type,
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
                let v = match tok {
                    "nan" => Some(f64::NAN),
                    "inf" => Some(f64::INFINITY),
                    "-inf" => Some(f64::NEG_INFINITY),
                    _ if tok.contains(|c: char| c.is_ascii_digit()) => tok.parse::<f64>().ok(),
                    _ => None,
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
mod tests {
    use super::*;

    fn roundtrip(ty: &Type, text: &str) -> String {
        let w = parse_literal(ty, text).expect("parses");
        let mut out = String::new();
        write_literal(&mut out, ty, w);
        out
    }

    #[test]
    fn literals_round_trip() {
        assert_eq!(roundtrip(&Type::Int, " -42 "), "-42");
        assert_eq!(roundtrip(&Type::Float, "2"), "2.0");
        assert_eq!(roundtrip(&Type::Float, "-0.5"), "-0.5");
        assert_eq!(roundtrip(&Type::Bool, "true"), "true");
        assert_eq!(roundtrip(&Type::Str, r#""a \"b\"""#), r#""a \"b\"""#);
        let words = Type::list_of(Type::Str);
        assert_eq!(roundtrip(&words, r#"["a", "b,c"]"#), r#"["a", "b,c"]"#);
        let nested = Type::list_of(Type::list_of(Type::Int));
        assert_eq!(roundtrip(&nested, "[[1, 2], []]"), "[[1, 2], []]");
    }

    #[test]
    fn bad_literals_are_errors() {
        assert!(parse_literal(&Type::Int, "1.5").is_err());
        assert!(parse_literal(&Type::Int, "").is_err());
        assert!(parse_literal(&Type::Float, "abc").is_err());
        assert!(parse_literal(&Type::Bool, "yes").is_err());
        assert!(parse_literal(&Type::list_of(Type::Int), "[1, 2").is_err());
        assert!(parse_literal(&Type::list_of(Type::Int), "[1] x").is_err());
        assert!(parse_literal(&Type::list_of(Type::Str), "[a]").is_err());
    }

    #[test]
    fn ordering_is_by_value() {
        let (b, a) = (intern::intern_str("b"), intern::intern_str("a"));
        assert_eq!(compare(&Type::Str, a, b), Ordering::Less);
        assert_eq!(
            compare(&Type::Int, from_int(-1), from_int(1)),
            Ordering::Less
        );
        let short = intern::intern_list(&[from_int(1)]);
        let long = intern::intern_list(&[from_int(1), from_int(0)]);
        let ty = Type::list_of(Type::Int);
        assert_eq!(compare(&ty, short, long), Ordering::Less);
    }
}
