//! Values as fixed-width words.
//!
//! Every field of every fact is one 64-bit [`Word`]: ints are their two's
//! complement bits, floats their IEEE bits, bools 0 or 1, and strings and
//! lists are ids into the global interner ([`crate::value::intern`]). Tuples are
//! therefore `[Word]` slices of a category's arity, with no per-tuple heap
//! allocation. The static [`Type`] of a field says how to read its word.
//!
//! Identity is by word: two facts are the same when their words are equal.
//! Strings and lists are interned structurally, so equal strings (and equal
//! lists) always have the same id. Ordering, in contrast, is by value
//! ([`compare`]): strings by bytes, lists lexicographically, floats by
//! IEEE total order. Output sorting and `keep min/max` use [`compare`], so
//! they never depend on the order in which ids were handed out.

pub mod exact_sum;
pub mod intern;
mod order;
mod text;
mod word;

pub use order::{compare, compare_tuples};
pub use text::{
    display_fact, parse_literal, parse_plain, shorten, write_literal, write_plain, write_quoted,
    ParseValueError,
};
pub use word::{from_bool, from_float, from_int, to_bool, to_float, to_int, Type, Word};

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;

    fn roundtrip(ty: &Type, text: &str) -> String {
        let w = parse_literal(ty, text).expect("parses");
        let mut out = String::new();
        write_literal(&mut out, ty, w);
        out
    }

    #[test]
    fn literals_round_trip() {
        assert_eq!(roundtrip(&Type::Int, " -42 "), "-42");
        assert_eq!(roundtrip(&Type::Float, "2"), "2.0");
        assert_eq!(roundtrip(&Type::Float, "-0.5"), "-0.5");
        assert_eq!(roundtrip(&Type::Bool, "true"), "true");
        assert_eq!(roundtrip(&Type::Str, r#""a \"b\"""#), r#""a \"b\"""#);
        let words = Type::list_of(Type::Str);
        assert_eq!(roundtrip(&words, r#"["a", "b,c"]"#), r#"["a", "b,c"]"#);
        let nested = Type::list_of(Type::list_of(Type::Int));
        assert_eq!(roundtrip(&nested, "[[1, 2], []]"), "[[1, 2], []]");
    }

    #[test]
    fn bad_literals_are_errors() {
        assert!(parse_literal(&Type::Int, "1.5").is_err());
        assert!(parse_literal(&Type::Int, "").is_err());
        assert!(parse_literal(&Type::Float, "abc").is_err());
        assert!(parse_literal(&Type::Bool, "yes").is_err());
        assert!(parse_literal(&Type::list_of(Type::Int), "[1, 2").is_err());
        assert!(parse_literal(&Type::list_of(Type::Int), "[1] x").is_err());
        assert!(parse_literal(&Type::list_of(Type::Str), "[a]").is_err());
    }

    #[test]
    fn ordering_is_by_value() {
        let (b, a) = (intern::intern_str("b"), intern::intern_str("a"));
        assert_eq!(compare(&Type::Str, a, b), Ordering::Less);
        assert_eq!(
            compare(&Type::Int, from_int(-1), from_int(1)),
            Ordering::Less
        );
        let short = intern::intern_list(&[from_int(1)]);
        let long = intern::intern_list(&[from_int(1), from_int(0)]);
        let ty = Type::list_of(Type::Int);
        assert_eq!(compare(&ty, short, long), Ordering::Less);
    }
}
