//! The search block of a lifecycle rule made of a Soufflé rule's steps.

use super::*;

/// The search block of a lifecycle rule: steps in order, each `if` or
/// `for` holding the rest, the head found innermost.
pub(super) fn search(steps: &[Item], head: &ast::Atom, span: Span) -> ast::Block {
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

pub(super) fn unreachable_range() -> BodyItem {
    // `emit` sends rules with a range to `lifecycle`.
    BodyItem::Expr(expr(ExprKind::Error, Span::default()))
}
