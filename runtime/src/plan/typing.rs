//! The static type of a plan expression, from its handler's slot types.
//! Every operator of the plan carries the type it acts on, so the type of
//! an expression follows from its shape; [`super::verify`] uses it to check
//! that what a plan states agrees with what its expressions compute.

use super::builtin::Builtin;
use super::{BinOp, Expr, UnOp};
use crate::value::Type;

/// The type of `e` in a handler whose slots have `slot_types`; `None`
/// when the plan does not say (an empty list literal, a slot out of range,
/// a builtin whose type parameters are missing).
pub fn expr_type(slot_types: &[Type], e: &Expr) -> Option<Type> {
    Some(match e {
        Expr::Const(_, t) => t.clone(),
        Expr::Slot(s) => slot_types.get(s.index())?.clone(),
        Expr::Unary(UnOp::NegInt, _) => Type::Int,
        Expr::Unary(UnOp::NegFloat, _) => Type::Float,
        Expr::Unary(UnOp::Not, _) | Expr::And(..) | Expr::Or(..) => Type::Bool,
        Expr::Binary(op, a, _) => match op {
            BinOp::AddInt | BinOp::SubInt | BinOp::MulInt | BinOp::DivInt | BinOp::RemInt => {
                Type::Int
            }
            BinOp::AddFloat
            | BinOp::SubFloat
            | BinOp::MulFloat
            | BinOp::DivFloat
            | BinOp::RemFloat => Type::Float,
            BinOp::ConcatStr => Type::Str,
            BinOp::ConcatList => expr_type(slot_types, a)?,
            BinOp::Cmp(..) => Type::Bool,
        },
        Expr::Call { func, types, .. } => call_type(func, types)?,
        Expr::List(items) => Type::list_of(expr_type(slot_types, items.first()?)?),
        Expr::Index(base, _) => expr_type(slot_types, base)?.elem()?.clone(),
        Expr::Slice { base, .. } => expr_type(slot_types, base)?,
    })
}

fn call_type(func: &Builtin, types: &[Type]) -> Option<Type> {
    func.ret.instantiate(types)
}
