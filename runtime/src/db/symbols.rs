//! Stable ids for strings and lists.
//!
//! In memory a string or list field holds an interner id, and interner
//! ids are handed out per process in first-come order: they mean nothing
//! to the next process. The database therefore keeps its own tables:
//! string `i` and list `i` are numbered in the order the database first
//! saw them, never renumbered, and blocks store these stable ids. Loading
//! reads the tables in id order, interns every value (giving this
//! process's ids) and maps stable ids to them.
//!
//! A list entry carries its type (an index into a small table of list
//! types kept in the state record), because the interner shares one id
//! between, say, an `[int]` and a `[str]` list with the same words; its
//! elements are stable words of the element type, so nested lists and
//! lists of strings refer to entries saved before them.
//!
//! Type codes: `i` int, `f` float, `s` str, `b` bool, `L` followed by the
//! element type for a list.

use hashbrown::HashMap;
use rustc_hash::FxBuildHasher;

use super::varint::{self, Reader};
use crate::value::intern;
use crate::value::{Type, Word};

#[derive(Debug, Default)]
pub struct Symbols {
    /// Process word of each stable string id.
    strs: Vec<Word>,
    str_ids: HashMap<Word, u32, FxBuildHasher>,
    /// Process word of each stable list id.
    lists: Vec<Word>,
    list_ids: HashMap<(u32, Word), u32, FxBuildHasher>,
    /// Types of lists, by the index list entries carry.
    list_types: Vec<Type>,
    /// Ids below these are on disk.
    saved_strs: u32,
    saved_lists: u32,
    /// Entries not yet on disk, encoded.
    new_strs: Vec<u8>,
    new_lists: Vec<u8>,
}

/// Symbol entries not yet saved: the first id and the packed entries.
pub type NewBlock = (u32, Vec<u8>);

/// Whether words of these types need mapping to stable ids.
pub fn needs_mapping(types: &[Type]) -> bool {
    types.iter().any(|t| matches!(t, Type::Str | Type::List(_)))
}

pub fn type_code(ty: &Type) -> String {
    match ty {
        Type::Int => "i".into(),
        Type::Float => "f".into(),
        Type::Str => "s".into(),
        Type::Bool => "b".into(),
        Type::List(e) => format!("L{}", type_code(e)),
    }
}

pub fn parse_type_code(code: &str) -> Option<Type> {
    let (ty, rest) = parse_code(code.as_bytes())?;
    rest.is_empty().then_some(ty)
}

fn parse_code(b: &[u8]) -> Option<(Type, &[u8])> {
    let (first, rest) = b.split_first()?;
    Some(match first {
        b'i' => (Type::Int, rest),
        b'f' => (Type::Float, rest),
        b's' => (Type::Str, rest),
        b'b' => (Type::Bool, rest),
        b'L' => {
            let (e, rest) = parse_code(rest)?;
            (Type::list_of(e), rest)
        }
        _ => return None,
    })
}

impl Symbols {
    pub fn strings(&self) -> u32 {
        self.strs.len() as u32
    }

    pub fn lists(&self) -> u32 {
        self.lists.len() as u32
    }

    pub fn list_type_codes(&self) -> Vec<String> {
        self.list_types.iter().map(type_code).collect()
    }

    /// The stable word of `w`, a value of type `ty` (assigning ids to
    /// strings and lists seen for the first time).
    pub fn stable_id(&mut self, ty: &Type, w: Word) -> u64 {
        match ty {
            Type::Int | Type::Float | Type::Bool => w,
            Type::Str => {
                if let Some(&id) = self.str_ids.get(&w) {
                    return u64::from(id);
                }
                let id = self.strs.len() as u32;
                let s = intern::str_of(w);
                varint::put(&mut self.new_strs, s.len() as u64);
                self.new_strs.extend_from_slice(s.as_bytes());
                self.strs.push(w);
                self.str_ids.insert(w, id);
                u64::from(id)
            }
            Type::List(elem) => {
                let t = self.type_index(ty);
                if let Some(&id) = self.list_ids.get(&(t, w)) {
                    return u64::from(id);
                }
                // Elements first: a nested list or string gets its id
                // before the list that refers to it.
                let items: Vec<u64> = intern::list_of(w)
                    .iter()
                    .map(|&x| self.stable_id(elem, x))
                    .collect();
                let id = self.lists.len() as u32;
                varint::put(&mut self.new_lists, u64::from(t));
                varint::put(&mut self.new_lists, items.len() as u64);
                for x in items {
                    varint::put(&mut self.new_lists, x);
                }
                self.lists.push(w);
                self.list_ids.insert((t, w), id);
                u64::from(id)
            }
        }
    }

    /// The process word of stable word `s` of type `ty`; `None` for an id
    /// the tables do not have.
    #[inline]
    pub fn word_for_stable(&self, ty: &Type, s: u64) -> Option<Word> {
        match ty {
            Type::Int | Type::Float | Type::Bool => Some(s),
            Type::Str => self.strs.get(usize::try_from(s).ok()?).copied(),
            Type::List(_) => self.lists.get(usize::try_from(s).ok()?).copied(),
        }
    }

    fn type_index(&mut self, ty: &Type) -> u32 {
        match self.list_types.iter().position(|t| t == ty) {
            Some(i) => i as u32,
            None => {
                self.list_types.push(ty.clone());
                self.list_types.len() as u32 - 1
            }
        }
    }

    /// The entries assigned since the last call, as `(first id, block)`
    /// for strings and for lists (`None` when there are none).
    pub fn take_new(&mut self) -> (Option<NewBlock>, Option<NewBlock>) {
        let strs = (!self.new_strs.is_empty())
            .then(|| (self.saved_strs, std::mem::take(&mut self.new_strs)));
        let lists = (!self.new_lists.is_empty())
            .then(|| (self.saved_lists, std::mem::take(&mut self.new_lists)));
        self.saved_strs = self.strs.len() as u32;
        self.saved_lists = self.lists.len() as u32;
        (strs, lists)
    }

    /// Start loading: the list types of the state record.
    pub fn set_list_types(&mut self, codes: &[String]) -> Result<(), String> {
        self.list_types = codes
            .iter()
            .map(|c| match parse_type_code(c) {
                Some(t @ Type::List(_)) => Ok(t),
                _ => Err(format!("unknown list type code `{c}`")),
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// Load a string block whose first id is `first`.
    pub fn load_strings(&mut self, first: u32, block: &[u8]) -> Result<(), String> {
        if first != self.strs.len() as u32 {
            return Err(format!(
                "string block {first} follows {} strings",
                self.strs.len()
            ));
        }
        let mut r = Reader::new(block);
        while !r.is_done() {
            let bytes = r
                .u64()
                .and_then(|n| r.bytes(usize::try_from(n).ok()?))
                .ok_or_else(|| format!("string block {first} is truncated"))?;
            let s = std::str::from_utf8(bytes)
                .map_err(|_| format!("string block {first} holds invalid UTF-8"))?;
            let w = intern::intern_str(s);
            self.str_ids.insert(w, self.strs.len() as u32);
            self.strs.push(w);
        }
        self.saved_strs = self.strs.len() as u32;
        Ok(())
    }

    /// Load a list block whose first id is `first`.
    pub fn load_lists(&mut self, first: u32, block: &[u8]) -> Result<(), String> {
        if first != self.lists.len() as u32 {
            return Err(format!(
                "list block {first} follows {} lists",
                self.lists.len()
            ));
        }
        let bad = || format!("list block {first} is truncated or refers to unknown values");
        let mut r = Reader::new(block);
        let mut words = Vec::new();
        while !r.is_done() {
            let t = r.u32().ok_or_else(bad)?;
            let elem = match self.list_types.get(t as usize) {
                Some(Type::List(e)) => (**e).clone(),
                _ => return Err(bad()),
            };
            let n = r.u64().ok_or_else(bad)?;
            words.clear();
            for _ in 0..n {
                let s = r.u64().ok_or_else(bad)?;
                words.push(self.word_for_stable(&elem, s).ok_or_else(bad)?);
            }
            let w = intern::intern_list(&words);
            self.list_ids.insert((t, w), self.lists.len() as u32);
            self.lists.push(w);
        }
        self.saved_lists = self.lists.len() as u32;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_nested_lists_survive_a_new_table() {
        let mut a = Symbols::default();
        let s = intern::intern_str("symbols-test");
        let inner = intern::intern_list(&[s, s]);
        let outer = intern::intern_list(&[inner]);
        let nested = Type::list_of(Type::list_of(Type::Str));
        let stable = a.stable_id(&nested, outer);
        assert_eq!(a.stable_id(&nested, outer), stable);
        let (strs, lists) = a.take_new();
        let (strs, lists) = (strs.unwrap(), lists.unwrap());

        let mut b = Symbols::default();
        b.set_list_types(&a.list_type_codes()).unwrap();
        b.load_strings(strs.0, &strs.1).unwrap();
        b.load_lists(lists.0, &lists.1).unwrap();
        assert_eq!(b.word_for_stable(&nested, stable), Some(outer));
        assert!(b.load_strings(0, b"\x05ab").is_err());
        assert_eq!(parse_type_code("LLs"), Some(nested));
        assert_eq!(parse_type_code("Lx"), None);
    }
}
