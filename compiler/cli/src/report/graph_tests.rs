//! The event graph from hand-made counters: the nodes, which edges, and
//! the counts they carry, including a database from before finds and
//! per-category counts were recorded.

use super::*;

fn label(rule: &str, position: u32, trigger: &str) -> HandlerLabel {
    HandlerLabel {
        rule: rule.to_string(),
        position,
        trigger: trigger.to_string(),
    }
}

fn stats(events: u64, found_new: u64, found_into: &[u64]) -> HandlerStats {
    HandlerStats {
        events,
        found_new,
        found_into: found_into.to_vec(),
        ..HandlerStats::default()
    }
}

fn finds(rule: &str, categories: &[&str]) -> RuleFinds {
    RuleFinds {
        rule: rule.to_string(),
        categories: categories.iter().map(|c| c.to_string()).collect(),
    }
}

/// Edges as `from -kind-> to: count [positions]`, in graph order.
fn edges(g: &EventGraph) -> Vec<String> {
    g.edges
        .iter()
        .map(|e| {
            format!(
                "{} -{}-> {}: {} {:?}",
                g.nodes[e.from].name,
                match e.kind {
                    EdgeKind::Event => "event",
                    EdgeKind::Find => "find",
                },
                g.nodes[e.to].name,
                e.count.map_or("?".to_string(), |n| n.to_string()),
                e.positions
            )
        })
        .collect()
}

/// Categories: edge, path, pair, word. Rules: `base` (edge -> path),
/// `step` (path at 0, edge at 1 -> path), `square` (pair at 0 and 1 ->
/// path), `cut` (edge -> pair and word).
fn program() -> (Vec<String>, Vec<u32>, Vec<HandlerLabel>, Vec<RuleFinds>) {
    let categories = ["edge", "path", "pair", "word"].map(String::from).to_vec();
    let rows = vec![3, 6, 2, 5];
    let labels = vec![
        label("base", 0, "edge"),
        label("step", 0, "path"),
        label("step", 1, "edge"),
        label("square", 0, "pair"),
        label("square", 1, "pair"),
        label("cut", 0, "edge"),
    ];
    let finds = vec![
        finds("base", &["path"]),
        finds("step", &["path"]),
        finds("square", &["path"]),
        finds("cut", &["pair", "word"]),
    ];
    (categories, rows, labels, finds)
}

#[test]
fn nodes_and_edges_carry_the_counters() {
    let (categories, rows, labels, finds) = program();
    let handlers = vec![
        stats(3, 3, &[0, 3]),
        stats(6, 2, &[0, 2]),
        stats(3, 1, &[0, 1]),
        stats(2, 0, &[]),
        stats(2, 0, &[]),
        stats(3, 7, &[0, 0, 2, 5]),
    ];
    let nanos = [10, 20, 30, 40, 50, 60];
    let g = EventGraph::build(&Counters {
        categories: &categories,
        rows: &rows,
        labels: &labels,
        handlers: &handlers,
        handler_nanos: Some(&nanos),
        finds: &finds,
    });
    let nodes: Vec<(NodeKind, &str, u64, u64, Option<u64>)> = g
        .nodes
        .iter()
        .map(|n| (n.kind, n.name.as_str(), n.count, n.found_new, n.nanos))
        .collect();
    use NodeKind::{Category as C, Rule as R};
    assert_eq!(
        nodes,
        [
            (C, "edge", 3, 0, None),
            (C, "path", 6, 0, None),
            (C, "pair", 2, 0, None),
            (C, "word", 5, 0, None),
            (R, "base", 3, 3, Some(10)),
            (R, "step", 9, 3, Some(50)),
            (R, "square", 4, 0, Some(90)),
            (R, "cut", 3, 7, Some(60)),
        ]
    );
    assert_eq!(
        edges(&g),
        [
            "edge -event-> base: 3 [0]",
            "base -find-> path: 3 []",
            "path -event-> step: 6 [0]",
            "edge -event-> step: 3 [1]",
            "step -find-> path: 3 []",
            // Two positions on one category: one edge, their events summed.
            "pair -event-> square: 4 [0, 1]",
            "square -find-> path: 0 []",
            "edge -event-> cut: 3 [0]",
            // One rule, two categories: each edge its own share.
            "cut -find-> pair: 2 []",
            "cut -find-> word: 5 []",
        ]
    );
    assert_eq!(g.most(EdgeKind::Event), 6);
    assert_eq!(g.most(EdgeKind::Find), 5);
}

#[test]
fn an_older_database_draws_what_it_can() {
    let (categories, rows, labels, finds) = program();
    // No per-category split: a rule that finds one category gives it all
    // its new facts; one that finds two cannot say which got how many.
    let handlers = vec![
        stats(3, 3, &[]),
        stats(6, 2, &[]),
        stats(3, 1, &[]),
        stats(2, 0, &[]),
        stats(2, 0, &[]),
        stats(3, 7, &[]),
    ];
    let g = EventGraph::build(&Counters {
        categories: &categories,
        rows: &rows,
        labels: &labels,
        handlers: &handlers,
        handler_nanos: None,
        finds: &finds,
    });
    let e = edges(&g);
    assert!(e.contains(&"step -find-> path: 3 []".to_string()), "{e:?}");
    assert!(e.contains(&"cut -find-> pair: ? []".to_string()), "{e:?}");
    assert!(e.contains(&"cut -find-> word: ? []".to_string()), "{e:?}");
    assert!(g.nodes.iter().all(|n| n.nanos.is_none()));
    // Without the program's finds (older still), rules come from the
    // handlers and only events are drawn.
    let g = EventGraph::build(&Counters {
        categories: &categories,
        rows: &rows,
        labels: &labels,
        handlers: &handlers,
        handler_nanos: None,
        finds: &[],
    });
    assert_eq!(g.nodes.len(), 8);
    assert!(g.edges.iter().all(|e| e.kind == EdgeKind::Event));
    assert_eq!(g.edges.len(), 5);
}

#[test]
fn the_drawing_has_a_node_per_category_and_rule_and_every_count() {
    let (categories, rows, labels, finds) = program();
    let handlers = vec![
        stats(3, 3, &[0, 3]),
        stats(6, 2, &[0, 2]),
        stats(3, 1, &[0, 1]),
        stats(2, 0, &[]),
        stats(2, 0, &[]),
        stats(3, 7, &[0, 0, 2, 5]),
    ];
    let g = EventGraph::build(&Counters {
        categories: &categories,
        rows: &rows,
        labels: &labels,
        handlers: &handlers,
        handler_nanos: None,
        finds: &finds,
    });
    let svg = crate::report::svg::draw(&g).expect("drawn");
    assert!(svg.starts_with("<svg"), "{svg}");
    for n in &g.nodes {
        let kind = match n.kind {
            NodeKind::Category => "category",
            NodeKind::Rule => "rule",
        };
        let g_tag = format!("class=\"node {kind}\"");
        let named = format!("data-name=\"{}\"", n.name);
        assert!(
            svg.lines()
                .any(|l| l.contains(&g_tag) && l.contains(&named)),
            "{kind} {} not drawn in\n{svg}",
            n.name
        );
    }
    // Each edge's count is written on it, strokes wider for more.
    assert!(svg.contains(">6 events<"), "{svg}");
    assert!(svg.contains(">5 new<"), "{svg}");
    assert_eq!(svg.matches("class=\"edge ").count(), g.edges.len());
}

#[test]
fn a_split_that_misses_earlier_facts_is_not_drawn_as_complete() {
    let (categories, rows, labels, finds) = program();
    // `cut` found 7 new facts, only the last 3 split by category.
    let handlers = vec![
        stats(3, 3, &[0, 3]),
        stats(6, 2, &[0, 2]),
        stats(3, 1, &[0, 1]),
        stats(2, 0, &[]),
        stats(2, 0, &[]),
        stats(3, 7, &[0, 0, 1, 2]),
    ];
    let g = EventGraph::build(&Counters {
        categories: &categories,
        rows: &rows,
        labels: &labels,
        handlers: &handlers,
        handler_nanos: None,
        finds: &finds,
    });
    let e = edges(&g);
    assert!(e.contains(&"cut -find-> pair: ? []".to_string()), "{e:?}");
    assert!(e.contains(&"base -find-> path: 3 []".to_string()), "{e:?}");
}
