//! fold-compiler: from source text to the runtime's plan.
//!
//! The pipeline, one stage per call:
//!
//! 1. [`fold_grammar::parse`]: `&str` → AST + syntax errors;
//! 2. [`catalog::Catalog::build`]: the categories, checked;
//! 3. [`lifecycle::build`] / [`datalog::build`]: each rule, typed, into a
//!    [`rule_ir::RuleIr`] (both syntaxes meet here);
//! 4. [`stratify::stratify`]: rules into strata (negation and aggregation
//!    read complete categories);
//! 5. [`lower::handlers`]: each rule into one handler per trigger atom;
//!    the [`fold_runtime::plan::Plan`] is the result;
//! 6. [`codegen::compile`]: the plan's handlers as native code (Cranelift),
//!    installed into the runtime's engine by the CLI.
//!
//! Diagnostics of every stage collect in one [`diag::Sink`] and come back
//! sorted by position; [`render`] prints them.

// `unsafe` lives only at the JIT boundary: `codegen::jit` (and the
// runtime's `native` module).
#![deny(unsafe_code)]

pub mod catalog;
pub mod cli;
pub mod codegen;
pub mod constants;
pub mod datalog;
pub mod diag;
pub mod lifecycle;
pub mod lower;
pub mod no_effect;
pub mod program;
pub mod render;
pub mod rule_ir;
pub mod scope;
pub mod search;
pub mod stratify;
pub mod suggest;
pub mod typeck;
pub mod verdict;
pub mod warnings;

use std::path::Path;
use std::time::{Duration, Instant};

use fold_grammar::{ast, ParseError, ParseErrorKind};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::Word;

use crate::diag::{Code, Diagnostic, Sink};

/// The result of compiling one program.
pub struct Compiled {
    pub ast: ast::Program,
    /// Present when there were no errors.
    pub plan: Option<Plan>,
    /// Errors and warnings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each stage took.
    pub timings: Timings,
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
    let parsed = Instant::now();
    let checked = program::check_program(&ast, src, dir, &mut sink);
    let timings = Timings {
        parse: parsed - start,
        check: parsed.elapsed().saturating_sub(checked.lower_time),
        lower: checked.lower_time,
    };
    // A syntax error leaves holes in the AST; never hand out a plan then.
    let plan = if parse_errors.is_empty() {
        checked.plan
    } else {
        None
    };
    Compiled {
        ast,
        plan,
        diagnostics: sink.into_sorted(),
        timings,
    }
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
                let catalog = catalog::Catalog::build(program, &mut Sink::default());
                let atom = ast::Atom {
                    name,
                    args,
                    span: expr.span,
                };
                constants::ground_atom(&atom, &catalog, &mut sink)
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

fn syntax_diagnostic(e: &ParseError, src: &str) -> Diagnostic {
    match &e.kind {
        ParseErrorKind::UnexpectedToken { found, expected } => {
            let mut d = Diagnostic::new(Code::SyntaxError, e.span, format!("unexpected {found}"));
            let start = e.span.start as usize;
            let line_start = start == 0 || src.as_bytes().get(start - 1) == Some(&b'\n');
            if line_start && expected.iter().any(|x| x == "`.`") {
                d = d.help("the clause on the line before may be missing its closing `.`");
            }
            if let Some(help) = misspelled_keyword(found, expected, src, start) {
                d = d.help(help);
            } else if rule_unfinished(expected) {
                d = d.help(RULE_ENDS);
            }
            match describe_expected(expected) {
                Some(exp) => d.label(format!("expected {exp}")),
                None => d.label("not expected here"),
            }
        }
        ParseErrorKind::UnexpectedEnd { expected } => {
            let mut d = Diagnostic::new(Code::UnexpectedEnd, e.span, "the program ends too early");
            if rule_unfinished(expected) {
                d = d.help(RULE_ENDS);
            }
            match describe_expected(expected) {
                Some(exp) => d.label(format!("expected {exp}")),
                None => d.label("something is missing here"),
            }
        }
        ParseErrorKind::Lex(kind) => Diagnostic::new(Code::InvalidToken, e.span, kind.to_string())
            .label("not part of fold's syntax"),
        ParseErrorKind::IntTooLarge => Diagnostic::new(
            Code::IntTooLarge,
            e.span,
            "integer literal is too large for `int`",
        )
        .label("out of range")
        .help("`int` is a 64-bit signed integer: from -9223372036854775808 to 9223372036854775807"),
        ParseErrorKind::TooDeep => Diagnostic::new(Code::TooDeep, e.span, e.to_string())
            .label("this nests too deeply")
            .help(format!(
                "a chain `a + b + c` nests one level per operator; split it with `let` \
                 (at most {} levels)",
                fold_grammar::MAX_NESTING
            )),
    }
}

const RULE_ENDS: &str =
    "a lifecycle rule ends with its last stage, a `find` or a `search { ... }` \
                         block: its stages go in the order on, abort, friends, abort, find";

/// Whether the parser was inside a lifecycle rule that has not ended.
fn rule_unfinished(expected: &[String]) -> bool {
    ["`find`", "`search`"]
        .iter()
        .all(|k| expected.iter().any(|e| e == k))
}

/// A keyword that the word the parser stumbled on, or the word that begins
/// its line, looks like a misspelling of: `frends e(x)` in a rule (the
/// parser expected `friends`), `dat edge(...)` (it then trips over `edge`).
fn misspelled_keyword(found: &str, expected: &[String], src: &str, at: usize) -> Option<String> {
    use fold_grammar::token::ITEM_KEYWORDS;
    let keywords: Vec<&str> = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    let word = found
        .strip_prefix("identifier `")
        .and_then(|w| w.strip_suffix('`'));
    if let Some(close) = word.and_then(|w| crate::suggest::closest(w, keywords.iter().copied())) {
        return Some(format!("did you mean `{close}`?"));
    }
    let line = &src[src[..at].rfind('\n').map_or(0, |n| n + 1)..at];
    let first = line.trim();
    let is_word = !first.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_word {
        return None;
    }
    // One edit only: any word may begin a line (`node x`), and a hint
    // should not turn every such line into a keyword.
    let close = crate::suggest::closest_within(first, ITEM_KEYWORDS.into_iter(), 1)?;
    Some(format!(
        "`{first}` is not a keyword: did you mean `{close}`?"
    ))
}

/// A readable "expected ..." from the parser's list of acceptable tokens:
/// the tokens that start an expression collapse into "an expression",
/// operators into "an operator", the rest is listed.
fn describe_expected(expected: &[String]) -> Option<String> {
    const OPERATORS: &[&str] = &[
        "`+`", "`-`", "`*`", "`/`", "`%`", "`==`", "`!=`", "`<`", "`<=`", "`>`", "`>=`", "`&&`",
        "`||`", "`[`",
    ];
    const STARTS_EXPRESSION: &[&str] = &[
        "`!`",
        "`(`",
        "`-`",
        "`[`",
        "`_`",
        "`false`",
        "`true`",
        "float",
        "identifier",
        "integer",
        "string",
    ];
    if expected.is_empty() {
        return None;
    }
    if STARTS_EXPRESSION
        .iter()
        .all(|s| expected.iter().any(|e| e == s))
    {
        let rest: Vec<String> = expected
            .iter()
            .filter(|e| !STARTS_EXPRESSION.contains(&e.as_str()))
            .cloned()
            .collect();
        return Some(match describe_expected(&rest) {
            None => "an expression".to_string(),
            Some(more) => format!("an expression, or {more}"),
        });
    }
    let has_ops = expected
        .iter()
        .filter(|e| OPERATORS.contains(&e.as_str()))
        .count()
        >= 3;
    let mut items: Vec<String> = expected
        .iter()
        .filter(|e| !(has_ops && OPERATORS.contains(&e.as_str())))
        .cloned()
        .collect();
    if has_ops {
        items.push("an operator".to_string());
    }
    Some(match items.len() {
        1 => items.remove(0),
        n if n <= 8 => {
            let last = items.pop().unwrap_or_default();
            format!("one of {}, or {last}", items.join(", "))
        }
        _ => format!("one of {}, ...", items[..8].join(", ")),
    })
}
