//! UI tests: every `tests/ui/**/*.fold` (and Soufflé's `*.dl`) is compiled and its rendered
//! diagnostics (human, colour off, and JSON) are compared with the insta
//! snapshot next to it (`name.snap`). Also checked: every diagnostic code
//! has a ui test, no snapshot lacks its program, and every example program
//! in `examples/` compiles without errors.
//!
//! To accept new or changed snapshots: `INSTA_UPDATE=always cargo test -p
//! fold-tests --test ui`, then review the diff.

use std::collections::BTreeSet;
use std::path::Path;

use fold_compiler::diag::render;
use fold_compiler::diag::Code;
use fold_tests::{files_with_suffix, relative, root, workspace};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let ui = root().join("ui");
    let mut trials: Vec<Trial> = files_with_suffix(&ui, ".fold")
        .into_iter()
        .chain(files_with_suffix(&ui, ".dl"))
        .map(|path| {
            let name = relative(&path, &ui);
            Trial::test(format!("ui::{name}"), move || snapshot(&path))
        })
        .collect();
    trials.push(Trial::test(
        "ui::every_code_has_a_test",
        every_code_has_a_test,
    ));
    trials.push(Trial::test("ui::no_orphan_snapshots", no_orphan_snapshots));
    for path in files_with_suffix(&workspace().join("examples"), ".fold") {
        let name = relative(&path, &workspace());
        trials.push(Trial::test(format!("examples_check::{name}"), move || {
            compiles_clean(&path)
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// What `foldc check` would show for a file, as the snapshot records it.
fn rendered(path: &Path) -> Result<String, Failed> {
    let src = std::fs::read_to_string(path)?;
    let dialect = fold_compiler::Dialect::of_path(path);
    let compiled = fold_compiler::compile_dialect(&src, path.parent(), dialect);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let src = compiled.expanded_source.clone().unwrap_or(src);
    let human = render::human(&name, &src, &compiled.diagnostics, false);
    let json = render::json(&name, &src, &compiled.diagnostics);
    let status = if compiled.has_errors() { 1 } else { 0 };
    Ok(format!(
        "exit: {status}\n{}\n{human}\n--- json ---\n{json}",
        render::summary(&compiled.diagnostics).unwrap_or_else(|| "ok".into())
    ))
}

fn snapshot(path: &Path) -> Result<(), Failed> {
    let output = rendered(path)?;
    let dir = path.parent().ok_or("ui file without a folder")?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or("ui file without a name")?;
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(path);
    settings.bind(|| insta::assert_snapshot!(stem, output));
    Ok(())
}

fn every_code_has_a_test() -> Result<(), Failed> {
    let mut seen = BTreeSet::new();
    // The split verdicts (`tests/split/`) test the split key's codes.
    let split = files_with_suffix(&root().join("split"), ".snap");
    for snap in files_with_suffix(&root().join("ui"), ".snap")
        .into_iter()
        .chain(split)
    {
        let text = std::fs::read_to_string(&snap)?;
        for code in Code::ALL {
            if text.contains(&format!("[{}]", code.as_str())) {
                seen.insert(code.as_str());
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("no ui snapshot shows these codes: {}", missing.join(", ")).into())
    }
}

fn no_orphan_snapshots() -> Result<(), Failed> {
    let orphans: Vec<String> = files_with_suffix(&root().join("ui"), ".snap")
        .into_iter()
        .filter(|snap| !snap.with_extension("fold").exists() && !snap.with_extension("dl").exists())
        .map(|snap| relative(&snap, &root()))
        .collect();
    if orphans.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "snapshots without a .fold or .dl file: {}",
            orphans.join(", ")
        )
        .into())
    }
}

fn compiles_clean(path: &Path) -> Result<(), Failed> {
    let src = std::fs::read_to_string(path)?;
    let compiled = fold_compiler::compile(&src, path.parent());
    if compiled.has_errors() || !compiled.diagnostics.is_empty() {
        let name = relative(path, &workspace());
        return Err(render::human(&name, &src, &compiled.diagnostics, false).into());
    }
    Ok(())
}
