//! A sharded job's results as sorted exports, and their k-way merge.
//!
//! A worker of a sharded job writes every public output category of its
//! local database as sorted CSV (the bytes `foldc run --out` writes) and
//! uploads them packed; private categories stay home. Because no fact
//! combines two shards, the result of the whole job is the union of the
//! shards' facts. In a range-split job most categories are cut per shard
//! and concatenated ([`crate::parts`]), and a category the same on every
//! shard is taken from one worker; the rest are merged k ways here,
//! dropping the copies of a fact several shards hold (shards processed
//! twice after a redelivery). No database is merged.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{compare_tuples, Word};
use fold_runtime::Engine;
use rayon::prelude::*;

use crate::parts::{self, ShardLayout};

/// The categories a sharded job's workers upload: the public outputs
/// (what `collect --out` writes).
pub fn public_outputs(plan: &Plan) -> Vec<CatId> {
    plan.outputs
        .iter()
        .copied()
        .filter(|&c| !plan.category(c).private)
        .collect()
}

/// Write `engine`'s public outputs as sorted CSV into the new folder
/// `dir`; in a range-split job (`layout`, with the shards this worker
/// `held`), cut those that sort shard by shard into parts.
pub fn write(
    engine: &Engine,
    plan: &Plan,
    dir: &Path,
    layout: Option<(&ShardLayout, &BTreeSet<u32>)>,
) -> Result<(), String> {
    let cats = public_outputs(plan);
    engine
        .write_outputs(dir, &cats)
        .map_err(|e| e.to_string())?;
    if let Some((layout, held)) = layout {
        for &cat in &cats {
            parts::cut(engine, plan, layout, held, cat, dir)?;
        }
    }
    Ok(())
}

/// What a k-way merge did.
#[derive(Debug, Default)]
pub struct Merged {
    /// Rows read from all shards.
    pub rows_in: u64,
    /// Rows written (each fact once).
    pub rows_out: u64,
    /// Categories written by concatenating per-shard parts or copying one
    /// worker's file (no rows compared).
    pub concatenated: usize,
    /// Categories merged k ways.
    pub merged: usize,
}

/// Write each of `cats` into `out/CAT.csv` from the exports in `shards`
/// (unpacked folders) of a job whose chunks are `all`: concatenated or
/// copied when the range split allows (`layout`), else merged k ways.
/// Each file is written whole under a temporary name and renamed.
pub fn merge(
    plan: &Plan,
    cats: &[CatId],
    shards: &[PathBuf],
    out: &Path,
    layout: Option<&ShardLayout>,
    all: &BTreeSet<u32>,
) -> Result<Merged, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
    let mut merged = Merged::default();
    for &cat in cats {
        let category = plan.category(cat);
        let file = format!("{}.csv", category.name);
        if let Some(rows) = parts::concatenate(shards, &category.name, all, out)? {
            merged.rows_in += rows;
            merged.rows_out += rows;
            merged.concatenated += 1;
            continue;
        }
        if let (Some(layout), Some(first)) = (layout, shards.first()) {
            if layout.whole(cat) && first.join(&file).is_file() {
                let rows = copy_whole(&first.join(&file), &category.types(), out, &file)?;
                merged.rows_in += rows;
                merged.rows_out += rows;
                merged.concatenated += 1;
                continue;
            }
        }
        // Parsing is most of the work; the shards' files are independent.
        let parts = shards
            .par_iter()
            .map(|dir| {
                let path = dir.join(&file);
                let bytes = match parts::joined(dir, &category.name)? {
                    Some(text) => text,
                    None => std::fs::read(&path).map_err(|e| {
                        format!(
                            "a shard's exports lack `{file}` (`{}`): {e}",
                            path.display()
                        )
                    })?,
                };
                fold_runtime::csv::parse(&path, &bytes, category).map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<Vec<Word>>, String>>()?;
        let types = category.types();
        let names: Vec<String> = category.fields.iter().map(|f| f.name.clone()).collect();
        let arity = category.arity();
        let target = out.join(&file);
        let tmp = out.join(format!(".{file}.tmp{}", std::process::id()));
        let written = (|| -> std::io::Result<u64> {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
            let rows = union_sorted(&types, arity, &parts);
            let n = rows.len() as u64;
            fold_runtime::csv::write_rows(&mut w, &types, &names, rows.into_iter())?;
            w.flush()?;
            std::fs::rename(&tmp, &target)?;
            Ok(n)
        })();
        let n = written.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write `{}`: {e}", target.display())
        })?;
        merged.rows_in += parts
            .iter()
            .map(|p| (p.len() / arity.max(1)) as u64)
            .sum::<u64>();
        merged.rows_out += n;
        merged.merged += 1;
    }
    Ok(merged)
}

/// Copy one worker's `from` (a category the same on every shard, of
/// these field `types`) to `out/FILE` under a temporary name; its rows.
fn copy_whole(
    from: &Path,
    types: &[fold_runtime::value::Type],
    out: &Path,
    file: &str,
) -> Result<u64, String> {
    let target = out.join(file);
    let tmp = out.join(format!(".{file}.tmp{}", std::process::id()));
    let copied = std::fs::copy(from, &tmp).and_then(|_| std::fs::rename(&tmp, &target));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write `{}`: {e}", target.display()));
    }
    let text =
        std::fs::read(&target).map_err(|e| format!("cannot read `{}`: {e}", target.display()))?;
    let records = parts::record_starts(&text, types, &target)?.len();
    Ok(records.saturating_sub(1) as u64)
}

/// The union of sorted, duplicate-free row lists (flat words, `arity`
/// per row), in order, each row once. A category without fields has one
/// possible fact: present when any shard holds it.
fn union_sorted<'a>(
    types: &[fold_runtime::value::Type],
    arity: usize,
    parts: &'a [Vec<Word>],
) -> Vec<&'a [Word]> {
    if arity == 0 {
        // `parse` gives one empty word list per fact; write it once.
        return if parts.iter().any(|p| !p.is_empty()) {
            vec![&[][..]]
        } else {
            Vec::new()
        };
    }
    let mut at = vec![0usize; parts.len()];
    let total: usize = parts.iter().map(|p| p.len() / arity).sum();
    let mut out: Vec<&[Word]> = Vec::with_capacity(total);
    loop {
        // The least head among the shards (k is small: a scan beats a heap).
        let mut least: Option<&[Word]> = None;
        for (p, part) in parts.iter().enumerate() {
            if let Some(row) = part.get(at[p]..at[p] + arity) {
                if least.is_none_or(|l| compare_tuples(types, row, l) == Ordering::Less) {
                    least = Some(row);
                }
            }
        }
        let Some(row) = least else { break };
        // Advance every shard whose head is this row (copies of one fact).
        for (p, part) in parts.iter().enumerate() {
            if let Some(head) = part.get(at[p]..at[p] + arity) {
                if compare_tuples(types, head, row) == Ordering::Equal {
                    at[p] += arity;
                }
            }
        }
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fold_runtime::value::{from_int, Type};

    #[test]
    fn union_keeps_order_and_drops_copies() {
        let ints = |xs: &[i64]| xs.iter().map(|&x| from_int(x)).collect::<Vec<Word>>();
        let parts = vec![ints(&[1, 1, 2, 5]), ints(&[1, 3, 2, 5]), Vec::new()];
        let types = [Type::Int, Type::Int];
        let got: Vec<Vec<i64>> = union_sorted(&types, 2, &parts)
            .iter()
            .map(|r| r.iter().map(|&w| fold_runtime::value::to_int(w)).collect())
            .collect();
        assert_eq!(got, vec![vec![1, 1], vec![1, 3], vec![2, 5]]);
    }
}
