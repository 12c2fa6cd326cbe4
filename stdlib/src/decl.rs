//! How a builtin is declared, and the helpers its body uses.
//!
//! Each domain file holds one [`builtins!`] block. A declaration reads like
//! the signature `foldc doc` prints, with the doc comment that `foldc doc`
//! shows and the interpreter body:
//!
//! ```text
//! builtins! {
//!     /// Lowercase a string.
//!     ///
//!     ///     lower("Little")   // "little"
//!     LOWER: lower(str) -> str = |a, _| Ok(new_str(&text(a[0]).to_lowercase()));
//! }
//! ```
//!
//! The macro makes a `pub static LOWER: Builtin` with its own native entry
//! (a distinct `extern "C"` function running the body on a `NativeFrame`),
//! and the domain's `BUILTINS` table in declaration order.

use fold_runtime::plan::builtin::{Fault, TypeSig};
use fold_runtime::value::intern;
use fold_runtime::value::{Type, Word};

/// Longest string (in bytes) a builtin builds by repetition (`repeat`,
/// `replace`, `join`). Interned strings live as long as the process, so a
/// runaway multiplication must fault instead of exhausting memory. A whole
/// novel is a few MiB; 64 MiB leaves room for any real text.
pub const MAX_STR_BYTES: usize = 64 << 20;

/// Most elements `range` may produce.
pub const MAX_RANGE_LEN: i64 = 10_000_000;

/// A signature type, written as fold writes it: `int`, `float`, `str`,
/// `bool`, `T` (the first type parameter) or `[elem]`.
macro_rules! sig {
    (int) => {
        ::fold_runtime::plan::builtin::TypeSig::Int
    };
    (float) => {
        ::fold_runtime::plan::builtin::TypeSig::Float
    };
    (str) => {
        ::fold_runtime::plan::builtin::TypeSig::Str
    };
    (bool) => {
        ::fold_runtime::plan::builtin::TypeSig::Bool
    };
    (T) => {
        ::fold_runtime::plan::builtin::TypeSig::Var(0)
    };
    ([$elem:tt]) => {
        ::fold_runtime::plan::builtin::TypeSig::List(&sig!($elem))
    };
}

/// Declares a domain's builtins; see the module docs for the form.
macro_rules! builtins {
    ($(
        $(#[doc = $doc:literal])*
        $static_name:ident : $name:ident ( $($param:tt),* ) -> $ret:tt = $body:expr;
    )*) => {
        $(
            // The doc text goes into `Builtin::doc`, not into rustdoc: its
            // indented fold examples would otherwise be compiled as doctests.
            #[doc = concat!("The builtin `", stringify!($name), "`; see its `doc` field.")]
            pub static $static_name: ::fold_runtime::plan::builtin::Builtin = {
                // Full paths, no `use`: imports here would leak into `$body`.
                const PARAMS: &[::fold_runtime::plan::builtin::TypeSig] = &[$(sig!($param)),*];
                const RET: ::fold_runtime::plan::builtin::TypeSig = sig!($ret);
                const BODY: ::fold_runtime::plan::builtin::EvalFn = $body;
                const DOC_LINES: &[&str] = &[$($doc),*];
                const DOC_BYTES: [u8; $crate::decl::doc_len(DOC_LINES)] =
                    $crate::decl::doc_join(DOC_LINES);

                fn eval(
                    args: &[::fold_runtime::value::Word],
                    types: &[::fold_runtime::value::Type],
                ) -> Result<::fold_runtime::value::Word, ::fold_runtime::plan::builtin::Fault> {
                    // A wrong argument count is a caller's bug, but it must
                    // still be a fault and not an index panic in the body.
                    if args.len() != PARAMS.len() {
                        return Err(::fold_runtime::plan::builtin::Fault::InvalidArgument);
                    }
                    BODY(args, types)
                }

                extern "C" fn native(frame: &mut ::fold_runtime::plan::builtin::NativeFrame) -> u32 {
                    ::fold_runtime::plan::builtin::eval_on_frame(eval, PARAMS.len(), frame)
                }

                ::fold_runtime::plan::builtin::Builtin {
                    name: stringify!($name),
                    params: PARAMS,
                    ret: RET,
                    type_params: $crate::decl::type_params(PARAMS, &RET),
                    eval,
                    native,
                    doc: $crate::decl::doc_str(&DOC_BYTES),
                }
            };
        )*

        /// This domain's builtins, in declaration order.
        pub static BUILTINS: &[&::fold_runtime::plan::builtin::Builtin] = &[$(&$static_name),*];
    };
}

/// How many type parameters a signature uses (highest `Var` index + 1).
pub const fn type_params(params: &[TypeSig], ret: &TypeSig) -> u8 {
    let mut most = vars_in(ret);
    let mut i = 0;
    while i < params.len() {
        let n = vars_in(&params[i]);
        if n > most {
            most = n;
        }
        i += 1;
    }
    most
}

const fn vars_in(t: &TypeSig) -> u8 {
    match t {
        TypeSig::Var(n) => *n + 1,
        TypeSig::List(elem) => vars_in(elem),
        _ => 0,
    }
}

// `///` comments reach the macro as one literal per line, each starting with
// the space after the slashes. These join them at compile time, dropping
// that one space, so `Builtin::doc` is plain Markdown with examples indented
// by exactly four spaces.

/// Length of the joined doc text.
pub const fn doc_len(lines: &[&str]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].as_bytes();
        len += line.len() + 1 - leading_space(line);
        i += 1;
    }
    // No newline after the last line.
    len.saturating_sub(1)
}

/// The joined doc text; `N` is [`doc_len`] of the same lines.
pub const fn doc_join<const N: usize>(lines: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].as_bytes();
        if i > 0 {
            out[at] = b'\n';
            at += 1;
        }
        let mut j = leading_space(line);
        while j < line.len() {
            out[at] = line[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// The joined doc as text. Dropping ASCII spaces keeps UTF-8 valid, so the
/// panic can only fire at compile time on a broken `doc_join`.
pub const fn doc_str(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("builtin doc is not UTF-8"),
    }
}

const fn leading_space(line: &[u8]) -> usize {
    if !line.is_empty() && line[0] == b' ' {
        1
    } else {
        0
    }
}

/// The text of a string word.
pub fn text(w: Word) -> &'static str {
    intern::str_of(w)
}

/// A new string word.
pub fn new_str(s: &str) -> Word {
    intern::intern_str(s)
}

/// The elements of a list word.
pub fn items(w: Word) -> &'static [Word] {
    intern::list_of(w)
}

/// A new list word.
pub fn new_list(items: &[Word]) -> Word {
    intern::intern_list(items)
}

/// A length or index as an int word. Lengths always fit: no allocation
/// exceeds `isize::MAX` bytes.
pub fn from_len(n: usize) -> Word {
    fold_runtime::value::from_int(n as i64)
}

/// The call site's first type parameter (`T`). Missing means the caller did
/// not instantiate a generic builtin: a fault, not a guess.
pub fn type_param(types: &[Type]) -> Result<&Type, Fault> {
    types.first().ok_or(Fault::InvalidArgument)
}

/// Faults when a string about to be built would exceed [`MAX_STR_BYTES`];
/// `None` is a size that overflowed `usize` while being computed.
pub fn check_str_size(bytes: Option<usize>) -> Result<(), Fault> {
    match bytes {
        Some(n) if n <= MAX_STR_BYTES => Ok(()),
        _ => Err(Fault::InvalidArgument),
    }
}

#[cfg(test)]
pub mod testing {
    //! Shorthands for the domain tests.

    use fold_runtime::plan::builtin::{Builtin, Fault};
    use fold_runtime::value::{self, Type, Word};

    pub fn s(text: &str) -> Word {
        super::new_str(text)
    }

    pub fn i(v: i64) -> Word {
        value::from_int(v)
    }

    pub fn f(v: f64) -> Word {
        value::from_float(v)
    }

    pub fn b(v: bool) -> Word {
        value::from_bool(v)
    }

    pub fn strs(items: &[&str]) -> Word {
        let words: Vec<Word> = items.iter().map(|t| s(t)).collect();
        super::new_list(&words)
    }

    pub fn ints(items: &[i64]) -> Word {
        let words: Vec<Word> = items.iter().map(|v| i(*v)).collect();
        super::new_list(&words)
    }

    /// Call a builtin's interpreter entry.
    pub fn call(builtin: &Builtin, args: &[Word]) -> Result<Word, Fault> {
        (builtin.eval)(args, &[])
    }

    /// Call a generic builtin with `T` bound to `t`.
    pub fn call_t(builtin: &Builtin, t: Type, args: &[Word]) -> Result<Word, Fault> {
        (builtin.eval)(args, &[t])
    }
}
