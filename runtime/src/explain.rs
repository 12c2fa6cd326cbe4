//! Why a fact holds (`foldc explain`): each fact's provenance, with the
//! friends of a found fact found again.
//!
//! A database keeps each row's [`Origin`]: an input record, a program
//! fact, or the handler and event row that found it. The friends are not
//! stored (they would double the database); the explainer runs the
//! handler again on its event, on the reference interpreter over the
//! database's store, and notes which friend rows the combination that
//! finds the fact joined. Events are pure functions of the store, so that
//! combination is one that found the fact. When the store has changed
//! under the event since (a keyed friend was superseded by a better fact),
//! the current facts may not find it any more; the event then runs once
//! more with superseded rows joining too (facts are never deleted, so the
//! history still holds the friends), and if even that finds nothing the
//! reason says so instead of guessing.

use std::path::PathBuf;
use std::sync::Arc;

use crate::db::{Db, DbError};
use crate::eval::interp::{run_in, Mode};
use crate::eval::Frame;
use crate::exec::engine::Engine;
use crate::exec::origin::Origin;
use crate::plan::{CatId, HandlerId};
use crate::value::Word;

/// A row of a category: one fact of the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactRef {
    /// The category the fact belongs to.
    pub cat: CatId,
    /// The row id within the category's relation.
    pub row: u32,
}

/// Why a row holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Written in the program text at this 1-based line (0: inserted
    /// through the engine's API).
    Program {
        /// 1-based source line; 0: inserted through the API.
        line: u32,
    },
    /// Record of an input file starting at this 1-based line.
    Input {
        /// The input file, as it was loaded.
        file: PathBuf,
        /// 1-based line where the record starts.
        line: u64,
    },
    /// Found by `handler` on the event fact `event`; `friends` are the
    /// friend rows of the combination that found it, in join order
    /// (superseded ones only when no combination of current facts finds
    /// it), or `None` when running the event again finds it no more.
    Rule {
        /// The handler that found it.
        handler: HandlerId,
        /// The fact whose arrival ran the handler (a row of its trigger).
        event: FactRef,
        /// The friend rows of the finding combination, in join order.
        friends: Option<Vec<FactRef>>,
    },
    /// Copied by merge number `merge` of this database (its merge
    /// records, oldest first) from row `row` of the database merged in,
    /// where its provenance continues.
    Merged {
        /// Index into the database's merge records, oldest first.
        merge: u32,
        /// The row id in the same category of the database merged in.
        row: u32,
    },
}

/// Explains the facts of a restored engine from its database's records.
pub struct Explainer<'a> {
    engine: &'a Engine,
    db: &'a mut Db,
    /// Each category's origins, read when first asked for.
    origins: Vec<Option<Arc<Vec<Origin>>>>,
    files: Vec<PathBuf>,
    frame: Frame,
    out: Vec<Word>,
}

impl<'a> Explainer<'a> {
    /// `engine` holds the database's last checkpoint (see
    /// [`Db::restore`]) with its indexes caught up.
    pub fn new(engine: &'a Engine, db: &'a mut Db) -> Explainer<'a> {
        let files = db.input_files();
        Explainer {
            origins: vec![None; engine.plan().categories.len()],
            engine,
            db,
            files,
            frame: Frame::new(),
            out: Vec::new(),
        }
    }

    /// The current row holding `tuple` in `cat`: the same tuple (for a
    /// keyed category, `Err` with the current row of its key when that
    /// holds another tuple; `Ok(None)` when nothing holds the key).
    pub fn find(&self, cat: CatId, tuple: &[Word]) -> Result<Option<FactRef>, FactRef> {
        let rel = self.engine.store().relation(cat);
        match rel.current(tuple) {
            Some(row) if rel.row(row) == tuple => Ok(Some(FactRef { cat, row })),
            Some(row) => Err(FactRef { cat, row }),
            None => Ok(None),
        }
    }

    /// The fields of a row.
    pub fn tuple(&self, fact: FactRef) -> &[Word] {
        self.engine.store().relation(fact.cat).row(fact.row)
    }

    /// Why `fact` holds.
    pub fn reason(&mut self, fact: FactRef) -> Result<Reason, DbError> {
        let origin = self.origin(fact)?;
        Ok(match origin {
            Origin::Program { line } => Reason::Program { line },
            Origin::Input { file, line } => Reason::Input {
                file: self.files[file as usize].clone(),
                line,
            },
            Origin::Merged { merge, row } => Reason::Merged { merge, row },
            Origin::Rule { handler, event } => {
                let handler = HandlerId(handler);
                let event = FactRef {
                    cat: self.engine.plan().handlers[handler.0 as usize].trigger,
                    row: event,
                };
                let friends = self.friends(handler, event, fact);
                Reason::Rule {
                    handler,
                    event,
                    friends,
                }
            }
        })
    }

    fn origin(&mut self, fact: FactRef) -> Result<Origin, DbError> {
        let ci = fact.cat.index();
        if self.origins[ci].is_none() {
            let read = self.db.origins(self.engine.plan(), fact.cat)?;
            self.origins[ci] = Some(read);
        }
        let origins = self.origins[ci].as_ref().map_or(&[][..], |o| o.as_slice());
        origins.get(fact.row as usize).copied().ok_or_else(|| {
            self.db.corrupt(format!(
                "`{}` has no provenance for row {}",
                self.engine.plan().category(fact.cat).name,
                fact.row
            ))
        })
    }

    /// Whether a row was superseded by a better fact of its key.
    pub fn is_superseded(&self, fact: FactRef) -> bool {
        self.engine.store().relation(fact.cat).is_dead(fact.row)
    }

    /// Run `handler` on `event` again and return the friends of a
    /// combination that finds `fact` (and keeps it: no fault took it back):
    /// among current facts, else in the whole history.
    fn friends(
        &mut self,
        handler: HandlerId,
        event: FactRef,
        fact: FactRef,
    ) -> Option<Vec<FactRef>> {
        self.rerun(handler, event, fact, false)
            .or_else(|| self.rerun(handler, event, fact, true))
    }

    fn rerun(
        &mut self,
        handler: HandlerId,
        event: FactRef,
        fact: FactRef,
        history: bool,
    ) -> Option<Vec<FactRef>> {
        let store = self.engine.store();
        let h = self.engine.plan().handler(handler);
        let target = self.engine.store().relation(fact.cat).row(fact.row);
        let mut recorder = Recorder {
            target: (fact.cat, target),
            history,
            joined: Vec::new(),
            hits: Vec::new(),
        };
        self.out.clear();
        let tuple = store.relation(event.cat).row(event.row);
        run_in(
            h,
            store,
            tuple,
            &mut self.frame,
            &mut self.out,
            &mut recorder,
        );
        let out = &self.out;
        // A fault takes back what its combination found, and a later one
        // may write the same fact at the same place: the last find still
        // in the output is one that stayed.
        recorder
            .hits
            .into_iter()
            .rev()
            .find(|(at, _)| {
                out.get(*at) == Some(&(fact.cat.0 as Word))
                    && out.get(at + 1..at + 1 + target.len()) == Some(target)
            })
            .map(|(_, friends)| friends)
    }
}

/// Notes the friend rows of every combination that finds the target.
struct Recorder<'t> {
    target: (CatId, &'t [Word]),
    /// Whether superseded rows join too.
    history: bool,
    /// The rows of the combination being evaluated, in join order.
    joined: Vec<FactRef>,
    /// Where in the output each find of the target went, and its friends.
    hits: Vec<(usize, Vec<FactRef>)>,
}

impl Mode for Recorder<'_> {
    type Token = ();

    fn enter(&mut self, cat: CatId, row: u32) {
        self.joined.push(FactRef { cat, row });
    }

    fn leave(&mut self, _: ()) {
        self.joined.pop();
    }

    fn may_search(&self) -> bool {
        true
    }

    fn found(&mut self, cat: CatId, fact: &[Word], at: usize) {
        if cat == self.target.0 && fact == self.target.1 {
            self.hits.push((at, self.joined.clone()));
        }
    }

    fn history(&self) -> bool {
        self.history
    }
}
