//! Boxes: N-dimensional arrays of values, as the text-folding programs
//! build them out of words.
//!
//! A box is two lists: its `shape` (the length of each axis, every one at
//! least 1) and its `cells` in row-major order (the last axis varies
//! fastest), so `[2, 3]` with `["a", "b", "c", "d", "e", "f"]` is
//!
//! ```text
//! a b c
//! d e f
//! ```
//!
//! Axes are numbered from 0. A permutation `p` of the axes reorders them:
//! axis `k` of the result is axis `p[k]` of the box. A box has at most 8
//! axes (so at most 40,320 permutations); a longer shape, a shape whose
//! product is not the number of cells, or a list that is not a permutation
//! faults (`InvalidArgument`).

use std::cmp::Ordering;
use std::collections::HashSet;

use fold_runtime::plan::builtin::Fault;
use fold_runtime::value::{compare, from_bool, from_int, to_int, Type, Word};

use crate::decl::{items, new_list, type_param};

/// Most axes a box may have: canonical orientation tries every permutation.
pub const MAX_BOX_AXES: usize = 8;

builtins! {
    /// `box_permutations(n)`: every permutation of the axes `0..n`, in
    /// ascending order. `n` must be 0 to 8; anything else faults
    /// (`InvalidArgument`).
    ///
    ///     box_permutations(2)   // [[0, 1], [1, 0]]
    ///     box_permutations(0)   // [[]]
    ///     box_permutations(9)   // fault InvalidArgument
    PERMUTATIONS: box_permutations(int) -> [[int]] = |a, _| {
        let n = usize::try_from(to_int(a[0])).map_err(|_| Fault::InvalidArgument)?;
        if n > MAX_BOX_AXES {
            return Err(Fault::InvalidArgument);
        }
        let perms: Vec<Word> = permutations(n)
            .iter()
            .map(|p| new_list(&p.iter().map(|&x| from_int(x as i64)).collect::<Vec<_>>()))
            .collect();
        Ok(new_list(&perms))
    };

    /// `box_permute(shape, cells, p)`: the cells of the box with its axes
    /// reordered by `p` (axis `k` of the result is axis `p[k]` of the box);
    /// the new shape is `pick(shape, p)`. Swapping the two axes of a 2×3
    /// box transposes it into a 3×2 one.
    ///
    ///     box_permute([2, 3], ["a", "b", "c", "d", "e", "f"], [1, 0])   // ["a", "d", "b", "e", "c", "f"]
    ///     box_permute([2, 2], ["a", "b", "c", "d"], [0, 0])             // fault InvalidArgument
    PERMUTE: box_permute([int], [T], [int]) -> [T] = |a, _| {
        let b = BoxRef::new(a[0], a[1])?;
        let p = perm_of(a[2], b.shape.len())?;
        Ok(new_list(&b.permuted(&p)))
    };

    /// `box_canonical(shape, cells)`: the cells of the box in its canonical
    /// orientation, so that two boxes which differ only by a permutation
    /// of their axes get the same cells. Of all orientations whose shape is
    /// ascending (`sort(shape)`), it is the one with the least cells in
    /// value order; `sort(shape)` and these cells together are the least
    /// (shape, cells) over all permutations of the axes.
    ///
    ///     box_canonical([2, 2], ["a", "c", "b", "d"])               // ["a", "b", "c", "d"]
    ///     box_canonical([3, 2], ["a", "d", "b", "e", "c", "f"])     // ["a", "b", "c", "d", "e", "f"]
    ///     box_canonical([2, 2], ["a", "b", "c"])                    // fault InvalidArgument
    CANONICAL: box_canonical([int], [T]) -> [T] = |a, types| {
        let elem = type_param(types)?;
        let b = BoxRef::new(a[0], a[1])?;
        Ok(new_list(&b.canonical(elem)))
    };

    /// `box_lines(shape, cells, axis)`: every line of the box along the
    /// axis, each read from low to high index, in row-major order of the
    /// other axes. An axis out of range faults (`IndexOutOfRange`).
    ///
    ///     box_lines([2, 3], ["a", "b", "c", "d", "e", "f"], 0)   // [["a", "d"], ["b", "e"], ["c", "f"]]
    ///     box_lines([2, 3], ["a", "b", "c", "d", "e", "f"], 1)   // [["a", "b", "c"], ["d", "e", "f"]]
    ///     box_lines([2, 3], ["a", "b", "c", "d", "e", "f"], 2)   // fault IndexOutOfRange
    LINES: box_lines([int], [T], int) -> [[T]] = |a, _| {
        let b = BoxRef::new(a[0], a[1])?;
        let axis = usize::try_from(to_int(a[2]))
            .ok()
            .filter(|&x| x < b.shape.len())
            .ok_or(Fault::IndexOutOfRange)?;
        let lines: Vec<Word> = b.lines(axis).iter().map(|l| new_list(l)).collect();
        Ok(new_list(&lines))
    };

    /// `box_diagonals_distinct(shape, cells)`: whether cells at the same
    /// distance from the corner (the same sum of indices: the same
    /// anti-diagonal) all differ. In a 2×2 box that is `b != c` for
    /// `a b / c d`.
    ///
    ///     box_diagonals_distinct([2, 2], ["a", "b", "c", "d"])   // true
    ///     box_diagonals_distinct([2, 2], ["a", "b", "b", "a"])   // false
    DIAGONALS_DISTINCT: box_diagonals_distinct([int], [T]) -> bool = |a, _| {
        let b = BoxRef::new(a[0], a[1])?;
        Ok(from_bool(b.diagonals_distinct()))
    };
}

/// A box checked for a valid shape: every axis at least 1, at most
/// [`MAX_BOX_AXES`] axes, and as many cells as the shape's product.
struct BoxRef {
    shape: Vec<usize>,
    cells: &'static [Word],
}

impl BoxRef {
    fn new(shape: Word, cells: Word) -> Result<Self, Fault> {
        let dims = items(shape);
        if dims.len() > MAX_BOX_AXES {
            return Err(Fault::InvalidArgument);
        }
        let shape: Vec<usize> = dims
            .iter()
            .map(|&d| usize::try_from(to_int(d)).ok().filter(|&d| d >= 1))
            .collect::<Option<_>>()
            .ok_or(Fault::InvalidArgument)?;
        let cells = items(cells);
        let size = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or(Fault::InvalidArgument)?;
        if size != cells.len() {
            return Err(Fault::InvalidArgument);
        }
        Ok(BoxRef { shape, cells })
    }

    /// Row-major strides of the shape.
    fn strides(&self) -> Vec<usize> {
        let mut strides = vec![1; self.shape.len()];
        for k in (0..self.shape.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * self.shape[k + 1];
        }
        strides
    }

    /// The cells with axis `k` of the result being axis `p[k]` of the box.
    fn permuted(&self, p: &[usize]) -> Vec<Word> {
        let strides = self.strides();
        // The result walks its own index in row-major order; the source
        // offset moves by the source stride of the axis that advances.
        let shape: Vec<usize> = p.iter().map(|&k| self.shape[k]).collect();
        let step: Vec<usize> = p.iter().map(|&k| strides[k]).collect();
        let mut index = vec![0usize; shape.len()];
        let mut at = 0usize;
        let mut out = Vec::with_capacity(self.cells.len());
        for _ in 0..self.cells.len() {
            out.push(self.cells[at]);
            // Advance the odometer from the last axis.
            for k in (0..shape.len()).rev() {
                index[k] += 1;
                at += step[k];
                if index[k] < shape[k] {
                    break;
                }
                at -= step[k] * shape[k];
                index[k] = 0;
            }
        }
        out
    }

    fn canonical(&self, elem: &Type) -> Vec<Word> {
        let mut sorted = self.shape.clone();
        sorted.sort_unstable();
        let mut best: Option<Vec<Word>> = None;
        for p in permutations(self.shape.len()) {
            if p.iter().map(|&k| self.shape[k]).ne(sorted.iter().copied()) {
                continue;
            }
            let cells = self.permuted(&p);
            let better = best
                .as_ref()
                .is_none_or(|b| cmp_cells(elem, &cells, b) == Ordering::Less);
            if better {
                best = Some(cells);
            }
        }
        // The ascending shape is always reachable, so `best` is set.
        best.unwrap_or_default()
    }

    fn lines(&self, axis: usize) -> Vec<Vec<Word>> {
        let strides = self.strides();
        let (n, stride) = (self.shape[axis], strides[axis]);
        // A line starts at every cell whose index along `axis` is 0; in
        // row-major order those are the offsets with `(at / stride) % n == 0`.
        (0..self.cells.len())
            .filter(|at| (at / stride) % n == 0)
            .map(|start| (0..n).map(|i| self.cells[start + i * stride]).collect())
            .collect()
    }

    fn diagonals_distinct(&self) -> bool {
        let mut seen = HashSet::with_capacity(self.cells.len());
        let mut index = vec![0usize; self.shape.len()];
        let mut sum = 0usize;
        for &cell in self.cells {
            if !seen.insert((sum, cell)) {
                return false;
            }
            for k in (0..self.shape.len()).rev() {
                index[k] += 1;
                sum += 1;
                if index[k] < self.shape[k] {
                    break;
                }
                sum -= self.shape[k];
                index[k] = 0;
            }
        }
        true
    }
}

/// The list as a permutation of `0..n`.
fn perm_of(list: Word, n: usize) -> Result<Vec<usize>, Fault> {
    let p: Vec<usize> = items(list)
        .iter()
        .map(|&w| usize::try_from(to_int(w)).ok().filter(|&k| k < n))
        .collect::<Option<_>>()
        .ok_or(Fault::InvalidArgument)?;
    let mut seen = vec![false; n];
    for &k in &p {
        if std::mem::replace(&mut seen[k], true) {
            return Err(Fault::InvalidArgument);
        }
    }
    if p.len() != n {
        return Err(Fault::InvalidArgument);
    }
    Ok(p)
}

/// Every permutation of `0..n` in ascending (lexicographic) order.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut p: Vec<usize> = (0..n).collect();
    loop {
        out.push(p.clone());
        // The next permutation in lexicographic order, if any.
        let Some(i) = (1..n).rev().find(|&i| p[i - 1] < p[i]) else {
            return out;
        };
        let j = (i..n).rev().find(|&j| p[j] > p[i - 1]).unwrap_or(i);
        p.swap(i - 1, j);
        p[i..].reverse();
    }
}

fn cmp_cells(elem: &Type, a: &[Word], b: &[Word]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare(elem, *x, *y))
        .find(|o| o.is_ne())
        .unwrap_or(a.len().cmp(&b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decl::testing::{b, call, call_t, i, ints, strs};
    use proptest::prelude::*;

    fn grid(rows: &[&str]) -> Word {
        let cells: Vec<&str> = rows.iter().flat_map(|r| r.split(' ')).collect();
        strs(&cells)
    }

    #[test]
    fn permutations_in_ascending_order() {
        let three = call(&PERMUTATIONS, &[i(3)]).expect("3 axes");
        let expected: Vec<Word> = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ]
        .iter()
        .map(|p| ints(p))
        .collect();
        assert_eq!(three, new_list(&expected));
        assert_eq!(call(&PERMUTATIONS, &[i(1)]), Ok(new_list(&[ints(&[0])])));
        let eight = call(&PERMUTATIONS, &[i(8)]).expect("8 axes");
        assert_eq!(items(eight).len(), 40_320);
        for n in [-1, 9, i64::MAX, i64::MIN] {
            assert_eq!(call(&PERMUTATIONS, &[i(n)]), Err(Fault::InvalidArgument));
        }
    }

    #[test]
    fn permute_moves_axes() {
        // A 2×3×2 box numbered by its offsets; moving the last axis first.
        let cells: Vec<i64> = (0..12).collect();
        let got = call(
            &PERMUTE,
            &[ints(&[2, 3, 2]), ints(&cells), ints(&[2, 0, 1])],
        );
        // Result index (c, a, b) holds source offset a*6 + b*2 + c.
        let expected: Vec<i64> = (0..2)
            .flat_map(|c| (0..2).flat_map(move |a| (0..3).map(move |b| a * 6 + b * 2 + c)))
            .collect();
        assert_eq!(got, Ok(ints(&expected)));
        // The identity changes nothing.
        let same = call(
            &PERMUTE,
            &[ints(&[2, 3, 2]), ints(&cells), ints(&[0, 1, 2])],
        );
        assert_eq!(same, Ok(ints(&cells)));
    }

    #[test]
    fn bad_boxes_and_permutations_fault() {
        let four = strs(&["a", "b", "c", "d"]);
        for (shape, perm) in [
            (ints(&[2, 2]), ints(&[0])),
            (ints(&[2, 2]), ints(&[0, 2])),
            (ints(&[2, 2]), ints(&[1, 1])),
            (ints(&[2, 2]), ints(&[0, 1, 2])),
            (ints(&[4, 1, 1]), ints(&[0, -1, 1])),
            (ints(&[2, 3]), ints(&[0, 1])),
            (ints(&[-2, -2]), ints(&[0, 1])),
            (ints(&[4, 0]), ints(&[0, 1])),
            (ints(&[1; 9]), ints(&[0, 1, 2, 3, 4, 5, 6, 7, 8])),
            (ints(&[i64::MAX, i64::MAX, 4]), ints(&[0, 1, 2])),
        ] {
            assert_eq!(
                call(&PERMUTE, &[shape, four, perm]),
                Err(Fault::InvalidArgument),
                "{:?} {:?}",
                items(shape),
                items(perm)
            );
        }
        assert_eq!(
            call_t(&CANONICAL, Type::Str, &[ints(&[]), strs(&[])]),
            Err(Fault::InvalidArgument)
        );
        // A box with no axes has one cell.
        let one = strs(&["a"]);
        assert_eq!(call_t(&CANONICAL, Type::Str, &[ints(&[]), one]), Ok(one));
    }

    #[test]
    fn canonical_is_the_same_for_every_orientation() {
        let square = grid(&["little birds", "dogs sing"]);
        let transposed = grid(&["little dogs", "birds sing"]);
        let canon = call_t(&CANONICAL, Type::Str, &[ints(&[2, 2]), transposed]);
        assert_eq!(canon, Ok(square));
        // A 2×3 box read as 3×2 comes back as 2×3.
        let wide = grid(&["a b e", "c d f"]);
        let tall = call(&PERMUTE, &[ints(&[2, 3]), wide, ints(&[1, 0])]).expect("transpose");
        assert_eq!(
            call_t(&CANONICAL, Type::Str, &[ints(&[3, 2]), tall]),
            Ok(wide)
        );
        // Ints order by value, not by word bits.
        let neg = call_t(
            &CANONICAL,
            Type::Int,
            &[ints(&[2, 2]), ints(&[0, 5, -1, 7])],
        );
        assert_eq!(neg, Ok(ints(&[0, -1, 5, 7])));
    }

    #[test]
    fn canonical_needs_a_type_parameter() {
        let four = strs(&["a", "b", "c", "d"]);
        assert_eq!(
            call(&CANONICAL, &[ints(&[2, 2]), four]),
            Err(Fault::InvalidArgument)
        );
    }

    #[test]
    fn lines_along_each_axis() {
        let cube = strs(&["a", "b", "c", "d", "e", "f", "g", "h"]);
        let shape = ints(&[2, 2, 2]);
        let lines = |axis| call(&LINES, &[shape, cube, i(axis)]);
        let along = |ls: &[[&str; 2]]| new_list(&ls.iter().map(|l| strs(l)).collect::<Vec<_>>());
        assert_eq!(
            lines(0),
            Ok(along(&[["a", "e"], ["b", "f"], ["c", "g"], ["d", "h"]]))
        );
        assert_eq!(
            lines(1),
            Ok(along(&[["a", "c"], ["b", "d"], ["e", "g"], ["f", "h"]]))
        );
        assert_eq!(
            lines(2),
            Ok(along(&[["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]))
        );
        for axis in [-1, 3, i64::MAX] {
            assert_eq!(lines(axis), Err(Fault::IndexOutOfRange));
        }
    }

    #[test]
    fn diagonals() {
        let check =
            |shape: &[i64], rows: &[&str]| call(&DIAGONALS_DISTINCT, &[ints(shape), grid(rows)]);
        // The 2×3 box of the design, and one whose b is on two diagonals.
        assert_eq!(check(&[2, 3], &["a b e", "c d f"]), Ok(b(true)));
        assert_eq!(check(&[2, 3], &["a b c", "b c d"]), Ok(b(false)));
        // Equal words on different diagonals are fine.
        assert_eq!(check(&[2, 2], &["a b", "c a"]), Ok(b(true)));
        // A cube: b, c and e share the first diagonal.
        assert_eq!(
            check(&[2, 2, 2], &["a b", "c d", "b f", "g h"]),
            Ok(b(false))
        );
        assert_eq!(
            check(&[2, 2, 2], &["a b", "c d", "e f", "g h"]),
            Ok(b(true))
        );
    }

    /// A box as plain vectors, for the properties.
    fn arb_box() -> impl Strategy<Value = (Vec<i64>, Vec<i64>)> {
        prop::collection::vec(1i64..4, 0..4).prop_flat_map(|shape| {
            let size = shape.iter().product::<i64>() as usize;
            (Just(shape), prop::collection::vec(0i64..5, size))
        })
    }

    proptest! {
        #[test]
        fn every_orientation_has_one_canonical_form((shape, cells) in arb_box(), pick in 0usize..24) {
            let (s, c) = (ints(&shape), ints(&cells));
            let canon = call_t(&CANONICAL, Type::Int, &[s, c]).expect("a valid box");
            let perms = items(call(&PERMUTATIONS, &[i(shape.len() as i64)]).expect("few axes"));
            let p = perms[pick % perms.len()];
            let moved = call(&PERMUTE, &[s, c, p]).expect("a permutation");
            let moved_shape: Vec<i64> = items(p).iter().map(|&k| shape[to_int(k) as usize]).collect();
            let again = call_t(&CANONICAL, Type::Int, &[ints(&moved_shape), moved]);
            prop_assert_eq!(again, Ok(canon));
            // Permuting keeps the cells' multiset and the diagonal rule.
            let mut before = cells.clone();
            let mut after: Vec<i64> = items(moved).iter().map(|&w| to_int(w)).collect();
            before.sort_unstable();
            after.sort_unstable();
            prop_assert_eq!(before, after);
            let d1 = call(&DIAGONALS_DISTINCT, &[s, c]);
            let d2 = call(&DIAGONALS_DISTINCT, &[ints(&moved_shape), moved]);
            prop_assert_eq!(d1, d2);
        }

        #[test]
        fn lines_cover_every_cell_once((shape, cells) in arb_box(), axis in 0usize..4) {
            prop_assume!(axis < shape.len());
            let unique: Vec<i64> = (0..cells.len() as i64).collect();
            let lines = call(&LINES, &[ints(&shape), ints(&unique), i(axis as i64)]).expect("valid");
            let mut seen: Vec<i64> = Vec::new();
            for line in items(lines) {
                let line: Vec<i64> = items(*line).iter().map(|&w| to_int(w)).collect();
                prop_assert_eq!(line.len() as i64, shape[axis]);
                // Along a line, offsets step by the axis's stride.
                let stride: i64 = shape[axis + 1..].iter().product();
                prop_assert!(line.windows(2).all(|w| w[1] - w[0] == stride));
                seen.extend(line);
            }
            seen.sort_unstable();
            prop_assert_eq!(seen, unique);
        }
    }
}
