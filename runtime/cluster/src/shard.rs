//! A sharded job's split: the proof that the program decomposes on the
//! key (`fold_compiler::check::split`), and the split input cut into one
//! CSV text per shard by ranges of the value at the key field.
//!
//! The distinct key values are put in value order (the order `--out`
//! files are sorted in) and cut into `shards` runs of nearly equal
//! length: shard 0 holds the least values, the last shard the greatest.
//! So a category split on its first field sorts shard by shard, and
//! `collect` concatenates the shards' sorted parts instead of merging
//! them (see [`crate::parts`]). Every record with one value lands on one
//! shard, whatever file it came from and however its value was written
//! (`007` and `7` are one int): values are told apart by their canonical
//! literal. The shard texts are written by foldc's own CSV writer, so
//! they read back to the same facts.

use std::collections::HashMap;
use std::path::PathBuf;

use fold_compiler::check::split::{analyze, parse_key, SplitKey};
use fold_compiler::diag::render;
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{compare_tuples, write_literal, Type, Word};

use crate::split::Piece;

/// Why a program cannot run split on a key.
#[derive(Debug)]
pub enum Refused {
    /// The key names no field of an input category (E0800).
    BadKey(String),
    /// A rule combines facts of two shards (E0801, rendered as `foldc
    /// check` renders it, naming the rule and the atom).
    NotDecomposable(String),
}

/// The split key of `source`'s program, or why the program cannot be
/// split on `key`.
pub fn check(
    compiled: &fold_compiler::Compiled,
    source: &str,
    name: &str,
    key: &str,
) -> Result<SplitKey, Refused> {
    let checked = &compiled.checked;
    let split = parse_key(checked, key).map_err(|why| {
        Refused::BadKey(format!(
            "error[{}]: {why}",
            fold_compiler::diag::Code::BadSplitKey.as_str()
        ))
    })?;
    analyze(checked, split).map_err(|d| {
        Refused::NotDecomposable(format!(
            "{}{name}: does not decompose on `{key}`; nothing was submitted (add --general \
             to run it as a general job, whose databases are merged)",
            render::human(name, source, &[*d], false)
        ))
    })?;
    Ok(split)
}

/// Cut the split input (`files` of category `cat`) into `shards` CSV
/// texts by ranges of the value at `field`. Shards without a record get
/// the header alone.
pub fn partition(
    plan: &Plan,
    cat: CatId,
    field: usize,
    files: &[PathBuf],
    shards: u32,
) -> Result<Vec<Piece>, String> {
    let category = plan.category(cat);
    let arity = category.arity();
    let types = category.types();
    let names: Vec<String> = category.fields.iter().map(|f| f.name.clone()).collect();
    let shards = shards.max(1) as usize;
    let mut words: Vec<Word> = Vec::new();
    for path in files {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        words.extend(fold_runtime::csv::parse(path, &bytes, category).map_err(|e| e.to_string())?);
    }
    let mut rows: Vec<Vec<Word>> = vec![Vec::new(); shards];
    if arity > 0 {
        let shard_of = ranges(&types[field], field, arity, &words, shards);
        let mut literal = String::new();
        for row in words.chunks_exact(arity) {
            literal.clear();
            write_literal(&mut literal, &types[field], row[field]);
            let shard = shard_of.get(&literal).copied().unwrap_or(0);
            rows[shard].extend_from_slice(row);
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(s, words)| {
            let mut text = Vec::new();
            let stride = arity.max(1);
            fold_runtime::csv::write_rows(&mut text, &types, &names, words.chunks_exact(stride))
                .map_err(|e| format!("cannot write shard {s}: {e}"))?;
            Ok(Piece {
                rows: (words.len() / stride) as u64,
                bytes: text,
            })
        })
        .collect()
}

/// The shard of each value at `field` of `words` (flat, `arity` per row),
/// by canonical literal: the distinct values, of type `key_type`, in
/// value order, cut into `shards` runs whose lengths differ by at most
/// one.
fn ranges(
    key_type: &Type,
    field: usize,
    arity: usize,
    words: &[Word],
    shards: usize,
) -> HashMap<String, usize> {
    // One representative word per value.
    let mut first: HashMap<String, Word> = HashMap::new();
    let mut literal = String::new();
    for row in words.chunks_exact(arity) {
        literal.clear();
        write_literal(&mut literal, key_type, row[field]);
        if !first.contains_key(&literal) {
            first.insert(literal.clone(), row[field]);
        }
    }
    let types = std::slice::from_ref(key_type);
    let mut values: Vec<(String, Word)> = first.into_iter().collect();
    values.sort_by(|a, b| compare_tuples(types, &[a.1], &[b.1]).then_with(|| a.0.cmp(&b.0)));
    let n = values.len().max(1);
    values
        .into_iter()
        .enumerate()
        .map(|(i, (lit, _))| (lit, i * shards / n))
        .collect()
}

/// How a chunk record names shard `s` of `category`'s input (workers
/// load it from a file of this name).
pub fn shard_file(category: &str, s: u32) -> String {
    format!("{category}.shard{s}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fold_runtime::value::from_int;

    fn shards_of(values: &[i64], shards: usize) -> Vec<usize> {
        let words: Vec<Word> = values.iter().map(|&v| from_int(v)).collect();
        let shard_of = ranges(&Type::Int, 0, 1, &words, shards);
        values.iter().map(|v| shard_of[&v.to_string()]).collect()
    }

    #[test]
    fn values_in_order_fill_the_shards_in_order() {
        // 8 distinct values (one twice), out of order, negative ones too.
        let got = shards_of(&[30, -5, 7, 100, 7, 2, 64, -40, 9], 4);
        // Ranked: -40 -5 2 7 9 30 64 100 -> two per shard.
        assert_eq!(got, vec![2, 0, 1, 3, 1, 1, 3, 0, 2]);
    }

    #[test]
    fn fewer_values_than_shards_leaves_shards_empty() {
        let got = shards_of(&[3, 1], 8);
        assert_eq!(got, vec![4, 0]);
    }
}
