//! Streams of little-endian numbers and word arrays with a running CRC-32,
//! for files that are read straight into the buffers they fill: a word
//! array is one `read_exact` into its final `Vec`, not a read into a file
//! buffer and a copy out of it. At tens of megabytes, each fresh page
//! costs more than the bytes in it (the page fault), so every copy counts.
//!
//! The reader knows how many bytes the file has left and refuses a length
//! that does not fit them, so a damaged length cannot make it allocate
//! gigabytes before the checksum has had its say.

use std::io::{Read, Write};

/// Arrays are read in pieces of this many bytes, each checksummed (and
/// checked) right after it is read, while it is in the cache, rather than
/// read whole and then walked again from memory.
const PIECE: usize = 128 << 10;

/// Reads numbers and arrays, checksumming every byte read.
pub struct CheckedReader<R> {
    inner: R,
    crc: crc32fast::Hasher,
    left: u64,
}

impl<R: Read> CheckedReader<R> {
    /// A reader of `len` bytes (the file's size).
    pub fn new(inner: R, len: u64) -> Self {
        CheckedReader {
            inner,
            crc: crc32fast::Hasher::new(),
            left: len,
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> Option<()> {
        self.left = self.left.checked_sub(buf.len() as u64)?;
        self.inner.read_exact(buf).ok()?;
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

    /// A count of `width`-byte items that the rest of the file can hold.
    fn count(&self, n: u64, width: u64) -> Option<usize> {
        (n.checked_mul(width)? <= self.left)
            .then(|| usize::try_from(n).ok())
            .flatten()
    }

    /// `n` numbers of type `T`, each piece of them shown to `check` as it
    /// arrives (while it is still in the cache); `None` as soon as `check`
    /// refuses one. `from_le` turns a stored number into this machine's.
    fn array<T: bytemuck::Pod>(
        &mut self,
        n: u64,
        from_le: fn(T) -> T,
        mut check: impl FnMut(&[T]) -> bool,
    ) -> Option<Vec<T>> {
        let width = std::mem::size_of::<T>();
        let mut v = vec![T::zeroed(); self.count(n, width as u64)?];
        for piece in v.chunks_mut(PIECE / width) {
            self.fill(bytemuck::cast_slice_mut(piece))?;
            if cfg!(target_endian = "big") {
                piece.iter_mut().for_each(|w| *w = from_le(*w));
            }
            if !check(piece) {
                return None;
            }
        }
        Some(v)
    }

    /// `n` words, each piece of them shown to `check` as it arrives.
    pub fn u64s_checked(&mut self, n: u64, check: impl FnMut(&[u64]) -> bool) -> Option<Vec<u64>> {
        self.array(n, u64::from_le, check)
    }

    /// `n` words.
    pub fn u64s(&mut self, n: u64) -> Option<Vec<u64>> {
        self.array(n, u64::from_le, |_| true)
    }

    /// `n` 32-bit numbers.
    pub fn u32s(&mut self, n: u64) -> Option<Vec<u32>> {
        self.array(n, u32::from_le, |_| true)
    }

    /// The stored checksum of everything before it, which must end the
    /// file: whether it holds.
    pub fn finish(mut self) -> bool {
        let sum = self.crc.clone().finalize();
        self.u32() == Some(sum) && self.left == 0
    }
}

/// Writes numbers and arrays, checksumming every byte written.
pub struct CheckedWriter<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> CheckedWriter<W> {
    pub fn new(inner: W) -> Self {
        CheckedWriter {
            inner,
            crc: crc32fast::Hasher::new(),
        }
    }

    pub fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.crc.update(bytes);
        self.inner.write_all(bytes)
    }

    pub fn u32(&mut self, n: u32) -> std::io::Result<()> {
        self.put(&n.to_le_bytes())
    }

    pub fn u64(&mut self, n: u64) -> std::io::Result<()> {
        self.put(&n.to_le_bytes())
    }

    /// Numbers of type `T`, stored little-endian (`to_le`).
    fn array<T: bytemuck::Pod>(&mut self, words: &[T], to_le: fn(T) -> T) -> std::io::Result<()> {
        if cfg!(target_endian = "big") {
            words
                .iter()
                .try_for_each(|&w| self.put(bytemuck::bytes_of(&to_le(w))))
        } else {
            self.put(bytemuck::cast_slice(words))
        }
    }

    pub fn u64s(&mut self, words: &[u64]) -> std::io::Result<()> {
        self.array(words, u64::to_le)
    }

    pub fn u32s(&mut self, words: &[u32]) -> std::io::Result<()> {
        self.array(words, u32::to_le)
    }

    /// Append the checksum; the inner writer, to flush and sync.
    pub fn finish(mut self) -> std::io::Result<W> {
        let sum = self.crc.clone().finalize();
        self.inner.write_all(&sum.to_le_bytes())?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_damage_or_lengths_are_refused() {
        let mut w = CheckedWriter::new(Vec::new());
        w.u32(7).unwrap();
        w.u64s(&[1, u64::MAX, 3]).unwrap();
        w.u32s(&[9, 8]).unwrap();
        let bytes = w.finish().unwrap();
        let read = |b: &[u8]| {
            let mut r = CheckedReader::new(b, b.len() as u64);
            let got = (r.u32()?, r.u64s(3)?, r.u32s(2)?);
            r.finish().then_some(got)
        };
        assert_eq!(read(&bytes), Some((7, vec![1, u64::MAX, 3], vec![9, 8])));
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert_eq!(read(&bad), None, "byte {i} flipped");
        }
        // A length past the end is refused before anything is allocated.
        let mut r = CheckedReader::new(&bytes[..], bytes.len() as u64);
        assert_eq!(r.u64s(u64::MAX / 4), None);
        // Trailing bytes after the checksum: not a file this wrote.
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(read(&longer), None);
    }
}
