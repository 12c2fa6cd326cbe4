//! Paths that must not lie inside a database: an output folder, a merged
//! database, a report. Their files would become foreign files of the
//! database (and be refused by it, or lost with it).

use std::path::{Path, PathBuf};

/// Refuse an output folder that is the database's folder or inside it: the
/// CSV files would become foreign files of the database.
pub fn refuse_out_in_db(out: &Path, db: &Path) -> Result<(), String> {
    refuse_inside("--out", out, db)
}

/// Refuse `path` (given as option `flag`) when it is the database `db` or
/// lies inside it, symbolic links followed as far as they exist.
pub fn refuse_inside(flag: &str, path: &Path, db: &Path) -> Result<(), String> {
    let full = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path_full, db_full) = (full(path), full(db));
    let inside = path_full.starts_with(&db_full)
        || matches!(
            (resolved(&path_full), resolved(&db_full)),
            (Some(p), Some(d)) if p.starts_with(&d)
        );
    if inside {
        return Err(format!(
            "`{flag} {}` is inside the database `{}`: choose a folder outside it",
            path.display(),
            db.display()
        ));
    }
    Ok(())
}

/// `path` with symbolic links resolved as far as it exists (an output
/// folder may not exist yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = at.canonicalize() {
            return Some(rest.iter().rev().fold(real, |p, part| p.join(part)));
        }
        rest.push(at.file_name()?);
        at = at.parent()?;
    }
}
