//! Every name in a fold program and what it refers to: categories,
//! rules, variables (scoped to their rule), builtins and fields. Hover,
//! go to definition, references, completion and semantic tokens read
//! this table.

use std::collections::HashMap;

use fold_grammar::ast::*;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sym {
    Category(String),
    Rule(String),
    /// A variable of the rule or clause with this item index.
    Var(usize, String),
    Builtin(String),
    /// A field of a category: (category, field).
    Field(String, String),
}

/// One place a name is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub span: Span,
    pub sym: Sym,
    /// Where it stands (`on`, `friends`, `let`, `head`, `body`, ...).
    pub stage: &'static str,
    /// A declaration or the binding occurrence of a variable.
    pub def: bool,
    /// For a variable written as an argument of a category's atom: that
    /// category and the argument's position (its type is the field's).
    pub field_of: Option<(String, usize)>,
}

/// The names of one program.
#[derive(Default)]
pub struct Symbols {
    pub occurrences: Vec<Occurrence>,
    /// Each category's declaration.
    pub categories: HashMap<String, DataDecl>,
    /// Lifecycle rule names, with their spans.
    pub rules: HashMap<String, Span>,
    /// Per rule or Datalog rule (by item index): its name (`extend`,
    /// `path@7`).
    pub scopes: HashMap<usize, String>,
}

impl Symbols {
    /// The names of `program`, parsed from `src`.
    pub fn build(program: &Program, src: &str) -> Symbols {
        let lines = fold_grammar::print::LineIndex::new(src);
        let mut s = Symbols::default();
        for item in &program.items {
            match item {
                Item::Data(d) => {
                    s.categories
                        .entry(d.name.name.clone())
                        .or_insert_with(|| d.clone());
                }
                Item::Rule(r) => {
                    s.rules.entry(r.name.name.clone()).or_insert(r.name.span);
                }
                _ => {}
            }
        }
        for (index, item) in program.items.iter().enumerate() {
            match item {
                Item::Rule(r) => {
                    s.scopes.insert(index, r.name.name.clone());
                }
                // Named as stats and examples name it.
                Item::Clause(c) if !c.body.is_empty() => {
                    let line = lines.line_col(c.span.start as usize).0;
                    s.scopes
                        .insert(index, format!("{}@{line}", c.head.name.name));
                }
                _ => {}
            }
            Walker {
                s: &mut s,
                scope: index,
                bound: Vec::new(),
            }
            .item(item);
        }
        s.occurrences.sort_by_key(|o| (o.span.start, o.span.end));
        s
    }

    /// The occurrence under byte `offset`.
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.start as usize <= offset && offset <= o.span.end as usize)
    }

    /// Every occurrence of `sym`, in source order.
    pub fn all<'a>(&'a self, sym: &'a Sym) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences.iter().filter(move |o| &o.sym == sym)
    }

    /// Where `sym` is declared (or a variable first bound).
    pub fn definition<'a>(&'a self, sym: &'a Sym) -> Option<&'a Occurrence> {
        self.all(sym)
            .find(|o| o.def)
            .or_else(|| self.all(sym).next())
    }
}

struct Walker<'a> {
    s: &'a mut Symbols,
    scope: usize,
    /// Variables bound so far in this rule.
    bound: Vec<String>,
}

impl Walker<'_> {
    fn push(&mut self, span: Span, sym: Sym, stage: &'static str, def: bool) {
        self.s.occurrences.push(Occurrence {
            span,
            sym,
            stage,
            def,
            field_of: None,
        });
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Data(d) => {
                self.push(
                    d.name.span,
                    Sym::Category(d.name.name.clone()),
                    "data",
                    true,
                );
                let cat = &d.name.name;
                for f in &d.fields {
                    self.push(
                        f.name.span,
                        Sym::Field(cat.clone(), f.name.name.clone()),
                        "data",
                        true,
                    );
                }
                for f in d.key.iter().flat_map(|k| &k.fields) {
                    self.push(
                        f.span,
                        Sym::Field(cat.clone(), f.name.clone()),
                        "key",
                        false,
                    );
                }
                if let Some(k) = &d.keep {
                    self.push(
                        k.field.span,
                        Sym::Field(cat.clone(), k.field.name.clone()),
                        "keep",
                        false,
                    );
                }
            }
            Item::Input(i) => self.category(&i.category, "input"),
            Item::Output(o) => self.category(&o.category, "output"),
            Item::Rule(r) => {
                self.push(r.name.span, Sym::Rule(r.name.name.clone()), "rule", true);
                for stage in &r.stages {
                    match stage {
                        Stage::On(a) => self.atom(a, "on", true),
                        Stage::AbortWhen(e) => self.expr(e, "abort when"),
                        Stage::Friends(atoms, _) => {
                            for f in atoms {
                                self.atom(&f.atom, "friends", !f.negated);
                            }
                        }
                        Stage::Let(l) => self.let_(l, "let"),
                        Stage::Find(a) => self.atom(a, "find", false),
                        Stage::Priority(e) => self.expr(e, "priority"),
                        Stage::Search(b) => self.block(b),
                    }
                }
            }
            Item::Clause(c) => {
                // Body first: it binds what the head uses.
                for b in &c.body {
                    match b {
                        BodyItem::Expr(e) => self.body_expr(e),
                        BodyItem::Assign(lhs, rhs, _) => {
                            self.value(rhs, "body");
                            match &lhs.kind {
                                ExprKind::Var(v) if !self.bound.contains(v) => {
                                    self.bind(lhs.span, v, "body (`=`)", None);
                                }
                                _ => self.expr(lhs, "body"),
                            }
                        }
                    }
                }
                let head_binds = c.body.is_empty();
                self.atom(&c.head, "head", head_binds);
            }
            Item::Example(e) => {
                let name = &e.rule.name;
                let base = name.split('@').next().unwrap_or(name);
                if self.s.rules.contains_key(name) {
                    self.push(e.rule.span, Sym::Rule(name.clone()), "example", false);
                } else if self.s.categories.contains_key(base) {
                    let span = Span::new(
                        e.rule.span.start as usize,
                        e.rule.span.start as usize + base.len(),
                    );
                    self.push(span, Sym::Category(base.to_string()), "example", false);
                }
                for a in e.given.iter().chain(&e.expected) {
                    self.atom(a, "example", false);
                }
            }
            Item::Error(_) => {}
        }
    }

    fn category(&mut self, name: &Ident, stage: &'static str) {
        self.push(name.span, Sym::Category(name.name.clone()), stage, false);
    }

    /// An atom; `binds`: its variables are bound here (a positive atom).
    fn atom(&mut self, a: &Atom, stage: &'static str, binds: bool) {
        self.category(&a.name, stage);
        for (i, arg) in a.args.iter().enumerate() {
            match &arg.kind {
                ExprKind::Var(v) if binds && !self.bound.contains(v) => {
                    self.bind(arg.span, v, stage, Some((a.name.name.clone(), i)));
                }
                ExprKind::Var(v) => {
                    self.s.occurrences.push(Occurrence {
                        span: arg.span,
                        sym: Sym::Var(self.scope, v.clone()),
                        stage,
                        def: false,
                        field_of: Some((a.name.name.clone(), i)),
                    });
                }
                _ => self.expr(arg, stage),
            }
        }
    }

    fn bind(
        &mut self,
        span: Span,
        v: &str,
        stage: &'static str,
        field_of: Option<(String, usize)>,
    ) {
        self.bound.push(v.to_string());
        self.s.occurrences.push(Occurrence {
            span,
            sym: Sym::Var(self.scope, v.to_string()),
            stage,
            def: true,
            field_of,
        });
    }

    /// A Datalog body item: an atom (binding, or negated) or a condition.
    fn body_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Call(f, args) if self.s.categories.contains_key(&f.name) => {
                let atom = Atom {
                    name: f.clone(),
                    args: args.clone(),
                    span: e.span,
                };
                self.atom(&atom, "body", true);
            }
            ExprKind::Unary(UnaryOp::Not, inner) => match &inner.kind {
                ExprKind::Call(f, args) if self.s.categories.contains_key(&f.name) => {
                    let atom = Atom {
                        name: f.clone(),
                        args: args.clone(),
                        span: inner.span,
                    };
                    self.atom(&atom, "body (negated)", false);
                }
                _ => self.expr(e, "body"),
            },
            _ => self.expr(e, "body"),
        }
    }

    fn let_(&mut self, l: &Let, stage: &'static str) {
        self.value(&l.value, stage);
        self.bind(l.var.span, &l.var.name, stage, None);
    }

    fn value(&mut self, v: &LetValue, stage: &'static str) {
        match v {
            LetValue::Expr(e) => self.expr(e, stage),
            LetValue::Aggregate(a) => {
                // The aggregate's atom binds its own variables, locally.
                let saved = self.bound.len();
                self.atom(&a.atom, stage, true);
                if let Some(var) = &a.var {
                    self.push(
                        var.span,
                        Sym::Var(self.scope, var.name.clone()),
                        stage,
                        false,
                    );
                }
                self.bound.truncate(saved);
            }
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            match s {
                Stmt::Let(l) => self.let_(l, "search (`let`)"),
                Stmt::Find(a) => self.atom(a, "search (`find`)", false),
                Stmt::If(i) => {
                    self.expr(&i.cond, "search (`if`)");
                    self.block(&i.then);
                    if let Some(e) = &i.els {
                        self.block(e);
                    }
                }
                Stmt::For(f) => {
                    self.expr(&f.iter, "search (`for`)");
                    self.bind(f.var.span, &f.var.name, "search (`for`)", None);
                    self.block(&f.body);
                }
                Stmt::Error(_) => {}
            }
        }
    }

    fn expr(&mut self, e: &Expr, stage: &'static str) {
        match &e.kind {
            ExprKind::Var(v) => {
                self.push(e.span, Sym::Var(self.scope, v.clone()), stage, false);
            }
            ExprKind::List(items) => items.iter().for_each(|i| self.expr(i, stage)),
            ExprKind::Unary(_, inner) => self.expr(inner, stage),
            ExprKind::Binary(_, a, b) => {
                self.expr(a, stage);
                self.expr(b, stage);
            }
            ExprKind::Call(f, args) => {
                if self.s.categories.contains_key(&f.name) {
                    self.category(f, stage);
                } else {
                    self.push(f.span, Sym::Builtin(f.name.clone()), stage, false);
                }
                args.iter().for_each(|a| self.expr(a, stage));
            }
            ExprKind::Index(a, b) => {
                self.expr(a, stage);
                self.expr(b, stage);
            }
            ExprKind::Slice(a, lo, hi) => {
                self.expr(a, stage);
                lo.iter().chain(hi.iter()).for_each(|x| self.expr(x, stage));
            }
            _ => {}
        }
    }
}
