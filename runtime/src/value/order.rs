//! Ordering by value: how output is sorted and `keep min/max` chooses,
//! independent of the order interned ids were handed out in.

use std::cmp::Ordering;

use super::intern;
use super::word::{to_float, to_int, Type, Word};

/// Compare two words of type `ty` by value. The scalar types compare
/// inline (millions of rows are sorted and previewed through here); the
/// interned ones look their values up, out of line.
#[inline]
pub fn compare(ty: &Type, a: Word, b: Word) -> Ordering {
    match ty {
        Type::Int => to_int(a).cmp(&to_int(b)),
        Type::Bool => a.cmp(&b),
        Type::Float => to_float(a).total_cmp(&to_float(b)),
        Type::Str | Type::List(_) => compare_interned(ty, a, b),
    }
}

#[inline(never)]
fn compare_interned(ty: &Type, a: Word, b: Word) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    match ty {
        Type::Str => intern::str_of(a)
            .as_bytes()
            .cmp(intern::str_of(b).as_bytes()),
        Type::List(elem) => {
            let (xs, ys) = (intern::list_of(a), intern::list_of(b));
            for (x, y) in xs.iter().zip(ys.iter()) {
                match compare(elem, *x, *y) {
                    Ordering::Equal => continue,
                    other => return other,
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => compare(ty, a, b),
    }
}

/// Compare two tuples field by field, by value.
pub fn compare_tuples(types: &[Type], a: &[Word], b: &[Word]) -> Ordering {
    for ((ty, x), y) in types.iter().zip(a).zip(b) {
        match compare(ty, *x, *y) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    Ordering::Equal
}
