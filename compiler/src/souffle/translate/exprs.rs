//! Expressions, functors with Soufflé's argument orders, and aggregates
//! (over helper relations that their bodies fill).

use super::*;

impl Translator {
    pub(super) fn expr(
        &mut self,
        arg: &s::Arg,
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        in_atom: bool,
    ) -> Option<ast::Expr> {
        let sp = arg.span;
        let kind = match &arg.kind {
            ArgKind::Var(v) => ExprKind::Var(v.clone()),
            ArgKind::Wild => {
                if !in_atom {
                    self.diags.push(
                        Diagnostic::new(Code::MisplacedWildcard, sp, "`_` outside an atom")
                            .label("only an atom's argument may be `_`"),
                    );
                    return None;
                }
                ExprKind::Wildcard
            }
            ArgKind::Int(v) | ArgKind::Unsigned(v) => ExprKind::Int(*v),
            ArgKind::Float(v) => ExprKind::Float(*v),
            ArgKind::Str(v) => ExprKind::Str(v.clone()),
            ArgKind::Unary(op, inner) => {
                let e = self.expr(inner, items, types, false)?;
                match *op {
                    "-" => ExprKind::Unary(UnaryOp::Neg, Box::new(e)),
                    "!" => ExprKind::Unary(UnaryOp::Not, Box::new(e)),
                    "lnot" => to_int(binary(BinaryOp::Eq, e, int(0, sp), sp), sp).kind,
                    _ => ExprKind::Call(ident("bit_not", sp), vec![e]),
                }
            }
            ArgKind::Binary(op, l, r) => {
                let (l, r) = coerce_pair(l, r, types);
                let le = self.expr(&l, items, types, false)?;
                let re = self.expr(&r, items, types, false)?;
                let nz = |e: ast::Expr| binary(BinaryOp::Ne, e, int(0, sp), sp);
                match *op {
                    "+" => ExprKind::Binary(BinaryOp::Add, Box::new(le), Box::new(re)),
                    "-" => ExprKind::Binary(BinaryOp::Sub, Box::new(le), Box::new(re)),
                    "*" => ExprKind::Binary(BinaryOp::Mul, Box::new(le), Box::new(re)),
                    "/" => ExprKind::Binary(BinaryOp::Div, Box::new(le), Box::new(re)),
                    "%" => ExprKind::Binary(BinaryOp::Rem, Box::new(le), Box::new(re)),
                    "^" => ExprKind::Call(ident("pow", sp), vec![le, re]),
                    "land" => to_int(binary(BinaryOp::And, nz(le), nz(re), sp), sp).kind,
                    "lor" => to_int(binary(BinaryOp::Or, nz(le), nz(re), sp), sp).kind,
                    "lxor" => to_int(binary(BinaryOp::Ne, nz(le), nz(re), sp), sp).kind,
                    other => {
                        let name = match other {
                            "band" => "bit_and",
                            "bor" => "bit_or",
                            "bxor" => "bit_xor",
                            "bshl" => "shl",
                            "bshr" => "shr",
                            _ => "shr_unsigned",
                        };
                        ExprKind::Call(ident(name, sp), vec![le, re])
                    }
                }
            }
            ArgKind::Call(f, args) => return self.functor(f, args, items, types, sp),
            ArgKind::Aggregate(a) => return self.aggregate(a, items, types),
            ArgKind::Record(_) | ArgKind::Branch(..) | ArgKind::Nil => {
                return self.build(arg, None, items, types, in_atom)
            }
        };
        Some(expr(kind, sp))
    }

    pub(super) fn functor(
        &mut self,
        f: &Ident,
        args: &[s::Arg],
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        sp: Span,
    ) -> Option<ast::Expr> {
        let arity = |n: usize| args.len() == n;
        let mut xs = Vec::new();
        for a in args {
            xs.push(self.expr(a, items, types, false)?);
        }
        let call = |name: &str, xs: Vec<ast::Expr>| {
            Some(expr(ExprKind::Call(ident(name, f.span), xs), sp))
        };
        let arg_type = |i: usize| args.get(i).and_then(|a| type_of(a, types));
        match f.name.as_str() {
            "cat" if !xs.is_empty() => {
                let mut it = xs.into_iter();
                let first = it.next()?;
                Some(it.fold(first, |acc, x| binary(BinaryOp::Add, acc, x, sp)))
            }
            "strlen" if arity(1) => call("len", xs),
            // Soufflé cuts the length at the end and gives "" for a start
            // outside the string.
            "substr" if arity(3) => call("substr_clamped", xs),
            // Soufflé: contains(sub, s); fold: contains(s, sub).
            "contains" if arity(2) => {
                xs.swap(0, 1);
                call("contains", xs)
            }
            // Soufflé writes a float's string with six decimals.
            "to_string" if arity(1) && arg_type(0) == Some(Base::Float) => {
                xs.push(int(6, sp));
                call("to_str_fixed", xs)
            }
            "to_string" if arity(1) => call("to_str", xs),
            "to_number" | "to_unsigned" if arity(1) => match arg_type(0) {
                Some(Base::Symbol) | Some(Base::Float) => call("to_int", xs),
                _ => xs.into_iter().next(),
            },
            "to_float" if arity(1) => match arg_type(0) {
                Some(Base::Float) => xs.into_iter().next(),
                _ => call("to_float", xs),
            },
            "min" | "max" if !xs.is_empty() => {
                let mut it = xs.into_iter();
                let first = it.next()?;
                Some(it.fold(first, |acc, x| {
                    expr(ExprKind::Call(ident(&f.name, f.span), vec![acc, x]), sp)
                }))
            }
            "abs" if arity(1) => call("abs", xs),
            "bnot" if arity(1) => call("bit_not", xs),
            "lnot" if arity(1) => {
                let x = xs.into_iter().next()?;
                Some(to_int(binary(BinaryOp::Eq, x, int(0, sp), sp), sp))
            }
            "as" if arity(2) => xs.into_iter().next(),
            // Soufflé: match(pattern, s); fold: regex_match(s, pattern).
            "match" if arity(2) => {
                xs.swap(0, 1);
                call("regex_match", xs)
            }
            "ord" => {
                self.unsupported(
                    sp,
                    "`ord` outside a comparison of two `ord`s",
                    "foldc runs `ord(a) < ord(b)` (and the other comparisons) as a comparison of the symbols; a symbol's number itself depends on Soufflé's symbol table",
                );
                None
            }
            "autoinc" => {
                self.unsupported(
                    sp,
                    "`autoinc()` outside a rule's head",
                    "use it as an argument of a head, where foldc numbers the rule's bindings in order of value",
                );
                None
            }
            "range" => {
                self.unsupported(
                    sp,
                    "`range` outside `x = range(..)`",
                    "bind a variable to the range: `x = range(from, to)`",
                );
                None
            }
            name => {
                let known = crate::souffle::parse::INTRINSICS.contains(&name);
                self.diags.push(
                    Diagnostic::new(
                        if known { Code::WrongArgCount } else { Code::UnknownFunction },
                        f.span,
                        if known {
                            format!("`{name}` called with {} arguments", args.len())
                        } else {
                            format!("unknown functor `{name}`")
                        },
                    )
                    .label(if known { "wrong number of arguments" } else { "not a functor" })
                    .help("Soufflé's functors: cat, strlen, substr, contains, to_number, to_string, to_float, to_unsigned, min, max, range"),
                );
                None
            }
        }
    }

    /// An aggregate: its value bound to a fresh variable by an item, the
    /// variable returned.
    pub(super) fn aggregate(
        &mut self,
        a: &s::Aggregate,
        items: &mut Vec<Item>,
        outer_types: &HashMap<String, Base>,
    ) -> Option<ast::Expr> {
        let sp = a.span;
        let kind = a.kind.name.as_str();
        // A variable bound only inside the aggregate but used outside is
        // a witness (Soufflé binds it to the tuple that gave the value).
        let mut inner = Vec::new();
        a.body.iter().for_each(|l| lit_vars(l, &mut inner));
        if let Some(w) = inner
            .iter()
            .find(|v| self.outer.contains(*v) && !self.outer_bound.contains(*v))
        {
            self.unsupported(
                sp,
                &format!("an aggregate witness (`{w}` is bound inside the aggregate and used outside)"),
                "find the witness with a second rule: join the aggregate's result back with the body",
            );
            return None;
        }
        let mut inner_types = self.var_types(&a.body);
        for (k, v) in outer_types {
            inner_types.entry(k.clone()).or_insert(*v);
        }
        let target_var = match &a.target {
            Some(s::Arg {
                kind: ArgKind::Var(v),
                ..
            }) => Some(v.clone()),
            _ => None,
        };
        if kind == "count" && a.target.is_some() {
            self.diags.push(
                Diagnostic::new(Code::BadAggregate, sp, "`count` takes no target")
                    .label("write `count : { ... }`"),
            );
            return None;
        }
        if kind != "count" && a.target.is_none() {
            self.diags.push(
                Diagnostic::new(Code::BadAggregate, sp, format!("`{kind}` needs a target"))
                    .label(format!("write `{kind} x : {{ ... }}`")),
            );
            return None;
        }
        // One atom of variables, wildcards and constants aggregated over
        // directly; anything else through a helper relation.
        let direct = match a.body.as_slice() {
            [Lit::Atom(atom)] if kind != "mean" => {
                let simple = atom.args.iter().all(|x| {
                    matches!(
                        x.kind,
                        ArgKind::Var(_)
                            | ArgKind::Wild
                            | ArgKind::Int(_)
                            | ArgKind::Str(_)
                            | ArgKind::Unsigned(_)
                            | ArgKind::Float(_)
                    )
                });
                let target_in_atom = match &target_var {
                    None => a.target.is_none(),
                    Some(v) => atom
                        .args
                        .iter()
                        .any(|x| matches!(&x.kind, ArgKind::Var(w) if w == v)),
                };
                (simple && target_in_atom).then_some(atom)
            }
            _ => None,
        };
        let (atom, var) = match direct {
            Some(atom) => {
                let atom = self.atom(atom, items, &inner_types)?;
                (atom, target_var.map(|v| ident(&v, sp)))
            }
            None => self.helper(a, &inner_types)?,
        };
        let agg = |kind: &str, var: Option<Ident>, atom: ast::Atom| ast::Aggregate {
            kind: ident(kind, a.kind.span),
            var,
            atom,
            span: sp,
        };
        let result = self.fresh("agg");
        if kind == "mean" {
            let (s, c) = (self.fresh("sum"), self.fresh("count"));
            // Counted without reading the target.
            let mut counted = atom.clone();
            for x in &mut counted.args {
                if matches!((&x.kind, &var), (ExprKind::Var(n), Some(t)) if *n == t.name) {
                    x.kind = ExprKind::Wildcard;
                }
            }
            items.push(Item::Agg(s.clone(), agg("sum", var, atom), sp));
            items.push(Item::Agg(c.clone(), agg("count", None, counted), sp));
            let v = |n: &str| expr(ExprKind::Var(n.into()), sp);
            items.push(Item::Cond(binary(BinaryOp::Gt, v(&c), int(0, sp), sp)));
            let float_target =
                a.target.as_ref().and_then(|t| type_of(t, &inner_types)) == Some(Base::Float);
            let sum = if float_target {
                v(&s)
            } else {
                expr(ExprKind::Call(ident("to_float", sp), vec![v(&s)]), sp)
            };
            let count = expr(ExprKind::Call(ident("to_float", sp), vec![v(&c)]), sp);
            items.push(Item::Eq(
                v(&result),
                binary(BinaryOp::Div, sum, count, sp),
                sp,
            ));
            return Some(v(&result));
        }
        items.push(Item::Agg(result.clone(), agg(kind, var, atom), sp));
        Some(expr(ExprKind::Var(result), sp))
    }

    /// A private relation holding every binding of an aggregate's body
    /// (and the target's value): the aggregate reads it as one atom.
    pub(super) fn helper(
        &mut self,
        a: &s::Aggregate,
        inner_types: &HashMap<String, Base>,
    ) -> Option<(ast::Atom, Option<Ident>)> {
        let sp = a.span;
        // A body with one atom (and conditions) counts the atom's tuples,
        // as Soufflé evaluates it in place: its wildcards become columns
        // too. Bodies of several atoms Soufflé materialises over their
        // variables, as the helper does.
        let mut body = a.body.clone();
        let atoms = body
            .iter()
            .filter(|l| matches!(l, Lit::Atom(_) | Lit::Neg(_)))
            .count();
        if atoms == 1 {
            for lit in &mut body {
                if let Lit::Atom(only) = lit {
                    for x in &mut only.args {
                        if matches!(x.kind, ArgKind::Wild) {
                            x.kind = ArgKind::Var(self.fresh("w"));
                        }
                    }
                }
            }
        }
        let a = &s::Aggregate {
            kind: a.kind.clone(),
            target: a.target.clone(),
            body,
            span: a.span,
        };
        // Columns: the variables the body binds, in order of appearance,
        // then the target's value.
        let mut cols: Vec<String> = Vec::new();
        let push = |v: &str, cols: &mut Vec<String>| {
            if !cols.iter().any(|c| c == v) {
                cols.push(v.to_string());
            }
        };
        for lit in &a.body {
            match lit {
                Lit::Atom(at) => {
                    for x in &at.args {
                        arg_vars(x, &mut |v| push(v, &mut cols));
                    }
                }
                Lit::Cmp("=", l, r, _) => {
                    for side in [l, r] {
                        if let ArgKind::Var(v) = &side.kind {
                            push(v, &mut cols);
                        }
                    }
                }
                _ => {}
            }
        }
        // Outer variables the body only tests: the outer atoms that bind
        // them join the helper's body.
        let mut used = Vec::new();
        for lit in &a.body {
            lit_vars(lit, &mut used);
        }
        let mut extra_lits = Vec::new();
        let outer_only: Vec<String> = used
            .iter()
            .filter(|v| !cols.contains(v) && self.outer.contains(*v))
            .cloned()
            .collect();
        if !outer_only.is_empty() {
            // The rule's atoms (and its plain equalities) bind them in the
            // helper too; the aggregate then joins on them.
            extra_lits.extend(
                self.outer_lits
                    .iter()
                    .filter(|l| match l {
                        Lit::Atom(at) => !at.args.iter().any(has_aggregate),
                        Lit::Cmp("=", x, y, _) => !has_aggregate(x) && !has_aggregate(y),
                        _ => false,
                    })
                    .cloned(),
            );
            cols.extend(outer_only);
        }
        let mut body_lits: Vec<Lit> = a.body.clone();
        body_lits.append(&mut extra_lits);
        // `a` (with its one-atom wildcards named) is what the helper holds.
        let mut var = None;
        if let Some(t) = &a.target {
            match &t.kind {
                ArgKind::Var(v) if cols.contains(v) => var = Some(v.clone()),
                _ => {
                    let tv = self.fresh("target");
                    body_lits.push(Lit::Cmp(
                        "=",
                        s::Arg {
                            kind: ArgKind::Var(tv.clone()),
                            span: t.span,
                        },
                        t.clone(),
                        t.span,
                    ));
                    cols.push(tv.clone());
                    var = Some(tv);
                }
            }
        }
        let mut types = self.var_types(&body_lits);
        for (k, v) in inner_types {
            types.entry(k.clone()).or_insert(*v);
        }
        let bases: Vec<Base> = cols
            .iter()
            .map(|c| types.get(c).copied().unwrap_or(Base::Number))
            .collect();
        let name = self.private_relation("agg_body", &bases, sp);
        let name_ident = ident(&name, sp);
        let head = s::Atom {
            name: name_ident.clone(),
            args: cols
                .iter()
                .map(|c| s::Arg {
                    kind: ArgKind::Var(c.clone()),
                    span: sp,
                })
                .collect(),
            span: sp,
        };
        self.rule(&head, &body_lits, sp);
        // Joined on the rule's own variables and reading the target; the
        // body's other variables are the helper's business.
        let atom = ast::Atom {
            name: name_ident,
            args: cols
                .iter()
                .map(|c| {
                    if self.outer.contains(c) || var.as_ref() == Some(c) {
                        expr(ExprKind::Var(c.clone()), sp)
                    } else {
                        expr(ExprKind::Wildcard, sp)
                    }
                })
                .collect(),
            span: sp,
        };
        Some((atom, var.map(|v| ident(&v, sp))))
    }
}
