//! CSPA: context-sensitive points-to analysis (RecStep benchmark set).

use super::{inputs, leak, Output, Rel, Spec, Stopwatch};
use crate::engine::Engine;

pub const SPEC: Spec = Spec {
    name: "cspa",
    program: FOLD,
    inputs: &["assign", "dereference"],
    outputs: &[
        Output {
            name: "value_flow",
            header: "a,b",
        },
        Output {
            name: "memory_alias",
            header: "a,b",
        },
        Output {
            name: "value_alias",
            header: "a,b",
        },
    ],
    peers: &[
        Engine::Ascent,
        Engine::AscentPar,
        Engine::Datafrog,
        Engine::Crepe,
    ],
    run,
};

const FOLD: &str = r#"// CSPA, context-sensitive points-to (fold-bench workload `cspa`).
data assign(a: int, b: int)
data dereference(a: int, b: int)
data value_flow(a: int, b: int)
data memory_alias(a: int, b: int)
data value_alias(a: int, b: int)

input assign from "assign.csv"
input dereference from "dereference.csv"
output value_flow
output memory_alias
output value_alias

value_flow(y, x) :- assign(y, x).
value_flow(x, y) :- assign(x, z), memory_alias(z, y).
value_flow(x, y) :- value_flow(x, z), value_flow(z, y).
memory_alias(x, w) :- dereference(y, x), value_alias(y, z), dereference(z, w).
value_alias(x, y) :- value_flow(z, x), value_flow(z, y).
value_alias(x, y) :- value_flow(z, x), memory_alias(z, w), value_flow(w, y).
value_flow(x, x) :- assign(x, y).
value_flow(x, x) :- assign(y, x).
memory_alias(x, x) :- assign(y, x).
memory_alias(x, x) :- assign(x, y).
"#;

fn run(engine: Engine, rels: Vec<Rel>, sw: &mut Stopwatch) -> Vec<Rel> {
    let [assign, dereference] = inputs(rels);
    match engine {
        Engine::Ascent => with_ascent(assign, dereference, sw),
        Engine::AscentPar => with_ascent_par(assign, dereference, sw),
        Engine::Datafrog => with_datafrog(assign, dereference, sw),
        Engine::Crepe => with_crepe::run(assign, dereference, sw),
        Engine::Foldc => unreachable!("foldc runs as its own binary"),
    }
}

ascent::ascent! {
    struct CspaAscent;
    relation assign(i64, i64);
    relation dereference(i64, i64);
    relation value_flow(i64, i64);
    relation memory_alias(i64, i64);
    relation value_alias(i64, i64);

    value_flow(y, x) <-- assign(y, x);
    value_flow(x, y) <-- assign(x, z), memory_alias(z, y);
    value_flow(x, y) <-- value_flow(x, z), value_flow(z, y);
    memory_alias(x, w) <-- dereference(y, x), value_alias(y, z), dereference(z, w);
    value_alias(x, y) <-- value_flow(z, x), value_flow(z, y);
    value_alias(x, y) <-- value_flow(z, x), memory_alias(z, w), value_flow(w, y);
    value_flow(x, x) <-- assign(x, _);
    value_flow(x, x) <-- assign(_, x);
    memory_alias(x, x) <-- assign(_, x);
    memory_alias(x, x) <-- assign(x, _);
}

fn with_ascent(assign: Rel, dereference: Rel, sw: &mut Stopwatch) -> Vec<Rel> {
    let mut prog = CspaAscent {
        assign,
        dereference,
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let out = vec![
        std::mem::take(&mut prog.value_flow),
        std::mem::take(&mut prog.memory_alias),
        std::mem::take(&mut prog.value_alias),
    ];
    leak(prog);
    out
}

ascent::ascent_par! {
    struct CspaAscentPar;
    relation assign(i64, i64);
    relation dereference(i64, i64);
    relation value_flow(i64, i64);
    relation memory_alias(i64, i64);
    relation value_alias(i64, i64);

    value_flow(y, x) <-- assign(y, x);
    value_flow(x, y) <-- assign(x, z), memory_alias(z, y);
    value_flow(x, y) <-- value_flow(x, z), value_flow(z, y);
    memory_alias(x, w) <-- dereference(y, x), value_alias(y, z), dereference(z, w);
    value_alias(x, y) <-- value_flow(z, x), value_flow(z, y);
    value_alias(x, y) <-- value_flow(z, x), memory_alias(z, w), value_flow(w, y);
    value_flow(x, x) <-- assign(x, _);
    value_flow(x, x) <-- assign(_, x);
    memory_alias(x, x) <-- assign(_, x);
    memory_alias(x, x) <-- assign(x, _);
}

fn with_ascent_par(assign: Rel, dereference: Rel, sw: &mut Stopwatch) -> Vec<Rel> {
    let mut prog = CspaAscentPar {
        assign: assign.into_iter().collect(),
        dereference: dereference.into_iter().collect(),
        ..Default::default()
    };
    prog.run();
    sw.stop();
    let out = vec![
        std::mem::take(&mut prog.value_flow).into_iter().collect(),
        std::mem::take(&mut prog.memory_alias).into_iter().collect(),
        std::mem::take(&mut prog.value_alias).into_iter().collect(),
    ];
    leak(prog);
    out
}

/// The datafrog version: every join is keyed by the first column, so each
/// relation that is joined on another column gets a re-keyed copy.
fn with_datafrog(assign: Rel, dereference: Rel, sw: &mut Stopwatch) -> Vec<Rel> {
    use datafrog::{Iteration, Relation};
    // assign(x, z) keyed by z, as (z, x).
    let assign_by_dst: Relation<(i64, i64)> = assign.iter().map(|&(x, z)| (z, x)).collect();
    // dereference(y, x) keyed by y.
    let dereference: Relation<(i64, i64)> = dereference.into();

    let mut iteration = Iteration::new();
    let value_flow = iteration.variable::<(i64, i64)>("value_flow");
    let value_flow_rev = iteration.variable::<(i64, i64)>("value_flow_rev");
    let memory_alias = iteration.variable::<(i64, i64)>("memory_alias");
    let value_alias = iteration.variable::<(i64, i64)>("value_alias");
    // (w, x) :- value_flow(z, x), memory_alias(z, w).
    let vf_ma = iteration.variable::<(i64, i64)>("vf_ma");
    // (z, x) :- dereference(y, x), value_alias(y, z).
    let deref_va = iteration.variable::<(i64, i64)>("deref_va");

    // value_flow(y, x) :- assign(y, x).
    value_flow.extend(assign.iter());
    // value_flow(x, x) :- assign(x, y).  value_flow(x, x) :- assign(y, x).
    let reflexive: Vec<(i64, i64)> = assign.iter().flat_map(|&(x, y)| [(x, x), (y, y)]).collect();
    value_flow.extend(reflexive.iter());
    // memory_alias(x, x) :- assign(y, x).  memory_alias(x, x) :- assign(x, y).
    memory_alias.extend(reflexive);

    while iteration.changed() {
        value_flow_rev.from_map(&value_flow, |&(x, y)| (y, x));
        // value_flow(x, y) :- value_flow(x, z), value_flow(z, y).
        value_flow.from_join(&value_flow_rev, &value_flow, |_z, &x, &y| (x, y));
        // value_flow(x, y) :- assign(x, z), memory_alias(z, y).
        value_flow.from_join(&memory_alias, &assign_by_dst, |_z, &y, &x| (x, y));
        // value_alias(x, y) :- value_flow(z, x), value_flow(z, y).
        value_alias.from_join(&value_flow, &value_flow, |_z, &x, &y| (x, y));
        // value_alias(x, y) :- value_flow(z, x), memory_alias(z, w), value_flow(w, y).
        vf_ma.from_join(&value_flow, &memory_alias, |_z, &x, &w| (w, x));
        value_alias.from_join(&vf_ma, &value_flow, |_w, &x, &y| (x, y));
        // memory_alias(x, w) :- dereference(y, x), value_alias(y, z), dereference(z, w).
        deref_va.from_join(&value_alias, &dereference, |_y, &z, &x| (z, x));
        memory_alias.from_join(&deref_va, &dereference, |_z, &x, &w| (x, w));
    }
    let out = vec![
        value_flow.complete().elements,
        memory_alias.complete().elements,
        value_alias.complete().elements,
    ];
    sw.stop();
    leak((iteration, value_flow_rev, vf_ma, deref_va));
    out
}

mod with_crepe {
    use super::{leak, Rel, Stopwatch};

    crepe::crepe! {
        @input
        struct Assign(i64, i64);
        @input
        struct Dereference(i64, i64);

        @output
        struct ValueFlow(i64, i64);
        @output
        struct MemoryAlias(i64, i64);
        @output
        struct ValueAlias(i64, i64);

        ValueFlow(y, x) <- Assign(y, x);
        ValueFlow(x, y) <- Assign(x, z), MemoryAlias(z, y);
        ValueFlow(x, y) <- ValueFlow(x, z), ValueFlow(z, y);
        MemoryAlias(x, w) <- Dereference(y, x), ValueAlias(y, z), Dereference(z, w);
        ValueAlias(x, y) <- ValueFlow(z, x), ValueFlow(z, y);
        ValueAlias(x, y) <- ValueFlow(z, x), MemoryAlias(z, w), ValueFlow(w, y);
        ValueFlow(x, x) <- Assign(x, _);
        ValueFlow(x, x) <- Assign(_, x);
        MemoryAlias(x, x) <- Assign(_, x);
        MemoryAlias(x, x) <- Assign(x, _);
    }

    pub fn run(assign: Rel, dereference: Rel, sw: &mut Stopwatch) -> Vec<Rel> {
        let mut runtime = Crepe::new();
        runtime.extend(assign.into_iter().map(|(a, b)| Assign(a, b)));
        runtime.extend(dereference.into_iter().map(|(a, b)| Dereference(a, b)));
        let (vf, ma, va) = runtime.run_with_hasher::<rustc_hash::FxBuildHasher>();
        sw.stop();
        let out = vec![
            vf.iter().map(|&ValueFlow(a, b)| (a, b)).collect(),
            ma.iter().map(|&MemoryAlias(a, b)| (a, b)).collect(),
            va.iter().map(|&ValueAlias(a, b)| (a, b)).collect(),
        ];
        leak((vf, ma, va));
        out
    }
}
