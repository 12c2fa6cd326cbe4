//! Checking a whole program and assembling its plan.

use std::collections::HashMap;
use std::path::Path;

use fold_grammar::ast::{self, Item, Span};
use fold_grammar::print::LineIndex;
use fold_runtime::plan::{CatId, Example, ExampleKind, GroundFact, Input, RuleForm, RuleId};

use crate::check::catalog::Catalog;
use crate::check::facts::ground_atom;
use crate::check::rule_ir::RuleIr;
use crate::diag::{Code, Diagnostic, Sink};

/// Everything checked about a program: the typed rules and, when nothing
/// was wrong, their strata, ready for [`crate::lower::lower`].
pub struct Checked {
    pub catalog: Catalog,
    pub rules: Vec<RuleIr>,
    /// The rules in evaluation order; `None` when stratification failed.
    pub layers: Option<Vec<crate::check::stratify::Layer>>,
    pub inputs: Vec<Input>,
    pub outputs: Vec<CatId>,
    pub facts: Vec<GroundFact>,
    pub examples: Vec<Example>,
    /// 1-based source line of each rule (by index into `rules`).
    pub rule_lines: Vec<u32>,
}

/// Check a parsed program; `dir` is the program's folder (input paths are
/// resolved against it and checked to exist).
pub fn check(program: &ast::Program, src: &str, dir: Option<&Path>, sink: &mut Sink) -> Checked {
    let lines = LineIndex::new(src);
    let line_of = |span: Span| lines.line_col(span.start as usize).0 as u32;
    let catalog = Catalog::build(program, sink);

    let mut rules = Vec::new();
    let mut facts = Vec::new();
    let mut names: HashMap<&str, Span> = HashMap::new();
    for item in &program.items {
        match item {
            Item::Rule(rule) => {
                if let Some(prev) = names.insert(&rule.name.name, rule.name.span) {
                    sink.push(
                        Diagnostic::new(
                            Code::DuplicateRule,
                            rule.name.span,
                            format!("a rule named `{}` already exists", rule.name.name),
                        )
                        .label("second rule with this name")
                        .also(prev, "first defined here")
                        .help("rule names identify rules in stats, examples and provenance: make them unique"),
                    );
                }
                if let Some(ir) = crate::check::lifecycle::build(rule, &catalog, sink) {
                    rules.push(ir);
                }
            }
            Item::Clause(clause) if clause.body.is_empty() => {
                if let Some((cat, tuple)) = ground_atom(&clause.head, &catalog, sink) {
                    facts.push(GroundFact {
                        cat,
                        tuple,
                        line: line_of(clause.span),
                    });
                }
            }
            Item::Clause(clause) => {
                if let Some(ir) =
                    crate::check::datalog::build(clause, line_of(clause.span), &catalog, sink)
                {
                    rules.push(ir);
                }
            }
            _ => {}
        }
    }

    let inputs = inputs(program, &catalog, dir, sink);
    let outputs = outputs(program, &catalog, sink);
    let examples = examples(program, &catalog, &rules, &line_of, sink);
    let syntax_ok = !program.items.iter().any(|i| matches!(i, Item::Error(_)));
    crate::check::warnings::check(program, &catalog, &rules, syntax_ok, sink);

    let layers = crate::check::stratify::stratify(&rules, &catalog, sink);
    let rule_lines = rules.iter().map(|r| line_of(r.span)).collect();
    Checked {
        catalog,
        rules,
        layers,
        inputs,
        outputs,
        facts,
        examples,
        rule_lines,
    }
}

fn inputs(
    program: &ast::Program,
    catalog: &Catalog,
    dir: Option<&Path>,
    sink: &mut Sink,
) -> Vec<Input> {
    let mut out = Vec::new();
    for item in &program.items {
        let Item::Input(decl) = item else { continue };
        let Some(cat) = catalog.lookup(&decl.category.name) else {
            catalog.unknown(&decl.category, sink);
            continue;
        };
        let path = match dir {
            Some(dir) => dir.join(&decl.path),
            None => Path::new(&decl.path).to_path_buf(),
        };
        if dir.is_some() && !path.exists() {
            sink.push(
                Diagnostic::new(
                    Code::MissingInput,
                    decl.path_span,
                    format!("input file `{}` does not exist", decl.path),
                )
                .label("not found next to the program (paths are relative to its folder)")
                .help(format!(
                    "create it with a header row naming the fields of `{}`, or pass `--input {}=FILE` to `foldc run`",
                    decl.category.name, decl.category.name
                )),
            );
        }
        out.push(Input { cat, path });
    }
    out
}

fn outputs(program: &ast::Program, catalog: &Catalog, sink: &mut Sink) -> Vec<CatId> {
    let mut out = Vec::new();
    for item in &program.items {
        let Item::Output(decl) = item else { continue };
        match catalog.lookup(&decl.category.name) {
            Some(cat) if !out.contains(&cat) => out.push(cat),
            Some(_) => {}
            None => catalog.unknown(&decl.category, sink),
        }
    }
    out
}

fn examples(
    program: &ast::Program,
    catalog: &Catalog,
    rules: &[RuleIr],
    line_of: &dyn Fn(Span) -> u32,
    sink: &mut Sink,
) -> Vec<Example> {
    let mut out = Vec::new();
    for item in &program.items {
        let Item::Example(ex) = item else { continue };
        let kind = match ex.kind.name.as_str() {
            "hit" => ExampleKind::Hit,
            "miss" => ExampleKind::Miss,
            "near_miss" => ExampleKind::NearMiss,
            other => {
                let mut d = Diagnostic::new(
                    Code::BadExampleKind,
                    ex.kind.span,
                    format!("`{other}` is not a kind of example"),
                )
                .label("expected `hit`, `miss` or `near_miss`");
                if let Some(close) =
                    crate::diag::suggest::closest(other, ["hit", "miss", "near_miss"].into_iter())
                {
                    d = d.help(format!("did you mean `{close}`?"));
                }
                sink.push(d);
                continue;
            }
        };
        let target = &ex.rule.name;
        let by_name: Vec<RuleId> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| &r.name == target)
            .map(|(i, _)| RuleId(i as u32))
            .collect();
        let finding = |cat, datalog: bool| -> Vec<RuleId> {
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    (!datalog || r.form == RuleForm::Datalog) && r.finds.contains(&cat)
                })
                .map(|(i, _)| RuleId(i as u32))
                .collect()
        };
        let category = catalog.lookup(target);
        let targets = if !by_name.is_empty() {
            by_name
        } else if let Some(cat) = category {
            // The Datalog rules that find it; without any, every rule does.
            let datalog = finding(cat, true);
            if datalog.is_empty() {
                finding(cat, false)
            } else {
                datalog
            }
        } else {
            Vec::new()
        };
        if targets.is_empty() && category.is_some() {
            sink.push(
                Diagnostic::new(
                    Code::UnknownExampleTarget,
                    ex.rule.span,
                    format!("no rule finds `{target}`"),
                )
                .label("nothing here for the example to exercise")
                .help("an example names a rule, or a category that rules find"),
            );
            continue;
        }
        if targets.is_empty() {
            let known = program
                .items
                .iter()
                .any(|i| matches!(i, Item::Rule(r) if &r.name.name == target));
            if !known {
                let names = rules.iter().map(|r| r.name.as_str()).chain(catalog.names());
                let mut d = Diagnostic::new(
                    Code::UnknownExampleTarget,
                    ex.rule.span,
                    format!("no rule or category named `{target}`"),
                )
                .label("what does this example exercise?")
                .help("name a lifecycle rule, or a category to exercise the Datalog rules that find it");
                if let Some(close) = crate::diag::suggest::closest(target, names) {
                    d = d.help(format!("did you mean `{close}`?"));
                }
                sink.push(d);
            }
            continue;
        }
        let mut given = Vec::new();
        let mut expected = Vec::new();
        let mut ok = true;
        for (atoms, into) in [(&ex.given, &mut given), (&ex.expected, &mut expected)] {
            for atom in atoms.iter() {
                match ground_atom(atom, catalog, sink) {
                    Some((cat, tuple)) => into.push(GroundFact {
                        cat,
                        tuple,
                        line: line_of(atom.span),
                    }),
                    None => ok = false,
                }
            }
        }
        if kind != ExampleKind::Hit {
            if let Some(arrow) = ex.arrow {
                sink.push(
                    Diagnostic::new(
                        Code::BadExampleFacts,
                        arrow,
                        format!(
                            "a `{}` example finds nothing, so it lists no found facts",
                            ex.kind.name
                        ),
                    )
                    .label("nothing should follow `=>`")
                    .help("use `hit` for an example that finds facts"),
                );
                ok = false;
            }
        } else if ex.arrow.is_none() {
            sink.push(
                Diagnostic::new(
                    Code::BadExampleFacts,
                    ex.span,
                    "a `hit` example lists the facts it finds after `=>`",
                )
                .label("no `=>`")
                .help("write `... => found(...)`, or use `miss` for an example that finds nothing"),
            );
            ok = false;
        }
        if ok {
            out.push(Example {
                rules: targets,
                kind,
                name: format!("{} {}", target, ex.kind.name),
                given,
                expected,
                line: line_of(ex.span),
            });
        }
    }
    out
}
