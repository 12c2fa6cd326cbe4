//! Expression evaluation: typed, checked, allocation-free except where a
//! new string or list value is made (which is interned).

use std::cmp::Ordering;

use super::exec::{Exec, Mode};
use crate::eval::values::{concat_list, concat_str, slice};
use crate::plan::builtin::{Fault, MAX_ARGS};
use crate::plan::{BinOp, CmpOp, Expr, UnOp};
use crate::value::intern;
use crate::value::{self, from_bool, from_float, from_int, to_bool, to_float, to_int, Type, Word};

impl<M: Mode> Exec<'_, M> {
    pub(super) fn eval(&mut self, e: &Expr) -> Result<Word, Fault> {
        match e {
            Expr::Slot(s) => Ok(self.slots[s.index()]),
            Expr::Const(w, _) => Ok(*w),
            Expr::Binary(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                self.binary(op, x, y)
            }
            Expr::Unary(op, a) => {
                let x = self.eval(a)?;
                match op {
                    UnOp::NegInt => to_int(x).checked_neg().map(from_int).ok_or(Fault::Overflow),
                    UnOp::NegFloat => Ok(from_float(-to_float(x))),
                    UnOp::Not => Ok(from_bool(!to_bool(x))),
                }
            }
            Expr::And(a, b) => {
                if !to_bool(self.eval(a)?) {
                    return Ok(from_bool(false));
                }
                Ok(from_bool(to_bool(self.eval(b)?)))
            }
            Expr::Or(a, b) => {
                if to_bool(self.eval(a)?) {
                    return Ok(from_bool(true));
                }
                Ok(from_bool(to_bool(self.eval(b)?)))
            }
            Expr::Call { func, types, args } => {
                let mut buf = [0 as Word; MAX_ARGS];
                if args.len() <= MAX_ARGS {
                    for (slot, a) in buf.iter_mut().zip(args) {
                        *slot = self.eval(a)?;
                    }
                    (func.eval)(&buf[..args.len()], types)
                } else {
                    let mut more = Vec::with_capacity(args.len());
                    for a in args {
                        more.push(self.eval(a)?);
                    }
                    (func.eval)(&more, types)
                }
            }
            Expr::List(items) => {
                // Stack discipline: nested literals push above our start.
                let start = self.list.len();
                for item in items {
                    match self.eval(item) {
                        Ok(w) => self.list.push(w),
                        Err(f) => {
                            self.list.truncate(start);
                            return Err(f);
                        }
                    }
                }
                let id = intern::intern_list(&self.list[start..]);
                self.list.truncate(start);
                Ok(id)
            }
            Expr::Index(base, i) => {
                let xs = intern::list_of(self.eval(base)?);
                let i = to_int(self.eval(i)?);
                usize::try_from(i)
                    .ok()
                    .and_then(|i| xs.get(i))
                    .copied()
                    .ok_or(Fault::IndexOutOfRange)
            }
            Expr::Slice {
                base,
                lo,
                hi,
                is_str,
            } => {
                let b = self.eval(base)?;
                let lo = match lo {
                    Some(e) => Some(to_int(self.eval(e)?)),
                    None => None,
                };
                let hi = match hi {
                    Some(e) => Some(to_int(self.eval(e)?)),
                    None => None,
                };
                slice(self.text, b, lo, hi, *is_str)
            }
        }
    }

    fn binary(&mut self, op: &BinOp, x: Word, y: Word) -> Result<Word, Fault> {
        let (a, b) = (to_int(x), to_int(y));
        let (f, g) = (to_float(x), to_float(y));
        let int = |r: Option<i64>| r.map(from_int).ok_or(Fault::Overflow);
        match op {
            BinOp::AddInt => int(a.checked_add(b)),
            BinOp::SubInt => int(a.checked_sub(b)),
            BinOp::MulInt => int(a.checked_mul(b)),
            BinOp::DivInt if b == 0 => Err(Fault::DivisionByZero),
            BinOp::DivInt => int(a.checked_div(b)),
            BinOp::RemInt if b == 0 => Err(Fault::DivisionByZero),
            // `i64::MIN % -1` is 0 (only the quotient is out of range).
            BinOp::RemInt => Ok(from_int(a.wrapping_rem(b))),
            BinOp::AddFloat => Ok(from_float(f + g)),
            BinOp::SubFloat => Ok(from_float(f - g)),
            BinOp::MulFloat => Ok(from_float(f * g)),
            // Division by zero faults for floats as for ints (the design:
            // it aborts and is counted), rather than giving an infinity.
            BinOp::DivFloat | BinOp::RemFloat if g == 0.0 => Err(Fault::DivisionByZero),
            BinOp::DivFloat => Ok(from_float(f / g)),
            BinOp::RemFloat => Ok(from_float(f % g)),
            BinOp::ConcatStr => Ok(concat_str(self.text, x, y)),
            BinOp::ConcatList => Ok(concat_list(self.list, x, y)),
            BinOp::Cmp(cmp, ty) => Ok(from_bool(compare(*cmp, ty, x, y))),
        }
    }
}

/// A comparison at a type. Equality of everything but floats is equality
/// of words; floats compare as IEEE numbers (NaN is unequal to itself and
/// unordered); strings and lists order by value.
#[inline]
pub(crate) fn compare(op: CmpOp, ty: &Type, x: Word, y: Word) -> bool {
    let ord = match ty {
        Type::Float => match to_float(x).partial_cmp(&to_float(y)) {
            Some(o) => o,
            None => return op == CmpOp::Ne,
        },
        _ => match op {
            CmpOp::Eq => return x == y,
            CmpOp::Ne => return x != y,
            _ => match ty {
                Type::Int => to_int(x).cmp(&to_int(y)),
                Type::Bool => x.cmp(&y),
                _ => value::compare(ty, x, y),
            },
        },
    };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}
