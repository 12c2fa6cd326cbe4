//! Growable arrays for the store's big tables: rows, identity slots and
//! index lists.
//!
//! A small array is a `Vec`. Past [`MAP_BYTES`] the memory comes straight
//! from the kernel as an anonymous mapping that asks for transparent huge
//! pages and is populated ahead of use, a few megabytes at a time, in one
//! call each (`MADV_POPULATE_WRITE`). The reason is the cost of a fresh
//! page: filling tens of megabytes page by page through faults costs more
//! than the bytes themselves (about 5 µs a 4 KiB page on a virtual
//! machine, against a few hundred nanoseconds to copy it), and a resume
//! that reads 80 MB of saved tables spent most of its time there. With
//! huge pages it is one fault per 2 MiB; without them (the kernel may
//! refuse) populating still saves the trips through the fault handler.
//!
//! Both requests are advice: when the kernel declines either, the array
//! works the same, only slower; when a mapping cannot be made at all, the
//! array stays a `Vec`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut, Range};

use bytemuck::Pod;
#[cfg(target_os = "linux")]
use memmap2::Advice;
use memmap2::{MmapMut, MmapOptions};

/// Arrays of at least this many bytes are mapped (one huge page).
pub const MAP_BYTES: usize = 2 << 20;
/// Growing one item at a time populates this many bytes at once.
const POPULATE_AHEAD: usize = 2 << 20;

/// A growable array of plain numbers (see the module).
pub struct Buf<T: Pod> {
    mem: Mem<T>,
}

enum Mem<T> {
    Heap(Vec<T>),
    Mapped(Mapped<T>),
}

struct Mapped<T> {
    map: MmapMut,
    /// Items in use.
    len: usize,
    /// Items ever in use: those past it are still the mapping's zeroes.
    used: usize,
    /// Bytes from the start already populated.
    ready: usize,
    of: PhantomData<T>,
}

impl<T: Pod> Mapped<T> {
    /// A mapping for `cap` items (rounded up to whole huge pages), or
    /// `None` when the kernel has none to give.
    fn new(cap: usize) -> Option<Mapped<T>> {
        let bytes = cap
            .checked_mul(size_of::<T>())?
            .checked_next_multiple_of(MAP_BYTES)?;
        let map = MmapOptions::new().len(bytes).map_anon().ok()?;
        // Advice only: a kernel without transparent huge pages says no.
        #[cfg(target_os = "linux")]
        let _ = map.advise(Advice::HugePage);
        Some(Mapped {
            map,
            len: 0,
            used: 0,
            ready: 0,
            of: PhantomData,
        })
    }

    fn cap(&self) -> usize {
        self.map.len() / size_of::<T>()
    }

    /// Make sure the first `bytes` bytes are populated (and some ahead).
    fn populate(&mut self, bytes: usize) {
        if bytes <= self.ready {
            return;
        }
        let end = bytes
            .max(self.ready + POPULATE_AHEAD)
            .next_multiple_of(4096)
            .min(self.map.len());
        // Advice only: before Linux 5.14 (and elsewhere) pages fault in
        // as they are first written.
        #[cfg(target_os = "linux")]
        let _ = self
            .map
            .advise_range(Advice::PopulateWrite, self.ready, end - self.ready);
        self.ready = end;
    }

    fn items(&self) -> &[T] {
        bytemuck::cast_slice(&self.map[..self.len * size_of::<T>()])
    }

    fn items_mut(&mut self) -> &mut [T] {
        let bytes = self.len * size_of::<T>();
        bytemuck::cast_slice_mut(&mut self.map[..bytes])
    }
}

impl<T: Pod> Buf<T> {
    pub const fn new() -> Buf<T> {
        Buf {
            mem: Mem::Heap(Vec::new()),
        }
    }

    /// `n` zeroes (a mapped array has room for a quarter more before it
    /// moves).
    pub fn zeroed(n: usize) -> Buf<T> {
        let mut b = Buf::new();
        b.resize(n, T::zeroed());
        b
    }

    /// `n` zeroes like [`Buf::zeroed`], but a mapping's pages are left to
    /// fault in when first written, for an array that several threads
    /// fill at once (they then take the faults in parallel, a huge page
    /// each at a time, instead of one thread populating them all first).
    pub fn zeroed_unpopulated(n: usize) -> Buf<T> {
        Buf::zeroed_unpopulated_room(n, 0)
    }

    /// [`Buf::zeroed_unpopulated`] with room for `room` items more (at
    /// least a quarter of `n`) before the array moves: for an array known
    /// to grow by that much, growing then populates only the new part
    /// instead of copying the old into a new mapping.
    pub fn zeroed_unpopulated_room(n: usize, room: usize) -> Buf<T> {
        if n * size_of::<T>() < MAP_BYTES {
            return Buf::zeroed(n);
        }
        match Mapped::new(n.saturating_add(room.max(n / 4))) {
            Some(mut m) => {
                (m.len, m.used, m.ready) = (n, n, n * size_of::<T>());
                Buf {
                    mem: Mem::Mapped(m),
                }
            }
            None => Buf::zeroed(n),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        match &self.mem {
            Mem::Heap(v) => v.len(),
            Mem::Mapped(m) => m.len,
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Make room for `more` items past the end, populated.
    pub fn reserve(&mut self, more: usize) {
        let need = self
            .len()
            .checked_add(more)
            .expect("array length overflows");
        match &mut self.mem {
            Mem::Heap(v) => {
                if need * size_of::<T>() < MAP_BYTES {
                    v.reserve(more);
                    return;
                }
                // Growing past a huge page: move into a mapping.
                let Some(mut m) = Mapped::new(need + need / 4) else {
                    v.reserve(more);
                    return;
                };
                m.populate(need * size_of::<T>());
                (m.len, m.used) = (v.len(), v.len());
                m.items_mut().copy_from_slice(v);
                self.mem = Mem::Mapped(m);
            }
            Mem::Mapped(m) => {
                if need > m.cap() {
                    let Some(mut bigger) = Mapped::new(need.max(m.cap() * 2)) else {
                        // No mapping to be had: go on in a `Vec`.
                        let mut v = Vec::with_capacity(need);
                        v.extend_from_slice(m.items());
                        self.mem = Mem::Heap(v);
                        return;
                    };
                    bigger.populate(need * size_of::<T>());
                    (bigger.len, bigger.used) = (m.len, m.len);
                    bigger.items_mut().copy_from_slice(m.items());
                    *m = bigger;
                }
                m.populate(need * size_of::<T>());
            }
        }
    }

    #[inline]
    pub fn push(&mut self, item: T) {
        self.extend_from_slice(std::slice::from_ref(&item));
    }

    #[inline]
    pub fn extend_from_slice(&mut self, items: &[T]) {
        match &mut self.mem {
            Mem::Heap(v) if (v.len() + items.len()) * size_of::<T>() < MAP_BYTES => {
                v.extend_from_slice(items)
            }
            Mem::Mapped(m) if (m.len + items.len()) * size_of::<T>() <= m.ready => {
                let at = m.len;
                m.len += items.len();
                m.used = m.used.max(m.len);
                m.items_mut()[at..].copy_from_slice(items);
            }
            _ => {
                self.reserve(items.len());
                let at = self.len();
                self.set_len_zeroed(at + items.len());
                self[at..].copy_from_slice(items);
            }
        }
    }

    /// Append a copy of `range` of this array.
    pub fn extend_from_within(&mut self, range: Range<usize>) {
        let at = self.len();
        self.resize(at + range.len(), T::zeroed());
        self.copy_within(range, at);
    }

    /// Shorten to, or extend with `value` to, `n` items.
    pub fn resize(&mut self, n: usize, value: T) {
        let len = self.len();
        if n <= len {
            match &mut self.mem {
                Mem::Heap(v) => v.truncate(n),
                Mem::Mapped(m) => m.len = n,
            }
            return;
        }
        self.reserve(n - len);
        self.set_len_zeroed(n);
        if bytemuck::bytes_of(&value).iter().any(|&b| b != 0) {
            self[len..].fill(value);
        }
    }

    /// Grow to `n` items within the reserved room; the new ones are zero
    /// (fresh mappings are, and a shortened one is cleared here).
    fn set_len_zeroed(&mut self, n: usize) {
        match &mut self.mem {
            Mem::Heap(v) => v.resize(n, T::zeroed()),
            Mem::Mapped(m) => {
                let old = m.len;
                m.len = n;
                // Only items used before and dropped since need clearing.
                let dirty = m.used.min(n);
                if dirty > old {
                    m.items_mut()[old..dirty].fill(T::zeroed());
                }
                m.used = m.used.max(n);
            }
        }
    }

    /// The items' bytes, to read a file straight into.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        bytemuck::cast_slice_mut(self)
    }
}

impl<T: Pod> Default for Buf<T> {
    fn default() -> Self {
        Buf::new()
    }
}

impl<T: Pod> From<Vec<T>> for Buf<T> {
    fn from(v: Vec<T>) -> Self {
        Buf { mem: Mem::Heap(v) }
    }
}

impl<T: Pod> Deref for Buf<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.mem {
            Mem::Heap(v) => v,
            Mem::Mapped(m) => m.items(),
        }
    }
}

impl<T: Pod> DerefMut for Buf<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.mem {
            Mem::Heap(v) => v,
            Mem::Mapped(m) => m.items_mut(),
        }
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for Buf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped<T: Pod>(b: &Buf<T>) -> bool {
        matches!(b.mem, Mem::Mapped(_))
    }

    #[test]
    fn an_array_moves_into_a_mapping_as_it_grows_and_keeps_its_items() {
        let mut b: Buf<u64> = Buf::new();
        let n = 3 * MAP_BYTES / 8 + 17;
        for i in 0..n as u64 {
            b.push(i * 3);
        }
        assert!(mapped(&b));
        assert_eq!(b.len(), n);
        assert!(b.iter().enumerate().all(|(i, &w)| w == i as u64 * 3));
        // Past the mapping's room it moves again, items intact.
        b.extend_from_slice(&vec![7; n]);
        assert_eq!(b.len(), 2 * n);
        assert_eq!((b[n - 1], b[n], b[2 * n - 1]), ((n as u64 - 1) * 3, 7, 7));
        b.extend_from_within(1..4);
        assert_eq!(&b[2 * n..], &[3, 6, 9]);
        b.resize(5, 0);
        assert_eq!(&b[..], &[0, 3, 6, 9, 12]);
        // Items past a shortened end come back as zeroes.
        b.resize(7, 0);
        assert_eq!(&b[..], &[0, 3, 6, 9, 12, 0, 0]);
    }

    #[test]
    fn zeroed_and_resized_arrays_hold_what_was_asked() {
        for n in [0, 5, MAP_BYTES / 4 + 3] {
            let b: Buf<u32> = Buf::zeroed(n);
            assert_eq!(b.len(), n);
            assert!(b.iter().all(|&w| w == 0));
            assert_eq!(mapped(&b), n * 4 >= MAP_BYTES);
        }
        let mut b: Buf<u32> = Buf::zeroed(10);
        b.resize(MAP_BYTES, 9);
        assert!(b[..10].iter().all(|&w| w == 0) && b[10..].iter().all(|&w| w == 9));
        b.bytes_mut()[0] = 1;
        assert_eq!(b[0], u32::from_le_bytes([1, 0, 0, 0]));
        assert_eq!(format!("{:?}", Buf::from(vec![1u32, 2])), "[1, 2]");
    }
}
