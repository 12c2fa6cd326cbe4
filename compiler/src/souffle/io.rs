//! Soufflé's file conventions: `.input r` reads `FACTDIR/r.facts`,
//! tab-separated, no header, fields as written (symbols unquoted);
//! `.output r` writes `OUTDIR/r.csv` the same way (rows sorted, floats as
//! Soufflé prints them), or to standard output with `IO=stdout` or
//! `-D -`; `.printsize r` prints `r<TAB>count`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{self, intern, Type, Word};
use fold_runtime::Engine;

use crate::souffle::records::{Base, RecordTypes};

/// Where one relation is read from or written to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IoSpec {
    pub rel: String,
    /// Relative to the fact or output directory (or absolute).
    pub file: String,
    pub delimiter: u8,
    /// The first line is a header (skipped on input, written on output).
    pub headers: bool,
    /// `IO=stdout`.
    pub stdout: bool,
}

/// A Soufflé program's inputs, outputs and `.printsize` relations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SouffleIo {
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    pub printsize: Vec<String>,
    /// The program's record and ADT types.
    pub records: RecordTypes,
    /// The Soufflé types of the attributes of every relation that has a
    /// record or ADT attribute (the others read and write by fold type).
    pub columns: std::collections::HashMap<String, Vec<Base>>,
}

/// Where `.output` goes: a directory, or standard output (`-D -`).
#[derive(Clone, Debug)]
pub enum OutputDir {
    Dir(PathBuf),
    Stdout,
}

/// The rows of one input file, parsed for its relation.
struct Parsed {
    cat: CatId,
    rows: Vec<Vec<Word>>,
}

/// Read every `.input` relation's file from `fact_dir` and insert its
/// rows, all or nothing: every file is parsed before anything is
/// inserted. Returns the number of rows read.
pub fn load_facts(
    engine: &mut Engine,
    plan: &Plan,
    io: &SouffleIo,
    fact_dir: &Path,
) -> Result<usize, String> {
    let mut parsed = Vec::new();
    for spec in &io.inputs {
        let Some(cat) = plan.category_named(&spec.rel) else {
            return Err(format!("no relation `{}` in the plan", spec.rel));
        };
        let path = fact_dir.join(&spec.file);
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "{}: cannot read the facts of `{}`: {e}",
                path.display(),
                spec.rel
            )
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|e| format!("{}: not UTF-8 text: {e}", path.display()))?;
        let types = plan.category(cat).types();
        let columns = Columns {
            bases: io.columns.get(&spec.rel).map(Vec::as_slice),
            records: &io.records,
        };
        let rows = parse_facts(&path, &text, &types, spec, &columns)?;
        parsed.push(Parsed { cat, rows });
    }
    let mut n = 0;
    for p in parsed {
        for row in &p.rows {
            engine.insert(p.cat, row);
            n += 1;
        }
    }
    Ok(n)
}

/// Parse a facts file: one fact per line, fields split by the delimiter.
fn parse_facts(
    path: &Path,
    text: &str,
    types: &[Type],
    spec: &IoSpec,
    columns: &Columns,
) -> Result<Vec<Vec<Word>>, String> {
    let mut rows = Vec::new();
    let delim = spec.delimiter as char;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if i == 0 && spec.headers {
            continue;
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if types.is_empty() {
            // A nullary relation holds when the file has a line.
            if !line.trim().is_empty() {
                rows.push(Vec::new());
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(delim).collect();
        if fields.len() != types.len() {
            return Err(format!(
                "{}:{line_no}: `{}` has {} fields, but the line has {} (split at {})",
                path.display(),
                spec.rel,
                types.len(),
                fields.len(),
                if delim == '\t' {
                    "tabs".to_string()
                } else {
                    format!("`{delim}`")
                }
            ));
        }
        let mut row = Vec::with_capacity(types.len());
        let mut column = 1;
        for (i, (field, ty)) in fields.iter().zip(types).enumerate() {
            let w = match columns.record(i) {
                Some(id) => columns.records.parse(id, field),
                None => parse_field(field, ty),
            };
            let w = w.ok_or_else(|| {
                format!(
                    "{}:{line_no}:{column}: `{field}` is not a {}",
                    path.display(),
                    match (columns.record(i), ty) {
                        (Some(_), _) => "record or ADT value of its type",
                        (_, Type::Float) => "float",
                        (_, Type::Int) => "number",
                        _ => "value",
                    }
                )
            })?;
            row.push(w);
            column += field.chars().count() + 1;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The Soufflé types of a relation's attributes, where it has records.
pub struct Columns<'a> {
    pub bases: Option<&'a [Base]>,
    pub records: &'a RecordTypes,
}

impl Columns<'_> {
    /// The record or ADT type of attribute `i`, if it has one.
    fn record(&self, i: usize) -> Option<u16> {
        match self.bases?.get(i)? {
            Base::Record(id) => Some(*id),
            _ => None,
        }
    }
}

fn parse_field(field: &str, ty: &Type) -> Option<Word> {
    match ty {
        Type::Str => Some(intern::intern_str(field)),
        Type::Int => {
            let t = field.trim();
            let (neg, digits) = match t.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, t),
            };
            let v = if let Some(hex) = digits
                .strip_prefix("0x")
                .or_else(|| digits.strip_prefix("0X"))
            {
                u64::from_str_radix(hex, 16).ok()? as i64
            } else if let Some(bin) = digits.strip_prefix("0b") {
                u64::from_str_radix(bin, 2).ok()? as i64
            } else {
                digits
                    .strip_suffix('u')
                    .unwrap_or(digits)
                    .parse::<i64>()
                    .ok()?
            };
            Some(value::from_int(if neg { v.wrapping_neg() } else { v }))
        }
        Type::Float => field.trim().parse::<f64>().ok().map(value::from_float),
        other => value::parse_plain(other, field).ok(),
    }
}

/// Write every `.output` relation, sorted, as Soufflé does; what goes to
/// standard output is returned for the caller to print.
pub fn write_outputs(
    engine: &Engine,
    plan: &Plan,
    io: &SouffleIo,
    dir: &OutputDir,
) -> Result<String, String> {
    let mut stdout = String::new();
    for spec in &io.outputs {
        let Some(cat) = plan.category_named(&spec.rel) else {
            return Err(format!("no relation `{}` in the plan", spec.rel));
        };
        let category = plan.category(cat);
        let types = category.types();
        let mut text = String::new();
        let names: Vec<&str> = category.fields.iter().map(|f| f.name.as_str()).collect();
        let header = names.join(&(spec.delimiter as char).to_string());
        let to_stdout = matches!(dir, OutputDir::Stdout) || spec.stdout;
        if spec.headers && !to_stdout {
            text.push_str(&header);
            text.push('\n');
        }
        let columns = Columns {
            bases: io.columns.get(&spec.rel).map(Vec::as_slice),
            records: &io.records,
        };
        if columns.bases.is_some() {
            // Records print as their values; their words (interned ids)
            // have no order of their own, so the lines are sorted as text.
            let mut lines: Vec<String> = engine
                .facts(cat)
                .into_iter()
                .map(|row| {
                    let mut line = String::new();
                    format_row_with(&mut line, &types, &row, spec.delimiter as char, &columns);
                    line
                })
                .collect();
            lines.sort();
            text.extend(lines);
        } else {
            for row in engine.facts(cat) {
                format_row(&mut text, &types, &row, spec.delimiter as char);
            }
        }
        match (dir, spec.stdout) {
            (OutputDir::Stdout, _) | (_, true) => {
                // Soufflé's layout: a rule, the name (and the attribute
                // names with headers), a rule, the rows, a rule.
                let rule = "=".repeat(15);
                let _ = write!(stdout, "{}\n{}\n", "-".repeat(15), spec.rel);
                if spec.headers {
                    let _ = writeln!(stdout, "{header}");
                }
                let _ = write!(stdout, "{rule}\n{text}{rule}\n");
            }
            (OutputDir::Dir(d), false) => {
                let path = d.join(&spec.file);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
                }
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            }
        }
    }
    Ok(stdout)
}

/// The `.printsize` lines: `rel<TAB>count` each.
pub fn printsize(engine: &Engine, plan: &Plan, io: &SouffleIo) -> String {
    let mut out = String::new();
    for rel in &io.printsize {
        if let Some(cat) = plan.category_named(rel) {
            let _ = writeln!(out, "{rel}\t{}", engine.count(cat));
        }
    }
    out
}

/// One row as Soufflé writes it; a nullary fact is `()`.
pub fn format_row(out: &mut String, types: &[Type], row: &[Word], delim: char) {
    let none = RecordTypes::default();
    let columns = Columns {
        bases: None,
        records: &none,
    };
    format_row_with(out, types, row, delim, &columns);
}

/// One row as Soufflé writes it, its records and ADTs as Soufflé prints
/// them (`[1, a]`, `nil`, `$B(1)`).
pub fn format_row_with(
    out: &mut String,
    types: &[Type],
    row: &[Word],
    delim: char,
    columns: &Columns,
) {
    if types.is_empty() {
        out.push_str("()\n");
        return;
    }
    for (i, (ty, &w)) in types.iter().zip(row).enumerate() {
        if i > 0 {
            out.push(delim);
        }
        if let Some(id) = columns.record(i) {
            columns.records.write(out, Base::Record(id), w, float_text);
            continue;
        }
        match ty {
            Type::Str => out.push_str(intern::str_of(w)),
            Type::Int => {
                let _ = write!(out, "{}", value::to_int(w));
            }
            Type::Float => out.push_str(&float_text(value::to_float(w))),
            other => value::write_plain(out, other, w),
        }
    }
    out.push('\n');
}

/// A float as Soufflé writes it: its 32-bit value (Soufflé's default
/// `RamFloat`) through a C++ stream at `max_digits10` (9) significant
/// digits, `%g` style.
pub fn float_text(f: f64) -> String {
    const DIGITS: i32 = 9;
    let f = f64::from(f as f32);
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rounded to DIGITS significant digits: the exponent after rounding.
    let sci = format!("{f:.prec$e}", prec = (DIGITS - 1) as usize);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..DIGITS).contains(&exp) {
        let m = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (DIGITS - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{f:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::float_text;

    #[test]
    fn floats_print_as_souffle_writes_them() {
        assert_eq!(float_text(0.5), "0.5");
        assert_eq!(float_text(1.0), "1");
        assert_eq!(float_text(1.0 / 3.0), "0.333333343");
        assert_eq!(float_text(1e10), "1e+10");
        assert_eq!(float_text(123456.0), "123456");
        assert_eq!(float_text(1234567.0), "1234567");
        assert_eq!(float_text(0.0009765625), "0.0009765625");
        assert_eq!(float_text(0.00001), "9.99999975e-06");
        assert_eq!(float_text(-2.5), "-2.5");
    }
}
