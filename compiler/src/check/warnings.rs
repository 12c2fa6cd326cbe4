//! Warnings: things that are legal but probably not what was meant.

use std::collections::HashSet;

use fold_grammar::ast::{self, ExprKind, Item, Stage, Stmt};

use crate::check::catalog::Catalog;
use crate::check::rule_ir::RuleIr;
use crate::check::scope::VarKind;
use crate::diag::{Code, Diagnostic, Sink};

/// Unused and singleton variables; declarations that change nothing
/// ([`crate::check::no_effect`]); categories never used. With syntax
/// errors, what the broken text used is unknown, so unused categories are
/// not reported then.
pub fn check(
    program: &ast::Program,
    catalog: &Catalog,
    rules: &[RuleIr],
    syntax_ok: bool,
    sink: &mut Sink,
) {
    variables(rules, sink);
    crate::check::no_effect::check(program, sink);
    crate::check::private_output::check(program, sink);
    if syntax_ok {
        categories(program, catalog, sink);
    }
}

fn variables(rules: &[RuleIr], sink: &mut Sink) {
    for rule in rules {
        for var in &rule.vars {
            if var.uses > 0 || var.name.starts_with('_') {
                continue;
            }
            match var.kind {
                VarKind::Atom | VarKind::AggLocal => sink.push(
                    Diagnostic::new(
                        Code::SingletonVariable,
                        var.span,
                        format!("`{}` occurs only once in rule `{}`", var.name, rule.name),
                    )
                    .label("never used again")
                    .help(format!(
                        "if any value will do, write `_`; if it should join with another atom, check the spelling (or name it `_{}`)",
                        var.name
                    )),
                ),
                VarKind::Let | VarKind::For => sink.push(
                    Diagnostic::new(
                        Code::UnusedVariable,
                        var.span,
                        format!("`{}` is bound but never used", var.name),
                    )
                    .label("unused")
                    .help(format!("remove it, or name it `_{}` to keep it", var.name)),
                ),
                VarKind::Temp => {}
            }
        }
    }
}

fn categories(program: &ast::Program, catalog: &Catalog, sink: &mut Sink) {
    let mut mentioned = HashSet::new();
    for item in &program.items {
        mentions(item, &mut mentioned);
    }
    for info in &catalog.cats {
        let name = &info.category.name;
        if !mentioned.contains(name.as_str()) {
            sink.push(
                Diagnostic::new(
                    Code::UnusedCategory,
                    info.name_span,
                    format!("category `{name}` is never used"),
                )
                .label("declared but not read, found, input or output")
                .help("remove it, or use it in a rule"),
            );
        }
    }
}

/// Every category name an item mentions (atoms, inputs, outputs, examples).
fn mentions<'a>(item: &'a Item, out: &mut HashSet<&'a str>) {
    match item {
        Item::Data(_) | Item::Error(_) => {}
        Item::Input(i) => {
            out.insert(&i.category.name);
        }
        Item::Output(o) => {
            out.insert(&o.category.name);
        }
        Item::Example(e) => {
            out.insert(&e.rule.name);
            for a in e.given.iter().chain(&e.expected) {
                out.insert(&a.name.name);
            }
        }
        Item::Clause(c) => {
            out.insert(&c.head.name.name);
            for b in &c.body {
                match b {
                    ast::BodyItem::Expr(e) => expr_mentions(e, out),
                    ast::BodyItem::Assign(l, r, _) => {
                        expr_mentions(l, out);
                        let_mentions(r, out);
                    }
                }
            }
        }
        Item::Rule(r) => {
            for s in &r.stages {
                match s {
                    Stage::On(a) | Stage::Find(a) => {
                        out.insert(&a.name.name);
                    }
                    Stage::Friends(list, _) => {
                        for f in list {
                            out.insert(&f.atom.name.name);
                        }
                    }
                    Stage::Let(l) => let_mentions(&l.value, out),
                    Stage::Search(b) => block_mentions(b, out),
                    Stage::AbortWhen(_) | Stage::Priority(_) => {}
                }
            }
        }
    }
}

fn let_mentions<'a>(v: &'a ast::LetValue, out: &mut HashSet<&'a str>) {
    if let ast::LetValue::Aggregate(a) = v {
        out.insert(&a.atom.name.name);
    }
}

fn block_mentions<'a>(b: &'a ast::Block, out: &mut HashSet<&'a str>) {
    for s in &b.stmts {
        match s {
            Stmt::Find(a) => {
                out.insert(&a.name.name);
            }
            Stmt::If(i) => {
                block_mentions(&i.then, out);
                if let Some(e) = &i.els {
                    block_mentions(e, out);
                }
            }
            Stmt::For(f) => block_mentions(&f.body, out),
            Stmt::Let(l) => let_mentions(&l.value, out),
            Stmt::Error(_) => {}
        }
    }
}

fn expr_mentions<'a>(e: &'a ast::Expr, out: &mut HashSet<&'a str>) {
    match &e.kind {
        ExprKind::Call(f, args) => {
            out.insert(&f.name);
            args.iter().for_each(|a| expr_mentions(a, out));
        }
        ExprKind::Unary(_, a) => expr_mentions(a, out),
        _ => {}
    }
}
