//! A whole database read as data, for a merge (`foldc merge`, see
//! [`crate::merge`]): every category's rows in row order with their
//! provenance and which of them are current, the given facts, the input
//! files and the counters, strings and lists as this process's words.
//!
//! Nothing is built for evaluation: the rows of an unkeyed category are
//! all current, so only keyed categories are replayed (to find the rows
//! their keep rule superseded). Every origin is checked against the
//! program and the row counts, so a merge can follow provenance without
//! bounds checks of its own.

use std::path::PathBuf;
use std::sync::Arc;

use super::load::{check_shape, load_symbols, read_blocks};
use super::{keys, open, Db, DbError};
use crate::exec::origin::Origin;
use crate::exec::stats::Stats;
use crate::plan::{CatId, Plan};
use crate::store::Relation;
use crate::value::{Type, Word};

/// What a database holds.
#[derive(Debug, Default)]
pub struct Contents {
    /// By category id.
    pub cats: Vec<CatContents>,
    /// Input files, by the id [`Origin::Input`] uses.
    pub files: Vec<PathBuf>,
    pub stats: Stats,
    /// How many merge records it has ([`Origin::Merged`] indexes them).
    pub merges: usize,
}

/// One category of a database.
#[derive(Debug, Default)]
pub struct CatContents {
    pub arity: usize,
    /// Every row, superseded ones too, `arity` words each, in row order.
    pub words: Vec<Word>,
    /// Each row's provenance.
    pub origins: Vec<Origin>,
    /// Superseded rows: bit `r % 64` of word `r / 64` (keyed only; rows
    /// past the end are current).
    pub dead: Vec<u64>,
    /// Current facts.
    pub live: usize,
    /// Given facts of a derived category (see [`crate::exec::base`]), `arity`
    /// words each, and their origins.
    pub given: Vec<Word>,
    pub given_origins: Vec<Origin>,
}

impl CatContents {
    pub fn rows(&self) -> usize {
        self.origins.len()
    }

    #[inline]
    pub fn row(&self, r: usize) -> &[Word] {
        &self.words[r * self.arity..(r + 1) * self.arity]
    }

    #[inline]
    pub fn is_dead(&self, r: usize) -> bool {
        self.dead
            .get(r / 64)
            .is_some_and(|w| w >> (r % 64) & 1 == 1)
    }

    /// The given facts, as `(tuple, origin)`.
    pub fn given(&self) -> impl Iterator<Item = (&[Word], Origin)> + '_ {
        let a = self.arity;
        self.given_origins
            .iter()
            .enumerate()
            .map(move |(i, &o)| (&self.given[i * a..(i + 1) * a], o))
    }
}

impl Db {
    /// Read everything this database holds (its last checkpoint) for
    /// `plan`, the program that wrote it.
    pub fn read_contents(&mut self, plan: &Plan) -> Result<Contents, DbError> {
        let dir = self.dir.clone();
        open::guarded(&dir, "it cannot be read", || read(self, plan))
    }

    /// The provenance of every row of `cat` (its last checkpoint), for
    /// `plan`, the program that wrote it; every origin is checked to name
    /// a handler, event row, input file or merge that exists. Read once
    /// per category when the database is open read-only.
    pub fn origins(&mut self, plan: &Plan, cat: CatId) -> Result<Arc<Vec<Origin>>, DbError> {
        let ci = cat.index();
        if let Some(Some(kept)) = self.origins.get(ci) {
            return Ok(Arc::clone(kept));
        }
        let dir = self.dir.clone();
        let read = Arc::new(open::guarded(&dir, "it cannot be read", || {
            origins_of(self, plan, cat)
        })?);
        if self._scratch.is_some() {
            if self.origins.len() <= ci {
                self.origins.resize(ci + 1, None);
            }
            self.origins[ci] = Some(Arc::clone(&read));
        }
        Ok(read)
    }

    /// The input files the runs read, by the id [`Origin::Input`] uses.
    pub fn input_files(&self) -> Vec<PathBuf> {
        self.state
            .as_ref()
            .map(|s| s.files.iter().map(Into::into).collect())
            .unwrap_or_default()
    }
}

fn origins_of(db: &mut Db, plan: &Plan, cat: CatId) -> Result<Vec<Origin>, DbError> {
    let Some(state) = db.state.clone() else {
        return Err(DbError::Empty {
            dir: db.dir.clone(),
        });
    };
    check_shape(db, &state, plan)?;
    let ci = cat.index();
    let category = plan.category(cat);
    let arity = category.arity();
    let blocks = read_blocks(
        db,
        keys::FACTS,
        ci,
        arity,
        true,
        state.rows[ci],
        &category.name,
    )?;
    let origins: Vec<Origin> = blocks.into_iter().flat_map(|d| d.origins).collect();
    let rows_of = |c: CatId| state.rows[c.index()];
    let ok = |o: &Origin| valid(plan, o, state.files.len(), db.merges.len(), rows_of);
    if !origins.iter().all(ok) {
        return Err(db.corrupt(format!(
            "the provenance of `{}` refers to a rule, row, file or merge that does not exist",
            category.name
        )));
    }
    Ok(origins)
}

/// Whether an origin names a handler, event row (`rows`: a category's
/// row count), input file or merge that exists.
fn valid(
    plan: &Plan,
    o: &Origin,
    files: usize,
    merges: usize,
    rows: impl Fn(CatId) -> u32,
) -> bool {
    match *o {
        Origin::Program { .. } => true,
        Origin::Input { file, .. } => (file as usize) < files,
        Origin::Rule { handler, event } => plan
            .handlers
            .get(handler as usize)
            .is_some_and(|h| event < rows(h.trigger)),
        Origin::Merged { merge, .. } => (merge as usize) < merges,
    }
}

fn read(db: &mut Db, plan: &Plan) -> Result<Contents, DbError> {
    let Some(state) = db.state.clone() else {
        return Err(DbError::Empty {
            dir: db.dir.clone(),
        });
    };
    check_shape(db, &state, plan)?;
    load_symbols(db, &state)?;
    let mut cats = Vec::with_capacity(plan.categories.len());
    for (ci, category) in plan.categories.iter().enumerate() {
        let types = category.types();
        let arity = types.len();
        let name = &category.name;
        let mut c = CatContents {
            arity,
            ..CatContents::default()
        };
        let blocks = read_blocks(db, keys::FACTS, ci, arity, true, state.rows[ci], name)?;
        c.words.reserve(state.rows[ci] as usize * arity);
        for d in blocks {
            process_words(db, &types, &d.rows, &mut c.words, name)?;
            c.origins.extend(d.origins);
        }
        c.live = c.rows();
        if category.key.is_some() {
            // The keep rule decides which rows stand: replay them.
            let mut rel = Relation::new(category);
            rel.load_rows(c.words.clone().into(), c.rows())
                .map_err(|row| db.corrupt(format!("row {row} of `{name}` does not replay")))?;
            c.dead = rel.dead_bits().to_vec();
            c.live = rel.live_len();
        }
        let given = read_blocks(db, keys::GIVEN, ci, arity, true, state.given[ci], name)?;
        for d in given {
            process_words(db, &types, &d.rows, &mut c.given, name)?;
            c.given_origins.extend(d.origins);
        }
        cats.push(c);
    }
    let contents = Contents {
        cats,
        files: state.files.iter().map(Into::into).collect(),
        stats: state.stats.clone(),
        merges: db.merges.len(),
    };
    check_origins(db, plan, &contents)?;
    Ok(contents)
}

/// Stable words to this process's words, appended to `out`.
fn process_words(
    db: &Db,
    types: &[Type],
    stable: &[u64],
    out: &mut Vec<Word>,
    name: &str,
) -> Result<(), DbError> {
    if types.is_empty() {
        return Ok(());
    }
    for row in stable.chunks_exact(types.len()) {
        for (ty, &s) in types.iter().zip(row) {
            let w = db.symbols.word_for_stable(ty, s).ok_or_else(|| {
                db.corrupt(format!("`{name}` refers to a missing string or list"))
            })?;
            out.push(w);
        }
    }
    Ok(())
}

/// Every origin must name a handler, event row, input file or merge that
/// exists.
fn check_origins(db: &Db, plan: &Plan, c: &Contents) -> Result<(), DbError> {
    let rows = |cat: CatId| c.cats[cat.index()].rows() as u32;
    let ok = |o: &Origin| valid(plan, o, c.files.len(), c.merges, rows);
    for (cat, cc) in plan.categories.iter().zip(&c.cats) {
        if !cc.origins.iter().chain(&cc.given_origins).all(ok) {
            return Err(db.corrupt(format!(
                "the provenance of `{}` refers to a rule, row, file or merge that does not exist",
                cat.name
            )));
        }
    }
    Ok(())
}
