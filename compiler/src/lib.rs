//! fold-compiler: from source text to the runtime's plan.
//!
//! The pipeline, one stage per call (see [`compile`]):
//!
//! 1. [`fold_grammar::parse`]: `&str` → AST + syntax errors;
//! 2. [`check::check`]: categories, both rule syntaxes typed into one
//!    rule form, facts, inputs, outputs, examples, warnings, strata;
//! 3. [`lower::lower`]: each rule into one handler per trigger atom, with
//!    every physical choice fixed: the [`fold_runtime::plan::Plan`];
//! 4. [`codegen::compile`]: the plan's handlers as native code (Cranelift),
//!    handed to the runtime's engine with the plan.
//!
//! Diagnostics of every stage collect in one [`diag::Sink`] and come back
//! sorted by position; [`diag::render`] prints them.
//!
//! To run programs from Rust (native handlers installed, facts inserted
//! and read back as typed values, in memory or in a database), use
//! [`embed`]: [`embed::Program::compile`], [`embed::Program::start`],
//! [`embed::Run::insert`], [`embed::Run::run`], [`embed::Run::facts`],
//! [`embed::Program::run_in_database`]. [`backend::natives`] installs
//! native code for a plan used with the runtime directly.

// `unsafe` lives only at the JIT boundary: `codegen::jit` (and the
// runtime's `native` module).
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

/// The stack foldc runs the compiler on. Its passes recurse over
/// expressions, which a program may nest thousands deep (up to
/// `fold_grammar::MAX_NESTING`); a main thread's 8 MiB overflows near
/// 4,000 levels. Address space only: untouched pages cost nothing. The
/// fuzz targets use the same, so what they find is what foldc does.
pub const STACK_BYTES: usize = 256 << 20;

pub mod backend;
pub mod check;
pub mod codegen;
pub mod diag;
pub mod embed;
pub mod fmt;
pub mod lower;
pub mod souffle;
pub mod verdict;

use std::path::Path;
use std::time::{Duration, Instant};

use fold_grammar::ast;
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::Word;

use crate::diag::{syntax_diagnostic, Code, Diagnostic, Sink};

/// The result of compiling one program.
pub struct Compiled {
    pub ast: ast::Program,
    /// The typed program (for analyses beyond the plan, as
    /// [`check::split`]).
    pub checked: check::Checked,
    /// Present when there were no errors.
    pub plan: Option<Plan>,
    /// Errors and warnings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each stage took.
    pub timings: Timings,
    /// A Soufflé program's `.input`/`.output`/`.printsize` directives
    /// (`None` for fold, whose inputs are in the plan).
    pub souffle: Option<souffle::io::SouffleIo>,
    /// The text the diagnostics point into when it is not the file's: a
    /// Soufflé program after its preprocessor lines (`#include`).
    pub expanded_source: Option<String>,
}

/// The language a program is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Fold,
    /// Soufflé's `.dl` (see [`souffle`]).
    Souffle,
}

impl Dialect {
    /// The dialect a file's extension says: `.dl` is Soufflé, anything
    /// else fold.
    pub fn of_path(path: &Path) -> Dialect {
        match path.extension().and_then(|e| e.to_str()) {
            Some("dl") => Dialect::Souffle,
            _ => Dialect::Fold,
        }
    }
}

/// Compile a program of either dialect (see [`compile`]).
pub fn compile_dialect(src: &str, dir: Option<&Path>, dialect: Dialect) -> Compiled {
    match dialect {
        Dialect::Fold => compile(src, dir),
        Dialect::Souffle => compile_souffle(src, dir),
    }
}

/// Compile a Soufflé program: its own parser and rewrites into fold's
/// AST, then fold's check and lowering. Its input files are read at run
/// time from the fact directory ([`souffle::io::load_facts`]); `dir` is
/// where `#include` looks.
pub fn compile_souffle(src: &str, dir: Option<&Path>) -> Compiled {
    let mut sink = Sink::default();
    let start = Instant::now();
    let souffle::FrontEnd {
        program: ast,
        io,
        diagnostics: diags,
        expanded,
    } = souffle::front_end(src, dir);
    let text = expanded.as_deref().unwrap_or(src);
    let syntax_ok = !diags.iter().any(|d| d.severity() == diag::Severity::Error);
    for d in diags {
        sink.push(d);
    }
    let (checked, plan, timings) = check_and_lower(&ast, text, None, &mut sink, syntax_ok, start);
    Compiled {
        ast,
        checked,
        plan,
        diagnostics: sink.into_sorted(),
        timings,
        souffle: Some(io),
        expanded_source: expanded,
    }
}

/// Time spent in each front-end stage (`foldc run --timings`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Lexing and parsing.
    pub parse: Duration,
    /// Catalog, rules, types, stratification, warnings.
    pub check: Duration,
    /// Lowering the rules to handlers and assembling the plan.
    pub lower: Duration,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity() == diag::Severity::Error)
    }
}

/// Compile a program. `dir` is the program's folder: input paths are
/// resolved against it (and checked to exist).
pub fn compile(src: &str, dir: Option<&Path>) -> Compiled {
    let mut sink = Sink::default();

    let start = Instant::now();
    let (ast, parse_errors) = fold_grammar::parse(src);
    for e in &parse_errors {
        sink.push(syntax_diagnostic(e, src));
    }

    let syntax_ok = parse_errors.is_empty();
    let (checked, plan, timings) = check_and_lower(&ast, src, dir, &mut sink, syntax_ok, start);
    Compiled {
        ast,
        checked,
        plan,
        diagnostics: sink.into_sorted(),
        timings,
        souffle: None,
        expanded_source: None,
    }
}

/// The stages after parsing, shared by both dialects: check `ast` (whose
/// spans point into `text`), and lower it when there was no error; a
/// syntax error leaves holes in the AST, so there is never a plan then.
/// `start` is when parsing began (for the timings).
fn check_and_lower(
    ast: &ast::Program,
    text: &str,
    dir: Option<&Path>,
    sink: &mut Sink,
    syntax_ok: bool,
    start: Instant,
) -> (check::Checked, Option<Plan>, Timings) {
    let parsed = Instant::now();
    let checked = check::check(ast, text, dir, sink);
    let lowering = Instant::now();
    let plan = if syntax_ok && !sink.has_errors() {
        lower::lower(&checked)
    } else {
        None
    };
    let timings = Timings {
        parse: parsed - start,
        check: lowering - parsed,
        lower: lowering.elapsed(),
    };
    (checked, plan, timings)
}

/// A fact written on its own, as `foldc explain` takes it (`reach(1, 9)`),
/// checked against the categories of `program`: its category and tuple,
/// or diagnostics whose spans point into `text`.
pub fn parse_fact(
    text: &str,
    program: &ast::Program,
) -> Result<(CatId, Vec<Word>), Vec<Diagnostic>> {
    let mut sink = Sink::default();
    let (expr, errors) = fold_grammar::parse_expr(text);
    for e in &errors {
        sink.push(syntax_diagnostic(e, text));
    }
    let fact = match expr {
        Some(expr) if errors.is_empty() => match expr.kind {
            ast::ExprKind::Call(name, args) => {
                // The program's own diagnostics were reported with it.
                let catalog = check::catalog::Catalog::build(program, &mut Sink::default());
                let atom = ast::Atom {
                    name,
                    args,
                    span: expr.span,
                };
                check::facts::ground_atom(&atom, &catalog, &mut sink)
            }
            _ => {
                sink.push(
                    Diagnostic::new(Code::NotAFact, expr.span, "this is not a fact")
                        .label("expected a category and its fields")
                        .help("write a fact as in the program, e.g. `reach(1, 9)`"),
                );
                None
            }
        },
        _ => None,
    };
    match fact {
        Some(fact) if !sink.has_errors() => Ok(fact),
        // Labels on the program (where a category is declared) would be
        // drawn on the fact's text: their words become a note.
        _ => Err(sink
            .into_sorted()
            .into_iter()
            .map(|mut d| {
                let elsewhere: Vec<String> = d.secondary.drain(..).map(|l| l.message).collect();
                if d.note.is_none() && !elsewhere.is_empty() {
                    d.note = Some(elsewhere.join("; "));
                }
                d
            })
            .collect()),
    }
}
