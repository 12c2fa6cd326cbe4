//! CSDA: context-sensitive dataflow (null propagation along arcs).

use super::{inputs, leak, Output, Rel, Spec, Stopwatch};
use crate::engine::Engine;

pub const SPEC: Spec = Spec {
    name: "csda",
    program: FOLD,
    inputs: &["arc", "null_edge"],
    outputs: &[Output {
        name: "null",
        header: "a,b",
    }],
    peers: &[
        Engine::Ascent,
        Engine::AscentPar,
        Engine::Datafrog,
        Engine::Crepe,
    ],
    run,
};

const FOLD: &str = r#"// CSDA, context-sensitive dataflow (fold-bench workload `csda`).
data arc(a: int, b: int)
data null_edge(a: int, b: int)
data null(a: int, b: int)

input arc from "arc.csv"
input null_edge from "null_edge.csv"
output null

null(x, y) :- null_edge(x, y).
null(x, y) :- null(x, w), arc(w, y).
"#;

fn run(engine: Engine, rels: Vec<Rel>, sw: &mut Stopwatch) -> Vec<Rel> {
    let [arc, null_edge] = inputs(rels);
    let null = match engine {
        Engine::Ascent => with_ascent(arc, null_edge, sw),
        Engine::AscentPar => with_ascent_par(arc, null_edge, sw),
        Engine::Datafrog => with_datafrog(arc, null_edge, sw),
        Engine::Crepe => with_crepe::run(arc, null_edge, sw),
        Engine::Foldc => unreachable!("foldc runs as its own binary"),
    };
    vec![null]
}

ascent::ascent! {
    struct CsdaAscent;
    relation arc(i64, i64);
    relation null_edge(i64, i64);
    relation null(i64, i64);
    null(x, y) <-- null_edge(x, y);
    null(x, y) <-- null(x, w), arc(w, y);
}

fn with_ascent(arc: Rel, null_edge: Rel, sw: &mut Stopwatch) -> Rel {
    let mut prog = CsdaAscent {
        arc,
        null_edge,
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let null = std::mem::take(&mut prog.null);
    leak(prog);
    null
}

ascent::ascent_par! {
    struct CsdaAscentPar;
    relation arc(i64, i64);
    relation null_edge(i64, i64);
    relation null(i64, i64);
    null(x, y) <-- null_edge(x, y);
    null(x, y) <-- null(x, w), arc(w, y);
}

fn with_ascent_par(arc: Rel, null_edge: Rel, sw: &mut Stopwatch) -> Rel {
    let mut prog = CsdaAscentPar {
        arc: arc.into_iter().collect(),
        null_edge: null_edge.into_iter().collect(),
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let null = std::mem::take(&mut prog.null).into_iter().collect();
    leak(prog);
    null
}

fn with_datafrog(arc: Rel, null_edge: Rel, sw: &mut Stopwatch) -> Rel {
    use datafrog::{Iteration, Relation};
    // arc(w, y) keyed by w; null kept as (w, x) so that it is keyed by its last column.
    let arc: Relation<(i64, i64)> = arc.into();
    let mut iteration = Iteration::new();
    let null_by_dst = iteration.variable::<(i64, i64)>("null_by_dst");
    null_by_dst.extend(null_edge.iter().map(|&(x, y)| (y, x)));
    while iteration.changed() {
        // null(x, y) :- null(x, w), arc(w, y).
        null_by_dst.from_join(&null_by_dst, &arc, |_w, &x, &y| (y, x));
    }
    let null = null_by_dst.complete();
    sw.stop();
    null.iter().map(|&(w, x)| (x, w)).collect()
}

mod with_crepe {
    use super::{leak, Rel, Stopwatch};

    crepe::crepe! {
        @input
        struct Arc(i64, i64);
        @input
        struct NullEdge(i64, i64);

        @output
        struct Null(i64, i64);

        Null(x, y) <- NullEdge(x, y);
        Null(x, y) <- Null(x, w), Arc(w, y);
    }

    pub fn run(arc: Rel, null_edge: Rel, sw: &mut Stopwatch) -> Rel {
        let mut runtime = Crepe::new();
        runtime.extend(arc.into_iter().map(|(a, b)| Arc(a, b)));
        runtime.extend(null_edge.into_iter().map(|(a, b)| NullEdge(a, b)));
        let (null,) = runtime.run_with_hasher::<rustc_hash::FxBuildHasher>();
        sw.stop();
        let out = null.iter().map(|&Null(x, y)| (x, y)).collect();
        leak(null);
        out
    }
}
