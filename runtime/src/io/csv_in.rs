//! Reading input CSV files into flat rows.
//!
//! A file has a header row naming the category's fields (in any order,
//! each exactly once, nothing else), then one record per fact, RFC 4180
//! quoting. Every field is read with [`value::parse_plain`] at its field's
//! type. Errors are data ([`CsvError`]): file, 1-based line and column of
//! the field, field name, message. Parsing never inserts anything: the
//! engine parses every input completely first, and inserts only when all
//! of them parsed ("nothing half-loaded").

use std::fmt;
use std::path::{Path, PathBuf};

use crate::plan::Category;
use crate::value::{self, from_int, Type, Word};

/// Why an input file could not be read. Rendered as
/// `path:line:col: field `name`: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// The file being read.
    pub path: PathBuf,
    /// 1-based; 0 when the error is about the whole file.
    pub line: u64,
    /// 1-based character column of the field; 0 when not about a field.
    pub column: u64,
    /// The category field the error is about, if any.
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for CsvError {}

/// Parse a whole CSV file for `cat`: its rows, `arity` words each (one
/// `0` word each when `cat` has no fields).
pub fn read_file(path: &Path, cat: &Category) -> Result<Vec<Word>, CsvError> {
    read_file_lines(path, cat, None)
}

/// [`read_file`], also pushing each record's 1-based first line onto
/// `lines` when given (the provenance of input facts).
pub fn read_file_lines(
    path: &Path,
    cat: &Category,
    lines: Option<&mut Vec<u64>>,
) -> Result<Vec<Word>, CsvError> {
    let bytes = std::fs::read(path).map_err(|e| CsvError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        field: None,
        message: format!("cannot read: {e}"),
    })?;
    parse_lines(path, &bytes, cat, lines)
}

/// Parse CSV text for `cat` (`path` only names it in errors).
pub fn parse(path: &Path, bytes: &[u8], cat: &Category) -> Result<Vec<Word>, CsvError> {
    parse_lines(path, bytes, cat, None)
}

/// [`parse`], also pushing each record's first line onto `lines`.
pub fn parse_lines(
    path: &Path,
    bytes: &[u8],
    cat: &Category,
    lines: Option<&mut Vec<u64>>,
) -> Result<Vec<Word>, CsvError> {
    parse_lines_ticking(path, bytes, cat, lines, &mut |_, _| {})
}

/// Records between two calls of a parse's `tick`.
const TICK_EVERY: u64 = 1 << 16;

/// [`read_file_lines`], calling `tick(rows, bytes)` with the rows and
/// bytes read so far every [`TICK_EVERY`] rows (the progress line).
pub(crate) fn read_file_ticking(
    path: &Path,
    cat: &Category,
    lines: Option<&mut Vec<u64>>,
    tick: &mut dyn FnMut(u64, u64),
) -> Result<Vec<Word>, CsvError> {
    let bytes = std::fs::read(path).map_err(|e| CsvError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        field: None,
        message: format!("cannot read: {e}"),
    })?;
    parse_lines_ticking(path, &bytes, cat, lines, tick)
}

/// [`parse_lines`] with a `tick` (see [`read_file_ticking`]).
fn parse_lines_ticking(
    path: &Path,
    bytes: &[u8],
    cat: &Category,
    mut lines: Option<&mut Vec<u64>>,
    tick: &mut dyn FnMut(u64, u64),
) -> Result<Vec<Word>, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let err = |line: u64, column: u64, field: Option<&str>, message: String| CsvError {
        path: path.to_path_buf(),
        line,
        column,
        field: field.map(str::to_string),
        message,
    };
    if cat.arity() == 0 {
        return parse_no_fields(bytes, cat, lines, err);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        err(line, 0, None, format!("malformed CSV: {e}"))
    };

    // The header: which field each column fills.
    if !reader.read_byte_record(&mut record).map_err(csv_err)? {
        return Err(err(
            1,
            1,
            None,
            format!(
                "empty file: expected a header row naming {}",
                field_list(cat)
            ),
        ));
    }
    let header_start = record.position().map_or(0, |p| p.byte() as usize);
    let mut columns: Vec<usize> = Vec::with_capacity(record.len());
    let mut seen = vec![false; cat.arity()];
    for (i, name) in record.iter().enumerate() {
        let (_, col) = locate(bytes, header_start, i);
        let name = String::from_utf8_lossy(name);
        let name = name.trim();
        let Some(f) = cat.fields.iter().position(|f| f.name == name) else {
            return Err(err(
                1,
                col,
                None,
                format!(
                    "unknown column `{}`: category `{}` has fields {}",
                    value::shorten(name),
                    cat.name,
                    field_list(cat)
                ),
            ));
        };
        if seen[f] {
            return Err(err(1, col, Some(name), "column appears twice".to_string()));
        }
        seen[f] = true;
        columns.push(f);
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(err(
            1,
            1,
            Some(&cat.fields[missing].name),
            "missing column in the header".to_string(),
        ));
    }

    let arity = cat.arity();
    let types: Vec<Type> = cat.types();
    let mut rows: Vec<Word> = Vec::new();
    let mut tuple: Vec<Word> = vec![0; arity];
    while reader.read_byte_record(&mut record).map_err(csv_err)? {
        let pos = record
            .position()
            .cloned()
            .unwrap_or_else(csv::Position::new);
        // The reader places a record at the end of the line before it
        // (after a `\r\n` ending, at the `\n`), or at the first of the
        // blank lines before it: move to where it starts.
        let (mut line, mut start) = (pos.line(), pos.byte() as usize);
        while let Some(&b) = bytes.get(start) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            start += 1;
        }
        if record.len() != columns.len() {
            // A lone empty line inside the data is not a record.
            if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
                continue;
            }
            // A quote that is never closed takes the rest of the file into
            // one field: say so, rather than only count fields.
            let at_end = reader.position().byte() as usize >= bytes.len();
            let unclosed = at_end && record.iter().any(|f| f.contains(&b'\n'));
            return Err(err(
                line,
                1,
                None,
                format!(
                    "expected {} fields, found {}{}",
                    columns.len(),
                    record.len(),
                    if unclosed {
                        " (a `\"` on this line is never closed: the rest of the file is \
                         one field)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        // The csv reader is lenient about quotes (`"a"b` reads as `ab`);
        // RFC 4180 is not, and a value silently changed is worse than an
        // error. Only records holding a quote need the check.
        let end = (reader.position().byte() as usize).min(bytes.len());
        let text = &bytes[start.min(end)..end];
        if text.contains(&b'"') {
            if let Err((at, i, message)) = check_quotes(text) {
                let (dl, col) = line_col(&text[..at]);
                let field = columns.get(i).map(|&f| cat.fields[f].name.as_str());
                return Err(err(line + dl, col, field, message.to_string()));
            }
        }
        for (i, raw) in record.iter().enumerate() {
            let f = columns[i];
            match parse_field(&types[f], raw) {
                Ok(w) => tuple[f] = w,
                Err(message) => {
                    let (dl, col) = locate(bytes, start, i);
                    return Err(err(line + dl, col, Some(&cat.fields[f].name), message));
                }
            }
        }
        rows.extend_from_slice(&tuple);
        if let Some(lines) = lines.as_deref_mut() {
            lines.push(line);
        }
        let read = (rows.len() / arity) as u64;
        if read.is_multiple_of(TICK_EVERY) {
            tick(read, pos.byte());
        }
    }
    Ok(rows)
}

/// A category without fields, as `foldc` writes it: an empty header row,
/// then an empty row for its one possible fact (`done()`). Each empty row
/// (or `""`) is that fact; a row with anything in it is an error. Rows of
/// no words could not be counted, so each is one `0` word here.
fn parse_no_fields(
    bytes: &[u8],
    cat: &Category,
    mut lines: Option<&mut Vec<u64>>,
    err: impl Fn(u64, u64, Option<&str>, String) -> CsvError,
) -> Result<Vec<Word>, CsvError> {
    if bytes.is_empty() {
        return Err(err(
            1,
            1,
            None,
            format!(
                "empty file: expected a header row (an empty line: `{}` has no fields)",
                cat.name
            ),
        ));
    }
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let mut rows = 0;
    for (i, row) in text.split(|&b| b == b'\n').enumerate() {
        let row = row.strip_suffix(b"\r").unwrap_or(row);
        // `""` is how CSV writers that tell an empty record from an empty
        // line write it.
        if !row.is_empty() && row != b"\"\"" {
            let what = if i == 0 { "the header row" } else { "a row" };
            return Err(err(
                i as u64 + 1,
                1,
                None,
                format!(
                    "`{}` has no fields, so {what} must be empty (found `{}`)",
                    cat.name,
                    value::shorten(&String::from_utf8_lossy(row))
                ),
            ));
        }
        if i > 0 {
            rows += 1;
            if let Some(lines) = lines.as_deref_mut() {
                lines.push(i as u64 + 1);
            }
        }
    }
    Ok(vec![0; rows])
}

/// Check a record's quoting against RFC 4180: a field is either quoted
/// whole (`"a, ""b"""`) or holds no quote at all. `Err((offset, field,
/// message))` names the first byte that breaks the rule.
fn check_quotes(record: &[u8]) -> Result<(), (usize, usize, &'static str)> {
    let ends_field = |b: Option<&u8>| matches!(b, None | Some(b',' | b'\r' | b'\n'));
    let (mut i, mut field) = (0, 0);
    loop {
        if record.get(i) == Some(&b'"') {
            let open = i;
            i += 1;
            loop {
                match record.get(i) {
                    None => {
                        return Err((
                            open,
                            field,
                            "a `\"` that is never closed (the rest of the file would be this \
                             one field)",
                        ))
                    }
                    Some(b'"') if record.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            if !ends_field(record.get(i)) {
                return Err((
                    i,
                    field,
                    "text after the closing quote (a quoted field ends at its closing `\"`; \
                     write a quote inside one as `\"\"`)",
                ));
            }
        } else {
            while !ends_field(record.get(i)) {
                if record[i] == b'"' {
                    return Err((
                        i,
                        field,
                        "a quote inside a field that is not quoted (quote the whole field \
                         and write the quote as `\"\"`)",
                    ));
                }
                i += 1;
            }
        }
        if record.get(i) != Some(&b',') {
            return Ok(());
        }
        i += 1;
        field += 1;
    }
}

/// One field's word, or the message for the error.
#[inline]
fn parse_field(ty: &Type, raw: &[u8]) -> Result<Word, String> {
    let text = std::str::from_utf8(raw).map_err(|_| format!("expected {ty}: not valid UTF-8"))?;
    if *ty == Type::Int {
        if let Ok(v) = text.parse::<i64>() {
            return Ok(from_int(v));
        }
    }
    value::parse_plain(ty, text).map_err(|e| e.to_string())
}

fn field_list(cat: &Category) -> String {
    let names: Vec<&str> = cat.fields.iter().map(|f| f.name.as_str()).collect();
    names.join(", ")
}

/// Where field `field` of the record starting at byte `start` begins:
/// (lines after the record's first line, 1-based character column).
fn locate(bytes: &[u8], start: usize, field: usize) -> (u64, u64) {
    let start = start.min(bytes.len());
    let mut pos = start;
    for _ in 0..field {
        if bytes.get(pos) == Some(&b'"') {
            pos += 1;
            while pos < bytes.len() {
                match bytes[pos] {
                    b'"' if bytes.get(pos + 1) == Some(&b'"') => pos += 2,
                    b'"' => {
                        pos += 1;
                        break;
                    }
                    _ => pos += 1,
                }
            }
        }
        while pos < bytes.len() && bytes[pos] != b',' && bytes[pos] != b'\n' {
            pos += 1;
        }
        pos = (pos + 1).min(bytes.len());
    }
    line_col(&bytes[start..pos])
}

/// Where the text after `before` begins, `before` starting a line: (lines
/// after that one, 1-based character column).
fn line_col(before: &[u8]) -> (u64, u64) {
    let lines = before.iter().filter(|&&b| b == b'\n').count() as u64;
    let from = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1);
    let col = String::from_utf8_lossy(&before[from..]).chars().count() as u64 + 1;
    (lines, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Field, Keep};

    fn cat() -> Category {
        Category {
            name: "edge".into(),
            fields: vec![
                Field {
                    name: "src".into(),
                    ty: Type::Int,
                },
                Field {
                    name: "dst".into(),
                    ty: Type::Int,
                },
                Field {
                    name: "label".into(),
                    ty: Type::Str,
                },
            ],
            key: None,
            keep: Keep::Least,
            private: false,
            indexes: Vec::new(),
        }
    }

    fn parse_str(text: &str) -> Result<Vec<Word>, CsvError> {
        parse(Path::new("e.csv"), text.as_bytes(), &cat())
    }

    #[test]
    fn columns_in_any_order() {
        let rows = parse_str("label,dst,src\n\"a,b\",2,1\nc,4,3\n").unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], 1);
        assert_eq!(rows[1], 2);
        assert_eq!(crate::value::intern::str_of(rows[2]), "a,b");
    }

    #[test]
    fn bad_int_names_line_column_field() {
        let e = parse_str("src,dst,label\n1,2,x\n3,x4,y\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 3));
        assert_eq!(e.field.as_deref(), Some("dst"));
        assert_eq!(
            e.to_string(),
            "e.csv:3:3: field `dst`: expected int: not an integer (in `x4`)"
        );
    }

    #[test]
    fn crlf_line_endings_give_the_same_lines_and_columns() {
        let lf = "src,dst,label\n1,2,a\n3,4,b\n5,x6,c\n";
        let crlf = lf.replace('\n', "\r\n");
        for text in [lf, crlf.as_str()] {
            let e = parse_str(text).unwrap_err();
            assert_eq!((e.line, e.column), (4, 3), "{text:?}");
            let short = text.replace("3,4,b", "3,4");
            assert_eq!(parse_str(&short).unwrap_err().line, 3, "{short:?}");
            // Each record's first line, as provenance keeps it.
            let good = text.replace("x6", "6");
            let mut lines = Vec::new();
            parse_lines(
                Path::new("e.csv"),
                good.as_bytes(),
                &cat(),
                Some(&mut lines),
            )
            .unwrap();
            assert_eq!(lines, [2, 3, 4], "{good:?}");
        }
    }

    #[test]
    fn a_quote_never_closed_is_named() {
        let e = parse_str("src,dst,label\n1,2,a\n3,\"4,b\n5,6,c\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(
            e.message,
            "expected 3 fields, found 2 (a `\"` on this line is never closed: the rest of the \
             file is one field)"
        );
        // A quoted field may hold a line break; a short record then is
        // only short.
        let e = parse_str("src,dst,label\n1,\"2\n\"\n3,4,b\n").unwrap_err();
        assert_eq!(e.message, "expected 3 fields, found 2");
    }

    #[test]
    fn an_int_out_of_range_says_so() {
        let e = parse_str("src,dst,label\n1,99999999999999999999,a\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "e.csv:2:3: field `dst`: expected int: out of range (from -9223372036854775808 to \
             9223372036854775807) (in `99999999999999999999`)"
        );
        assert!(parse_str("src,dst,label\n1,-9223372036854775808,a\n").is_ok());
    }

    #[test]
    fn column_after_quoted_field_with_newline() {
        let e = parse_str("label,src,dst\n\"a\nbc\",1,zz\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 7));
        assert_eq!(e.field.as_deref(), Some("dst"));
    }

    #[test]
    fn header_errors() {
        let e = parse_str("src,label\n1,a\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("dst"));
        assert!(e.message.contains("missing column"));
        let e = parse_str("src,dst,label,weight\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 15));
        assert!(e.message.starts_with("unknown column `weight`"));
        let e = parse_str("src,dst,src,label\n").unwrap_err();
        assert!(e.message.contains("twice"));
        let e = parse_str("").unwrap_err();
        assert!(e.message.starts_with("empty file"));
        let e = parse_str("src,dst,label\n1,2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("expected 3 fields, found 2"));
    }
}
