//! `foldc run --format json`: the run as one JSON object
//! (`schemas/run.json`).

use std::time::Duration;

use fold_runtime::plan::Plan;
use fold_runtime::{Engine, RunSummary};

use fold_compiler::backend::{Backend, Installed};

/// The summary, facts per category, timings (milliseconds), the backend
/// and the counters of a finished run; `database` holds the lines that
/// describe what happened to the database (empty without `--db`).
pub fn report(
    program: &str,
    engine: &Engine,
    plan: &Plan,
    summary: &RunSummary,
    installed: &Installed,
    compiled: &fold_compiler::Timings,
    database: &[String],
) -> serde_json::Value {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let categories: serde_json::Map<String, serde_json::Value> = plan
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id = fold_runtime::plan::CatId(i as u32);
            (c.name.clone(), serde_json::json!(engine.count(id)))
        })
        .collect();
    let outputs: Vec<&str> = plan
        .outputs
        .iter()
        .map(|&c| plan.category(c).name.as_str())
        .collect();
    let interpreted: Vec<serde_json::Value> = installed
        .declined
        .iter()
        .map(|(h, why)| {
            let handler = plan.handler(*h);
            serde_json::json!({
                "handler": h.0,
                "rule": plan.rule(handler.rule).name,
                "position": handler.position,
                "reason": why,
            })
        })
        .collect();
    serde_json::json!({
        "program": program,
        "outputs": outputs,
        "categories": categories,
        "rounds": summary.rounds,
        "events": summary.events,
        "found_new": summary.found_new,
        "faults": summary.faults,
        "threads": summary.threads,
        "seconds": summary.elapsed.as_secs_f64(),
        "timings_ms": {
            "parse": ms(compiled.parse),
            "check": ms(compiled.check),
            "lower": ms(compiled.lower),
            "codegen": ms(installed.codegen),
            "evaluation": ms(summary.elapsed),
        },
        "backend": {
            "kind": match installed.backend { Backend::Jit => "jit", Backend::Interp => "interp" },
            "handlers": installed.handlers,
            "native": installed.native,
            "interpreted": interpreted,
        },
        "stats": engine.stats().to_json(plan),
        "database": database,
    })
}
