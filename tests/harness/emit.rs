//! Every IR is printable and a test artefact: for each `tests/emit/*.fold`,
//! the tokens, the syntax tree, the plan and the Cranelift IR of its
//! handlers (`foldc emit tokens|ast|plan|clif`) are compared with insta
//! snapshots next to it (`name.tokens.snap`, `name.ast.snap`,
//! `name.plan.snap`, `name.clif.snap`).

use std::path::Path;

use fold_tests::{files_with_suffix, relative, root};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let dir = root().join("emit");
    let mut trials = Vec::new();
    for path in files_with_suffix(&dir, ".fold") {
        let name = relative(&path, &dir);
        for stage in ["tokens", "ast", "plan", "clif"] {
            let path = path.clone();
            trials.push(Trial::test(format!("emit::{name}::{stage}"), move || {
                snapshot(&path, stage)
            }));
        }
    }
    trials.push(Trial::test("emit::no_orphan_snapshots", no_orphans));
    libtest_mimic::run(&args, trials).exit();
}

fn printed(path: &Path, stage: &str) -> Result<String, Failed> {
    let src = std::fs::read_to_string(path)?;
    Ok(match stage {
        "tokens" => fold_grammar::print::tokens(&src, &fold_grammar::token::lex(&src)),
        "ast" => fold_grammar::print::program(&fold_grammar::parse(&src).0),
        _ => {
            // No directory: input paths print as written, not machine paths.
            let compiled = fold_compiler::compile(&src, None);
            match compiled.plan {
                Some(plan) if stage == "clif" => fold_compiler::codegen::emit_clif(&plan)?,
                Some(plan) => fold_runtime::plan::print::print_plan(&plan),
                None => return Err(format!("{} does not compile", path.display()).into()),
            }
        }
    })
}

fn snapshot(path: &Path, stage: &str) -> Result<(), Failed> {
    let output = printed(path, stage)?;
    let dir = path.parent().ok_or("emit file without a folder")?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or("emit file without a name")?;
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(path);
    settings.bind(|| insta::assert_snapshot!(format!("{stem}.{stage}"), output));
    Ok(())
}

fn no_orphans() -> Result<(), Failed> {
    let orphans: Vec<String> = files_with_suffix(&root().join("emit"), ".snap")
        .into_iter()
        .filter(|snap| {
            let name = snap
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = name.split('.').next().unwrap_or_default();
            !snap.with_file_name(format!("{stem}.fold")).exists()
        })
        .map(|snap| relative(&snap, &root()))
        .collect();
    if orphans.is_empty() {
        Ok(())
    } else {
        Err(format!("snapshots without a .fold file: {}", orphans.join(", ")).into())
    }
}
