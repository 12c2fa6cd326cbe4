//! What a handler needs, decided before any code is made: whether the
//! JIT supports it at all, which parts can fault (only those need a
//! mark to roll back to), and how much scratch space it uses.

use fold_runtime::plan::builtin::MAX_ARGS;
use fold_runtime::plan::{AggKind, BinOp, Bind, Expr, UnOp};
use fold_runtime::plan::{Handler, Op, Source};
use fold_runtime::value::Type;

/// `Err(reason)` when the handler must stay on the interpreter.
pub(super) fn supported(p: &Handler) -> Result<(), String> {
    let mut why = None;
    walk_ops(&p.body, &mut |e| {
        if why.is_none() {
            why = unsupported_expr(e);
        }
    });
    for b in &p.bind {
        if let Bind::Check(e) = b {
            walk_expr(e, &mut |e| {
                if why.is_none() {
                    why = unsupported_expr(e);
                }
            });
        }
    }
    if why.is_none() {
        why = bad_cache(&p.body, p.cache_slots as usize);
    }
    if why.is_none() {
        why = unsupported_aggregate(&p.body);
    }
    why.map_or(Ok(()), Err)
}

/// Aggregates whose meaning needs more than a running word: a float sum
/// (exact, rounded once, so the result does not depend on the order rows
/// were found in) and the min or max of strings or lists (compared by
/// value, not by interned id).
fn unsupported_aggregate(ops: &[Op]) -> Option<String> {
    ops.iter().find_map(|op| match op {
        Op::Aggregate {
            kind: AggKind::Sum,
            ty: Type::Float,
            ..
        } => Some("a float sum is exact, rounded once".to_string()),
        Op::Aggregate {
            kind: AggKind::Min | AggKind::Max,
            ty: ty @ (Type::Str | Type::List(_)),
            ..
        } => Some(format!(
            "a min or max of `{ty}` values compares them by value"
        )),
        Op::Join { body, .. }
        | Op::Search { body }
        | Op::For { body, .. }
        | Op::ForRange { body, .. } => unsupported_aggregate(body),
        Op::If { then, els, .. } => {
            unsupported_aggregate(then).or_else(|| unsupported_aggregate(els))
        }
        _ => None,
    })
}

fn unsupported_expr(e: &Expr) -> Option<String> {
    match e {
        Expr::Call { func, args, .. } if args.len() > MAX_ARGS => Some(format!(
            "`{}` takes {} arguments, more than native calls pass",
            func.name,
            args.len()
        )),
        _ => None,
    }
}

/// A join reusing a categorical lookup that does not exist.
fn bad_cache(ops: &[Op], hits: usize) -> Option<String> {
    for op in ops {
        let inner = match op {
            Op::Join { source, body, .. } => {
                if let Source::Index(k) = source {
                    if k.cached.is_some_and(|h| h as usize >= hits) {
                        return Some("a join reuses a lookup the handler does not make".into());
                    }
                }
                bad_cache(body, hits)
            }
            Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                bad_cache(body, hits)
            }
            Op::If { then, els, .. } => bad_cache(then, hits).or_else(|| bad_cache(els, hits)),
            _ => None,
        };
        if inner.is_some() {
            return inner;
        }
    }
    None
}

/// Whether evaluating `e` can fault.
pub(super) fn expr_can_fault(e: &Expr) -> bool {
    match e {
        Expr::Const(..) | Expr::Slot(_) => false,
        Expr::Unary(UnOp::NegInt, _) => true,
        Expr::Unary(_, a) => expr_can_fault(a),
        Expr::Binary(op, a, b) => {
            matches!(
                op,
                BinOp::AddInt
                    | BinOp::SubInt
                    | BinOp::MulInt
                    | BinOp::DivInt
                    | BinOp::RemInt
                    | BinOp::DivFloat
                    | BinOp::RemFloat
            ) || expr_can_fault(a)
                || expr_can_fault(b)
        }
        Expr::And(a, b) | Expr::Or(a, b) => expr_can_fault(a) || expr_can_fault(b),
        Expr::Call { .. } | Expr::Index(..) | Expr::Slice { .. } => true,
        Expr::List(items) => items.iter().any(expr_can_fault),
    }
}

/// Whether running `ops` can fault (and so needs a mark to roll back to).
pub(super) fn ops_can_fault(ops: &[Op]) -> bool {
    let mut any = false;
    walk_ops(ops, &mut |e| any |= expr_can_fault(e));
    any || ops.iter().any(|op| match op {
        Op::Aggregate {
            kind: AggKind::Sum,
            ty,
            ..
        } => *ty != Type::Float,
        Op::Join { body, .. }
        | Op::Search { body }
        | Op::For { body, .. }
        | Op::ForRange { body, .. } => ops_can_fault(body),
        Op::If { then, els, .. } => ops_can_fault(then) || ops_can_fault(els),
        _ => false,
    })
}

/// Whether binding a row's fields can fault.
pub(super) fn bind_can_fault(bind: &[(usize, Bind)]) -> bool {
    bind.iter().any(|(_, b)| match b {
        Bind::Check(e) => expr_can_fault(e),
        _ => false,
    })
}

/// The most words any key, found fact or list literal of the handler
/// needs in the scratch buffer.
pub(super) fn scratch_words(p: &Handler) -> usize {
    let mut most = 0;
    let mut list = |e: &Expr| {
        if let Expr::List(items) = e {
            most = most.max(items.len());
        }
    };
    walk_ops(&p.body, &mut list);
    for b in &p.bind {
        if let Bind::Check(e) = b {
            walk_expr(e, &mut list);
        }
    }
    fn ops(os: &[Op], most: &mut usize) {
        for op in os {
            match op {
                Op::Categorical { key, .. } => *most = (*most).max(key.exprs.len()),
                Op::Join { source, body, .. } => {
                    if let Source::Index(k) = source {
                        *most = (*most).max(k.exprs.len());
                    }
                    ops(body, most);
                }
                Op::NotExists { source, .. } | Op::Aggregate { source, .. } => {
                    if let Source::Index(k) = source {
                        *most = (*most).max(k.exprs.len());
                    }
                }
                Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                    ops(body, most)
                }
                Op::If { then, els, .. } => {
                    ops(then, most);
                    ops(els, most);
                }
                Op::Find { args, .. } => *most = (*most).max(args.len()),
                Op::Abort { .. } | Op::Let { .. } => {}
            }
        }
    }
    ops(&p.body, &mut most);
    most
}

/// Call `f` on every expression (and subexpression) in `ops`.
pub(super) fn walk_ops(ops: &[Op], f: &mut dyn FnMut(&Expr)) {
    let key = |source: &Source, f: &mut dyn FnMut(&Expr)| {
        if let Source::Index(k) = source {
            k.exprs.iter().for_each(|e| walk_expr(e, f));
        }
    };
    let binds = |bind: &[(usize, Bind)], f: &mut dyn FnMut(&Expr)| {
        for (_, b) in bind {
            if let Bind::Check(e) = b {
                walk_expr(e, f);
            }
        }
    };
    for op in ops {
        match op {
            Op::Categorical { key: k, .. } => k.exprs.iter().for_each(|e| walk_expr(e, f)),
            Op::Abort { cond, .. } => walk_expr(cond, f),
            Op::Let { expr, .. } => walk_expr(expr, f),
            Op::Join {
                source, bind, body, ..
            } => {
                key(source, f);
                binds(bind, f);
                walk_ops(body, f);
            }
            Op::NotExists { source, .. } => key(source, f),
            Op::Aggregate {
                source,
                bind,
                value,
                ..
            } => {
                key(source, f);
                binds(bind, f);
                if let Some(v) = value {
                    walk_expr(v, f);
                }
            }
            Op::Search { body } => walk_ops(body, f),
            Op::If { cond, then, els } => {
                walk_expr(cond, f);
                walk_ops(then, f);
                walk_ops(els, f);
            }
            Op::For { list, body, .. } => {
                walk_expr(list, f);
                walk_ops(body, f);
            }
            Op::ForRange { lo, hi, body, .. } => {
                walk_expr(lo, f);
                walk_expr(hi, f);
                walk_ops(body, f);
            }
            Op::Find { args, .. } => args.iter().for_each(|e| walk_expr(e, f)),
        }
    }
}

/// Call `f` on `e` and every subexpression.
pub(super) fn walk_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Const(..) | Expr::Slot(_) => {}
        Expr::Unary(_, a) => walk_expr(a, f),
        Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Index(a, b) => {
            walk_expr(a, f);
            walk_expr(b, f);
        }
        Expr::Call { args, .. } | Expr::List(args) => args.iter().for_each(|a| walk_expr(a, f)),
        Expr::Slice { base, lo, hi, .. } => {
            walk_expr(base, f);
            lo.iter().chain(hi.iter()).for_each(|a| walk_expr(a, f));
        }
    }
}
