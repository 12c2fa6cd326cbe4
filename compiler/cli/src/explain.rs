//! `foldc explain PROG --db DIR FACT`: why a database holds a fact, as a
//! tree down to the input records and program facts it rests on.
//!
//! Each node is a fact and the reason it holds; a found fact's children
//! are the event it was found on and the friends of the combination that
//! found it (see [`fold_runtime::explain`]). A fact met again is not
//! explained twice.

use crate::format::Format;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fold_runtime::db::{DbError, Snapshot};
use fold_runtime::explain::{Explainer, FactRef, Reason};
use fold_runtime::plan::Plan;
use fold_runtime::value;

use crate::out::{out, outln};
use crate::source::{self, Program};
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program that wrote the database.
    program: PathBuf,
    /// The database (written by `foldc run PROG --db DIR`).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// The fact, written as in the program: 'reach(1, 9)' (quote it for
    /// the shell).
    fact: String,
    /// Explain this many levels below the fact, no more (default: down to
    /// input records and program facts).
    #[arg(long, value_name = "N")]
    depth: Option<usize>,
    /// The tree for people, or as one JSON object (`schemas/explain.json`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = program.checked_plan("nothing was explained")?;
    let (cat, tuple) = match fold_compiler::parse_fact(&args.fact, &program.compiled.ast) {
        Ok(fact) => fact,
        Err(diagnostics) => {
            source::report("the fact", &args.fact, &diagnostics);
            return Err(format!("`{}` is not a fact of the program", args.fact));
        }
    };
    let plan = Arc::new(plan);
    let snapshot = Snapshot::open(&args.db, plan.clone(), &program.display_name(), None)
        .map_err(|e| e.to_string())?;
    let Snapshot {
        mut engine,
        mut db,
        restored,
    } = snapshot;
    engine.catch_up_indexes();
    let root = build(
        &plan,
        &program.display_name(),
        &engine,
        &mut db,
        cat,
        &tuple,
        args.depth,
    )
    .map_err(|e| e.replace("{db}", &args.db.display().to_string()))?;
    drop(db);
    if !restored.complete {
        crate::db_run::warn_unfinished(&args.db, "explaining");
    }
    match args.format {
        Format::Text => {
            let mut text = String::new();
            root.write_text(&mut text, "", "");
            out!("{text}");
        }
        Format::Json => {
            let value = serde_json::json!({
                "program": program.display_name(),
                "database": args.db.display().to_string(),
                "complete": restored.complete,
                "tree": root,
            });
            outln!("{value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Why the database (`engine` resumed from `db`, indexes caught up)
/// holds `tuple` of `cat`, as a tree; an error says it does not hold
/// (`{db}` stands for the database's name in it).
pub fn tree(
    plan: &Plan,
    program: &str,
    engine: &fold_runtime::Engine,
    db: &mut fold_runtime::db::Db,
    cat: fold_runtime::plan::CatId,
    tuple: &[u64],
    depth: Option<usize>,
) -> Result<String, String> {
    let root = build(plan, program, engine, db, cat, tuple, depth)?;
    let mut text = String::new();
    root.write_text(&mut text, "", "");
    Ok(text)
}

/// [`tree`] as data: the root node, for text or JSON.
pub fn build(
    plan: &Plan,
    program: &str,
    engine: &fold_runtime::Engine,
    db: &mut fold_runtime::db::Db,
    cat: fold_runtime::plan::CatId,
    tuple: &[u64],
    depth: Option<usize>,
) -> Result<Node, String> {
    let merges: Vec<(String, String)> = db
        .merges()
        .iter()
        .map(|m| (m.base.clone(), m.other.clone()))
        .collect();
    let mut explainer = Explainer::new(engine, db);
    let shown =
        |t: &[u64]| value::display_fact(&plan.category(cat).name, &plan.category(cat).types(), t);
    let root = match explainer.find(cat, tuple) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(format!(
                "`{}` does not hold in database `{{db}}`",
                shown(tuple)
            ))
        }
        Err(current) => {
            return Err(format!(
                "`{}` does not hold in database `{{db}}`: its key's fact is `{}`",
                shown(tuple),
                shown(explainer.tuple(current))
            ))
        }
    };
    let mut tree = Tree {
        plan,
        program,
        merges,
        depth,
        seen: HashSet::new(),
    };
    tree.node(&mut explainer, root, Role::Root, 0)
        .map_err(|e| e.to_string())
}

/// What a node's fact is to its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The fact asked about.
    Root,
    /// The event fact its parent was found on.
    Event,
    /// A friend of the combination that found its parent.
    Friend,
}

/// One fact of the tree and why it holds.
#[derive(Debug, serde::Serialize)]
pub struct Node {
    pub role: Role,
    /// The fact as the program writes it.
    pub fact: String,
    pub category: String,
    /// Superseded since by a better fact of its key.
    pub superseded: bool,
    /// Explained earlier in the tree (then it has no reason here).
    pub explained_above: bool,
    /// Why it holds, in words (`found by rule ...`; empty when explained
    /// above).
    pub why: String,
    /// Why it holds, as data: `kind` is `program`, `input`, `merged` or
    /// `rule`, with that kind's fields.
    pub reason: Option<serde_json::Value>,
    /// The event and friends it was found with (rules only).
    pub children: Vec<Node>,
    /// Running the event again finds it no more: its friends are unknown.
    pub friends_unknown: bool,
    /// `--depth` stopped here: it has support not shown.
    pub truncated: bool,
}

impl Node {
    /// The text form: this node after `lead`, its children below, each
    /// child line starting with `indent`.
    fn write_text(&self, text: &mut String, lead: &str, indent: &str) {
        let role = match self.role {
            Role::Root => "",
            Role::Event => "event: ",
            Role::Friend => "friend: ",
        };
        let note = if self.superseded {
            "  (superseded since by a better fact of its key)"
        } else {
            ""
        };
        if self.explained_above {
            text.push_str(&format!(
                "{lead}{role}{}  (explained above){note}\n",
                self.fact
            ));
            return;
        }
        text.push_str(&format!(
            "{lead}{role}{}  — {}{note}\n",
            self.fact, self.why
        ));
        if self.truncated {
            text.push_str(&format!("{indent}└─ …\n"));
            return;
        }
        let lines = self.children.len() + usize::from(self.friends_unknown);
        for (i, child) in self.children.iter().enumerate() {
            let (branch, more) = branch(i + 1 == lines);
            child.write_text(
                text,
                &format!("{indent}{branch}"),
                &format!("{indent}{more}"),
            );
        }
        if self.friends_unknown {
            text.push_str(&format!(
                "{indent}└─ (running the event again finds it no more)\n"
            ));
        }
    }
}

/// The drawing before a child, and before the lines below it.
fn branch(last: bool) -> (&'static str, &'static str) {
    if last {
        ("└─ ", "   ")
    } else {
        ("├─ ", "│  ")
    }
}

/// Builds the tree depth first.
struct Tree<'p> {
    plan: &'p Plan,
    program: &'p str,
    /// Each merge record's databases: the copied one and the one merged.
    merges: Vec<(String, String)>,
    depth: Option<usize>,
    /// Facts explained already.
    seen: HashSet<FactRef>,
}

impl Tree<'_> {
    /// `fact` and its support below it.
    fn node(
        &mut self,
        ex: &mut Explainer<'_>,
        fact: FactRef,
        role: Role,
        level: usize,
    ) -> Result<Node, DbError> {
        let category = self.plan.category(fact.cat);
        let mut node = Node {
            role,
            fact: value::display_fact(&category.name, &category.types(), ex.tuple(fact)),
            category: category.name.clone(),
            superseded: ex.is_superseded(fact),
            explained_above: false,
            why: String::new(),
            reason: None,
            children: Vec::new(),
            friends_unknown: false,
            truncated: false,
        };
        if !self.seen.insert(fact) {
            node.explained_above = true;
            return Ok(node);
        }
        let reason = ex.reason(fact)?;
        node.why = self.describe(&reason).trim_start_matches("— ").to_string();
        node.reason = Some(self.data(&reason));
        let Reason::Rule { event, friends, .. } = reason else {
            return Ok(node);
        };
        if self.depth.is_some_and(|d| level >= d) {
            node.truncated = true;
            return Ok(node);
        }
        node.children
            .push(self.node(ex, event, Role::Event, level + 1)?);
        match friends {
            Some(friends) => {
                for f in friends {
                    node.children
                        .push(self.node(ex, f, Role::Friend, level + 1)?);
                }
            }
            None => node.friends_unknown = true,
        }
        Ok(node)
    }

    /// The reason as JSON.
    fn data(&self, reason: &Reason) -> serde_json::Value {
        match reason {
            Reason::Program { line } => serde_json::json!({ "kind": "program", "line": line }),
            Reason::Input { file, line } => serde_json::json!({
                "kind": "input", "file": file.display().to_string(), "line": line,
            }),
            Reason::Merged { merge, row } => {
                let (base, other) = self
                    .merges
                    .get(*merge as usize)
                    .map_or((None, None), |(b, o)| (Some(b), Some(o)));
                serde_json::json!({
                    "kind": "merged", "merge": merge, "row": row, "base": base, "other": other,
                })
            }
            Reason::Rule { handler, .. } => {
                let h = &self.plan.handlers[handler.0 as usize];
                let rule = &self.plan.rules[h.rule.0 as usize];
                serde_json::json!({
                    "kind": "rule",
                    "rule": rule.name,
                    "line": rule.line,
                    "handler": handler.0,
                    "position": h.position,
                })
            }
        }
    }

    fn describe(&self, reason: &Reason) -> String {
        match reason {
            Reason::Program { line: 0 } => "— given to the engine".to_string(),
            Reason::Program { line } => format!("— in the program, {}:{line}", self.program),
            Reason::Input { file, line } => format!("— input {}:{line}", file.display()),
            Reason::Merged { merge, row } => match self.merges.get(*merge as usize) {
                Some((base, other)) => {
                    format!("— copied from row {row} of `{other}` when it was merged with `{base}`")
                }
                None => format!("— copied by merge {merge}, from its row {row}"),
            },
            Reason::Rule { handler, .. } => {
                let rule = &self.plan.rules[self.plan.handlers[handler.0 as usize].rule.0 as usize];
                if rule.form == fold_runtime::plan::RuleForm::Datalog {
                    format!("— found by the rule at {}:{}", self.program, rule.line)
                } else {
                    format!(
                        "— found by rule `{}` ({}:{})",
                        rule.name, self.program, rule.line
                    )
                }
            }
        }
    }
}
