//! `foldc check PROG --split CAT.FIELD`: whether the program decomposes on
//! a split key, and where each category's facts live (see
//! `fold_compiler::check::split`).

use std::process::ExitCode;

use fold_compiler::check::split::{analyze, parse_key, Placement};
use fold_compiler::diag::render;
use fold_compiler::diag::Code;
use fold_runtime::plan::CatId;

use crate::out::{errln, out, outln};
use crate::source::Program;
use crate::Outcome;

/// Print the verdict of `key` on `program` (checked, without errors), for
/// people or as one JSON object; fail when it does not decompose.
pub fn check(program: &Program, key: &str, json: bool) -> Outcome {
    let checked = &program.compiled.checked;
    let split = match parse_key(checked, key) {
        Ok(k) => k,
        Err(why) => {
            errln!("error[{}]: {why}", Code::BadSplitKey.as_str());
            return Ok(ExitCode::from(2));
        }
    };
    let placed = match analyze(checked, split) {
        Ok(p) => p,
        Err(d) => {
            if json {
                out!(
                    "{}",
                    render::json(&program.display_name(), &program.src, &[*d])
                );
            } else {
                program.report(&[*d]);
                errln!("{}: does not decompose on `{key}`", program.display_name());
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let name = |c: usize| &checked.catalog.get(CatId(c as u32)).category;
    if json {
        let cats: Vec<serde_json::Value> = placed
            .iter()
            .enumerate()
            .map(|(c, p)| {
                let fields: Vec<&str> = match p {
                    Placement::Whole => Vec::new(),
                    Placement::Split(fs) => fs
                        .iter()
                        .map(|&f| name(c).fields[f].name.as_str())
                        .collect(),
                };
                serde_json::json!({
                    "category": name(c).name,
                    "placement": if fields.is_empty() { "whole" } else { "split" },
                    "fields": fields,
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::json!({ "split": key, "decomposes": true, "categories": cats })
        );
        return Ok(ExitCode::SUCCESS);
    }
    let width = placed
        .iter()
        .enumerate()
        .map(|(c, _)| name(c).name.len())
        .max()
        .unwrap_or(0);
    outln!("split on `{key}`:");
    for (c, p) in placed.iter().enumerate() {
        let cat = name(c);
        let what = match p {
            Placement::Whole => "whole on every shard".to_string(),
            Placement::Split(fs) => {
                let names: Vec<&str> = fs.iter().map(|&f| cat.fields[f].name.as_str()).collect();
                format!("split on {}", names.join(" = "))
            }
        };
        outln!("  {:<width$}  {what}", cat.name);
    }
    errln!("{}: decomposes on `{key}`", program.display_name());
    Ok(ExitCode::SUCCESS)
}
