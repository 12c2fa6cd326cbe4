//! The event graph of a run: categories and rules as nodes, events (a
//! category's new facts reaching a rule) and finds (a rule's new facts of
//! a category) as edges, each with its count. Built from what a database
//! keeps (the program record and the counters), without the program.

use fold_runtime::db::RuleFinds;
use fold_runtime::stats::{HandlerLabel, HandlerStats};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Category,
    Rule,
}

/// A category (its rows) or a rule (its events, over every trigger
/// position, and the time they took when it was recorded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub name: String,
    /// Rows of a category (superseded ones included); events of a rule.
    pub count: u64,
    /// A rule's new facts, over every category it finds.
    pub found_new: u64,
    /// A rule's time in its events, in nanoseconds (None: not recorded).
    pub nanos: Option<u64>,
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// New facts of a category run as events of a rule.
    Event,
    /// New facts a rule found of a category.
    Find,
}

/// An edge between two nodes (indexes into [`EventGraph::nodes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub kind: EdgeKind,
    pub from: usize,
    pub to: usize,
    /// Events, or new facts; None when the database does not say (one
    /// written before new facts were counted per category, for a rule
    /// that finds several).
    pub count: Option<u64>,
    /// The rule's atom positions the category fills (events only).
    pub positions: Vec<u32>,
}

/// Nodes (categories first, by id, then rules in plan order) and edges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// What a database says about a run, by category, handler and rule id.
pub struct Counters<'a> {
    pub categories: &'a [String],
    pub rows: &'a [u32],
    pub labels: &'a [HandlerLabel],
    pub handlers: &'a [HandlerStats],
    /// Time per handler, when recorded (as many entries as handlers).
    pub handler_nanos: Option<&'a [u64]>,
    /// Empty for a database from before finds were recorded.
    pub finds: &'a [RuleFinds],
}

impl EventGraph {
    pub fn build(c: &Counters<'_>) -> EventGraph {
        let mut g = EventGraph::default();
        for (name, &rows) in c.categories.iter().zip(c.rows) {
            g.nodes.push(Node {
                kind: NodeKind::Category,
                name: name.clone(),
                count: u64::from(rows),
                found_new: 0,
                nanos: None,
            });
        }
        let category = |name: &str| c.categories.iter().position(|n| n == name);
        // Rules in plan order: the program record's list, then any rule
        // only a handler names.
        let mut rules: Vec<&str> = c.finds.iter().map(|f| f.rule.as_str()).collect();
        for l in c.labels {
            if !rules.contains(&l.rule.as_str()) {
                rules.push(&l.rule);
            }
        }
        for rule in rules {
            let node = g.nodes.len();
            let handlers: Vec<usize> = (0..c.labels.len())
                .filter(|&h| c.labels[h].rule == rule)
                .collect();
            let sum = |f: &dyn Fn(&HandlerStats) -> u64| -> u64 {
                handlers.iter().map(|&h| f(&c.handlers[h])).sum()
            };
            g.nodes.push(Node {
                kind: NodeKind::Rule,
                name: rule.to_string(),
                count: sum(&|s| s.events),
                found_new: sum(&|s| s.found_new),
                nanos: c
                    .handler_nanos
                    .map(|t| handlers.iter().map(|&h| t[h]).sum()),
            });
            // One event edge per trigger category, its positions listed.
            for &h in &handlers {
                let l = &c.labels[h];
                let Some(from) = category(&l.trigger) else {
                    continue;
                };
                let events = c.handlers[h].events;
                match g
                    .edges
                    .iter_mut()
                    .find(|e| e.kind == EdgeKind::Event && e.from == from && e.to == node)
                {
                    Some(e) => {
                        e.count = e.count.map(|n| n + events);
                        e.positions.push(l.position);
                    }
                    None => g.edges.push(Edge {
                        kind: EdgeKind::Event,
                        from,
                        to: node,
                        count: Some(events),
                        positions: vec![l.position],
                    }),
                }
            }
            let found: Vec<&String> = c
                .finds
                .iter()
                .filter(|f| f.rule == rule)
                .flat_map(|f| &f.categories)
                .collect();
            // The split by category covers every new fact only when the
            // whole history was counted by a foldc that split them.
            let found_new = g.nodes[node].found_new;
            let split = sum(&|s| s.found_into.iter().sum()) == found_new;
            for name in &found {
                let Some(to) = category(name) else { continue };
                let count = if split {
                    Some(sum(&|s| s.found_into.get(to).copied().unwrap_or(0)))
                } else if found.len() == 1 {
                    Some(found_new)
                } else {
                    None
                };
                g.edges.push(Edge {
                    kind: EdgeKind::Find,
                    from: node,
                    to,
                    count,
                    positions: Vec::new(),
                });
            }
        }
        g
    }

    /// The largest count of an edge of `kind` (at least 1).
    pub fn most(&self, kind: EdgeKind) -> u64 {
        self.edges
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| e.count)
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
