//! Files of little-endian numbers and arrays under one CRC-32: the
//! writer writes them in pieces on all threads ([`write_pieces`]); the
//! reader reads a header of numbers through
//! [`CheckedReader`] and then the arrays the header sizes with
//! [`read_pieces`], straight into the buffers they fill (not into a file
//! buffer and then a copy out of it), in pieces read and checksummed on
//! all threads. At tens of megabytes, each fresh page costs more than the
//! bytes in it, so every copy counts.
//!
//! The reader knows how many bytes the file has left and refuses a count
//! that does not fit them, so a damaged length cannot make it allocate
//! gigabytes before the checksum has had its say.

use std::fs::File;
use std::io::Read;

use rayon::prelude::*;

/// Arrays are read in pieces of this many bytes, each checksummed right
/// after it is read, while it is in the cache, rather than read whole and
/// then walked again from memory.
const PIECE: usize = 1 << 20;

/// Reads numbers, checksumming every byte read.
pub struct CheckedReader<R> {
    inner: R,
    crc: crc32fast::Hasher,
    /// The file's size and how much of it was read.
    len: u64,
    read: u64,
}

impl<R: Read> CheckedReader<R> {
    /// A reader of `len` bytes (the file's size).
    pub fn new(inner: R, len: u64) -> Self {
        CheckedReader {
            inner,
            crc: crc32fast::Hasher::new(),
            len,
            read: 0,
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> Option<()> {
        let read = self.read.checked_add(buf.len() as u64)?;
        if read > self.len {
            return None;
        }
        self.inner.read_exact(buf).ok()?;
        self.read = read;
        self.crc.update(buf);
        Some(())
    }

    pub fn bytes<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut b = [0u8; N];
        self.fill(&mut b)?;
        Some(b)
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.bytes().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.bytes().map(u64::from_le_bytes)
    }

    /// A count (a `u64`) of `width`-byte items that the rest of the file
    /// can hold.
    pub fn count(&mut self, width: u64) -> Option<usize> {
        let n = self.u64()?;
        (n.checked_mul(width)? <= self.len - self.read)
            .then(|| usize::try_from(n).ok())
            .flatten()
    }

    /// The bytes read so far: where the arrays after the header start.
    pub fn consumed(&self) -> u64 {
        self.read
    }

    /// The checksum of the bytes read so far, for [`read_pieces`] to go on.
    pub fn into_crc(self) -> crc32fast::Hasher {
        self.crc
    }
}

/// Fill `arrays`, in order, from `file` starting at byte `at`, on all
/// threads; `crc` is the checksum of the bytes before `at`. True when the
/// file's last four bytes, right after the arrays, are the checksum of
/// all before them, and nothing follows.
pub fn read_pieces(
    file: &File,
    at: u64,
    arrays: Vec<&mut [u8]>,
    mut crc: crc32fast::Hasher,
) -> bool {
    let mut pieces = Vec::new();
    let mut end = at;
    for array in arrays {
        for piece in array.chunks_mut(PIECE) {
            let len = piece.len() as u64;
            pieces.push((end, piece));
            end += len;
        }
    }
    let sums: Option<Vec<crc32fast::Hasher>> = pieces
        .into_par_iter()
        .map(|(at, piece)| {
            read_at(file, piece, at).ok()?;
            let mut sum = crc32fast::Hasher::new();
            sum.update(piece);
            Some(sum)
        })
        .collect();
    let Some(sums) = sums else {
        return false;
    };
    for sum in &sums {
        crc.combine(sum);
    }
    let mut stored = [0u8; 4];
    let len = file.metadata().map(|m| m.len()).ok();
    len == Some(end + 4)
        && read_at(file, &mut stored, end).is_ok()
        && u32::from_le_bytes(stored) == crc.finalize()
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// Write `header` and then `arrays` to `file` (empty), and after them
/// the CRC-32 of all of it, in pieces written and checksummed on all
/// threads: a file of tens of megabytes costs its page-cache pages, and
/// two threads allocate and fill them in about half the time of one.
pub fn write_pieces(file: &File, header: &[u8], arrays: &[&[u8]]) -> std::io::Result<()> {
    let mut pieces = vec![(0u64, header)];
    let mut end = header.len() as u64;
    for array in arrays {
        for piece in array.chunks(PIECE) {
            pieces.push((end, piece));
            end += piece.len() as u64;
        }
    }
    file.set_len(end + 4)?;
    let sums: Vec<crc32fast::Hasher> = pieces
        .into_par_iter()
        .map(|(at, piece)| {
            write_at(file, piece, at)?;
            let mut sum = crc32fast::Hasher::new();
            sum.update(piece);
            Ok(sum)
        })
        .collect::<std::io::Result<_>>()?;
    let mut crc = crc32fast::Hasher::new();
    for sum in &sums {
        crc.combine(sum);
    }
    write_at(file, &crc.finalize().to_le_bytes(), end)
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, at)
}

#[cfg(windows)]
fn write_at(file: &File, mut buf: &[u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_write(buf, at)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// An array's bytes as stored: little-endian numbers.
pub fn le_bytes<T: bytemuck::Pod>(items: &[T], to_le: fn(T) -> T) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "big") {
        let le: Vec<T> = items.iter().map(|&w| to_le(w)).collect();
        std::borrow::Cow::Owned(bytemuck::cast_slice(&le).to_vec())
    } else {
        std::borrow::Cow::Borrowed(bytemuck::cast_slice(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_damage_or_lengths_are_refused() {
        let big: Vec<u64> = (0..300_000u64).map(|i| i * 7).collect();
        let header = [&7u32.to_le_bytes()[..], &(big.len() as u64).to_le_bytes()].concat();
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("w");
        let file = File::create(&written).unwrap();
        let small = le_bytes(&[9u32, 8], u32::to_le);
        write_pieces(&file, &header, &[&le_bytes(&big, u64::to_le), &small]).unwrap();
        let bytes = std::fs::read(&written).unwrap();
        let read = |b: &[u8]| {
            let path = dir.path().join("f");
            std::fs::write(&path, b).unwrap();
            let file = File::open(&path).unwrap();
            let mut r = CheckedReader::new(&file, b.len() as u64);
            let seven = r.u32()?;
            let n = r.count(8)?;
            let (mut words, mut small) = (vec![0u64; n], vec![0u32; 2]);
            let arrays = vec![
                bytemuck::cast_slice_mut(&mut words),
                bytemuck::cast_slice_mut(&mut small),
            ];
            let at = r.consumed();
            read_pieces(&file, at, arrays, r.into_crc()).then_some((seven, words, small))
        };
        assert_eq!(read(&bytes), Some((7, big.clone(), vec![9, 8])));
        for i in [0, 5, 11, 100, 1 << 20, bytes.len() - 9, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert_eq!(read(&bad), None, "byte {i} flipped");
        }
        // A count past the end is refused before anything is allocated.
        let mut huge = bytes.clone();
        huge[4..12].copy_from_slice(&(u64::MAX / 4).to_le_bytes());
        assert_eq!(read(&huge), None);
        // Trailing bytes after the checksum: not a file this wrote.
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(read(&longer), None);
    }
}
