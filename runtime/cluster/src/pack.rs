//! A database directory as one object: a tar of its files without the
//! `tables/` cache (which is rebuilt on open, and a large share of the
//! bytes).

use std::path::Path;

/// The cache folder left out of a packed database.
const CACHE: &str = "tables";

/// Pack the database at `dir` into tar bytes.
pub fn pack(dir: &Path) -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n != CACHE)
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let result = if path.is_dir() {
            builder.append_dir_all(&name, &path)
        } else {
            builder.append_path_with_name(&path, &name)
        };
        result.map_err(|e| format!("cannot pack `{}`: {e}", path.display()))?;
    }
    builder
        .into_inner()
        .map_err(|e| format!("cannot pack `{}`: {e}", dir.display()))
}

/// Unpack tar bytes into the new directory `dir`; entries that would land
/// outside it are refused by `tar` itself.
pub fn unpack(bytes: &[u8], dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let mut archive = tar::Archive::new(bytes);
    archive
        .unpack(dir)
        .map_err(|e| format!("cannot unpack a database into `{}`: {e}", dir.display()))
}
