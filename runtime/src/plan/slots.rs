//! Which slots a piece of a handler reads: what decides whether a join
//! is only an existence check ([`Op::Join`]'s `exists`), for lowering,
//! which sets the flag, and for [`super::verify`], which checks it.

use super::{Bind, Expr, Key, Op, Slot, Source};

/// Mark in `read` (indexed by slot; grown as needed) every slot that `ops`
/// read: in conditions, keys, checks of bound fields, `let` values, loop
/// bounds and found facts, at any depth.
pub fn ops_read(ops: &[Op], read: &mut Vec<bool>) {
    for op in ops {
        match op {
            Op::Categorical { key, .. } => key_read(key, read),
            Op::Abort { cond, .. } => expr_read(cond, read),
            Op::Let { expr, .. } => expr_read(expr, read),
            Op::Join {
                source, bind, body, ..
            } => {
                source_read(source, read);
                binds_read(bind, read);
                ops_read(body, read);
            }
            Op::NotExists { source, .. } => source_read(source, read),
            Op::Aggregate {
                source,
                bind,
                value,
                ..
            } => {
                source_read(source, read);
                binds_read(bind, read);
                if let Some(v) = value {
                    expr_read(v, read);
                }
            }
            Op::Search { body } => ops_read(body, read),
            Op::If { cond, then, els } => {
                expr_read(cond, read);
                ops_read(then, read);
                ops_read(els, read);
            }
            Op::For { list, body, .. } => {
                expr_read(list, read);
                ops_read(body, read);
            }
            Op::ForRange { lo, hi, body, .. } => {
                expr_read(lo, read);
                expr_read(hi, read);
                ops_read(body, read);
            }
            Op::Find { args, .. } => args.iter().for_each(|a| expr_read(a, read)),
        }
    }
}

/// Whether a join matching `bind` could be an existence check before
/// `body`: no slot it stores is read in `body`.
pub fn binds_unread(bind: &[(usize, Bind)], body: &[Op]) -> bool {
    let mut read = Vec::new();
    ops_read(body, &mut read);
    stored_read(bind, &read).is_none()
}

/// The first slot `bind` stores that `read` marks, if any.
pub fn stored_read(bind: &[(usize, Bind)], read: &[bool]) -> Option<Slot> {
    bind.iter().find_map(|(_, b)| match b {
        Bind::Store(s) if read.get(s.index()).copied().unwrap_or(false) => Some(*s),
        _ => None,
    })
}

fn source_read(source: &Source, read: &mut Vec<bool>) {
    if let Source::Index(key) = source {
        key_read(key, read);
    }
}

fn key_read(key: &Key, read: &mut Vec<bool>) {
    key.exprs.iter().for_each(|e| expr_read(e, read));
}

fn binds_read(bind: &[(usize, Bind)], read: &mut Vec<bool>) {
    for (_, b) in bind {
        if let Bind::Check(e) = b {
            expr_read(e, read);
        }
    }
}

/// Mark every slot `e` reads.
pub fn expr_read(e: &Expr, read: &mut Vec<bool>) {
    match e {
        Expr::Const(..) => {}
        Expr::Slot(s) => {
            if read.len() <= s.index() {
                read.resize(s.index() + 1, false);
            }
            read[s.index()] = true;
        }
        Expr::Unary(_, a) => expr_read(a, read),
        Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Index(a, b) => {
            expr_read(a, read);
            expr_read(b, read);
        }
        Expr::Call { args, .. } | Expr::List(args) => args.iter().for_each(|a| expr_read(a, read)),
        Expr::Slice { base, lo, hi, .. } => {
            expr_read(base, read);
            lo.iter().chain(hi.iter()).for_each(|a| expr_read(a, read));
        }
    }
}
