//! Queries over runs added commit by commit agree with filtering and
//! sorting every fact: any filters, any page size, superseded rows left
//! out, pages that join up to the whole answer.

use std::cmp::Ordering;
use std::sync::Arc;

use fold_runtime::value::{self, intern, Type, Word};

use super::index::{compare_led, Order};
use super::query::{lead, run, Filter, Op, Probe};
use super::{CatView, Chunk};

/// A small deterministic generator (no test should be flaky).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn types() -> Vec<Type> {
    vec![Type::Int, Type::Str, Type::Int]
}

fn row(g: &mut Lcg) -> Vec<Word> {
    let names = ["ant", "bee", "cat", "dog", "eel"];
    vec![
        value::from_int(g.next(20) as i64 - 10),
        intern::intern_str(names[g.next(5) as usize]),
        value::from_int(g.next(7) as i64),
    ]
}

/// A view built as commits would: `commits` batches of rows, some rows
/// superseded.
fn view(g: &mut Lcg, commits: usize) -> (CatView, Vec<Vec<Word>>) {
    let types = types();
    let mut v = CatView {
        orders: vec![Order::default(); types.len()],
        ..CatView::default()
    };
    let mut all: Vec<Vec<Word>> = Vec::new();
    for _ in 0..commits {
        let n = 1 + g.next(40) as usize;
        let mut words = Vec::new();
        for _ in 0..n {
            let r = row(g);
            if all.contains(&r) {
                continue;
            }
            words.extend_from_slice(&r);
            all.push(r);
        }
        let first = v.rows;
        for (lead, order) in v.orders.iter_mut().enumerate() {
            order.add(&types, lead, first, &words);
        }
        v.log.push(Arc::new(Chunk { first, words }));
        v.rows = all.len();
    }
    let mut dead = vec![0u64; all.len().div_ceil(64)];
    for r in 0..all.len() {
        if g.next(5) == 0 {
            dead[r / 64] |= 1 << (r % 64);
        }
    }
    v.dead = Arc::new(dead);
    v.live = (0..all.len()).filter(|&r| !v.is_dead(r)).count();
    (v, all)
}

fn filter(g: &mut Lcg) -> Filter {
    let field = g.next(3) as usize;
    let op = [Op::Eq, Op::Lt, Op::Le, Op::Gt, Op::Ge][g.next(5) as usize];
    let value = match field {
        1 => Probe::Text(["ant", "bee", "cow", "dog", "a", "z"][g.next(6) as usize].to_string()),
        _ => Probe::Word(value::from_int(g.next(22) as i64 - 11)),
    };
    Filter { field, op, value }
}

fn passes(types: &[Type], r: &[Word], f: &Filter) -> bool {
    let c = super::query::compare_probe(&types[f.field], r[f.field], &f.value);
    match f.op {
        Op::Eq => c == Ordering::Equal,
        Op::Lt => c == Ordering::Less,
        Op::Le => c != Ordering::Greater,
        Op::Gt => c == Ordering::Greater,
        Op::Ge => c != Ordering::Less,
    }
}

#[test]
fn pages_of_a_query_are_the_sorted_filtered_facts() {
    let types = types();
    let mut g = Lcg(7);
    for case in 0..60 {
        let (v, all) = view(&mut g, 1 + case % 9);
        // Rows can be read back by row id from the log.
        for (r, words) in all.iter().enumerate() {
            assert_eq!(v.row(3, r), Some(&words[..]));
        }
        let filters: Vec<Filter> = (0..g.next(3)).map(|_| filter(&mut g)).collect();
        let lead = lead(&filters);
        let mut expected: Vec<&[Word]> = all
            .iter()
            .enumerate()
            .filter(|(r, w)| !v.is_dead(*r) && filters.iter().all(|f| passes(&types, w, f)))
            .map(|(_, w)| &w[..])
            .collect();
        expected.sort_by(|a, b| compare_led(&types, lead, a, b));
        let limit = 1 + g.next(12) as usize;
        let mut got: Vec<Vec<Word>> = Vec::new();
        let mut cursor: Option<Vec<Probe>> = None;
        loop {
            let (page, more) = run(&v, &types, &filters, cursor.as_deref(), limit);
            assert!(page.len() <= limit);
            got.extend(page.iter().map(|r| r.to_vec()));
            if !more {
                break;
            }
            let last = page.last().expect("a full page before more");
            let text = crate::render::cursor(&types, last);
            cursor = Some(crate::render::read_cursor(&types, &text).expect("cursor"));
        }
        let got: Vec<&[Word]> = got.iter().map(Vec::as_slice).collect();
        assert_eq!(got, expected, "case {case}: {filters:?}");
    }
}
