//! Same generation: `sg(x, y) :- parent(a, x), sg(a, b), parent(b, y).`
//!
//! The peers put the recursive atom first: crepe and datafrog evaluate the body
//! in the order written, and that is how their authors write this rule.

use super::{inputs, leak, Output, Rel, Spec, Stopwatch};
use crate::engine::Engine;

pub const SPEC: Spec = Spec {
    name: "sg",
    program: FOLD,
    inputs: &["parent"],
    outputs: &[Output {
        name: "sg",
        header: "x,y",
    }],
    peers: &[
        Engine::Ascent,
        Engine::AscentPar,
        Engine::Datafrog,
        Engine::Crepe,
    ],
    run,
};

const FOLD: &str = r#"// Same generation (fold-bench workload `sg`).
data parent(p: int, c: int)
data sg(x: int, y: int)

input parent from "parent.csv"
output sg

sg(x, y) :- parent(p, x), parent(p, y), x != y.
sg(x, y) :- parent(a, x), sg(a, b), parent(b, y).
"#;

fn run(engine: Engine, rels: Vec<Rel>, sw: &mut Stopwatch) -> Vec<Rel> {
    let [parent] = inputs(rels);
    let sg = match engine {
        Engine::Ascent => with_ascent(parent, sw),
        Engine::AscentPar => with_ascent_par(parent, sw),
        Engine::Datafrog => with_datafrog(parent, sw),
        Engine::Crepe => with_crepe::run(parent, sw),
        Engine::Foldc => unreachable!("foldc runs as its own binary"),
    };
    vec![sg]
}

ascent::ascent! {
    struct SgAscent;
    relation parent(i64, i64);
    relation sg(i64, i64);
    sg(x, y) <-- parent(p, x), parent(p, y), if x != y;
    sg(x, y) <-- sg(a, b), parent(a, x), parent(b, y);
}

fn with_ascent(parent: Rel, sw: &mut Stopwatch) -> Rel {
    let mut prog = SgAscent {
        parent,
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let sg = std::mem::take(&mut prog.sg);
    leak(prog);
    sg
}

ascent::ascent_par! {
    struct SgAscentPar;
    relation parent(i64, i64);
    relation sg(i64, i64);
    sg(x, y) <-- parent(p, x), parent(p, y), if x != y;
    sg(x, y) <-- sg(a, b), parent(a, x), parent(b, y);
}

fn with_ascent_par(parent: Rel, sw: &mut Stopwatch) -> Rel {
    let mut prog = SgAscentPar {
        parent: parent.into_iter().collect(),
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let sg = std::mem::take(&mut prog.sg).into_iter().collect();
    leak(prog);
    sg
}

fn with_datafrog(parent: Rel, sw: &mut Stopwatch) -> Rel {
    use datafrog::{Iteration, Relation, RelationLeaper, ValueFilter};
    // parent(p, c) keyed by p.
    let parent: Relation<(i64, i64)> = parent.into();
    let mut iteration = Iteration::new();
    let sg = iteration.variable::<(i64, i64)>("sg");
    // sg_bx(b, x) :- sg(a, b), parent(a, x).
    let sg_bx = iteration.variable::<(i64, i64)>("sg_bx");
    // sg(x, y) :- parent(p, x), parent(p, y), x != y.
    sg.insert(Relation::from_leapjoin(
        &parent,
        (
            parent.extend_with(|&(p, _x)| p),
            ValueFilter::from(|&(_p, x), &y| x != y),
        ),
        |&(_p, x), &y| (x, y),
    ));
    while iteration.changed() {
        sg_bx.from_join(&sg, &parent, |_a, &b, &x| (b, x));
        // sg(x, y) :- sg(a, b), parent(a, x), parent(b, y).
        sg.from_join(&sg_bx, &parent, |_b, &x, &y| (x, y));
    }
    let sg = sg.complete();
    sw.stop();
    sg.elements
}

mod with_crepe {
    use super::{leak, Rel, Stopwatch};

    crepe::crepe! {
        @input
        struct Parent(i64, i64);

        @output
        struct Sg(i64, i64);

        Sg(x, y) <- Parent(p, x), Parent(p, y), (x != y);
        Sg(x, y) <- Sg(a, b), Parent(a, x), Parent(b, y);
    }

    pub fn run(parent: Rel, sw: &mut Stopwatch) -> Rel {
        let mut runtime = Crepe::new();
        runtime.extend(parent.into_iter().map(|(p, c)| Parent(p, c)));
        let (sg,) = runtime.run_with_hasher::<rustc_hash::FxBuildHasher>();
        sw.stop();
        let out = sg.iter().map(|&Sg(x, y)| (x, y)).collect();
        leak(sg);
        out
    }
}
