//! From Soufflé's syntax tree to fold's AST, so that both dialects share
//! checking, lowering, code generation and the engine. The rewrites:
//!
//! - a rule with several heads becomes one rule per head, and `;` in a
//!   body one rule per branch (disjunctive normal form);
//! - an aggregate over a `{ body }` (or with an expression as target)
//!   aggregates over a private helper relation that the body fills; the
//!   result always binds a fresh variable, compared with a bound one
//!   where the program wrote that;
//! - a rule with no positive atom reads a private one-fact relation;
//! - `x = range(a, b)` becomes a lifecycle rule whose search runs `for`;
//! - functors map to fold's standard library with Soufflé's argument
//!   orders (`contains(sub, s)` is fold's `contains(s, sub)`);
//! - `eqrel` relations get the rules of an equivalence relation.

use std::collections::{HashMap, HashSet};

use fold_grammar::ast::{self, BinaryOp, BodyItem, ExprKind, Ident, Span, UnaryOp};

use crate::diag::{Code, Diagnostic};
use crate::souffle::io::{IoSpec, SouffleIo};
use crate::souffle::syntax::{self as s, ArgKind, Lit};

mod autoinc;
mod decls;
mod exprs;
mod helpers;
mod records;
mod search;

use helpers::*;
use search::*;

pub use crate::souffle::records::Base;

/// The fold type of a field of Soufflé type `b`.
fn type_expr(b: Base, span: Span) -> ast::TypeExpr {
    match b {
        Base::Record(_) => {
            ast::TypeExpr::List(Box::new(ast::TypeExpr::Named(ident("int", span))), span)
        }
        other => ast::TypeExpr::Named(ident(other.fold_type(), span)),
    }
}

/// The private relation a rule without positive atoms reads.
const UNIT: &str = "__unit";
/// Rules a Soufflé clause may expand to before it is refused.
const MAX_BRANCHES: usize = 4096;

pub struct Translator {
    types: HashMap<String, Vec<Ident>>,
    rels: HashMap<String, Vec<Base>>,
    items: Vec<ast::Item>,
    pub io: SouffleIo,
    pub diags: Vec<Diagnostic>,
    fresh: usize,
    unit_used: bool,
    line_starts: Vec<usize>,
    /// The variables of the rule being translated, outside its
    /// aggregates: an aggregate's helper atom joins on these only.
    outer: HashSet<String>,
    /// The literals of the rule being translated, for an aggregate whose
    /// body tests a variable only the rule binds.
    outer_lits: Vec<Lit>,
    /// The rule's variables that its own atoms or equalities bind.
    outer_bound: HashSet<String>,
    /// Relations subsumption keys: key positions, `min`/`max`, the
    /// compared position.
    subsumed: HashMap<String, (Vec<usize>, &'static str, usize)>,
    /// Record and ADT types by name: their index in `io.records`.
    rec_ids: HashMap<String, u16>,
    /// ADT branches by name: their type's index and their own.
    branch_ids: HashMap<String, (u16, usize)>,
    /// Relations each relation's rules read.
    deps: HashMap<String, HashSet<String>>,
    /// The private relations of earlier `autoinc` rules, and their arities.
    autoinc_rels: Vec<(String, usize)>,
}

/// One body item of a rule being built, before it becomes fold syntax.
#[derive(Clone, Debug)]
enum Item {
    Atom(ast::Expr),
    Neg(ast::Expr),
    Cond(ast::Expr),
    /// `a = b`: a binding or a test, decided once the atoms are known.
    Eq(ast::Expr, ast::Expr, Span),
    Agg(String, ast::Aggregate, Span),
    /// `x = range(lo, hi[, step])`.
    Range(String, Vec<ast::Expr>, Span),
    /// `v = [p, q]`: a record built or taken apart.
    Rec(records::Rec),
}

impl Translator {
    pub fn new(src: &str) -> Translator {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Translator {
            types: HashMap::new(),
            rels: HashMap::new(),
            items: Vec::new(),
            io: SouffleIo::default(),
            diags: Vec::new(),
            fresh: 0,
            unit_used: false,
            line_starts,
            outer: HashSet::new(),
            outer_lits: Vec::new(),
            outer_bound: HashSet::new(),
            subsumed: HashMap::new(),
            rec_ids: HashMap::new(),
            branch_ids: HashMap::new(),
            deps: HashMap::new(),
            autoinc_rels: Vec::new(),
        }
    }

    fn line(&self, span: Span) -> usize {
        self.line_starts
            .partition_point(|&s| s <= span.start as usize)
    }

    fn unsupported(&mut self, span: Span, what: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::SouffleUnsupported,
                span,
                format!("{what} is not supported by foldc"),
            )
            .label("not supported")
            .help(help.to_string()),
        );
    }

    fn fresh(&mut self, what: &str) -> String {
        self.fresh += 1;
        format!("__{what}{}", self.fresh)
    }

    /// Declare a new private relation named after `what`, with one field
    /// `c0, c1, ...` of each of `bases`; its name.
    fn private_relation(&mut self, what: &str, bases: &[Base], sp: Span) -> String {
        let name = self.fresh(what);
        self.rels.insert(name.clone(), bases.to_vec());
        self.items.push(ast::Item::Data(ast::DataDecl {
            private: true,
            name: ident(&name, sp),
            fields: bases
                .iter()
                .enumerate()
                .map(|(i, b)| ast::FieldDecl {
                    name: ident(&format!("c{i}"), sp),
                    ty: type_expr(*b, sp),
                })
                .collect(),
            key: None,
            keep: None,
            broken: false,
            span: sp,
        }));
        name
    }

    pub fn translate(mut self, program: &s::Program) -> (ast::Program, SouffleIo, Vec<Diagnostic>) {
        for item in &program.items {
            if let s::Item::Type(t) = item {
                if !t.of.is_empty() {
                    self.types.insert(t.name.name.clone(), t.of.clone());
                }
            }
        }
        self.record_types(program);
        self.note_deps(program);
        for item in &program.items {
            if let s::Item::Subsume(sub) = item {
                match subsumption(sub) {
                    Ok(k) => {
                        self.subsumed.insert(sub.dominated.name.name.clone(), k);
                    }
                    Err(why) => self.unsupported(
                        sub.span,
                        &format!("this subsumption ({why})"),
                        "foldc runs `R(k.., a) <= R(k.., b) :- a <= b.` (or `>=`, `<`, `>`): one compared attribute, the others equal; it keeps the least (or greatest) per key",
                    ),
                }
            }
        }
        for item in &program.items {
            if let s::Item::Decl(d) = item {
                self.decl(d);
            }
        }
        for item in &program.items {
            match item {
                s::Item::Io(io) => self.io_decl(io),
                s::Item::Clause(c) => self.clause(c),
                _ => {}
            }
        }
        if self.unit_used {
            let span = Span::default();
            self.items.push(ast::Item::Data(ast::DataDecl {
                private: true,
                name: ident(UNIT, span),
                fields: Vec::new(),
                key: None,
                keep: None,
                broken: false,
                span,
            }));
            self.items.push(ast::Item::Clause(ast::Clause {
                head: ast::Atom {
                    name: ident(UNIT, span),
                    args: Vec::new(),
                    span,
                },
                body: Vec::new(),
                span,
            }));
        }
        (ast::Program { items: self.items }, self.io, self.diags)
    }

    fn clause(&mut self, c: &s::Clause) {
        let Some(body) = &c.body else {
            for head in &c.heads {
                self.fact(head, c.span);
            }
            return;
        };
        let Some(branches) = self.dnf(body, c.span) else {
            return;
        };
        for head in &c.heads {
            for conj in &branches {
                if self.autoinc_rule(head, conj, c.span).is_some() {
                    continue;
                }
                self.rule(head, conj, c.span);
            }
        }
    }

    /// Disjunctive normal form: each branch a flat conjunction.
    fn dnf(&mut self, d: &s::Disj, span: Span) -> Option<Vec<Vec<Lit>>> {
        let mut out = Vec::new();
        for conj in d {
            let mut partial: Vec<Vec<Lit>> = vec![Vec::new()];
            for lit in conj {
                match lit {
                    Lit::Paren(inner, _) => {
                        let alts = self.dnf(inner, span)?;
                        let mut next = Vec::new();
                        for p in &partial {
                            for a in &alts {
                                let mut v = p.clone();
                                v.extend(a.iter().cloned());
                                next.push(v);
                            }
                        }
                        partial = next;
                    }
                    other => partial.iter_mut().for_each(|p| p.push(other.clone())),
                }
                if partial.len() > MAX_BRANCHES {
                    self.unsupported(
                        span,
                        "a rule whose disjunctions expand to more than 4096 rules",
                        "split the rule by hand into rules over helper relations",
                    );
                    return None;
                }
            }
            out.extend(partial);
        }
        Some(out)
    }

    fn fact(&mut self, head: &s::Atom, span: Span) {
        let constant = head.args.iter().all(|a| {
            matches!(
                a.kind,
                ArgKind::Int(_) | ArgKind::Unsigned(_) | ArgKind::Float(_) | ArgKind::Str(_)
            )
        });
        if constant {
            let mut pre = Vec::new();
            let Some(atom) = self.atom(head, &mut pre, &HashMap::new()) else {
                return;
            };
            self.items.push(ast::Item::Clause(ast::Clause {
                head: atom,
                body: Vec::new(),
                span,
            }));
        } else if self.autoinc_rule(head, &[], span).is_none() {
            self.rule(head, &[], span);
        }
    }

    /// Variable types known from the positive atoms of a body.
    fn var_types(&self, lits: &[Lit]) -> HashMap<String, Base> {
        let mut types = HashMap::new();
        let mut atoms = Vec::new();
        for lit in lits {
            collect_atoms(lit, &mut atoms);
        }
        for a in atoms {
            {
                if let Some(bases) = self.rels.get(&a.name.name) {
                    for (arg, base) in a.args.iter().zip(bases) {
                        if let ArgKind::Var(v) = &arg.kind {
                            types.entry(v.clone()).or_insert(*base);
                        }
                    }
                }
            }
        }
        // Assignments and record patterns, until nothing changes.
        loop {
            self.record_var_types(lits, &mut types);
            let before = types.len();
            for lit in lits {
                if let Lit::Cmp("=", l, r, _) = lit {
                    for (a, b) in [(l, r), (r, l)] {
                        if let ArgKind::Var(v) = &a.kind {
                            if !types.contains_key(v) {
                                if let Some(t) = type_of(b, &types) {
                                    types.insert(v.clone(), t);
                                }
                            }
                        }
                    }
                }
            }
            if types.len() == before {
                return types;
            }
        }
    }

    /// One rule: `head :- lits.`
    fn rule(&mut self, head: &s::Atom, lits: &[Lit], span: Span) {
        if lits.iter().any(|l| matches!(l, Lit::Bool(false, _))) {
            return;
        }
        let lifted = self.lift_records(lits);
        let lits = lifted.as_slice();
        let types = self.var_types(lits);
        let mut outer = HashSet::new();
        for lit in lits {
            outer_vars_lit(lit, &mut outer);
        }
        head.args.iter().for_each(|a| outer_vars_arg(a, &mut outer));
        let mut bound = HashSet::new();
        for lit in lits {
            match lit {
                Lit::Atom(a) => a.args.iter().for_each(|x| outer_vars_arg(x, &mut bound)),
                Lit::Cmp("=", x, y, _) => {
                    for side in [x, y] {
                        if let ArgKind::Var(v) = &side.kind {
                            bound.insert(v.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        let saved = std::mem::replace(&mut self.outer, outer);
        let saved_lits = std::mem::replace(&mut self.outer_lits, lits.to_vec());
        let saved_bound = std::mem::replace(&mut self.outer_bound, bound);
        self.rule_items(head, lits, &types, span);
        self.outer = saved;
        self.outer_lits = saved_lits;
        self.outer_bound = saved_bound;
    }

    fn rule_items(
        &mut self,
        head: &s::Atom,
        lits: &[Lit],
        types: &HashMap<String, Base>,
        span: Span,
    ) {
        let types = types.clone();
        let mut items = Vec::new();
        for lit in lits {
            if self.lit(lit, &mut items, &types, lits).is_none() {
                return;
            }
        }
        let Some(head_atom) = self.atom(head, &mut items, &types) else {
            return;
        };
        self.emit(head_atom, items, span);
    }

    /// Turn items into a fold rule: a Datalog clause, or a lifecycle rule
    /// when a `range` generates values.
    fn emit(&mut self, head: ast::Atom, mut items: Vec<Item>, span: Span) {
        if !items.iter().any(|i| matches!(i, Item::Atom(_))) {
            self.unit_used = true;
            items.insert(
                0,
                Item::Atom(expr(ExprKind::Call(ident(UNIT, span), Vec::new()), span)),
            );
        }
        let mut bound: HashSet<String> = HashSet::new();
        for i in &items {
            if let Item::Atom(a) = i {
                vars(a, &mut bound);
            }
        }
        // Orient `a = b` so that an unbound variable is bound; a test
        // where both sides are bound.
        let mut pending: Vec<Item> = Vec::new();
        let mut ordered: Vec<Item> = Vec::new();
        for i in items {
            match i {
                Item::Atom(_) => ordered.push(i),
                other => pending.push(other),
            }
        }
        loop {
            let mut changed = false;
            let before = pending.len();
            let mut rest = Vec::new();
            for i in pending {
                match i {
                    Item::Rec(rec) => {
                        if all_bound(&rec.value, &bound) {
                            let (tests, eqs) = records::take_apart(rec);
                            ordered.extend(tests);
                            rest.extend(eqs);
                            changed = true;
                        } else if let (Some(v), Some(b)) = (
                            free_var(&rec.value, &bound),
                            rec.build.as_ref().filter(|b| all_bound(b, &bound)),
                        ) {
                            bound.insert(v);
                            ordered.push(Item::Eq(rec.value.clone(), b.clone(), rec.span));
                        } else {
                            rest.push(Item::Rec(rec));
                        }
                    }
                    Item::Eq(l, r, sp) => {
                        let l_free = free_var(&l, &bound);
                        let r_free = free_var(&r, &bound);
                        if let (Some(v), true) = (&l_free, all_bound(&r, &bound)) {
                            bound.insert(v.clone());
                            ordered.push(Item::Eq(l, r, sp));
                        } else if let (Some(v), true) = (&r_free, all_bound(&l, &bound)) {
                            bound.insert(v.clone());
                            ordered.push(Item::Eq(r, l, sp));
                        } else if all_bound(&l, &bound) && all_bound(&r, &bound) {
                            ordered.push(Item::Cond(binary(BinaryOp::Eq, l, r, sp)));
                        } else {
                            rest.push(Item::Eq(l, r, sp));
                        }
                    }
                    Item::Agg(v, a, sp) => {
                        bound.insert(v.clone());
                        ordered.push(Item::Agg(v, a, sp));
                    }
                    Item::Range(v, args, sp) => {
                        if args.iter().all(|a| all_bound(a, &bound)) {
                            bound.insert(v.clone());
                            ordered.push(Item::Range(v, args, sp));
                        } else {
                            rest.push(Item::Range(v, args, sp));
                        }
                    }
                    other => ordered.push(other),
                }
            }
            changed |= rest.len() != before;
            pending = rest;
            if pending.is_empty() || !changed {
                break;
            }
        }
        // What is left reads unbound variables; fold's checker says which.
        for i in pending {
            match i {
                Item::Eq(l, r, sp) => ordered.push(Item::Cond(binary(BinaryOp::Eq, l, r, sp))),
                Item::Rec(rec) => {
                    let sp = rec.span;
                    let built = rec.build.unwrap_or_else(|| expr(ExprKind::Wildcard, sp));
                    ordered.push(Item::Cond(binary(BinaryOp::Eq, rec.value, built, sp)));
                }
                other => ordered.push(other),
            }
        }
        if ordered.iter().any(|i| matches!(i, Item::Range(..))) {
            self.lifecycle(head, ordered, span);
            return;
        }
        let body = ordered
            .into_iter()
            .map(|i| match i {
                Item::Atom(e) | Item::Cond(e) => BodyItem::Expr(e),
                Item::Neg(e) => {
                    let sp = e.span;
                    BodyItem::Expr(expr(ExprKind::Unary(UnaryOp::Not, Box::new(e)), sp))
                }
                Item::Eq(l, r, sp) => BodyItem::Assign(l, ast::LetValue::Expr(r), sp),
                Item::Agg(v, a, sp) => {
                    BodyItem::Assign(expr(ExprKind::Var(v), sp), ast::LetValue::Aggregate(a), sp)
                }
                Item::Range(..) | Item::Rec(_) => unreachable_range(),
            })
            .collect();
        self.items
            .push(ast::Item::Clause(ast::Clause { head, body, span }));
    }

    /// A rule with a `range` generator as a lifecycle rule: the first atom
    /// is its `on`, the other atoms its friends, aggregates lets after
    /// them, and the rest a search of nested `if`s and `for`s.
    fn lifecycle(&mut self, head: ast::Atom, items: Vec<Item>, span: Span) {
        let mut atoms = Vec::new();
        let mut friends = Vec::new();
        let mut lets = Vec::new();
        let mut steps = Vec::new();
        for i in items {
            match i {
                Item::Atom(e) => {
                    if let ExprKind::Call(name, args) = e.kind {
                        atoms.push(ast::Atom {
                            name,
                            args,
                            span: e.span,
                        });
                    }
                }
                Item::Neg(e) => {
                    if let ExprKind::Call(name, args) = e.kind {
                        friends.push(ast::FriendAtom {
                            negated: true,
                            atom: ast::Atom {
                                name,
                                args,
                                span: e.span,
                            },
                            span: e.span,
                        });
                    }
                }
                Item::Agg(v, a, sp) => lets.push(ast::Stage::Let(ast::Let {
                    var: ident(&v, sp),
                    value: ast::LetValue::Aggregate(a),
                    span: sp,
                })),
                other => steps.push(other),
            }
        }
        let mut atoms = atoms.into_iter();
        let Some(on) = atoms.next() else {
            return;
        };
        let positive: Vec<ast::FriendAtom> = atoms
            .map(|a| ast::FriendAtom {
                negated: false,
                span: a.span,
                atom: a,
            })
            .collect();
        let mut all_friends = positive;
        all_friends.extend(friends);
        let mut stages = vec![ast::Stage::On(on)];
        if !all_friends.is_empty() {
            stages.push(ast::Stage::Friends(all_friends, span));
        }
        stages.extend(lets);
        let block = search(&steps, &head, span);
        stages.push(ast::Stage::Search(block));
        self.fresh += 1;
        let name = format!("{}@{}#{}", head.name.name, self.line(span), self.fresh);
        self.items.push(ast::Item::Rule(ast::LifecycleRule {
            name: ident(&name, head.name.span),
            stages,
            span,
        }));
    }

    fn atom(
        &mut self,
        a: &s::Atom,
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
    ) -> Option<ast::Atom> {
        let bases = self.rels.get(&a.name.name).cloned().unwrap_or_default();
        let mut args = Vec::new();
        for (i, arg) in a.args.iter().enumerate() {
            args.push(self.build(arg, bases.get(i).copied(), items, types, true)?);
        }
        Some(ast::Atom {
            name: a.name.clone(),
            args,
            span: a.span,
        })
    }

    fn lit(
        &mut self,
        lit: &Lit,
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        all: &[Lit],
    ) -> Option<()> {
        match lit {
            Lit::Atom(a)
                if all.len() > 1 && a.args.iter().all(is_ground_or_wild) && !a.args.is_empty() =>
            {
                // An atom sharing no variable is an existence test: read as
                // a nullary relation, not joined row by row.
                let name = self.exists(a)?;
                items.push(Item::Atom(expr(
                    ExprKind::Call(ident(&name, a.span), Vec::new()),
                    a.span,
                )));
            }
            Lit::Atom(a) => {
                let mut atom = self.atom(a, items, types)?;
                // An aggregate in a body atom is compared through a fresh
                // variable: fold binds what an atom holds, never twice.
                for (x, src) in atom.args.iter_mut().zip(&a.args) {
                    if has_aggregate(src) {
                        let v = self.fresh("arg");
                        let sp = x.span;
                        let value = std::mem::replace(x, expr(ExprKind::Var(v.clone()), sp));
                        items.push(Item::Eq(expr(ExprKind::Var(v), sp), value, sp));
                    }
                }
                items.push(Item::Atom(atom_expr(atom)));
            }
            Lit::Neg(a) => {
                let atom = self.atom(a, items, types)?;
                items.push(Item::Neg(atom_expr(atom)));
            }
            Lit::Bool(..) | Lit::Paren(..) => {}
            Lit::Pred(arg) => {
                let e = self.expr(arg, items, types, false)?;
                items.push(Item::Cond(e));
            }
            Lit::Cmp(op, l, r, sp) => {
                if *op == "=" {
                    for (v, g) in [(l, r), (r, l)] {
                        if let (ArgKind::Var(name), ArgKind::Call(f, args)) = (&v.kind, &g.kind) {
                            if f.name == "range" {
                                let mut out = Vec::new();
                                for a in args {
                                    out.push(self.expr(a, items, types, false)?);
                                }
                                if !(2..=3).contains(&out.len()) {
                                    self.unsupported(
                                        f.span,
                                        "`range` without two or three arguments",
                                        "write `x = range(from, to)` or `x = range(from, to, step)`",
                                    );
                                    return None;
                                }
                                items.push(Item::Range(name.clone(), out, *sp));
                                return Some(());
                            }
                        }
                    }
                }
                let _ = all;
                // `ord(a) < ord(b)`: Soufflé's symbol numbers follow the
                // order symbols were first seen; foldc compares the symbols
                // themselves, which orders them the same way every run.
                if let (ArgKind::Call(f, xs), ArgKind::Call(g, ys)) = (&l.kind, &r.kind) {
                    if f.name == "ord" && g.name == "ord" && xs.len() == 1 && ys.len() == 1 {
                        return self.lit(
                            &Lit::Cmp(op, xs[0].clone(), ys[0].clone(), *sp),
                            items,
                            types,
                            all,
                        );
                    }
                }
                if *op == "=" {
                    if let Some(done) = self.rec_eq(l, r, items, types, *sp) {
                        return done;
                    }
                }
                let structured = |a: &s::Arg| {
                    matches!(
                        a.kind,
                        ArgKind::Record(_) | ArgKind::Branch(..) | ArgKind::Nil
                    )
                };
                if structured(l) || structured(r) {
                    let want = type_of(l, types).or(type_of(r, types));
                    let le = self.build(l, want, items, types, false)?;
                    let re = self.build(r, want, items, types, false)?;
                    let bop = match *op {
                        "=" => BinaryOp::Eq,
                        "!=" => BinaryOp::Ne,
                        "<" => BinaryOp::Lt,
                        "<=" => BinaryOp::Le,
                        ">" => BinaryOp::Gt,
                        _ => BinaryOp::Ge,
                    };
                    items.push(Item::Cond(binary(bop, le, re, *sp)));
                    return Some(());
                }
                let (l, r) = coerce_pair(l, r, types);
                let le = self.expr(&l, items, types, false)?;
                let re = self.expr(&r, items, types, false)?;
                // Unsigned values compare as unsigned: flipping the sign
                // bit maps their order onto the signed one.
                let unsigned = [&l, &r]
                    .iter()
                    .any(|x| type_of(x, types) == Some(Base::Unsigned))
                    && *op != "="
                    && *op != "!=";
                let (le, re) = if unsigned {
                    let flip = |e: ast::Expr| {
                        expr(
                            ExprKind::Call(ident("bit_xor", *sp), vec![e, int(i64::MIN, *sp)]),
                            *sp,
                        )
                    };
                    (flip(le), flip(re))
                } else {
                    (le, re)
                };
                let bop = match *op {
                    "=" => {
                        items.push(Item::Eq(le, re, *sp));
                        return Some(());
                    }
                    "!=" => BinaryOp::Ne,
                    "<" => BinaryOp::Lt,
                    "<=" => BinaryOp::Le,
                    ">" => BinaryOp::Gt,
                    _ => BinaryOp::Ge,
                };
                items.push(Item::Cond(binary(bop, le, re, *sp)));
            }
        }
        Some(())
    }

    /// The nullary relation that holds when `a` has a fact.
    fn exists(&mut self, a: &s::Atom) -> Option<String> {
        let sp = a.span;
        let name = self.private_relation("exists", &[], sp);
        let head = s::Atom {
            name: ident(&name, sp),
            args: Vec::new(),
            span: sp,
        };
        self.rule(&head, &[Lit::Atom(a.clone())], sp);
        Some(name)
    }
}
