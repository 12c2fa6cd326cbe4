//! Conversions between types.
//!
//! Reading text accepts exactly what a CSV field of the target type accepts
//! (`value::parse_literal`), so `to_int(s)` and loading an `int` column
//! agree. Writing text is what CSV output writes (`value::write_plain`), so
//! `to_float(to_str(x)) == x` for every float, `nan` and `inf` included.

use fold_runtime::plan::builtin::Fault;
use fold_runtime::value::{
    from_float, from_int, parse_literal, to_bool, to_float, to_int, write_plain, Type, Word,
};

use crate::decl::{new_str, text, type_param};

builtins! {
    /// The integer written in a string, ignoring surrounding whitespace.
    /// Anything else faults (`BadConversion`).
    ///
    ///     to_int(" 42 ")   // 42
    ///     to_int("4.2")    // fault BadConversion
    TO_INT_STR: to_int(str) -> int =
        |a, _| parse_literal(&Type::Int, text(a[0])).map_err(|_| Fault::BadConversion);

    /// The float truncated toward zero. NaN, infinities and values outside
    /// the int range fault (`BadConversion`).
    ///
    ///     to_int(-2.7)   // -2
    ///     to_int(1e19)   // fault BadConversion
    TO_INT_FLOAT: to_int(float) -> int = |a, _| float_to_int(to_float(a[0]).trunc());

    /// 1 for `true`, 0 for `false`.
    ///
    ///     to_int(true)   // 1
    TO_INT_BOOL: to_int(bool) -> int = |a, _| Ok(from_int(i64::from(to_bool(a[0]))));

    /// The float written in a string (`2.5`, `-1e3`, `nan`, `inf`),
    /// ignoring surrounding whitespace. Anything else faults (`BadConversion`).
    ///
    ///     to_float(" 2.5")   // 2.5
    ///     to_float("two")    // fault BadConversion
    TO_FLOAT_STR: to_float(str) -> float =
        |a, _| parse_literal(&Type::Float, text(a[0])).map_err(|_| Fault::BadConversion);

    /// The int as the nearest float (exact up to 2^53).
    ///
    ///     to_float(3)   // 3.0
    TO_FLOAT_INT: to_float(int) -> float = |a, _| Ok(from_float(to_int(a[0]) as f64));

    /// `to_str_fixed(x, n)`: `x` with exactly `n` digits after the point
    /// (as C's `%.nf`; Soufflé's `to_string` of a float is `n` = 6). `n`
    /// outside 0..=64 faults (`InvalidArgument`).
    ///
    ///     to_str_fixed(3.14, 6)   // "3.140000"
    ///     to_str_fixed(2.5, 0)    // "2"
    TO_STR_FIXED: to_str_fixed(float, int) -> str = |a, _| {
        let n = to_int(a[1]);
        if !(0..=64).contains(&n) {
            return Err(Fault::InvalidArgument);
        }
        Ok(new_str(&format!("{:.*}", n as usize, to_float(a[0]))))
    };

    /// Any value as text, the way CSV output writes it: strings unchanged,
    /// floats always with a `.` or exponent, lists as fold literals.
    ///
    ///     to_str(1.5)          // "1.5"
    ///     to_str(2.0)          // "2.0"
    ///     to_str(["a", "b"])   // "[\"a\", \"b\"]"
    TO_STR: to_str(T) -> str = |a, types| {
        let mut out = String::new();
        write_plain(&mut out, type_param(types)?, a[0]);
        Ok(new_str(&out))
    };
}

/// An integral float as an int; NaN, infinities and anything outside
/// `i64` fault. Shared with `floor`, `ceil` and `round`.
pub fn float_to_int(v: f64) -> Result<Word, Fault> {
    // -2^63 is exactly representable; 2^63 is the first float above i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&v) {
        Ok(from_int(v as i64))
    } else {
        Err(Fault::BadConversion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decl::testing::{b, call, call_t, f, i, ints, s, strs};

    #[test]
    fn to_int_from_text() {
        assert_eq!(call(&TO_INT_STR, &[s(" -42\n")]), Ok(i(-42)));
        assert_eq!(
            call(&TO_INT_STR, &[s("9223372036854775807")]),
            Ok(i(i64::MAX))
        );
        for bad in ["", "4.2", "x1", "1 2", "9223372036854775808", "[1]"] {
            assert_eq!(
                call(&TO_INT_STR, &[s(bad)]),
                Err(Fault::BadConversion),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn to_int_from_float_truncates_and_faults_out_of_range() {
        assert_eq!(call(&TO_INT_FLOAT, &[f(2.9)]), Ok(i(2)));
        assert_eq!(call(&TO_INT_FLOAT, &[f(-2.9)]), Ok(i(-2)));
        assert_eq!(call(&TO_INT_FLOAT, &[f(i64::MIN as f64)]), Ok(i(i64::MIN)));
        let below_limit = 2f64.powi(63) - 1024.0;
        assert_eq!(
            call(&TO_INT_FLOAT, &[f(below_limit)]),
            Ok(i(below_limit as i64))
        );
        for bad in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2f64.powi(63),
            -1e19,
        ] {
            assert_eq!(
                call(&TO_INT_FLOAT, &[f(bad)]),
                Err(Fault::BadConversion),
                "{bad}"
            );
        }
    }

    #[test]
    fn to_int_from_bool() {
        assert_eq!(call(&TO_INT_BOOL, &[b(true)]), Ok(i(1)));
        assert_eq!(call(&TO_INT_BOOL, &[b(false)]), Ok(i(0)));
    }

    #[test]
    fn to_float_from_text_and_int() {
        assert_eq!(call(&TO_FLOAT_STR, &[s(" 2.5 ")]), Ok(f(2.5)));
        assert_eq!(call(&TO_FLOAT_STR, &[s("-1e3")]), Ok(f(-1000.0)));
        assert_eq!(call(&TO_FLOAT_STR, &[s("7")]), Ok(f(7.0)));
        assert_eq!(call(&TO_FLOAT_STR, &[s("inf")]), Ok(f(f64::INFINITY)));
        // The spellings CSV input reads are read here too.
        assert_eq!(
            call(&TO_FLOAT_STR, &[s("-Infinity")]),
            Ok(f(f64::NEG_INFINITY))
        );
        for bad in ["", "two", "1.5.2", "infinite", "1,5"] {
            assert_eq!(
                call(&TO_FLOAT_STR, &[s(bad)]),
                Err(Fault::BadConversion),
                "{bad:?}"
            );
        }
        assert_eq!(call(&TO_FLOAT_INT, &[i(-3)]), Ok(f(-3.0)));
    }

    #[test]
    fn to_str_uses_the_type_parameter() {
        assert_eq!(call_t(&TO_STR, Type::Int, &[i(-7)]), Ok(s("-7")));
        assert_eq!(call_t(&TO_STR, Type::Float, &[f(1.5)]), Ok(s("1.5")));
        assert_eq!(call_t(&TO_STR, Type::Float, &[f(2.0)]), Ok(s("2.0")));
        assert_eq!(call_t(&TO_STR, Type::Bool, &[b(true)]), Ok(s("true")));
        assert_eq!(
            call_t(&TO_STR, Type::Str, &[s("a \"b\"")]),
            Ok(s("a \"b\""))
        );
        let words = Type::list_of(Type::Str);
        let expected = s(r#"["a", "b c"]"#);
        assert_eq!(call_t(&TO_STR, words, &[strs(&["a", "b c"])]), Ok(expected));
        let nums = Type::list_of(Type::Int);
        assert_eq!(call_t(&TO_STR, nums, &[ints(&[1, 2])]), Ok(s("[1, 2]")));
    }

    #[test]
    fn to_str_without_a_type_parameter_faults() {
        assert_eq!(call(&TO_STR, &[i(1)]), Err(Fault::InvalidArgument));
    }

    #[test]
    fn floats_round_trip_through_text() {
        for v in [0.1, -0.0, 1e300, f64::MIN_POSITIVE, f64::INFINITY, f64::NAN] {
            let text = call_t(&TO_STR, Type::Float, &[f(v)]).expect("to_str");
            let back = call(&TO_FLOAT_STR, &[text]).expect("to_float");
            assert_eq!(back, f(v), "{v}");
        }
    }
}
