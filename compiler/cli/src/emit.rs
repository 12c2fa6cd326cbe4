//! `foldc emit tokens|ast|plan|clif PROG`: every stage, printable.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::out::out;
use crate::source::Program;
use crate::Outcome;
use fold_compiler::diag::Code;

#[derive(clap::Args)]
pub struct Args {
    /// Which stage to print.
    #[arg(value_enum)]
    stage: Stage,
    /// The program.
    program: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    /// The lexer's tokens, one per line with line:column.
    Tokens,
    /// The syntax tree, with byte spans.
    Ast,
    /// The runtime plan: strata and lifecycle handlers.
    Plan,
    /// The Cranelift IR of every handler, as the JIT compiles it.
    Clif,
}

pub fn run(args: Args) -> Outcome {
    let program = Program::load(&args.program)?;
    match args.stage {
        Stage::Tokens => {
            let tokens = fold_grammar::token::lex(&program.src);
            out!("{}", fold_grammar::print::tokens(&program.src, &tokens));
            let invalid: Vec<_> = program
                .compiled
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::InvalidToken)
                .cloned()
                .collect();
            program.report(&invalid);
            if invalid.is_empty() {
                Ok(ExitCode::SUCCESS)
            } else {
                Err("the program has invalid tokens (shown above as errors)".into())
            }
        }
        Stage::Ast => {
            out!("{}", fold_grammar::print::program(&program.compiled.ast));
            program.report(&program.compiled.diagnostics);
            if program
                .compiled
                .diagnostics
                .iter()
                .any(|d| d.code.is_syntax())
            {
                Err(
                    "the program has syntax errors: the tree above is what the parser recovered"
                        .into(),
                )
            } else {
                Ok(ExitCode::SUCCESS)
            }
        }
        Stage::Plan => match &program.compiled.plan {
            Some(plan) => {
                out!("{}", fold_runtime::plan::print::print_plan(plan));
                Ok(ExitCode::SUCCESS)
            }
            None => {
                program.report(&program.compiled.diagnostics);
                Err("the program has errors, so it has no plan".into())
            }
        },
        Stage::Clif => match &program.compiled.plan {
            Some(plan) => {
                out!("{}", fold_compiler::codegen::emit_clif(plan)?);
                Ok(ExitCode::SUCCESS)
            }
            None => {
                program.report(&program.compiled.diagnostics);
                Err("the program has errors, so it has no code".into())
            }
        },
    }
}
