//! Embedding fold in a Rust program: compile a program, run it on native
//! handlers with facts inserted from Rust, read the results back as typed
//! values; then keep a run in a database and add input to it
//! incrementally.
//!
//! `cargo run --release --example embed -p fold-compiler`
//! (`cargo test -p fold-compiler --example embed` runs it as a test).

use std::error::Error;
use std::path::Path;

use fold_compiler::backend::Backend;
use fold_compiler::embed::{Program, Value};

const REACH: &str = "\
data edge(src: int, dst: int)
data reach(src: int, dst: int)
input edge from \"edge.csv\"
output reach
reach(x, y) :- edge(x, y).
reach(x, z) :- reach(x, y), edge(y, z).
";

/// Reachability in memory: facts from Rust, results as values.
fn in_memory() -> Result<Vec<Vec<Value>>, Box<dyn Error>> {
    let program = Program::compile(
        "data edge(src: int, dst: int, label: str)
         data reach(src: int, dst: int)
         output reach
         reach(x, y) :- edge(x, y, _).
         reach(x, z) :- reach(x, y), edge(y, z, _).",
    )?;
    let mut run = program.start(Backend::Jit)?;
    for (a, b) in [(1, 2), (2, 3), (3, 4)] {
        run.insert(
            "edge",
            &[
                Value::Int(a),
                Value::Int(b),
                Value::Str(format!("{a}->{b}")),
            ],
        )?;
    }
    let summary = run.run()?;
    let installed = run.installed();
    println!(
        "in memory: {} events in {} rounds, {} of {} handlers native",
        summary.events, summary.rounds, installed.native, installed.handlers
    );
    let reach = run.facts("reach")?;
    for fact in &reach {
        println!("  reach{fact:?}");
    }
    Ok(reach)
}

/// The same program kept in a database: a second run with more input
/// adds only what is new.
fn in_a_database(dir: &Path) -> Result<(usize, usize), Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("reach.fold"), REACH)?;
    std::fs::write(dir.join("edge.csv"), "src,dst\n1,2\n2,3\n")?;
    let program = Program::compile_file(&dir.join("reach.fold"))?;
    let first = program.run_in_database(&dir.join("db"), Backend::Jit)?;
    let before = first.facts("reach")?.len();
    drop(first);
    std::fs::write(dir.join("edge.csv"), "src,dst\n1,2\n2,3\n3,4\n")?;
    let second = program.run_in_database(&dir.join("db"), Backend::Jit)?;
    let after = second.facts("reach")?.len();
    println!("in a database: {before} reach facts, then {after} after one more edge");
    Ok((before, after))
}

fn main() -> Result<(), Box<dyn Error>> {
    in_memory()?;
    let dir = std::env::temp_dir().join(format!("fold-embed-{}", std::process::id()));
    let result = in_a_database(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_finds_every_path() {
        let reach = in_memory().expect("runs");
        assert_eq!(reach.len(), 6);
        assert_eq!(reach[0], vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(reach[5], vec![Value::Int(3), Value::Int(4)]);
    }

    #[test]
    fn a_database_grows_incrementally() {
        let dir = std::env::temp_dir().join(format!("fold-embed-test-{}", std::process::id()));
        let counts = in_a_database(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(counts.expect("runs"), (3, 6));
    }

    #[test]
    fn the_example_runs_end_to_end() {
        main().expect("the example runs");
    }

    #[test]
    fn wrong_values_are_refused_with_the_field_named() {
        let program =
            Program::compile("data edge(src: int, dst: int)\noutput edge\n").expect("compiles");
        let mut run = program.start(Backend::Interp).expect("starts");
        let err = run
            .insert("edge", &[Value::Int(1), Value::Str("x".into())])
            .expect_err("a string is not an int");
        assert!(
            err.to_string().contains("field 2 of `edge` is of type int"),
            "{err}"
        );
        let err = run.facts("edges").expect_err("no such category");
        assert!(err.to_string().contains("no category `edges`"), "{err}");
    }
}
