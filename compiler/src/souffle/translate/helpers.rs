//! Small builders of fold syntax and questions about Soufflé arguments
//! (their variables, types, atoms) that the translation asks everywhere.

use super::*;

pub(super) fn ident(name: &str, span: Span) -> Ident {
    Ident {
        name: name.to_string(),
        span,
    }
}

pub(super) fn expr(kind: ExprKind, span: Span) -> ast::Expr {
    ast::Expr { kind, span }
}

pub(super) fn int(v: i64, span: Span) -> ast::Expr {
    expr(ExprKind::Int(v), span)
}

pub(super) fn binary(op: BinaryOp, l: ast::Expr, r: ast::Expr, span: Span) -> ast::Expr {
    expr(ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
}

pub(super) fn to_int(e: ast::Expr, span: Span) -> ast::Expr {
    expr(ExprKind::Call(ident("to_int", span), vec![e]), span)
}

pub(super) fn atom_expr(a: ast::Atom) -> ast::Expr {
    expr(ExprKind::Call(a.name, a.args), a.span)
}

/// The variables of a fold expression.
pub(super) fn vars(e: &ast::Expr, out: &mut HashSet<String>) {
    match &e.kind {
        ExprKind::Var(v) => {
            out.insert(v.clone());
        }
        ExprKind::Unary(_, a) => vars(a, out),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            vars(a, out);
            vars(b, out);
        }
        ExprKind::Call(_, args) | ExprKind::List(args) => args.iter().for_each(|a| vars(a, out)),
        ExprKind::Slice(a, b, c) => {
            vars(a, out);
            for x in [b, c].into_iter().flatten() {
                vars(x, out);
            }
        }
        _ => {}
    }
}

pub(super) fn all_bound(e: &ast::Expr, bound: &HashSet<String>) -> bool {
    let mut vs = HashSet::new();
    vars(e, &mut vs);
    vs.iter().all(|v| bound.contains(v))
}

/// `e` is a variable not yet bound: its name.
pub(super) fn free_var(e: &ast::Expr, bound: &HashSet<String>) -> Option<String> {
    match &e.kind {
        ExprKind::Var(v) if !bound.contains(v) => Some(v.clone()),
        _ => None,
    }
}

/// The variables of a Soufflé argument (aggregates' bodies included).
pub(super) fn arg_vars(a: &s::Arg, f: &mut dyn FnMut(&str)) {
    match &a.kind {
        ArgKind::Var(v) => f(v),
        ArgKind::Unary(_, x) => arg_vars(x, f),
        ArgKind::Binary(_, x, y) => {
            arg_vars(x, f);
            arg_vars(y, f);
        }
        ArgKind::Call(_, xs) | ArgKind::Record(xs) | ArgKind::Branch(_, xs) => {
            xs.iter().for_each(|x| arg_vars(x, f))
        }
        ArgKind::Aggregate(agg) => {
            if let Some(t) = &agg.target {
                arg_vars(t, f);
            }
            let mut inner = Vec::new();
            agg.body.iter().for_each(|l| lit_vars(l, &mut inner));
            inner.iter().for_each(|v| f(v));
        }
        _ => {}
    }
}

pub(super) fn lit_vars(l: &Lit, out: &mut Vec<String>) {
    let mut push = |v: &str| {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    match l {
        Lit::Atom(a) | Lit::Neg(a) => a.args.iter().for_each(|x| arg_vars(x, &mut push)),
        Lit::Cmp(_, x, y, _) => {
            arg_vars(x, &mut push);
            arg_vars(y, &mut push);
        }
        Lit::Pred(x) => arg_vars(x, &mut push),
        Lit::Bool(..) => {}
        Lit::Paren(d, _) => {
            for c in d {
                for l in c {
                    let mut inner = Vec::new();
                    lit_vars(l, &mut inner);
                    inner.iter().for_each(|v| push(v));
                }
            }
        }
    }
}

/// The primitive type of an argument, where it can be told.
pub(super) fn type_of(a: &s::Arg, types: &HashMap<String, Base>) -> Option<Base> {
    match &a.kind {
        ArgKind::Var(v) => types.get(v).copied(),
        ArgKind::Int(_) => Some(Base::Number),
        ArgKind::Unsigned(_) => Some(Base::Unsigned),
        ArgKind::Float(_) => Some(Base::Float),
        ArgKind::Str(_) => Some(Base::Symbol),
        ArgKind::Unary(op, x) => match *op {
            "-" | "bnot" => type_of(x, types),
            _ => Some(Base::Number),
        },
        ArgKind::Binary(op, x, y) => match *op {
            "land" | "lor" | "lxor" => Some(Base::Number),
            _ => {
                let (l, r) = (type_of(x, types), type_of(y, types));
                [Base::Float, Base::Symbol, Base::Unsigned, Base::Number]
                    .into_iter()
                    .find(|b| l == Some(*b) || r == Some(*b))
            }
        },
        ArgKind::Call(f, xs) => match f.name.as_str() {
            "cat" | "substr" | "to_string" => Some(Base::Symbol),
            "strlen" | "to_number" | "ord" => Some(Base::Number),
            "to_unsigned" => Some(Base::Unsigned),
            "to_float" => Some(Base::Float),
            "min" | "max" | "abs" | "bnot" => xs.first().and_then(|x| type_of(x, types)),
            _ => None,
        },
        ArgKind::Aggregate(agg) => match agg.kind.name.as_str() {
            "count" => Some(Base::Number),
            "mean" => Some(Base::Float),
            _ => agg.target.as_ref().and_then(|t| type_of(t, types)),
        },
        ArgKind::Wild | ArgKind::Record(_) | ArgKind::Nil => None,
        ArgKind::Branch(..) => None,
    }
}

/// The positive atoms of a literal, those inside aggregates included
/// (they type the aggregates' variables).
pub(super) fn collect_atoms<'a>(l: &'a Lit, out: &mut Vec<&'a s::Atom>) {
    fn in_arg<'a>(a: &'a s::Arg, out: &mut Vec<&'a s::Atom>) {
        match &a.kind {
            ArgKind::Unary(_, x) => in_arg(x, out),
            ArgKind::Binary(_, x, y) => {
                in_arg(x, out);
                in_arg(y, out);
            }
            ArgKind::Call(_, xs) | ArgKind::Record(xs) | ArgKind::Branch(_, xs) => {
                xs.iter().for_each(|x| in_arg(x, out))
            }
            ArgKind::Aggregate(agg) => agg.body.iter().for_each(|l| collect_atoms(l, out)),
            _ => {}
        }
    }
    match l {
        Lit::Atom(a) => {
            out.push(a);
            a.args.iter().for_each(|x| in_arg(x, out));
        }
        Lit::Neg(a) => a.args.iter().for_each(|x| in_arg(x, out)),
        Lit::Cmp(_, x, y, _) => {
            in_arg(x, out);
            in_arg(y, out);
        }
        Lit::Pred(x) => in_arg(x, out),
        Lit::Bool(..) | Lit::Paren(..) => {}
    }
}

/// The variables of a literal outside aggregates.
pub(super) fn outer_vars_lit(l: &Lit, out: &mut HashSet<String>) {
    match l {
        Lit::Atom(a) | Lit::Neg(a) => a.args.iter().for_each(|x| outer_vars_arg(x, out)),
        Lit::Cmp(_, x, y, _) => {
            outer_vars_arg(x, out);
            outer_vars_arg(y, out);
        }
        Lit::Pred(x) => outer_vars_arg(x, out),
        Lit::Bool(..) | Lit::Paren(..) => {}
    }
}

pub(super) fn outer_vars_arg(a: &s::Arg, out: &mut HashSet<String>) {
    match &a.kind {
        ArgKind::Var(v) => {
            out.insert(v.clone());
        }
        ArgKind::Unary(_, x) => outer_vars_arg(x, out),
        ArgKind::Binary(_, x, y) => {
            outer_vars_arg(x, out);
            outer_vars_arg(y, out);
        }
        ArgKind::Call(_, xs) | ArgKind::Record(xs) | ArgKind::Branch(_, xs) => {
            xs.iter().for_each(|x| outer_vars_arg(x, out))
        }
        _ => {}
    }
}

/// The keyed form of a subsumption `R(k.., a) <= R(k.., b) :- a op b.`:
/// key positions, `min` or `max`, the compared position.
pub(super) fn subsumption(sub: &s::Subsume) -> Result<(Vec<usize>, &'static str, usize), String> {
    let (lo, hi) = (&sub.dominated, &sub.dominating);
    if lo.name.name != hi.name.name || lo.args.len() != hi.args.len() {
        return Err("both sides must be the same relation".into());
    }
    let mut keys = Vec::new();
    let mut diff = None;
    for (i, (x, y)) in lo.args.iter().zip(&hi.args).enumerate() {
        match (&x.kind, &y.kind) {
            (ArgKind::Var(a), ArgKind::Var(b)) if a == b => keys.push(i),
            (ArgKind::Var(a), ArgKind::Var(b)) if diff.is_none() => diff = Some((i, a, b)),
            _ => return Err("more than one attribute differs".into()),
        }
    }
    let Some((field, a, b)) = diff else {
        return Err("no attribute differs".into());
    };
    let cmp = match sub.body.as_deref() {
        Some([conj]) => match conj.as_slice() {
            [Lit::Cmp(op, l, r, _)] => match (&l.kind, &r.kind) {
                (ArgKind::Var(x), ArgKind::Var(y)) if x == a && y == b => *op,
                (ArgKind::Var(x), ArgKind::Var(y)) if x == b && y == a => match *op {
                    "<" => ">",
                    "<=" => ">=",
                    ">" => "<",
                    ">=" => "<=",
                    other => other,
                },
                _ => return Err("the body must compare the two differing values".into()),
            },
            _ => return Err("the body must be one comparison".into()),
        },
        _ => return Err("the body must be one comparison".into()),
    };
    // `a` is dropped when `a cmp b`: dropping the greater keeps the least.
    match cmp {
        ">" | ">=" => Ok((keys, "min", field)),
        "<" | "<=" => Ok((keys, "max", field)),
        _ => Err("the comparison must be `<`, `<=`, `>` or `>=`".into()),
    }
}

/// An int literal where a float is wanted is a float literal, as
/// Soufflé types it (`x + 1` with `x` a float).
pub(super) fn coerce(a: &s::Arg, want: Option<Base>) -> s::Arg {
    if want != Some(Base::Float) {
        return a.clone();
    }
    let kind = match &a.kind {
        ArgKind::Int(v) => ArgKind::Float(*v as f64),
        ArgKind::Unary("-", x) => ArgKind::Unary("-", Box::new(coerce(x, want))),
        ArgKind::Binary(op, x, y) if ["+", "-", "*", "/", "^"].contains(op) => {
            ArgKind::Binary(op, Box::new(coerce(x, want)), Box::new(coerce(y, want)))
        }
        other => other.clone(),
    };
    s::Arg { kind, span: a.span }
}

/// Both sides of a binary operation, literals made floats beside floats.
pub(super) fn coerce_pair(
    l: &s::Arg,
    r: &s::Arg,
    types: &HashMap<String, Base>,
) -> (s::Arg, s::Arg) {
    let (lt, rt) = (type_of(l, types), type_of(r, types));
    let float = (lt == Some(Base::Float) || rt == Some(Base::Float)).then_some(Base::Float);
    (coerce(l, float), coerce(r, float))
}

pub(super) fn has_aggregate(a: &s::Arg) -> bool {
    match &a.kind {
        ArgKind::Aggregate(_) => true,
        ArgKind::Unary(_, x) => has_aggregate(x),
        ArgKind::Binary(_, x, y) => has_aggregate(x) || has_aggregate(y),
        ArgKind::Call(_, xs) | ArgKind::Record(xs) | ArgKind::Branch(_, xs) => {
            xs.iter().any(has_aggregate)
        }
        _ => false,
    }
}

pub(super) fn is_ground_or_wild(a: &s::Arg) -> bool {
    matches!(
        a.kind,
        ArgKind::Wild
            | ArgKind::Int(_)
            | ArgKind::Unsigned(_)
            | ArgKind::Float(_)
            | ArgKind::Str(_)
    )
}
