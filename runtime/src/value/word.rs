//! A field's word and its static type, and the conversions between a
//! word and the scalar it holds.

use std::fmt;

/// One field of one fact.
pub type Word = u64;

/// The static type of a field, variable or expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// A 64-bit signed integer (the word is its two's-complement bits).
    Int,
    /// A 64-bit IEEE float (the word is its bits).
    Float,
    /// A string (the word is its id in the interner).
    Str,
    /// A boolean (the word is 0 or 1).
    Bool,
    /// A list of the element type (the word is its id in the interner).
    List(Box<Type>),
}

impl Type {
    /// The type of lists of `elem`.
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
/// The word of an int.
pub fn from_int(v: i64) -> Word {
    v as u64
}
#[inline]
/// The int a word of type int holds.
pub fn to_int(w: Word) -> i64 {
    w as i64
}
#[inline]
/// The word of a float (its IEEE bits).
pub fn from_float(v: f64) -> Word {
    v.to_bits()
}
#[inline]
/// The float a word of type float holds.
pub fn to_float(w: Word) -> f64 {
    f64::from_bits(w)
}
#[inline]
/// The word of a bool (0 or 1).
pub fn from_bool(v: bool) -> Word {
    v as u64
}
#[inline]
/// The bool a word of type bool holds (any nonzero word is true).
pub fn to_bool(w: Word) -> bool {
    w != 0
}
