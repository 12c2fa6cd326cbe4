//! The process-wide interner for strings and lists.
//!
//! Strings and lists are immutable values; interning makes each one a
//! single [`Word`] so tuples stay fixed-width. Equal values always get the
//! same id, so equality of strings and lists is equality of words.
//!
//! One global table (rather than one per database) keeps plans, builtins
//! and native code free of context pointers: an id means the same thing
//! everywhere in the process. Ids are handed out in first-come order, which
//! depends on thread timing; nothing observable depends on id order (see
//! [`crate::value::compare`]). Databases on disk store the values
//! themselves and map them back to ids on load.
//!
//! Lookups by id are lock-free (`boxcar` gives stable addresses); interning
//! takes a read lock on one of 64 shards and a write lock only on a miss.

use std::hash::{BuildHasher, Hash};
use std::sync::{LazyLock, RwLock};

use hashbrown::HashMap;
use rustc_hash::FxBuildHasher;

use crate::value::word::Word;

const SHARDS: usize = 64;

struct Interner<T: ?Sized + 'static> {
    shards: Vec<RwLock<HashMap<&'static T, u32, FxBuildHasher>>>,
    values: boxcar::Vec<&'static T>,
}

impl<T> Interner<T>
where
    T: ?Sized + Hash + Eq + 'static,
    Box<T>: for<'a> From<&'a T>,
{
    fn new() -> Self {
        Interner {
            shards: (0..SHARDS)
                .map(|_| RwLock::new(HashMap::default()))
                .collect(),
            values: boxcar::Vec::new(),
        }
    }

    fn intern(&self, value: &T) -> Word {
        let hash = FxBuildHasher.hash_one(value);
        let shard = &self.shards[(hash as usize) % SHARDS];
        {
            let map = shard.read().unwrap_or_else(|poison| poison.into_inner());
            if let Some(&id) = map.get(value) {
                return id as Word;
            }
        }
        let mut map = shard.write().unwrap_or_else(|poison| poison.into_inner());
        if let Some(&id) = map.get(value) {
            return id as Word;
        }
        // Interned values live as long as the process: leaking gives the
        // `&'static` that lets lookups hand out borrowed slices without locks.
        let stored: &'static T = Box::leak(Box::from(value));
        let id = self.values.push(stored);
        let id = u32::try_from(id).expect("more than 4 billion interned values");
        map.insert(stored, id);
        id as Word
    }

    fn get(&self, id: Word) -> &'static T {
        match self.values.get(id as usize) {
            Some(value) => value,
            None => panic!("interned id {id} was never handed out"),
        }
    }

    fn try_get(&self, id: Word) -> Option<&'static T> {
        self.values.get(usize::try_from(id).ok()?).copied()
    }

    fn len(&self) -> usize {
        self.values.count()
    }
}

static STRINGS: LazyLock<Interner<str>> = LazyLock::new(Interner::new);
static LISTS: LazyLock<Interner<[Word]>> = LazyLock::new(Interner::new);

/// The id of a string, interning it on first sight.
pub fn intern_str(s: &str) -> Word {
    STRINGS.intern(s)
}

/// The string behind an id from [`intern_str`].
pub fn str_of(id: Word) -> &'static str {
    STRINGS.get(id)
}

/// The id of a list of words, interning it on first sight.
pub fn intern_list(items: &[Word]) -> Word {
    LISTS.intern(items)
}

/// The words of a list behind an id from [`intern_list`].
pub fn list_of(id: Word) -> &'static [Word] {
    LISTS.get(id)
}

/// The string behind `id`, or `None` when no string has that id (for
/// words whose origin the type system does not vouch for).
pub fn try_str_of(id: Word) -> Option<&'static str> {
    STRINGS.try_get(id)
}

/// The list behind `id`, or `None` when no list has that id.
pub fn try_list_of(id: Word) -> Option<&'static [Word]> {
    LISTS.try_get(id)
}

/// How many strings and lists have been interned (for stats).
pub fn counts() -> (usize, usize) {
    (STRINGS.len(), LISTS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_an_id() {
        let a = intern_str("interned-twice");
        let b = intern_str(&String::from("interned-twice"));
        assert_eq!(a, b);
        assert_eq!(str_of(a), "interned-twice");
        assert_ne!(a, intern_str("interned-once"));
        let l = intern_list(&[1, 2, 3]);
        assert_eq!(l, intern_list(&[1, 2, 3]));
        assert_eq!(list_of(l), &[1, 2, 3]);
        assert_ne!(l, intern_list(&[1, 2]));
    }

    #[test]
    fn concurrent_interning_agrees() {
        use rayon::prelude::*;
        let ids: Vec<Word> = (0..10_000)
            .into_par_iter()
            .map(|i| intern_str(&format!("concurrent-{}", i % 100)))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(str_of(*id), format!("concurrent-{}", i % 100));
        }
    }
}
