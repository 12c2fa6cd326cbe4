//! The directory a merge builds its result in (see [`crate::merge`]).
//!
//! `foldc merge` starts from a copy of one of the two databases and never
//! writes the originals. It builds the result in a new directory beside
//! the target and renames it into place only when its final checkpoint is
//! on disk, so the target either does not exist or is a finished
//! database. Until then the directory holds a marker file: a merge killed
//! halfway leaves a directory that every command refuses (resuming it as
//! an ordinary run would skip the rest of the merge), never a database
//! that looks finished and is not. The marker is locked while the merge
//! runs, so the next merge into the same name removes what a killed one
//! left, and refuses while one is under way.

use std::path::Path;

use super::{Db, DbError};

/// The marker of a merge under way (see the module docs).
pub const MERGING: &str = "MERGING";

fn io(dir: &Path, what: &str, e: std::io::Error) -> DbError {
    DbError::Io {
        dir: dir.to_path_buf(),
        error: format!("{what}: {e}"),
    }
}

/// A merge under way: its marker, locked for as long as the merge runs,
/// which tells a live merge's directory from one a killed merge left.
pub struct MergeLock {
    _marker: std::fs::File,
}

/// Create `dir` (it must not exist) with the marker of a merge under way,
/// locked. The directory is made under another name and renamed into
/// place with its marker already locked, so no other process ever sees
/// the marker unlocked while this merge lives.
pub fn start_merge_dir(dir: &Path) -> Result<MergeLock, DbError> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    // Unique to this process and moment: a killed merge's leftover never
    // stands in the way.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.as_nanos());
    let staging = dir.with_file_name(format!(
        "{}.{}-{now}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let marker = (|| {
        std::fs::create_dir(&staging)?;
        std::fs::write(
            staging.join(MERGING),
            "foldc merge is writing this database\n",
        )?;
        let marker = std::fs::File::open(staging.join(MERGING))?;
        marker.try_lock().map_err(std::io::Error::other)?;
        Ok(marker)
    })();
    let placed = marker.and_then(|m| std::fs::rename(&staging, dir).map(|()| m));
    match placed {
        Ok(marker) => Ok(MergeLock { _marker: marker }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(io(dir, "cannot create it", e))
        }
    }
}

/// Remove `dir`, the directory of a merge, if the merge that made it is
/// over (it was killed: nothing else leaves the directory behind). `Ok`
/// when it was removed, or did not exist; the reason to refuse when a
/// merge is still writing it, or it is no merge's directory.
pub fn remove_stale_merge_dir(dir: &Path) -> Result<(), String> {
    if dir.symlink_metadata().is_err() {
        return Ok(());
    }
    let shown = dir.display();
    let Ok(marker) = std::fs::File::open(dir.join(MERGING)) else {
        return Err(format!(
            "`{shown}` exists and is not a merge's directory: delete it, or merge into \
             another name"
        ));
    };
    let live = || format!("`{shown}` exists: a merge is writing it now");
    match marker.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(live()),
        Err(std::fs::TryLockError::Error(e)) => return Err(format!("`{shown}`: {e}")),
    }
    // Another merge may have removed the stale directory and put its own
    // in its place since the marker was opened: then the lock is on the
    // old marker, and the directory is that merge's.
    if !same_file(&marker, &dir.join(MERGING)) {
        return Err(live());
    }
    std::fs::remove_dir_all(dir)
        .map_err(|e| format!("`{shown}` was left by an interrupted merge and cannot go: {e}"))
}

/// Whether the open `file` is the file at `path`.
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.is_file()
    }
}

/// Whether `dir` holds the marker of an unfinished merge.
pub fn is_merging(dir: &Path) -> bool {
    dir.join(MERGING).is_file()
}

/// Drop the marker of a finished merge (its database closed) and move it
/// to `to`, which must not exist.
pub fn finish_merge_dir(dir: &Path, to: &Path) -> Result<(), DbError> {
    std::fs::remove_file(dir.join(MERGING)).map_err(|e| io(dir, "cannot remove its marker", e))?;
    if to.exists() {
        return Err(DbError::Io {
            dir: to.to_path_buf(),
            error: "it appeared while the merge ran; the merged database is left at its \
                    temporary place"
                .to_string(),
        });
    }
    std::fs::rename(dir, to).map_err(|e| io(to, "cannot move the merged database there", e))
}

impl Db {
    /// Copy every file of this database into the directory `to` (made by
    /// [`start_merge_dir`]). This handle holds the store's lock, so no
    /// other process writes it meanwhile, and nothing of it is written.
    pub fn copy_into(&self, to: &Path) -> Result<(), DbError> {
        copy_dir(&self.dir, to)
    }
}

/// A file a killed run left under its temporary name (`.N.seg.tmp`,
/// `.N.bin.tmp`): nothing refers to it, and a link to it would let the
/// next run of either database write into the other's file.
fn is_unfinished(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"))
}

/// Create `path` as a new file, unlinking what is there rather than
/// truncating it: a file under that name may be a hard link a merge
/// shares with another database, and is never written through.
pub(super) fn create_unshared(path: &Path) -> std::io::Result<std::fs::File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::File::create(path)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), DbError> {
    let entries = std::fs::read_dir(from).map_err(|e| io(from, "cannot list it", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io(from, "cannot list it", e))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| io(from, "cannot list it", e))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| io(to, "cannot create a folder", e))?;
            copy_dir(&path, &target)?;
        } else if kind.is_file() && !is_unfinished(&entry.file_name()) {
            // Saved tables and segments are replaced by renaming, never
            // written in place (see `tables`, `segments`): a hard link
            // shares them safely.
            let shared = [super::tables::DIR, super::segments::DIR];
            let linked = from
                .file_name()
                .is_some_and(|n| shared.iter().any(|d| n == *d))
                && std::fs::hard_link(&path, &target).is_ok();
            if !linked {
                std::fs::copy(&path, &target).map_err(|e| io(to, "cannot copy a file", e))?;
            }
        }
    }
    Ok(())
}
