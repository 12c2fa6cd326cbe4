//! Why a database cannot be used: each case names the directory and says
//! what to do. Nothing about a database on disk ever panics; whatever is
//! wrong with it ends up here.

use std::fmt;
use std::path::PathBuf;

/// Why a database could not be opened, read or written; every case
/// names the database's directory (`dir`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// `stats`/`export` on a directory that does not exist.
    Missing {
        /// The directory asked for.
        dir: PathBuf,
    },
    /// The path is a file, or a directory holding something else.
    NotADatabase {
        /// The path asked for.
        dir: PathBuf,
        /// What was found there instead, for the message.
        why: String,
    },
    /// Another process has the database open.
    Locked {
        /// The database's directory.
        dir: PathBuf,
    },
    /// The store or our data in it does not read back.
    Corrupt {
        /// The database's directory.
        dir: PathBuf,
        /// What failed to read back (which file or record, and how).
        what: String,
    },
    /// Written by a newer (or unknown) version of the format.
    Format {
        /// The database's directory.
        dir: PathBuf,
        /// The format version the database records.
        found: u32,
    },
    /// Written by another program (its plan differs).
    OtherProgram {
        /// The database's directory.
        dir: PathBuf,
        /// The program file that wrote the database, as it recorded it.
        stored_program: String,
        /// The fingerprint of that program's plan.
        stored_fingerprint: String,
        /// The program file asking for the database now.
        program: String,
        /// The fingerprint of its plan.
        fingerprint: String,
    },
    /// A database that was never written to (`stats`, `export`).
    Empty {
        /// The database's directory.
        dir: PathBuf,
    },
    /// Reading or writing failed (disk full, permissions...).
    Io {
        /// The database's directory.
        dir: PathBuf,
        /// The operating system's error, with the file it concerned.
        error: String,
    },
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
