//! The native boundary: how JIT-compiled handlers run.
//!
//! The compiler (`fold_compiler::codegen`) turns each handler of a plan
//! into one machine-code function, compiled against the plan alone (its
//! index ids, scratch offsets and cache slots); [`Natives`] holds them by
//! handler id for the engine. This module is everything
//! that code may touch, and the only module of the runtime allowed
//! `unsafe`:
//!
//! - [`NativeEntry`], the function's type: it receives a [`NativeCtx`] and
//!   the event tuple, and reports everything through the context;
//! - [`NativeCtx`], a `#[repr(C)]` record whose leading fields native
//!   code reads and writes at fixed offsets ([`ctx_offset`]): the
//!   constant table, the output length and the lifecycle flags that
//!   [`crate::eval::interp::Outcome`] is computed from;
//! - the callbacks native code calls for anything that needs the store or
//!   the interner ([`callbacks`]): index lookups that hand back row-id
//!   slices ([`RowsView`]), found facts, fault recording, string and list
//!   comparison, concatenation, list literals, slices;
//! - `run_event`, which [`super::Code::run_event`] takes for a handler
//!   that has native code.
//!
//! Native code never holds a reference across events: the store is only
//! read during a round, and every pointer it gets (rows, row ids, list
//! items) stays valid until the round ends. Callbacks check what they are
//! given against the store (category, index, arity) and panic on a
//! mismatch, which inside an `extern "C"` function aborts the process
//! instead of reading out of bounds: a handler compiled for another plan
//! can crash, never corrupt.
//!
//! Stdlib builtins need no callback here: each has its own native entry
//! ([`crate::plan::builtin::NativeFn`]) that native code calls directly.

#![allow(unsafe_code)]

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;

use super::event::{outcome_of, EventOutcome, Frame};
use crate::plan::builtin::{Fault, NativeFrame};
use crate::plan::{CatId, Handler, HandlerId, IndexId};
use crate::store::{Relation, Store};
use crate::value::intern;
use crate::value::{self, Type, Word};

/// A compiled handler: `ctx` is valid for the call, `tuple` points at the
/// event's words (one per field of the trigger category).
pub type NativeEntry = unsafe extern "C" fn(ctx: *mut NativeCtx<'_>, tuple: *const Word);

/// What native code reads and writes during one event. The fields up to
/// `first_fault` are the ABI (offsets in [`ctx_offset`]); the rest is for
/// the callbacks.
#[repr(C)]
pub struct NativeCtx<'a> {
    /// The handler's constant table (interned strings and lists, builtin
    /// type handles): ids depend on the process, so code loads them.
    pub consts: *const Word,
    /// The output buffer's length in words (kept by the callbacks).
    pub out_len: u64,
    /// Facts found so far by the event.
    pub facts: u32,
    /// The event got past its data stage.
    pub passed_data: u32,
    /// Some search ran to its end without a fault.
    pub searched: u32,
    /// A categorical check failed.
    pub categorical: u32,
    /// Some join matched a row.
    pub loaded: u32,
    /// Combinations (the event with one choice of friends) dropped by
    /// faults during the event.
    pub faulted: u32,
    /// The code of the event's first fault ([`Fault::code`]; 0: none).
    pub first_fault: u32,
    store: &'a Store,
    out: &'a mut Vec<Word>,
    text: &'a mut String,
    list: &'a mut Vec<Word>,
    types: &'a [Type],
}

/// Byte offsets of the [`NativeCtx`] fields native code uses.
pub mod ctx_offset {
    use super::*;
    /// Offset of [`NativeCtx::consts`].
    pub const CONSTS: i32 = offset_of!(NativeCtx<'static>, consts) as i32;
    /// Offset of [`NativeCtx::out_len`].
    pub const OUT_LEN: i32 = offset_of!(NativeCtx<'static>, out_len) as i32;
    /// Offset of [`NativeCtx::facts`].
    pub const FACTS: i32 = offset_of!(NativeCtx<'static>, facts) as i32;
    /// Offset of [`NativeCtx::passed_data`].
    pub const PASSED_DATA: i32 = offset_of!(NativeCtx<'static>, passed_data) as i32;
    /// Offset of [`NativeCtx::searched`].
    pub const SEARCHED: i32 = offset_of!(NativeCtx<'static>, searched) as i32;
    /// Offset of [`NativeCtx::categorical`].
    pub const CATEGORICAL: i32 = offset_of!(NativeCtx<'static>, categorical) as i32;
    /// Offset of [`NativeCtx::loaded`].
    pub const LOADED: i32 = offset_of!(NativeCtx<'static>, loaded) as i32;
}

/// The rows a lookup selected, as native code reads them: row `r`'s field
/// `f` is `words[r * arity + f]`; `ids` lists the row ids (null: every
/// row `0..n`); a row is dead when bit `r % 64` of `dead[r / 64]` is set
/// (`dead_words` words; none when 0).
#[repr(C)]
#[derive(Debug)]
pub struct RowsView {
    /// The selected row ids, `n` of them; null: the rows are `0..n`.
    pub ids: *const u32,
    /// Number of rows selected (length of `ids`, or of the whole relation).
    pub n: u64,
    /// The relation's words, row-major (`arity` words per row).
    pub words: *const Word,
    /// The relation's dead-row bitmap (`dead_words` words).
    pub dead: *const u64,
    /// Length of `dead` in 64-bit words (0: no row is dead).
    pub dead_words: u64,
}

/// Byte offsets and size of [`RowsView`].
pub mod view_offset {
    use super::*;
    /// Offset of [`RowsView::ids`].
    pub const IDS: i32 = offset_of!(RowsView, ids) as i32;
    /// Offset of [`RowsView::n`].
    pub const N: i32 = offset_of!(RowsView, n) as i32;
    /// Offset of [`RowsView::words`].
    pub const WORDS: i32 = offset_of!(RowsView, words) as i32;
    /// Offset of [`RowsView::dead`].
    pub const DEAD: i32 = offset_of!(RowsView, dead) as i32;
    /// Offset of [`RowsView::dead_words`].
    pub const DEAD_WORDS: i32 = offset_of!(RowsView, dead_words) as i32;
    /// Size of a [`RowsView`] in bytes (for stack slots in generated code).
    pub const SIZE: u32 = std::mem::size_of::<RowsView>() as u32;
}

/// Byte offsets and size of [`NativeFrame`] (builtin calls).
pub mod frame_offset {
    use super::*;
    /// Offset of [`NativeFrame::args`].
    pub const ARGS: i32 = offset_of!(NativeFrame, args) as i32;
    /// Offset of [`NativeFrame::result`].
    pub const RESULT: i32 = offset_of!(NativeFrame, result) as i32;
    /// Offset of [`NativeFrame::types`].
    pub const TYPES: i32 = offset_of!(NativeFrame, types) as i32;
    /// Size of a [`NativeFrame`] in bytes (for stack slots in generated code).
    pub const SIZE: u32 = std::mem::size_of::<NativeFrame>() as u32;
}

/// Native code for one handler.
#[derive(Clone)]
pub struct NativeHandler {
    handler: HandlerId,
    entry: NativeEntry,
    consts: Arc<[Word]>,
    types: Arc<[Type]>,
    /// Keeps the code mapped: whatever owns the executable memory.
    _code: Arc<dyn Send + Sync>,
}

impl NativeHandler {
    /// Wrap compiled code for `handler`.
    ///
    /// # Safety
    ///
    /// `entry` must be a function that follows this module's ABI and was
    /// generated from `handler` of the plan it will run with (a store made
    /// from that plan has exactly the plan's index ids); `consts` and
    /// `types` are the tables it was compiled against; `code` must keep
    /// the function's memory mapped and executable for as long as it lives.
    pub unsafe fn new(
        handler: HandlerId,
        entry: NativeEntry,
        consts: Vec<Word>,
        types: Vec<Type>,
        code: Arc<dyn Send + Sync>,
    ) -> NativeHandler {
        NativeHandler {
            handler,
            entry,
            consts: consts.into(),
            types: types.into(),
            _code: code,
        }
    }
}

impl fmt::Debug for NativeHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NativeHandler({})", self.handler.0)
    }
}

/// The native code of a plan's handlers, by handler id (a handler without
/// any runs on the interpreter). What the engine takes with its plan.
#[derive(Clone, Debug, Default)]
pub struct Natives {
    by_handler: Vec<Option<NativeHandler>>,
}

impl Natives {
    /// No native code: every handler runs on the interpreter.
    pub fn none() -> Natives {
        Natives::default()
    }

    /// Native code for some handlers (each knows its own handler id; a
    /// later one for the same handler replaces an earlier one).
    pub fn new(handlers: impl IntoIterator<Item = NativeHandler>) -> Natives {
        let mut by_handler: Vec<Option<NativeHandler>> = Vec::new();
        for n in handlers {
            let h = n.handler.index();
            if by_handler.len() <= h {
                by_handler.resize(h + 1, None);
            }
            by_handler[h] = Some(n);
        }
        Natives { by_handler }
    }

    /// The native code of handler `h`, if any.
    #[inline]
    pub fn get(&self, h: HandlerId) -> Option<&NativeHandler> {
        self.by_handler.get(h.index()).and_then(Option::as_ref)
    }

    /// Only the native code of the handlers `keep` accepts (the rest run
    /// on the interpreter).
    pub fn filter(self, keep: impl Fn(HandlerId) -> bool) -> Natives {
        let by_handler = self
            .by_handler
            .into_iter()
            .enumerate()
            .map(|(h, n)| n.filter(|_| keep(HandlerId(h as u32))))
            .collect();
        Natives { by_handler }
    }

    /// How many handlers run natively.
    pub fn count(&self) -> usize {
        self.by_handler.iter().filter(|n| n.is_some()).count()
    }
}

/// Run one event natively (see [`crate::eval::interp::run_event`]); `None` when
/// the tuple does not have the trigger's arity (the interpreter then
/// decides, as it does for any plan).
pub(crate) fn run_event(
    n: &NativeHandler,
    h: &Handler,
    store: &Store,
    tuple: &[Word],
    frame: &mut Frame,
    out: &mut Vec<Word>,
) -> Option<EventOutcome> {
    if tuple.len() != h.bind.len() {
        return None;
    }
    let mut ctx = NativeCtx {
        consts: n.consts.as_ptr(),
        out_len: out.len() as u64,
        facts: 0,
        passed_data: 0,
        searched: 0,
        categorical: 0,
        loaded: 0,
        faulted: 0,
        first_fault: 0,
        store,
        out,
        text: &mut frame.text,
        list: &mut frame.list,
        types: &n.types,
    };
    // Safety: `n` was built (by the unsafe `NativeHandler::new`) for this
    // handler of this plan, so the entry follows the ABI; `ctx` outlives the
    // call and `tuple` holds exactly the trigger's arity in words, which is
    // all the code reads of it.
    unsafe { (n.entry)(&mut ctx, tuple.as_ptr()) };
    let first_fault = match ctx.first_fault {
        0 => None,
        code => Some(Fault::from_code(code).unwrap_or(Fault::InvalidArgument)),
    };
    let passed_data = ctx.passed_data != 0;
    let outcome = outcome_of(
        ctx.searched != 0,
        first_fault,
        ctx.categorical != 0,
        passed_data,
    );
    let loaded_friends = if h.joins {
        ctx.loaded != 0
    } else {
        passed_data && first_fault.is_none()
    };
    Some(EventOutcome {
        outcome,
        loaded_friends,
        found: ctx.facts,
        faulted: ctx.faulted,
        fault: first_fault,
    })
}

/// The value types of callback parameters and results, for declaring them
/// in generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiType {
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer (also a word).
    I64,
    /// A 64-bit float.
    F64,
    /// A pointer (the context, a buffer, an out-parameter).
    Ptr,
}

/// One function native code may call.
#[derive(Clone, Copy, Debug)]
pub struct Callback {
    /// The symbol generated code declares and calls it by ([`sym`]).
    pub name: &'static str,
    /// The function's address in this process.
    pub addr: *const u8,
    /// Its parameters' types, in order.
    pub params: &'static [AbiType],
    /// Its result's type (`None`: returns nothing).
    pub ret: Option<AbiType>,
}

/// Names of the callbacks, for the code generator.
pub mod sym {
    /// `fold_lookup`: the rows an index lookup selects, into a [`super::RowsView`].
    pub const LOOKUP: &str = "fold_lookup";
    /// `fold_categorical`: a categorical check, keeping the lookup for a
    /// later join.
    pub const CATEGORICAL: &str = "fold_categorical";
    /// `fold_scan`: every row of a category (dead ones included).
    pub const SCAN: &str = "fold_scan";
    /// `fold_exists`: whether some current row has a key (negation).
    pub const EXISTS: &str = "fold_exists";
    /// `fold_emit`: record a found fact.
    pub const EMIT: &str = "fold_emit";
    /// `fold_fault`: count a fault and drop the combination's finds.
    pub const FAULT: &str = "fold_fault";
    /// `fold_cmp`: compare two values of a type by value order (-1, 0, 1).
    pub const CMP: &str = "fold_cmp";
    /// `fold_fmod`: float remainder, as Rust's `%`.
    pub const FMOD: &str = "fold_fmod";
    /// `fold_concat_str`: `a + b` on strings (interned result).
    pub const CONCAT_STR: &str = "fold_concat_str";
    /// `fold_concat_list`: `a + b` on lists (interned result).
    pub const CONCAT_LIST: &str = "fold_concat_list";
    /// `fold_make_list`: a list literal from its items.
    pub const MAKE_LIST: &str = "fold_make_list";
    /// `fold_list_items`: a list's items and their number.
    pub const LIST_ITEMS: &str = "fold_list_items";
    /// `fold_slice`: `base[lo..hi]` on a list or string, or a fault code.
    pub const SLICE: &str = "fold_slice";
}

/// Every callback, with its address and signature.
pub fn callbacks() -> Vec<Callback> {
    use AbiType::*;
    let cb = |name, addr: *const u8, params, ret| Callback {
        name,
        addr,
        params,
        ret,
    };
    vec![
        cb(
            sym::LOOKUP,
            fold_lookup as *const u8,
            &[Ptr, I32, I32, I32, Ptr, I32, Ptr],
            Some(I32),
        ),
        cb(
            sym::CATEGORICAL,
            fold_categorical as *const u8,
            &[Ptr, I32, I32, I32, Ptr, I32, Ptr],
            Some(I32),
        ),
        cb(
            sym::SCAN,
            fold_scan as *const u8,
            &[Ptr, I32, I32, Ptr],
            None,
        ),
        cb(
            sym::EXISTS,
            fold_exists as *const u8,
            &[Ptr, I32, I32, Ptr, I32],
            Some(I32),
        ),
        cb(
            sym::EMIT,
            fold_emit as *const u8,
            &[Ptr, I32, Ptr, I32],
            None,
        ),
        cb(
            sym::FAULT,
            fold_fault as *const u8,
            &[Ptr, I32, I64, I32],
            None,
        ),
        cb(
            sym::CMP,
            fold_cmp as *const u8,
            &[Ptr, I32, I64, I64],
            Some(I32),
        ),
        cb(sym::FMOD, fold_fmod as *const u8, &[F64, F64], Some(F64)),
        cb(
            sym::CONCAT_STR,
            fold_concat_str as *const u8,
            &[Ptr, I64, I64],
            Some(I64),
        ),
        cb(
            sym::CONCAT_LIST,
            fold_concat_list as *const u8,
            &[Ptr, I64, I64],
            Some(I64),
        ),
        cb(
            sym::MAKE_LIST,
            fold_make_list as *const u8,
            &[Ptr, Ptr, I32],
            Some(I64),
        ),
        cb(
            sym::LIST_ITEMS,
            fold_list_items as *const u8,
            &[I64, Ptr],
            Some(Ptr),
        ),
        cb(
            sym::SLICE,
            fold_slice as *const u8,
            &[Ptr, I64, I64, I64, I32, Ptr],
            Some(I32),
        ),
    ]
}

// ---- callbacks ----
//
// Each takes the context as `&mut NativeCtx` (native code passes the
// pointer it was given, valid for the whole event) and checks what it is
// told against the store before handing out pointers into it.

/// The relation `cat`, checked to have `arity` fields.
fn relation(store: &Store, cat: u32, arity: u32) -> &Relation {
    let rel = store.relation(CatId(cat));
    assert_eq!(
        rel.arity(),
        arity as usize,
        "native handler disagrees with the store on {}'s arity",
        rel.name()
    );
    rel
}

/// A lookup key from native code, checked against the index's columns.
///
/// # Safety
///
/// `key` must point at `n` readable words.
unsafe fn key_of<'k>(
    rel: &Relation,
    index: u32,
    key: *const Word,
    n: u32,
) -> (IndexId, &'k [Word]) {
    let id = IndexId(index);
    assert!(
        (index as usize) < rel.index_count() && rel.index_by(id).cols().len() == n as usize,
        "native handler names an index {} does not have",
        rel.name()
    );
    // Safety: the caller guarantees `n` words at `key`.
    let words = unsafe { std::slice::from_raw_parts(key, n as usize) };
    (id, words)
}

fn fill_view(view: &mut RowsView, rel: &Relation, ids: Option<&[u32]>) {
    match ids {
        Some(ids) => {
            view.ids = ids.as_ptr();
            view.n = ids.len() as u64;
        }
        None => {
            view.ids = std::ptr::null();
            view.n = rel.len() as u64;
        }
    }
    view.words = rel.words().as_ptr();
    let dead = if rel.has_dead() { rel.dead_bits() } else { &[] };
    view.dead = dead.as_ptr();
    view.dead_words = dead.len() as u64;
}

/// The rows of `cat` whose index columns equal the `n` key words: 1 with
/// `view` filled, or 0 when there are none.
extern "C" fn fold_lookup(
    ctx: &mut NativeCtx<'_>,
    cat: u32,
    index: u32,
    arity: u32,
    key: *const Word,
    n: u32,
    view: &mut RowsView,
) -> u32 {
    let rel = relation(ctx.store, cat, arity);
    // Safety: native code passes its key buffer holding `n` words.
    let (id, key) = unsafe { key_of(rel, index, key, n) };
    match rel.lookup(id, key) {
        Some(ids) => {
            fill_view(view, rel, Some(ids));
            1
        }
        None => 0,
    }
}

/// The categorical check: 1 (with `view` filled for the join that reuses
/// the lookup) when some current row has the key, else 0.
extern "C" fn fold_categorical(
    ctx: &mut NativeCtx<'_>,
    cat: u32,
    index: u32,
    arity: u32,
    key: *const Word,
    n: u32,
    view: &mut RowsView,
) -> u32 {
    let rel = relation(ctx.store, cat, arity);
    // Safety: native code passes its key buffer holding `n` words.
    let (id, key) = unsafe { key_of(rel, index, key, n) };
    match rel.lookup(id, key) {
        Some(ids) if !rel.has_dead() || ids.iter().any(|&r| !rel.is_dead(r)) => {
            fill_view(view, rel, Some(ids));
            1
        }
        _ => 0,
    }
}

/// Every row of `cat` (dead ones included; native code skips them).
extern "C" fn fold_scan(ctx: &mut NativeCtx<'_>, cat: u32, arity: u32, view: &mut RowsView) {
    let rel = relation(ctx.store, cat, arity);
    fill_view(view, rel, None);
}

/// Whether some current row of `cat` has the key (`index` `u32::MAX`: any
/// current row at all), as 1 or 0.
extern "C" fn fold_exists(
    ctx: &mut NativeCtx<'_>,
    cat: u32,
    index: u32,
    key: *const Word,
    n: u32,
) -> u32 {
    let rel = ctx.store.relation(CatId(cat));
    if index == u32::MAX {
        return u32::from(rel.live_len() > 0);
    }
    // Safety: native code passes its key buffer holding `n` words.
    let (id, key) = unsafe { key_of(rel, index, key, n) };
    u32::from(rel.any_live(id, key))
}

/// A found fact: `cat` with the `n` words at `args`.
extern "C" fn fold_emit(ctx: &mut NativeCtx<'_>, cat: u32, args: *const Word, n: u32) {
    let rel = relation(ctx.store, cat, n);
    debug_assert_eq!(rel.arity(), n as usize);
    // Safety: native code passes its argument buffer holding `n` words.
    let args = unsafe { std::slice::from_raw_parts(args, n as usize) };
    ctx.out.push(cat as Word);
    ctx.out.extend_from_slice(args);
    ctx.out_len = ctx.out.len() as u64;
    ctx.facts += 1;
}

/// A fault ended the combination that began when the output held `mark`
/// words and the event had found `facts` facts: count it, drop its finds.
extern "C" fn fold_fault(ctx: &mut NativeCtx<'_>, code: u32, mark: u64, facts: u32) {
    ctx.faulted += 1;
    if ctx.first_fault == 0 {
        ctx.first_fault = code;
    }
    ctx.out.truncate(mark as usize);
    ctx.out_len = ctx.out.len() as u64;
    ctx.facts = facts;
}

/// Compare two values of the handler's type `ty` by value: -1, 0 or 1.
extern "C" fn fold_cmp(ctx: &mut NativeCtx<'_>, ty: u32, a: Word, b: Word) -> i32 {
    match value::compare(&ctx.types[ty as usize], a, b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// Float remainder, as Rust's `%` (C's `fmod`).
extern "C" fn fold_fmod(a: f64, b: f64) -> f64 {
    a % b
}

extern "C" fn fold_concat_str(ctx: &mut NativeCtx<'_>, a: Word, b: Word) -> Word {
    super::values::concat_str(ctx.text, a, b)
}

extern "C" fn fold_concat_list(ctx: &mut NativeCtx<'_>, a: Word, b: Word) -> Word {
    super::values::concat_list(ctx.list, a, b)
}

/// A list literal of the `n` words at `items`.
extern "C" fn fold_make_list(_ctx: &mut NativeCtx<'_>, items: *const Word, n: u32) -> Word {
    // Safety: native code passes its buffer holding the `n` item words.
    let items = unsafe { std::slice::from_raw_parts(items, n as usize) };
    intern::intern_list(items)
}

/// The items of a list: a pointer valid for the rest of the process
/// (interned lists are never freed), and their number in `len`.
extern "C" fn fold_list_items(list: Word, len: &mut u64) -> *const Word {
    let items = intern::list_of(list);
    *len = items.len() as u64;
    items.as_ptr()
}

/// `base[lo..hi]` (flags: 1 lo given, 2 hi given, 4 a string): 0 with the
/// value in `out`, or a fault code.
extern "C" fn fold_slice(
    ctx: &mut NativeCtx<'_>,
    base: Word,
    lo: i64,
    hi: i64,
    flags: u32,
    out: &mut Word,
) -> u32 {
    let lo = (flags & 1 != 0).then_some(lo);
    let hi = (flags & 2 != 0).then_some(hi);
    match super::values::slice(ctx.text, base, lo, hi, flags & 4 != 0) {
        Ok(w) => {
            *out = w;
            0
        }
        Err(f) => f.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_where_native_code_expects_them() {
        // The ABI fields come first, in declaration order.
        assert_eq!(ctx_offset::CONSTS, 0);
        assert_eq!(ctx_offset::OUT_LEN, 8);
        assert_eq!(ctx_offset::FACTS, 16);
        assert!(ctx_offset::LOADED < offset_of!(NativeCtx<'static>, store) as i32);
        assert_eq!(view_offset::SIZE, 40);
        assert_eq!(frame_offset::ARGS, 0);
    }

    #[test]
    fn every_callback_has_a_distinct_name() {
        let cbs = callbacks();
        for (i, a) in cbs.iter().enumerate() {
            assert!(cbs[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
        }
    }
}
