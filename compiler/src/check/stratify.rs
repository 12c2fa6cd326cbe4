//! Stratification: order rules so that every category read through
//! negation or aggregation is complete before its readers run.
//!
//! Categories are nodes; a rule adds an edge from each category it reads
//! to each category it finds (negative for `!atom` and aggregates). The
//! categories one rule finds are tied together so the rule runs in one
//! stratum. Strongly connected components, in dependency order, are the
//! strata; a negative edge inside a component is a cycle through negation
//! and an error that shows the cycle rule by rule.

use std::collections::{BTreeSet, VecDeque};

use fold_grammar::ast::Span;
use fold_runtime::plan::CatId;

use crate::check::catalog::Catalog;
use crate::check::rule_ir::RuleIr;
use crate::diag::{Code, Diagnostic, Sink};

#[derive(Clone, Copy)]
struct Edge {
    from: usize,
    to: usize,
    negative: bool,
    rule: usize,
    span: Span,
}

/// One stratum: its categories and the indexes of its rules.
pub struct Layer {
    pub categories: Vec<CatId>,
    pub rules: Vec<usize>,
}

/// Strata in evaluation order; `None` after reporting a cycle.
pub fn stratify(rules: &[RuleIr], catalog: &Catalog, sink: &mut Sink) -> Option<Vec<Layer>> {
    let n = catalog.cats.len();
    let mut edges = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let Some(&first) = rule.finds.first() else {
            continue;
        };
        for &h in &rule.finds[1..] {
            for (a, b) in [(first, h), (h, first)] {
                edges.push(Edge {
                    from: a.index(),
                    to: b.index(),
                    negative: false,
                    rule: r,
                    span: rule.span,
                });
            }
        }
        for &h in &rule.finds {
            for atom in &rule.atoms {
                edges.push(Edge {
                    from: atom.cat.index(),
                    to: h.index(),
                    negative: false,
                    rule: r,
                    span: atom.span,
                });
            }
            for &(c, span) in &rule.complete_reads {
                edges.push(Edge {
                    from: c.index(),
                    to: h.index(),
                    negative: true,
                    rule: r,
                    span,
                });
            }
        }
    }
    let comp = components(n, &edges);
    let mut ok = true;
    let mut reported = BTreeSet::new();
    for e in edges.iter().filter(|e| e.negative) {
        if comp[e.from] == comp[e.to] && reported.insert(comp[e.from]) {
            report_cycle(e, &edges, &comp, rules, catalog, sink);
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let order = topological(&comp, &edges);
    let mut layers = Vec::new();
    for c in order {
        let categories: Vec<CatId> = (0..n)
            .filter(|&i| comp[i] == c)
            .map(|i| CatId(i as u32))
            .collect();
        let rules: Vec<usize> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.finds.first().is_some_and(|h| comp[h.index()] == c))
            .map(|(i, _)| i)
            .collect();
        if !rules.is_empty() {
            layers.push(Layer { categories, rules });
        }
    }
    Some(layers)
}

/// Strongly connected components (Tarjan, iterative); returns the
/// component id of each node.
fn components(n: usize, edges: &[Edge]) -> Vec<usize> {
    let mut adj = vec![Vec::new(); n];
    for e in edges {
        adj[e.from].push(e.to);
    }
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![UNSEEN; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == UNSEEN {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
}

/// Components in dependency order; among ready ones, the one holding the
/// earliest-declared category first, so the order is stable.
fn topological(comp: &[usize], edges: &[Edge]) -> Vec<usize> {
    let count = comp.iter().copied().max().map_or(0, |m| m + 1);
    let mut first_cat = vec![usize::MAX; count];
    for (cat, &c) in comp.iter().enumerate() {
        first_cat[c] = first_cat[c].min(cat);
    }
    let mut succ: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    let mut indeg = vec![0; count];
    for e in edges {
        let (a, b) = (comp[e.from], comp[e.to]);
        if a != b && succ[a].insert(b) {
            indeg[b] += 1;
        }
    }
    let mut ready: BTreeSet<(usize, usize)> = (0..count)
        .filter(|&c| indeg[c] == 0)
        .map(|c| (first_cat[c], c))
        .collect();
    let mut order = Vec::with_capacity(count);
    while let Some(&(key, c)) = ready.iter().next() {
        ready.remove(&(key, c));
        order.push(c);
        for &d in &succ[c] {
            indeg[d] -= 1;
            if indeg[d] == 0 {
                ready.insert((first_cat[d], d));
            }
        }
    }
    order
}

/// Report the cycle that a negative edge closes: from its target back to
/// its source inside the component.
fn report_cycle(
    neg: &Edge,
    edges: &[Edge],
    comp: &[usize],
    rules: &[RuleIr],
    catalog: &Catalog,
    sink: &mut Sink,
) {
    let c = comp[neg.from];
    // Shortest path neg.to -> neg.from within the component (BFS).
    let mut prev: Vec<Option<usize>> = vec![None; comp.len()];
    let mut seen = vec![false; comp.len()];
    let mut queue = VecDeque::from([neg.to]);
    seen[neg.to] = true;
    while let Some(v) = queue.pop_front() {
        if v == neg.from {
            break;
        }
        for (i, e) in edges.iter().enumerate() {
            if e.from == v && comp[e.to] == c && !seen[e.to] {
                seen[e.to] = true;
                prev[e.to] = Some(i);
                queue.push_back(e.to);
            }
        }
    }
    let mut path = Vec::new();
    let mut at = neg.from;
    while at != neg.to {
        let Some(i) = prev[at] else { break };
        path.push(edges[i]);
        at = edges[i].from;
    }
    path.reverse();
    let name = |i: usize| catalog.name(CatId(i as u32)).to_string();
    let mut steps = vec![format!(
        "`{}` reads `{}` through negation or aggregation to find `{}`",
        rules[neg.rule].name,
        name(neg.from),
        name(neg.to)
    )];
    for e in &path {
        steps.push(format!(
            "`{}` finds `{}` from `{}`",
            rules[e.rule].name,
            name(e.to),
            name(e.from)
        ));
    }
    let mut d = Diagnostic::new(
        Code::NegationCycle,
        neg.span,
        format!(
            "`{}` depends on itself through negation or aggregation",
            name(neg.from)
        ),
    )
    .label("this needs its category complete first")
    .note(format!("the cycle: {}", steps.join("; then ")))
    .help("a category read with `!` or an aggregate must be fully known before the rule runs, so it cannot depend on that rule's results");
    for e in path.iter().take(4) {
        d = d.also(e.span, format!("`{}` leads back here", rules[e.rule].name));
    }
    sink.push(d);
}
