//! Blocks kept beside sled, in segment files (databases of format 3).
//!
//! sled keeps a node's values inline in its log, or in a blob file when
//! the node is big; either way, opening the store re-reads (and
//! checksums) everything logged in its last log segment, and a database
//! of millions of facts logs only a few kilobytes of blob pointers, so
//! every open read every block twice before anything asked for one. So a
//! checkpoint writes its new blocks to one segment file,
//! `blocks/N.seg` (`N`: the checkpoint's number), and sled holds, under
//! each block's key, where the block lies ([`BlockRef`]: segment, offset,
//! length, CRC-32). sled stays the store of record: a block exists for a
//! database when sled's record refers to it, and it is read only then.
//!
//! A segment is written whole beside its final name, flushed to the disk
//! and renamed into place *before* the checkpoint that refers to it is
//! committed ([`SegmentWriter::persist`]; a run does this and the commit
//! on a thread while it goes on computing), so a committed checkpoint
//! never refers to bytes a crash or a power cut can take away. A crash
//! between the two leaves a segment nobody refers to; the next run
//! that writes that checkpoint number replaces it, and a finished run
//! deletes every segment no block refers to ([`collect_garbage`]). A file
//! is never written in place, so a merge may link the segments of the
//! database it copies instead of copying them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::copy::create_unshared;

/// The folder of the segment files, in the database directory.
pub const DIR: &str = "blocks";

/// Where a block lies: what sled holds under the block's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
    pub segment: u64,
    pub offset: u64,
    pub len: u32,
    pub crc: u32,
}

const REF_LEN: usize = 24;

impl BlockRef {
    pub fn encode(&self) -> [u8; REF_LEN] {
        let mut b = [0u8; REF_LEN];
        b[..8].copy_from_slice(&self.segment.to_le_bytes());
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..20].copy_from_slice(&self.len.to_le_bytes());
        b[20..].copy_from_slice(&self.crc.to_le_bytes());
        b
    }

    pub fn decode(v: &[u8]) -> Option<BlockRef> {
        let b: &[u8; REF_LEN] = v.try_into().ok()?;
        let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
        let half = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default());
        Some(BlockRef {
            segment: word(0),
            offset: word(8),
            len: half(16),
            crc: half(20),
        })
    }
}

fn path(dir: &Path, segment: u64) -> PathBuf {
    dir.join(DIR).join(format!("{segment}.seg"))
}

/// The blocks of one checkpoint, kept until [`SegmentWriter::persist`]
/// writes them to one segment file (if there are any).
pub struct SegmentWriter {
    dir: PathBuf,
    segment: u64,
    blocks: Vec<Vec<u8>>,
    offset: u64,
}

impl SegmentWriter {
    pub fn new(dir: &Path, segment: u64) -> SegmentWriter {
        SegmentWriter {
            dir: dir.to_path_buf(),
            segment,
            blocks: Vec::new(),
            offset: 0,
        }
    }

    /// Take a block; where it will lie.
    pub fn add(&mut self, bytes: Vec<u8>) -> std::io::Result<BlockRef> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| std::io::Error::other("a block of more than 4 GiB"))?;
        let at = BlockRef {
            segment: self.segment,
            offset: self.offset,
            len,
            crc: crc32fast::hash(&bytes),
        };
        self.offset += u64::from(len);
        self.blocks.push(bytes);
        Ok(at)
    }

    /// Write the segment beside its name, flush it to the disk and rename
    /// it into place (then flush the folder), so that the checkpoint
    /// committed after this never refers to bytes a crash or a power cut
    /// can take away. A file a killed run left under the temporary name is
    /// replaced, never written through ([`create_unshared`]).
    pub fn persist(self) -> std::io::Result<()> {
        if self.blocks.is_empty() {
            return Ok(());
        }
        let folder = self.dir.join(DIR);
        std::fs::create_dir_all(&folder)?;
        let tmp = folder.join(format!(".{}.seg.tmp", self.segment));
        let mut out = BufWriter::with_capacity(1 << 20, create_unshared(&tmp)?);
        for b in &self.blocks {
            out.write_all(b)?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_data()?;
        std::fs::rename(&tmp, path(&self.dir, self.segment))?;
        sync_dir(&folder)
    }
}

/// Flush every segment file in the folder to the disk (the end of a merge
/// does, for the segments it copied rather than wrote). Flushing a file
/// already on the disk costs next to nothing.
pub fn sync_folder(dir: &Path) -> std::io::Result<()> {
    let folder = dir.join(DIR);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for e in entries {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "seg") {
            File::open(&p)?.sync_data()?;
        }
    }
    sync_dir(&folder)
}

/// Make a rename in `folder` durable (where the platform can).
fn sync_dir(folder: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(folder)?.sync_all()
    } else {
        Ok(())
    }
}

/// Reads blocks from what sled holds for them.
#[derive(Clone, Copy, Debug)]
pub struct Blocks<'a> {
    pub dir: &'a Path,
    /// Format 3 on: sled holds a [`BlockRef`]; before, the block itself.
    pub in_segments: bool,
}

impl Blocks<'_> {
    /// The bytes of the block whose sled value is `value`.
    pub fn bytes<'v>(&self, value: &'v [u8]) -> Result<Cow<'v, [u8]>, String> {
        if !self.in_segments {
            return Ok(Cow::Borrowed(value));
        }
        let at = BlockRef::decode(value).ok_or("a block's place in the store is malformed")?;
        read(self.dir, &at).map(Cow::Owned)
    }
}

/// The bytes of a block, checked against its length and checksum.
pub fn read(dir: &Path, at: &BlockRef) -> Result<Vec<u8>, String> {
    let name = format!("{DIR}/{}.seg", at.segment);
    let mut file = File::open(path(dir, at.segment)).map_err(|e| format!("{name}: {e}"))?;
    let size = file.metadata().map_err(|e| format!("{name}: {e}"))?.len();
    if at
        .offset
        .checked_add(u64::from(at.len))
        .is_none_or(|end| end > size)
    {
        return Err(format!("{name} is shorter than a block it should hold"));
    }
    file.seek(SeekFrom::Start(at.offset))
        .map_err(|e| format!("{name}: {e}"))?;
    let mut bytes = vec![0u8; at.len as usize];
    file.read_exact(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if crc32fast::hash(&bytes) != at.crc {
        return Err(format!("a block in {name} fails its checksum"));
    }
    Ok(bytes)
}

/// Delete every segment file (and unfinished one) that is not in `used`.
/// Only a finished run calls this, after its last checkpoint is on disk;
/// a file that cannot be deleted stays until the next time.
pub fn collect_garbage(dir: &Path, used: &HashSet<u64>) {
    let Ok(entries) = std::fs::read_dir(dir.join(DIR)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let keep = name
            .strip_suffix(".seg")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| used.contains(&n));
        if !keep {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_read_back_and_damage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), 7);
        let a = w.add(b"first block".to_vec()).unwrap();
        let b = w.add(b"second".to_vec()).unwrap();
        // Nothing is on disk until persisted.
        assert!(read(dir.path(), &a).is_err());
        // A temporary file a killed run left, linked elsewhere: unlinked,
        // not written through.
        std::fs::create_dir_all(dir.path().join(DIR)).unwrap();
        let stale = dir.path().join(DIR).join(".7.seg.tmp");
        std::fs::write(&stale, b"a killed run's").unwrap();
        let elsewhere = dir.path().join("linked");
        std::fs::hard_link(&stale, &elsewhere).unwrap();
        w.persist().unwrap();
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"a killed run's");
        sync_folder(dir.path()).unwrap();
        // A checkpoint without blocks writes no file; a database without
        // a folder has nothing to flush.
        SegmentWriter::new(dir.path(), 10).persist().unwrap();
        assert!(!path(dir.path(), 10).exists());
        sync_folder(tempfile::tempdir().unwrap().path()).unwrap();
        assert_eq!(BlockRef::decode(&b.encode()), Some(b));
        assert_eq!(read(dir.path(), &a).unwrap(), b"first block");
        assert_eq!(read(dir.path(), &b).unwrap(), b"second");
        let past = BlockRef { offset: 100, ..b };
        assert!(read(dir.path(), &past).unwrap_err().contains("shorter"));
        let file = path(dir.path(), 7);
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[12] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(read(dir.path(), &a).is_ok());
        assert!(read(dir.path(), &b).unwrap_err().contains("checksum"));
        // Garbage: segments not in use and unfinished ones go.
        std::fs::write(dir.path().join(DIR).join(".8.seg.tmp"), b"x").unwrap();
        std::fs::write(path(dir.path(), 9), b"old").unwrap();
        collect_garbage(dir.path(), &HashSet::from([7]));
        let mut left: Vec<String> = std::fs::read_dir(dir.path().join(DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["7.seg"]);
    }
}
