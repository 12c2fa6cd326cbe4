//! A category's rows by row id, for a reader that keeps copies of its own
//! (the HTTP service publishes them to readers while the engine runs on).
//!
//! Row ids are given in insertion order, superseded rows keep theirs, and
//! a database restored from its checkpoints replays the rows under the
//! same ids: `0..row_count` is a log of a category that a reader can
//! follow by offset across restarts. Only a recomputed stratum (see
//! [`crate::exec::invalidate`]) renumbers its categories.

use super::engine::Engine;
use crate::plan::CatId;
use crate::value::Word;

impl Engine {
    /// Rows `cat` ever held, superseded ones included: the next row id.
    pub fn row_count(&self, cat: CatId) -> usize {
        self.store().relation(cat).len()
    }

    /// The words of rows `from..` of `cat` (`arity` per row, in row-id
    /// order); empty when `from` is past the end.
    pub fn rows_from(&self, cat: CatId, from: usize) -> &[Word] {
        let rel = self.store().relation(cat);
        let words = rel.words();
        let end = (rel.len() * rel.arity()).min(words.len());
        let start = from.saturating_mul(rel.arity()).min(end);
        &words[start..end]
    }

    /// Which rows of `cat` were superseded: bit `r % 64` of word `r / 64`
    /// is set for row `r`; rows past the end are current.
    pub fn superseded_bits(&self, cat: CatId) -> &[u64] {
        self.store().relation(cat).dead_bits()
    }
}
