//! Building plans by hand for tests and timing programs.
//!
//! [`Builder`] makes categories, strata and hand-written handlers; its
//! [`Builder::datalog`] is a tiny stand-in for the compiler for positive
//! Datalog rules over ints (one handler per atom position, joins in atom
//! order, comparisons as aborts at the earliest stage, optional negated
//! atoms), enough to test the runtime without the real compiler.
#![allow(dead_code)]

use std::collections::HashMap;

use fold_runtime::plan::*;
use fold_runtime::value::{from_int, Type};

/// A term of an atom.
#[derive(Clone, Copy, Debug)]
pub enum T {
    V(&'static str),
    C(i64),
    W,
}

pub fn v(name: &'static str) -> T {
    T::V(name)
}

/// `cat(terms...)`.
pub fn atom(cat: CatId, terms: &[T]) -> (CatId, Vec<T>) {
    (cat, terms.to_vec())
}

pub fn int(i: i64) -> Expr {
    Expr::Const(from_int(i), Type::Int)
}
pub fn sl(i: u32) -> Expr {
    Expr::Slot(Slot(i))
}
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    bin(BinOp::Cmp(op, Type::Int), a, b)
}
pub fn store(i: u32) -> Bind {
    Bind::Store(Slot(i))
}

/// The rows a lookup on `cols` reads (every row when none is bound).
pub fn source(cols: Vec<usize>, key: Vec<Expr>) -> Source {
    if cols.is_empty() {
        Source::All
    } else {
        Source::Index(Key::unplaced(cols, key))
    }
}

/// The physical choices the compiler's lowering makes, for plans written
/// by hand: every lookup gets its category's index on its columns
/// (declared on first use), scratch words of its own and no cached
/// lookup; each handler states what its body uses.
pub fn place(plan: &mut Plan) {
    fn ops(list: &mut [Op], cats: &mut [Category], h: &mut Handler) {
        for op in list {
            match op {
                Op::Categorical { cat, key, cache } => {
                    lookup(*cat, key, cats, h);
                    *cache = h.cache_slots;
                    h.cache_slots += 1;
                }
                Op::Join {
                    cat, source, body, ..
                } => {
                    h.joins = true;
                    if let Source::Index(key) = source {
                        lookup(*cat, key, cats, h);
                    }
                    ops(body, cats, h);
                }
                Op::NotExists { cat, source } | Op::Aggregate { cat, source, .. } => {
                    if let Source::Index(key) = source {
                        lookup(*cat, key, cats, h);
                    }
                }
                Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                    ops(body, cats, h)
                }
                Op::If { then, els, .. } => {
                    ops(then, cats, h);
                    ops(els, cats, h);
                }
                Op::Abort { .. } | Op::Let { .. } | Op::Find { .. } => {}
            }
        }
    }
    fn lookup(cat: CatId, key: &mut Key, cats: &mut [Category], h: &mut Handler) {
        let indexes = &mut cats[cat.index()].indexes;
        if !indexes.contains(&key.cols) {
            indexes.push(key.cols.clone());
        }
        let i = indexes.iter().position(|c| *c == key.cols).unwrap_or(0);
        key.index = IndexId(i as u32);
        key.at = h.scratch;
        key.cached = None;
        h.scratch += key.exprs.len() as u32;
        h.reads.push((cat, key.index));
    }
    for h in &mut plan.handlers {
        let mut body = std::mem::take(&mut h.body);
        (h.scratch, h.cache_slots, h.joins, h.reads) = (0, 0, false, Vec::new());
        ops(&mut body, &mut plan.categories, h);
        h.body = body;
        h.reads.sort_unstable();
        h.reads.dedup();
    }
}

/// An engine on the interpreter for a hand-written plan, placed first.
pub fn engine(plan: std::sync::Arc<Plan>) -> fold_runtime::Engine {
    let mut plan = (*plan).clone();
    place(&mut plan);
    fold_runtime::Engine::new(
        std::sync::Arc::new(plan),
        fold_runtime::native::Natives::none(),
    )
    .expect("the plan verifies")
}

#[derive(Default)]
pub struct Builder {
    pub plan: Plan,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    pub fn cat(&mut self, name: &str, fields: &[(&str, Type)]) -> CatId {
        self.keyed(name, fields, None, Keep::Least)
    }

    pub fn ints(&mut self, name: &str, fields: &[&str]) -> CatId {
        let fs: Vec<(&str, Type)> = fields.iter().map(|f| (*f, Type::Int)).collect();
        self.cat(name, &fs)
    }

    pub fn keyed(
        &mut self,
        name: &str,
        fields: &[(&str, Type)],
        key: Option<Vec<usize>>,
        keep: Keep,
    ) -> CatId {
        self.plan.categories.push(Category {
            name: name.to_string(),
            fields: fields
                .iter()
                .map(|(n, t)| Field {
                    name: n.to_string(),
                    ty: t.clone(),
                })
                .collect(),
            key,
            keep,
            private: false,
            indexes: Vec::new(),
        });
        CatId(self.plan.categories.len() as u32 - 1)
    }

    pub fn rule(&mut self, name: &str, atoms: &[CatId]) -> RuleId {
        self.plan.rules.push(Rule {
            name: name.to_string(),
            line: self.plan.rules.len() as u32 + 1,
            form: RuleForm::Datalog,
            atoms: atoms.to_vec(),
            handlers: Vec::new(),
        });
        RuleId(self.plan.rules.len() as u32 - 1)
    }

    /// A hand-written handler; slots are `(name, type)`.
    #[allow(clippy::too_many_arguments)]
    pub fn handler(
        &mut self,
        rule: RuleId,
        position: u32,
        slots: &[(&str, Type)],
        bind: Vec<Bind>,
        priority: Option<Expr>,
        body: Vec<Op>,
    ) -> HandlerId {
        let trigger = self.plan.rules[rule.index()].atoms[position as usize];
        self.plan.handlers.push(Handler {
            rule,
            position,
            trigger,
            slots: slots.len() as u32,
            slot_types: slots.iter().map(|s| s.1.clone()).collect(),
            slot_names: slots.iter().map(|s| s.0.to_string()).collect(),
            bind,
            priority: priority.map(|expr| Priority { expr, float: false }),
            body,
            // Fixed by `place`.
            scratch: 0,
            cache_slots: 0,
            joins: false,
            reads: Vec::new(),
        });
        let id = HandlerId(self.plan.handlers.len() as u32 - 1);
        self.plan.rules[rule.index()].handlers.push(id);
        id
    }

    /// A stratum finding `cats`, with the handlers of `rules`.
    pub fn stratum(&mut self, cats: &[CatId], rules: &[RuleId]) {
        let handlers = rules
            .iter()
            .flat_map(|r| self.plan.rules[r.index()].handlers.clone())
            .collect();
        self.plan.strata.push(Stratum {
            categories: cats.to_vec(),
            handlers,
        });
    }

    pub fn output(&mut self, cat: CatId) {
        self.plan.outputs.push(cat);
    }

    pub fn fact(&mut self, cat: CatId, values: &[i64]) {
        self.plan.facts.push(GroundFact {
            cat,
            tuple: values.iter().map(|&v| from_int(v)).collect(),
            line: 0,
        });
    }

    /// `head(hv) :- atoms, !negs, conds` over ints: one handler per
    /// positive atom. `conds` are `(op, a, b)`: the rule needs `a op b`.
    pub fn datalog(
        &mut self,
        name: &str,
        head: (CatId, Vec<T>),
        atoms: &[(CatId, Vec<T>)],
        negs: &[(CatId, Vec<T>)],
        conds: &[(CmpOp, T, T)],
    ) -> RuleId {
        let cats: Vec<CatId> = atoms.iter().map(|a| a.0).collect();
        let rule = self.rule(name, &cats);
        for p in 0..atoms.len() {
            let mut cx = Lower::default();
            let bind = cx.bind_atom(&atoms[p].1);
            let order = cx.join_order(atoms, p);
            let mut order = order;
            let mut pre = Vec::new();
            // Categorical check on the first friend, when it has a bound column.
            if let Some(&first) = order.last() {
                let (cols, key, _) = cx.split(&atoms[first].1);
                if !cols.is_empty() {
                    pre.push(Op::Categorical {
                        cat: atoms[first].0,
                        key: Key::unplaced(cols, key),
                        cache: 0,
                    });
                }
            }
            let data_conds = cx.ready_conds(conds, Stage::Data);
            pre.extend(data_conds);
            let body = cx.joins(atoms, &mut order, negs, conds, &head);
            pre.extend(body);
            let slots = cx.slot_list();
            self.handler(rule, p as u32, &slots, bind, None, pre);
        }
        rule
    }
}

#[derive(Default)]
struct Lower {
    slots: HashMap<&'static str, u32>,
    names: Vec<&'static str>,
    done_conds: Vec<bool>,
}

impl Lower {
    /// Friends in a greedy order: next the atom with the most bound
    /// columns (atom order on ties); returned reversed (popped from the back).
    fn join_order(&self, atoms: &[(CatId, Vec<T>)], p: usize) -> Vec<usize> {
        let mut bound: Vec<&'static str> = self.names.clone();
        let mut left: Vec<usize> = (0..atoms.len()).filter(|&i| i != p).collect();
        let mut order = Vec::new();
        while !left.is_empty() {
            let score = |i: usize| {
                atoms[i]
                    .1
                    .iter()
                    .filter(|t| match t {
                        T::V(n) => bound.contains(n),
                        T::C(_) => true,
                        T::W => false,
                    })
                    .count()
            };
            let best = left
                .iter()
                .copied()
                .max_by_key(|&i| (score(i), usize::MAX - i));
            let Some(best) = best else { break };
            left.retain(|&i| i != best);
            for t in &atoms[best].1 {
                if let T::V(n) = t {
                    bound.push(n);
                }
            }
            order.push(best);
        }
        order.reverse();
        order
    }

    fn slot_list(&self) -> Vec<(&'static str, Type)> {
        self.names.iter().map(|n| (*n, Type::Int)).collect()
    }

    fn term(&self, t: &T) -> Expr {
        match t {
            T::V(n) => sl(self.slots[n]),
            T::C(c) => int(*c),
            T::W => int(0),
        }
    }

    fn bound(&self, t: &T) -> bool {
        match t {
            T::V(n) => self.slots.contains_key(n),
            T::C(_) => true,
            T::W => false,
        }
    }

    fn new_slot(&mut self, n: &'static str) -> u32 {
        let s = self.names.len() as u32;
        self.names.push(n);
        self.slots.insert(n, s);
        s
    }

    fn bind_atom(&mut self, terms: &[T]) -> Vec<Bind> {
        terms
            .iter()
            .map(|t| match t {
                T::W => Bind::Ignore,
                T::C(c) => Bind::Check(int(*c)),
                T::V(n) => match self.slots.get(n) {
                    Some(&s) => Bind::Check(sl(s)),
                    None => Bind::Store(Slot(self.new_slot(n))),
                },
            })
            .collect()
    }

    /// Bound columns with their key expressions, and the other columns.
    fn split(&self, terms: &[T]) -> (Vec<usize>, Vec<Expr>, Vec<usize>) {
        let (mut cols, mut key, mut rest) = (Vec::new(), Vec::new(), Vec::new());
        for (i, t) in terms.iter().enumerate() {
            if self.bound(t) {
                cols.push(i);
                key.push(self.term(t));
            } else {
                rest.push(i);
            }
        }
        (cols, key, rest)
    }

    fn ready_conds(&mut self, conds: &[(CmpOp, T, T)], stage: Stage) -> Vec<Op> {
        if self.done_conds.len() < conds.len() {
            self.done_conds.resize(conds.len(), false);
        }
        let mut out = Vec::new();
        for (i, (op, a, b)) in conds.iter().enumerate() {
            if !self.done_conds[i] && self.bound(a) && self.bound(b) {
                self.done_conds[i] = true;
                let c = cmp(*op, self.term(a), self.term(b));
                out.push(Op::Abort {
                    stage,
                    cond: Expr::Unary(UnOp::Not, Box::new(c)),
                });
            }
        }
        out
    }

    fn joins(
        &mut self,
        atoms: &[(CatId, Vec<T>)],
        order: &mut Vec<usize>,
        negs: &[(CatId, Vec<T>)],
        conds: &[(CmpOp, T, T)],
        head: &(CatId, Vec<T>),
    ) -> Vec<Op> {
        let Some(next) = order.pop() else {
            let mut ops = Vec::new();
            for (cat, terms) in negs {
                let (cols, key, _) = self.split(terms);
                ops.push(Op::NotExists {
                    cat: *cat,
                    source: source(cols, key),
                });
            }
            ops.extend(self.ready_conds(conds, Stage::Friends));
            ops.push(Op::Search {
                body: vec![Op::Find {
                    cat: head.0,
                    args: head.1.iter().map(|t| self.term(t)).collect(),
                }],
            });
            return ops;
        };
        let (cat, terms) = &atoms[next];
        let (cols, key, rest) = self.split(terms);
        let bind = rest
            .iter()
            .map(|&i| {
                let b = match &terms[i] {
                    T::W => Bind::Ignore,
                    T::C(c) => Bind::Check(int(*c)),
                    T::V(n) => match self.slots.get(n) {
                        Some(&s) => Bind::Check(sl(s)),
                        None => Bind::Store(Slot(self.new_slot(n))),
                    },
                };
                (i, b)
            })
            .collect();
        let mut body = self.ready_conds(conds, Stage::Friends);
        body.extend(self.joins(atoms, order, negs, conds, head));
        vec![Op::Join {
            exists: false,
            cat: *cat,
            source: source(cols, key),
            bind,
            body,
        }]
    }
}

/// `path(x,y) :- edge(x,y). path(x,z) :- path(x,y), edge(y,z).`
pub fn tc_plan() -> (Plan, CatId, CatId) {
    let mut b = Builder::new();
    let edge = b.ints("edge", &["src", "dst"]);
    let path = b.ints("path", &["src", "dst"]);
    let r1 = b.datalog(
        "base",
        atom(path, &[v("x"), v("y")]),
        &[atom(edge, &[v("x"), v("y")])],
        &[],
        &[],
    );
    let r2 = b.datalog(
        "extend",
        atom(path, &[v("x"), v("z")]),
        &[atom(path, &[v("x"), v("y")]), atom(edge, &[v("y"), v("z")])],
        &[],
        &[],
    );
    b.stratum(&[path], &[r1, r2]);
    b.output(path);
    (b.plan, edge, path)
}

/// `sg(x,y) :- parent(p,x), parent(p,y), x != y.
///  sg(x,y) :- parent(a,x), sg(a,b), parent(b,y).`
pub fn sg_plan() -> (Plan, CatId, CatId) {
    let mut b = Builder::new();
    let parent = b.ints("parent", &["p", "c"]);
    let sg = b.ints("sg", &["x", "y"]);
    let r1 = b.datalog(
        "siblings",
        atom(sg, &[v("x"), v("y")]),
        &[
            atom(parent, &[v("p"), v("x")]),
            atom(parent, &[v("p"), v("y")]),
        ],
        &[],
        &[(CmpOp::Ne, v("x"), v("y"))],
    );
    let r2 = b.datalog(
        "cousins",
        atom(sg, &[v("x"), v("y")]),
        &[
            atom(parent, &[v("a"), v("x")]),
            atom(sg, &[v("a"), v("b")]),
            atom(parent, &[v("b"), v("y")]),
        ],
        &[],
        &[],
    );
    b.stratum(&[sg], &[r1, r2]);
    b.output(sg);
    (b.plan, parent, sg)
}
