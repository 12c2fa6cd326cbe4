//! The plan: the contract between the compiler and the runtime.
//!
//! A program becomes categories of facts and, for every rule, one
//! [`Handler`] per atom position that can receive a new fact (its
//! *trigger*). A handler receives one event tuple, binds its fields into
//! numbered slots, and runs its [`Op`]s in lifecycle order:
//!
//! 1. [`Op::Categorical`]: the automatic *abort categorically*: the friend
//!    index has no row for the join key, so the event stops before loading
//!    anything;
//! 2. [`Op::Abort`] with [`Stage::Data`]: *abort data*;
//! 3. [`Op::Join`] / [`Op::NotExists`]: *friends*, index lookups; a join
//!    runs its `body` once per matching row, or, when nothing after it
//!    reads what it binds ([`Op::Join`]'s `exists`), once for the first;
//! 4. [`Op::Abort`] with [`Stage::Friends`]: *abort friends*;
//! 5. [`Op::Search`]: the event got past its friends: from here on run
//!    `let`, `if`, `for` and [`Op::Find`], the found facts.
//!
//! [`Op::Let`] and [`Op::Aggregate`] may stand at any point once their
//! inputs are bound. Everything is typed: operators carry the type they
//! act on, so neither the interpreter nor native code inspects values to
//! decide what to do.
//!
//! The plan is plain data; [`crate::plan::print`] renders it for
//! `foldc emit plan`.

pub mod builtin;
pub mod finds;
pub mod print;
pub mod slots;
pub mod typing;
mod verify;

pub use verify::{verify, VerifyError};

use crate::plan::builtin::Builtin;
use crate::value::{Type, Word};

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            #[inline]
            /// This id as a position in the list it indexes.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

define_id!(
    /// A category of facts: an index into [`Plan::categories`].
    CatId
);
define_id!(
    /// A rule: an index into [`Plan::rules`].
    RuleId
);
define_id!(
    /// A handler: an index into [`Plan::handlers`].
    HandlerId
);
define_id!(
    /// A register of a handler's frame: an index below [`Handler::slots`].
    Slot
);
define_id!(
    /// An index of one category: an index into [`Category::indexes`].
    IndexId
);

/// The whole compiled program.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Every declared category; a [`CatId`] indexes this list.
    pub categories: Vec<Category>,
    /// Every rule, lifecycle and Datalog alike; a [`RuleId`] indexes this list.
    pub rules: Vec<Rule>,
    /// Every rule's handlers, one per trigger position; a [`HandlerId`]
    /// indexes this list.
    pub handlers: Vec<Handler>,
    /// In evaluation order: every category a stratum reads negatively or
    /// through an aggregate is complete before the stratum starts.
    pub strata: Vec<Stratum>,
    /// The CSV files loaded before a run, each into one category.
    pub inputs: Vec<Input>,
    /// Categories written as CSV by `foldc run --out`, in declaration order.
    pub outputs: Vec<CatId>,
    /// Ground facts written in the program text (`edge(1, 2).`).
    pub facts: Vec<GroundFact>,
    /// The program's `example` declarations, in source order (checked by
    /// `foldc test`).
    pub examples: Vec<Example>,
}

impl Plan {
    /// The category `id` names (panics on an id from another plan).
    pub fn category(&self, id: CatId) -> &Category {
        &self.categories[id.index()]
    }
    /// The rule `id` names (panics on an id from another plan).
    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }
    /// The handler `id` names (panics on an id from another plan).
    pub fn handler(&self, id: HandlerId) -> &Handler {
        &self.handlers[id.index()]
    }
    /// The category declared as `name`, if any.
    pub fn category_named(&self, name: &str) -> Option<CatId> {
        self.categories
            .iter()
            .position(|c| c.name == name)
            .map(|i| CatId(i as u32))
    }
}

/// A declared category (`data name(fields) key(...) keep min(f)`).
#[derive(Debug, Clone)]
pub struct Category {
    /// The category's name as declared (also the CSV file stem).
    pub name: String,
    /// The category's columns, in declaration order (a tuple's field `i` is
    /// `fields[i]`).
    pub fields: Vec<Field>,
    /// Field positions that identify a fact; `None`: the whole tuple.
    pub key: Option<Vec<usize>>,
    /// Which of several facts with the same key stays current.
    pub keep: Keep,
    /// Working state: not exported by default, not shared by workers.
    pub private: bool,
    /// The indexes handlers read, by [`IndexId`]: each the list of
    /// columns it is keyed on (never empty, no column twice).
    pub indexes: Vec<Vec<usize>>,
}

impl Category {
    /// Number of fields of a fact of this category.
    pub fn arity(&self) -> usize {
        self.fields.len()
    }
    /// The type of each field, in field order.
    pub fn types(&self) -> Vec<Type> {
        self.fields.iter().map(|f| f.ty.clone()).collect()
    }
}

#[derive(Debug, Clone)]
/// One column of a category.
pub struct Field {
    /// The field's declared name (the CSV header).
    pub name: String,
    /// The type of every value in this column.
    pub ty: Type,
}

/// Among facts with equal key, the one that stays. Only meaningful for
/// keyed categories; the choice never depends on arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The least whole tuple by value order.
    Least,
    /// The fact with the least value in this field (ties: least tuple).
    Min(usize),
    /// The fact with the greatest value in this field (ties: least tuple).
    Max(usize),
}

#[derive(Debug, Clone)]
/// A rule of the program: its handlers react to new facts of its atoms.
pub struct Rule {
    /// The rule's name: `rule NAME:` or, for Datalog rules, `head@line`.
    pub name: String,
    /// 1-based source line of the rule, for messages.
    pub line: u32,
    /// Which syntax the rule was written in.
    pub form: RuleForm,
    /// The categories of the rule's positive atoms, in source order (the
    /// `on` atom first); a handler's `position` indexes this list.
    pub atoms: Vec<CatId>,
    /// The rule's handlers, one per atom position that can receive a new
    /// fact.
    pub handlers: Vec<HandlerId>,
}

/// The syntax a rule was written in (both lower to the same handlers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleForm {
    /// `rule NAME: on ... find ...`.
    Lifecycle,
    /// `head :- body.`
    Datalog,
}

/// One group of rules evaluated to a fixpoint together.
#[derive(Debug, Clone)]
pub struct Stratum {
    /// Categories whose facts this stratum's rules find.
    pub categories: Vec<CatId>,
    /// Handlers of this stratum's rules (one per trigger position).
    pub handlers: Vec<HandlerId>,
}

/// How a rule reacts when a fact of `trigger` arrives at one atom position.
#[derive(Debug, Clone)]
pub struct Handler {
    /// The rule this handler belongs to.
    pub rule: RuleId,
    /// Which atom of the rule the event fact fills (0 is the `on` atom).
    pub position: u32,
    /// The category whose new facts (events) this handler receives.
    pub trigger: CatId,
    /// Number of slots in the frame.
    pub slots: u32,
    /// The type of each slot (for printing and native code).
    pub slot_types: Vec<Type>,
    /// Slot names, for printing and provenance (`a`, `b`, `$3`...).
    pub slot_names: Vec<String>,
    /// How each field of the event tuple binds (one entry per field).
    pub bind: Vec<Bind>,
    /// Lower runs first; uses only data slots.
    pub priority: Option<Priority>,
    /// The ops run for each event, in lifecycle order (module docs).
    pub body: Vec<Op>,
    /// Words of the frame's scratch area for lookup keys ([`Key::at`]).
    pub scratch: u32,
    /// Lookups of categorical checks remembered for a later join
    /// ([`Op::Categorical`]'s `cache`, [`Key::cached`]).
    pub cache_slots: u32,
    /// Whether the body joins any friend (an event without joins has
    /// "loaded its friends" once past its data stage).
    pub joins: bool,
    /// Every index the body reads, sorted, each once: what must be up to
    /// date before the handler's events run.
    pub reads: Vec<(CatId, IndexId)>,
}

/// A handler's priority: an expression of the data's slots, int or float.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    /// The priority value, computed from the event's data slots.
    pub expr: Expr,
    /// Whether `expr` is a float (else an int).
    pub float: bool,
}

/// What to do with one field of a tuple being matched.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    /// A wildcard or a variable nobody reads.
    Ignore,
    /// The first occurrence of a variable: store the field in the slot.
    Store(Slot),
    /// A later occurrence of a variable, or a constant or expression in an
    /// atom: the field must equal this value, else the row does not match.
    Check(Expr),
}

/// The lifecycle stage an abort belongs to (for the counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before friends are loaded: the abort ends the event.
    Data,
    /// With a combination of friends loaded: the abort drops that
    /// combination.
    Friends,
}

/// One step of a handler.
#[derive(Debug, Clone)]
pub enum Op {
    /// Abort categorically unless `cat` has a row whose key columns equal
    /// the key. Only placed before any join; ends the whole event. The
    /// group found is remembered in cache slot `cache` for a later join
    /// with the same key ([`Key::cached`]).
    Categorical {
        /// The friend category whose index is probed.
        cat: CatId,
        /// The lookup; a miss aborts the event.
        key: Key,
        /// Cache slot (below [`Handler::cache_slots`]) keeping the group
        /// found.
        cache: u32,
    },
    /// Abort when `cond` holds. In the data stage this ends the event; in
    /// the friends stage it drops the current combination of friends.
    Abort {
        /// Which stage's counter the abort counts in, and what it ends.
        stage: Stage,
        /// The bool condition; the abort happens when it is true.
        cond: Expr,
    },
    /// `let slot = expr`.
    Let {
        /// The slot bound, first written here.
        slot: Slot,
        /// The value, of the slot's type.
        expr: Expr,
    },
    /// For each current row of `cat` the source selects: apply `bind` to
    /// the other fields and, when they match, run `body`.
    Join {
        /// The friend category read.
        cat: CatId,
        /// Which of its rows are candidates.
        source: Source,
        /// `(field, bind)` for the fields not in the key.
        bind: Vec<(usize, Bind)>,
        /// Run once per matching row.
        body: Vec<Op>,
        /// An existence check: nothing in `body` reads a slot `bind`
        /// stores, so every matching row would run `body` alike and find
        /// the same facts. `body` runs for the first matching row only
        /// (the first that faults counts as the one): one combination
        /// stands for all, and its finds and faults count once.
        exists: bool,
    },
    /// Stratified negation: continue only when the source selects no
    /// current row of `cat` (other fields are wildcards).
    NotExists {
        /// The negated category (complete before this stratum).
        cat: CatId,
        /// Which of its rows would contradict the negation.
        source: Source,
    },
    /// `let slot = count|sum|min|max ... : atom` over the current rows of a
    /// complete category: rows are selected like [`Op::Join`]; for each match
    /// `value` is evaluated (not for count). Empty count and sum are 0; an
    /// empty min or max aborts the binding (there is no value).
    Aggregate {
        /// The slot the result is bound to.
        slot: Slot,
        /// Which aggregate.
        kind: AggKind,
        /// The type of the aggregated value (int or float; int for count).
        ty: Type,
        /// The aggregated category (complete before this stratum).
        cat: CatId,
        /// Which of its rows are candidates.
        source: Source,
        /// `(field, bind)` for the fields not in the key; a row matches
        /// when every check holds.
        bind: Vec<(usize, Bind)>,
        /// The aggregated expression per matching row; `None` for count.
        value: Option<Expr>,
    },
    /// The event got past its friends stage (counted), then the search.
    Search {
        /// The search stage: everything after the friends.
        body: Vec<Op>,
    },
    /// `if cond { then } else { els }`.
    If {
        /// The bool condition.
        cond: Expr,
        /// Run when `cond` holds.
        then: Vec<Op>,
        /// Run otherwise (often empty).
        els: Vec<Op>,
    },
    /// `for slot in list { body }`; `elem` is the element type.
    For {
        /// The loop variable's slot, bound to each element in turn.
        slot: Slot,
        /// The type of the list's elements.
        elem: Type,
        /// The list iterated, in order.
        list: Expr,
        /// Run once per element.
        body: Vec<Op>,
    },
    /// `for slot in lo..hi { body }` without building the list (from
    /// `for x in range(lo, hi)`).
    ForRange {
        /// The loop variable's slot, bound to each int in turn.
        slot: Slot,
        /// The first value (int, inclusive).
        lo: Expr,
        /// The end (int, exclusive); nothing runs when `hi <= lo`.
        hi: Expr,
        /// Run once per value.
        body: Vec<Op>,
    },
    /// Found: the fact `cat(args)`.
    Find {
        /// The category of the found fact.
        cat: CatId,
        /// One expression per field of `cat`.
        args: Vec<Expr>,
    },
}

/// Which rows of a category a join, negation or aggregate reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Every current row (no column is bound).
    All,
    /// The rows an index lookup selects.
    Index(Key),
}

impl Source {
    /// The key columns (none for [`Source::All`]).
    pub fn cols(&self) -> &[usize] {
        match self {
            Source::All => &[],
            Source::Index(k) => &k.cols,
        }
    }
}

/// An index lookup: rows whose columns `cols` equal the words of `exprs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The category's index on `cols`.
    pub index: IndexId,
    /// The columns of the category compared with the key, in index order
    /// (the index's own column list).
    pub cols: Vec<usize>,
    /// One expression per column of `cols`.
    pub exprs: Vec<Expr>,
    /// Offset of the key's words in the frame's scratch area.
    pub at: u32,
    /// A join only: reuse the group its categorical check found, kept in
    /// this cache slot (nothing between them changes the key's slots).
    pub cached: Option<u32>,
}

impl Key {
    /// A lookup whose physical fields (index, scratch offset, cache) are
    /// still to be chosen: lowering fills them in one pass afterwards.
    pub fn unplaced(cols: Vec<usize>, exprs: Vec<Expr>) -> Key {
        Key {
            index: IndexId(u32::MAX),
            cols,
            exprs,
            at: 0,
            cached: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// Which aggregate an [`Op::Aggregate`] computes.
pub enum AggKind {
    /// The number of matching rows (type int).
    Count,
    /// The sum of the values (0 when none match).
    Sum,
    /// The least value (no binding when none match).
    Min,
    /// The greatest value (no binding when none match).
    Max,
}

/// A typed expression over slots.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant word of the given type (strings and lists interned).
    Const(Word, Type),
    /// The value bound in a slot of the frame.
    Slot(Slot),
    /// A unary operator applied to its operand.
    Unary(UnOp, Box<Expr>),
    /// A binary operator applied to its left and right operands.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Short-circuit `&&`.
    And(Box<Expr>, Box<Expr>),
    /// Short-circuit `||`.
    Or(Box<Expr>, Box<Expr>),
    /// A builtin call; `types` are the instantiated type parameters.
    Call {
        /// The standard-library function called.
        func: &'static Builtin,
        /// The types its type variables stand for here, by variable number.
        types: Vec<Type>,
        /// One argument per parameter.
        args: Vec<Expr>,
    },
    /// `[a, b, c]` (interned).
    List(Vec<Expr>),
    /// `xs[i]`, faulting when out of range.
    Index(Box<Expr>, Box<Expr>),
    /// `xs[i..j]` (either bound optional); `is_str` slices a string by
    /// characters (never splitting a UTF-8 sequence). Bounds outside
    /// `0..=len`, or `i > j`, fault.
    Slice {
        /// The list or string sliced.
        base: Box<Expr>,
        /// The first element (character, for a string) kept; `None`: from the start.
        lo: Option<Box<Expr>>,
        /// The end, exclusive (int); `None`: to the end.
        hi: Option<Box<Expr>>,
        /// Whether `base` is a string (slice by characters) rather than a list.
        is_str: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// Unary operators, each at one type.
pub enum UnOp {
    /// `-x` on an int; negating `i64::MIN` faults (overflow).
    NegInt,
    /// `-x` on a float.
    NegFloat,
    /// `!x` on a bool.
    Not,
}

/// Binary operators, each at one type. Int arithmetic is checked:
/// overflow and division by zero fault.
#[derive(Debug, Clone, PartialEq)]
pub enum BinOp {
    /// `a + b` on ints; overflow faults.
    AddInt,
    /// `a - b` on ints; overflow faults.
    SubInt,
    /// `a * b` on ints; overflow faults.
    MulInt,
    /// `a / b` on ints, rounding toward zero; a zero divisor or
    /// `i64::MIN / -1` faults.
    DivInt,
    /// `a % b` on ints, with the sign of `a`; a zero divisor faults.
    RemInt,
    /// `a + b` on floats (IEEE).
    AddFloat,
    /// `a - b` on floats (IEEE).
    SubFloat,
    /// `a * b` on floats (IEEE).
    MulFloat,
    /// `a / b` on floats; a zero divisor faults.
    DivFloat,
    /// `a % b` on floats, with the sign of `a`; a zero divisor faults.
    RemFloat,
    /// `str + str`.
    ConcatStr,
    /// `[T] + [T]`.
    ConcatList,
    /// `==`, `!=`, `<`, ... at a type. Equality of int, bool, str and list
    /// is equality of words; floats compare as IEEE numbers.
    Cmp(CmpOp, Type),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A comparison, applied at the type named beside it in [`BinOp::Cmp`].
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// An input CSV for a category.
#[derive(Debug, Clone)]
pub struct Input {
    /// The category the file's rows are facts of.
    pub cat: CatId,
    /// Already resolved against the program's directory.
    pub path: std::path::PathBuf,
}

/// A fact written in the program text.
#[derive(Debug, Clone)]
pub struct GroundFact {
    /// The category the fact belongs to.
    pub cat: CatId,
    /// The fact's fields as words, one per field of the category (strings
    /// and lists interned in the plan's interner).
    pub tuple: Vec<Word>,
    /// 1-based source line.
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// What an example expects of its rules.
pub enum ExampleKind {
    /// Finds exactly the listed facts.
    Hit,
    /// Finds nothing.
    Miss,
    /// Finds nothing, but some event gets past its friends stage.
    NearMiss,
}

/// `example TARGET hit|miss|near_miss: given => expected`. The target is a
/// lifecycle rule, or a category standing for the Datalog rules that find
/// it.
#[derive(Debug, Clone)]
pub struct Example {
    /// The rules the example runs: the lifecycle rule it names, or every
    /// Datalog rule that finds the category it names.
    pub rules: Vec<RuleId>,
    /// What the rules must find given the facts.
    pub kind: ExampleKind,
    /// How messages name the example: the target and the kind
    /// (`reach hit`).
    pub name: String,
    /// The facts the example starts from (`given`).
    pub given: Vec<GroundFact>,
    /// The facts a `hit` example must find, exactly (empty otherwise).
    pub expected: Vec<GroundFact>,
    /// 1-based source line of the `example` declaration, for messages.
    pub line: u32,
}
