//! The sorted runs a published category is queried through: one order
//! per field, led by that field, then the whole fact in value order.
//!
//! A commit adds the rows it found as a new small sorted run instead of
//! sorting the category again; runs of similar size are merged (each row
//! is merged about log₄ n times in all), so a category of millions of
//! rows keeps a handful of runs and a query binary-searches each one.
//! Runs are shared (`Arc`) between the snapshots that hold them, so
//! publishing a commit copies nothing already published.

use std::cmp::Ordering;
use std::sync::Arc;

use fold_runtime::value::{self, Type, Word};
use rayon::slice::ParallelSliceMut;

/// Rows of one order, sorted: each entry is the fact's words then its row
/// id, `arity + 1` words.
pub struct Run {
    pub words: Vec<Word>,
}

impl Run {
    pub fn len(&self, stride: usize) -> usize {
        self.words.len() / stride
    }
    pub fn entry(&self, stride: usize, i: usize) -> &[Word] {
        &self.words[i * stride..(i + 1) * stride]
    }
}

/// The runs of one order (led by field `lead`), biggest first.
#[derive(Clone, Default)]
pub struct Order {
    pub runs: Vec<Arc<Run>>,
}

/// Order two facts by field `lead`, then as whole facts.
pub fn compare_led(types: &[Type], lead: usize, a: &[Word], b: &[Word]) -> Ordering {
    value::compare(&types[lead], a[lead], b[lead])
        .then_with(|| value::compare_tuples(types, &a[..types.len()], &b[..types.len()]))
}

impl Order {
    /// Add the rows `first..` given by `words` (`arity` each) as a run, then
    /// merge runs while the newest is at least a quarter of the one before.
    pub fn add(&mut self, types: &[Type], lead: usize, first: usize, words: &[Word]) {
        let arity = types.len();
        if arity == 0 || words.is_empty() {
            return;
        }
        let stride = arity + 1;
        let run = match stride {
            2 => sorted_fixed::<2>(types, lead, first, words),
            3 => sorted_fixed::<3>(types, lead, first, words),
            4 => sorted_fixed::<4>(types, lead, first, words),
            5 => sorted_fixed::<5>(types, lead, first, words),
            _ => sorted_any(types, lead, first, words),
        };
        self.runs.push(Arc::new(Run { words: run }));
        while self.runs.len() >= 2 {
            let n = self.runs.len();
            let (older, newer) = (&self.runs[n - 2], &self.runs[n - 1]);
            if newer.words.len() * 4 < older.words.len() {
                break;
            }
            let merged = merge(types, lead, older, newer);
            self.runs.truncate(n - 2);
            self.runs.push(Arc::new(merged));
        }
    }
}

/// The entries of rows `first..` (`words`), sorted: as fixed-size arrays,
/// so the sort moves them in place rather than chasing pointers.
fn sorted_fixed<const S: usize>(
    types: &[Type],
    lead: usize,
    first: usize,
    words: &[Word],
) -> Vec<Word> {
    let arity = S - 1;
    let mut entries: Vec<[Word; S]> = words
        .chunks_exact(arity)
        .enumerate()
        .map(|(i, row)| {
            let mut e = [0; S];
            e[..arity].copy_from_slice(row);
            e[arity] = (first + i) as Word;
            e
        })
        .collect();
    entries.par_sort_unstable_by(|a, b| compare_led(types, lead, a, b));
    entries.into_iter().flatten().collect()
}

/// [`sorted_fixed`] for any arity: positions sorted, then copied.
fn sorted_any(types: &[Type], lead: usize, first: usize, words: &[Word]) -> Vec<Word> {
    let arity = types.len();
    let entries: Vec<&[Word]> = words.chunks_exact(arity).collect();
    let mut rows: Vec<usize> = (0..entries.len()).collect();
    rows.par_sort_unstable_by(|&x, &y| compare_led(types, lead, entries[x], entries[y]));
    let mut run = Vec::with_capacity(rows.len() * (arity + 1));
    for r in rows {
        run.extend_from_slice(entries[r]);
        run.push((first + r) as Word);
    }
    run
}

/// Two sorted runs as one.
fn merge(types: &[Type], lead: usize, a: &Run, b: &Run) -> Run {
    let stride = types.len() + 1;
    let (na, nb) = (a.len(stride), b.len(stride));
    let mut out = Vec::with_capacity(a.words.len() + b.words.len());
    let (mut i, mut j) = (0, 0);
    while i < na && j < nb {
        let (x, y) = (a.entry(stride, i), b.entry(stride, j));
        if compare_led(types, lead, x, y) != Ordering::Greater {
            out.extend_from_slice(x);
            i += 1;
        } else {
            out.extend_from_slice(y);
            j += 1;
        }
    }
    out.extend_from_slice(&a.words[i * stride..]);
    out.extend_from_slice(&b.words[j * stride..]);
    Run { words: out }
}
