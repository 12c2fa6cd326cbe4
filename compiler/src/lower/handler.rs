//! One rule into handlers: one [`RuleIr`] becomes one [`Handler`] per positive atom.
//!
//! For the handler of atom `p`, the event fact binds atom `p`'s variables;
//! the other atoms become friends, joined in a greedy order (the atom with
//! the most bound columns next, ties in source order) so every join is an
//! index lookup where possible. Checks and bindings of the rule's sequence
//! are placed at the earliest point their variables allow, except that no
//! item moves ahead of an earlier item that can fault: a check written
//! before a division still guards it. Before anything is loaded, the
//! handler checks each friend's index for the data's join key (abort
//! categorically).

use fold_runtime::plan::slots;
use fold_runtime::plan::{
    AggKind, BinOp, Bind, CatId, Category, CmpOp, Expr, Handler, Key, Op, Priority, RuleId, Slot,
    Source, Stage,
};
use fold_runtime::value::Type;

use crate::check::rule_ir::{can_fault, ArgIr, AtomIr, RuleIr, SeqItem};
use crate::check::typeck::slots_of;
use fold_runtime::plan::typing::expr_type;

/// Build every handler of a rule, one per positive atom, in atom order.
pub fn handlers(rule: &RuleIr, id: RuleId, categories: &[Category]) -> Vec<Handler> {
    (0..rule.atoms.len())
        .map(|p| HandlerLowering::new(rule, categories).lower(id, p))
        .collect()
}

/// A step of a handler before nesting: joins nest everything after them.
enum Step {
    Op(Op),
    Join {
        cat: CatId,
        cols: Vec<usize>,
        key: Vec<Expr>,
        bind: Vec<(usize, Bind)>,
    },
}

struct HandlerLowering<'r> {
    rule: &'r RuleIr,
    categories: &'r [Category],
    bound: Vec<bool>,
    slot_types: Vec<Type>,
    slot_names: Vec<String>,
    steps: Vec<Step>,
    placed: Vec<bool>,
    /// Equalities for atom arguments that were expressions of variables
    /// not yet bound when the atom was matched: `(temp slot, expr)`.
    pending_eq: Vec<(Slot, Expr)>,
    joined_any: bool,
}

impl<'r> HandlerLowering<'r> {
    fn new(rule: &'r RuleIr, categories: &'r [Category]) -> Self {
        HandlerLowering {
            rule,
            categories,
            bound: vec![false; rule.vars.len()],
            slot_types: rule.vars.iter().map(|v| v.ty.clone()).collect(),
            slot_names: rule.vars.iter().map(|v| v.name.clone()).collect(),
            steps: Vec::new(),
            placed: vec![false; rule.seq.len()],
            pending_eq: Vec::new(),
            joined_any: false,
        }
    }

    fn lower(mut self, rule_id: RuleId, p: usize) -> Handler {
        let event = &self.rule.atoms[p];
        let bind = self
            .match_fields(event, &[])
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        self.categorical_checks(p);
        self.place_ready();
        let mut remaining: Vec<usize> = (0..self.rule.atoms.len()).filter(|&q| q != p).collect();
        while !remaining.is_empty() {
            let next = self.pick_next(&remaining);
            remaining.retain(|&q| q != next);
            self.join(next);
            self.place_ready();
        }
        // Everything is bound now; what is left was blocked behind a
        // faulting item and goes in order.
        for i in 0..self.rule.seq.len() {
            if !self.placed[i] {
                self.place(i);
            }
        }
        self.flush_pending_eq(true);
        let search = Op::Search {
            body: self.rule.search.clone(),
        };
        self.steps.push(Step::Op(search));
        let body = nest(std::mem::take(&mut self.steps));
        let priority = match p {
            0 => self.rule.priority.clone().map(|expr| {
                let float = expr_type(&self.slot_types, &expr) == Some(Type::Float);
                Priority { expr, float }
            }),
            _ => None,
        };
        Handler {
            rule: rule_id,
            position: p as u32,
            trigger: event.cat,
            slots: self.slot_types.len() as u32,
            slot_types: self.slot_types,
            slot_names: self.slot_names,
            bind,
            priority,
            body,
            // Fixed for the whole plan by `physical::place`.
            scratch: 0,
            cache_slots: 0,
            joins: false,
            reads: Vec::new(),
        }
    }

    fn is_bound(&self, e: &Expr) -> bool {
        let mut slots = Vec::new();
        slots_of(e, &mut slots);
        slots
            .iter()
            .all(|s| self.bound.get(s.index()).copied().unwrap_or(false))
    }

    /// How each field of `atom` binds, given what is bound now, skipping
    /// the `key` columns. Variables bind on first occurrence (in column
    /// order), later occurrences are checks.
    fn match_fields(&mut self, atom: &AtomIr, key_cols: &[usize]) -> Vec<(usize, Bind)> {
        let mut out = Vec::with_capacity(atom.args.len());
        // Variables first, so an expression argument can use a variable
        // bound by a later column of the same atom.
        for (col, arg) in atom.args.iter().enumerate() {
            if key_cols.contains(&col) {
                continue;
            }
            let b = match arg {
                ArgIr::Wild => Bind::Ignore,
                ArgIr::Var(s) if !self.bound[s.index()] => {
                    self.bound[s.index()] = true;
                    Bind::Store(*s)
                }
                ArgIr::Var(s) => Bind::Check(Expr::Slot(*s)),
                ArgIr::Expr(_) => continue,
            };
            out.push((col, b));
        }
        for (col, arg) in atom.args.iter().enumerate() {
            let ArgIr::Expr(e) = arg else { continue };
            if key_cols.contains(&col) {
                continue;
            }
            let b = if self.is_bound(e) {
                Bind::Check(e.clone())
            } else {
                let ty = self.slot_types_of(atom.cat, col);
                let t = self.temp(ty);
                self.pending_eq.push((t, e.clone()));
                Bind::Store(t)
            };
            out.push((col, b));
        }
        out.sort_by_key(|(col, _)| *col);
        out
    }

    fn slot_types_of(&self, cat: CatId, col: usize) -> Type {
        self.categories[cat.index()].fields[col].ty.clone()
    }

    fn temp(&mut self, ty: Type) -> Slot {
        let slot = Slot(self.slot_types.len() as u32);
        self.slot_names.push(format!("${}", slot.0));
        self.slot_types.push(ty);
        self.bound.push(true);
        slot
    }

    /// The columns of `atom` whose values are known now, with their keys.
    fn key_of(&self, atom: &AtomIr) -> (Vec<usize>, Vec<Expr>) {
        let mut cols = Vec::new();
        let mut key = Vec::new();
        for (col, arg) in atom.args.iter().enumerate() {
            match arg {
                ArgIr::Var(s) if self.bound[s.index()] => {
                    cols.push(col);
                    key.push(Expr::Slot(*s));
                }
                ArgIr::Expr(e) if self.is_bound(e) => {
                    cols.push(col);
                    key.push(e.clone());
                }
                _ => {}
            }
        }
        (cols, key)
    }

    fn categorical_checks(&mut self, p: usize) {
        for (q, atom) in self.rule.atoms.iter().enumerate() {
            if q == p {
                continue;
            }
            let (cols, key) = self.key_of(atom);
            // Only keys known from the data alone: a check cannot wait for
            // a `let` or it would no longer come before everything else.
            if cols.is_empty() || key.iter().any(can_fault) {
                continue;
            }
            self.steps.push(Step::Op(Op::Categorical {
                cat: atom.cat,
                key: Key::unplaced(cols, key),
                cache: 0,
            }));
        }
    }

    fn pick_next(&self, remaining: &[usize]) -> usize {
        let mut best = remaining[0];
        let mut best_score = None;
        for &q in remaining {
            let (cols, _) = self.key_of(&self.rule.atoms[q]);
            let score = cols.len();
            if best_score.is_none_or(|s| score > s) {
                best = q;
                best_score = Some(score);
            }
        }
        best
    }

    fn join(&mut self, q: usize) {
        let atom = &self.rule.atoms[q];
        let (cols, key) = self.key_of(atom);
        let bind = self.match_fields(atom, &cols);
        self.steps.push(Step::Join {
            cat: atom.cat,
            cols,
            key,
            bind,
        });
        self.joined_any = true;
        self.flush_pending_eq(false);
    }

    fn stage(&self) -> Stage {
        if self.joined_any {
            Stage::Friends
        } else {
            Stage::Data
        }
    }

    /// Emit the equalities of expression arguments whose variables are bound.
    fn flush_pending_eq(&mut self, all: bool) {
        let pending = std::mem::take(&mut self.pending_eq);
        for (t, e) in pending {
            if all || self.is_bound(&e) {
                let ty = self.slot_types[t.index()].clone();
                let cond = Expr::Binary(
                    BinOp::Cmp(CmpOp::Ne, ty),
                    Box::new(Expr::Slot(t)),
                    Box::new(e),
                );
                let stage = self.stage();
                self.steps.push(Step::Op(Op::Abort { stage, cond }));
            } else {
                self.pending_eq.push((t, e));
            }
        }
    }

    fn place_ready(&mut self) {
        self.flush_pending_eq(false);
        let mut fault_barrier = false;
        for i in 0..self.rule.seq.len() {
            if self.placed[i] {
                continue;
            }
            let item = &self.rule.seq[i];
            let ready = item.needs().iter().all(|s| self.bound[s.index()]);
            // A faulting item waits for every earlier item; nothing passes
            // an unplaced faulting item.
            let may_place = ready
                && !fault_barrier
                && (!item.can_fault() || self.placed[..i].iter().all(|&p| p));
            if may_place {
                self.place(i);
            } else if item.can_fault() {
                fault_barrier = true;
            }
        }
    }

    fn place(&mut self, i: usize) {
        self.placed[i] = true;
        let stage = self.stage();
        let mut item = self.rule.seq[i].clone();
        // In the handler of an atom that binds a `let`'s or aggregate's
        // variable (or after a join that does), the item no longer binds
        // it: its value must equal the one already bound, or the handler
        // would find facts with a value the rule never gave the variable.
        let already = item.binds().filter(|s| self.bound[s.index()]);
        if let Some(bound) = already {
            let ty = self.slot_types[bound.index()].clone();
            let computed = match &mut item {
                SeqItem::Aggregate { slot, .. } => {
                    let t = self.temp(ty.clone());
                    *slot = t;
                    Expr::Slot(t)
                }
                SeqItem::Let { expr, .. } => expr.clone(),
                // Only lets and aggregates bind a variable.
                SeqItem::Abort { .. } | SeqItem::Not { .. } => return,
            };
            let cond = Expr::Binary(
                BinOp::Cmp(CmpOp::Ne, ty),
                Box::new(Expr::Slot(bound)),
                Box::new(computed),
            );
            if let SeqItem::Aggregate { .. } = item {
                let op = self.seq_op(item, stage);
                self.steps.push(Step::Op(op));
            }
            self.steps.push(Step::Op(Op::Abort { stage, cond }));
            return;
        }
        let op = self.seq_op(item, stage);
        if let Some(s) = self.rule.seq[i].binds() {
            self.bound[s.index()] = true;
        }
        self.steps.push(Step::Op(op));
    }

    /// The op of a sequence item placed at `stage`.
    fn seq_op(&mut self, item: SeqItem, stage: Stage) -> Op {
        match item {
            SeqItem::Abort { cond } => Op::Abort { stage, cond },
            SeqItem::Let { slot, expr } => Op::Let { slot, expr },
            SeqItem::Not { cat, args } => {
                let (cols, key) = self.key_of(&AtomIr {
                    cat,
                    args,
                    span: Default::default(),
                });
                Op::NotExists {
                    cat,
                    source: source(cols, key),
                }
            }
            SeqItem::Aggregate {
                slot,
                kind,
                ty,
                cat,
                args,
                value,
            } => {
                let atom = AtomIr {
                    cat,
                    args,
                    span: Default::default(),
                };
                let (cols, key) = self.key_of(&atom);
                let bind = self.match_fields(&atom, &cols);
                Op::Aggregate {
                    slot,
                    kind,
                    ty: if kind == AggKind::Count {
                        Type::Int
                    } else {
                        ty
                    },
                    cat,
                    source: source(cols, key),
                    bind,
                    value,
                }
            }
        }
    }
}

/// Fold steps into nested ops: a join's body is everything after it, and
/// a join whose bindings nothing in it reads is an existence check.
fn nest(steps: Vec<Step>) -> Vec<Op> {
    let mut body: Vec<Op> = Vec::new();
    for step in steps.into_iter().rev() {
        match step {
            Step::Op(op) => body.insert(0, op),
            Step::Join {
                cat,
                cols,
                key,
                bind,
            } => {
                let inner = std::mem::take(&mut body);
                // Nothing after the join reads what it binds: every
                // matching row would find the same facts, so the first
                // will do (never enumerate atoms of unused variables).
                let exists = slots::binds_unread(&bind, &inner);
                body.push(Op::Join {
                    cat,
                    source: source(cols, key),
                    bind,
                    body: inner,
                    exists,
                });
            }
        }
    }
    body
}

/// The rows a lookup on `cols` reads: every row when no column is bound.
fn source(cols: Vec<usize>, key: Vec<Expr>) -> Source {
    if cols.is_empty() {
        Source::All
    } else {
        Source::Index(Key::unplaced(cols, key))
    }
}
