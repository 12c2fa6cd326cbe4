//! The search body of a rule: `let`, `if`, `for` and `find`, as plan ops.

use fold_grammar::ast::{self, ExprKind};
use fold_runtime::plan::Op;
use fold_runtime::value::Type;

use crate::check::rule_ir::Builder;
use crate::check::scope::VarKind;
use crate::check::typeck::Use;
use crate::diag::{Code, Diagnostic};

/// Check a `search { ... }` block; variables it binds are local to it.
pub fn block(b: &mut Builder, block: &ast::Block) -> Vec<Op> {
    let mark = b.scope.enter();
    let mut ops = Vec::with_capacity(block.stmts.len());
    for stmt in &block.stmts {
        if let Some(op) = statement(b, stmt) {
            ops.push(op);
        }
    }
    b.scope.leave(mark);
    ops
}

fn statement(b: &mut Builder, stmt: &ast::Stmt) -> Option<Op> {
    match stmt {
        ast::Stmt::Let(l) => {
            let e = match &l.value {
                ast::LetValue::Expr(e) => e,
                ast::LetValue::Aggregate(agg) => {
                    let d = Diagnostic::new(
                        Code::BadAggregate,
                        agg.span,
                        "aggregates are stages of a rule, not statements of its search",
                    )
                    .label("inside `search`")
                    .help(format!(
                        "move `let {} = ...` before `search`, among the rule's stages",
                        l.var.name
                    ));
                    b.error(d);
                    return None;
                }
            };
            let Some((expr, ty)) = b.expr(e, None, Use::Let) else {
                b.scope.poison(&l.var.name);
                return None;
            };
            if b.scope.lookup(&l.var.name).is_some() {
                b.already_bound(&l.var);
                return None;
            }
            let slot = b.scope.bind(&l.var.name, ty, l.var.span, VarKind::Let);
            Some(Op::Let { slot, expr })
        }
        ast::Stmt::Find(atom) => b.find(atom),
        ast::Stmt::If(i) => if_stmt(b, i),
        ast::Stmt::For(f) => for_stmt(b, f),
        ast::Stmt::Error(_) => {
            b.failed = true;
            None
        }
    }
}

fn if_stmt(b: &mut Builder, i: &ast::IfStmt) -> Option<Op> {
    let cond = b.condition(&i.cond, Use::Condition);
    let then = block(b, &i.then);
    let els = i.els.as_ref().map(|e| block(b, e)).unwrap_or_default();
    Some(Op::If {
        cond: cond?,
        then,
        els,
    })
}

fn for_stmt(b: &mut Builder, f: &ast::ForStmt) -> Option<Op> {
    // A `for` binds its variable as `let` does: never one already bound.
    if b.scope.lookup(&f.var.name).is_some() {
        b.already_bound(&f.var);
        return None;
    }
    // `for x in range(lo, hi)` counts without building the list.
    if let ExprKind::Call(name, args) = &f.iter.kind {
        if name.name == "range" && args.len() == 2 {
            let lo = b.expr(&args[0], Some(&Type::Int), Use::Iterate);
            let hi = b.expr(&args[1], Some(&Type::Int), Use::Iterate);
            let mark = b.scope.enter();
            let slot = b
                .scope
                .bind(&f.var.name, Type::Int, f.var.span, VarKind::For);
            let body = block(b, &f.body);
            b.scope.leave(mark);
            return Some(Op::ForRange {
                slot,
                lo: lo?.0,
                hi: hi?.0,
                body,
            });
        }
    }
    let (list, ty) = b.expr(&f.iter, None, Use::Iterate)?;
    let Type::List(elem) = ty else {
        let d = Diagnostic::new(
            Code::TypeMismatch,
            f.iter.span,
            format!("`for` iterates over a list, not `{ty}`"),
        )
        .label(format!("this is `{ty}`"))
        .help(if ty == Type::Str {
            "split a string first, e.g. `for w in words(text)` or `for c in split(text, \"\")`"
        } else {
            "use a list, or `range(lo, hi)` for numbers"
        });
        b.error(d);
        return None;
    };
    let elem = *elem;
    let mark = b.scope.enter();
    let slot = b
        .scope
        .bind(&f.var.name, elem.clone(), f.var.span, VarKind::For);
    let body = block(b, &f.body);
    b.scope.leave(mark);
    Some(Op::For {
        slot,
        elem,
        list,
        body,
    })
}
