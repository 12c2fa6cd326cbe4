//! Preparing a handler for the interpreter.
//!
//! The plan names indexes by column sets; a prepared handler names them by
//! [`IndexId`], declared in the store once, so a lookup never hashes a
//! column list. Key words get fixed places in the frame's scratch area
//! (no allocation per event), and a [`Op::Join`] that repeats the lookup of
//! the [`Op::Categorical`] check before it reuses that lookup's result.
//! Preparing clones the plan's expressions once; nothing is cloned per
//! event.

use crate::plan::builtin::Builtin;
use crate::plan::{AggKind, BinOp, Bind, CatId, Expr, Handler, HandlerId, Op, Plan, Stage, UnOp};
use crate::store::{IndexId, Store};
use crate::value::Type;

/// A handler ready to run: see [`crate::eval::interp::run_event`].
#[derive(Debug, Clone)]
pub struct Prepared {
    pub handler: HandlerId,
    pub trigger: CatId,
    pub slots: usize,
    pub bind: Vec<Bind>,
    pub body: Vec<POp>,
    /// Whether the rule has any join (for "loaded friends").
    pub has_join: bool,
    /// Words of scratch space for lookup keys.
    pub scratch: usize,
    /// Number of cached lookups (Categorical → Join).
    pub hits: usize,
    /// The priority expression and whether it is a float.
    pub priority: Option<(Expr, bool)>,
    /// Every index this handler reads (to catch up before a round).
    pub indexes: Vec<(CatId, IndexId)>,
    /// Native code for this handler, if the JIT compiled it
    /// ([`crate::eval::native::install`]); `None` runs the interpreter.
    pub native: Option<crate::eval::native::NativeHandler>,
}

/// A prepared [`Op`]: the same meaning, with indexes resolved.
#[derive(Debug, Clone)]
pub enum POp {
    Categorical {
        cat: CatId,
        key: Key,
        /// Where the found group is remembered for a later join.
        hit: usize,
    },
    Abort {
        stage: Stage,
        cond: Expr,
    },
    Let {
        slot: usize,
        expr: Expr,
    },
    Join {
        cat: CatId,
        source: Source,
        bind: Vec<(usize, Bind)>,
        body: Vec<POp>,
    },
    NotExists {
        cat: CatId,
        source: Source,
    },
    Aggregate {
        slot: usize,
        kind: AggKind,
        /// The type of the aggregated value (`int` for `count`).
        ty: Type,
        cat: CatId,
        source: Source,
        bind: Vec<(usize, Bind)>,
        value: Option<Expr>,
    },
    Search {
        body: Vec<POp>,
    },
    If {
        cond: Expr,
        then: Vec<POp>,
        els: Vec<POp>,
    },
    For {
        slot: usize,
        list: Expr,
        body: Vec<POp>,
    },
    ForRange {
        slot: usize,
        lo: Expr,
        hi: Expr,
        body: Vec<POp>,
    },
    Find {
        cat: CatId,
        args: Vec<Expr>,
    },
}

/// Which rows a join, negation or aggregate reads.
#[derive(Debug, Clone)]
pub enum Source {
    /// Every current row (no bound columns).
    All,
    Index(Key),
}

/// An index lookup: the key's expressions and where their words go.
#[derive(Debug, Clone)]
pub struct Key {
    pub index: IndexId,
    pub exprs: Vec<Expr>,
    /// Offset of the key words in the frame's scratch area.
    pub at: usize,
    /// Reuse the group found by the Categorical check with this hit slot.
    pub cached: Option<usize>,
}

/// Prepare every handler of `plan`, declaring the indexes they read.
pub fn prepare_all(plan: &Plan, store: &mut Store) -> Vec<Prepared> {
    (0..plan.handlers.len())
        .map(|h| prepare(plan, HandlerId(h as u32), store))
        .collect()
}

/// Prepare one handler, declaring the indexes it reads in `store`.
pub fn prepare(plan: &Plan, id: HandlerId, store: &mut Store) -> Prepared {
    let handler = plan.handler(id);
    let mut cx = Preparer {
        store,
        scratch: 0,
        hits: 0,
        has_join: false,
        indexes: Vec::new(),
    };
    let body = cx.ops(&handler.body);
    let priority = handler.priority.as_ref().map(|e| {
        let float = expr_type(handler, e) == Some(Type::Float);
        (e.clone(), float)
    });
    let mut indexes = cx.indexes;
    indexes.sort_unstable();
    indexes.dedup();
    Prepared {
        handler: id,
        trigger: handler.trigger,
        slots: (handler.slots as usize).max(max_slot(handler) + 1),
        bind: handler.bind.clone(),
        body,
        has_join: cx.has_join,
        scratch: cx.scratch,
        hits: cx.hits,
        priority,
        indexes,
        native: None,
    }
}

struct Preparer<'s> {
    store: &'s mut Store,
    scratch: usize,
    hits: usize,
    has_join: bool,
    indexes: Vec<(CatId, IndexId)>,
}

impl Preparer<'_> {
    fn ops(&mut self, ops: &[Op]) -> Vec<POp> {
        let mut out: Vec<POp> = Vec::with_capacity(ops.len());
        for op in ops {
            let p = match op {
                Op::Categorical { cat, cols, key } => {
                    let hit = self.hits;
                    self.hits += 1;
                    POp::Categorical {
                        cat: *cat,
                        key: self.key(*cat, cols, key),
                        hit,
                    }
                }
                Op::Abort { stage, cond } => POp::Abort {
                    stage: *stage,
                    cond: cond.clone(),
                },
                Op::Let { slot, expr } => POp::Let {
                    slot: slot.index(),
                    expr: expr.clone(),
                },
                Op::Join {
                    cat,
                    cols,
                    key,
                    bind,
                    body,
                } => {
                    self.has_join = true;
                    let mut source = self.source(*cat, cols, key);
                    if let Source::Index(k) = &mut source {
                        k.cached = cached_hit(&out, *cat, k);
                    }
                    POp::Join {
                        cat: *cat,
                        source,
                        bind: bind.clone(),
                        body: self.ops(body),
                    }
                }
                Op::NotExists { cat, cols, key } => POp::NotExists {
                    cat: *cat,
                    source: self.source(*cat, cols, key),
                },
                Op::Aggregate {
                    slot,
                    kind,
                    ty,
                    cat,
                    cols,
                    key,
                    bind,
                    value,
                } => POp::Aggregate {
                    slot: slot.index(),
                    kind: *kind,
                    ty: ty.clone(),
                    cat: *cat,
                    source: self.source(*cat, cols, key),
                    bind: bind.clone(),
                    value: value.clone(),
                },
                Op::Search { body } => POp::Search {
                    body: self.ops(body),
                },
                Op::If { cond, then, els } => POp::If {
                    cond: cond.clone(),
                    then: self.ops(then),
                    els: self.ops(els),
                },
                Op::For {
                    slot, list, body, ..
                } => POp::For {
                    slot: slot.index(),
                    list: list.clone(),
                    body: self.ops(body),
                },
                Op::ForRange { slot, lo, hi, body } => POp::ForRange {
                    slot: slot.index(),
                    lo: lo.clone(),
                    hi: hi.clone(),
                    body: self.ops(body),
                },
                Op::Find { cat, args } => POp::Find {
                    cat: *cat,
                    args: args.clone(),
                },
            };
            out.push(p);
        }
        out
    }

    fn key(&mut self, cat: CatId, cols: &[usize], key: &[Expr]) -> Key {
        let index = self.store.ensure_index(cat, cols);
        self.indexes.push((cat, index));
        let at = self.scratch;
        self.scratch += key.len();
        Key {
            index,
            exprs: key.to_vec(),
            at,
            cached: None,
        }
    }

    fn source(&mut self, cat: CatId, cols: &[usize], key: &[Expr]) -> Source {
        if cols.is_empty() {
            Source::All
        } else {
            Source::Index(self.key(cat, cols, key))
        }
    }
}

/// The hit slot of an earlier Categorical in the same op list that looked
/// up the same key, provided nothing in between can change the key's
/// slots (only aborts may stand between them).
fn cached_hit(before: &[POp], cat: CatId, key: &Key) -> Option<usize> {
    for op in before.iter().rev() {
        match op {
            POp::Categorical {
                cat: c,
                key: k,
                hit,
            } if *c == cat && k.index == key.index && k.exprs == key.exprs => {
                return Some(*hit);
            }
            POp::Categorical { .. } | POp::Abort { .. } => continue,
            _ => return None,
        }
    }
    None
}

/// The highest slot any op or bind of the handler names (a plan whose
/// `slots` is too small must not make the interpreter index out of range).
fn max_slot(handler: &Handler) -> usize {
    fn bind(b: &Bind, m: &mut usize) {
        match b {
            Bind::Store(s) => *m = (*m).max(s.index()),
            Bind::Check(e) => expr(e, m),
            Bind::Ignore => {}
        }
    }
    fn expr(e: &Expr, m: &mut usize) {
        match e {
            Expr::Const(..) => {}
            Expr::Slot(s) => *m = (*m).max(s.index()),
            Expr::Unary(_, a) => expr(a, m),
            Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Index(a, b) => {
                expr(a, m);
                expr(b, m);
            }
            Expr::Call { args, .. } | Expr::List(args) => args.iter().for_each(|a| expr(a, m)),
            Expr::Slice { base, lo, hi, .. } => {
                expr(base, m);
                lo.iter().chain(hi.iter()).for_each(|a| expr(a, m));
            }
        }
    }
    fn ops(os: &[Op], m: &mut usize) {
        for o in os {
            match o {
                Op::Categorical { key, .. } | Op::NotExists { key, .. } => {
                    key.iter().for_each(|e| expr(e, m))
                }
                Op::Abort { cond, .. } => expr(cond, m),
                Op::Let { slot, expr: e } => {
                    *m = (*m).max(slot.index());
                    expr(e, m);
                }
                Op::Join {
                    key,
                    bind: bs,
                    body,
                    ..
                } => {
                    key.iter().for_each(|e| expr(e, m));
                    bs.iter().for_each(|(_, b)| bind(b, m));
                    ops(body, m);
                }
                Op::Aggregate {
                    slot,
                    key,
                    bind: bs,
                    value,
                    ..
                } => {
                    *m = (*m).max(slot.index());
                    key.iter().for_each(|e| expr(e, m));
                    bs.iter().for_each(|(_, b)| bind(b, m));
                    value.iter().for_each(|e| expr(e, m));
                }
                Op::Search { body } => ops(body, m),
                Op::If { cond, then, els } => {
                    expr(cond, m);
                    ops(then, m);
                    ops(els, m);
                }
                Op::For {
                    slot, list, body, ..
                } => {
                    *m = (*m).max(slot.index());
                    expr(list, m);
                    ops(body, m);
                }
                Op::ForRange { slot, lo, hi, body } => {
                    *m = (*m).max(slot.index());
                    expr(lo, m);
                    expr(hi, m);
                    ops(body, m);
                }
                Op::Find { args, .. } => args.iter().for_each(|e| expr(e, m)),
            }
        }
    }
    let mut m = 0;
    handler.bind.iter().for_each(|b| bind(b, &mut m));
    if let Some(p) = &handler.priority {
        expr(p, &mut m);
    }
    ops(&handler.body, &mut m);
    m
}

/// The static type of an expression in a handler (None when the plan does
/// not say, e.g. an empty list literal).
pub fn expr_type(handler: &Handler, e: &Expr) -> Option<Type> {
    Some(match e {
        Expr::Const(_, t) => t.clone(),
        Expr::Slot(s) => handler.slot_types.get(s.index())?.clone(),
        Expr::Unary(UnOp::NegInt, _) => Type::Int,
        Expr::Unary(UnOp::NegFloat, _) => Type::Float,
        Expr::Unary(UnOp::Not, _) | Expr::And(..) | Expr::Or(..) => Type::Bool,
        Expr::Binary(op, a, _) => match op {
            BinOp::AddInt | BinOp::SubInt | BinOp::MulInt | BinOp::DivInt | BinOp::RemInt => {
                Type::Int
            }
            BinOp::AddFloat
            | BinOp::SubFloat
            | BinOp::MulFloat
            | BinOp::DivFloat
            | BinOp::RemFloat => Type::Float,
            BinOp::ConcatStr => Type::Str,
            BinOp::ConcatList => expr_type(handler, a)?,
            BinOp::Cmp(..) => Type::Bool,
        },
        Expr::Call { func, types, .. } => call_type(func, types)?,
        Expr::List(items) => Type::list_of(expr_type(handler, items.first()?)?),
        Expr::Index(base, _) => expr_type(handler, base)?.elem()?.clone(),
        Expr::Slice { base, .. } => expr_type(handler, base)?,
    })
}

fn call_type(func: &Builtin, types: &[Type]) -> Option<Type> {
    func.ret.instantiate(types)
}
