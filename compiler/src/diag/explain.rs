//! The long explanations of the diagnostic codes (`foldc explain-code`).
//!
//! Each code has one Markdown file, `compiler/src/diag/codes/CODE.md`,
//! compiled into the binary by [`Code::explanation`]. A file reads:
//!
//! ````text
//! # E0304: variable bound twice        <- the code and its title
//! What it means and why ...
//! ## Example
//! ```fold                              <- the program that triggers it
//! ...
//! ```
//! ## Fix
//! ```fold                              <- the same program, fixed
//! ...
//! ```
//! ````
//!
//! A block's info string names its dialect (`fold` or `souffle`) and may
//! add `split=CAT.FIELD`: the example is then checked with that split key
//! (`foldc check --split`), as the split codes need. A line whose comment
//! is `// ×N` stands for N copies of itself, comment removed (a program
//! nested too deeply to print). The examples are tested: each example
//! reports exactly its code and each fix reports no error and not the code
//! (`compiler/tests/codes.rs`), and `docs/codes.md` is [`index`].

use std::collections::BTreeSet;
use std::path::Path;

use crate::diag::Code;
use crate::Dialect;

/// The code a user typed (`E0304`, `e0304`), if there is one.
pub fn lookup(text: &str) -> Option<Code> {
    let text = text.trim();
    Code::ALL
        .iter()
        .copied()
        .find(|c| c.as_str().eq_ignore_ascii_case(text))
}

/// A program from an explanation: its example or its fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub dialect: Dialect,
    /// The split key to check it against (`split=CAT.FIELD`).
    pub split: Option<String>,
    /// The program as written in the explanation.
    pub text: String,
}

impl Example {
    /// The program to compile: lines marked `// ×N` repeated N times.
    pub fn source(&self) -> String {
        let mut out = String::new();
        for line in self.text.lines() {
            let repeat = line.split_once("// ×").and_then(|(code, count)| {
                count
                    .trim()
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .map(|n| (code.trim_end(), n))
            });
            match repeat {
                Some((code, n)) => {
                    for _ in 0..n {
                        out.push_str(code);
                        out.push('\n');
                    }
                }
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The codes compiling the program reports (with its split key,
    /// if it has one). `dir` is where its input files are looked for.
    pub fn codes(&self, dir: &Path) -> BTreeSet<Code> {
        let src = self.source();
        let compiled = crate::compile_dialect(&src, Some(dir), self.dialect);
        let mut codes: BTreeSet<Code> = compiled.diagnostics.iter().map(|d| d.code).collect();
        if let (Some(key), false) = (&self.split, compiled.has_errors()) {
            match crate::check::split::parse_key(&compiled.checked, key) {
                Err(_) => {
                    codes.insert(Code::BadSplitKey);
                }
                Ok(key) => {
                    if let Err(d) = crate::check::split::analyze(&compiled.checked, key) {
                        codes.insert(d.code);
                    }
                }
            }
        }
        codes
    }
}

/// What an explanation file holds, taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parts {
    /// The title in its first line (`# CODE: title`).
    pub title: String,
    /// The first code block under `## Example`.
    pub example: Option<Example>,
    /// The first code block under `## Fix`.
    pub fix: Option<Example>,
}

#[derive(Clone, Copy)]
enum Section {
    Example,
    Fix,
    Other,
}

/// Take an explanation apart (see the module docs for its shape).
pub fn parts(code: Code) -> Parts {
    let text = code.explanation();
    let title = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix('#'))
        .and_then(|l| l.split_once(':'))
        .map(|(_, t)| t.trim().to_string())
        .unwrap_or_default();
    let mut parts = Parts {
        title,
        example: None,
        fix: None,
    };
    // Which section the lines are in, and the code block being read.
    let mut section = Section::Other;
    let mut block: Option<(Example, Section)> = None;
    for line in text.lines() {
        if let Some((mut example, of)) = block.take() {
            if !line.trim_start().starts_with("```") {
                example.text.push_str(line);
                example.text.push('\n');
                block = Some((example, of));
                continue;
            }
            let slot = match of {
                Section::Example => &mut parts.example,
                Section::Fix => &mut parts.fix,
                Section::Other => continue,
            };
            if slot.is_none() {
                *slot = Some(example);
            }
        } else if let Some(heading) = line.strip_prefix("## ") {
            section = match heading.trim().to_ascii_lowercase().as_str() {
                "example" => Section::Example,
                "fix" => Section::Fix,
                _ => Section::Other,
            };
        } else if let Some(info) = line.trim_start().strip_prefix("```") {
            let mut words = info.split_whitespace();
            let dialect = match words.next() {
                Some("souffle") => Dialect::Souffle,
                _ => Dialect::Fold,
            };
            let split = words.find_map(|w| w.strip_prefix("split=").map(str::to_string));
            let example = Example {
                dialect,
                split,
                text: String::new(),
            };
            block = Some((example, section));
        }
    }
    parts
}

/// `docs/codes.md`: every code with its severity and title, each linking
/// to its explanation.
pub fn index() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         Every diagnostic foldc reports carries one of these codes. \
         `foldc explain-code CODE` prints the explanation, with an example \
         that triggers it and the fix. Generated from \
         `compiler/src/diag/codes/` (`FOLD_BLESS=1 cargo test --release --locked \
         -p fold-compiler --test codes` rewrites it).\n\n\
         | Code | Severity | Meaning |\n|---|---|---|\n",
    );
    for code in Code::ALL {
        let severity = match code.severity() {
            crate::diag::Severity::Error => "error",
            crate::diag::Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "| [{c}](../compiler/src/diag/codes/{c}.md) | {severity} | {} |\n",
            code.title(),
            c = code.as_str()
        ));
    }
    out
}
