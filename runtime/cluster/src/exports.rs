//! A sharded job's results as sorted exports, and their k-way merge.
//!
//! A worker of a sharded job writes every public category of its local
//! database as sorted CSV (the bytes `foldc run --out` writes) and uploads
//! them packed; private categories stay home. Because no fact combines two
//! shards, the result of the whole job is the union of the shards'
//! facts: `collect --out` merges the sorted files k ways, dropping the
//! copies of a fact several shards hold (categories that are the same on
//! every shard, shards processed twice after a redelivery). No database
//! is merged.

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};

use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{compare_tuples, Word};
use fold_runtime::Engine;
use rayon::prelude::*;

/// The categories a sharded job's workers upload: the public ones.
pub fn public_categories(plan: &Plan) -> Vec<CatId> {
    (0..plan.categories.len())
        .map(|c| CatId(c as u32))
        .filter(|&c| !plan.category(c).private)
        .collect()
}

/// Write `engine`'s public categories as sorted CSV into the new folder
/// `dir`.
pub fn write(engine: &Engine, plan: &Plan, dir: &Path) -> Result<(), String> {
    engine
        .write_outputs(dir, &public_categories(plan))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// What a k-way merge did.
#[derive(Debug, Default)]
pub struct Merged {
    /// Rows read from all shards.
    pub rows_in: u64,
    /// Rows written (each fact once).
    pub rows_out: u64,
}

/// Merge the sorted exports in `shards` (unpacked folders) of each of
/// `cats` into `out/CAT.csv`, each file written whole under a temporary
/// name and renamed.
pub fn merge(
    plan: &Plan,
    cats: &[CatId],
    shards: &[PathBuf],
    out: &Path,
) -> Result<Merged, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
    let mut merged = Merged::default();
    for &cat in cats {
        let category = plan.category(cat);
        let file = format!("{}.csv", category.name);
        // Parsing is most of the work; the shards' files are independent.
        let parts = shards
            .par_iter()
            .map(|dir| {
                let path = dir.join(&file);
                let bytes = std::fs::read(&path).map_err(|e| {
                    format!(
                        "a shard's exports lack `{file}` (`{}`): {e}",
                        path.display()
                    )
                })?;
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
    }
    Ok(merged)
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
