//! A sharded job's split: the proof that the program decomposes on the
//! key (`fold_compiler::check::split`), and the split input cut into one
//! CSV text per shard by the hash of each record's value at the key field.
//!
//! Every record with one value lands on one shard, whatever file it came
//! from and however its value was written (`007` and `7` are one int):
//! the hash is of the value's canonical literal. The shard texts are
//! written by foldc's own CSV writer, so they read back to the same facts.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use fold_compiler::check::split::{analyze, parse_key, SplitKey};
use fold_compiler::diag::render;
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{write_literal, Word};

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
/// texts by the hash of each record's value at `field`. Shards without a
/// record get the header alone.
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
    let mut rows: Vec<Vec<Word>> = vec![Vec::new(); shards];
    let mut literal = String::new();
    for path in files {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let words = fold_runtime::csv::parse(path, &bytes, category).map_err(|e| e.to_string())?;
        if arity == 0 {
            continue;
        }
        for row in words.chunks_exact(arity) {
            literal.clear();
            write_literal(&mut literal, &types[field], row[field]);
            let shard = shard_of(&literal, shards);
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

/// The shard of a value, by its canonical literal. The standard hasher
/// with its fixed keys (`DefaultHasher::new`): only `submit` computes
/// shards, so the hash needs no stability across versions of Rust.
fn shard_of(literal: &str, shards: usize) -> usize {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    literal.hash(&mut h);
    (h.finish() % shards as u64) as usize
}

/// How a chunk record names shard `s` of `category`'s input (workers
/// load it from a file of this name).
pub fn shard_file(category: &str, s: u32) -> String {
    format!("{category}.shard{s}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_literals_share_a_shard_and_shards_spread() {
        let a = shard_of("7", 8);
        assert_eq!(a, shard_of("7", 8));
        let used: std::collections::BTreeSet<usize> =
            (0..200).map(|i| shard_of(&i.to_string(), 8)).collect();
        assert_eq!(used.len(), 8, "200 values should reach all 8 shards");
    }
}
