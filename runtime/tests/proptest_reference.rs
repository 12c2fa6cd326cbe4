//! Transitive closure and same generation on random graphs, compared with
//! a naive fixpoint written here.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::*;
use fold_runtime::plan::GroundFact;
use fold_runtime::value::{from_int, to_int};
use fold_runtime::RunOptions;
use proptest::prelude::*;

type Rel = BTreeSet<(i64, i64)>;

fn naive_tc(edges: &Rel) -> Rel {
    let mut path = edges.clone();
    loop {
        let mut next = path.clone();
        for &(x, y) in &path {
            for &(a, z) in edges {
                if a == y {
                    next.insert((x, z));
                }
            }
        }
        if next == path {
            return path;
        }
        path = next;
    }
}

fn naive_sg(parent: &Rel) -> Rel {
    let mut sg = Rel::new();
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
            for &(a2, b) in &sg {
                if a2 != a {
                    continue;
                }
                for &(b2, y) in parent {
                    if b2 == b {
                        next.insert((x, y));
                    }
                }
            }
        }
        if next == sg {
            return sg;
        }
        sg = next;
    }
}

fn engine_run(
    plan: (
        fold_runtime::plan::Plan,
        fold_runtime::plan::CatId,
        fold_runtime::plan::CatId,
    ),
    input: &Rel,
    threads: usize,
) -> Rel {
    let (mut plan, inp, out) = plan;
    for &(a, b) in input {
        plan.facts.push(GroundFact {
            cat: inp,
            tuple: vec![from_int(a), from_int(b)],
            line: 0,
        });
    }
    let mut e = common::engine(Arc::new(plan));
    e.insert_program_facts();
    e.run(&RunOptions {
        threads,
        quiet: true,
    })
    .unwrap();
    e.facts(out)
        .into_iter()
        .map(|r| (to_int(r[0]), to_int(r[1])))
        .collect()
}

fn graph() -> impl Strategy<Value = Rel> {
    proptest::collection::btree_set((0i64..10, 0i64..10), 0..30)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tc_matches_reference(edges in graph(), threads in 1usize..4) {
        prop_assert_eq!(engine_run(tc_plan(), &edges, threads), naive_tc(&edges));
    }

    #[test]
    fn sg_matches_reference(parent in graph(), threads in 1usize..4) {
        prop_assert_eq!(engine_run(sg_plan(), &parent, threads), naive_sg(&parent));
    }
}
