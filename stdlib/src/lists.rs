//! Lists: immutable values, so every builtin here returns a new list.
//!
//! Element equality is word equality, which is value equality for every
//! type (strings and lists are interned structurally; floats compare by
//! bits, as fact identity does). Ordering is by value, with the element
//! type from the call's type parameter.

use fold_runtime::plan::builtin::Fault;
use fold_runtime::value::{compare, from_bool, from_int, to_int, Type, Word};

use crate::decl::{
    check_str_size, from_len, items, new_list, new_str, text, type_param, MAX_RANGE_LEN,
};

builtins! {
    /// The number of elements.
    ///
    ///     len(["little", "birds"])   // 2
    LEN: len([T]) -> int = |a, _| Ok(from_len(items(a[0]).len()));

    /// Whether the value is an element of the list. Elements compare as
    /// facts do: floats by their bits, so `-0.0` is not `0.0`.
    ///
    ///     contains([1, 2, 3], 2)   // true
    CONTAINS: contains([T], T) -> bool = |a, _| Ok(from_bool(items(a[0]).contains(&a[1])));

    /// `join(parts, sep)`: the strings of `parts` with `sep` between each
    /// two. A result over 64 MiB faults (`InvalidArgument`).
    ///
    ///     join(["little", "birds"], " ")   // "little birds"
    JOIN: join([str], str) -> str = join;

    /// The elements in ascending value order (strings by bytes); equal
    /// elements keep their order.
    ///
    ///     sort(["b", "a", "C"])   // ["C", "a", "b"]
    SORT: sort([T]) -> [T] = |a, types| {
        let elem = type_param(types)?;
        let mut sorted = items(a[0]).to_vec();
        sorted.sort_by(|x, y| compare(elem, *x, *y));
        Ok(new_list(&sorted))
    };

    /// The elements in reverse order.
    ///
    ///     reverse([1, 2, 3])   // [3, 2, 1]
    REVERSE: reverse([T]) -> [T] = |a, _| {
        let reversed: Vec<Word> = items(a[0]).iter().rev().copied().collect();
        Ok(new_list(&reversed))
    };

    /// The list with the value appended.
    ///
    ///     push(["a"], "b")   // ["a", "b"]
    PUSH: push([T], T) -> [T] = |a, _| Ok(new_list(&[items(a[0]), &[a[1]]].concat()));

    /// The first list followed by the second.
    ///
    ///     concat([1, 2], [3])   // [1, 2, 3]
    CONCAT: concat([T], [T]) -> [T] = |a, _| Ok(new_list(&[items(a[0]), items(a[1])].concat()));

    /// The first element. An empty list faults (`IndexOutOfRange`).
    ///
    ///     first(["a", "b"])   // "a"
    FIRST: first([T]) -> T = |a, _| items(a[0]).first().copied().ok_or(Fault::IndexOutOfRange);

    /// The last element. An empty list faults (`IndexOutOfRange`).
    ///
    ///     last(["a", "b"])   // "b"
    LAST: last([T]) -> T = |a, _| items(a[0]).last().copied().ok_or(Fault::IndexOutOfRange);

    /// `pick(xs, at)`: the elements of `xs` at the positions `at`, in the
    /// order of `at` (a position may repeat). A position out of range
    /// faults (`IndexOutOfRange`). Permuting a box's shape is
    /// `pick(shape, p)`.
    ///
    ///     pick(["a", "b", "c"], [2, 0])   // ["c", "a"]
    ///     pick(["a", "b"], [2])           // fault IndexOutOfRange
    PICK: pick([T], [int]) -> [T] = |a, _| {
        let xs = items(a[0]);
        let picked: Vec<Word> = items(a[1])
            .iter()
            .map(|&at| usize::try_from(to_int(at)).ok().and_then(|at| xs.get(at).copied()))
            .collect::<Option<_>>()
            .ok_or(Fault::IndexOutOfRange)?;
        Ok(new_list(&picked))
    };

    /// `range(lo, hi)`: the ints from `lo` up to but not including `hi`;
    /// empty when `hi <= lo`. More than 10,000,000 elements fault
    /// (`InvalidArgument`).
    ///
    ///     range(2, 5)   // [2, 3, 4]
    ///     range(5, 2)   // []
    RANGE: range(int, int) -> [int] = range;
}

fn join(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let (parts, sep) = (items(a[0]), text(a[1]));
    // Size first: a list may hold one long string many times over.
    let seps = sep.len().checked_mul(parts.len().saturating_sub(1));
    let size = seps.and_then(|seps| {
        parts
            .iter()
            .try_fold(seps, |total, w| total.checked_add(text(*w).len()))
    });
    check_str_size(size)?;
    let texts: Vec<&str> = parts.iter().map(|w| text(*w)).collect();
    Ok(new_str(&texts.join(sep)))
}

fn range(a: &[Word], _: &[Type]) -> Result<Word, Fault> {
    let (lo, hi) = (to_int(a[0]), to_int(a[1]));
    if hi <= lo {
        return Ok(new_list(&[]));
    }
    // `hi - lo` can exceed i64 (e.g. MIN..MAX); checked, it faults.
    match hi.checked_sub(lo) {
        Some(n) if n <= MAX_RANGE_LEN => {}
        _ => return Err(Fault::InvalidArgument),
    }
    let ints: Vec<Word> = (lo..hi).map(from_int).collect();
    Ok(new_list(&ints))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decl::testing::{b, call, call_t, f, i, ints, s, strs};
    use crate::decl::MAX_STR_BYTES;

    #[test]
    fn len_and_contains() {
        assert_eq!(call(&LEN, &[strs(&[])]), Ok(i(0)));
        assert_eq!(call(&LEN, &[ints(&[4, 4, 4])]), Ok(i(3)));
        assert_eq!(call(&CONTAINS, &[strs(&["a", "b"]), s("b")]), Ok(b(true)));
        assert_eq!(call(&CONTAINS, &[strs(&["a", "b"]), s("c")]), Ok(b(false)));
        assert_eq!(call(&CONTAINS, &[ints(&[]), i(0)]), Ok(b(false)));
    }

    #[test]
    fn join_and_its_size_cap() {
        let words = strs(&["little", "birds", "sing"]);
        assert_eq!(call(&JOIN, &[words, s(" ")]), Ok(s("little birds sing")));
        assert_eq!(call(&JOIN, &[strs(&[]), s(",")]), Ok(s("")));
        assert_eq!(call(&JOIN, &[strs(&["a"]), s(",")]), Ok(s("a")));
        // 65 copies of one 1 MiB string: 65 MiB, over the cap.
        let mib = "x".repeat(1 << 20);
        let copies = vec![mib.as_str(); (MAX_STR_BYTES >> 20) + 1];
        assert_eq!(
            call(&JOIN, &[strs(&copies), s("")]),
            Err(Fault::InvalidArgument)
        );
    }

    #[test]
    fn sort_orders_by_value() {
        let words = strs(&["b", "a", "C", "a"]);
        let sorted = call_t(&SORT, Type::Str, &[words]);
        assert_eq!(sorted, Ok(strs(&["C", "a", "a", "b"])));
        let nums = ints(&[3, -1, 2]);
        assert_eq!(call_t(&SORT, Type::Int, &[nums]), Ok(ints(&[-1, 2, 3])));
        let floats = new_list(&[f(2.5), f(-0.0), f(f64::NAN), f(0.0)]);
        let sorted = new_list(&[f(-0.0), f(0.0), f(2.5), f(f64::NAN)]);
        assert_eq!(call_t(&SORT, Type::Float, &[floats]), Ok(sorted));
        let nested = Type::list_of(Type::Int);
        let lists = new_list(&[ints(&[1, 0]), ints(&[1])]);
        let expected = new_list(&[ints(&[1]), ints(&[1, 0])]);
        assert_eq!(call_t(&SORT, nested, &[lists]), Ok(expected));
    }

    #[test]
    fn sort_without_a_type_parameter_faults() {
        assert_eq!(call(&SORT, &[ints(&[2, 1])]), Err(Fault::InvalidArgument));
    }

    #[test]
    fn building_lists() {
        assert_eq!(call(&REVERSE, &[ints(&[1, 2, 3])]), Ok(ints(&[3, 2, 1])));
        assert_eq!(call(&REVERSE, &[ints(&[])]), Ok(ints(&[])));
        assert_eq!(call(&PUSH, &[ints(&[]), i(1)]), Ok(ints(&[1])));
        assert_eq!(call(&PUSH, &[ints(&[1]), i(2)]), Ok(ints(&[1, 2])));
        let both = [ints(&[1, 2]), ints(&[3])];
        assert_eq!(call(&CONCAT, &both), Ok(ints(&[1, 2, 3])));
        assert_eq!(call(&CONCAT, &[ints(&[]), ints(&[])]), Ok(ints(&[])));
    }

    #[test]
    fn first_and_last_fault_when_empty() {
        assert_eq!(call(&FIRST, &[strs(&["a", "b"])]), Ok(s("a")));
        assert_eq!(call(&LAST, &[strs(&["a", "b"])]), Ok(s("b")));
        assert_eq!(call(&FIRST, &[strs(&[])]), Err(Fault::IndexOutOfRange));
        assert_eq!(call(&LAST, &[strs(&[])]), Err(Fault::IndexOutOfRange));
    }

    #[test]
    fn pick_reorders_and_repeats() {
        let abc = strs(&["a", "b", "c"]);
        assert_eq!(
            call(&PICK, &[abc, ints(&[2, 0, 2])]),
            Ok(strs(&["c", "a", "c"]))
        );
        assert_eq!(call(&PICK, &[abc, ints(&[])]), Ok(strs(&[])));
        for at in [3, -1, i64::MIN] {
            assert_eq!(
                call(&PICK, &[abc, ints(&[0, at])]),
                Err(Fault::IndexOutOfRange)
            );
        }
    }

    #[test]
    fn range_is_half_open_and_capped() {
        assert_eq!(call(&RANGE, &[i(-1), i(2)]), Ok(ints(&[-1, 0, 1])));
        assert_eq!(call(&RANGE, &[i(3), i(3)]), Ok(ints(&[])));
        assert_eq!(call(&RANGE, &[i(3), i(-3)]), Ok(ints(&[])));
        let top = call(&RANGE, &[i(i64::MAX - 2), i(i64::MAX)]);
        assert_eq!(top, Ok(ints(&[i64::MAX - 2, i64::MAX - 1])));
        let too_many = [i(0), i(MAX_RANGE_LEN + 1)];
        assert_eq!(call(&RANGE, &too_many), Err(Fault::InvalidArgument));
        let widest = [i(i64::MIN), i(i64::MAX)];
        assert_eq!(call(&RANGE, &widest), Err(Fault::InvalidArgument));
    }

    #[test]
    fn range_at_the_cap_succeeds() {
        let full = call(&RANGE, &[i(0), i(MAX_RANGE_LEN)]).expect("at the cap");
        assert_eq!(items(full).len() as i64, MAX_RANGE_LEN);
    }
}
