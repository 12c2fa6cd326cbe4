//! Properties of whole programs, compiled from fold source and run: the
//! results equal a naive reference evaluator on random inputs, for any
//! thread count, either backend, and any order in which the input facts
//! arrive.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use fold_runtime::native::Natives;
use fold_runtime::plan::Plan;
use fold_runtime::value::{from_int, to_int};
use fold_runtime::{Engine, RunOptions};
use proptest::prelude::*;

fn plan(src: &str) -> Arc<Plan> {
    let compiled = fold_compiler::compile(src, None);
    match compiled.plan {
        Some(plan) => Arc::new(plan),
        None => panic!("does not compile: {:#?}", compiled.diagnostics),
    }
}

/// Insert `facts` (category name, ints) in the given order, run (native
/// handlers when `jit`), and return the sorted facts of `out`.
fn run(
    plan: &Arc<Plan>,
    facts: &[(&str, Vec<i64>)],
    threads: usize,
    jit: bool,
    out: &str,
) -> Vec<Vec<i64>> {
    let natives = match jit {
        true => {
            fold_compiler::codegen::compile(plan, fold_compiler::codegen::Options::default())
                .expect("native handlers")
                .natives
        }
        false => Natives::none(),
    };
    let mut engine = Engine::new(plan.clone(), natives).expect("the plan verifies");
    for (cat, tuple) in facts {
        let id = plan.category_named(cat).expect("category");
        let words: Vec<u64> = tuple.iter().map(|&v| from_int(v)).collect();
        engine.insert(id, &words);
    }
    engine.insert_program_facts();
    // Options added later keep their defaults here.
    #[allow(clippy::needless_update)]
    let options = RunOptions {
        threads,
        quiet: true,
        ..RunOptions::default()
    };
    engine.run(&options).expect("runs");
    let id = plan.category_named(out).expect("output");
    engine
        .facts(id)
        .into_iter()
        .map(|row| row.into_iter().map(to_int).collect())
        .collect()
}

const TC: &str = "data edge(src: int, dst: int)\ndata path(src: int, dst: int)\n\
                  path(x, y) :- edge(x, y).\npath(x, z) :- path(x, y), edge(y, z).\n";

const SG: &str = "data parent(p: int, c: int)\ndata sg(x: int, y: int)\n\
                  sg(x, y) :- parent(p, x), parent(p, y), x != y.\n\
                  sg(x, y) :- parent(a, x), sg(a, b), parent(b, y).\n";

const SP: &str = "data road(src: int, dst: int, len: int)\n\
                  data dist(node: int, d: int) key(node) keep min(d)\n\
                  dist(0, 0) :- road(0, _, _).\n\
                  rule relax:\n  on dist(x, d)\n  priority d\n  friends road(x, y, l)\n  find dist(y, d + l)\n";

fn closure(edges: &BTreeSet<(i64, i64)>) -> Vec<Vec<i64>> {
    let mut path = edges.clone();
    loop {
        let mut next = path.clone();
        for &(x, y) in &path {
            for &(y2, z) in edges {
                if y == y2 {
                    next.insert((x, z));
                }
            }
        }
        if next.len() == path.len() {
            return path.into_iter().map(|(a, b)| vec![a, b]).collect();
        }
        path = next;
    }
}

fn same_generation(parent: &BTreeSet<(i64, i64)>) -> Vec<Vec<i64>> {
    let mut sg: BTreeSet<(i64, i64)> = BTreeSet::new();
    for &(p, x) in parent {
        for &(q, y) in parent {
            if p == q && x != y {
                sg.insert((x, y));
            }
        }
    }
    loop {
        let mut next = sg.clone();
        for &(a, x) in parent {
            for &(b, y) in parent {
                if sg.contains(&(a, b)) {
                    next.insert((x, y));
                }
            }
        }
        if next.len() == sg.len() {
            return sg.into_iter().map(|(a, b)| vec![a, b]).collect();
        }
        sg = next;
    }
}

/// Bellman-Ford from node 0 (only when node 0 has a road, as the program says).
fn shortest(roads: &BTreeSet<(i64, i64, i64)>) -> Vec<Vec<i64>> {
    let mut dist: BTreeMap<i64, i64> = BTreeMap::new();
    if roads.iter().any(|r| r.0 == 0) {
        dist.insert(0, 0);
    }
    for _ in 0..=roads.len() {
        for &(x, y, l) in roads {
            if let Some(&d) = dist.get(&x) {
                let e = dist.entry(y).or_insert(i64::MAX);
                *e = (*e).min(d + l);
            }
        }
    }
    dist.into_iter().map(|(n, d)| vec![n, d]).collect()
}

/// Per group, the exact sum when it fits an `int` (else a fault: no
/// fact), the count, the least and the greatest value.
const AGG: &str = "
data v(g: int, x: int)
data g(g: int)
data total(g: int, n: int, s: int, lo: int, hi: int)
g(k) :- v(k, _).
total(k, n, s, lo, hi) :- g(k), n = count v(k, _), s = sum x : v(k, x),
  lo = min x : v(k, x), hi = max x : v(k, x).
";

fn totals(values: &BTreeSet<(i64, i64)>) -> Vec<Vec<i64>> {
    let mut groups: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for &(g, x) in values {
        groups.entry(g).or_default().push(x);
    }
    groups
        .into_iter()
        .filter_map(|(g, xs)| {
            let sum = i64::try_from(xs.iter().map(|&x| i128::from(x)).sum::<i128>()).ok()?;
            let (lo, hi) = (*xs.iter().min()?, *xs.iter().max()?);
            Some(vec![g, xs.len() as i64, sum, lo, hi])
        })
        .collect()
}

fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    // A deterministic Fisher-Yates with a small xorshift: order varies
    // with the seed, reproducibly.
    let mut v = items.to_vec();
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn transitive_closure_matches_the_reference(
        edges in proptest::collection::btree_set((0i64..12, 0i64..12), 0..30),
        seed in any::<u64>(),
        threads in 1usize..4,
        jit in any::<bool>(),
    ) {
        let plan = plan(TC);
        let facts: Vec<(&str, Vec<i64>)> = shuffled(&edges.iter().copied().collect::<Vec<_>>(), seed)
            .into_iter().map(|(a, b)| ("edge", vec![a, b])).collect();
        prop_assert_eq!(run(&plan, &facts, threads, jit, "path"), closure(&edges));
    }

    #[test]
    fn same_generation_matches_the_reference(
        parents in proptest::collection::vec(0i64..100, 1..25),
        seed in any::<u64>(),
        threads in 1usize..4,
        jit in any::<bool>(),
    ) {
        // A random tree: node i + 1's parent is some node <= i.
        let parent: BTreeSet<(i64, i64)> = parents.iter().enumerate()
            .map(|(i, r)| (r % (i as i64 + 1), i as i64 + 1)).collect();
        let plan = plan(SG);
        let facts: Vec<(&str, Vec<i64>)> = shuffled(&parent.iter().copied().collect::<Vec<_>>(), seed)
            .into_iter().map(|(a, b)| ("parent", vec![a, b])).collect();
        prop_assert_eq!(run(&plan, &facts, threads, jit, "sg"), same_generation(&parent));
    }

    #[test]
    fn keep_min_shortest_paths_match_the_reference_in_any_order(
        roads in proptest::collection::btree_set((0i64..10, 0i64..10, 0i64..20), 0..30),
        seed in any::<u64>(),
        threads in 1usize..4,
        jit in any::<bool>(),
    ) {
        let plan = plan(SP);
        let facts: Vec<(&str, Vec<i64>)> = shuffled(&roads.iter().copied().collect::<Vec<_>>(), seed)
            .into_iter().map(|(a, b, c)| ("road", vec![a, b, c])).collect();
        prop_assert_eq!(run(&plan, &facts, threads, jit, "dist"), shortest(&roads));
    }

    #[test]
    fn int_aggregates_do_not_depend_on_the_order_of_their_rows(
        // Values near the ends of `int`, so running sums overflow in some
        // orders while the totals fit, and in others the totals do not.
        values in proptest::collection::btree_set(
            (0i64..3, prop_oneof![i64::MIN..i64::MIN + 8, -8i64..8, i64::MAX - 8..=i64::MAX]),
            0..12,
        ),
        seed in any::<u64>(),
        threads in 1usize..4,
        jit in any::<bool>(),
    ) {
        let plan = plan(AGG);
        let facts: Vec<(&str, Vec<i64>)> = shuffled(&values.iter().copied().collect::<Vec<_>>(), seed)
            .into_iter().map(|(g, x)| ("v", vec![g, x])).collect();
        prop_assert_eq!(run(&plan, &facts, threads, jit, "total"), totals(&values));
    }
}
