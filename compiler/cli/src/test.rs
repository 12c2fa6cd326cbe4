//! `foldc test PROG`: check the program's own `example` lines.
//!
//! A `hit` must find exactly the facts after `=>`; a `miss` must find
//! nothing; a `near_miss` must find nothing but get past loading its
//! friends (it exercises the late abort).

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
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = program.checked_plan("no example was run")?;
    let name = program.display_name();
    if plan.examples.is_empty() {
        outln!("{name}: no examples (write `example RULE hit|miss|near_miss: facts => found`)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = 0;
    for example in &plan.examples {
        let result = run_example(&plan, &Natives::none(), example);
        match verdict(&plan, example, &result) {
            None => outln!("ok    {} (line {})", example.name, example.line),
            Some(why) => {
                failed += 1;
                outln!("FAIL  {} (line {}): {why}", example.name, example.line);
            }
        }
    }
    let total = plan.examples.len();
    outln!(
        "{name}: {} of {total} example{} passed",
        total - failed,
        if total == 1 { "" } else { "s" }
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
