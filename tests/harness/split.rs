//! `foldc check --split`: the verdict of the split analysis as a test
//! artefact.
//!
//! - For every example program and every run case, each field of each
//!   category no rule finds is tried as the split key; the verdicts (where
//!   each category's facts live, or the diagnostic that refuses the key)
//!   are one insta snapshot per program, `tests/split/corpus/*.snap`.
//! - Each `tests/split/*.fold` names its key on its first line
//!   (`// split: CAT.FIELD`); its verdict is `NAME.snap` beside it.

use std::path::Path;

use fold_compiler::check::split::{analyze, parse_key, Placement};
use fold_compiler::diag::render;
use fold_runtime::plan::CatId;
use fold_tests::{files_with_suffix, program_of, relative, root, run_cases, workspace};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let base = workspace();
    let mut trials = Vec::new();
    let mut programs: Vec<std::path::PathBuf> = run_cases()
        .iter()
        .filter_map(|case| program_of(case).ok())
        .collect();
    for dir in fold_tests::subdirs(&base.join("examples")) {
        programs.extend(files_with_suffix(&dir, ".fold").into_iter().filter(|p| {
            // Only the example's own program, not its cases' inputs.
            p.parent() == Some(dir.as_path())
        }));
    }
    for program in programs {
        let name = relative(&program, &base);
        trials.push(Trial::test(format!("split::corpus::{name}"), move || {
            corpus_verdicts(&program, &name)
        }));
    }
    let dir = root().join("split");
    for path in files_with_suffix(&dir, ".fold") {
        let name = relative(&path, &dir);
        trials.push(Trial::test(format!("split::{name}"), move || case(&path)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// The verdict of `key` on the program `src` (named `name`).
fn verdict(name: &str, src: &str, dir: Option<&Path>, key: &str) -> Result<String, Failed> {
    let compiled = fold_compiler::compile(src, dir);
    if compiled.has_errors() {
        return Err(format!("{name} does not compile").into());
    }
    let checked = &compiled.checked;
    let split = match parse_key(checked, key) {
        Ok(k) => k,
        Err(why) => return Ok(format!("split on `{key}`: refused: [E0800] {why}\n")),
    };
    Ok(match analyze(checked, split) {
        Ok(placed) => {
            let mut out = format!("split on `{key}`: decomposes\n");
            for (c, p) in placed.iter().enumerate() {
                let cat = &checked.catalog.get(CatId(c as u32)).category;
                let what = match p {
                    Placement::Whole => "whole on every shard".to_string(),
                    Placement::Split(fs) => {
                        let f: Vec<&str> =
                            fs.iter().map(|&f| cat.fields[f].name.as_str()).collect();
                        format!("split on {}", f.join(" = "))
                    }
                };
                out.push_str(&format!("  {}: {what}\n", cat.name));
            }
            out
        }
        Err(d) => format!(
            "split on `{key}`: does not decompose\n{}",
            render::human(name, src, &[*d], false)
        ),
    })
}

/// Every field of every category no rule finds, tried as the key.
fn corpus_verdicts(program: &Path, name: &str) -> Result<(), Failed> {
    let src = std::fs::read_to_string(program)?;
    let compiled = fold_compiler::compile(&src, program.parent());
    let checked = &compiled.checked;
    let mut keys = Vec::new();
    for (c, info) in checked.catalog.cats.iter().enumerate() {
        let found = compiled.plan.as_ref().is_some_and(|p| {
            p.strata
                .iter()
                .any(|s| s.categories.contains(&CatId(c as u32)))
        });
        if found {
            continue;
        }
        for f in &info.category.fields {
            keys.push(format!("{}.{}", info.category.name, f.name));
        }
    }
    let mut out = String::new();
    for key in keys {
        out.push_str(&verdict(name, &src, program.parent(), &key)?);
        out.push('\n');
    }
    let snap = name.replace(['/', '.'], "_");
    snapshot(&root().join("split/corpus"), &snap, out, program)
}

/// A case of `tests/split/`: its first line names the key.
fn case(path: &Path) -> Result<(), Failed> {
    let src = std::fs::read_to_string(path)?;
    let key = src
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// split:"))
        .map(str::trim)
        .ok_or("the first line must be `// split: CAT.FIELD`")?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("case without a name")?;
    let out = verdict(&name, &src, None, key)?;
    let stem = name.trim_end_matches(".fold").to_string();
    let dir = path.parent().ok_or("case without a folder")?;
    snapshot(dir, &stem, out, path)
}

fn snapshot(dir: &Path, name: &str, output: String, input: &Path) -> Result<(), Failed> {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(input);
    settings.bind(|| insta::assert_snapshot!(name.to_string(), output));
    Ok(())
}
