//! The untyped syntax tree of a fold program.
//!
//! Every node carries the byte [`Span`] it was parsed from, so later stages
//! can point at it. Parsing never fails as a whole: where the text is
//! broken the parser leaves an `Error` node and records a
//! [`crate::ParseError`], and the rest of the file is still parsed.

use std::fmt;

/// A byte range in the source file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Data(DataDecl),
    Input(InputDecl),
    Output(OutputDecl),
    /// `rule NAME: on ... find ...`
    Rule(LifecycleRule),
    /// `head :- body.` and ground facts `head.` (empty body).
    Clause(Clause),
    Example(ExampleDecl),
    /// Text that did not parse; the error was recorded.
    Error(Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Data(d) => d.span,
            Item::Input(d) => d.span,
            Item::Output(d) => d.span,
            Item::Rule(r) => r.span,
            Item::Clause(c) => c.span,
            Item::Example(e) => e.span,
            Item::Error(s) => *s,
        }
    }
}

/// `[private] data name(field: type, ...) [key(f, ...)] [keep min|max(f)]`
#[derive(Clone, Debug, PartialEq)]
pub struct DataDecl {
    pub private: bool,
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub key: Option<KeyDecl>,
    pub keep: Option<KeepDecl>,
    /// The field list did not parse (the error was recorded); the fields
    /// are unknown.
    pub broken: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `int`, `float`, `str`, `bool`, or an unknown name (a checker error).
    Named(Ident),
    /// `[T]`
    List(Box<TypeExpr>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(i) => i.span,
            TypeExpr::List(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyDecl {
    pub fields: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeepDecl {
    /// `min` or `max` as written (anything else is a checker error).
    pub kind: Ident,
    pub field: Ident,
    pub span: Span,
}

/// `input CAT from "path"`
#[derive(Clone, Debug, PartialEq)]
pub struct InputDecl {
    pub category: Ident,
    pub path: String,
    pub path_span: Span,
    pub span: Span,
}

/// `output CAT`
#[derive(Clone, Debug, PartialEq)]
pub struct OutputDecl {
    pub category: Ident,
    pub span: Span,
}

/// `name(arg, ...)`: a fact pattern. Arguments are expressions; `_` is
/// [`ExprKind::Wildcard`].
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// An atom in a `friends` list: `atom` or `!atom`.
#[derive(Clone, Debug, PartialEq)]
pub struct FriendAtom {
    pub negated: bool,
    pub atom: Atom,
    pub span: Span,
}

/// `rule NAME:` followed by its stages.
#[derive(Clone, Debug, PartialEq)]
pub struct LifecycleRule {
    pub name: Ident,
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// One line of a lifecycle rule. The parser accepts them in any order; the
/// checker enforces the lifecycle order.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    On(Atom),
    AbortWhen(Expr),
    Friends(Vec<FriendAtom>, Span),
    Let(Let),
    Find(Atom),
    Search(Block),
    Priority(Expr),
}

impl Stage {
    pub fn span(&self) -> Span {
        match self {
            Stage::On(a) | Stage::Find(a) => a.span,
            Stage::AbortWhen(e) | Stage::Priority(e) => e.span,
            Stage::Friends(_, s) => *s,
            Stage::Let(l) => l.span,
            Stage::Search(b) => b.span,
        }
    }
}

/// `let x = value`
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    pub var: Ident,
    pub value: LetValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    Expr(Expr),
    Aggregate(Aggregate),
}

/// `count atom`, `sum x : atom`, `min x : atom`, `max x : atom`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// The aggregate's name as written (`count`, `sum`, `min`, `max`).
    pub kind: Ident,
    /// The aggregated variable (absent for `count`).
    pub var: Option<Ident>,
    pub atom: Atom,
    pub span: Span,
}

/// `{ stmt* }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Let(Let),
    Find(Atom),
    If(IfStmt),
    For(ForStmt),
    Error(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfStmt {
    pub cond: Expr,
    pub then: Block,
    /// `else { }` or `else if ...` (as a block holding one `If`).
    pub els: Option<Block>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForStmt {
    pub var: Ident,
    pub iter: Expr,
    pub body: Block,
    pub span: Span,
}

/// `head :- item, item, ... .` or the ground fact `head.`
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub head: Atom,
    pub body: Vec<BodyItem>,
    pub span: Span,
}

/// One item of a Datalog body. Whether `name(...)` is an atom or a call to
/// a builtin returning `bool` is decided by the checker, which knows the
/// categories.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyItem {
    /// An atom, a negated atom (`!atom`) or a condition.
    Expr(Expr),
    /// `lhs = rhs`: a `let` when `lhs` is a variable not yet bound, else an
    /// equality test.
    Assign(Expr, LetValue, Span),
}

impl BodyItem {
    pub fn span(&self) -> Span {
        match self {
            BodyItem::Expr(e) => e.span,
            BodyItem::Assign(_, _, s) => *s,
        }
    }
}

/// `example RULE KIND: facts [=> facts]`
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleDecl {
    pub rule: Ident,
    /// `hit`, `miss`, `near_miss` as written.
    pub kind: Ident,
    pub given: Vec<Atom>,
    pub expected: Vec<Atom>,
    /// Whether `=>` was written (a `miss` must not have one).
    pub arrow: Option<Span>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Var(String),
    /// `_`, only meaningful as an atom argument.
    Wildcard,
    List(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `name(args)`: a builtin call, or an atom where a body item.
    Call(Ident, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// Did not parse; the error was recorded.
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}
