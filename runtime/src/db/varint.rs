//! LEB128 varints and zigzag deltas: the packing of every block.
//!
//! Fact blocks store each field as the zigzag of its difference from the
//! same field of the previous row, so runs of equal or nearby values (a
//! join's found facts share their event's fields; ids grow slowly) take a
//! byte or two instead of eight.

/// Append `v` as a LEB128 varint (1 byte below 128, at most 10).
#[inline]
pub fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Signed to unsigned, small magnitudes to small numbers.
#[inline]
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
pub fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

/// Append the zigzag delta from `prev` to `v` (wrapping: any two words).
#[inline]
pub fn put_delta(out: &mut Vec<u8>, prev: u64, v: u64) {
    put(out, zigzag(v.wrapping_sub(prev) as i64));
}

/// Reads what [`put`] wrote; `None` on truncated or overlong input (the
/// caller names what was being read).
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    #[inline]
    pub fn u64(&mut self) -> Option<u64> {
        // Most values are deltas below 128: one byte, one branch.
        let first = *self.buf.get(self.pos)?;
        if first < 0x80 {
            self.pos += 1;
            return Some(u64::from(first));
        }
        let mut v: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            if shift == 63 && b > 1 {
                return None;
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }

    /// A varint that must fit in a `u32`.
    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        self.u64().and_then(|v| u32::try_from(v).ok())
    }

    /// The word `prev` plus a zigzag delta.
    #[inline]
    pub fn delta(&mut self, prev: u64) -> Option<u64> {
        self.u64().map(|d| prev.wrapping_add(unzigzag(d) as u64))
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let b = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_truncation() {
        let values = [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX];
        let mut out = Vec::new();
        for v in values {
            put(&mut out, v);
        }
        let mut r = Reader::new(&out);
        for v in values {
            assert_eq!(r.u64(), Some(v));
        }
        assert!(r.is_done());
        assert_eq!(r.u64(), None);
        assert_eq!(Reader::new(&[0x80]).u64(), None);
        assert_eq!(Reader::new(&[0xff; 11]).u64(), None);
    }

    #[test]
    fn deltas_of_any_words() {
        for (a, b) in [(5u64, 3u64), (0, u64::MAX), (u64::MAX, 0), (7, 7)] {
            let mut out = Vec::new();
            put_delta(&mut out, a, b);
            assert_eq!(Reader::new(&out).delta(a), Some(b));
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(unzigzag(zigzag(i64::MIN)), i64::MIN);
    }
}
