//! Transitive closure: `path(x, z) :- path(x, y), edge(y, z).`

use super::{inputs, leak, Output, Rel, Spec, Stopwatch};
use crate::engine::Engine;

pub const SPEC: Spec = Spec {
    name: "tc",
    program: FOLD,
    inputs: &["edge"],
    outputs: &[Output {
        name: "path",
        header: "src,dst",
    }],
    peers: &[
        Engine::Ascent,
        Engine::AscentPar,
        Engine::Datafrog,
        Engine::Crepe,
    ],
    run,
};

const FOLD: &str = r#"// Transitive closure (fold-bench workload `tc`).
data edge(src: int, dst: int)
data path(src: int, dst: int)

input edge from "edge.csv"
output path

path(x, y) :- edge(x, y).
path(x, z) :- path(x, y), edge(y, z).
"#;

fn run(engine: Engine, rels: Vec<Rel>, sw: &mut Stopwatch) -> Vec<Rel> {
    let [edge] = inputs(rels);
    let path = match engine {
        Engine::Ascent => with_ascent(edge, sw),
        Engine::AscentPar => with_ascent_par(edge, sw),
        Engine::Datafrog => with_datafrog(edge, sw),
        Engine::Crepe => with_crepe::run(edge, sw),
        Engine::Foldc => unreachable!("foldc runs as its own binary"),
    };
    vec![path]
}

ascent::ascent! {
    struct TcAscent;
    relation edge(i64, i64);
    relation path(i64, i64);
    path(x, y) <-- edge(x, y);
    path(x, z) <-- path(x, y), edge(y, z);
}

fn with_ascent(edge: Rel, sw: &mut Stopwatch) -> Rel {
    let mut prog = TcAscent {
        edge,
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let path = std::mem::take(&mut prog.path);
    leak(prog);
    path
}

ascent::ascent_par! {
    struct TcAscentPar;
    relation edge(i64, i64);
    relation path(i64, i64);
    path(x, y) <-- edge(x, y);
    path(x, z) <-- path(x, y), edge(y, z);
}

fn with_ascent_par(edge: Rel, sw: &mut Stopwatch) -> Rel {
    let mut prog = TcAscentPar {
        edge: edge.into_iter().collect(),
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let path = std::mem::take(&mut prog.path).into_iter().collect();
    leak(prog);
    path
}

fn with_datafrog(edge: Rel, sw: &mut Stopwatch) -> Rel {
    use datafrog::{Iteration, Relation};
    // edge(y, z) keyed by y; path kept as (y, x) so that it is keyed by its last column.
    let edge: Relation<(i64, i64)> = edge.into();
    let mut iteration = Iteration::new();
    let path_by_dst = iteration.variable::<(i64, i64)>("path_by_dst");
    path_by_dst.extend(edge.iter().map(|&(x, y)| (y, x)));
    while iteration.changed() {
        // path(x, z) :- path(x, y), edge(y, z).
        path_by_dst.from_join(&path_by_dst, &edge, |_y, &x, &z| (z, x));
    }
    let path = path_by_dst.complete();
    sw.stop();
    path.iter().map(|&(y, x)| (x, y)).collect()
}

mod with_crepe {
    use super::{leak, Rel, Stopwatch};

    crepe::crepe! {
        @input
        struct Edge(i64, i64);

        @output
        struct Path(i64, i64);

        Path(x, y) <- Edge(x, y);
        Path(x, z) <- Path(x, y), Edge(y, z);
    }

    pub fn run(edge: Rel, sw: &mut Stopwatch) -> Rel {
        let mut runtime = Crepe::new();
        runtime.extend(edge.into_iter().map(|(x, y)| Edge(x, y)));
        let (path,) = runtime.run_with_hasher::<rustc_hash::FxBuildHasher>();
        sw.stop();
        let out = path.iter().map(|&Path(x, y)| (x, y)).collect();
        leak(path);
        out
    }
}
