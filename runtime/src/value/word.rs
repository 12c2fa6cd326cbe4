//! A field's word and its static type, and the conversions between a
//! word and the scalar it holds.

use std::fmt;

/// One field of one fact.
pub type Word = u64;

/// The static type of a field, variable or expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Int,
    Float,
    Str,
    Bool,
    List(Box<Type>),
}

impl Type {
    pub fn list_of(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    /// The element type of a list type.
    pub fn elem(&self) -> Option<&Type> {
        match self {
            Type::List(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Str => f.write_str("str"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "[{t}]"),
        }
    }
}

#[inline]
pub fn from_int(v: i64) -> Word {
    v as u64
}
#[inline]
pub fn to_int(w: Word) -> i64 {
    w as i64
}
#[inline]
pub fn from_float(v: f64) -> Word {
    v.to_bits()
}
#[inline]
pub fn to_float(w: Word) -> f64 {
    f64::from_bits(w)
}
#[inline]
pub fn from_bool(v: bool) -> Word {
    v as u64
}
#[inline]
pub fn to_bool(w: Word) -> bool {
    w != 0
}
