//! Checking a whole database against its checksums (`foldc db verify`),
//! and what every read command does on open: nothing read from a
//! database is trusted because a cache happens to be valid.
//!
//! sled checksums each page of its log when it reads it, but reads a page
//! only when a key on it is asked for; a segment's block is checked
//! against the CRC-32 its place records only when the block is read; and
//! a saved tables file serves a resume without its blocks being read at
//! all. So a read command could answer from good-looking tables or
//! records while the blocks under them were damaged. [`Db::verify`] reads
//! every key and value of every tree (so sled checks every page) and
//! every block a key refers to (its length and checksum), and names the
//! file of the first damage.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::{keys, load, open, segments, tables, Db, DbError};

/// What a whole check read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    /// Keys read, over all trees.
    pub keys: u64,
    /// Blocks read and checked.
    pub blocks: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The segment files they lie in.
    pub segments: usize,
}

/// One block that fails: where it belongs and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// What the block holds: a category's facts or given facts, strings or
    /// lists, with the rows from its first one.
    pub what: String,
    /// Why it does not read back (naming its file).
    pub why: String,
}

impl Db {
    /// Open the database at `dir` as it is, to check it (`write`: false;
    /// nothing is written in it) or repair it: its records must read
    /// back, nothing else is checked yet.
    pub fn open_to_check(dir: &std::path::Path, write: bool) -> Result<Db, DbError> {
        let db = if write {
            Db::open_dir(dir, open::Opening::Existing)?
        } else {
            Db::open_dir_read_only(dir)?
        };
        db.check_manifest()?;
        if db.program.is_none() || db.state.is_none() {
            return Err(DbError::Empty {
                dir: db.dir.clone(),
            });
        }
        Ok(db)
    }

    /// Remove what can be rebuilt and does not serve: saved tables that
    /// are damaged or stale, or stand on damaged blocks (`damaged`: the
    /// categories whose blocks fail), and segment files no block refers
    /// to. The names of the files removed.
    pub fn drop_rebuildable(&self, damaged: &BTreeSet<String>) -> Vec<String> {
        let mut removed = Vec::new();
        let names: Vec<String> = self
            .program
            .as_ref()
            .map(|p| p.categories.clone())
            .unwrap_or_default();
        for (name, state) in self.check_tables() {
            if state.is_err() || damaged.contains(&name) {
                if let Some(cat) = names.iter().position(|n| *n == name) {
                    tables::remove(&self.dir, cat);
                    removed.push(format!("{}/{cat}.bin", tables::DIR));
                }
            }
        }
        if self.segments {
            let before = list(&self.dir.join(segments::DIR));
            self.collect_segments();
            let after = list(&self.dir.join(segments::DIR));
            removed.extend(
                before
                    .difference(&after)
                    .map(|f| format!("{}/{f}", segments::DIR)),
            );
        }
        removed
    }

    /// Check every page of the store and every block it refers to (see
    /// the module docs); the first damage is an error naming its file.
    pub fn verify(&self) -> Result<Verified, DbError> {
        let (verified, damage) = self.verify_all()?;
        match damage.into_iter().next() {
            None => Ok(verified),
            Some(d) => Err(self.corrupt(format!("{}: {}", d.what, d.why))),
        }
    }

    /// Every block that fails, with what was read (for `foldc db verify`
    /// and `repair`, which list them all). A store whose pages do not read
    /// back is an error: nothing past the damage can be listed.
    pub fn verify_all(&self) -> Result<(Verified, Vec<Damage>), DbError> {
        let dir = self.dir.clone();
        open::guarded(&dir, "it cannot be read", || {
            let mut verified = Verified::default();
            for name in self.sled.tree_names() {
                let tree = self.sled.open_tree(&name).map_err(|e| self.io(e))?;
                for kv in tree.iter() {
                    let (_, v) = kv.map_err(|e| self.io(e))?;
                    verified.keys += 1;
                    verified.bytes += v.len() as u64;
                }
            }
            if !self.segments {
                // Format 2: the blocks are sled's values, checked above.
                return Ok((verified, Vec::new()));
            }
            let mut refs = Vec::new();
            for kv in self.sled.iter() {
                let (k, v) = kv.map_err(|e| self.io(e))?;
                let at = segments::BlockRef::decode(&v).ok_or_else(|| {
                    self.corrupt(format!(
                        "the place of block {} is malformed",
                        self.describe(&k)
                    ))
                })?;
                refs.push((k, at));
            }
            let files: BTreeSet<u64> = refs.iter().map(|(_, at)| at.segment).collect();
            let dir = self.dir.as_path();
            let failed: Vec<(usize, String)> = refs
                .par_iter()
                .enumerate()
                .filter_map(|(i, (_, at))| segments::read(dir, at).err().map(|why| (i, why)))
                .collect();
            let damage = failed
                .into_iter()
                .map(|(i, why)| Damage {
                    what: self.describe(&refs[i].0),
                    why,
                })
                .collect();
            verified.blocks = refs.len() as u64;
            verified.bytes += refs.iter().map(|(_, at)| u64::from(at.len)).sum::<u64>();
            verified.segments = files.len();
            Ok((verified, damage))
        })
    }

    /// What the block under key `k` holds, for messages.
    fn describe(&self, k: &[u8]) -> String {
        // A block's key: tag, category and first row (big-endian).
        let word = |at: usize| {
            k.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_be_bytes)
        };
        let cat = (k.len() == 9).then(|| word(1)).flatten().and_then(|c| {
            self.program
                .as_ref()
                .and_then(|p| p.categories.get(c as usize).cloned())
        });
        let first = (k.len() == 9).then(|| word(5)).flatten();
        match (k.first().copied(), cat, first) {
            (Some(keys::FACTS), Some(c), Some(r)) => format!("`{c}` (the block from row {r})"),
            (Some(keys::GIVEN), Some(c), Some(r)) => {
                format!("`{c}` (the block of given facts from row {r})")
            }
            (Some(keys::STRINGS), ..) => "a block of strings".to_string(),
            (Some(keys::LISTS), ..) => "a block of lists".to_string(),
            _ => "a block".to_string(),
        }
    }

    /// The saved tables files and whether each serves the blocks on disk
    /// now: by category name, `Ok(rows)` or why it would not be used (a
    /// cache that does not serve is rebuilt by the next finished run).
    pub fn check_tables(&self) -> BTreeMap<String, Result<u32, String>> {
        let mut out = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir(self.dir.join(tables::DIR)) else {
            return out;
        };
        let (Some(program), Some(state)) = (&self.program, &self.state) else {
            return out;
        };
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(cat) = file
                .strip_suffix(".bin")
                .and_then(|n| n.parse::<usize>().ok())
            else {
                continue;
            };
            let Some(name) = program.categories.get(cat).cloned() else {
                out.insert(
                    format!("category {cat}"),
                    Err(format!("{}/{file} is for no category", tables::DIR)),
                );
                continue;
            };
            let result = match (state.generation.get(cat), state.rows.get(cat)) {
                (Some(&generation), Some(&rows)) => {
                    let stamp = tables::Stamp {
                        program: self.program_hash(),
                        generation,
                        rows,
                    };
                    match tables::read(&self.dir, cat, stamp) {
                        None => Err(format!(
                            "{}/{file} is damaged, or not for the rows on disk",
                            tables::DIR
                        )),
                        Some(saved) => match load::block_values(self, keys::FACTS, cat, &name) {
                            Ok(blocks) => {
                                let blocks = blocks.iter().map(|(f, v)| (*f, &v[..]));
                                if saved.record == tables::record(blocks, saved.rows as usize) {
                                    Ok(saved.rows)
                                } else {
                                    Err(format!(
                                        "{}/{file} was saved from other blocks",
                                        tables::DIR
                                    ))
                                }
                            }
                            Err(e) => Err(e.to_string()),
                        },
                    }
                }
                _ => Err(format!("{}/{file} is for no category", tables::DIR)),
            };
            out.insert(name, result);
        }
        out
    }
}

/// The names of the files in `folder`.
fn list(folder: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .map(|e| {
            e.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
