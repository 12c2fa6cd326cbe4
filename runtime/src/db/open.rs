//! Opening the sled store under guard rails: a clear error for a path
//! that is not a database, a database another process holds, or one that
//! does not read back, and never a panic (sled's own recovery code asserts
//! on some damage, so opening and reading run under `catch_unwind`).

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use super::DbError;

/// sled's page cache: blocks are read once on resume and written once, so
/// a big cache only doubles memory.
const CACHE_BYTES: u64 = 64 << 20;
/// How often sled's flusher makes writes durable in the background;
/// checkpoints never wait for it (a crash recovers a prefix of them, and
/// every one is consistent); the end of a run flushes explicitly.
const FLUSH_MS: u64 = 500;

/// Files sled keeps in its directory (`conf` and `db` always).
const SLED_FILES: [&str; 2] = ["conf", "db"];

/// How a store is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opening {
    /// It must exist.
    Existing,
    /// Created when the directory is new or empty.
    CreateIfNew,
    /// Created again where `--fresh` just removed the old store (see
    /// [`remove_store`]): the directory was a database, and files of the
    /// user's beside the store stay as they are.
    Recreate,
}

/// Open the store at `dir` (see [`Opening`]).
pub fn open_sled(dir: &Path, opening: Opening) -> Result<sled::Db, DbError> {
    check_dir(dir, opening)?;
    drop_unfinished_snapshots(dir)?;
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(CACHE_BYTES)
        .flush_every_ms(Some(FLUSH_MS))
        .mode(sled::Mode::HighThroughput);
    guarded(dir, "it cannot be opened", || {
        config.open().map_err(|e| map_error(dir, e))
    })
}

/// Open a snapshot of the store at `dir` for reading only: sled writes
/// to its files whenever it opens them (and takes a lock), so its files
/// (a few megabytes at most: the blocks are in segment files) are copied
/// to a scratch folder and opened there, and nothing in `dir` is written.
/// So reading works on read-only media, without write permission, on a
/// full disk, and beside a process writing the database (a copy taken
/// while it commits is recovered as after a crash, to an earlier
/// checkpoint; the manifest and the checksums say when that is not the
/// one finished last). The scratch folder goes when the returned guard
/// is dropped (after the store).
pub fn open_sled_read_only(dir: &Path) -> Result<(sled::Db, tempfile::TempDir), DbError> {
    check_dir(dir, Opening::Existing)?;
    let io = |what: &str, e: std::io::Error| DbError::Io {
        dir: dir.to_path_buf(),
        error: format!("{what}: {e}"),
    };
    // Memory first (a full disk holds no copy), else the temporary
    // folder; a killed reader's copy goes with the next read.
    let scratch = super::scratch::folder(".foldc-read-")
        .map_err(|e| io("cannot make a scratch folder to read it in", e))?;
    copy_store(dir, scratch.path()).map_err(|e| io("cannot copy its store to read it", e))?;
    let config = sled::Config::new()
        .path(scratch.path())
        .cache_capacity(CACHE_BYTES)
        .flush_every_ms(None)
        .mode(sled::Mode::HighThroughput);
    let store = guarded(dir, "it cannot be opened", || {
        config.open().map_err(|e| map_error(dir, e))
    })?;
    Ok((store, scratch))
}

/// Copy `from` to `to`, writable there (a copy keeps the permissions of
/// a file the user may only read, and sled opens its files for writing).
fn copy_writable(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to)?;
    let mut p = std::fs::metadata(to)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)] // our own scratch copy
    p.set_readonly(false);
    std::fs::set_permissions(to, p)
}

/// Copy sled's files (not snapshots it never finished) from `dir` to `to`.
fn copy_store(dir: &Path, to: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        let Some(n) = name.to_str() else { continue };
        let sled_file =
            SLED_FILES.contains(&n) || (n.starts_with("snap.") && !n.ends_with(".generating"));
        if sled_file && e.file_type()?.is_file() {
            copy_writable(&e.path(), &to.join(n))?;
        } else if n == "blobs" && e.file_type()?.is_dir() {
            std::fs::create_dir_all(to.join(n))?;
            for b in std::fs::read_dir(e.path())? {
                let b = b?;
                if b.file_type()?.is_file() {
                    copy_writable(&b.path(), &to.join(n).join(b.file_name()))?;
                }
            }
        }
    }
    Ok(())
}

/// A path that sled could open but that is not ours is refused before
/// sled writes anything into it.
fn check_dir(dir: &Path, opening: Opening) -> Result<(), DbError> {
    let create = opening != Opening::Existing;
    let not = |why: &str| DbError::NotADatabase {
        dir: dir.to_path_buf(),
        why: why.to_string(),
    };
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if create {
                Ok(())
            } else {
                Err(DbError::Missing {
                    dir: dir.to_path_buf(),
                })
            }
        }
        Err(e) => Err(DbError::Io {
            dir: dir.to_path_buf(),
            error: e.to_string(),
        }),
        Ok(m) if !m.is_dir() => Err(not("it is a file, not a directory")),
        Ok(_) => {
            let entries = std::fs::read_dir(dir).map_err(|e| DbError::Io {
                dir: dir.to_path_buf(),
                error: e.to_string(),
            })?;
            let names: Vec<std::ffi::OsString> = entries
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect();
            let empty = names.is_empty();
            let ours = SLED_FILES.iter().all(|f| dir.join(f).is_file());
            if ours || (empty && create) || opening == Opening::Recreate {
                Ok(())
            } else if !empty && interrupted_creation(dir, &names) {
                if !create {
                    return Err(not(
                        "it holds nothing yet: its creation was interrupted, or is \
                         under way (`foldc run --db` creates it)",
                    ));
                }
                // sled would read a configuration cut short as damage.
                match std::fs::remove_file(dir.join("conf")) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(DbError::Io {
                        dir: dir.to_path_buf(),
                        error: e.to_string(),
                    }),
                    _ => Ok(()),
                }
            } else if empty {
                Err(DbError::Empty {
                    dir: dir.to_path_buf(),
                })
            } else if dir.join(super::manifest::FILE).is_file() {
                // foldc's own record is there, sled's files are not.
                let missing: Vec<&str> = SLED_FILES
                    .into_iter()
                    .filter(|f| !dir.join(f).is_file())
                    .collect();
                Err(DbError::Corrupt {
                    dir: dir.to_path_buf(),
                    what: format!("its store's file `{}` is missing", missing.join("` and `")),
                })
            } else {
                Err(not(
                    "the directory holds other files (a database directory is \
                     new or empty when first used)",
                ))
            }
        }
    }
}

/// Remove the snapshots sled began and never finished. sled writes a
/// snapshot (a summary of its log that only speeds up recovery) as
/// `snap.N.generating` and renames it to `snap.N` once it is complete;
/// but when it opens, it reads the newest file named `snap.*`, the
/// unfinished one included, and refuses to open when that one was cut
/// short by a killed process. Without it, sled recovers from the last
/// finished snapshot and its log, as after any crash. Removed only under
/// the store's lock, so never while another process is writing one.
fn drop_unfinished_snapshots(dir: &Path) -> Result<(), DbError> {
    let unfinished = |entries: std::fs::ReadDir| -> Vec<std::path::PathBuf> {
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("snap.") && n.ends_with(".generating"))
            })
            .collect()
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let found = unfinished(entries);
    if found.is_empty() || !dir.join("db").is_file() {
        return Ok(());
    }
    let held = match lock_damaged(dir) {
        Ok(held) => held,
        Err(locked @ DbError::Locked { .. }) => return Err(locked),
        // Read-only media: sled reports what it cannot open.
        Err(_) => return Ok(()),
    };
    for path in found {
        // A file that cannot go makes sled report the damage itself.
        let _ = std::fs::remove_file(path);
    }
    drop(held);
    Ok(())
}

/// Whether `dir` (holding `names`) is what sled leaves when it is stopped
/// while creating a store: it makes the folder `blobs`, then writes
/// `conf`, then creates and locks `db`. Without `db`, nothing was stored.
/// `blobs` must be there (empty), as sled makes it first.
fn interrupted_creation(dir: &Path, names: &[std::ffi::OsString]) -> bool {
    let blobs_empty = || std::fs::read_dir(dir.join("blobs")).is_ok_and(|mut e| e.next().is_none());
    // sled's `conf` is a few lines of `segment_size: ...`; a file of that
    // name with anything else in it is the user's, and is never touched.
    let sled_conf = || {
        const START: &[u8] = b"segment_size: ";
        std::fs::read(dir.join("conf"))
            .is_ok_and(|c| c.len() <= 256 && (c.starts_with(START) || START.starts_with(&c)))
    };
    !dir.join("db").exists()
        && names.iter().any(|n| n == "blobs")
        && names
            .iter()
            .all(|n| (n == "blobs" && blobs_empty()) || (n == "conf" && sled_conf()))
}

/// What proves that no other process uses a store while it is removed (held
/// for its lock, released when dropped).
#[allow(dead_code)]
pub enum Held {
    /// The store, open.
    Store(sled::Db),
    /// Its `db` file, locked as sled locks it: a store too damaged to open.
    File(std::fs::File),
}

/// Lock the `db` file of a store the way sled does, without opening the
/// store (it may be too damaged to open), so that its files can be
/// removed while no other process uses it.
pub fn lock_damaged(dir: &Path) -> Result<Held, DbError> {
    let io = |e: std::io::Error| DbError::Io {
        dir: dir.to_path_buf(),
        error: format!("cannot start over: {e}"),
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join("db"))
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Held::File(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(DbError::Locked {
            dir: dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Delete the store in `dir` (`--fresh`): sled's own files only, and only
/// while holding its lock (`held`). Clearing the trees instead would leave
/// the old data on disk until sled's log cleaner got to it.
pub fn remove_store(dir: &Path, held: Held) -> Result<(), DbError> {
    let io = |e: std::io::Error| DbError::Io {
        dir: dir.to_path_buf(),
        error: format!("cannot start over: {e}"),
    };
    // The manifest first: a crash halfway leaves a store without one, not
    // one the manifest calls damaged.
    super::manifest::remove(dir)?;
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        match name.as_deref() {
            Some("blobs") | Some(super::tables::DIR) | Some(super::segments::DIR) => {
                std::fs::remove_dir_all(&path).map_err(io)?
            }
            Some(n) if SLED_FILES.contains(&n) || n.starts_with("snap.") => {
                std::fs::remove_file(&path).map_err(io)?
            }
            _ => {}
        }
    }
    drop(held);
    Ok(())
}

/// What a sled error means for the user.
pub fn map_error(dir: &Path, e: sled::Error) -> DbError {
    let dir = dir.to_path_buf();
    match e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            DbError::Locked { dir }
        }
        sled::Error::Io(io) => DbError::Io {
            dir,
            error: io.to_string(),
        },
        sled::Error::Corruption { .. } => DbError::Corrupt {
            dir,
            what: "the store's log fails its checksums".to_string(),
        },
        sled::Error::Unsupported(what) => DbError::Corrupt { dir, what },
        sled::Error::ReportableBug(what) => DbError::Corrupt { dir, what },
        sled::Error::CollectionNotFound(_) => DbError::Corrupt {
            dir,
            what: "a collection is missing".to_string(),
        },
    }
}

/// Run `f`; a panic inside (sled on a damaged file, or a bug of ours on
/// data that should not exist) becomes [`DbError::Corrupt`] and prints
/// nothing.
pub fn guarded<T>(
    dir: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, DbError>,
) -> Result<T, DbError> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(hook);
    result.unwrap_or_else(|payload| {
        Err(DbError::Corrupt {
            dir: dir.to_path_buf(),
            what: format!("{what} ({})", panic_text(payload.as_ref())),
        })
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the store panicked".to_string()
    }
}
