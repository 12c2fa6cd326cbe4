//! Facts as clients see them: JSON objects by field name, cursors, and
//! the query string of a facts request.

use fold_runtime::plan::Category;
use fold_runtime::value::{self, Type, Word};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::view::query::{probe, Filter, Op, Probe};

/// One fact as a JSON object: numbers and booleans as such, strings and
/// lists as their plain text.
pub fn fact(cat: &Category, types: &[Type], words: &[Word]) -> Value {
    let mut object = Map::with_capacity(types.len());
    for ((field, ty), &w) in cat.fields.iter().zip(types).zip(words) {
        let v = match ty {
            Type::Int => Value::from(value::to_int(w)),
            Type::Bool => Value::from(value::to_bool(w)),
            Type::Float => serde_json::Number::from_f64(value::to_float(w))
                .map_or_else(|| Value::from(plain(ty, w)), Value::Number),
            Type::Str | Type::List(_) => Value::from(plain(ty, w)),
        };
        object.insert(field.name.clone(), v);
    }
    Value::Object(object)
}

fn plain(ty: &Type, w: Word) -> String {
    let mut s = String::new();
    value::write_plain(&mut s, ty, w);
    s
}

/// The cursor after `words`: its fields' plain text as a JSON array, in
/// hex (opaque to clients, valid across commits and restarts).
pub fn cursor(types: &[Type], words: &[Word]) -> String {
    let texts: Vec<String> = types.iter().zip(words).map(|(t, &w)| plain(t, w)).collect();
    let json = serde_json::to_string(&texts).unwrap_or_default();
    json.bytes().map(|b| format!("{b:02x}")).collect()
}

/// A cursor read back as the fact it stands after.
pub fn read_cursor(types: &[Type], text: &str) -> Result<Vec<Probe>, ApiError> {
    let bad = || ApiError::BadRequest("`cursor` is not one this service gave".to_string());
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect();
    let texts: Vec<String> = bytes
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(bad)?;
    if texts.len() != types.len() {
        return Err(bad());
    }
    types
        .iter()
        .zip(&texts)
        .map(|(ty, t)| match ty {
            Type::List(_) => value::parse_plain(ty, t)
                .map(Probe::Word)
                .map_err(|_| bad()),
            ty => probe(ty, t).map_err(|_| bad()),
        })
        .collect()
}

/// What a facts request asks: filters, a page size and a cursor.
pub struct FactsQuery {
    pub filters: Vec<Filter>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// The largest page.
pub const MAX_LIMIT: usize = 10_000;

/// Read `field=v` (equality), `field.eq|lt|le|gt|ge=v`, `limit=` and
/// `cursor=` from a query string.
pub fn facts_query(cat: &Category, query: &str) -> Result<FactsQuery, ApiError> {
    let types = cat.types();
    let mut q = FactsQuery {
        filters: Vec::new(),
        limit: None,
        cursor: None,
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, text) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key, true)?;
        let text = decode(text, true)?;
        match key.as_str() {
            "limit" => {
                let n: usize = text
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!("`limit` is a number from 1 to {MAX_LIMIT}"))
                    })?;
                q.limit = Some(n);
                continue;
            }
            "cursor" => {
                q.cursor = Some(text);
                continue;
            }
            _ => {}
        }
        let (name, op) = match key.rsplit_once('.') {
            Some((name, "eq")) => (name, Op::Eq),
            Some((name, "lt")) => (name, Op::Lt),
            Some((name, "le")) => (name, Op::Le),
            Some((name, "gt")) => (name, Op::Gt),
            Some((name, "ge")) => (name, Op::Ge),
            _ => (key.as_str(), Op::Eq),
        };
        let Some(field) = cat.fields.iter().position(|f| f.name == name) else {
            return Err(ApiError::BadRequest(format!(
                "`{}` has no field `{name}`",
                cat.name
            )));
        };
        let value = probe(&types[field], &text)
            .map_err(|e| ApiError::BadRequest(format!("field `{name}`: {e}")))?;
        q.filters.push(Filter { field, op, value });
    }
    Ok(q)
}

/// Undo URL encoding: `%XX` bytes and, in a query (`plus_is_space`), `+`
/// for a space; an error for text that is not UTF-8 once decoded.
pub fn decode(text: &str, plus_is_space: bool) -> Result<String, ApiError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| ApiError::BadRequest(format!("`{text}` is not UTF-8 once decoded")))
}
