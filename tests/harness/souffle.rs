//! Soufflé run tests: every `tests/souffle/<case>/` holds one `.dl`
//! program, the `.facts` files its `.input` directives read (the case
//! folder is the fact directory, as `foldc run prog.dl -F <case>`), and
//! `expected/`: the `.csv` files its `.output` directives write, and
//! `printsize.txt` when it has `.printsize` lines. Files the program
//! `#include`s live in subfolders. Each case runs under
//! both backends (the JIT must compile every handler, or the case's
//! `jit-declines.txt` lists why not) on 1 thread and on 4, and must write
//! exactly the expected files, byte for byte.

use std::path::Path;
use std::sync::Arc;

use fold_compiler::souffle::io::{self, OutputDir};
use fold_runtime::native::Natives;
use fold_runtime::{Engine, RunOptions};
use fold_tests::{compare_dirs, files_with_suffix, relative, root, subdirs};
use libtest_mimic::{Arguments, Failed, Trial};

const THREADS: [usize; 2] = [1, 4];

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for case in subdirs(&root().join("souffle")) {
        for jit in [false, true] {
            for threads in THREADS {
                let backend = if jit { "jit" } else { "interp" };
                let name = format!("{}::{backend}::threads_{threads}", relative(&case, &root()));
                let case = case.clone();
                trials.push(Trial::test(name, move || run_case(&case, threads, jit)));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn run_case(case: &Path, threads: usize, jit: bool) -> Result<(), Failed> {
    // The program is the `.dl` in the case folder itself; files it
    // includes live in subfolders.
    let programs: Vec<_> = files_with_suffix(case, ".dl")
        .into_iter()
        .filter(|p| p.parent() == Some(case))
        .collect();
    let [prog] = programs.as_slice() else {
        return Err(format!("expected one .dl program, found {}", programs.len()).into());
    };
    let src = std::fs::read_to_string(prog)?;
    let compiled = fold_compiler::compile_souffle(&src, Some(case));
    let (Some(plan), Some(souffle)) = (compiled.plan, compiled.souffle) else {
        let shown = fold_compiler::diag::render::human(
            &relative(prog, &root()),
            &src,
            &compiled.diagnostics,
            false,
        );
        return Err(format!("does not compile:\n{shown}").into());
    };
    let plan = Arc::new(plan);
    let natives = if jit {
        let out =
            fold_compiler::codegen::compile(&plan, fold_compiler::codegen::Options::default())?;
        let got: String = out
            .declined
            .iter()
            .map(|(h, why)| format!("handler {}: {why}\n", h.0))
            .collect();
        let want = std::fs::read_to_string(case.join("jit-declines.txt")).unwrap_or_default();
        if got != want {
            return Err(format!("the JIT declined\n{got}but jit-declines.txt says\n{want}").into());
        }
        out.natives
    } else {
        Natives::none()
    };
    let opts = RunOptions {
        threads,
        quiet: true,
    };
    let run = |natives: Natives| -> Result<Engine, Failed> {
        let mut engine = Engine::new(plan.clone(), natives)?;
        io::load_facts(&mut engine, &plan, &souffle, case)?;
        engine.insert_program_facts();
        engine.run(&opts)?;
        Ok(engine)
    };
    let engine = run(natives)?;
    if jit {
        // Native code counts exactly what the interpreter counts.
        let reference = run(Natives::none())?;
        if reference.stats() != engine.stats() {
            return Err("the JIT's counters differ from the interpreter's".into());
        }
    }
    let out = tempfile::tempdir()?;
    let printed = io::write_outputs(&engine, &plan, &souffle, &OutputDir::Dir(out.path().into()))?;
    let mut shown = printed;
    shown.push_str(&io::printsize(&engine, &plan, &souffle));
    if !shown.is_empty() {
        std::fs::write(out.path().join("printsize.txt"), shown)?;
    }
    compare_dirs(&case.join("expected"), out.path())
}
