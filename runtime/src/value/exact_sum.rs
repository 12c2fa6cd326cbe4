//! The correctly rounded sum of floats, whatever their order: what a
//! float `sum` aggregate gives.
//!
//! Adding floats one by one rounds at every step, so the result depends on
//! the order of the values, and that order is the order their rows were
//! found in, which must never change a result. Shewchuk's exact partials
//! (the algorithm of Python's `math.fsum`) keep the running sum exactly as
//! a few non-overlapping floats and round once at the end: the result is
//! the exact sum rounded to the nearest float (ties to even), a function
//! of the multiset of values alone. Infinities and NaNs follow IEEE:
//! any NaN, or infinities of both signs, give NaN.

/// The exact sum of `values`, rounded once.
pub fn exact_sum(values: &[f64]) -> f64 {
    let mut special: Option<f64> = None;
    for &v in values.iter().filter(|v| !v.is_finite()) {
        special = Some(special.map_or(v, |s| s + v));
    }
    if let Some(s) = special {
        return s;
    }
    match partials(values, 1.0) {
        Some(p) => round_partials(&p),
        // A partial passed the largest float: sum the values scaled down
        // by a power of two past their count (exact but for the last bits
        // of subnormals, which cannot matter next to such magnitudes), so
        // that no partial can overflow whatever the order, and scale back,
        // which overflows only if the sum itself does.
        None => {
            let k = (usize::BITS - values.len().leading_zeros()) as i32 + 1;
            partials(values, 2f64.powi(-k)).map_or(f64::NAN, |p| round_partials(&p) * 2f64.powi(k))
        }
    }
}

/// The exact sum of the (finite) values times `scale` as non-overlapping
/// partials of increasing magnitude; `None` when a partial overflows.
fn partials(values: &[f64], scale: f64) -> Option<Vec<f64>> {
    let mut partials: Vec<f64> = Vec::new();
    for &value in values {
        let mut x = value * scale;
        let mut kept = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if !hi.is_finite() {
                return None;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);
        partials.push(x);
    }
    Some(partials)
}

/// Round non-overlapping partials (increasing magnitude) to one float.
fn round_partials(partials: &[f64]) -> f64 {
    let Some((&top, rest)) = partials.split_last() else {
        return 0.0;
    };
    let mut hi = top;
    let mut lo = 0.0;
    let mut n = rest.len();
    while n > 0 {
        let x = hi;
        let y = rest[n - 1];
        n -= 1;
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    // `hi + lo` was a tie rounded to even; the partials below may say it
    // is not a tie, and then it rounds the other way.
    if n > 0 && ((lo < 0.0 && rest[n - 1] < 0.0) || (lo > 0.0 && rest[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::exact_sum;

    #[test]
    fn sums_exactly_in_any_order() {
        let cases: [(&[f64], f64); 8] = [
            (&[1e16, 1.0, -1e16], 1.0),
            (&[0.1, 0.2, 0.3], 0.6),
            (&[1e100, 1.0, -1e100, 1e-100], 1.0),
            (&[], 0.0),
            (&[f64::MAX, f64::MAX, -f64::MAX], f64::MAX),
            (&[f64::MAX, f64::MAX, 1.0], f64::INFINITY),
            (
                &[
                    f64::MAX,
                    f64::MAX,
                    f64::MAX,
                    -f64::MAX,
                    -f64::MAX,
                    -f64::MAX,
                ],
                0.0,
            ),
            (&[3.0, f64::INFINITY, 1.0], f64::INFINITY),
        ];
        for (values, want) in cases {
            let mut v = values.to_vec();
            // Every rotation and its reverse: the same bits each time.
            for _ in 0..v.len().max(1) {
                if !v.is_empty() {
                    v.rotate_left(1);
                }
                assert_eq!(exact_sum(&v).to_bits(), want.to_bits(), "{v:?}");
                let r: Vec<f64> = v.iter().rev().copied().collect();
                assert_eq!(exact_sum(&r).to_bits(), want.to_bits(), "{v:?} reversed");
            }
        }
        assert!(exact_sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert!(exact_sum(&[1.0, f64::NAN]).is_nan());
    }

    #[test]
    fn ties_round_to_even_as_the_exact_sum_says() {
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2; a tiny extra
        // term breaks it upwards.
        let big = 9_007_199_254_740_992.0;
        assert_eq!(exact_sum(&[big, 1.0]), big);
        assert_eq!(exact_sum(&[big, 1.0, 1e-10]), big + 2.0);
        assert_eq!(exact_sum(&[1e-10, 1.0, big]), big + 2.0);
    }
}
