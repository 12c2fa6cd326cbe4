//! Arithmetic beyond the operators.
//!
//! Int results are checked: overflow faults instead of wrapping. Float
//! `min`/`max` follow the same total order as `sort` and `keep min/max`
//! (`f64::total_cmp`), so `min(x, y)` is always one of its arguments and
//! picks the same one `keep min` would.

use fold_runtime::plan::builtin::Fault;
use fold_runtime::value::{from_float, from_int, to_float, to_int, Type, Word};

use crate::convert::float_to_int;

builtins! {
    /// The absolute value. `abs` of the smallest int has no int value and
    /// faults (`Overflow`).
    ///
    ///     abs(-3)   // 3
    ABS_INT: abs(int) -> int =
        |a, _| to_int(a[0]).checked_abs().map(from_int).ok_or(Fault::Overflow);

    /// The absolute value.
    ///
    ///     abs(-2.5)   // 2.5
    ABS_FLOAT: abs(float) -> float = |a, _| Ok(from_float(to_float(a[0]).abs()));

    /// The smaller of two ints.
    ///
    ///     min(3, -1)   // -1
    MIN_INT: min(int, int) -> int = |a, _| Ok(from_int(to_int(a[0]).min(to_int(a[1]))));

    /// The larger of two ints.
    ///
    ///     max(3, -1)   // 3
    MAX_INT: max(int, int) -> int = |a, _| Ok(from_int(to_int(a[0]).max(to_int(a[1]))));

    /// The smaller of two floats in fold's float order (`-0.0` before
    /// `0.0`; NaN after everything, so the other argument wins).
    ///
    ///     min(2.5, 0.5)   // 0.5
    MIN_FLOAT: min(float, float) -> float = |a, _| Ok(pick_float(a, std::cmp::Ordering::Less));

    /// The larger of two floats in fold's float order (NaN after
    /// everything, so it wins).
    ///
    ///     max(2.5, 0.5)   // 2.5
    MAX_FLOAT: max(float, float) -> float = |a, _| Ok(pick_float(a, std::cmp::Ordering::Greater));

    /// `pow(base, exp)`: `base` to the power `exp`. A negative `exp` faults
    /// (`InvalidArgument`); a result outside the int range faults (`Overflow`).
    ///
    ///     pow(2, 10)   // 1024
    ///     pow(2, -1)   // fault InvalidArgument
    ///     pow(2, 63)   // fault Overflow
    POW_INT: pow(int, int) -> int = pow_int;

    /// `pow(base, exp)`: `base` to the power `exp` (IEEE `powf`).
    ///
    ///     pow(2.0, 0.5)   // 1.4142135623730951
    POW_FLOAT: pow(float, float) -> float =
        |a, _| Ok(from_float(to_float(a[0]).powf(to_float(a[1]))));

    /// The square root. A negative argument faults (`InvalidArgument`).
    ///
    ///     sqrt(2.25)   // 1.5
    ///     sqrt(-1.0)   // fault InvalidArgument
    SQRT: sqrt(float) -> float = |a, _| {
        let v = to_float(a[0]);
        if v < 0.0 {
            return Err(Fault::InvalidArgument);
        }
        Ok(from_float(v.sqrt()))
    };

    /// The greatest int not above the float. NaN, infinities and results
    /// outside the int range fault (`BadConversion`).
    ///
    ///     floor(-2.5)   // -3
    FLOOR: floor(float) -> int = |a, _| float_to_int(to_float(a[0]).floor());

    /// The least int not below the float. NaN, infinities and results
    /// outside the int range fault (`BadConversion`).
    ///
    ///     ceil(2.1)   // 3
    CEIL: ceil(float) -> int = |a, _| float_to_int(to_float(a[0]).ceil());

    /// The nearest int, halves away from zero. NaN, infinities and results
    /// outside the int range fault (`BadConversion`).
    ///
    ///     round(2.5)    // 3
    ///     round(-2.5)   // -3
    ROUND: round(float) -> int = |a, _| float_to_int(to_float(a[0]).round());
}

fn pow_int(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let (base, exp) = (to_int(a[0]), to_int(a[1]));
    if exp < 0 {
        return Err(Fault::InvalidArgument);
    }
    // Exponents past u32 only fit for bases 0, 1 and -1; those need no loop.
    let result = match base {
        0 | 1 if exp > 0 => Some(base),
        -1 => Some(if exp % 2 == 0 { 1 } else { -1 }),
        _ => u32::try_from(exp).ok().and_then(|e| base.checked_pow(e)),
    };
    result.map(from_int).ok_or(Fault::Overflow)
}

/// The argument that compares `wanted` to the other (the first on a tie).
fn pick_float(a: &[Word], wanted: std::cmp::Ordering) -> Word {
    if to_float(a[1]).total_cmp(&to_float(a[0])) == wanted {
        a[1]
    } else {
        a[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decl::testing::{call, f, i};

    #[test]
    fn abs_and_its_overflow() {
        assert_eq!(call(&ABS_INT, &[i(-3)]), Ok(i(3)));
        assert_eq!(call(&ABS_INT, &[i(i64::MAX)]), Ok(i(i64::MAX)));
        assert_eq!(call(&ABS_INT, &[i(i64::MIN)]), Err(Fault::Overflow));
        assert_eq!(call(&ABS_FLOAT, &[f(-0.0)]), Ok(f(0.0)));
        assert_eq!(call(&ABS_FLOAT, &[f(-2.5)]), Ok(f(2.5)));
    }

    #[test]
    fn int_min_max() {
        assert_eq!(call(&MIN_INT, &[i(3), i(-1)]), Ok(i(-1)));
        assert_eq!(call(&MAX_INT, &[i(3), i(-1)]), Ok(i(3)));
        assert_eq!(call(&MIN_INT, &[i(i64::MIN), i(0)]), Ok(i(i64::MIN)));
    }

    #[test]
    fn float_min_max_use_the_total_order() {
        assert_eq!(call(&MIN_FLOAT, &[f(2.5), f(0.5)]), Ok(f(0.5)));
        assert_eq!(call(&MAX_FLOAT, &[f(2.5), f(0.5)]), Ok(f(2.5)));
        assert_eq!(call(&MIN_FLOAT, &[f(0.0), f(-0.0)]), Ok(f(-0.0)));
        assert_eq!(call(&MAX_FLOAT, &[f(-0.0), f(0.0)]), Ok(f(0.0)));
        assert_eq!(call(&MIN_FLOAT, &[f(f64::NAN), f(1.0)]), Ok(f(1.0)));
        assert_eq!(call(&MAX_FLOAT, &[f(1.0), f(f64::NAN)]), Ok(f(f64::NAN)));
        let inf = f(f64::NEG_INFINITY);
        assert_eq!(call(&MIN_FLOAT, &[f(1.0), inf]), Ok(inf));
    }

    #[test]
    fn int_pow_is_checked() {
        assert_eq!(call(&POW_INT, &[i(2), i(10)]), Ok(i(1024)));
        assert_eq!(call(&POW_INT, &[i(-3), i(3)]), Ok(i(-27)));
        assert_eq!(call(&POW_INT, &[i(7), i(0)]), Ok(i(1)));
        assert_eq!(call(&POW_INT, &[i(0), i(0)]), Ok(i(1)));
        assert_eq!(call(&POW_INT, &[i(0), i(i64::MAX)]), Ok(i(0)));
        assert_eq!(call(&POW_INT, &[i(1), i(i64::MAX)]), Ok(i(1)));
        assert_eq!(call(&POW_INT, &[i(-1), i(i64::MAX)]), Ok(i(-1)));
        assert_eq!(call(&POW_INT, &[i(-1), i(1 << 40)]), Ok(i(1)));
        assert_eq!(call(&POW_INT, &[i(-2), i(63)]), Ok(i(i64::MIN)));
        assert_eq!(call(&POW_INT, &[i(2), i(63)]), Err(Fault::Overflow));
        assert_eq!(call(&POW_INT, &[i(2), i(1 << 40)]), Err(Fault::Overflow));
        assert_eq!(call(&POW_INT, &[i(2), i(-1)]), Err(Fault::InvalidArgument));
        assert_eq!(call(&POW_INT, &[i(1), i(-1)]), Err(Fault::InvalidArgument));
    }

    #[test]
    fn float_pow_and_sqrt() {
        assert_eq!(call(&POW_FLOAT, &[f(2.0), f(-1.0)]), Ok(f(0.5)));
        assert_eq!(call(&SQRT, &[f(2.25)]), Ok(f(1.5)));
        assert_eq!(call(&SQRT, &[f(-0.0)]), Ok(f(-0.0)));
        assert_eq!(call(&SQRT, &[f(-1.0)]), Err(Fault::InvalidArgument));
        assert_eq!(
            call(&SQRT, &[f(f64::NEG_INFINITY)]),
            Err(Fault::InvalidArgument)
        );
    }

    #[test]
    fn rounding_to_int() {
        assert_eq!(call(&FLOOR, &[f(-2.5)]), Ok(i(-3)));
        assert_eq!(call(&FLOOR, &[f(2.5)]), Ok(i(2)));
        assert_eq!(call(&CEIL, &[f(2.1)]), Ok(i(3)));
        assert_eq!(call(&CEIL, &[f(-2.9)]), Ok(i(-2)));
        assert_eq!(call(&ROUND, &[f(2.5)]), Ok(i(3)));
        assert_eq!(call(&ROUND, &[f(-2.5)]), Ok(i(-3)));
        assert_eq!(call(&ROUND, &[f(2.4999)]), Ok(i(2)));
        for builtin in [&FLOOR, &CEIL, &ROUND] {
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e19, -1e19] {
                assert_eq!(
                    call(builtin, &[f(bad)]),
                    Err(Fault::BadConversion),
                    "{}({bad})",
                    builtin.name
                );
            }
        }
    }
}
