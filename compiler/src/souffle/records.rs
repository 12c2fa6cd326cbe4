//! Soufflé's types as the translation and the I/O see them, and records
//! and ADTs as values.
//!
//! A record or ADT value runs as an interned `[int]` list of words (fold
//! has no record type): a record `[a, b]` is the list of its fields'
//! words (`word(x)` of a symbol, float or nested record; a number is its
//! own word), an ADT value `$B(a, b)` the same with the branch's index
//! first, and `nil` the empty list. Interning makes equal records the
//! same word, which is what Soufflé's record table does. This module
//! prints such values as Soufflé does (`[1, a]`, `nil`, `$B(1, a)`) and
//! reads them from `.facts` files.

use std::fmt::Write as _;

use fold_runtime::value::{self, intern, Word};

/// A Soufflé type as the translation carries it: a primitive type, or a
/// record or ADT type by its index in [`RecordTypes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    Number,
    Unsigned,
    Float,
    Symbol,
    Record(u16),
}

impl Base {
    /// The fold type of a field of this type.
    pub fn fold_type(self) -> &'static str {
        match self {
            Base::Number | Base::Unsigned => "int",
            Base::Float => "float",
            Base::Symbol => "str",
            Base::Record(_) => "[int]",
        }
    }
}

/// A record type's fields, or an ADT's branches with theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordType {
    Record(Vec<Base>),
    Adt(Vec<(String, Vec<Base>)>),
}

/// Every record and ADT type of a program, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordTypes {
    pub types: Vec<(String, RecordType)>,
}

impl RecordTypes {
    /// Write the word `w` of type `base` as Soufflé prints it inside a
    /// record (at the top level of a row, the caller writes primitives).
    pub fn write(&self, out: &mut String, base: Base, w: Word, float: fn(f64) -> String) {
        match base {
            Base::Number => {
                let _ = write!(out, "{}", value::to_int(w));
            }
            Base::Unsigned => {
                let _ = write!(out, "{w}");
            }
            Base::Float => out.push_str(&float(value::to_float(w))),
            Base::Symbol => out.push_str(intern::try_str_of(w).unwrap_or("?")),
            Base::Record(id) => {
                let items = intern::try_list_of(w).unwrap_or(&[]);
                match self.types.get(usize::from(id)).map(|t| &t.1) {
                    Some(RecordType::Record(fields)) => {
                        if items.is_empty() && !fields.is_empty() {
                            out.push_str("nil");
                            return;
                        }
                        out.push('[');
                        self.write_fields(out, fields, items, float);
                        out.push(']');
                    }
                    Some(RecordType::Adt(branches)) => {
                        let tag = items.first().map(|&t| value::to_int(t));
                        let Some((name, fields)) =
                            tag.and_then(|t| usize::try_from(t).ok().and_then(|t| branches.get(t)))
                        else {
                            out.push('?');
                            return;
                        };
                        let _ = write!(out, "${name}");
                        if !fields.is_empty() {
                            out.push('(');
                            self.write_fields(out, fields, &items[1..], float);
                            out.push(')');
                        }
                    }
                    None => out.push('?'),
                }
            }
        }
    }

    fn write_fields(
        &self,
        out: &mut String,
        fields: &[Base],
        items: &[Word],
        float: fn(f64) -> String,
    ) {
        for (i, (&b, &w)) in fields.iter().zip(items).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(out, b, w, float);
        }
    }

    /// Read a record or ADT value of type `id` as a `.facts` file writes
    /// it (`[1, a]`, `nil`, `$B(1, "a b")`); `None` when it does not parse.
    pub fn parse(&self, id: u16, text: &str) -> Option<Word> {
        let mut r = Reader {
            s: text.as_bytes(),
            at: 0,
        };
        let w = self.read(&mut r, Base::Record(id))?;
        r.skip_ws();
        (r.at == r.s.len()).then_some(w)
    }

    fn read(&self, r: &mut Reader, base: Base) -> Option<Word> {
        r.skip_ws();
        match base {
            Base::Number | Base::Unsigned => {
                let t = r.token();
                let v = t.strip_suffix('u').unwrap_or(t);
                v.parse::<i64>()
                    .ok()
                    .or_else(|| v.parse::<u64>().ok().map(|u| u as i64))
                    .map(value::from_int)
            }
            Base::Float => r.token().parse::<f64>().ok().map(value::from_float),
            Base::Symbol => Some(intern::intern_str(&r.symbol())),
            Base::Record(id) => {
                let (_, ty) = self.types.get(usize::from(id))?;
                if r.eat_word("nil") {
                    return Some(intern::intern_list(&[]));
                }
                match ty {
                    RecordType::Record(fields) => {
                        r.expect(b'[')?;
                        let mut words = self.read_fields(r, fields)?;
                        r.expect(b']')?;
                        Some(intern::intern_list(&std::mem::take(&mut words)))
                    }
                    RecordType::Adt(branches) => {
                        r.expect(b'$')?;
                        let name = r.token();
                        let tag = branches.iter().position(|(b, _)| b == name)?;
                        let fields = &branches[tag].1;
                        let mut words = vec![value::from_int(tag as i64)];
                        r.skip_ws();
                        if r.peek() == Some(b'(') {
                            r.expect(b'(')?;
                            words.extend(self.read_fields(r, fields)?);
                            r.expect(b')')?;
                        } else if !fields.is_empty() {
                            return None;
                        }
                        Some(intern::intern_list(&words))
                    }
                }
            }
        }
    }

    fn read_fields(&self, r: &mut Reader, fields: &[Base]) -> Option<Vec<Word>> {
        let mut words = Vec::with_capacity(fields.len());
        for (i, &f) in fields.iter().enumerate() {
            if i > 0 {
                r.expect(b',')?;
            }
            words.push(self.read(r, f)?);
        }
        Some(words)
    }
}

/// A cursor over a record's text.
struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.skip_ws();
        (self.peek() == Some(c)).then(|| self.at += 1)
    }

    /// Text up to the next delimiter of a record: `,`, `]`, `)`, `(`.
    fn token(&mut self) -> &str {
        self.skip_ws();
        let start = self.at;
        while !matches!(self.peek(), None | Some(b',' | b']' | b')' | b'(' | b'[')) {
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at])
            .unwrap_or("")
            .trim_end()
    }

    fn eat_word(&mut self, w: &str) -> bool {
        self.skip_ws();
        let save = self.at;
        if self.token() == w {
            return true;
        }
        self.at = save;
        false
    }

    /// A symbol: quoted (`"a, b"`, with `\"` escapes) or up to the next
    /// delimiter.
    fn symbol(&mut self) -> String {
        self.skip_ws();
        if self.peek() == Some(b'"') {
            self.at += 1;
            let mut out = Vec::new();
            while let Some(c) = self.peek() {
                self.at += 1;
                match c {
                    b'"' => break,
                    b'\\' => {
                        if let Some(n) = self.peek() {
                            out.push(n);
                            self.at += 1;
                        }
                    }
                    other => out.push(other),
                }
            }
            return String::from_utf8_lossy(&out).into_owned();
        }
        self.token().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> RecordTypes {
        RecordTypes {
            types: vec![
                (
                    "Pair".into(),
                    RecordType::Record(vec![Base::Number, Base::Symbol]),
                ),
                (
                    "List".into(),
                    RecordType::Record(vec![Base::Record(0), Base::Record(1)]),
                ),
                (
                    "Shape".into(),
                    RecordType::Adt(vec![
                        ("Circle".into(), vec![Base::Float]),
                        ("Empty".into(), Vec::new()),
                    ]),
                ),
            ],
        }
    }

    fn shown(t: &RecordTypes, id: u16, w: Word) -> String {
        let mut out = String::new();
        t.write(&mut out, Base::Record(id), w, |f| f.to_string());
        out
    }

    #[test]
    fn records_and_adts_read_as_they_print() {
        let t = types();
        for (id, text) in [
            (0, "[1, a b]"),
            (0, "nil"),
            (1, "[[2, x], [[3, y], nil]]"),
            (2, "$Circle(2.5)"),
            (2, "$Empty"),
        ] {
            let w = t.parse(id, text).expect("parses");
            assert_eq!(shown(&t, id, w), text);
        }
        // Quoted symbols may hold the delimiters; equal values are one word.
        let quoted = t.parse(0, r#"[7, "q, r]"]"#).expect("parses");
        assert_eq!(shown(&t, 0, quoted), "[7, q, r]]");
        assert_eq!(t.parse(0, "[1, a b]"), t.parse(0, " [ 1 , a b ] "));
    }

    #[test]
    fn malformed_values_do_not_parse() {
        let t = types();
        for (id, text) in [
            (0, "[1, a"),
            (0, "[x, a]"),
            (0, "[1]"),
            (0, "[1, a] tail"),
            (2, "$Square(1)"),
            (2, "$Circle"),
            (5, "nil"),
        ] {
            assert_eq!(t.parse(id, text), None, "{text}");
        }
    }
}
