//! `foldc explain PROG --db DIR FACT`: why a database holds a fact, as a
//! tree down to the input records and program facts it rests on.
//!
//! Each node is a fact and the reason it holds; a found fact's children
//! are the event it was found on and the friends of the combination that
//! found it (see [`fold_runtime::explain`]). A fact met again is not
//! explained twice.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fold_runtime::db::{DbError, Snapshot};
use fold_runtime::explain::{Explainer, FactRef, Reason};
use fold_runtime::plan::Plan;
use fold_runtime::value;

use crate::out::out;
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
    let text = tree(
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
    out!("{text}");
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
        text: String::new(),
    };
    tree.node(&mut explainer, root, "", "", "", 0)
        .map_err(|e| e.to_string())?;
    Ok(tree.text)
}

/// The tree as text, built depth first.
struct Tree<'p> {
    plan: &'p Plan,
    program: &'p str,
    /// Each merge record's databases: the copied one and the one merged.
    merges: Vec<(String, String)>,
    depth: Option<usize>,
    /// Facts explained already.
    seen: HashSet<FactRef>,
    text: String,
}

impl Tree<'_> {
    /// Write `fact` after `lead` (the branch drawing and role), then its
    /// support below it, each child line starting with `indent`.
    fn node(
        &mut self,
        ex: &mut Explainer<'_>,
        fact: FactRef,
        lead: &str,
        role: &str,
        indent: &str,
        level: usize,
    ) -> Result<(), DbError> {
        let category = self.plan.category(fact.cat);
        let shown = value::display_fact(&category.name, &category.types(), ex.tuple(fact));
        let note = if ex.is_superseded(fact) {
            "  (superseded since by a better fact of its key)"
        } else {
            ""
        };
        if !self.seen.insert(fact) {
            self.text
                .push_str(&format!("{lead}{role}{shown}  (explained above){note}\n"));
            return Ok(());
        }
        let reason = ex.reason(fact)?;
        let why = self.describe(&reason);
        self.text
            .push_str(&format!("{lead}{role}{shown}  {why}{note}\n"));
        let Reason::Rule { event, friends, .. } = reason else {
            return Ok(());
        };
        if self.depth.is_some_and(|d| level >= d) {
            self.text.push_str(&format!("{indent}└─ …\n"));
            return Ok(());
        }
        let mut children = vec![("event: ", Some(event))];
        match friends {
            Some(friends) => children.extend(friends.into_iter().map(|f| ("friend: ", Some(f)))),
            None => children.push(("", None)),
        }
        let last = children.len() - 1;
        for (i, (role, child)) in children.into_iter().enumerate() {
            let (branch, more) = if i == last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            let lead = format!("{indent}{branch}");
            let below = format!("{indent}{more}");
            match child {
                Some(child) => self.node(ex, child, &lead, role, &below, level + 1)?,
                None => self.text.push_str(&format!(
                    "{lead}(running the event again finds it no more)\n"
                )),
            }
        }
        Ok(())
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
