//! A small file beside sled's: which checkpoint the database had when a
//! run last finished, written only after that checkpoint was flushed.
//!
//! sled recovers the longest intact prefix of its log, so damage in the
//! middle of the log (or a lost blob) does not fail: it silently opens an
//! *older* database. That is exactly right after a crash, and exactly
//! wrong after corruption. The manifest tells the two apart: a store
//! holding an earlier checkpoint than the last finished run flushed has
//! lost data, and is reported as corrupt instead of being quietly resumed
//! from the past (or, with nothing left, started over).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::DbError;

/// The file's name in the database directory.
pub const FILE: &str = "foldc.json";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub program: String,
    pub fingerprint: String,
    /// The checkpoint a finished run flushed last.
    pub checkpoint: u64,
}

/// The manifest of `dir`, if there is one.
pub fn read(dir: &Path) -> Result<Option<Manifest>, DbError> {
    let path = dir.join(FILE);
    match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DbError::Io {
            dir: dir.to_path_buf(),
            error: format!("cannot read {}: {e}", path.display()),
        }),
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| DbError::Corrupt {
                dir: dir.to_path_buf(),
                what: format!("{FILE} does not read back ({e})"),
            }),
    }
}

/// Replace the manifest (written beside, then renamed over: a reader
/// sees the old one or the new one).
pub fn write(dir: &Path, m: &Manifest) -> Result<(), DbError> {
    let io = |e: std::io::Error| DbError::Io {
        dir: dir.to_path_buf(),
        error: format!("cannot write {FILE}: {e}"),
    };
    let tmp = dir.join(format!(".{FILE}.tmp"));
    let bytes = serde_json::to_vec(m).unwrap_or_default();
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, dir.join(FILE)).map_err(io)
}

/// Drop the manifest (`--fresh`).
pub fn remove(dir: &Path) -> Result<(), DbError> {
    match std::fs::remove_file(dir.join(FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(DbError::Io {
            dir: dir.to_path_buf(),
            error: format!("cannot remove {FILE}: {e}"),
        }),
        _ => Ok(()),
    }
}
