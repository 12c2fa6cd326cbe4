//! `foldc bench PROG`: time every logical piece on its own examples.
//!
//! For each `example` line (hit, miss, near_miss), every handler of the
//! example's rules that has events in it is timed on the example's store,
//! once interpreted and once as native code: each sample runs all of the
//! handler's events many times, and the table shows the median over the
//! samples, in nanoseconds per event. Both backends must agree on what the
//! example finds; a disagreement is reported and fails the command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use fold_runtime::examples::ExampleRun;
use fold_runtime::native::Natives;
use fold_runtime::plan::{HandlerId, Plan};

use crate::out::{out, outln};
use crate::source::Program;
use crate::Outcome;
use fold_compiler::codegen;

#[derive(clap::Args)]
pub struct Args {
    /// The program whose examples to time.
    program: PathBuf,
    /// Samples per handler and backend (the median is shown).
    #[arg(long, default_value_t = 21)]
    samples: u32,
    /// Target length of one sample, in microseconds (the number of
    /// repetitions is chosen to fill it).
    #[arg(long, default_value_t = 2000)]
    sample_us: u64,
}

/// One row of the table.
struct Row {
    example: String,
    handler: String,
    events: usize,
    interp: Duration,
    jit: Option<Duration>,
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = program.checked_plan("nothing was timed")?;
    if plan.examples.is_empty() {
        outln!(
            "{}: no examples to time (write `example RULE hit|miss|near_miss: facts => found`)",
            program.display_name()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let sample = Duration::from_micros(args.sample_us.max(1));
    let samples = args.samples.max(1);
    let mut rows = Vec::new();
    let mut disagree = Vec::new();
    let jit = codegen::compile(&plan, codegen::Options::default())?;
    let none = Natives::none();
    for example in &plan.examples {
        let interp = ExampleRun::new(&plan, &none, example);
        let native = ExampleRun::new(&plan, &jit.natives, example);
        if interp.run() != native.run() {
            disagree.push(example.name.clone());
        }
        let handlers: Vec<HandlerId> = interp.handlers().collect();
        for h in handlers {
            let events = interp.events(h);
            if events == 0 {
                continue;
            }
            let time_on = |run: &ExampleRun| median_time(run, h, sample, samples);
            let Some(interp_ns) = time_on(&interp) else {
                continue;
            };
            let jit_ns = if jit.natives.get(h).is_some() {
                time_on(&native)
            } else {
                None
            };
            rows.push(Row {
                example: format!("{} (line {})", example.name, example.line),
                handler: handler_name(&plan, h),
                events,
                interp: interp_ns,
                jit: jit_ns,
            });
        }
    }
    out!("{}", table(&rows));
    if disagree.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!(
            "the JIT and the interpreter disagree on: {}",
            disagree.join(", ")
        ))
    }
}

fn handler_name(plan: &Plan, h: HandlerId) -> String {
    let handler = plan.handler(h);
    format!(
        "{} {} {}",
        plan.rule(handler.rule).name,
        handler.position,
        plan.category(handler.trigger).name
    )
}

/// The median time per event of `h` over `samples` samples of about
/// `sample` each.
fn median_time(run: &ExampleRun, h: HandlerId, sample: Duration, samples: u32) -> Option<Duration> {
    // Warm up, then find how many repetitions fill one sample.
    run.time(h, 16)?;
    let mut iterations = 1u32;
    loop {
        let start = std::time::Instant::now();
        run.time(h, iterations)?;
        if start.elapsed() >= sample || iterations >= 1 << 24 {
            break;
        }
        iterations = iterations.saturating_mul(2);
    }
    let mut times: Vec<Duration> = (0..samples)
        .filter_map(|_| run.time(h, iterations))
        .collect();
    times.sort_unstable();
    times.get(times.len() / 2).copied()
}

fn ns(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e9)
}

fn table(rows: &[Row]) -> String {
    const HEAD: [&str; 6] = [
        "example",
        "handler",
        "events",
        "interp ns/event",
        "jit ns/event",
        "speedup",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let (jit, speedup) = match r.jit {
                Some(j) if !j.is_zero() => (
                    ns(j),
                    format!("{:.2}x", r.interp.as_secs_f64() / j.as_secs_f64()),
                ),
                Some(j) => (ns(j), "-".into()),
                None => ("interpreted".into(), "-".into()),
            };
            [
                r.example.clone(),
                r.handler.clone(),
                r.events.to_string(),
                ns(r.interp),
                jit,
                speedup,
            ]
        })
        .collect();
    fold_runtime::stats::render_table(&HEAD, &cells, 2)
}
