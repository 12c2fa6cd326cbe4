//! Type checking of expressions, producing the plan's typed expressions.
//!
//! Checking is bidirectional and local: variables get their types where
//! they are bound (atom fields, `let`, `for`), every operator is resolved
//! to the typed operator the runtime executes, and a builtin call picks the
//! overload whose signature fits the argument types. An expression that
//! fails to check reports once and yields `None`, so one mistake does not
//! cascade into many.

use fold_grammar::ast::{self, BinaryOp, ExprKind, Span, UnaryOp};
use fold_runtime::plan::builtin::{Builtin, TypeSig};
use fold_runtime::plan::{BinOp, CmpOp, Expr, Slot, UnOp};
use fold_runtime::value::intern;
use fold_runtime::value::{self, Type};

use crate::check::scope::Scope;
use crate::diag::{Code, Diagnostic, Sink};

/// A checked expression and its type.
pub type Typed = (Expr, Type);

/// What the expression is for, to word "unbound variable" messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Find,
    Abort,
    Let,
    Priority,
    Condition,
    AtomArg,
    Negation,
    Aggregate,
    Iterate,
}

impl Use {
    fn describe(self) -> &'static str {
        match self {
            Use::Find => "in a found fact",
            Use::Abort => "in `abort when`",
            Use::Let => "in `let`",
            Use::Priority => "in `priority`",
            Use::Condition => "in a condition",
            Use::AtomArg => "in an atom argument",
            Use::Negation => "in a negated atom",
            Use::Aggregate => "in an aggregate",
            Use::Iterate => "in `for`",
        }
    }
}

pub struct ExprChecker<'a, 'c> {
    pub sink: &'a mut Sink,
    pub scope: &'a mut Scope<'c>,
    pub usage: Use,
}

impl ExprChecker<'_, '_> {
    pub fn check(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Option<Typed> {
        let typed = self.infer(e, expected)?;
        if let Some(want) = expected {
            if &typed.1 != want {
                self.sink.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        e.span,
                        format!("expected `{want}`, found `{}`", typed.1),
                    )
                    .label(format!("this is `{}`", typed.1))
                    .help(conversion_help(&typed.1, want)),
                );
                return None;
            }
        }
        Some(typed)
    }

    /// Check a condition: must be `bool`.
    pub fn check_bool(&mut self, e: &ast::Expr) -> Option<Expr> {
        self.check(e, Some(&Type::Bool)).map(|(e, _)| e)
    }

    fn infer(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Option<Typed> {
        match &e.kind {
            ExprKind::Int(v) => Some((Expr::Const(value::from_int(*v), Type::Int), Type::Int)),
            ExprKind::Float(v) => {
                Some((Expr::Const(value::from_float(*v), Type::Float), Type::Float))
            }
            ExprKind::Str(s) => Some((Expr::Const(intern::intern_str(s), Type::Str), Type::Str)),
            ExprKind::Bool(b) => Some((Expr::Const(value::from_bool(*b), Type::Bool), Type::Bool)),
            ExprKind::Var(name) => self.var(name, e.span),
            ExprKind::Wildcard => {
                self.sink.push(
                    Diagnostic::new(
                        Code::MisplacedWildcard,
                        e.span,
                        "`_` stands for \"any value\" and can only be an argument of an atom",
                    )
                    .label("not inside an atom")
                    .help("name a variable instead"),
                );
                None
            }
            ExprKind::List(items) => self.list(items, e.span, expected),
            ExprKind::Unary(op, inner) => self.unary(*op, inner, e.span),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span),
            ExprKind::Call(f, args) => self.call(f, args, e.span),
            ExprKind::Index(base, index) => {
                let (base_e, base_t) = self.infer(base, None)?;
                let (index_e, _) = self.check(index, Some(&Type::Int))?;
                match base_t {
                    Type::List(elem) => {
                        Some((Expr::Index(Box::new(base_e), Box::new(index_e)), *elem))
                    }
                    other => {
                        self.sink.push(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                base.span,
                                format!("only lists can be indexed, not `{other}`"),
                            )
                            .label(format!("this is `{other}`"))
                            .help(if other == Type::Str {
                                "take part of a string with a slice `s[i..j]` or `substr(s, i, n)`"
                            } else {
                                "indexing `xs[i]` needs a list"
                            }),
                        );
                        None
                    }
                }
            }
            ExprKind::Slice(base, lo, hi) => {
                let (base_e, base_t) = self.infer(base, None)?;
                let mut bound = |b: &Option<Box<ast::Expr>>| -> Option<Option<Box<Expr>>> {
                    match b {
                        None => Some(None),
                        Some(b) => self
                            .check(b, Some(&Type::Int))
                            .map(|(e, _)| Some(Box::new(e))),
                    }
                };
                let (lo, hi) = (bound(lo), bound(hi));
                let (lo, hi) = (lo?, hi?);
                match base_t {
                    Type::List(_) | Type::Str => {
                        let is_str = base_t == Type::Str;
                        Some((
                            Expr::Slice {
                                base: Box::new(base_e),
                                lo,
                                hi,
                                is_str,
                            },
                            base_t,
                        ))
                    }
                    other => {
                        self.sink.push(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                base.span,
                                format!("only lists and strings can be sliced, not `{other}`"),
                            )
                            .label(format!("this is `{other}`")),
                        );
                        None
                    }
                }
            }
            ExprKind::Error => None,
        }
    }

    fn var(&mut self, name: &str, span: Span) -> Option<Typed> {
        match self.scope.lookup(name) {
            Some(slot) => {
                self.scope.mark_used(slot);
                Some((Expr::Slot(slot), self.scope.ty(slot).clone()))
            }
            None if self.scope.is_poisoned(name) => None,
            None => {
                let d = self.scope.unbound(name, span, self.usage.describe());
                self.sink.push(d);
                None
            }
        }
    }

    fn list(&mut self, items: &[ast::Expr], span: Span, expected: Option<&Type>) -> Option<Typed> {
        let mut elem = expected.and_then(|t| t.elem()).cloned();
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match self.check(item, elem.as_ref()) {
                Some((e, t)) => {
                    elem.get_or_insert(t);
                    out.push(e);
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        match elem {
            Some(elem) => Some((Expr::List(out), Type::list_of(elem))),
            None => {
                self.sink.push(
                    Diagnostic::new(
                        Code::CannotInfer,
                        span,
                        "the element type of this empty list cannot be inferred",
                    )
                    .label("empty list of unknown type")
                    .help("use it where its type is known, e.g. as a field of an atom"),
                );
                None
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, inner: &ast::Expr, span: Span) -> Option<Typed> {
        let (e, t) = self.infer(inner, None)?;
        let op = match (op, &t) {
            (UnaryOp::Neg, Type::Int) => UnOp::NegInt,
            (UnaryOp::Neg, Type::Float) => UnOp::NegFloat,
            (UnaryOp::Not, Type::Bool) => UnOp::Not,
            (UnaryOp::Neg, _) => {
                self.mismatch(
                    span,
                    format!("cannot negate `{t}`"),
                    "`-` needs an int or a float",
                );
                return None;
            }
            (UnaryOp::Not, _) => {
                self.mismatch(
                    span,
                    format!("cannot apply `!` to `{t}`"),
                    "`!` needs a bool",
                );
                return None;
            }
        };
        Some((Expr::Unary(op, Box::new(e)), t))
    }

    fn binary(&mut self, op: BinaryOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Option<Typed> {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let x = self.check_bool(a);
            let y = self.check_bool(b);
            let (x, y) = (Box::new(x?), Box::new(y?));
            let e = if op == BinaryOp::And {
                Expr::And(x, y)
            } else {
                Expr::Or(x, y)
            };
            return Some((e, Type::Bool));
        }
        // Infer the left side first; the right side is checked against it
        // so that `xs == []` knows the empty list's type.
        let left = self.infer(a, None);
        let right = match &left {
            Some((_, lt)) if !matches!(lt, Type::Int | Type::Float) => self.infer(b, Some(lt)),
            _ => self.infer(b, None),
        };
        let ((x, xt), (y, yt)) = (left?, right?);
        let sym = op.symbol();
        if op.is_comparison() {
            if xt != yt {
                self.sink.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("cannot compare `{xt}` with `{yt}`"),
                    )
                    .label(format!("`{xt}` {sym} `{yt}`"))
                    .also(a.span, format!("`{xt}`"))
                    .also(b.span, format!("`{yt}`"))
                    .help(conversion_help(&yt, &xt)),
                );
                return None;
            }
            let cmp = match op {
                BinaryOp::Eq => CmpOp::Eq,
                BinaryOp::Ne => CmpOp::Ne,
                BinaryOp::Lt => CmpOp::Lt,
                BinaryOp::Le => CmpOp::Le,
                BinaryOp::Gt => CmpOp::Gt,
                _ => CmpOp::Ge,
            };
            return Some((
                Expr::Binary(BinOp::Cmp(cmp, xt), Box::new(x), Box::new(y)),
                Type::Bool,
            ));
        }
        let typed = match (op, &xt, &yt) {
            (BinaryOp::Add, Type::Int, Type::Int) => Some(BinOp::AddInt),
            (BinaryOp::Sub, Type::Int, Type::Int) => Some(BinOp::SubInt),
            (BinaryOp::Mul, Type::Int, Type::Int) => Some(BinOp::MulInt),
            (BinaryOp::Div, Type::Int, Type::Int) => Some(BinOp::DivInt),
            (BinaryOp::Rem, Type::Int, Type::Int) => Some(BinOp::RemInt),
            (BinaryOp::Add, Type::Float, Type::Float) => Some(BinOp::AddFloat),
            (BinaryOp::Sub, Type::Float, Type::Float) => Some(BinOp::SubFloat),
            (BinaryOp::Mul, Type::Float, Type::Float) => Some(BinOp::MulFloat),
            (BinaryOp::Div, Type::Float, Type::Float) => Some(BinOp::DivFloat),
            (BinaryOp::Rem, Type::Float, Type::Float) => Some(BinOp::RemFloat),
            (BinaryOp::Add, Type::Str, Type::Str) => Some(BinOp::ConcatStr),
            (BinaryOp::Add, Type::List(p), Type::List(q)) if p == q => Some(BinOp::ConcatList),
            _ => None,
        };
        match typed {
            Some(bop) => Some((Expr::Binary(bop, Box::new(x), Box::new(y)), xt)),
            None => {
                let help = if matches!(
                    (&xt, &yt),
                    (Type::Int, Type::Float) | (Type::Float, Type::Int)
                ) {
                    "fold never mixes int and float silently: convert one side with `to_float(..)` or `to_int(..)`".to_string()
                } else if op == BinaryOp::Add {
                    "`+` adds two ints or two floats, or joins two strings or two lists of one type"
                        .to_string()
                } else {
                    format!("`{sym}` works on two ints or two floats")
                };
                self.sink.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("cannot apply `{sym}` to `{xt}` and `{yt}`"),
                    )
                    .label(format!("`{xt}` {sym} `{yt}`"))
                    .help(help),
                );
                None
            }
        }
    }

    fn call(&mut self, f: &ast::Ident, args: &[ast::Expr], span: Span) -> Option<Typed> {
        let overloads = fold_stdlib::overloads(&f.name);
        if overloads.is_empty() {
            let mut d = Diagnostic::new(
                Code::UnknownFunction,
                f.span,
                format!("unknown function `{}`", f.name),
            )
            .label("not in the standard library");
            if self.scope.is_category(&f.name) {
                d = d.help(format!(
                    "`{}` is a category: atoms can only stand in `on`, `friends`, `find`, aggregates or a rule body, not inside an expression",
                    f.name
                ));
            } else if let Some(close) =
                crate::diag::suggest::closest(&f.name, fold_stdlib::all().iter().map(|b| b.name))
            {
                d = d.help(format!("did you mean `{close}`?"));
            } else {
                d = d.help("`foldc doc` lists every builtin");
            }
            self.sink.push(d);
            return None;
        }
        let arity_fits: Vec<&'static Builtin> = overloads
            .iter()
            .copied()
            .filter(|b| b.params.len() == args.len())
            .collect();
        if arity_fits.is_empty() {
            let mut counts: Vec<usize> = overloads.iter().map(|b| b.params.len()).collect();
            counts.sort_unstable();
            counts.dedup();
            let counts: Vec<String> = counts.iter().map(|n| n.to_string()).collect();
            let plural = if counts.len() == 1 && counts[0] == "1" {
                ""
            } else {
                "s"
            };
            self.sink.push(
                Diagnostic::new(
                    Code::WrongArgCount,
                    span,
                    format!(
                        "`{}` takes {} argument{plural}, but {} {} given",
                        f.name,
                        counts.join(" or "),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .label("wrong number of arguments")
                .help(signatures(&overloads)),
            );
            return None;
        }
        let mut checked = Vec::with_capacity(args.len());
        let mut ok = true;
        for (i, a) in args.iter().enumerate() {
            // An argument whose type is fixed in every overload is checked
            // against it (this types `[]` and gives precise messages).
            let fixed = fixed_param(&arity_fits, i);
            match self.infer(a, fixed.as_ref()) {
                Some(t) => checked.push(t),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let arg_types: Vec<Type> = checked.iter().map(|(_, t)| t.clone()).collect();
        for b in &arity_fits {
            if let Some((types, ret)) = instantiate(b, &arg_types) {
                let args = checked.into_iter().map(|(e, _)| e).collect();
                return Some((
                    Expr::Call {
                        func: b,
                        types,
                        args,
                    },
                    ret,
                ));
            }
        }
        let found: Vec<String> = arg_types.iter().map(|t| t.to_string()).collect();
        self.sink.push(
            Diagnostic::new(
                Code::NoMatchingOverload,
                span,
                format!("`{}` does not take ({})", f.name, found.join(", ")),
            )
            .label(format!("called with ({})", found.join(", ")))
            .help(signatures(&arity_fits)),
        );
        None
    }

    fn mismatch(&mut self, span: Span, message: String, help: &str) {
        self.sink.push(
            Diagnostic::new(Code::TypeMismatch, span, message)
                .label("here")
                .help(help),
        );
    }
}

/// The type parameter `i` has in every overload, if it is the same
/// concrete type in all of them.
fn fixed_param(overloads: &[&Builtin], i: usize) -> Option<Type> {
    let first = overloads.first()?.params.get(i)?.instantiate(&[])?;
    overloads
        .iter()
        .all(|b| b.params.get(i).and_then(|p| p.instantiate(&[])).as_ref() == Some(&first))
        .then_some(first)
}

/// Bind a builtin's type parameters from the argument types.
fn instantiate(b: &Builtin, args: &[Type]) -> Option<(Vec<Type>, Type)> {
    let mut params: Vec<Option<Type>> = vec![None; b.type_params as usize];
    for (sig, ty) in b.params.iter().zip(args) {
        if !unify(sig, ty, &mut params) {
            return None;
        }
    }
    let params: Vec<Type> = params.into_iter().collect::<Option<Vec<_>>>()?;
    let ret = b.ret.instantiate(&params)?;
    Some((params, ret))
}

fn unify(sig: &TypeSig, ty: &Type, params: &mut [Option<Type>]) -> bool {
    match (sig, ty) {
        (TypeSig::Int, Type::Int)
        | (TypeSig::Float, Type::Float)
        | (TypeSig::Str, Type::Str)
        | (TypeSig::Bool, Type::Bool) => true,
        (TypeSig::List(s), Type::List(t)) => unify(s, t, params),
        (TypeSig::Var(n), t) => match params.get_mut(*n as usize) {
            Some(slot @ None) => {
                *slot = Some(t.clone());
                true
            }
            Some(Some(bound)) => bound == t,
            None => false,
        },
        _ => false,
    }
}

fn signatures(overloads: &[&Builtin]) -> String {
    let sigs: Vec<String> = overloads
        .iter()
        .map(|b| format!("`{}`", b.signature()))
        .collect();
    format!("available: {}", sigs.join(", "))
}

fn conversion_help(found: &Type, want: &Type) -> String {
    match (found, want) {
        (Type::Int, Type::Float) => "convert with `to_float(..)`".into(),
        (Type::Float, Type::Int) => "convert with `to_int(..)`, `floor(..)` or `round(..)`".into(),
        (Type::Str, Type::Int) => "parse with `to_int(..)`".into(),
        (Type::Str, Type::Float) => "parse with `to_float(..)`".into(),
        (_, Type::Str) => "format with `to_str(..)`".into(),
        _ => format!("a value of type `{want}` is needed here"),
    }
}

/// The slots an expression reads.
pub fn slots_of(e: &Expr, out: &mut Vec<Slot>) {
    match e {
        Expr::Const(..) => {}
        Expr::Slot(s) => {
            if !out.contains(s) {
                out.push(*s)
            }
        }
        Expr::Unary(_, a) => slots_of(a, out),
        Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Index(a, b) => {
            slots_of(a, out);
            slots_of(b, out);
        }
        Expr::Call { args, .. } | Expr::List(args) => args.iter().for_each(|a| slots_of(a, out)),
        Expr::Slice { base, lo, hi, .. } => {
            slots_of(base, out);
            if let Some(lo) = lo {
                slots_of(lo, out);
            }
            if let Some(hi) = hi {
                slots_of(hi, out);
            }
        }
    }
}

/// The negation of a condition, as simple as possible: comparisons of
/// non-floats flip (`x != z` becomes `x == z`); anything else gets a `!`.
/// Floats keep the `!` because NaN makes `!(a < b)` differ from `a >= b`.
pub fn negate(e: Expr) -> Expr {
    match e {
        Expr::Binary(BinOp::Cmp(op, ty), a, b) if ty != Type::Float => {
            let flipped = match op {
                CmpOp::Eq => CmpOp::Ne,
                CmpOp::Ne => CmpOp::Eq,
                CmpOp::Lt => CmpOp::Ge,
                CmpOp::Le => CmpOp::Gt,
                CmpOp::Gt => CmpOp::Le,
                CmpOp::Ge => CmpOp::Lt,
            };
            Expr::Binary(BinOp::Cmp(flipped, ty), a, b)
        }
        Expr::Unary(UnOp::Not, inner) => *inner,
        other => Expr::Unary(UnOp::Not, Box::new(other)),
    }
}
