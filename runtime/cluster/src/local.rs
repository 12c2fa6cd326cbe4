//! A worker's local state while it takes chunks: a database
//! ([`Session`]) when one is uploaded, or only an engine in memory for a
//! sharded job whose workers upload exports alone. Either way it is
//! thrown away when the worker fails (what was not acked is delivered
//! again), so only an uploaded database needs to be on disk.

use std::path::{Path, PathBuf};

use fold_runtime::db::{Session, SessionError, SessionOptions};
use fold_runtime::plan::CatId;
use fold_runtime::{Engine, RunOptions};

use crate::program::Compiled;

/// The local state (see the module docs).
pub(crate) enum Local {
    Db(Box<Session>),
    Mem(Box<Engine>),
}

/// Why an update failed: its input (the chunks are refused) or anything
/// else (the worker starts over).
enum Failed {
    Input(String),
    Other(String),
}

impl Local {
    /// Open the state: a database at `db_dir`, or in memory.
    fn open(
        compiled: &Compiled,
        program: &str,
        db_dir: &Path,
        in_memory: bool,
    ) -> Result<Local, String> {
        if in_memory {
            let engine = Engine::new(compiled.plan.clone(), compiled.natives())
                .map_err(|e| e.to_string())?;
            return Ok(Local::Mem(Box::new(engine)));
        }
        let (session, _) = Session::open(
            db_dir,
            compiled.plan.clone(),
            compiled.natives(),
            program,
            &SessionOptions::default(),
        )
        .map_err(|e| e.to_string())?;
        Ok(Local::Db(Box::new(session)))
    }

    /// Load `files` (all or nothing) and run to the fixpoint.
    fn update(&mut self, files: &[(CatId, PathBuf)], opts: &RunOptions) -> Result<(), Failed> {
        match self {
            Local::Db(s) => s.update(files, opts).map(drop).map_err(|e| match e {
                SessionError::Input(e) => Failed::Input(e),
                e => Failed::Other(e.to_string()),
            }),
            Local::Mem(engine) => {
                engine
                    .load_inputs(files)
                    .map_err(|e| Failed::Input(format!("{e}\nnothing was loaded")))?;
                engine.insert_program_facts();
                engine
                    .run(opts)
                    .map(drop)
                    .map_err(|e| Failed::Other(e.to_string()))
            }
        }
    }

    /// The engine holding the state.
    pub(crate) fn engine(&self) -> &Engine {
        match self {
            Local::Db(s) => s.engine(),
            Local::Mem(e) => e,
        }
    }

    /// Close the state (blocking: a database waits for its read-back
    /// check): the engine, and the database's folder if there is one.
    pub(crate) fn finish(self) -> Result<(Engine, Option<PathBuf>), String> {
        match self {
            Local::Db(s) => {
                let dir = s.dir().to_path_buf();
                let (engine, read_back) = (*s).close();
                read_back.wait()?;
                Ok((engine, Some(dir)))
            }
            Local::Mem(e) => Ok((*e, None)),
        }
    }
}

/// What [`run_chunks`] did: the state, the chunks taken, and the refused
/// ones with the reason.
pub(crate) type Ran = (Local, Vec<u32>, Vec<(u32, String)>);

/// Run `inputs` (and `whole`, a sharded job's inputs of every shard) into
/// `local` (opening it at `db_dir`, or in memory, if `None`): all in one
/// update, or when that fails, one chunk at a time so that only the
/// chunks that do not load are refused.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_chunks(
    compiled: &Compiled,
    program: &str,
    db_dir: &Path,
    in_memory: bool,
    local: Option<Local>,
    inputs: Vec<(u32, Option<(CatId, PathBuf)>)>,
    whole: Vec<(CatId, PathBuf)>,
    opts: &RunOptions,
) -> Result<Ran, String> {
    let mut local = match local {
        Some(l) => l,
        None => Local::open(compiled, program, db_dir, in_memory)?,
    };
    let mut files: Vec<(CatId, PathBuf)> = whole.clone();
    files.extend(inputs.iter().filter_map(|(_, f)| f.clone()));
    match local.update(&files, opts) {
        Ok(()) => Ok((local, inputs.iter().map(|(n, _)| *n).collect(), Vec::new())),
        Err(Failed::Input(_)) => {
            if !whole.is_empty() {
                // What every shard reads must load, or no shard can run.
                local.update(&whole, opts).map_err(|e| match e {
                    Failed::Input(e) | Failed::Other(e) => e,
                })?;
            }
            let mut taken = Vec::new();
            let mut refused = Vec::new();
            for (n, file) in inputs {
                let files: Vec<_> = file.into_iter().collect();
                match local.update(&files, opts) {
                    Ok(()) => taken.push(n),
                    Err(Failed::Input(e)) => refused.push((n, e)),
                    Err(Failed::Other(e)) => return Err(e),
                }
            }
            Ok((local, taken, refused))
        }
        Err(Failed::Other(e)) => Err(e),
    }
}
