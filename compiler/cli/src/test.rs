//! `foldc test PROG`: check the program's own `example` lines.
//!
//! A `hit` must find exactly the facts after `=>`; a `miss` must find
//! nothing; a `near_miss` must find nothing but get past loading its
//! friends (it exercises the late abort).

use crate::format::Format;
use std::path::PathBuf;
use std::process::ExitCode;

use fold_runtime::examples::run_example;
use fold_runtime::native::Natives;

use fold_compiler::verdict::verdict;

use crate::out::outln;
use crate::source::Program;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program whose examples to check.
    program: PathBuf,
    /// A line per example for people, or one JSON object
    /// (`schemas/test.json`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = program.checked_plan("no example was run")?;
    let name = program.display_name();
    let json = args.format == Format::Json;
    if plan.examples.is_empty() && !json {
        outln!("{name}: no examples (write `example RULE hit|miss|near_miss: facts => found`)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = 0;
    let mut results = Vec::new();
    for example in &plan.examples {
        let result = run_example(&plan, &Natives::none(), example);
        let why = verdict(&plan, example, &result);
        if why.is_some() {
            failed += 1;
        }
        if json {
            results.push(serde_json::json!({
                "name": example.name,
                "line": example.line,
                "passed": why.is_none(),
                "failure": why,
            }));
            continue;
        }
        match why {
            None => outln!("ok    {} (line {})", example.name, example.line),
            Some(why) => outln!("FAIL  {} (line {}): {why}", example.name, example.line),
        }
    }
    let total = plan.examples.len();
    if json {
        let value = serde_json::json!({
            "program": name,
            "total": total,
            "passed": total - failed,
            "failed": failed,
            "examples": results,
        });
        outln!("{value}");
    } else {
        outln!(
            "{name}: {} of {total} example{} passed",
            total - failed,
            if total == 1 { "" } else { "s" }
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
