//! A query of one category: equality and range filters on any field,
//! a page of at most `limit` facts after a cursor, answered from the
//! sorted runs of one order ([`super::index`]).
//!
//! The order used is led by the first field with an equality filter (else
//! the first with a range, else the first field); facts come sorted by
//! that field, then as whole facts in value order. Only the lead field's
//! range of each run is visited; other filters are checked on it.

use std::cmp::Ordering;

use fold_runtime::value::{self, intern, Type, Word};

use super::index::compare_led;
use super::CatView;

/// A value a client gave, comparable with the category's words without
/// interning it (strings compare as text).
#[derive(Clone, Debug)]
pub enum Probe {
    Word(Word),
    Text(String),
}

/// How a field must compare with a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One filter: field, comparison, value.
#[derive(Clone, Debug)]
pub struct Filter {
    pub field: usize,
    pub op: Op,
    pub value: Probe,
}

/// A client's value for a field of type `ty`.
pub fn probe(ty: &Type, text: &str) -> Result<Probe, String> {
    match ty {
        Type::Str => Ok(Probe::Text(text.to_string())),
        Type::List(_) => Err("lists cannot be filtered on".to_string()),
        ty => value::parse_plain(ty, text)
            .map(Probe::Word)
            .map_err(|e| e.to_string()),
    }
}

/// How the word `w` of type `ty` compares with `p`.
pub fn compare_probe(ty: &Type, w: Word, p: &Probe) -> Ordering {
    match p {
        Probe::Word(x) => value::compare(ty, w, *x),
        Probe::Text(t) => intern::str_of(w).as_bytes().cmp(t.as_bytes()),
    }
}

fn holds(ty: &Type, w: Word, f: &Filter) -> bool {
    let c = compare_probe(ty, w, &f.value);
    match f.op {
        Op::Eq => c == Ordering::Equal,
        Op::Lt => c == Ordering::Less,
        Op::Le => c != Ordering::Greater,
        Op::Gt => c == Ordering::Greater,
        Op::Ge => c != Ordering::Less,
    }
}

/// The field whose order answers `filters`.
pub fn lead(filters: &[Filter]) -> usize {
    filters
        .iter()
        .find(|f| f.op == Op::Eq)
        .or_else(|| filters.first())
        .map_or(0, |f| f.field)
}

/// How entry `e` compares with a cursor (a whole fact) in the order led
/// by `lead`.
fn compare_cursor(types: &[Type], lead: usize, e: &[Word], cursor: &[Probe]) -> Ordering {
    compare_probe(&types[lead], e[lead], &cursor[lead]).then_with(|| {
        types
            .iter()
            .zip(e)
            .zip(cursor)
            .map(|((ty, &w), p)| compare_probe(ty, w, p))
            .find(|c| *c != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    })
}

/// The current facts of `view` passing `filters`, in the order led by
/// `lead(filters)`, after `cursor` (a whole fact), at most `limit`;
/// whether more follow.
pub fn run<'v>(
    view: &'v CatView,
    types: &[Type],
    filters: &[Filter],
    cursor: Option<&[Probe]>,
    limit: usize,
) -> (Vec<&'v [Word]>, bool) {
    let arity = types.len();
    if arity == 0 {
        // One fact at most: the empty tuple.
        let facts = if view.live > 0 && cursor.is_none() && limit > 0 {
            vec![&[][..]]
        } else {
            Vec::new()
        };
        return (facts, false);
    }
    let lead = lead(filters);
    let stride = arity + 1;
    let ty = &types[lead];
    let lead_filters: Vec<&Filter> = filters.iter().filter(|f| f.field == lead).collect();
    // Each run's range of entries to visit.
    let mut ranges: Vec<(usize, usize)> = view.orders[lead]
        .runs
        .iter()
        .map(|run| {
            let n = run.len(stride);
            let at = |i: usize| run.entry(stride, i);
            let mut lo = 0;
            let mut hi = n;
            for f in &lead_filters {
                let c = |i: usize| compare_probe(ty, at(i)[lead], &f.value);
                let below = |i: usize| c(i) == Ordering::Less;
                let not_above = |i: usize| c(i) != Ordering::Greater;
                match f.op {
                    Op::Eq => {
                        lo = lo.max(partition(n, below));
                        hi = hi.min(partition(n, not_above));
                    }
                    Op::Gt => lo = lo.max(partition(n, not_above)),
                    Op::Ge => lo = lo.max(partition(n, below)),
                    Op::Lt => hi = hi.min(partition(n, below)),
                    Op::Le => hi = hi.min(partition(n, not_above)),
                }
            }
            if let Some(cursor) = cursor {
                let past = partition(n, |i| {
                    compare_cursor(types, lead, at(i), cursor) != Ordering::Greater
                });
                lo = lo.max(past);
            }
            (lo, hi.max(lo))
        })
        .collect();
    let runs = &view.orders[lead].runs;
    let mut out = Vec::new();
    loop {
        // The least next entry over all runs.
        let mut best: Option<(usize, &[Word])> = None;
        for (k, (lo, hi)) in ranges.iter().enumerate() {
            if lo < hi {
                let e = runs[k].entry(stride, *lo);
                if best.is_none_or(|(_, b)| compare_led(types, lead, e, b) == Ordering::Less) {
                    best = Some((k, e));
                }
            }
        }
        let Some((k, e)) = best else {
            return (out, false);
        };
        ranges[k].0 += 1;
        let row = e[arity] as usize;
        if view.is_dead(row)
            || !filters
                .iter()
                .all(|f| holds(&types[f.field], e[f.field], f))
        {
            continue;
        }
        if out.len() == limit {
            return (out, true);
        }
        out.push(&e[..arity]);
    }
}

/// The first `i` in `0..n` where `before(i)` is false (`before` holds on
/// a prefix).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
