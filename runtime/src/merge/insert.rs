//! Copying the other database's facts into the merged store, with their
//! sides and their provenance.
//!
//! A category's current facts go in together, in the other database's
//! row order, through the category's own identity (and keep) rule: a fact
//! the base holds is marked *both*; a new one, or one that beats the
//! base's fact for its key, is appended (*other only*); one that loses
//! against the base's fact for its key is *lost*. The keep rule decides
//! the same winner whichever database is the base, so merge order never
//! matters. Superseded rows of the other database (its history) are not
//! copied: they are not facts of either database any more.
//!
//! Provenance is remapped onto the merged store: input files into its
//! file table, and the event row of a found fact to the merged store's row
//! of that event fact. An event fact that is not a current fact here (it
//! was superseded, or lost) has no row to point at; then the fact's
//! origin names the row it came from in the other database
//! ([`Origin::Merged`]), where its provenance continues.

use crate::db::Contents;
use crate::exec::observe::{Observer, Origin};
use crate::plan::{CatId, Plan};
use crate::store::Store;

use super::sides::Sides;

/// No row in the merged store.
const NONE: u32 = u32::MAX;

/// Copies the other database's facts, category by category.
pub(super) struct Inserter<'m> {
    plan: &'m Plan,
    other: &'m Contents,
    /// The other database's input file ids to the merged store's.
    files: Vec<u32>,
    /// This merge's number among the merged database's merge records.
    merge: u32,
    /// Per category: the merged store's row of each row of the other
    /// database ([`NONE`] when it has none); empty until copied.
    rows: Vec<Vec<u32>>,
}

impl<'m> Inserter<'m> {
    pub(super) fn new(plan: &'m Plan, other: &'m Contents, files: Vec<u32>, merge: u32) -> Self {
        Inserter {
            plan,
            other,
            files,
            merge,
            rows: vec![Vec::new(); plan.categories.len()],
        }
    }

    /// The origin of the other database's row `row`, on the merged store.
    pub(super) fn origin(&self, o: Origin, row: u32) -> Origin {
        let merged = Origin::Merged {
            merge: self.merge,
            row,
        };
        match o {
            Origin::Program { .. } => o,
            Origin::Input { file, line } => Origin::Input {
                file: self.files[file as usize],
                line,
            },
            Origin::Rule { handler, event } => {
                let trigger = self.plan.handlers[handler as usize].trigger;
                match self.rows[trigger.index()].get(event as usize) {
                    Some(&e) if e != NONE => Origin::Rule { handler, event: e },
                    _ => merged,
                }
            }
            Origin::Merged { .. } => merged,
        }
    }

    /// The origin of a given fact of the other database (an input row or
    /// a program fact).
    pub(super) fn given_origin(&self, o: Origin) -> Origin {
        match o {
            Origin::Input { file, line } => Origin::Input {
                file: self.files[file as usize],
                line,
            },
            other => other,
        }
    }

    /// Copy the other database's current facts of `cats` into `store`,
    /// reporting appended rows to `obs`. All of `cats` are classified
    /// before any is appended, so a fact found on an event of another of
    /// them maps its event row (the appended rows' ids are known ahead:
    /// they are handed out in order).
    pub(super) fn insert<O: Observer>(
        &mut self,
        store: &mut Store,
        sides: &mut Sides,
        cats: &[CatId],
        obs: &mut O,
    ) -> Result<(), String> {
        let mut appends: Vec<Vec<u32>> = Vec::with_capacity(cats.len());
        for &cat in cats {
            appends.push(self.classify(store, sides, cat));
        }
        for (&cat, appended) in cats.iter().zip(&appends) {
            let theirs = &self.other.cats[cat.index()];
            if !store.relation(cat).is_keyed() {
                self.append(store, cat, appended, obs)?;
                let c = sides.cat_mut(cat);
                c.other_end = store.relation(cat).len() as u32;
                c.inserted = true;
                continue;
            }
            for &r in appended {
                let (r, want) = (r as usize, self.rows[cat.index()][r as usize]);
                let origin = self.origin(theirs.origins[r], r as u32);
                let rel = store.relation_mut(cat);
                match rel.insert(theirs.row(r)).row() {
                    Some(row) if row == want => obs.inserted(cat, row, origin),
                    got => {
                        return Err(format!(
                            "internal error: merging `{}`, row {r} of the other database went \
                             to {got:?}, not row {want}",
                            rel.name()
                        ))
                    }
                }
            }
            let c = sides.cat_mut(cat);
            c.other_end = store.relation(cat).len() as u32;
            c.inserted = true;
        }
        Ok(())
    }

    /// Add the other database's given facts of `cats` (input rows and
    /// program facts) as ordinary new facts: a stratum whose base facts
    /// are kept (see [`super::policy`]) takes only those.
    /// Append the other database's rows `appended` of an unkeyed category
    /// (those [`Inserter::classify`] found absent), in one go.
    fn append<O: Observer>(
        &self,
        store: &mut Store,
        cat: CatId,
        appended: &[u32],
        obs: &mut O,
    ) -> Result<(), String> {
        let theirs = &self.other.cats[cat.index()];
        let map = &self.rows[cat.index()];
        let rel = store.relation_mut(cat);
        let first = rel
            .append_absent(appended.len(), |i| theirs.row(appended[i] as usize))
            .map_err(|row| {
                format!(
                    "internal error: merging `{}`, row {row} was found present after all",
                    rel.name()
                )
            })?;
        for (i, &r) in appended.iter().enumerate() {
            let want = map[r as usize];
            if first + i as u32 != want {
                return Err(format!(
                    "internal error: merging `{}`, row {r} of the other database went to row {}, \
                     not row {want}",
                    rel.name(),
                    first + i as u32
                ));
            }
            obs.inserted(cat, want, self.origin(theirs.origins[r as usize], r));
        }
        Ok(())
    }

    pub(super) fn insert_given<O: Observer>(&self, store: &mut Store, cats: &[CatId], obs: &mut O) {
        for &cat in cats {
            let rel = store.relation_mut(cat);
            for (tuple, origin) in self.other.cats[cat.index()].given() {
                if let Some(row) = rel.insert(tuple).row() {
                    obs.inserted(cat, row, self.given_origin(origin));
                }
            }
        }
    }

    /// Decide what becomes of each row of the other database's `cat`: mark
    /// the base rows it also holds, record the row map, and return the
    /// rows to append, in order (the map gives where each goes). The rest
    /// are not copied: superseded there, lost here, or held by the base.
    fn classify(&mut self, store: &Store, sides: &mut Sides, cat: CatId) -> Vec<u32> {
        let theirs = &self.other.cats[cat.index()];
        let rel = store.relation(cat);
        let mut next = rel.len() as u32;
        let mut map = vec![NONE; theirs.rows()];
        let mut appended = Vec::new();
        sides.cat_mut(cat).other_live = theirs.live;
        // The lookups read only the store: all at once in table order (each
        // alone a likely cache miss in a table of millions), then the
        // sides serially.
        let current = rel.current_many(theirs.rows(), |r| {
            (!theirs.is_dead(r)).then(|| theirs.row(r))
        });
        for r in 0..theirs.rows() {
            if theirs.is_dead(r) {
                continue;
            }
            let tuple = theirs.row(r);
            let append = match current[r] {
                None => true,
                Some(cur) if rel.row(cur) == tuple => {
                    sides.set_both(cat, cur);
                    map[r] = cur;
                    false
                }
                Some(cur) => rel.better(tuple, rel.row(cur)),
            };
            let c = sides.cat_mut(cat);
            if append {
                appended.push(r as u32);
                map[r] = next;
                next += 1;
                c.other_only += 1;
            } else if map[r] == NONE {
                c.lost += 1;
            }
        }
        self.rows[cat.index()] = map;
        appended
    }
}
