//! Scratch folders of a process (the copies read-only opens read sled's
//! files from, and `foldc serve`'s staged records), named by a prefix
//! and the process id, so that the next process can remove those of a
//! process that was killed before it could remove its own.

use std::path::{Path, PathBuf};

/// A new scratch folder `PREFIX{pid}-XXXX`, in memory (`/dev/shm`) when
/// there is one (a full disk holds no copy), else in the temporary
/// folder; the scratch folders there of processes that are gone are
/// removed first.
pub fn folder(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    let named = format!("{prefix}{}-", std::process::id());
    let in_dir = |dir: &Path| {
        remove_orphans(dir, prefix);
        tempfile::Builder::new().prefix(&named).tempdir_in(dir)
    };
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        in_dir(shm).or_else(|_| in_dir(&std::env::temp_dir()))
    } else {
        in_dir(&std::env::temp_dir())
    }
}

/// Remove the folders `PREFIX{pid}-*` in `dir` of processes that are gone
/// (only where `/proc` tells: elsewhere nothing is removed).
pub fn remove_orphans(dir: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = pid == std::process::id() || PathBuf::from(format!("/proc/{pid}")).exists();
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_gone_processes_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        // No process has an id this high (Linux caps them at 2^22).
        let gone = dir.path().join(".foldc-test-4294967290-abc");
        let mine = dir
            .path()
            .join(format!(".foldc-test-{}-abc", std::process::id()));
        let other = dir.path().join(".foldc-test-abc");
        for d in [&gone, &mine, &other] {
            std::fs::create_dir(d).unwrap();
        }
        remove_orphans(dir.path(), ".foldc-test-");
        assert_eq!(!gone.exists(), Path::new("/proc/self").exists());
        assert!(mine.exists() && other.exists());
    }
}
