//! End-to-end runs of hand-built plans.

mod common;

use std::sync::Arc;

use common::*;
use fold_runtime::native::Natives;
use fold_runtime::plan::builtin::Fault;
use fold_runtime::plan::*;
use fold_runtime::value::intern;
use fold_runtime::value::{from_int, to_int, Type};
use fold_runtime::{Engine, RunOptions};

fn run(plan: Plan, threads: usize) -> Engine {
    let mut e = common::engine(Arc::new(plan));
    e.insert_program_facts();
    e.run(&RunOptions {
        threads,
        quiet: true,
    })
    .expect("runs");
    e
}

fn ints(e: &Engine, cat: CatId) -> Vec<Vec<i64>> {
    e.facts(cat)
        .into_iter()
        .map(|r| r.into_iter().map(to_int).collect())
        .collect()
}

#[test]
fn transitive_closure_on_a_chain_and_a_cycle() {
    let (mut plan, edge, path) = tc_plan();
    for (a, b) in [(1, 2), (2, 3), (3, 4), (4, 2)] {
        plan.facts.push(GroundFact {
            cat: edge,
            tuple: vec![from_int(a), from_int(b)],
            line: 0,
        });
    }
    let e = run(plan, 1);
    let got = ints(&e, path);
    let mut want = vec![vec![1, 2], vec![1, 3], vec![1, 4]];
    for a in 2..=4 {
        for b in 2..=4 {
            want.push(vec![a, b]);
        }
    }
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn facts_arriving_later_trigger_the_other_position() {
    // First paths exist, then new edges arrive: the edge-position handler
    // must extend the old paths (symmetric triggering).
    let (plan, edge, path) = tc_plan();
    let mut e = common::engine(Arc::new(plan));
    e.insert(edge, &[from_int(1), from_int(2)]);
    let opts = RunOptions {
        threads: 1,
        quiet: true,
    };
    e.run(&opts).unwrap();
    assert_eq!(ints(&e, path), vec![vec![1, 2]]);
    e.insert(edge, &[from_int(2), from_int(3)]);
    e.insert(edge, &[from_int(0), from_int(1)]);
    e.run(&opts).unwrap();
    assert_eq!(
        ints(&e, path),
        vec![
            vec![0, 1],
            vec![0, 2],
            vec![0, 3],
            vec![1, 2],
            vec![1, 3],
            vec![2, 3]
        ]
    );
    // Every path fact was an event exactly once for the path position.
    let extend = &e.plan().rules[1];
    let h0 = extend.handlers[0];
    assert_eq!(e.plan().handler(h0).trigger, path);
    assert_eq!(e.stats().handlers[h0.index()].events, 6);
}

#[test]
fn same_generation() {
    let (mut plan, parent, sg) = sg_plan();
    // 1 -> 2, 3; 2 -> 4; 3 -> 5, 6
    for (p, c) in [(1, 2), (1, 3), (2, 4), (3, 5), (3, 6)] {
        plan.facts.push(GroundFact {
            cat: parent,
            tuple: vec![from_int(p), from_int(c)],
            line: 0,
        });
    }
    let e = run(plan, 2);
    let want = vec![
        vec![2, 3],
        vec![3, 2],
        vec![4, 5],
        vec![4, 6],
        vec![5, 4],
        vec![5, 6],
        vec![6, 4],
        vec![6, 5],
    ];
    assert_eq!(ints(&e, sg), want);
}

/// `dist(node, d) key(node) keep min(d)`, relaxed along weighted edges,
/// prioritized by distance.
fn shortest_paths(prioritized: bool) -> (Plan, CatId, CatId) {
    let mut b = Builder::new();
    let edge = b.ints("edge", &["src", "dst", "w"]);
    let dist = b.keyed(
        "dist",
        &[("node", Type::Int), ("d", Type::Int)],
        Some(vec![0]),
        Keep::Min(1),
    );
    let r = b.rule("relax", &[dist, edge]);
    let slots = [
        ("x", Type::Int),
        ("d", Type::Int),
        ("y", Type::Int),
        ("w", Type::Int),
    ];
    let find = || Op::Search {
        body: vec![Op::Find {
            cat: dist,
            args: vec![sl(2), bin(BinOp::AddInt, sl(1), sl(3))],
        }],
    };
    b.handler(
        r,
        0,
        &slots,
        vec![store(0), store(1)],
        prioritized.then(|| sl(1)),
        vec![Op::Join {
            exists: false,
            cat: edge,
            source: source(vec![0], vec![sl(0)]),
            bind: vec![(1, store(2)), (2, store(3))],
            body: vec![find()],
        }],
    );
    b.handler(
        r,
        1,
        &slots,
        vec![store(0), store(2), store(3)],
        None,
        vec![Op::Join {
            exists: false,
            cat: dist,
            source: source(vec![0], vec![sl(0)]),
            bind: vec![(1, store(1))],
            body: vec![find()],
        }],
    );
    b.stratum(&[dist], &[r]);
    b.output(dist);
    b.plan.facts.push(GroundFact {
        cat: dist,
        tuple: vec![from_int(0), from_int(0)],
        line: 0,
    });
    let edges = [
        (0, 1, 7),
        (0, 2, 9),
        (0, 5, 14),
        (1, 2, 10),
        (1, 3, 15),
        (2, 3, 11),
        (2, 5, 2),
        (3, 4, 6),
        (4, 5, 9),
        (5, 4, 9),
    ];
    for (s, d, w) in edges {
        b.fact(edge, &[s, d, w]);
    }
    (b.plan, edge, dist)
}

#[test]
fn keyed_keep_min_shortest_paths() {
    for prioritized in [false, true] {
        let (plan, _, dist) = shortest_paths(prioritized);
        let e = run(plan, 1);
        assert_eq!(
            ints(&e, dist),
            vec![
                vec![0, 0],
                vec![1, 7],
                vec![2, 9],
                vec![3, 20],
                vec![4, 20],
                vec![5, 11]
            ],
            "prioritized: {prioritized}"
        );
        let relax = &e.stats().handlers[0];
        if prioritized {
            // Dijkstra order: every node is settled by its first event.
            assert_eq!(relax.events, 6);
        }
    }
}

#[test]
fn priority_skips_superseded_facts() {
    let (plan, _, _) = shortest_paths(true);
    let e = run(plan, 1);
    let s = &e.stats().handlers[0];
    assert!(s.skipped_superseded > 0, "{s:?}");
    assert_eq!(e.stats().total().faults, 0);
}

#[test]
fn negation_and_aggregates_across_strata() {
    let mut b = Builder::new();
    let node = b.ints("node", &["id"]);
    let edge = b.ints("edge", &["src", "dst"]);
    let degree = b.ints("degree", &["id", "n", "sum", "min", "max"]);
    let isolated = b.ints("isolated", &["id"]);
    let r1 = b.rule("degree", &[node]);
    let agg = |slot, kind, value: Option<Expr>| Op::Aggregate {
        slot: Slot(slot),
        kind,
        ty: Type::Int,
        cat: edge,
        source: source(vec![0], vec![sl(0)]),
        bind: vec![(1, store(5))],
        value,
    };
    b.handler(
        r1,
        0,
        &[
            ("x", Type::Int),
            ("n", Type::Int),
            ("s", Type::Int),
            ("lo", Type::Int),
            ("hi", Type::Int),
            ("y", Type::Int),
        ],
        vec![store(0)],
        None,
        vec![
            agg(1, AggKind::Count, None),
            agg(2, AggKind::Sum, Some(sl(5))),
            agg(3, AggKind::Min, Some(sl(5))),
            agg(4, AggKind::Max, Some(sl(5))),
            Op::Search {
                body: vec![Op::Find {
                    cat: degree,
                    args: (0..5).map(sl).collect(),
                }],
            },
        ],
    );
    let r2 = b.rule("isolated", &[node]);
    b.handler(
        r2,
        0,
        &[("x", Type::Int)],
        vec![store(0)],
        None,
        vec![
            Op::NotExists {
                cat: edge,
                source: source(vec![0], vec![sl(0)]),
            },
            Op::Search {
                body: vec![Op::Find {
                    cat: isolated,
                    args: vec![sl(0)],
                }],
            },
        ],
    );
    // Stratum 0 completes edge (here: only facts), then the readers.
    b.stratum(&[edge], &[]);
    b.stratum(&[degree, isolated], &[r1, r2]);
    for x in 1..=4 {
        b.fact(node, &[x]);
    }
    for (s, d) in [(1, 2), (1, 3), (1, 9), (2, 5)] {
        b.fact(edge, &[s, d]);
    }
    let e = run(b.plan, 1);
    assert_eq!(
        ints(&e, degree),
        vec![vec![1, 3, 14, 2, 9], vec![2, 1, 5, 5, 5]]
    );
    assert_eq!(ints(&e, isolated), vec![vec![3], vec![4]]);
    // Nodes 3 and 4: the empty min drops the binding before the search.
    let s = &e.stats().handlers[0];
    assert_eq!((s.events, s.searched, s.aborted_data), (4, 2, 2));
    let s = &e.stats().handlers[1];
    assert_eq!((s.events, s.searched, s.aborted_friends), (4, 2, 2));
}

#[test]
fn a_fault_discards_its_event_when_it_has_one_combination() {
    let mut b = Builder::new();
    let num = b.ints("num", &["x"]);
    let seen = b.ints("seen", &["x"]);
    let inv = b.ints("inv", &["y"]);
    let r = b.rule("invert", &[num]);
    b.handler(
        r,
        0,
        &[("x", Type::Int), ("y", Type::Int)],
        vec![store(0)],
        None,
        vec![Op::Search {
            body: vec![
                Op::Find {
                    cat: seen,
                    args: vec![sl(0)],
                },
                Op::Let {
                    slot: Slot(1),
                    expr: bin(BinOp::DivInt, int(10), sl(0)),
                },
                Op::Find {
                    cat: inv,
                    args: vec![sl(1)],
                },
            ],
        }],
    );
    b.stratum(&[seen, inv], &[r]);
    for x in [-5, 0, 2] {
        b.fact(num, &[x]);
    }
    b.fact(num, &[i64::MIN]);
    let r2 = b.rule("negate", &[num]);
    let neg = b.ints("neg", &["y"]);
    b.handler(
        r2,
        0,
        &[("x", Type::Int)],
        vec![store(0)],
        None,
        vec![Op::Search {
            body: vec![Op::Find {
                cat: neg,
                args: vec![Expr::Unary(UnOp::NegInt, Box::new(sl(0)))],
            }],
        }],
    );
    b.stratum(&[neg], &[r2]);
    let e = run(b.plan, 1);
    assert_eq!(ints(&e, seen), vec![vec![i64::MIN], vec![-5], vec![2]]);
    assert_eq!(ints(&e, inv), vec![vec![-2], vec![0], vec![5]]);
    assert_eq!(ints(&e, neg), vec![vec![-2], vec![0], vec![5]]);
    let s = &e.stats().handlers[0];
    assert_eq!(s.faults, 1);
    assert_eq!(s.faults_of(Fault::DivisionByZero), 1);
    let s = &e.stats().handlers[1];
    assert_eq!(s.faults_of(Fault::Overflow), 1);
    assert!(e
        .stats()
        .render_table(e.plan())
        .contains("division by zero: 1"));
}

fn str_const(s: &str) -> Expr {
    Expr::Const(intern::intern_str(s), Type::Str)
}

#[test]
fn strings_and_lists() {
    let mut b = Builder::new();
    let words_ty = Type::list_of(Type::Str);
    let text = b.cat("text", &[("t", Type::Str), ("parts", words_ty.clone())]);
    let out = b.cat("out", &[("s", Type::Str)]);
    let bad = b.cat("bad", &[("s", Type::Str)]);
    let lists = b.cat("lists", &[("l", words_ty.clone())]);
    let r = b.rule("words", &[text]);
    let str_cmp = |op, a, b| bin(BinOp::Cmp(op, Type::Str), a, b);
    b.handler(
        r,
        0,
        &[
            ("t", Type::Str),
            ("ps", words_ty.clone()),
            ("p", Type::Str),
            ("i", Type::Int),
        ],
        vec![store(0), store(1)],
        None,
        vec![Op::Search {
            body: vec![
                Op::For {
                    slot: Slot(2),
                    elem: Type::Str,
                    list: sl(1),
                    body: vec![Op::If {
                        cond: str_cmp(CmpOp::Lt, sl(2), str_const("b")),
                        then: vec![Op::Find {
                            cat: out,
                            args: vec![bin(BinOp::ConcatStr, sl(2), str_const("!"))],
                        }],
                        els: vec![Op::Find {
                            cat: out,
                            args: vec![sl(2)],
                        }],
                    }],
                },
                // Characters, not bytes: "héllo"[1..3] == "él".
                Op::Find {
                    cat: out,
                    args: vec![Expr::Slice {
                        base: Box::new(sl(0)),
                        lo: Some(Box::new(int(1))),
                        hi: Some(Box::new(int(3))),
                        is_str: true,
                    }],
                },
                Op::Find {
                    cat: out,
                    args: vec![Expr::Index(Box::new(sl(1)), Box::new(int(1)))],
                },
                Op::Find {
                    cat: lists,
                    args: vec![bin(
                        BinOp::ConcatList,
                        Expr::Slice {
                            base: Box::new(sl(1)),
                            lo: None,
                            hi: Some(Box::new(int(1))),
                            is_str: false,
                        },
                        Expr::List(vec![str_const("z")]),
                    )],
                },
                Op::ForRange {
                    slot: Slot(3),
                    lo: int(0),
                    hi: int(2),
                    body: vec![Op::Find {
                        cat: lists,
                        args: vec![Expr::List(vec![str_const("n"), sl(2)])],
                    }],
                },
            ],
        }],
    );
    // A second rule that faults: index out of range.
    let r2 = b.rule("oob", &[text]);
    b.handler(
        r2,
        0,
        &[("t", Type::Str), ("ps", words_ty.clone())],
        vec![store(0), store(1)],
        None,
        vec![Op::Search {
            body: vec![Op::Find {
                cat: bad,
                args: vec![Expr::Index(Box::new(sl(1)), Box::new(int(-1)))],
            }],
        }],
    );
    b.stratum(&[out, lists, bad], &[r, r2]);
    let ps = intern::intern_list(&[intern::intern_str("a"), intern::intern_str("cat")]);
    b.plan.facts.push(GroundFact {
        cat: text,
        tuple: vec![intern::intern_str("héllo"), ps],
        line: 0,
    });
    let e = run(b.plan, 1);
    let strs = |cat| -> Vec<String> {
        e.facts(cat)
            .into_iter()
            .map(|r| intern::str_of(r[0]).to_string())
            .collect()
    };
    assert_eq!(strs(out), vec!["a!", "cat", "él"]);
    let ls: Vec<Vec<String>> = e
        .facts(lists)
        .into_iter()
        .map(|r| {
            intern::list_of(r[0])
                .iter()
                .map(|w| intern::str_of(*w).to_string())
                .collect()
        })
        .collect();
    assert_eq!(ls, vec![vec!["a", "z"], vec!["n", "cat"]]);
    assert!(strs(bad).is_empty());
    assert_eq!(e.stats().handlers[1].faults_of(Fault::IndexOutOfRange), 1);
}

#[test]
fn one_and_four_threads_write_identical_files() {
    let (mut plan, parent, sg) = sg_plan();
    // A deterministic random tree of 600 nodes.
    let mut x: u64 = 12345;
    for c in 1..600i64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let p = (x % c as u64) as i64;
        plan.facts.push(GroundFact {
            cat: parent,
            tuple: vec![from_int(p), from_int(c)],
            line: 0,
        });
    }
    let plan = Arc::new(plan);
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in [1, 4] {
        let mut e = common::engine(plan.clone());
        e.insert_program_facts();
        e.run(&RunOptions {
            threads,
            quiet: true,
        })
        .unwrap();
        let d = dir.path().join(format!("t{threads}"));
        let files = e.write_outputs(&d, &[sg]).unwrap();
        let bytes = std::fs::read(&files[0]).unwrap();
        outputs.push((bytes, e.stats().clone(), e.count(sg)));
    }
    assert!(outputs[0].2 > 1000);
    assert!(outputs[0].0 == outputs[1].0, "outputs differ");
    assert_eq!(outputs[0].1, outputs[1].1, "counters differ");
}

#[test]
fn examples_hit_miss_near_miss() {
    let (mut plan, edge, path) = tc_plan();
    let extend = RuleId(1);
    let fact = |cat, a: i64, b: i64| GroundFact {
        cat,
        tuple: vec![from_int(a), from_int(b)],
        line: 0,
    };
    let ex = |kind, given: Vec<GroundFact>, expected: Vec<GroundFact>| Example {
        rules: vec![extend],
        kind,
        name: String::new(),
        given,
        expected,
        line: 1,
    };
    plan.examples = vec![
        ex(
            ExampleKind::Hit,
            vec![fact(path, 1, 2), fact(edge, 2, 3)],
            vec![fact(path, 1, 3)],
        ),
        ex(
            ExampleKind::Miss,
            vec![fact(path, 1, 2), fact(edge, 5, 6)],
            vec![],
        ),
    ];
    common::place(&mut plan);
    let none = Natives::none();
    let hit = fold_runtime::examples::run_example(&plan, &none, &plan.examples[0]);
    assert_eq!(
        hit.found,
        fold_runtime::examples::expected_facts(&plan, &plan.examples[0])
    );
    assert!(hit.loaded_friends);
    let miss = fold_runtime::examples::run_example(&plan, &none, &plan.examples[1]);
    assert!(miss.found.is_empty() && !miss.loaded_friends);
    // A near miss: friends load, but an abort stops the search.
    let mut b = Builder::new();
    let edge = b.ints("edge", &["src", "dst"]);
    let path = b.ints("path", &["src", "dst"]);
    let r = b.datalog(
        "extend",
        atom(path, &[v("x"), v("z")]),
        &[atom(path, &[v("x"), v("y")]), atom(edge, &[v("y"), v("z")])],
        &[],
        &[(CmpOp::Ne, v("x"), v("z"))],
    );
    let near = Example {
        rules: vec![r],
        kind: ExampleKind::NearMiss,
        name: "back".into(),
        given: vec![fact(path, 1, 2), fact(edge, 2, 1)],
        expected: vec![],
        line: 3,
    };
    common::place(&mut b.plan);
    let run = fold_runtime::examples::ExampleRun::new(&b.plan, &none, &near);
    let res = run.run();
    assert!(res.found.is_empty() && res.loaded_friends);
    let h = run.handlers().next().unwrap();
    assert!(run.time(h, 10).is_some());
}

#[test]
fn plan_printer_is_readable_and_stable() {
    let (plan, _, _) = shortest_paths(true);
    let text = fold_runtime::plan::print::print_plan(&plan);
    assert_eq!(text, fold_runtime::plan::print::print_plan(&plan));
    assert!(
        text.contains("1 dist(node: int, d: int) key(node) keep min(d)"),
        "{text}"
    );
    assert!(
        text.contains("handler 0: rule relax position 0 on dist(node -> x, d -> d)"),
        "{text}"
    );
    assert!(text.contains("  priority d\n"), "{text}");
    assert!(
        text.contains(
            "  join edge[src = x](dst -> y, w -> w)\n    search\n      find dist(y, d + w)\n"
        ),
        "{text}"
    );
    let e = bin(
        BinOp::MulInt,
        bin(BinOp::AddInt, sl(0), int(-1)),
        bin(BinOp::SubInt, sl(1), bin(BinOp::SubInt, sl(2), sl(3))),
    );
    let mut b = Builder::new();
    let c = b.ints("c", &["a"]);
    let r = b.rule("r", &[c]);
    b.handler(
        r,
        0,
        &[
            ("a", Type::Int),
            ("b", Type::Int),
            ("c", Type::Int),
            ("d", Type::Int),
        ],
        vec![store(0)],
        None,
        vec![Op::Let {
            slot: Slot(1),
            expr: e,
        }],
    );
    let text = fold_runtime::plan::print::print_plan(&b.plan);
    assert!(text.contains("let b = (a + -1) * (b - (c - d))"), "{text}");
}

#[test]
fn superseded_history_is_not_output() {
    let (plan, _, dist) = shortest_paths(false);
    let e = run(plan, 1);
    let rel = e.store().relation(dist);
    assert!(rel.len() > rel.live_len());
    let dir = tempfile::tempdir().unwrap();
    let files = e.write_outputs(dir.path(), &[dist]).unwrap();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(text, "node,d\n0,0\n1,7\n2,9\n3,20\n4,20\n5,11\n");
}

/// A fault ends only the combination of facts it happened in: the same
/// event's other combinations keep what they found (so the result cannot
/// depend on which fact of a combination arrived last).
#[test]
fn a_fault_drops_only_its_combination() {
    let mut b = Builder::new();
    let one = b.ints("one", &["x"]);
    let num = b.ints("num", &["a"]);
    let q = b.ints("q", &["r"]);
    let r = b.rule("divide", &[one, num]);
    b.handler(
        r,
        0,
        &[("x", Type::Int), ("a", Type::Int)],
        vec![store(0)],
        None,
        vec![Op::Join {
            exists: false,
            cat: num,
            source: source(vec![], vec![]),
            bind: vec![(0, store(1))],
            body: vec![Op::Search {
                body: vec![Op::Find {
                    cat: q,
                    args: vec![bin(BinOp::DivInt, int(10), sl(1))],
                }],
            }],
        }],
    );
    b.stratum(&[q], &[r]);
    for a in [0, 5, 0] {
        b.fact(num, &[a]);
    }
    b.fact(num, &[2]);
    b.fact(one, &[1]);
    let e = run(b.plan, 1);
    assert_eq!(ints(&e, q), vec![vec![2], vec![5]]);
    let s = &e.stats().handlers[0];
    assert_eq!((s.events, s.searched, s.faults), (1, 1, 1));
    assert_eq!(s.faults_of(Fault::DivisionByZero), 1);
}
