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

/// Soufflé's primitive types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    Number,
    Unsigned,
    Float,
    Symbol,
}

impl Base {
    fn fold_type(self) -> &'static str {
        match self {
            Base::Number | Base::Unsigned => "int",
            Base::Float => "float",
            Base::Symbol => "str",
        }
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
    /// Relations subsumption keys: key positions, `min`/`max`, the
    /// compared position.
    subsumed: HashMap<String, (Vec<usize>, &'static str, usize)>,
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
            subsumed: HashMap::new(),
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

    pub fn translate(mut self, program: &s::Program) -> (ast::Program, SouffleIo, Vec<Diagnostic>) {
        for item in &program.items {
            if let s::Item::Type(t) = item {
                self.types.insert(t.name.name.clone(), t.of.clone());
            }
        }
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

    /// The primitive type a Soufflé type name stands for.
    fn base(&mut self, ty: &Ident, depth: usize) -> Option<Base> {
        match ty.name.as_str() {
            "number" | "i32" | "i64" => return Some(Base::Number),
            "unsigned" | "u32" | "u64" => return Some(Base::Unsigned),
            "float" | "f32" | "f64" => return Some(Base::Float),
            "symbol" => return Some(Base::Symbol),
            _ => {}
        }
        let Some(of) = self.types.get(&ty.name).cloned() else {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnknownType,
                    ty.span,
                    format!("unknown type `{}`", ty.name),
                )
                .label("not declared")
                .help("declare it with `.type` or use number, unsigned, float or symbol"),
            );
            return None;
        };
        if depth > 64 {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnknownType,
                    ty.span,
                    format!("the type `{}` is defined in terms of itself", ty.name),
                )
                .label("cyclic type"),
            );
            return None;
        }
        let mut bases = Vec::new();
        for t in &of {
            bases.push(self.base(t, depth + 1)?);
        }
        let first = bases[0];
        if bases.iter().any(|&b| b != first) {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnknownType,
                    ty.span,
                    format!("the union `{}` mixes primitive types", ty.name),
                )
                .label("its members have different primitive types")
                .help("a union's members must all be numbers, or all symbols, ..."),
            );
            return None;
        }
        Some(first)
    }

    fn decl(&mut self, d: &s::Decl) {
        let mut fields = Vec::new();
        let mut bases = Vec::new();
        for a in &d.attrs {
            let base = self.base(&a.ty, 0).unwrap_or(Base::Number);
            bases.push(base);
            fields.push(ast::FieldDecl {
                name: a.name.clone(),
                ty: ast::TypeExpr::Named(ident(base.fold_type(), a.ty.span)),
            });
        }
        let attr = |i: usize| d.attrs[i].name.clone();
        let mut choice_key = None;
        match d.choice.as_slice() {
            [] => {}
            [one] => {
                let names: Vec<&str> = d.attrs.iter().map(|a| a.name.name.as_str()).collect();
                if let Some(bad) = one.iter().find(|a| !names.contains(&a.name.as_str())) {
                    self.diags.push(
                        Diagnostic::new(
                            Code::UnknownKeyField,
                            bad.span,
                            format!("`{}` is not an attribute of this relation", bad.name),
                        )
                        .label("not an attribute"),
                    );
                } else {
                    choice_key = Some(ast::KeyDecl {
                        fields: one.clone(),
                        span: d.span,
                    });
                }
            }
            more => self.unsupported(
                more[1][0].span,
                "`choice-domain` with several domains",
                "foldc keeps one fact per key: choose one domain",
            ),
        }
        for name in &d.names {
            self.rels.insert(name.name.clone(), bases.clone());
            let (key, keep) = match self.subsumed.get(&name.name) {
                Some((keys, kind, field))
                    if keys.iter().chain([field]).all(|&i| i < d.attrs.len()) =>
                {
                    (
                        Some(ast::KeyDecl {
                            fields: keys.iter().map(|&i| attr(i)).collect(),
                            span: d.span,
                        }),
                        Some(ast::KeepDecl {
                            kind: ident(kind, d.span),
                            field: attr(*field),
                            span: d.span,
                        }),
                    )
                }
                _ => (choice_key.clone(), None),
            };
            self.items.push(ast::Item::Data(ast::DataDecl {
                private: false,
                name: name.clone(),
                fields: fields.clone(),
                key,
                keep,
                broken: false,
                span: d.span,
            }));
            if d.eqrel {
                self.eqrel(name, d);
            }
        }
    }

    /// An equivalence relation: reflexive on its members, symmetric,
    /// transitive.
    fn eqrel(&mut self, name: &Ident, d: &s::Decl) {
        if d.attrs.len() != 2 {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnsupported,
                    d.span,
                    format!("`eqrel` relation `{}` must have two attributes", name.name),
                )
                .label("not binary"),
            );
            return;
        }
        let sp = d.span;
        let v = |n: &str| {
            let kind = if n == "_" {
                ExprKind::Wildcard
            } else {
                ExprKind::Var(n.into())
            };
            expr(kind, sp)
        };
        let atom = |a: &str, b: &str| ast::Atom {
            name: name.clone(),
            args: vec![v(a), v(b)],
            span: sp,
        };
        let call = |a: &str, b: &str| {
            BodyItem::Expr(expr(ExprKind::Call(name.clone(), vec![v(a), v(b)]), sp))
        };
        for (head, body) in [
            (atom("x", "y"), vec![call("y", "x")]),
            (atom("x", "z"), vec![call("x", "y"), call("y", "z")]),
            (atom("x", "x"), vec![call("x", "_")]),
        ] {
            self.items.push(ast::Item::Clause(ast::Clause {
                head,
                body,
                span: sp,
            }));
        }
    }

    fn io_decl(&mut self, io: &s::IoDecl) {
        for rel in &io.rels {
            if !self.rels.contains_key(&rel.name) {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnknownCategory,
                        rel.span,
                        format!("unknown relation `{}`", rel.name),
                    )
                    .label("not declared")
                    .help("declare it with `.decl`"),
                );
                continue;
            }
            let mut spec = IoSpec {
                rel: rel.name.clone(),
                file: match io.kind {
                    s::IoKind::Input => format!("{}.facts", rel.name),
                    _ => format!("{}.csv", rel.name),
                },
                delimiter: b'\t',
                headers: false,
                stdout: false,
            };
            let mut ok = true;
            for (key, value, vspan) in &io.params {
                match key.name.as_str() {
                    "IO" => match value.as_str() {
                        "file" => {}
                        "stdout" if io.kind == s::IoKind::Output => spec.stdout = true,
                        other => {
                            ok = false;
                            self.diags.push(
                                Diagnostic::new(
                                    Code::SouffleBadIo,
                                    *vspan,
                                    format!("`IO={other}` is not supported by foldc"),
                                )
                                .label("not supported")
                                .help("foldc reads and writes files (`IO=file`) and writes `IO=stdout`"),
                            );
                        }
                    },
                    "filename" | "file" => spec.file = value.clone(),
                    "delimiter" => {
                        let bytes = value.as_bytes();
                        if bytes.len() == 1 {
                            spec.delimiter = bytes[0];
                        } else {
                            ok = false;
                            self.diags.push(
                                Diagnostic::new(
                                    Code::SouffleBadIo,
                                    *vspan,
                                    "a delimiter must be one character",
                                )
                                .label("not one character"),
                            );
                        }
                    }
                    "headers" => spec.headers = value == "true",
                    // Hints that do not change what is read or written.
                    "rfc4180" | "attributeNames" | "name" | "operation" | "types" | "auxArity"
                    | "params" => {}
                    "compress" => {
                        ok = false;
                        self.diags.push(
                            Diagnostic::new(
                                Code::SouffleBadIo,
                                key.span,
                                "compressed fact files are not supported by foldc",
                            )
                            .label("not supported")
                            .help("decompress the file first (`gunzip`)"),
                        );
                    }
                    other => {
                        ok = false;
                        self.diags.push(
                            Diagnostic::new(
                                Code::SouffleBadIo,
                                key.span,
                                format!("unknown I/O parameter `{other}`"),
                            )
                            .label("not known")
                            .help("foldc knows IO, filename, delimiter and headers"),
                        );
                    }
                }
            }
            if !ok {
                continue;
            }
            match io.kind {
                s::IoKind::Input => self.io.inputs.push(spec),
                s::IoKind::Output => {
                    if !self.io.outputs.iter().any(|o| o.rel == spec.rel) {
                        self.items.push(ast::Item::Output(ast::OutputDecl {
                            category: rel.clone(),
                            span: io.span,
                        }));
                    }
                    self.io.outputs.push(spec);
                }
                s::IoKind::PrintSize => {
                    if !self.io.printsize.contains(&rel.name) {
                        self.io.printsize.push(rel.name.clone());
                    }
                }
            }
        }
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
        } else {
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
        // Assignments, until nothing changes.
        loop {
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
        let types = self.var_types(lits);
        let mut outer = HashSet::new();
        for lit in lits {
            outer_vars_lit(lit, &mut outer);
        }
        head.args.iter().for_each(|a| outer_vars_arg(a, &mut outer));
        let saved = std::mem::replace(&mut self.outer, outer);
        self.rule_items(head, lits, &types, span);
        self.outer = saved;
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
            let before = pending.len();
            let mut rest = Vec::new();
            for i in pending {
                match i {
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
            pending = rest;
            if pending.is_empty() || pending.len() == before {
                break;
            }
        }
        // What is left reads unbound variables; fold's checker says which.
        for i in pending {
            match i {
                Item::Eq(l, r, sp) => ordered.push(Item::Cond(binary(BinaryOp::Eq, l, r, sp))),
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
                Item::Range(..) => unreachable_range(),
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
        let mut args = Vec::new();
        for arg in &a.args {
            args.push(self.expr(arg, items, types, true)?);
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
            Lit::Atom(a) => {
                let atom = self.atom(a, items, types)?;
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
                let le = self.expr(l, items, types, false)?;
                let re = self.expr(r, items, types, false)?;
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

    fn expr(
        &mut self,
        arg: &s::Arg,
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        in_atom: bool,
    ) -> Option<ast::Expr> {
        let sp = arg.span;
        let kind = match &arg.kind {
            ArgKind::Var(v) => ExprKind::Var(v.clone()),
            ArgKind::Wild => {
                if !in_atom {
                    self.diags.push(
                        Diagnostic::new(Code::MisplacedWildcard, sp, "`_` outside an atom")
                            .label("only an atom's argument may be `_`"),
                    );
                    return None;
                }
                ExprKind::Wildcard
            }
            ArgKind::Int(v) | ArgKind::Unsigned(v) => ExprKind::Int(*v),
            ArgKind::Float(v) => ExprKind::Float(*v),
            ArgKind::Str(v) => ExprKind::Str(v.clone()),
            ArgKind::Unary(op, inner) => {
                let e = self.expr(inner, items, types, false)?;
                match *op {
                    "-" => ExprKind::Unary(UnaryOp::Neg, Box::new(e)),
                    "!" => ExprKind::Unary(UnaryOp::Not, Box::new(e)),
                    "lnot" => to_int(binary(BinaryOp::Eq, e, int(0, sp), sp), sp).kind,
                    _ => ExprKind::Call(ident("bit_not", sp), vec![e]),
                }
            }
            ArgKind::Binary(op, l, r) => {
                let le = self.expr(l, items, types, false)?;
                let re = self.expr(r, items, types, false)?;
                let nz = |e: ast::Expr| binary(BinaryOp::Ne, e, int(0, sp), sp);
                match *op {
                    "+" => ExprKind::Binary(BinaryOp::Add, Box::new(le), Box::new(re)),
                    "-" => ExprKind::Binary(BinaryOp::Sub, Box::new(le), Box::new(re)),
                    "*" => ExprKind::Binary(BinaryOp::Mul, Box::new(le), Box::new(re)),
                    "/" => ExprKind::Binary(BinaryOp::Div, Box::new(le), Box::new(re)),
                    "%" => ExprKind::Binary(BinaryOp::Rem, Box::new(le), Box::new(re)),
                    "^" => ExprKind::Call(ident("pow", sp), vec![le, re]),
                    "land" => to_int(binary(BinaryOp::And, nz(le), nz(re), sp), sp).kind,
                    "lor" => to_int(binary(BinaryOp::Or, nz(le), nz(re), sp), sp).kind,
                    "lxor" => to_int(binary(BinaryOp::Ne, nz(le), nz(re), sp), sp).kind,
                    other => {
                        let name = match other {
                            "band" => "bit_and",
                            "bor" => "bit_or",
                            "bxor" => "bit_xor",
                            "bshl" => "shl",
                            "bshr" => "shr",
                            _ => "shr_unsigned",
                        };
                        ExprKind::Call(ident(name, sp), vec![le, re])
                    }
                }
            }
            ArgKind::Call(f, args) => return self.functor(f, args, items, types, sp),
            ArgKind::Aggregate(a) => return self.aggregate(a, items, types),
        };
        Some(expr(kind, sp))
    }

    fn functor(
        &mut self,
        f: &Ident,
        args: &[s::Arg],
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        sp: Span,
    ) -> Option<ast::Expr> {
        let arity = |n: usize| args.len() == n;
        let mut xs = Vec::new();
        for a in args {
            xs.push(self.expr(a, items, types, false)?);
        }
        let call = |name: &str, xs: Vec<ast::Expr>| {
            Some(expr(ExprKind::Call(ident(name, f.span), xs), sp))
        };
        let arg_type = |i: usize| args.get(i).and_then(|a| type_of(a, types));
        match f.name.as_str() {
            "cat" if !xs.is_empty() => {
                let mut it = xs.into_iter();
                let first = it.next()?;
                Some(it.fold(first, |acc, x| binary(BinaryOp::Add, acc, x, sp)))
            }
            "strlen" if arity(1) => call("len", xs),
            "substr" if arity(3) => call("substr", xs),
            // Soufflé: contains(sub, s); fold: contains(s, sub).
            "contains" if arity(2) => {
                xs.swap(0, 1);
                call("contains", xs)
            }
            "to_string" if arity(1) => call("to_str", xs),
            "to_number" | "to_unsigned" if arity(1) => match arg_type(0) {
                Some(Base::Symbol) | Some(Base::Float) => call("to_int", xs),
                _ => xs.into_iter().next(),
            },
            "to_float" if arity(1) => match arg_type(0) {
                Some(Base::Float) => xs.into_iter().next(),
                _ => call("to_float", xs),
            },
            "min" | "max" if !xs.is_empty() => {
                let mut it = xs.into_iter();
                let first = it.next()?;
                Some(it.fold(first, |acc, x| {
                    expr(ExprKind::Call(ident(&f.name, f.span), vec![acc, x]), sp)
                }))
            }
            "abs" if arity(1) => call("abs", xs),
            "as" if arity(2) => xs.into_iter().next(),
            // Soufflé: match(pattern, s); fold: regex_match(s, pattern).
            "match" if arity(2) => {
                xs.swap(0, 1);
                call("regex_match", xs)
            }
            "ord" => {
                self.unsupported(
                    sp,
                    "`ord` (a symbol's number in Soufflé's symbol table)",
                    "the number depends on Soufflé's symbol table; compare the symbols themselves",
                );
                None
            }
            "autoinc" => {
                self.unsupported(sp, "`autoinc()`", "number the facts in the input instead");
                None
            }
            "range" => {
                self.unsupported(
                    sp,
                    "`range` outside `x = range(..)`",
                    "bind a variable to the range: `x = range(from, to)`",
                );
                None
            }
            name => {
                let known = crate::souffle::parse::INTRINSICS.contains(&name);
                self.diags.push(
                    Diagnostic::new(
                        if known { Code::WrongArgCount } else { Code::UnknownFunction },
                        f.span,
                        if known {
                            format!("`{name}` called with {} arguments", args.len())
                        } else {
                            format!("unknown functor `{name}`")
                        },
                    )
                    .label(if known { "wrong number of arguments" } else { "not a functor" })
                    .help("Soufflé's functors: cat, strlen, substr, contains, to_number, to_string, to_float, to_unsigned, min, max, range"),
                );
                None
            }
        }
    }

    /// An aggregate: its value bound to a fresh variable by an item, the
    /// variable returned.
    fn aggregate(
        &mut self,
        a: &s::Aggregate,
        items: &mut Vec<Item>,
        outer_types: &HashMap<String, Base>,
    ) -> Option<ast::Expr> {
        let sp = a.span;
        let kind = a.kind.name.as_str();
        let mut inner_types = self.var_types(&a.body);
        for (k, v) in outer_types {
            inner_types.entry(k.clone()).or_insert(*v);
        }
        let target_var = match &a.target {
            Some(s::Arg {
                kind: ArgKind::Var(v),
                ..
            }) => Some(v.clone()),
            _ => None,
        };
        if kind == "count" && a.target.is_some() {
            self.diags.push(
                Diagnostic::new(Code::BadAggregate, sp, "`count` takes no target")
                    .label("write `count : { ... }`"),
            );
            return None;
        }
        if kind != "count" && a.target.is_none() {
            self.diags.push(
                Diagnostic::new(Code::BadAggregate, sp, format!("`{kind}` needs a target"))
                    .label(format!("write `{kind} x : {{ ... }}`")),
            );
            return None;
        }
        // One atom of variables, wildcards and constants aggregated over
        // directly; anything else through a helper relation.
        let direct = match a.body.as_slice() {
            [Lit::Atom(atom)] if kind != "mean" => {
                let simple = atom.args.iter().all(|x| {
                    matches!(
                        x.kind,
                        ArgKind::Var(_)
                            | ArgKind::Wild
                            | ArgKind::Int(_)
                            | ArgKind::Str(_)
                            | ArgKind::Unsigned(_)
                            | ArgKind::Float(_)
                    )
                });
                let target_in_atom = match &target_var {
                    None => a.target.is_none(),
                    Some(v) => atom
                        .args
                        .iter()
                        .any(|x| matches!(&x.kind, ArgKind::Var(w) if w == v)),
                };
                (simple && target_in_atom).then_some(atom)
            }
            _ => None,
        };
        let (atom, var) = match direct {
            Some(atom) => {
                let atom = self.atom(atom, items, &inner_types)?;
                (atom, target_var.map(|v| ident(&v, sp)))
            }
            None => self.helper(a, &inner_types)?,
        };
        let agg = |kind: &str, var: Option<Ident>, atom: ast::Atom| ast::Aggregate {
            kind: ident(kind, a.kind.span),
            var,
            atom,
            span: sp,
        };
        let result = self.fresh("agg");
        if kind == "mean" {
            let (s, c) = (self.fresh("sum"), self.fresh("count"));
            // Counted without reading the target.
            let mut counted = atom.clone();
            for x in &mut counted.args {
                if matches!((&x.kind, &var), (ExprKind::Var(n), Some(t)) if *n == t.name) {
                    x.kind = ExprKind::Wildcard;
                }
            }
            items.push(Item::Agg(s.clone(), agg("sum", var, atom), sp));
            items.push(Item::Agg(c.clone(), agg("count", None, counted), sp));
            let v = |n: &str| expr(ExprKind::Var(n.into()), sp);
            items.push(Item::Cond(binary(BinaryOp::Gt, v(&c), int(0, sp), sp)));
            let float_target =
                a.target.as_ref().and_then(|t| type_of(t, &inner_types)) == Some(Base::Float);
            let sum = if float_target {
                v(&s)
            } else {
                expr(ExprKind::Call(ident("to_float", sp), vec![v(&s)]), sp)
            };
            let count = expr(ExprKind::Call(ident("to_float", sp), vec![v(&c)]), sp);
            items.push(Item::Eq(
                v(&result),
                binary(BinaryOp::Div, sum, count, sp),
                sp,
            ));
            return Some(v(&result));
        }
        items.push(Item::Agg(result.clone(), agg(kind, var, atom), sp));
        Some(expr(ExprKind::Var(result), sp))
    }

    /// A private relation holding every binding of an aggregate's body
    /// (and the target's value): the aggregate reads it as one atom.
    fn helper(
        &mut self,
        a: &s::Aggregate,
        inner_types: &HashMap<String, Base>,
    ) -> Option<(ast::Atom, Option<Ident>)> {
        let sp = a.span;
        // A body with one atom (and conditions) counts the atom's tuples,
        // as Soufflé evaluates it in place: its wildcards become columns
        // too. Bodies of several atoms Soufflé materialises over their
        // variables, as the helper does.
        let mut body = a.body.clone();
        let atoms = body
            .iter()
            .filter(|l| matches!(l, Lit::Atom(_) | Lit::Neg(_)))
            .count();
        if atoms == 1 {
            for lit in &mut body {
                if let Lit::Atom(only) = lit {
                    for x in &mut only.args {
                        if matches!(x.kind, ArgKind::Wild) {
                            x.kind = ArgKind::Var(self.fresh("w"));
                        }
                    }
                }
            }
        }
        let a = &s::Aggregate {
            kind: a.kind.clone(),
            target: a.target.clone(),
            body,
            span: a.span,
        };
        // Columns: the variables the body binds, in order of appearance,
        // then the target's value.
        let mut cols: Vec<String> = Vec::new();
        let push = |v: &str, cols: &mut Vec<String>| {
            if !cols.iter().any(|c| c == v) {
                cols.push(v.to_string());
            }
        };
        for lit in &a.body {
            match lit {
                Lit::Atom(at) => {
                    for x in &at.args {
                        arg_vars(x, &mut |v| push(v, &mut cols));
                    }
                }
                Lit::Cmp("=", l, r, _) => {
                    for side in [l, r] {
                        if let ArgKind::Var(v) = &side.kind {
                            push(v, &mut cols);
                        }
                    }
                }
                _ => {}
            }
        }
        // Outer variables the body only tests: the outer atoms that bind
        // them join the helper's body.
        let mut used = Vec::new();
        for lit in &a.body {
            lit_vars(lit, &mut used);
        }
        let mut extra_lits = Vec::new();
        let outer_only: Vec<String> = used
            .iter()
            .filter(|v| !cols.contains(v) && self.outer.contains(*v))
            .cloned()
            .collect();
        if !outer_only.is_empty() {
            self.unsupported(
                sp,
                &format!(
                    "an aggregate whose body tests the outer variable `{}` without binding it",
                    outer_only[0]
                ),
                "bind the variable inside the aggregate's body with an atom too",
            );
            return None;
        }
        let mut body_lits: Vec<Lit> = a.body.clone();
        body_lits.append(&mut extra_lits);
        let mut var = None;
        if let Some(t) = &a.target {
            match &t.kind {
                ArgKind::Var(v) if cols.contains(v) => var = Some(v.clone()),
                _ => {
                    let tv = self.fresh("target");
                    body_lits.push(Lit::Cmp(
                        "=",
                        s::Arg {
                            kind: ArgKind::Var(tv.clone()),
                            span: t.span,
                        },
                        t.clone(),
                        t.span,
                    ));
                    cols.push(tv.clone());
                    var = Some(tv);
                }
            }
        }
        let name = self.fresh("agg_body");
        let mut types = self.var_types(&body_lits);
        for (k, v) in inner_types {
            types.entry(k.clone()).or_insert(*v);
        }
        let bases: Vec<Base> = cols
            .iter()
            .map(|c| types.get(c).copied().unwrap_or(Base::Number))
            .collect();
        let name_ident = ident(&name, sp);
        self.rels.insert(name.clone(), bases.clone());
        self.items.push(ast::Item::Data(ast::DataDecl {
            private: true,
            name: name_ident.clone(),
            fields: cols
                .iter()
                .zip(&bases)
                .enumerate()
                .map(|(i, (_, b))| ast::FieldDecl {
                    name: ident(&format!("c{i}"), sp),
                    ty: ast::TypeExpr::Named(ident(b.fold_type(), sp)),
                })
                .collect(),
            key: None,
            keep: None,
            broken: false,
            span: sp,
        }));
        let head = s::Atom {
            name: name_ident.clone(),
            args: cols
                .iter()
                .map(|c| s::Arg {
                    kind: ArgKind::Var(c.clone()),
                    span: sp,
                })
                .collect(),
            span: sp,
        };
        self.rule(&head, &body_lits, sp);
        // Joined on the rule's own variables and reading the target; the
        // body's other variables are the helper's business.
        let atom = ast::Atom {
            name: name_ident,
            args: cols
                .iter()
                .map(|c| {
                    if self.outer.contains(c) || var.as_ref() == Some(c) {
                        expr(ExprKind::Var(c.clone()), sp)
                    } else {
                        expr(ExprKind::Wildcard, sp)
                    }
                })
                .collect(),
            span: sp,
        };
        Some((atom, var.map(|v| ident(&v, sp))))
    }
}

/// The search block of a lifecycle rule: steps in order, each `if` or
/// `for` holding the rest, the head found innermost.
fn search(steps: &[Item], head: &ast::Atom, span: Span) -> ast::Block {
    let Some((first, rest)) = steps.split_first() else {
        return ast::Block {
            stmts: vec![ast::Stmt::Find(head.clone())],
            span,
        };
    };
    let inner = || search(rest, head, span);
    let block = |stmts| ast::Block { stmts, span };
    let stmts = match first {
        Item::Cond(c) => vec![ast::Stmt::If(ast::IfStmt {
            cond: c.clone(),
            then: inner(),
            els: None,
            span,
        })],
        Item::Eq(l, r, sp) => match &l.kind {
            ExprKind::Var(v) => {
                let mut stmts = vec![ast::Stmt::Let(ast::Let {
                    var: ident(v, *sp),
                    value: ast::LetValue::Expr(r.clone()),
                    span: *sp,
                })];
                stmts.extend(inner().stmts);
                stmts
            }
            _ => vec![ast::Stmt::If(ast::IfStmt {
                cond: binary(BinaryOp::Eq, l.clone(), r.clone(), *sp),
                then: inner(),
                els: None,
                span,
            })],
        },
        Item::Range(v, args, sp) => {
            let sp = *sp;
            let lo = args[0].clone();
            let hi = args[1].clone();
            let one = int(1, sp);
            let var = ident(v, sp);
            let vx = expr(ExprKind::Var(v.clone()), sp);
            let range = |a: ast::Expr, b: ast::Expr| {
                expr(ExprKind::Call(ident("range", sp), vec![a, b]), sp)
            };
            let for_in = |iter: ast::Expr, body: ast::Block| {
                ast::Stmt::For(ast::ForStmt {
                    var: var.clone(),
                    iter,
                    body,
                    span: sp,
                })
            };
            let if_ = |cond: ast::Expr, then: ast::Block, els: Option<ast::Block>| {
                ast::Stmt::If(ast::IfStmt {
                    cond,
                    then,
                    els,
                    span: sp,
                })
            };
            // Upwards from lo below hi, or downwards from lo above hi.
            let up_iter = range(lo.clone(), hi.clone());
            let down_iter = range(
                binary(BinaryOp::Add, hi.clone(), one.clone(), sp),
                binary(BinaryOp::Add, lo.clone(), one.clone(), sp),
            );
            match args.get(2) {
                None => vec![if_(
                    binary(BinaryOp::Le, lo.clone(), hi.clone(), sp),
                    block(vec![for_in(up_iter, inner())]),
                    Some(block(vec![for_in(down_iter, inner())])),
                )],
                Some(step) => {
                    let zero = int(0, sp);
                    let on_step = |from: ast::Expr| {
                        binary(
                            BinaryOp::Eq,
                            binary(BinaryOp::Rem, from, step.clone(), sp),
                            zero.clone(),
                            sp,
                        )
                    };
                    let up = for_in(
                        up_iter,
                        block(vec![if_(
                            on_step(binary(BinaryOp::Sub, vx.clone(), lo.clone(), sp)),
                            inner(),
                            None,
                        )]),
                    );
                    let down = for_in(
                        down_iter,
                        block(vec![if_(
                            on_step(binary(BinaryOp::Sub, lo.clone(), vx.clone(), sp)),
                            inner(),
                            None,
                        )]),
                    );
                    let mut only = vec![ast::Stmt::Let(ast::Let {
                        var: var.clone(),
                        value: ast::LetValue::Expr(lo.clone()),
                        span: sp,
                    })];
                    only.extend(inner().stmts);
                    vec![if_(
                        binary(BinaryOp::Gt, step.clone(), zero.clone(), sp),
                        block(vec![up]),
                        Some(block(vec![if_(
                            binary(BinaryOp::Lt, step.clone(), zero.clone(), sp),
                            block(vec![down]),
                            Some(block(vec![if_(
                                binary(BinaryOp::Ne, lo.clone(), hi.clone(), sp),
                                block(only),
                                None,
                            )])),
                        )])),
                    )]
                }
            }
        }
        _ => inner().stmts,
    };
    block(stmts)
}

fn unreachable_range() -> BodyItem {
    // `emit` sends rules with a range to `lifecycle`.
    BodyItem::Expr(expr(ExprKind::Error, Span::default()))
}

fn ident(name: &str, span: Span) -> Ident {
    Ident {
        name: name.to_string(),
        span,
    }
}

fn expr(kind: ExprKind, span: Span) -> ast::Expr {
    ast::Expr { kind, span }
}

fn int(v: i64, span: Span) -> ast::Expr {
    expr(ExprKind::Int(v), span)
}

fn binary(op: BinaryOp, l: ast::Expr, r: ast::Expr, span: Span) -> ast::Expr {
    expr(ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
}

fn to_int(e: ast::Expr, span: Span) -> ast::Expr {
    expr(ExprKind::Call(ident("to_int", span), vec![e]), span)
}

fn atom_expr(a: ast::Atom) -> ast::Expr {
    expr(ExprKind::Call(a.name, a.args), a.span)
}

/// The variables of a fold expression.
fn vars(e: &ast::Expr, out: &mut HashSet<String>) {
    match &e.kind {
        ExprKind::Var(v) => {
            out.insert(v.clone());
        }
        ExprKind::Unary(_, a) => vars(a, out),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            vars(a, out);
            vars(b, out);
        }
        ExprKind::Call(_, args) | ExprKind::List(args) => args.iter().for_each(|a| vars(a, out)),
        ExprKind::Slice(a, b, c) => {
            vars(a, out);
            for x in [b, c].into_iter().flatten() {
                vars(x, out);
            }
        }
        _ => {}
    }
}

fn all_bound(e: &ast::Expr, bound: &HashSet<String>) -> bool {
    let mut vs = HashSet::new();
    vars(e, &mut vs);
    vs.iter().all(|v| bound.contains(v))
}

/// `e` is a variable not yet bound: its name.
fn free_var(e: &ast::Expr, bound: &HashSet<String>) -> Option<String> {
    match &e.kind {
        ExprKind::Var(v) if !bound.contains(v) => Some(v.clone()),
        _ => None,
    }
}

/// The variables of a Soufflé argument (aggregates' bodies included).
fn arg_vars(a: &s::Arg, f: &mut dyn FnMut(&str)) {
    match &a.kind {
        ArgKind::Var(v) => f(v),
        ArgKind::Unary(_, x) => arg_vars(x, f),
        ArgKind::Binary(_, x, y) => {
            arg_vars(x, f);
            arg_vars(y, f);
        }
        ArgKind::Call(_, xs) => xs.iter().for_each(|x| arg_vars(x, f)),
        ArgKind::Aggregate(agg) => {
            if let Some(t) = &agg.target {
                arg_vars(t, f);
            }
            let mut inner = Vec::new();
            agg.body.iter().for_each(|l| lit_vars(l, &mut inner));
            inner.iter().for_each(|v| f(v));
        }
        _ => {}
    }
}

fn lit_vars(l: &Lit, out: &mut Vec<String>) {
    let mut push = |v: &str| {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    match l {
        Lit::Atom(a) | Lit::Neg(a) => a.args.iter().for_each(|x| arg_vars(x, &mut push)),
        Lit::Cmp(_, x, y, _) => {
            arg_vars(x, &mut push);
            arg_vars(y, &mut push);
        }
        Lit::Pred(x) => arg_vars(x, &mut push),
        Lit::Bool(..) => {}
        Lit::Paren(d, _) => {
            for c in d {
                for l in c {
                    let mut inner = Vec::new();
                    lit_vars(l, &mut inner);
                    inner.iter().for_each(|v| push(v));
                }
            }
        }
    }
}

/// The primitive type of an argument, where it can be told.
fn type_of(a: &s::Arg, types: &HashMap<String, Base>) -> Option<Base> {
    match &a.kind {
        ArgKind::Var(v) => types.get(v).copied(),
        ArgKind::Int(_) => Some(Base::Number),
        ArgKind::Unsigned(_) => Some(Base::Unsigned),
        ArgKind::Float(_) => Some(Base::Float),
        ArgKind::Str(_) => Some(Base::Symbol),
        ArgKind::Unary(op, x) => match *op {
            "-" => type_of(x, types),
            _ => Some(Base::Number),
        },
        ArgKind::Binary(op, x, y) => match *op {
            "+" | "-" | "*" | "/" | "%" | "^" => type_of(x, types).or_else(|| type_of(y, types)),
            _ => Some(Base::Number),
        },
        ArgKind::Call(f, xs) => match f.name.as_str() {
            "cat" | "substr" | "to_string" => Some(Base::Symbol),
            "strlen" | "to_number" | "ord" => Some(Base::Number),
            "to_unsigned" => Some(Base::Unsigned),
            "to_float" => Some(Base::Float),
            "min" | "max" | "abs" => xs.first().and_then(|x| type_of(x, types)),
            _ => None,
        },
        ArgKind::Aggregate(agg) => match agg.kind.name.as_str() {
            "count" => Some(Base::Number),
            "mean" => Some(Base::Float),
            _ => agg.target.as_ref().and_then(|t| type_of(t, types)),
        },
        ArgKind::Wild => None,
    }
}

/// The positive atoms of a literal, those inside aggregates included
/// (they type the aggregates' variables).
fn collect_atoms<'a>(l: &'a Lit, out: &mut Vec<&'a s::Atom>) {
    fn in_arg<'a>(a: &'a s::Arg, out: &mut Vec<&'a s::Atom>) {
        match &a.kind {
            ArgKind::Unary(_, x) => in_arg(x, out),
            ArgKind::Binary(_, x, y) => {
                in_arg(x, out);
                in_arg(y, out);
            }
            ArgKind::Call(_, xs) => xs.iter().for_each(|x| in_arg(x, out)),
            ArgKind::Aggregate(agg) => agg.body.iter().for_each(|l| collect_atoms(l, out)),
            _ => {}
        }
    }
    match l {
        Lit::Atom(a) => {
            out.push(a);
            a.args.iter().for_each(|x| in_arg(x, out));
        }
        Lit::Neg(a) => a.args.iter().for_each(|x| in_arg(x, out)),
        Lit::Cmp(_, x, y, _) => {
            in_arg(x, out);
            in_arg(y, out);
        }
        Lit::Pred(x) => in_arg(x, out),
        Lit::Bool(..) | Lit::Paren(..) => {}
    }
}

/// The variables of a literal outside aggregates.
fn outer_vars_lit(l: &Lit, out: &mut HashSet<String>) {
    match l {
        Lit::Atom(a) | Lit::Neg(a) => a.args.iter().for_each(|x| outer_vars_arg(x, out)),
        Lit::Cmp(_, x, y, _) => {
            outer_vars_arg(x, out);
            outer_vars_arg(y, out);
        }
        Lit::Pred(x) => outer_vars_arg(x, out),
        Lit::Bool(..) | Lit::Paren(..) => {}
    }
}

fn outer_vars_arg(a: &s::Arg, out: &mut HashSet<String>) {
    match &a.kind {
        ArgKind::Var(v) => {
            out.insert(v.clone());
        }
        ArgKind::Unary(_, x) => outer_vars_arg(x, out),
        ArgKind::Binary(_, x, y) => {
            outer_vars_arg(x, out);
            outer_vars_arg(y, out);
        }
        ArgKind::Call(_, xs) => xs.iter().for_each(|x| outer_vars_arg(x, out)),
        _ => {}
    }
}

/// The keyed form of a subsumption `R(k.., a) <= R(k.., b) :- a op b.`:
/// key positions, `min` or `max`, the compared position.
fn subsumption(sub: &s::Subsume) -> Result<(Vec<usize>, &'static str, usize), String> {
    let (lo, hi) = (&sub.dominated, &sub.dominating);
    if lo.name.name != hi.name.name || lo.args.len() != hi.args.len() {
        return Err("both sides must be the same relation".into());
    }
    let mut keys = Vec::new();
    let mut diff = None;
    for (i, (x, y)) in lo.args.iter().zip(&hi.args).enumerate() {
        match (&x.kind, &y.kind) {
            (ArgKind::Var(a), ArgKind::Var(b)) if a == b => keys.push(i),
            (ArgKind::Var(a), ArgKind::Var(b)) if diff.is_none() => diff = Some((i, a, b)),
            _ => return Err("more than one attribute differs".into()),
        }
    }
    let Some((field, a, b)) = diff else {
        return Err("no attribute differs".into());
    };
    if keys.is_empty() {
        return Err("no attribute is shared".into());
    }
    let cmp = match sub.body.as_deref() {
        Some([conj]) => match conj.as_slice() {
            [Lit::Cmp(op, l, r, _)] => match (&l.kind, &r.kind) {
                (ArgKind::Var(x), ArgKind::Var(y)) if x == a && y == b => *op,
                (ArgKind::Var(x), ArgKind::Var(y)) if x == b && y == a => match *op {
                    "<" => ">",
                    "<=" => ">=",
                    ">" => "<",
                    ">=" => "<=",
                    other => other,
                },
                _ => return Err("the body must compare the two differing values".into()),
            },
            _ => return Err("the body must be one comparison".into()),
        },
        _ => return Err("the body must be one comparison".into()),
    };
    // `a` is dropped when `a cmp b`: dropping the greater keeps the least.
    match cmp {
        ">" | ">=" => Ok((keys, "min", field)),
        "<" | "<=" => Ok((keys, "max", field)),
        _ => Err("the comparison must be `<`, `<=`, `>` or `>=`".into()),
    }
}
