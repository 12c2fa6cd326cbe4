//! Running a handler's ops over a frame.
//!
//! Control flow is a small [`Flow`] value rather than unwinding: `Drop`
//! ends the current friend combination (the innermost join moves to its
//! next row), `End` ends the event. A `Fault` ends the combination it
//! happened in and discards what that combination found: it is recorded
//! and turned into `Drop` where the combination began (a join row, or the
//! search), so other combinations of the same event keep their finds.
//! Aborting only the combination keeps results independent of arrival
//! order: another event could have met the same good combination.
//!
//! A [`Mode`] sees every friend row a combination joins and may keep a
//! combination from its search: a run uses [`Plain`], which does nothing
//! and compiles away; a merge uses its side tracker
//! ([`crate::merge`]), which lets only mixed combinations search; `foldc
//! explain` ([`crate::explain`]) notes the friends of the combination that
//! found the fact it explains.

use crate::eval::event::outcome_of;
use crate::eval::{EventOutcome, Frame, Outcome};
use crate::plan::builtin::Fault;
use crate::plan::{AggKind, Bind, CatId, Handler, Key, Op, Source, Stage};
use crate::store::{Relation, Store};
use crate::value::exact_sum::exact_sum;
use crate::value::intern;
use crate::value::{self, from_float, from_int, to_bool, to_float, to_int, Type, Word};

pub(super) enum Flow {
    Next,
    Drop,
    End,
    Fault(Fault),
}

/// Evaluate or leave with the fault as the op's flow.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(f) => return Flow::Fault(f),
        }
    };
}

/// What evaluation does besides evaluating, at each friend row a
/// combination joins and at each search.
pub(crate) trait Mode {
    /// What [`Mode::leave`] needs to undo [`Mode::enter`].
    type Token: Copy;
    /// Row `row` of `cat` joins the combination (its fields are bound).
    fn enter(&mut self, cat: CatId, row: u32) -> Self::Token;
    /// The row leaves the combination again.
    fn leave(&mut self, token: Self::Token);
    /// Whether the combination as it stands runs its search.
    fn may_search(&self) -> bool;
    /// The combination as it stands found `fact` of `cat`, written to the
    /// output at `at` (a later fault in the combination may take it back).
    #[inline(always)]
    fn found(&mut self, _cat: CatId, _fact: &[Word], _at: usize) {}
    /// Whether superseded rows join too (an explanation looking into the
    /// database's history); a run only ever joins current facts.
    #[inline(always)]
    fn history(&self) -> bool {
        false
    }
    /// An existence check (the plan's `exists`) runs the first matching
    /// row of each class this tells apart and skips the rest: rows of one
    /// class would run its body alike. A run has one class (the first row
    /// will do); a merge, whose [`Mode::may_search`] depends on which side
    /// each joined row comes from, one class per side.
    #[inline(always)]
    fn exists_class(&self, _cat: CatId, _row: u32) -> u32 {
        0
    }
    /// How many classes [`Mode::exists_class`] hands out (at most 32):
    /// once a row of each has run, the check is done.
    #[inline(always)]
    fn exists_classes(&self) -> u32 {
        1
    }
}

/// A mode borrowed (a merge keeps its tracker's counts after the event).
impl<M: Mode> Mode for &mut M {
    type Token = M::Token;
    #[inline]
    fn enter(&mut self, cat: CatId, row: u32) -> M::Token {
        (**self).enter(cat, row)
    }
    #[inline]
    fn leave(&mut self, token: M::Token) {
        (**self).leave(token)
    }
    #[inline]
    fn may_search(&self) -> bool {
        (**self).may_search()
    }
    #[inline]
    fn found(&mut self, cat: CatId, fact: &[Word], at: usize) {
        (**self).found(cat, fact, at)
    }
    #[inline]
    fn history(&self) -> bool {
        (**self).history()
    }
    #[inline]
    fn exists_class(&self, cat: CatId, row: u32) -> u32 {
        (**self).exists_class(cat, row)
    }
    #[inline]
    fn exists_classes(&self) -> u32 {
        (**self).exists_classes()
    }
}

/// The state of one existence check over a join's rows: the classes
/// (bits) of the rows that have run.
struct Exists {
    on: bool,
    tried: u32,
    all: u32,
}

impl Exists {
    fn new(on: bool, classes: u32) -> Exists {
        let all = match classes {
            0 | 1 => 1,
            n if n >= 32 => u32::MAX,
            n => (1u32 << n) - 1,
        };
        Exists { on, tried: 0, all }
    }

    /// Every class has had its row: the rest would change nothing.
    #[inline]
    fn done(&self) -> bool {
        self.on && self.tried & self.all == self.all
    }
}

/// An ordinary run: every combination searches.
pub(crate) struct Plain;

impl Mode for Plain {
    type Token = ();
    #[inline(always)]
    fn enter(&mut self, _: CatId, _: u32) {}
    #[inline(always)]
    fn leave(&mut self, _: ()) {}
    #[inline(always)]
    fn may_search(&self) -> bool {
        true
    }
}

/// Run one event of `h` on the interpreter in `mode` (never native code:
/// only the interpreter sees a mode). See [`super::run`].
pub(crate) fn run<M: Mode>(
    h: &Handler,
    store: &Store,
    tuple: &[Word],
    frame: &mut Frame,
    out: &mut Vec<Word>,
    mode: M,
) -> EventOutcome {
    frame.fit(h);
    let start = out.len();
    let mut ex = Exec::with_mode(store, frame, out, mode);
    let flow = match ex.bind_event(&h.bind, tuple) {
        Ok(true) => ex.ops(&h.body),
        Ok(false) => Flow::End,
        Err(f) => Flow::Fault(f),
    };
    // A fault outside every join ends the event's only combination.
    ex.absorb(flow, start, 0);
    let outcome = ex.outcome();
    let loaded_friends = if h.joins {
        ex.loaded
    } else {
        ex.passed_data && ex.first_fault.is_none()
    };
    EventOutcome {
        outcome,
        loaded_friends,
        found: ex.facts,
        faulted: ex.faulted,
        fault: ex.first_fault,
    }
}

pub(super) struct Exec<'a, M: Mode = Plain> {
    store: &'a Store,
    mode: M,
    pub(super) slots: &'a mut [Word],
    scratch: &'a mut [Word],
    caches: &'a mut [u32],
    pub(super) text: &'a mut String,
    pub(super) list: &'a mut Vec<Word>,
    out: &'a mut Vec<Word>,
    pub(super) facts: u32,
    pub(super) passed_data: bool,
    /// Some search ran to its end without a fault.
    searched: bool,
    categorical: bool,
    pub(super) loaded: bool,
    /// Combinations dropped by a fault, and the first fault.
    pub(super) faulted: u32,
    pub(super) first_fault: Option<Fault>,
}

impl<'a> Exec<'a, Plain> {
    pub(super) fn new(store: &'a Store, frame: &'a mut Frame, out: &'a mut Vec<Word>) -> Self {
        Exec::with_mode(store, frame, out, Plain)
    }
}

impl<'a, M: Mode> Exec<'a, M> {
    pub(super) fn with_mode(
        store: &'a Store,
        frame: &'a mut Frame,
        out: &'a mut Vec<Word>,
        mode: M,
    ) -> Self {
        Exec {
            store,
            mode,
            slots: &mut frame.slots,
            scratch: &mut frame.scratch,
            caches: &mut frame.caches,
            text: &mut frame.text,
            list: &mut frame.list,
            out,
            facts: 0,
            passed_data: false,
            searched: false,
            categorical: false,
            loaded: false,
            faulted: 0,
            first_fault: None,
        }
    }

    /// Record a fault that ended a combination; the combination's finds
    /// (everything past `mark`) are discarded.
    #[inline]
    pub(super) fn absorb(&mut self, flow: Flow, mark: usize, facts: u32) -> Flow {
        match flow {
            Flow::Fault(f) => {
                self.faulted += 1;
                self.first_fault.get_or_insert(f);
                self.out.truncate(mark);
                self.facts = facts;
                Flow::Drop
            }
            other => other,
        }
    }

    /// The event's outcome: a fault only when no search completed.
    pub(super) fn outcome(&self) -> Outcome {
        outcome_of(
            self.searched,
            self.first_fault,
            self.categorical,
            self.passed_data,
        )
    }

    /// Bind the event tuple; `false` when it does not match the atom.
    pub(super) fn bind_event(&mut self, bind: &[Bind], tuple: &[Word]) -> Result<bool, Fault> {
        for (b, &w) in bind.iter().zip(tuple) {
            match b {
                Bind::Ignore => {}
                Bind::Store(s) => self.slots[s.index()] = w,
                Bind::Check(e) => {
                    if self.eval(e)? != w {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }

    /// Bind a friend row's other fields; `false` when it does not match.
    #[inline]
    fn bind_row(&mut self, bind: &[(usize, Bind)], row: &[Word]) -> Result<bool, Fault> {
        for (f, b) in bind {
            match b {
                Bind::Ignore => {}
                Bind::Store(s) => self.slots[s.index()] = row[*f],
                Bind::Check(e) => {
                    if self.eval(e)? != row[*f] {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }

    pub(super) fn ops(&mut self, ops: &[Op]) -> Flow {
        for op in ops {
            match self.op(op) {
                Flow::Next => {}
                other => return other,
            }
        }
        Flow::Next
    }

    /// The rows a source selects (dead rows included: callers skip them).
    #[inline]
    fn rows(&mut self, rel: &'a Relation, key: &Key) -> Result<Option<&'a [u32]>, Fault> {
        if let Some(cache) = key.cached {
            let index = rel.index_by(key.index);
            return Ok(Some(index.group(self.caches[cache as usize])));
        }
        let (at, n) = (key.at as usize, key.exprs.len());
        for (i, e) in key.exprs.iter().enumerate() {
            let w = self.eval(e)?;
            self.scratch[at + i] = w;
        }
        Ok(rel.lookup(key.index, &self.scratch[at..at + n]))
    }

    fn op(&mut self, op: &Op) -> Flow {
        match op {
            Op::Categorical { cat, key, cache } => {
                let rel = self.store.relation(*cat);
                let (at, n) = (key.at as usize, key.exprs.len());
                for (i, e) in key.exprs.iter().enumerate() {
                    let w = tri!(self.eval(e));
                    self.scratch[at + i] = w;
                }
                if self.mode.history() {
                    // Superseded rows are in no index: the joins scan.
                    return Flow::Next;
                }
                let index = rel.index_by(key.index);
                let found = index.lookup(rel.words(), rel.arity(), &self.scratch[at..at + n]);
                match found {
                    Some(g)
                        if !rel.has_dead() || index.group(g).iter().any(|&r| !rel.is_dead(r)) =>
                    {
                        self.caches[*cache as usize] = g;
                        Flow::Next
                    }
                    _ => {
                        self.categorical = true;
                        Flow::End
                    }
                }
            }
            Op::Abort { stage, cond } => {
                if *stage == Stage::Friends {
                    self.passed_data = true;
                }
                if to_bool(tri!(self.eval(cond))) {
                    match stage {
                        Stage::Data => Flow::End,
                        Stage::Friends => Flow::Drop,
                    }
                } else {
                    Flow::Next
                }
            }
            Op::Let { slot, expr } => {
                let w = tri!(self.eval(expr));
                self.slots[slot.index()] = w;
                Flow::Next
            }
            Op::Join {
                cat,
                source,
                bind,
                body,
                exists,
            } => {
                self.passed_data = true;
                let rel = self.store.relation(*cat);
                // An existence check runs one matching (or faulting) row of
                // each class the mode tells apart: every other would run
                // the same body. It stops when every class has had one.
                let mut check = Exists::new(*exists, self.mode.exists_classes());
                match source {
                    Source::All => {
                        for r in 0..rel.len() as u32 {
                            match self.join_checked(rel, *cat, r, bind, body, &mut check) {
                                None => {}
                                Some(Flow::Next | Flow::Drop) if check.done() => break,
                                Some(Flow::Next | Flow::Drop) => {}
                                Some(other) => return other,
                            }
                        }
                    }
                    Source::Index(key) if self.mode.history() => {
                        // Superseded rows are in no index: every row with
                        // the key, current or not.
                        let cols = rel.index_by(key.index).cols();
                        let mut words = Vec::with_capacity(key.exprs.len());
                        for e in &key.exprs {
                            words.push(tri!(self.eval(e)));
                        }
                        for r in 0..rel.len() as u32 {
                            let row = rel.row(r);
                            if cols.iter().zip(&words).all(|(&c, &w)| row[c] == w) {
                                match self.join_checked(rel, *cat, r, bind, body, &mut check) {
                                    None => {}
                                    Some(Flow::Next | Flow::Drop) if check.done() => break,
                                    Some(Flow::Next | Flow::Drop) => {}
                                    Some(other) => return other,
                                }
                            }
                        }
                    }
                    Source::Index(key) => {
                        let Some(rows) = tri!(self.rows(rel, key)) else {
                            return Flow::Next;
                        };
                        for &r in rows {
                            match self.join_checked(rel, *cat, r, bind, body, &mut check) {
                                None => {}
                                Some(Flow::Next | Flow::Drop) if check.done() => break,
                                Some(Flow::Next | Flow::Drop) => {}
                                Some(other) => return other,
                            }
                        }
                    }
                }
                Flow::Next
            }
            Op::NotExists { cat, source } => {
                self.passed_data = true;
                let rel = self.store.relation(*cat);
                let exists = match source {
                    Source::All => rel.live_len() > 0,
                    Source::Index(key) => match tri!(self.rows(rel, key)) {
                        None => false,
                        Some(rows) => !rel.has_dead() || rows.iter().any(|&r| !rel.is_dead(r)),
                    },
                };
                if exists {
                    Flow::Drop
                } else {
                    Flow::Next
                }
            }
            Op::Aggregate {
                slot,
                kind,
                ty,
                cat,
                source,
                bind,
                value,
            } => {
                let rel = self.store.relation(*cat);
                let mut acc = Acc::new(*kind, ty);
                match source {
                    Source::All => {
                        for r in 0..rel.len() as u32 {
                            tri!(self.agg_row(rel, r, bind, value.as_ref(), &mut acc));
                        }
                    }
                    Source::Index(key) => {
                        if let Some(rows) = tri!(self.rows(rel, key)) {
                            for &r in rows {
                                tri!(self.agg_row(rel, r, bind, value.as_ref(), &mut acc));
                            }
                        }
                    }
                }
                match tri!(acc.result()) {
                    Some(w) => {
                        self.slots[slot.index()] = w;
                        Flow::Next
                    }
                    None => Flow::Drop,
                }
            }
            Op::Search { body } => {
                self.passed_data = true;
                if !self.mode.may_search() {
                    return Flow::Next;
                }
                let (mark, facts) = (self.out.len(), self.facts);
                let flow = self.ops(body);
                if !matches!(flow, Flow::Fault(_)) {
                    self.searched = true;
                }
                self.absorb(flow, mark, facts)
            }
            Op::If { cond, then, els } => {
                if to_bool(tri!(self.eval(cond))) {
                    self.ops(then)
                } else {
                    self.ops(els)
                }
            }
            Op::For {
                slot, list, body, ..
            } => {
                let items = intern::list_of(tri!(self.eval(list)));
                for &w in items {
                    self.slots[slot.index()] = w;
                    match self.ops(body) {
                        Flow::Next => {}
                        other => return other,
                    }
                }
                Flow::Next
            }
            Op::ForRange { slot, lo, hi, body } => {
                let lo = to_int(tri!(self.eval(lo)));
                let hi = to_int(tri!(self.eval(hi)));
                for i in lo..hi {
                    self.slots[slot.index()] = from_int(i);
                    match self.ops(body) {
                        Flow::Next => {}
                        other => return other,
                    }
                }
                Flow::Next
            }
            Op::Find { cat, args } => {
                let at = self.out.len();
                self.out.push(cat.0 as Word);
                for a in args {
                    let w = tri!(self.eval(a));
                    self.out.push(w);
                }
                self.facts += 1;
                self.mode.found(*cat, &self.out[at + 1..], at);
                Flow::Next
            }
        }
    }

    /// Join row `r` and run `body`: `None` when the row is dead or does not
    /// match, else the flow of its combination (a fault absorbed).
    #[inline]
    /// [`Self::join_row`], but in an existence check only for a row of a
    /// class no row has run for yet.
    fn join_checked(
        &mut self,
        rel: &Relation,
        cat: CatId,
        r: u32,
        bind: &[(usize, Bind)],
        body: &[Op],
        check: &mut Exists,
    ) -> Option<Flow> {
        if !check.on {
            return self.join_row(rel, cat, r, bind, body);
        }
        let bit = 1u32 << self.mode.exists_class(cat, r).min(31);
        if check.tried & bit != 0 {
            return None;
        }
        let flow = self.join_row(rel, cat, r, bind, body);
        if flow.is_some() {
            check.tried |= bit;
        }
        flow
    }

    fn join_row(
        &mut self,
        rel: &Relation,
        cat: CatId,
        r: u32,
        bind: &[(usize, Bind)],
        body: &[Op],
    ) -> Option<Flow> {
        if rel.has_dead() && rel.is_dead(r) && !self.mode.history() {
            return None;
        }
        let (mark, facts) = (self.out.len(), self.facts);
        let flow = match self.bind_row(bind, rel.row(r)) {
            Ok(false) => return None,
            Ok(true) => {
                self.loaded = true;
                let token = self.mode.enter(cat, r);
                let flow = self.ops(body);
                self.mode.leave(token);
                flow
            }
            Err(f) => Flow::Fault(f),
        };
        Some(self.absorb(flow, mark, facts))
    }

    fn agg_row(
        &mut self,
        rel: &Relation,
        r: u32,
        bind: &[(usize, Bind)],
        value: Option<&crate::plan::Expr>,
        acc: &mut Acc<'_>,
    ) -> Result<(), Fault> {
        if rel.has_dead() && rel.is_dead(r) {
            return Ok(());
        }
        if !self.bind_row(bind, rel.row(r))? {
            return Ok(());
        }
        let v = match value {
            Some(e) => self.eval(e)?,
            None => 0,
        };
        acc.add(v)
    }
}

/// An aggregate's running value. The result is a function of the multiset
/// of values alone, never of the order the rows come in (the order rows
/// were found in): an int sum is exact until the end, where only a total
/// outside `int` faults; a float sum is the exact sum rounded once
/// ([`exact_sum`]);
/// min and max compare by value (strings by bytes, lists item by item).
struct Acc<'t> {
    kind: AggKind,
    ty: &'t Type,
    count: i64,
    /// Exact int sum, or the int/float/word min or max so far.
    int: i128,
    best: Word,
    floats: Vec<f64>,
}

impl<'t> Acc<'t> {
    fn new(kind: AggKind, ty: &'t Type) -> Acc<'t> {
        Acc {
            kind,
            ty,
            count: 0,
            int: 0,
            best: 0,
            floats: Vec::new(),
        }
    }

    fn add(&mut self, v: Word) -> Result<(), Fault> {
        let first = self.count == 0;
        self.count += 1;
        match (self.kind, self.ty) {
            (AggKind::Count, _) => {}
            (AggKind::Sum, Type::Float) => self.floats.push(to_float(v)),
            (AggKind::Sum, _) => self.int += i128::from(to_int(v)),
            (AggKind::Min, ty) if first || value::compare(ty, v, self.best).is_lt() => {
                self.best = v
            }
            (AggKind::Max, ty) if first || value::compare(ty, v, self.best).is_gt() => {
                self.best = v
            }
            _ => {}
        }
        Ok(())
    }

    /// `Ok(None)` for an empty min or max (there is no value).
    fn result(&mut self) -> Result<Option<Word>, Fault> {
        Ok(match (self.kind, self.ty) {
            (AggKind::Count, _) => Some(from_int(self.count)),
            (AggKind::Sum, Type::Float) => Some(from_float(exact_sum(&self.floats))),
            (AggKind::Sum, _) => Some(from_int(
                i64::try_from(self.int).map_err(|_| Fault::Overflow)?,
            )),
            (_, _) if self.count == 0 => None,
            (_, _) => Some(self.best),
        })
    }
}
