//! The Datalog form: `head :- body.`, sugar for the lifecycle form.
//!
//! The first positive atom is the `on` atom, the others are friends; a
//! negated atom is a negated friend; `y = expr` with `y` bound by no atom
//! is a `let`; every other item is a condition, placed by lowering at the
//! earliest stage where its variables are bound. Unlike stages, body items
//! bind regardless of the order they are written in.

use std::collections::HashSet;

use fold_grammar::ast::{self, BodyItem, ExprKind, UnaryOp};
use fold_runtime::plan::RuleForm;

use crate::check::catalog::Catalog;
use crate::check::rule_ir::{Builder, RuleIr, SeqItem};
use crate::check::scope::VarKind;
use crate::check::typeck::{negate, Use};
use crate::diag::{Code, Diagnostic, Sink};

/// One body item, classified.
enum Item<'a> {
    Atom(ast::Atom),
    Not(ast::Atom),
    Cond(&'a ast::Expr),
    Let(ast::Ident, &'a ast::Expr),
    Aggregate(ast::Ident, &'a ast::Aggregate),
    /// `lhs = rhs` where `lhs` is bound: an equality test.
    Equal(&'a ast::Expr, &'a ast::Expr),
}

pub fn build(
    clause: &ast::Clause,
    line: u32,
    catalog: &Catalog,
    sink: &mut Sink,
) -> Option<RuleIr> {
    let mut b = Builder::new(catalog, sink);
    let items = classify(clause, catalog);
    if !items.iter().any(|i| matches!(i, Item::Atom(_))) {
        let d = Diagnostic::new(
            Code::NoPositiveAtom,
            clause.span,
            "this rule has no positive atom, so no fact can ever trigger it",
        )
        .label("nothing to react to")
        .help("add a positive atom to the body; for an unconditional fact, write it without `:-`");
        b.error(d);
        return None;
    }

    // Pass 1: positive atoms bind their variables, in any order.
    let mut atom_items = Vec::new();
    for item in &items {
        if let Item::Atom(atom) = item {
            if let Some(index) = b.binding_atom(atom, true) {
                atom_items.push((index, atom));
            }
        }
    }

    // Pass 2: lets, conditions, negations and aggregates, each as soon as
    // what it reads is bound (lets may depend on each other in any order).
    let will_bind: HashSet<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Let(v, _) | Item::Aggregate(v, _) => Some(v.name.as_str()),
            _ => None,
        })
        .collect();
    let mut pending: Vec<&Item> = items
        .iter()
        .filter(|i| !matches!(i, Item::Atom(_)))
        .collect();
    loop {
        let before = pending.len();
        let mut rest = Vec::new();
        for item in pending {
            if ready(&b, item, &will_bind) {
                process(&mut b, item);
            } else {
                rest.push(item);
            }
        }
        pending = rest;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    // What is still pending reads a variable nothing binds: checking it
    // reports exactly that.
    for item in pending {
        process(&mut b, item);
    }
    for (index, atom) in atom_items {
        b.finish_atom_exprs(index, atom);
    }
    let find = b.find(&clause.head);
    let name = format!("{}@{line}", clause.head.name.name);
    b.finish(
        name,
        RuleForm::Datalog,
        clause.span,
        None,
        find.into_iter().collect(),
    )
}

fn classify<'a>(clause: &'a ast::Clause, catalog: &Catalog) -> Vec<Item<'a>> {
    // Unknown names count as atoms, so a misspelt category is reported as
    // an unknown category rather than an unknown function.
    let is_category = |name: &ast::Ident| {
        catalog.lookup(&name.name).is_some() || fold_stdlib::overloads(&name.name).is_empty()
    };
    let mut items = Vec::new();
    for body in &clause.body {
        match body {
            BodyItem::Expr(e) => match &e.kind {
                ExprKind::Call(name, args) if is_category(name) => {
                    items.push(Item::Atom(atom(name, args, e)))
                }
                ExprKind::Unary(UnaryOp::Not, inner) => match &inner.kind {
                    ExprKind::Call(name, args) if is_category(name) => {
                        items.push(Item::Not(atom(name, args, e)))
                    }
                    _ => items.push(Item::Cond(e)),
                },
                _ => items.push(Item::Cond(e)),
            },
            BodyItem::Assign(lhs, rhs, _) => {
                let var = match &lhs.kind {
                    ExprKind::Var(name) if !bound_by_atom(clause, catalog, name) => {
                        Some(ast::Ident {
                            name: name.clone(),
                            span: lhs.span,
                        })
                    }
                    _ => None,
                };
                match (var, rhs) {
                    (Some(v), ast::LetValue::Expr(e)) => items.push(Item::Let(v, e)),
                    (Some(v), ast::LetValue::Aggregate(a)) => items.push(Item::Aggregate(v, a)),
                    (None, ast::LetValue::Expr(e)) => items.push(Item::Equal(lhs, e)),
                    (None, ast::LetValue::Aggregate(a)) => {
                        let name = match &lhs.kind {
                            ExprKind::Var(n) => n.clone(),
                            _ => String::from("_"),
                        };
                        // `aggregate` reports a bound name as bound twice.
                        items.push(Item::Aggregate(
                            ast::Ident {
                                name,
                                span: lhs.span,
                            },
                            a,
                        ))
                    }
                }
            }
        }
    }
    items
}

fn atom(name: &ast::Ident, args: &[ast::Expr], whole: &ast::Expr) -> ast::Atom {
    ast::Atom {
        name: name.clone(),
        args: args.to_vec(),
        span: whole.span,
    }
}

fn bound_by_atom(clause: &ast::Clause, catalog: &Catalog, name: &str) -> bool {
    clause.body.iter().any(|item| match item {
        BodyItem::Expr(e) => match &e.kind {
            ExprKind::Call(f, args) if catalog.lookup(&f.name).is_some() => args
                .iter()
                .any(|a| matches!(&a.kind, ExprKind::Var(v) if v == name)),
            _ => false,
        },
        BodyItem::Assign(..) => false,
    })
}

fn ready(b: &Builder, item: &Item, will_bind: &HashSet<&str>) -> bool {
    let mut names = Vec::new();
    match item {
        Item::Atom(_) => return true,
        Item::Not(atom) => atom.args.iter().for_each(|a| free_vars(a, &mut names)),
        Item::Cond(e) => free_vars(e, &mut names),
        Item::Let(_, e) => free_vars(e, &mut names),
        Item::Equal(l, r) => {
            free_vars(l, &mut names);
            free_vars(r, &mut names);
        }
        Item::Aggregate(_, agg) => {
            // Variables of an aggregate's atom that something outside binds
            // are inputs; the others are local to the aggregate.
            let mut inner = Vec::new();
            agg.atom.args.iter().for_each(|a| free_vars(a, &mut inner));
            names.extend(inner.into_iter().filter(|n| will_bind.contains(n.as_str())));
        }
    }
    names.iter().all(|n| b.scope.lookup(n).is_some())
}

fn process(b: &mut Builder, item: &Item) {
    match item {
        Item::Atom(_) => {}
        Item::Not(atom) => b.negation(atom),
        Item::Cond(e) => {
            if let Some(cond) = b.condition(e, Use::Condition) {
                b.seq.push(SeqItem::Abort { cond: negate(cond) });
            }
        }
        Item::Equal(l, r) => {
            let left = b.expr(l, None, Use::Condition);
            let right = match &left {
                Some((_, t)) => b.expr(r, Some(t), Use::Condition),
                None => b.expr(r, None, Use::Condition),
            };
            if let (Some((l, t)), Some((r, _))) = (left, right) {
                let ne = fold_runtime::plan::Expr::Binary(
                    fold_runtime::plan::BinOp::Cmp(fold_runtime::plan::CmpOp::Ne, t),
                    Box::new(l),
                    Box::new(r),
                );
                b.seq.push(SeqItem::Abort { cond: ne });
            }
        }
        Item::Let(var, e) => {
            let Some((expr, ty)) = b.expr(e, None, Use::Let) else {
                b.scope.poison(&var.name);
                return;
            };
            if b.scope.lookup(&var.name).is_some() {
                b.already_bound(var);
                return;
            }
            let slot = b.scope.bind(&var.name, ty, var.span, VarKind::Let);
            b.seq.push(SeqItem::Let { slot, expr });
        }
        Item::Aggregate(var, agg) => b.aggregate(var, agg),
    }
}

/// Variable names in an AST expression.
fn free_vars(e: &ast::Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Var(n) => out.push(n.clone()),
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|i| free_vars(i, out))
        }
        ExprKind::Unary(_, a) => free_vars(a, out),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            free_vars(a, out);
            free_vars(b, out);
        }
        ExprKind::Slice(a, lo, hi) => {
            free_vars(a, out);
            if let Some(lo) = lo {
                free_vars(lo, out);
            }
            if let Some(hi) = hi {
                free_vars(hi, out);
            }
        }
        _ => {}
    }
}
