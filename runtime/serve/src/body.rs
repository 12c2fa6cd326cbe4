//! An insert's body, validated whole before anything is inserted: a JSON
//! array of objects (one per fact, every field named) or CSV (a header
//! naming the fields, then rows), chosen by `Content-Type`. Either
//! becomes CSV text for the session; the first bad fact is named with its
//! field.

use std::path::Path;

use fold_runtime::plan::Category;
use fold_runtime::value;

use crate::error::ApiError;

/// The kinds of body an insert takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Json,
    Csv,
}

/// The kind a `Content-Type` names; `None` for any other (415).
pub fn kind(content_type: Option<&str>) -> Option<Kind> {
    let essence = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Some(Kind::Json),
        "text/csv" => Some(Kind::Csv),
        _ => None,
    }
}

/// The body as CSV for `cat`, checked: every fact's every field parses.
pub fn validate(cat: &Category, kind: Kind, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    match kind {
        Kind::Csv => {
            check_csv(cat, body)?;
            Ok(body.to_vec())
        }
        Kind::Json => json_to_csv(cat, body),
    }
}

fn check_csv(cat: &Category, body: &[u8]) -> Result<(), ApiError> {
    fold_runtime::csv::parse(Path::new("body"), body, cat)
        .map(drop)
        .map_err(|e| {
            let place = match (&e.field, e.line) {
                (Some(f), line) if line > 1 => {
                    format!("fact {} (line {line}), field `{f}`", line - 1)
                }
                (Some(f), line) => format!("line {line}, field `{f}`"),
                (None, 0) => "the body".to_string(),
                (None, line) => format!("line {line}"),
            };
            ApiError::BadRequest(format!("{place}: {}; nothing was inserted", e.message))
        })
}

fn json_to_csv(cat: &Category, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let bad = |m: String| ApiError::BadRequest(format!("{m}; nothing was inserted"));
    let facts: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(body)
        .map_err(|e| bad(format!("the body is not a JSON array of objects ({e})")))?;
    let types = cat.types();
    let mut out = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = cat.fields.iter().map(|f| f.name.as_str()).collect();
    let io = |e: csv::Error| ApiError::BadRequest(format!("cannot write the facts: {e}"));
    out.write_record(&header).map_err(io)?;
    let mut record = Vec::with_capacity(types.len());
    for (i, fact) in facts.iter().enumerate() {
        let n = i + 1;
        if let Some(extra) = fact.keys().find(|k| !header.contains(&k.as_str())) {
            return Err(bad(format!(
                "fact {n}: `{}` has no field `{extra}` (fields: {})",
                cat.name,
                header.join(", ")
            )));
        }
        record.clear();
        for (field, ty) in cat.fields.iter().zip(&types) {
            let name = &field.name;
            let Some(v) = fact.get(name) else {
                return Err(bad(format!("fact {n}, field `{name}`: missing")));
            };
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(x) => x.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                other => {
                    return Err(bad(format!(
                        "fact {n}, field `{name}`: {other} is not a value of it"
                    )))
                }
            };
            value::parse_plain(ty, &text)
                .map_err(|e| bad(format!("fact {n}, field `{name}`: {e}")))?;
            record.push(text);
        }
        out.write_record(&record).map_err(io)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::BadRequest(format!("cannot write the facts: {e}")))
}
