//! Running fold programs from Rust: compile, install native handlers,
//! insert facts, run to the fixpoint and read facts back as typed values,
//! in memory or kept in a database. What `foldc run` does, as a library.
//!
//! ```
//! use fold_compiler::embed::{Program, Value};
//!
//! let program = Program::compile(
//!     "data edge(src: int, dst: int)
//!      data reach(src: int, dst: int)
//!      output reach
//!      reach(x, y) :- edge(x, y).
//!      reach(x, z) :- reach(x, y), edge(y, z).",
//! )?;
//! let mut run = program.start(Default::default())?; // native handlers
//! run.insert("edge", &[Value::Int(1), Value::Int(2)])?;
//! run.insert("edge", &[Value::Int(2), Value::Int(3)])?;
//! run.run()?;
//! assert_eq!(run.facts("reach")?.len(), 3);
//! # Ok::<(), fold_compiler::embed::Error>(())
//! ```
//!
//! `examples/embed.rs` in this crate is a complete program (with a
//! database); `cargo run --release --example embed -p fold-compiler`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fold_runtime::db::{Session, SessionOptions};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{self, Type, Word};
use fold_runtime::{Engine, RunOptions, RunSummary};

use crate::backend::{natives, Backend, Installed};
use crate::diag::{render, Diagnostic};

/// A value of a fact's field, typed as the category declares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    List(Vec<Value>),
}

impl Value {
    /// The value a word of type `ty` holds.
    pub fn from_word(ty: &Type, w: Word) -> Value {
        match ty {
            Type::Int => Value::Int(value::to_int(w)),
            Type::Float => Value::Float(value::to_float(w)),
            Type::Bool => Value::Bool(value::to_bool(w)),
            Type::Str => Value::Str(value::intern::str_of(w).to_string()),
            Type::List(elem) => Value::List(
                value::intern::list_of(w)
                    .iter()
                    .map(|&x| Value::from_word(elem, x))
                    .collect(),
            ),
        }
    }

    /// The word of this value as type `ty`, or `None` when it is not of
    /// that type.
    pub fn to_word(&self, ty: &Type) -> Option<Word> {
        Some(match (self, ty) {
            (Value::Int(v), Type::Int) => value::from_int(*v),
            (Value::Float(v), Type::Float) => value::from_float(*v),
            (Value::Bool(v), Type::Bool) => value::from_bool(*v),
            (Value::Str(s), Type::Str) => value::intern::intern_str(s),
            (Value::List(items), Type::List(elem)) => {
                let words: Option<Vec<Word>> = items.iter().map(|v| v.to_word(elem)).collect();
                value::intern::intern_list(&words?)
            }
            _ => return None,
        })
    }
}

/// Why a program could not be compiled or run.
#[derive(Debug)]
pub enum Error {
    /// The program has errors: its diagnostics, rendered for a person
    /// (`text`) and as data.
    Compile {
        text: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// Anything else, as a message naming what went wrong.
    Run(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile { text, .. } => f.write_str(text),
            Error::Run(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// A compiled program: its plan, and the warnings compiling it gave.
pub struct Program {
    plan: Arc<Plan>,
    name: String,
    warnings: Vec<Diagnostic>,
}

impl Program {
    /// Compile fold source text. Input files named in it are relative to
    /// the current directory.
    pub fn compile(src: &str) -> Result<Program, Error> {
        Program::build("program", src, None)
    }

    /// Read and compile a program file (`.dl` is Soufflé); its input files
    /// are relative to its folder.
    pub fn compile_file(path: &Path) -> Result<Program, Error> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| Error::Run(format!("cannot read `{}`: {e}", path.display())))?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        Program::build(&path.display().to_string(), &src, dir)
    }

    fn build(name: &str, src: &str, dir: Option<&Path>) -> Result<Program, Error> {
        let dialect = crate::Dialect::of_path(Path::new(name));
        let mut compiled = crate::compile_dialect(src, dir, dialect);
        let text = compiled.expanded_source.take();
        let text = text.as_deref().unwrap_or(src);
        match compiled.plan.take() {
            Some(plan) => Ok(Program {
                plan: Arc::new(plan),
                name: name.to_string(),
                warnings: compiled.diagnostics,
            }),
            None => Err(Error::Compile {
                text: render::human(name, text, &compiled.diagnostics, false),
                diagnostics: compiled.diagnostics,
            }),
        }
    }

    /// The plan the runtime runs.
    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Warnings compiling it gave.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// An engine for it in memory, its handlers installed on `backend`,
    /// the program's own facts inserted (they run with the first
    /// [`Run::run`]).
    pub fn start(&self, backend: Backend) -> Result<Run, Error> {
        let (natives, installed) = natives(&self.plan, backend);
        let mut engine =
            Engine::new(self.plan.clone(), natives).map_err(|e| Error::Run(e.to_string()))?;
        engine.insert_program_facts();
        // A library prints nothing: no progress line.
        engine.set_progress(false);
        let options = RunOptions {
            quiet: true,
            ..RunOptions::default()
        };
        Ok(Run {
            engine,
            installed,
            options,
        })
    }

    /// Open (or create) the database at `dir` for the program, resume
    /// what it holds, load the program's input files (only new rows
    /// become facts), run to the fixpoint and write the final checkpoint,
    /// as `foldc run --db DIR` does. The returned run reads the facts; the
    /// database is closed, and was checked to read back.
    pub fn run_in_database(&self, dir: &Path, backend: Backend) -> Result<Run, Error> {
        let (natives, installed) = natives(&self.plan, backend);
        let err = |e: fold_runtime::db::SessionError| Error::Run(e.to_string());
        let (mut session, _) = Session::open(
            dir,
            self.plan.clone(),
            natives,
            &self.name,
            &SessionOptions::default(),
        )
        .map_err(err)?;
        let inputs: Vec<(CatId, PathBuf)> = self
            .plan
            .inputs
            .iter()
            .map(|i| (i.cat, i.path.clone()))
            .collect();
        let options = RunOptions {
            quiet: true,
            ..RunOptions::default()
        };
        session.update(&inputs, &options).map_err(err)?;
        let (engine, read_back) = session.close();
        read_back.wait().map_err(Error::Run)?;
        Ok(Run {
            engine,
            installed,
            options,
        })
    }
}

/// A program's facts in memory: insert, run, read.
pub struct Run {
    engine: Engine,
    installed: Installed,
    options: RunOptions,
}

impl Run {
    /// The category named `name`, or an error naming the categories.
    fn category(&self, name: &str) -> Result<CatId, Error> {
        let plan = self.engine.plan();
        plan.category_named(name).ok_or_else(|| {
            let names: Vec<&str> = plan.categories.iter().map(|c| c.name.as_str()).collect();
            Error::Run(format!(
                "no category `{name}` (categories: {})",
                names.join(", ")
            ))
        })
    }

    /// Insert a fact of category `name` (it becomes an event of the next
    /// [`Run::run`]); whether it was new. The values must have the
    /// category's field types, in order.
    pub fn insert(&mut self, name: &str, values: &[Value]) -> Result<bool, Error> {
        let cat = self.category(name)?;
        let types = self.engine.plan().category(cat).types();
        if values.len() != types.len() {
            return Err(Error::Run(format!(
                "`{name}` has {} fields, given {} values",
                types.len(),
                values.len()
            )));
        }
        let mut tuple = Vec::with_capacity(values.len());
        for (i, (v, ty)) in values.iter().zip(&types).enumerate() {
            let word = v.to_word(ty).ok_or_else(|| {
                Error::Run(format!(
                    "field {} of `{name}` is of type {ty}, given {v:?}",
                    i + 1
                ))
            })?;
            tuple.push(word);
        }
        Ok(self.engine.insert(cat, &tuple).row().is_some())
    }

    /// Load the program's input files (all or nothing).
    pub fn load_inputs(&mut self) -> Result<(), Error> {
        self.engine
            .load_plan_inputs()
            .map(|_| ())
            .map_err(|e| Error::Run(e.to_string()))
    }

    /// Run every stratum to its fixpoint (on one worker per core).
    pub fn run(&mut self) -> Result<RunSummary, Error> {
        self.engine
            .run(&self.options)
            .map_err(|e| Error::Run(e.to_string()))
    }

    /// The current facts of category `name`, sorted by value.
    pub fn facts(&self, name: &str) -> Result<Vec<Vec<Value>>, Error> {
        let cat = self.category(name)?;
        let types = self.engine.plan().category(cat).types();
        let mut rows = self.engine.facts(cat);
        rows.sort_by(|a, b| value::compare_tuples(&types, a, b));
        Ok(rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&types)
                    .map(|(&w, ty)| Value::from_word(ty, w))
                    .collect()
            })
            .collect())
    }

    /// What installing native handlers did (how many run natively).
    pub fn installed(&self) -> &Installed {
        &self.installed
    }

    /// The engine, for everything else the runtime offers.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}
