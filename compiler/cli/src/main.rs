//! `foldc`: the fold compiler and runtime on the command line, one module
//! per subcommand. Each module parses its arguments (clap) and calls the
//! compiler's and the runtime's APIs; the work itself lives there.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod backend;
mod bench;
mod check;
mod cluster;
mod db_cmd;
mod db_run;
mod doc;
mod emit;
mod explain;
mod explain_code;
mod export;
mod fmt;
mod format;
mod merge;
mod out;
mod report;
mod run;
mod serve;
mod shell;
mod souffle_run;
mod source;
mod split;
mod stats;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// foldc — compile and run fold programs: recursive search over permanent facts.
#[derive(Parser)]
#[command(name = "foldc", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a program and print its diagnostics (exit 1 on errors).
    Check(check::Args),
    /// Print a stage of compilation: tokens, ast, plan or clif.
    Emit(emit::Args),
    /// Run a program to its fixpoint and write its output categories.
    Run(run::Args),
    /// Check the program's `example` lines (hit, miss, near_miss).
    Test(test::Args),
    /// Print the standard library reference (every builtin, with examples).
    Doc(doc::Args),
    /// Serve editors over stdio: the fold language server (diagnostics,
    /// hover, definitions, references, completion, formatting).
    Lsp,
    /// Rewrite programs in the canonical layout (`--check`: only list
    /// the files that are not).
    Fmt(fmt::Args),
    /// Write a database's output categories as sorted CSV.
    Export(export::Args),
    /// Print a database's lifecycle counters per rule and trigger position.
    Stats(stats::Args),
    /// Say why a database holds a fact: the rules, events, friends and
    /// input records it rests on, as a tree.
    Explain(explain::Args),
    /// Draw a database's work as one HTML page: the event graph of
    /// categories and rules with counts, facts per category, per rule and
    /// trigger position what its events did and found and their time, the
    /// strata and the merges.
    Report(report::Args),
    /// Explain a diagnostic code (`E0304`) at length, with an example that
    /// triggers it and the fix; without a code, list them all.
    ExplainCode(explain_code::Args),
    /// Keep a database open behind HTTP: count, query and insert facts
    /// (each insert runs the rules and is durable when answered).
    Serve(serve::Args),
    /// Merge two databases of one program into a new one, as if one run
    /// had read both inputs.
    Merge(merge::Args),
    /// Time each rule's handlers on its examples, interpreted and native.
    Bench(bench::Args),
    /// Submit a job to a cluster of workers sharing a NATS JetStream
    /// server: its inputs as chunks, its program in the manifest.
    Submit(cluster::SubmitArgs),
    /// Work on the cluster's jobs: run chunks into local databases, upload
    /// them, merge databases (identical everywhere; needs only the server).
    Worker(cluster::WorkerArgs),
    /// Coordinate a job's merges until one database holds every chunk,
    /// then download it (or export its outputs). Restartable.
    Collect(cluster::CollectArgs),
    /// The cluster's jobs and workers (`foldc cluster status`).
    Cluster(cluster::ClusterArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff): `foldc man > foldc.1; man ./foldc.1`.
    Man(shell::ManArgs),
    /// Check a database against its checksums (`foldc db verify DIR`), or
    /// rebuild what can be rebuilt (`foldc db repair DIR`).
    Db(db_cmd::Args),
}

fn cli_main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Emit(args) => emit::run(args),
        Command::Run(args) => run::run(args),
        Command::Test(args) => test::run(args),
        Command::Doc(args) => doc::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lsp => fold_lsp::run_stdio().map(|()| ExitCode::SUCCESS),
        Command::Export(args) => export::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Report(args) => report::run(args),
        Command::ExplainCode(args) => explain_code::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Submit(args) => cluster::run_submit(args),
        Command::Worker(args) => cluster::run_worker(args),
        Command::Collect(args) => cluster::run_collect(args),
        Command::Cluster(args) => cluster::run_cluster(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Db(args) => db_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            out::errln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A subcommand's outcome: an exit code, or a message for stderr (exit 1).
pub type Outcome = Result<ExitCode, String>;

/// The compiler's stack (see [`fold_compiler::STACK_BYTES`]).
const STACK_BYTES: usize = fold_compiler::STACK_BYTES;

fn main() -> ExitCode {
    fold_runtime::init_global_pool();
    let cli = std::thread::Builder::new()
        .name("foldc".to_string())
        .stack_size(STACK_BYTES)
        .spawn(cli_main);
    match cli.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        // A panic has printed its message already.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start foldc: {e}");
            ExitCode::FAILURE
        }
    }
}
