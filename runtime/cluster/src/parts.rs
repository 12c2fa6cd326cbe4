//! A range-split job's exports cut per shard, and their concatenation.
//!
//! In a job whose shards hold ranges of key values in value order (see
//! [`crate::shard`]), a category split on its first field sorts shard by
//! shard: its result is every shard's sorted rows, one shard after the
//! other. So a worker cuts its sorted export of such a category into one
//! headerless part per shard it holds (`CAT.parts/N`, with the header in
//! `CAT.parts/header` and the row counts in `CAT.parts/rows`), and
//! `collect` writes the header and the parts in shard order: no parse, no
//! comparison, no merge. Categories the same on every shard are taken
//! from one worker. Anything else is merged k ways ([`crate::exports`]).
//!
//! A worker cuts only what it can prove sorts shard by shard: every row's
//! key is a key of a shard it holds, and each shard's keys lie above the
//! previous shard's. Otherwise it keeps the whole file and collect merges.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use fold_compiler::check::split::{analyze, parse_key, Placement, SplitKey};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{compare_tuples, Type, Word};
use fold_runtime::Engine;

/// Where a range-split job's categories live, and which shard each key
/// value a worker loaded belongs to.
#[derive(Clone)]
pub struct ShardLayout {
    pub key: SplitKey,
    /// One per category of the plan.
    pub placements: Vec<Placement>,
    /// The shard (chunk number) of each key value loaded so far.
    shard_of: HashMap<Word, u32>,
}

impl ShardLayout {
    /// The layout of `source`'s program split on `key` (`CAT.FIELD`).
    pub fn new(source: &str, key: &str) -> Result<ShardLayout, String> {
        let compiled = fold_compiler::compile(source, None);
        let split = parse_key(&compiled.checked, key)?;
        let placements = analyze(&compiled.checked, split)
            .map_err(|d| format!("the program does not decompose on `{key}`: {}", d.message))?;
        Ok(ShardLayout {
            key: split,
            placements,
            shard_of: HashMap::new(),
        })
    }

    /// Note the key values of shard `n`'s input (`bytes`, the CSV text of
    /// the split category, read from `path`).
    pub fn add_shard(
        &mut self,
        plan: &Plan,
        n: u32,
        path: &Path,
        bytes: &[u8],
    ) -> Result<(), String> {
        let category = plan.category(self.key.cat);
        let arity = category.arity();
        if arity == 0 {
            return Ok(());
        }
        let words = fold_runtime::csv::parse(path, bytes, category).map_err(|e| e.to_string())?;
        for row in words.chunks_exact(arity) {
            self.shard_of.insert(row[self.key.field], n);
        }
        Ok(())
    }

    /// Whether `cat` is split on its first field (so its rows sort shard
    /// by shard).
    fn cuttable(&self, cat: CatId) -> bool {
        matches!(&self.placements[cat.0 as usize], Placement::Split(fields) if fields.contains(&0))
    }

    /// Whether `cat` has the same facts on every shard.
    pub fn whole(&self, cat: CatId) -> bool {
        matches!(self.placements.get(cat.0 as usize), Some(Placement::Whole))
    }
}

/// The folder of `name`'s parts in an export folder.
fn parts_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.parts"))
}

/// Cut `dir/CAT.csv` (the sorted export of `cat` that `engine` holds)
/// into parts, one per shard of `held`, when the layout proves its rows
/// sort shard by shard; whether it was cut (else the file stays whole).
pub fn cut(
    engine: &Engine,
    plan: &Plan,
    layout: &ShardLayout,
    held: &BTreeSet<u32>,
    cat: CatId,
    dir: &Path,
) -> Result<bool, String> {
    if !layout.cuttable(cat) {
        return Ok(false);
    }
    let Some(counts) = rows_per_shard(engine, plan, layout, held, cat) else {
        return Ok(false);
    };
    let category = plan.category(cat);
    let file = dir.join(format!("{}.csv", category.name));
    let text =
        std::fs::read(&file).map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let starts = record_starts(&text, &category.types(), &file)?;
    let total: u64 = counts.values().sum();
    if starts.len() as u64 != total + 1 {
        return Err(format!(
            "`{}` has {} records where the category holds {total} facts",
            file.display(),
            starts.len().saturating_sub(1)
        ));
    }
    let parts = parts_dir(dir, &category.name);
    std::fs::create_dir_all(&parts)
        .map_err(|e| format!("cannot create `{}`: {e}", parts.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = parts.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
    };
    // `starts[0]` is the header's; record i ends where record i + 1 starts.
    let end = |i: usize| starts.get(i + 1).copied().unwrap_or(text.len());
    write("header", &text[..end(0)])?;
    let mut index = String::new();
    let mut record = 1;
    for (&n, &rows) in &counts {
        let from = end(record - 1);
        record += rows as usize;
        write(&n.to_string(), &text[from..end(record - 1)])?;
        index.push_str(&format!("{n} {rows}\n"));
    }
    write("rows", index.as_bytes())?;
    std::fs::remove_file(&file).map_err(|e| format!("cannot remove `{}`: {e}", file.display()))?;
    Ok(true)
}

/// The rows of `cat` per shard of `held` (every held shard listed), when
/// every row's key belongs to a held shard and each shard's keys lie
/// above the previous shard's; `None` otherwise.
fn rows_per_shard(
    engine: &Engine,
    plan: &Plan,
    layout: &ShardLayout,
    held: &BTreeSet<u32>,
    cat: CatId,
) -> Option<BTreeMap<u32, u64>> {
    let arity = plan.category(cat).arity();
    let types = plan.category(cat).types();
    let key_type = std::slice::from_ref(types.first()?);
    let dead = engine.superseded_bits(cat);
    // Per shard: rows, least and greatest key.
    let mut seen: BTreeMap<u32, (u64, Word, Word)> = BTreeMap::new();
    for (r, row) in engine.rows_from(cat, 0).chunks_exact(arity).enumerate() {
        if dead.get(r / 64).is_some_and(|w| w & (1 << (r % 64)) != 0) {
            continue;
        }
        let key = row[0];
        let n = *layout.shard_of.get(&key)?;
        if !held.contains(&n) {
            return None;
        }
        let e = seen.entry(n).or_insert((0, key, key));
        e.0 += 1;
        if compare_tuples(key_type, &[key], &[e.1]).is_lt() {
            e.1 = key;
        }
        if compare_tuples(key_type, &[key], &[e.2]).is_gt() {
            e.2 = key;
        }
    }
    let mut last: Option<Word> = None;
    for &(_, least, greatest) in seen.values() {
        if last.is_some_and(|l| compare_tuples(key_type, &[l], &[least]).is_ge()) {
            return None;
        }
        last = Some(greatest);
    }
    Some(
        held.iter()
            .map(|&n| (n, seen.get(&n).map_or(0, |s| s.0)))
            .collect(),
    )
}

/// Where each record of CSV `text` starts (the header first). Numbers
/// hold no quotes or line breaks, so without strings or lists a record
/// is a line; otherwise the CSV reader finds the records.
pub(crate) fn record_starts(
    text: &[u8],
    types: &[Type],
    file: &Path,
) -> Result<Vec<usize>, String> {
    if types
        .iter()
        .all(|t| matches!(t, Type::Int | Type::Float | Type::Bool))
    {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' && i + 1 < text.len())
                .map(|(i, _)| i + 1),
        );
        return Ok(starts);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut record = csv::ByteRecord::new();
    let mut starts = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => starts.push(record.position().map_or(0, |p| p.byte() as usize)),
            Ok(false) => return Ok(starts),
            Err(e) => return Err(format!("cannot read `{}`: {e}", file.display())),
        }
    }
}

/// The parts of `name` in each export folder of `dirs` that has them:
/// (folder, shard → rows).
type Found<'a> = Vec<(&'a Path, BTreeMap<u32, u64>)>;

/// The parts each of `dirs` holds for category `name` (`None` when one
/// of them kept the whole file).
fn find_parts<'a>(dirs: &'a [PathBuf], name: &str) -> Result<Option<Found<'a>>, String> {
    let mut found = Vec::new();
    for dir in dirs {
        let index = parts_dir(dir, name).join("rows");
        let Ok(text) = std::fs::read_to_string(&index) else {
            return Ok(None);
        };
        let mut rows = BTreeMap::new();
        for line in text.lines() {
            let parsed = line
                .split_once(' ')
                .and_then(|(n, r)| Some((n.parse::<u32>().ok()?, r.parse::<u64>().ok()?)));
            let Some((n, r)) = parsed else {
                return Err(format!("`{}`: a damaged line `{line}`", index.display()));
            };
            rows.insert(n, r);
        }
        found.push((dir.as_path(), rows));
    }
    Ok(Some(found))
}

/// Write `out/NAME.csv` as the header and the parts of every shard of
/// `shards` in order, each taken from the first folder holding it; the
/// rows written, or `None` when some folder kept the whole file.
pub fn concatenate(
    dirs: &[PathBuf],
    name: &str,
    shards: &BTreeSet<u32>,
    out: &Path,
) -> Result<Option<u64>, String> {
    let Some(found) = find_parts(dirs, name)? else {
        return Ok(None);
    };
    let Some((first, _)) = found.first() else {
        return Ok(None);
    };
    let mut sources = Vec::new();
    for &n in shards {
        let Some((dir, rows)) = found.iter().find_map(|(d, r)| r.get(&n).map(|&r| (d, r))) else {
            return Err(format!(
                "no shard's exports hold the `{name}` facts of shard {n}"
            ));
        };
        sources.push((parts_dir(dir, name).join(n.to_string()), rows));
    }
    let target = out.join(format!("{name}.csv"));
    let tmp = out.join(format!(".{name}.csv.tmp{}", std::process::id()));
    let written = (|| -> Result<u64, String> {
        let fail = |p: &Path, e: std::io::Error| format!("`{}`: {e}", p.display());
        let mut w = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&tmp).map_err(|e| fail(&tmp, e))?,
        );
        let header = parts_dir(first, name).join("header");
        let bytes = std::fs::read(&header).map_err(|e| fail(&header, e))?;
        w.write_all(&bytes).map_err(|e| fail(&tmp, e))?;
        let mut total = 0;
        for (path, rows) in &sources {
            let bytes = std::fs::read(path).map_err(|e| fail(path, e))?;
            w.write_all(&bytes).map_err(|e| fail(&tmp, e))?;
            total += rows;
        }
        w.flush().map_err(|e| fail(&tmp, e))?;
        std::fs::rename(&tmp, &target).map_err(|e| fail(&target, e))?;
        Ok(total)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(Some)
}

/// The sorted CSV text (header and rows) of `name`'s parts in `dir`, for
/// a k-way merge with folders that kept the whole file; `None` when
/// `dir` has no parts of it.
pub fn joined(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, String> {
    let one = [dir.to_path_buf()];
    let Some(found) = find_parts(&one, name)? else {
        return Ok(None);
    };
    let parts = parts_dir(dir, name);
    let read = |p: PathBuf| std::fs::read(&p).map_err(|e| format!("`{}`: {e}", p.display()));
    let mut text = read(parts.join("header"))?;
    for &n in found.first().map(|(_, r)| r.keys()).into_iter().flatten() {
        text.extend(read(parts.join(n.to_string()))?);
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_lines_for_numbers_and_parsed_for_strings() {
        let text = b"a,b\n1,2\n3,4\n";
        let got = record_starts(text, &[Type::Int, Type::Int], Path::new("t")).unwrap();
        assert_eq!(got, vec![0, 4, 8]);
        let text = b"a,b\n\"x\ny\",2\nz,4";
        let got = record_starts(text, &[Type::Str, Type::Int], Path::new("t")).unwrap();
        assert_eq!(got, vec![0, 4, 12]);
    }
}
