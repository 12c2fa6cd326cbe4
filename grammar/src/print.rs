//! Printable forms of the front end's stages (`foldc emit tokens|ast`).
//!
//! The AST is printed as an indented tree with byte spans; expressions are
//! fully parenthesised so precedence is visible. Output is deterministic
//! and snapshot-tested.

use std::fmt::Write;

use crate::ast::*;
use crate::token::Spanned;

/// One token per line: `line:col  token`.
pub fn tokens(src: &str, tokens: &[Spanned]) -> String {
    let index = LineIndex::new(src);
    let mut out = String::new();
    for (l, tok, r) in tokens {
        let (line, col) = index.line_col(*l);
        let _ = writeln!(out, "{line}:{col}\t{tok}\t{:?}", &src[*l..*r]);
    }
    out
}

/// The AST as an indented tree.
pub fn program(p: &Program) -> String {
    let mut pr = Printer::default();
    for item in &p.items {
        pr.item(item);
    }
    pr.out
}

/// An expression in fully parenthesised fold syntax.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e);
    out
}

/// An atom in fold syntax.
pub fn atom(a: &Atom) -> String {
    let mut out = String::new();
    write_atom(&mut out, a);
    out
}

/// Byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

#[derive(Default)]
struct Printer {
    out: String,
    depth: usize,
}

impl Printer {
    fn line(&mut self, text: impl AsRef<str>) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text.as_ref());
        self.out.push('\n');
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Data(d) => {
                let private = if d.private { "private " } else { "" };
                self.line(format!("{private}data {} @{:?}", d.name.name, d.span));
                self.nested(|p| {
                    for f in &d.fields {
                        p.line(format!("field {}: {}", f.name.name, type_expr(&f.ty)));
                    }
                    if let Some(k) = &d.key {
                        let names: Vec<&str> = k.fields.iter().map(|f| f.name.as_str()).collect();
                        p.line(format!("key({})", names.join(", ")));
                    }
                    if let Some(k) = &d.keep {
                        p.line(format!("keep {}({})", k.kind.name, k.field.name));
                    }
                });
            }
            Item::Input(i) => self.line(format!(
                "input {} from {:?} @{:?}",
                i.category.name, i.path, i.span
            )),
            Item::Output(o) => self.line(format!("output {} @{:?}", o.category.name, o.span)),
            Item::Rule(r) => {
                self.line(format!("rule {} @{:?}", r.name.name, r.span));
                self.nested(|p| {
                    for s in &r.stages {
                        p.stage(s);
                    }
                });
            }
            Item::Clause(c) => {
                if c.body.is_empty() {
                    self.line(format!("fact {} @{:?}", atom(&c.head), c.span));
                    return;
                }
                self.line(format!("clause {} @{:?}", atom(&c.head), c.span));
                self.nested(|p| {
                    for b in &c.body {
                        match b {
                            BodyItem::Expr(e) => p.line(format!("if {}", expr(e))),
                            BodyItem::Assign(lhs, rhs, _) => {
                                p.line(format!("assign {} = {}", expr(lhs), let_value(rhs)))
                            }
                        }
                    }
                });
            }
            Item::Example(e) => {
                let given: Vec<String> = e.given.iter().map(atom).collect();
                let expected: Vec<String> = e.expected.iter().map(atom).collect();
                self.line(format!(
                    "example {} {} @{:?}",
                    e.rule.name, e.kind.name, e.span
                ));
                self.nested(|p| {
                    p.line(format!("given {}", given.join(", ")));
                    if e.arrow.is_some() {
                        p.line(format!("expect {}", expected.join(", ")));
                    }
                });
            }
            Item::Error(span) => self.line(format!("error @{span:?}")),
        }
    }

    fn stage(&mut self, s: &Stage) {
        match s {
            Stage::On(a) => self.line(format!("on {}", atom(a))),
            Stage::AbortWhen(e) => self.line(format!("abort when {}", expr(e))),
            Stage::Friends(atoms, _) => {
                let list: Vec<String> = atoms.iter().map(friend).collect();
                self.line(format!("friends {}", list.join(", ")));
            }
            Stage::Let(l) => self.line(format!("let {} = {}", l.var.name, let_value(&l.value))),
            Stage::Find(a) => self.line(format!("find {}", atom(a))),
            Stage::Priority(e) => self.line(format!("priority {}", expr(e))),
            Stage::Search(b) => {
                self.line("search");
                self.block(b);
            }
        }
    }

    fn block(&mut self, b: &Block) {
        self.nested(|p| {
            for s in &b.stmts {
                p.stmt(s);
            }
        });
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let(l) => self.line(format!("let {} = {}", l.var.name, let_value(&l.value))),
            Stmt::Find(a) => self.line(format!("find {}", atom(a))),
            Stmt::If(i) => self.if_stmt(i),
            Stmt::For(f) => {
                self.line(format!("for {} in {}", f.var.name, expr(&f.iter)));
                self.block(&f.body);
            }
            Stmt::Error(span) => self.line(format!("error @{span:?}")),
        }
    }

    fn if_stmt(&mut self, i: &IfStmt) {
        self.line(format!("if {}", expr(&i.cond)));
        self.block(&i.then);
        if let Some(els) = &i.els {
            self.line("else");
            self.block(els);
        }
    }
}

fn friend(f: &FriendAtom) -> String {
    let bang = if f.negated { "!" } else { "" };
    format!("{bang}{}", atom(&f.atom))
}

fn let_value(v: &LetValue) -> String {
    match v {
        LetValue::Expr(e) => expr(e),
        LetValue::Aggregate(a) => match &a.var {
            Some(v) => format!("{} {} : {}", a.kind.name, v.name, atom(&a.atom)),
            None => format!("{} {}", a.kind.name, atom(&a.atom)),
        },
    }
}

fn type_expr(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named(i) => i.name.clone(),
        TypeExpr::List(inner, _) => format!("[{}]", type_expr(inner)),
    }
}

fn write_atom(out: &mut String, a: &Atom) {
    out.push_str(&a.name.name);
    out.push('(');
    write_list(out, &a.args);
    out.push(')');
}

fn write_list(out: &mut String, items: &[Expr]) {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, e);
    }
}

fn write_expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Int(v) => {
            let _ = write!(out, "{v}");
        }
        ExprKind::Float(v) => {
            let _ = write!(out, "{v:?}");
        }
        ExprKind::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        ExprKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Var(v) => out.push_str(v),
        ExprKind::Wildcard => out.push('_'),
        ExprKind::List(items) => {
            out.push('[');
            write_list(out, items);
            out.push(']');
        }
        ExprKind::Unary(op, inner) => {
            out.push_str(match op {
                UnaryOp::Neg => "(-",
                UnaryOp::Not => "(!",
            });
            write_expr(out, inner);
            out.push(')');
        }
        ExprKind::Binary(op, a, b) => {
            out.push('(');
            write_expr(out, a);
            let _ = write!(out, " {} ", op.symbol());
            write_expr(out, b);
            out.push(')');
        }
        ExprKind::Call(f, args) => {
            out.push_str(&f.name);
            out.push('(');
            write_list(out, args);
            out.push(')');
        }
        ExprKind::Index(base, i) => {
            write_expr(out, base);
            out.push('[');
            write_expr(out, i);
            out.push(']');
        }
        ExprKind::Slice(base, lo, hi) => {
            write_expr(out, base);
            out.push('[');
            if let Some(lo) = lo {
                write_expr(out, lo);
            }
            out.push_str("..");
            if let Some(hi) = hi {
                write_expr(out, hi);
            }
            out.push(']');
        }
        ExprKind::Error => out.push_str("<error>"),
    }
}
