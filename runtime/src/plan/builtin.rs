//! The shape of a standard-library function, as the runtime sees it.
//!
//! The stdlib crate declares every builtin once as a [`Builtin`]: its
//! signature (read by the type checker), its interpreter function (called by
//! the reference interpreter) and its native symbol (called by JIT code).
//! The runtime only defines the shape, so it knows nothing of which
//! builtins exist.

use std::fmt;

use crate::value::{Type, Word};

/// Why an event was aborted at run time. Faults are counted, never fatal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// An int division or remainder by zero (also a float one).
    DivisionByZero,
    /// An int arithmetic result outside `i64`.
    Overflow,
    /// A value that does not convert: text that is no literal of the type,
    /// a float outside the int range.
    BadConversion,
    /// A list or string index, or slice bound, outside the value.
    IndexOutOfRange,
    /// An argument outside a builtin's domain (a range too long to
    /// build, a negative count).
    InvalidArgument,
}

impl Fault {
    /// Every fault, in code order (what the counters list).
    pub const ALL: [Fault; 5] = [
        Fault::DivisionByZero,
        Fault::Overflow,
        Fault::BadConversion,
        Fault::IndexOutOfRange,
        Fault::InvalidArgument,
    ];

    /// A stable small number for the fault, used across the native ABI.
    pub fn code(self) -> u32 {
        match self {
            Fault::DivisionByZero => 1,
            Fault::Overflow => 2,
            Fault::BadConversion => 3,
            Fault::IndexOutOfRange => 4,
            Fault::InvalidArgument => 5,
        }
    }

    /// A stable snake_case name for the fault: the key of its counter in
    /// JSON (`faults_by_kind`).
    pub fn key(self) -> &'static str {
        match self {
            Fault::DivisionByZero => "division_by_zero",
            Fault::Overflow => "overflow",
            Fault::BadConversion => "bad_conversion",
            Fault::IndexOutOfRange => "index_out_of_range",
            Fault::InvalidArgument => "invalid_argument",
        }
    }

    /// The fault whose [`Fault::code`] is `code`, if any.
    pub fn from_code(code: u32) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.code() == code)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::DivisionByZero => "division by zero",
            Fault::Overflow => "integer overflow",
            Fault::BadConversion => "failed conversion",
            Fault::IndexOutOfRange => "list index out of range",
            Fault::InvalidArgument => "invalid argument",
        })
    }
}

/// A type in a builtin's signature; `Var(n)` is a type parameter, so
/// `len: ([Var(0)]) -> Int` accepts a list of anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeSig {
    /// `int`
    Int,
    /// `float`
    Float,
    /// `str`
    Str,
    /// `bool`
    Bool,
    /// A list of the element type.
    List(&'static TypeSig),
    /// Type parameter number `n` (printed `T`, `U`, ...).
    Var(u8),
}

impl TypeSig {
    /// Instantiate with the type parameters' bindings.
    pub fn instantiate(&self, params: &[Type]) -> Option<Type> {
        Some(match self {
            TypeSig::Int => Type::Int,
            TypeSig::Float => Type::Float,
            TypeSig::Str => Type::Str,
            TypeSig::Bool => Type::Bool,
            TypeSig::List(t) => Type::list_of(t.instantiate(params)?),
            TypeSig::Var(n) => params.get(*n as usize)?.clone(),
        })
    }
}

impl fmt::Display for TypeSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeSig::Int => f.write_str("int"),
            TypeSig::Float => f.write_str("float"),
            TypeSig::Str => f.write_str("str"),
            TypeSig::Bool => f.write_str("bool"),
            TypeSig::List(t) => write!(f, "[{t}]"),
            TypeSig::Var(n) => write!(f, "{}", (b'T' + n) as char),
        }
    }
}

/// The interpreter entry of a builtin. `types` are the instantiated type
/// parameters of this call site (e.g. the element type for `sort`).
pub type EvalFn = fn(args: &[Word], types: &[Type]) -> Result<Word, Fault>;

/// One standard-library function (one overload of a name).
pub struct Builtin {
    /// The name fold programs call it by (overloads share it).
    pub name: &'static str,
    /// The parameters' types, in order (one per argument).
    pub params: &'static [TypeSig],
    /// The result's type.
    pub ret: TypeSig,
    /// How many type parameters the signature uses.
    pub type_params: u8,
    /// The reference implementation, run by the interpreter; it defines
    /// what the builtin means.
    pub eval: EvalFn,
    /// The native entry for JIT code; see [`NativeFrame`].
    pub native: NativeFn,
    /// Documentation with a fold example, shown by `foldc doc`.
    pub doc: &'static str,
}

/// Most arguments any builtin takes.
pub const MAX_ARGS: usize = 4;

/// The frame native code fills to call a builtin: arguments in, result out.
/// Passing one pointer keeps every builtin on one calling convention, and
/// the callee needs no `unsafe` to read it.
#[repr(C)]
#[derive(Debug, Default)]
pub struct NativeFrame {
    /// The arguments, the first `params.len()` of them used.
    pub args: [Word; MAX_ARGS],
    /// The result, written by the builtin when it returns 0.
    pub result: Word,
    /// The call site's instantiated type parameters, as a handle from
    /// [`intern_types`] (0: none).
    pub types: u32,
}

/// A builtin's native entry: 0 on success (result in the frame), else a
/// [`Fault::code`].
pub type NativeFn = extern "C" fn(frame: &mut NativeFrame) -> u32;

/// Run a builtin's interpreter function on a native frame. Every native
/// entry that has no faster hand-written version is this, instantiated per
/// builtin by the stdlib's declaration macro.
pub fn eval_on_frame(eval: EvalFn, arity: usize, frame: &mut NativeFrame) -> u32 {
    let types = types_of(frame.types);
    match eval(&frame.args[..arity], types) {
        Ok(w) => {
            frame.result = w;
            0
        }
        Err(fault) => fault.code(),
    }
}

/// Interned lists of types: read without a lock (native builtin calls on
/// every thread look them up), added to under a lock (by the compiler).
struct TypeLists {
    lists: boxcar::Vec<&'static [Type]>,
    adding: std::sync::Mutex<()>,
}

static TYPE_LISTS: std::sync::LazyLock<TypeLists> = std::sync::LazyLock::new(|| {
    let lists = boxcar::Vec::new();
    lists.push(&[][..]);
    TypeLists {
        lists,
        adding: std::sync::Mutex::new(()),
    }
});

/// A stable handle for a list of types, for [`NativeFrame::types`].
pub fn intern_types(types: &[Type]) -> u32 {
    let t = &*TYPE_LISTS;
    let _adding = t.adding.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((i, _)) = t.lists.iter().find(|(_, l)| **l == types) {
        return i as u32;
    }
    t.lists.push(Box::leak(types.to_vec().into_boxed_slice())) as u32
}

/// The types behind a handle from [`intern_types`] (empty if unknown).
pub fn types_of(handle: u32) -> &'static [Type] {
    TYPE_LISTS
        .lists
        .get(handle as usize)
        .copied()
        .unwrap_or(&[])
}

impl fmt::Debug for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.signature())
    }
}

/// Builtins are declared once, as statics: identity is the address.
impl PartialEq for Builtin {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Builtin {
    /// `name(a, b) -> r` for messages and docs.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self.params.iter().map(|p| p.to_string()).collect();
        format!("{}({}) -> {}", self.name, params.join(", "), self.ret)
    }
}
