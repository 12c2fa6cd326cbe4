//! Run tests: every `tests/run/<case>/` and every `examples/<name>/` that
//! has an `expected/` folder is a case. The case's one `.fold` program is
//! compiled and run with its `input` files under each backend (the
//! interpreter, and native code from the JIT, which must compile every
//! handler and count the same lifecycle events) on 1 thread and on 4, and
//! each run must write exactly the files in `expected/` (byte for byte).
//! A handler the JIT cannot compile must be listed, with the JIT's reason,
//! in the case's `jit-declines.txt`.
//! An example can hold more inputs for its program: every
//! `examples/<name>/cases/<case>/` with an `expected/` folder is a case that
//! runs the example's program with its input paths taken from the case
//! folder (as `foldc run PROG --input CAT=cases/<case>/FILE` does).
//! The program's `example` lines must hold too.
//! A case whose `expected/error.txt` exists must instead fail to load its
//! inputs with that message (after `{dir}` is replaced by the case folder).

use std::path::Path;
use std::sync::Arc;

use fold_runtime::native::Natives;
use fold_runtime::plan::Plan;
use fold_runtime::{Engine, RunOptions};
use fold_tests::{compare_dirs, program_of, relative, root, run_cases, workspace};
use libtest_mimic::{Arguments, Failed, Trial};

const THREADS: [usize; 2] = [1, 4];
const BACKENDS: [Backend; 2] = [Backend::Interp, Backend::Jit];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Interp,
    Jit,
}

fn main() {
    let args = Arguments::from_args();
    let base = workspace();
    let mut trials = Vec::new();
    for case in run_cases() {
        for backend in BACKENDS {
            for threads in THREADS {
                let name = format!("{}::{backend:?}::threads_{threads}", relative(&case, &base))
                    .to_lowercase();
                let case = case.clone();
                trials.push(Trial::test(name, move || run_case(&case, threads, backend)));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Run handlers natively. Every handler of a test program must compile,
/// except those the case's `jit-declines.txt` lists (one line per
/// handler the JIT leaves on the interpreter: `handler N: reason`), which
/// must decline exactly so.
fn compile_jit(plan: &Plan, case: &Path) -> Result<Natives, Failed> {
    let jit = fold_compiler::codegen::compile(plan, fold_compiler::codegen::Options::default())?;
    let got: String = jit
        .declined
        .iter()
        .map(|(h, why)| format!("handler {}: {why}\n", h.0))
        .collect();
    let want = std::fs::read_to_string(case.join("jit-declines.txt")).unwrap_or_default();
    if got == want {
        Ok(jit.natives)
    } else {
        Err(format!("the JIT declined\n{got}but jit-declines.txt says\n{want}").into())
    }
}

fn run_case(case: &Path, threads: usize, backend: Backend) -> Result<(), Failed> {
    let prog = program_of(case)?;
    let src = std::fs::read_to_string(&prog)?;
    let compiled = fold_compiler::compile(&src, Some(case));
    let Some(plan) = compiled.plan else {
        let name = relative(&prog, &root());
        let shown = fold_compiler::diag::render::human(&name, &src, &compiled.diagnostics, false);
        return Err(format!("does not compile:\n{shown}").into());
    };
    let plan = Arc::new(plan);
    let natives = match backend {
        Backend::Jit => compile_jit(&plan, case)?,
        Backend::Interp => Natives::none(),
    };
    let mut engine = Engine::new(plan.clone(), natives.clone())?;
    let inputs: Vec<_> = plan
        .inputs
        .iter()
        .map(|i| (i.cat, i.path.clone()))
        .collect();
    let expected_error = case.join("expected/error.txt");
    match engine.load_inputs(&inputs) {
        Ok(_) if expected_error.exists() => {
            return Err("expected loading the inputs to fail, but it succeeded".into())
        }
        Ok(_) => {}
        Err(e) => {
            if !expected_error.exists() {
                return Err(format!("loading inputs failed: {e}").into());
            }
            let want =
                std::fs::read_to_string(&expected_error)?.replace("{dir}", &case.to_string_lossy());
            let got = e.to_string();
            if got.trim_end() != want.trim_end() {
                return Err(
                    format!("wrong error\n  want: {}\n  got:  {got}", want.trim_end()).into(),
                );
            }
            // Nothing half-loaded: every category is still empty.
            for (i, _) in plan.categories.iter().enumerate() {
                let cat = fold_runtime::plan::CatId(i as u32);
                if engine.count(cat) != 0 {
                    return Err(format!("category {i} holds facts after a failed load").into());
                }
            }
            return Ok(());
        }
    }
    // The program's own examples hold.
    for example in &plan.examples {
        let run = fold_runtime::examples::ExampleRun::new(&plan, &natives, example);
        let result = run.run();
        if let Some(why) = fold_compiler::verdict::verdict(&plan, example, &result) {
            return Err(format!("example {} (line {}): {why}", example.name, example.line).into());
        }
    }
    engine.insert_program_facts();
    let opts = RunOptions {
        threads,
        quiet: true,
    };
    engine.run(&opts)?;
    if backend == Backend::Jit {
        // Native code counts exactly what the interpreter counts.
        let mut reference = Engine::new(plan.clone(), Natives::none())?;
        reference.load_inputs(&inputs)?;
        reference.insert_program_facts();
        reference.run(&opts)?;
        if reference.stats() != engine.stats() {
            return Err(format!(
                "the counters differ from the interpreter's\n--- interpreter ---\n{}--- jit ---\n{}",
                reference.stats().render_table(&plan),
                engine.stats().render_table(&plan)
            )
            .into());
        }
    }
    let out = tempfile::tempdir()?;
    engine.write_outputs(out.path(), &plan.outputs)?;
    compare_dirs(&case.join("expected"), out.path())
}
