//! Keys of a database's two sled trees. Big-endian numbers, so sled's
//! byte order is numeric order and a prefix scan reads blocks in row order.
//!
//! The default tree holds write-once blocks, or rather (format 3 on)
//! where each lies in a segment file ([`super::segments::BlockRef`]):
//!
//! | key | block |
//! |---|---|
//! | `f` cat:u32 row:u32 | fact block: rows `row..` of a category, with provenance |
//! | `g` cat:u32 n:u32 | given block: given facts `n..` of a derived category |
//! | `s` id:u32 | string block: symbol ids `id..` |
//! | `l` id:u32 | list block: symbol ids `id..` |
//!
//! The `records` tree holds what every checkpoint rewrites:
//!
//! | key | value |
//! |---|---|
//! | `P` | [`super::meta::ProgramMeta`] (JSON) |
//! | `S` | [`super::meta::StateMeta`] (JSON) |
//! | `q` handler:u32 | a prioritized handler's queued events (varint deltas) |
//! | `M` | the merges that built the database ([`crate::db::merges::MergeRecord`], JSON list) |

pub const PROGRAM: &[u8] = b"P";
pub const STATE: &[u8] = b"S";
pub const MERGES: &[u8] = b"M";
pub const FACTS: u8 = b'f';
pub const GIVEN: u8 = b'g';
pub const STRINGS: u8 = b's';
pub const LISTS: u8 = b'l';
pub const QUEUE: u8 = b'q';

/// `tag` followed by `a` (a category or handler).
pub fn one(tag: u8, a: u32) -> [u8; 5] {
    let mut k = [tag, 0, 0, 0, 0];
    k[1..5].copy_from_slice(&a.to_be_bytes());
    k
}

/// `tag` followed by `a` and `b` (a category and a first row).
pub fn two(tag: u8, a: u32, b: u32) -> [u8; 9] {
    let mut k = [tag, 0, 0, 0, 0, 0, 0, 0, 0];
    k[1..5].copy_from_slice(&a.to_be_bytes());
    k[5..9].copy_from_slice(&b.to_be_bytes());
    k
}

/// The last number of a key (a block's first row or id), if well formed.
pub fn last_u32(key: &[u8], len: usize) -> Option<u32> {
    if key.len() != len {
        return None;
    }
    let b: [u8; 4] = key[len - 4..].try_into().ok()?;
    Some(u32::from_be_bytes(b))
}
