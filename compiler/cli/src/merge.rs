//! `foldc merge PROG A B --into C`: two databases of one program into the
//! database a single run over both inputs builds (see
//! `fold_runtime::merge` for the algorithm and
//! `fold_runtime::merge::merge_databases` for the directories).
//!
//! Both databases are opened (holding their locks, so no run changes them
//! meanwhile), checked to belong to PROG and to be finished, and never
//! written. The larger is copied into a new directory beside C, which is
//! resumed and merged with the other, finished with one checkpoint, and
//! only then renamed to C: C either does not exist or is a finished
//! database. The report is printed and kept in C (`foldc stats --db C`).

use crate::format::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use fold_runtime::merge::merge_databases;
use fold_runtime::merge::MergeRecord;
use fold_runtime::stats::{labels, HandlerLabel};
use fold_runtime::RunOptions;

use crate::backend::{self, Backend};
use crate::out::{errln, out, outln};
use crate::source::Program;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program both databases were written by.
    program: PathBuf,
    /// A database of the program (`foldc run PROG --db A`).
    a: PathBuf,
    /// Another database of the program.
    b: PathBuf,
    /// The merged database to create (the directory must not exist; A and
    /// B are left as they are).
    #[arg(long, value_name = "DIR")]
    into: PathBuf,
    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, default_value_t = 0, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    threads: usize,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
    /// What runs the handlers after the replay (the replay itself always
    /// runs on the reference interpreter).
    #[arg(long, value_enum, default_value_t = Backend::Jit)]
    backend: Backend,
    /// The report for people, or one JSON object (`schemas/merge.json`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// A merge record as JSON, each handler's counters labelled with its
/// rule, trigger position and trigger category (as `foldc stats` labels
/// the run's counters).
pub(crate) fn record_json(record: &MergeRecord, labels: &[HandlerLabel]) -> serde_json::Value {
    let mut value = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
    if let Some(handlers) = value
        .get_mut("handlers")
        .and_then(serde_json::Value::as_array_mut)
    {
        for (i, (h, l)) in handlers.iter_mut().zip(labels).enumerate() {
            if let Some(h) = h.as_object_mut() {
                h.insert("handler".into(), i.into());
                h.insert("rule".into(), l.rule.clone().into());
                h.insert("position".into(), l.position.into());
                h.insert("trigger".into(), l.trigger.clone().into());
            }
        }
    }
    value
}

pub fn run(args: Args) -> Outcome {
    let started = Instant::now();
    let mut program = Program::load(&args.program)?;
    let plan = Arc::new(program.checked_plan("nothing was merged")?);
    let (natives, _) = backend::compile(&plan, args.backend);
    let opts = RunOptions {
        threads: args.threads,
        quiet: args.quiet,
    };
    let merged = merge_databases(
        &plan,
        natives,
        &program.display_name(),
        &args.a,
        &args.b,
        &args.into,
        &opts,
    )?;
    for note in &merged.notes {
        errln!("note: {note}");
    }
    if args.format == Format::Json {
        let p = &merged.phases;
        let value = serde_json::json!({
            "database": args.into.display().to_string(),
            "program": program.display_name(),
            "seconds": started.elapsed().as_secs_f64(),
            "phases": {
                "copy": p.copy, "read": p.read, "resume": p.resume, "merge": p.merge,
                "insert": p.insert, "replay": p.replay, "save": p.save,
            },
            "notes": merged.notes,
            "record": record_json(&merged.record, &labels(&plan)),
        });
        outln!("{value}");
        return Ok(ExitCode::SUCCESS);
    }
    if !args.quiet {
        out!("{}", merged.record.render(&labels(&plan)));
        outln!(
            "database `{}`: written in {:.3} s in all ({})",
            args.into.display(),
            started.elapsed().as_secs_f64(),
            merged.phases.render()
        );
    }
    Ok(ExitCode::SUCCESS)
}
