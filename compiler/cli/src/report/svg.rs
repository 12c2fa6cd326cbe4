//! The event graph drawn as inline SVG: `layout-rs` places the nodes in
//! layers (a Sugiyama-style layered layout: cycles broken, long edges
//! split, crossings reduced) and draws boxes, curves and labels. Every
//! number is written on the picture; strokes are as wide as their counts,
//! to the scale of the busiest edge of their kind.

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::extent::Extent;
use super::graph::{EdgeKind, EventGraph, Node, NodeKind};
use super::text::{duration, escape, group};

/// Colours of categories and rules (stroke, fill), and of the two kinds
/// of edges, as 0xRRGGBBAA.
const CATEGORY: (u32, u32) = (0x6a5fc8ff, 0xeeebfcff);
const RULE: (u32, u32) = (0x3f8f3fff, 0xe5f3e5ff);
const EVENT_EDGE: u32 = 0x8f86d8ff;
const FIND_EDGE: u32 = 0x3b7dd8ff;
/// The widest stroke, for the busiest edge of a kind.
const WIDEST: f64 = 10.0;
const FONT: usize = 13;

/// The graph as an `<svg>` element, or why there is none.
pub fn draw(g: &EventGraph) -> Result<String, String> {
    if g.nodes.is_empty() {
        return Err("the program has no categories".to_string());
    }
    // The layout asserts its own invariants, and its last pass (placing
    // nodes to straighten edges, Brandes-Köpf) trips on some graphs whose
    // boxes differ in width or are narrow beside their edges' labels.
    // Then, in turn: every box as wide as the widest, then wider still;
    // the layers without the crossing and rank optimizations; the nodes
    // kept where layering put them. A graph it cannot place at all costs
    // the picture, never the report. Its panic message is not ours to
    // print.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let attempts = [
        (None, false, false),
        (Some(1.0), false, false),
        (Some(1.25), false, false),
        (Some(1.5), false, false),
        (Some(2.0), false, false),
        (None, true, false),
        (None, false, true),
    ];
    let drawn = attempts
        .into_iter()
        .find_map(|(same_width, no_optimizations, no_placement)| {
            std::panic::catch_unwind(|| {
                let mut svg = Extent::default();
                build(g, same_width).do_it(false, no_optimizations, no_placement, &mut svg);
                svg.finalize()
            })
            .ok()
        });
    std::panic::set_hook(hook);
    let drawn = drawn.ok_or_else(|| "the layout failed on this graph".to_string())?;
    // Arrowheads of one size, a little wider than the widest stroke
    // (drawn in stroke widths, the busiest edge's would be the size of a
    // node).
    Ok(drawn
        .replace(
            "markerWidth=\"10\" markerHeight=\"7\"",
            "viewBox=\"0 0 10 7\" markerUnits=\"userSpaceOnUse\" markerWidth=\"17\" markerHeight=\"14\"",
        ))
}

/// A node's label: its name and counts, one per line.
fn label(n: &Node) -> String {
    match n.kind {
        NodeKind::Category => format!("{}\n{} facts", n.name, group(n.count)),
        NodeKind::Rule => {
            let mut label = format!(
                "{}\n{} events, {} new",
                n.name,
                group(n.count),
                group(n.found_new)
            );
            if let Some(t) = n.nanos {
                label.push('\n');
                label.push_str(&duration(t));
            }
            label
        }
    }
}

/// The width of a box around `label` (about 7.8 pixels a character at
/// the font's size, and a margin).
fn width(label: &str) -> f64 {
    label.lines().map(|l| l.chars().count()).max().unwrap_or(1) as f64 * 7.8 + 24.0
}

/// The graph's nodes and edges, styled, for the layout; with
/// `same_width`, every box as wide as the widest times that factor.
fn build(g: &EventGraph, same_width: Option<f64>) -> VisualGraph {
    let dir = Orientation::TopToBottom;
    let mut vg = VisualGraph::new(dir);
    let widest = g.nodes.iter().map(|n| width(&label(n))).fold(0.0, f64::max);
    let handles: Vec<_> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let ((stroke, fill), kind, rounded) = match n.kind {
                NodeKind::Category => (CATEGORY, "category", 12),
                NodeKind::Rule => (RULE, "rule", 2),
            };
            let label = label(n);
            let look = StyleAttr::new(Color::new(stroke), 2, Some(Color::new(fill)), rounded, FONT);
            let lines = label.lines().count() as f64;
            let w = same_width.map_or_else(|| width(&label), |f| widest * f);
            let size = Point::new(w, lines * 17.0 + 18.0);
            let props = format!(
                "class=\"node {kind}\" id=\"node-{i}\" data-name=\"{}\"",
                escape(&n.name)
            );
            let elem =
                Element::create_with_properties(ShapeKind::new_box(&label), look, dir, size, props);
            vg.add_node(elem)
        })
        .collect();
    let most_events = g.most(EdgeKind::Event) as f64;
    let most_found = g.most(EdgeKind::Find) as f64;
    for e in &g.edges {
        let (colour, most, unit, kind) = match e.kind {
            EdgeKind::Event => (EVENT_EDGE, most_events, "events", "event"),
            EdgeKind::Find => (FIND_EDGE, most_found, "new", "find"),
        };
        let (width, label, style) = match e.count {
            Some(n) => (
                1.0 + (WIDEST - 1.0) * n as f64 / most,
                format!("{} {unit}", group(n)),
                LineStyleKind::Normal,
            ),
            None => (1.0, "not counted".to_string(), LineStyleKind::Dashed),
        };
        let look = StyleAttr::new(Color::new(colour), width.round() as usize, None, 0, 12);
        let props = format!(
            "class=\"edge {kind}\" data-from=\"{}\" data-to=\"{}\" data-count=\"{}\"",
            escape(&g.nodes[e.from].name),
            escape(&g.nodes[e.to].name),
            e.count.map_or(String::new(), |n| n.to_string())
        );
        let arrow = Arrow::with_properties(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            &label,
            &look,
            props,
            &None,
            &None,
        );
        vg.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    vg
}
