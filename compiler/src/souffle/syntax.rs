//! The syntax tree of a Soufflé program, as parsed: close to the text,
//! before [`crate::souffle::translate`] rewrites it into fold's AST.

use fold_grammar::ast::{Ident, Span};

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug)]
pub enum Item {
    Decl(Decl),
    Type(TypeDecl),
    Io(IoDecl),
    Clause(Clause),
    /// `.comp Name<T> : Base<T> { items }`
    Comp(CompDef),
    /// `.init inst = Name<Args>`
    Init(Init),
    /// `.override rel`: the component's own rules for `rel` replace its
    /// base's.
    Override(Ident),
    /// `R(a..) <= R(b..) :- body.`: a tuple like the first is dropped
    /// when one like the second exists and the body holds.
    Subsume(Subsume),
    /// A construct this front end refuses, already reported.
    Skipped,
}

/// A component: a template of items, instantiated by `.init`.
#[derive(Clone, Debug)]
pub struct CompDef {
    pub name: Ident,
    pub params: Vec<String>,
    pub bases: Vec<(Ident, Vec<Ident>)>,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug)]
pub struct Init {
    pub name: Ident,
    pub comp: Ident,
    pub args: Vec<Ident>,
}

/// `.decl a, b(x: T, ...) qualifiers`
#[derive(Clone, Debug)]
pub struct Decl {
    pub names: Vec<Ident>,
    pub attrs: Vec<Attr>,
    pub eqrel: bool,
    /// `choice-domain`: each domain a list of attribute names.
    pub choice: Vec<Vec<Ident>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Attr {
    pub name: Ident,
    pub ty: Ident,
}

/// `.type T <: base`, `.type T = A | B`, `.number_type T`.
#[derive(Clone, Debug)]
pub struct TypeDecl {
    pub name: Ident,
    /// The types it stands for (one for a subtype or alias, several for
    /// a union); empty for a record or an ADT.
    pub of: Vec<Ident>,
    /// `.type T = [a: A, b: B]`: the record's fields.
    pub record: Option<Vec<Attr>>,
    /// `.type T = X {a: A} | Y {}`: the ADT's branches and their fields.
    pub branches: Vec<(Ident, Vec<Attr>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    Input,
    Output,
    PrintSize,
}

/// `.input r(IO=file, filename="r.tsv", delimiter=",")`
#[derive(Clone, Debug)]
pub struct IoDecl {
    pub kind: IoKind,
    pub rels: Vec<Ident>,
    pub params: Vec<(Ident, String, Span)>,
    pub span: Span,
}

/// `h1(..), h2(..) :- body.` or the fact `h(..).`
#[derive(Clone, Debug)]
pub struct Clause {
    pub heads: Vec<Atom>,
    /// Disjunctive normal form is made later; `None` for a fact.
    pub body: Option<Disj>,
    pub span: Span,
}

/// `conj ; conj ; ...`
pub type Disj = Vec<Conj>;
/// `lit, lit, ...`
pub type Conj = Vec<Lit>;

#[derive(Clone, Debug)]
pub struct Atom {
    pub name: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Lit {
    Atom(Atom),
    Neg(Atom),
    /// `a op b` with op one of `= != < <= > >=`.
    Cmp(&'static str, Arg, Arg, Span),
    /// A functor used as a condition: `contains(a, b)`, `match(p, s)`.
    Pred(Arg),
    Bool(bool, Span),
    /// `( disj )`
    Paren(Disj, Span),
}

#[derive(Clone, Debug)]
pub struct Arg {
    pub kind: ArgKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ArgKind {
    Var(String),
    Wild,
    Int(i64),
    Unsigned(i64),
    Float(f64),
    Str(String),
    /// `-x`, `bnot x`, `lnot x`.
    Unary(&'static str, Box<Arg>),
    /// `+ - * / % ^` and the infix words `band bor bxor bshl bshr bshru
    /// land lor lxor`.
    Binary(&'static str, Box<Arg>, Box<Arg>),
    /// An intrinsic functor `name(args)`.
    Call(Ident, Vec<Arg>),
    Aggregate(Box<Aggregate>),
    /// A record `[a, b]`, as a value or a pattern.
    Record(Vec<Arg>),
    /// The empty record `nil`.
    Nil,
    /// An ADT branch `$Name(a, b)` (`$Name` without fields).
    Branch(Ident, Vec<Arg>),
}

/// `count : { body }`, `sum e : atom`, ...
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub kind: Ident,
    pub target: Option<Arg>,
    pub body: Conj,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Subsume {
    pub dominated: Atom,
    pub dominating: Atom,
    pub body: Option<Disj>,
    pub span: Span,
}
