//! Where a fact came from: its provenance, kept per row by a database
//! and followed back by `foldc explain`.

/// Where a fact came from: its provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Written in the program text at this 1-based line (0: inserted
    /// through [`crate::Engine::insert`]).
    Program { line: u32 },
    /// Record of input file `file` (an index into
    /// [`crate::Engine::input_files`]) starting at this 1-based line.
    Input { file: u32, line: u64 },
    /// Found by handler `handler` (which gives the rule and the trigger
    /// position) running the event fact at row `event` of the handler's
    /// trigger category. The friends are found again by re-running the
    /// handler on that event.
    Rule { handler: u32, event: u32 },
    /// Copied by a merge (`foldc merge`, see [`crate::merge`]) from row
    /// `row` of the database merged in by merge number `merge` of this
    /// database (its merge records, in order), where the fact's own
    /// provenance continues. Only facts whose origin does not map onto
    /// this database's rows get it: a fact found there on an event fact
    /// that is not current here.
    Merged { merge: u32, row: u32 },
}
