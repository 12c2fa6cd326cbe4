//! Why a database cannot be used: each case names the directory and says
//! what to do. Nothing about a database on disk ever panics; whatever is
//! wrong with it ends up here.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// `stats`/`export` on a directory that does not exist.
    Missing { dir: PathBuf },
    /// The path is a file, or a directory holding something else.
    NotADatabase { dir: PathBuf, why: String },
    /// Another process has the database open.
    Locked { dir: PathBuf },
    /// The store or our data in it does not read back.
    Corrupt { dir: PathBuf, what: String },
    /// Written by a newer (or unknown) version of the format.
    Format { dir: PathBuf, found: u32 },
    /// Written by another program (its plan differs).
    OtherProgram {
        dir: PathBuf,
        stored_program: String,
        stored_fingerprint: String,
        program: String,
        fingerprint: String,
    },
    /// A database that was never written to (`stats`, `export`).
    Empty { dir: PathBuf },
    /// Reading or writing failed (disk full, permissions...).
    Io { dir: PathBuf, error: String },
}

impl DbError {
    /// For [`DbError::OtherProgram`], which program wrote the database and
    /// which one asked for it, without the advice (what to do depends on
    /// the command).
    pub fn other_program(&self) -> Option<String> {
        let DbError::OtherProgram {
            dir,
            stored_program,
            stored_fingerprint,
            program,
            fingerprint,
        } = self
        else {
            return None;
        };
        Some(format!(
            "database `{}` was written by program `{stored_program}` (fingerprint \
             {stored_fingerprint}), not by `{program}` (fingerprint {fingerprint})",
            dir.display()
        ))
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Missing { dir } => write!(f, "no database at `{}`", dir.display()),
            DbError::NotADatabase { dir, why } => {
                write!(f, "`{}` is not a foldc database: {why}", dir.display())
            }
            DbError::Locked { dir } => write!(
                f,
                "database `{}` is in use by another process (it is locked); \
                 wait for that process to finish",
                dir.display()
            ),
            DbError::Corrupt { dir, what } => write!(
                f,
                "database `{}` is corrupt: {what}; delete the directory to start over",
                dir.display()
            ),
            DbError::Format { dir, found } => write!(
                f,
                "database `{}` has format version {found}, which this foldc does not \
                 read (it reads version {})",
                dir.display(),
                super::meta::FORMAT
            ),
            DbError::OtherProgram { .. } => write!(
                f,
                "{}; run with --fresh to start over",
                self.other_program().unwrap_or_default()
            ),
            DbError::Empty { dir } => {
                write!(f, "database `{}` holds no run yet", dir.display())
            }
            DbError::Io { dir, error } => {
                write!(f, "cannot use database `{}`: {error}", dir.display())
            }
        }
    }
}

impl std::error::Error for DbError {}
