//! `autoinc()` in a rule's head, numbered so that the order facts are
//! found in never changes the result.
//!
//! Soufflé draws the next number of a global counter each time a rule
//! fires, so which fact gets which number depends on its evaluation
//! order. foldc numbers a rule's firings by value instead: the rule's body
//! fills a private relation of its bindings, and each binding's number is
//! how many bindings sort before it, plus the number of bindings of the
//! `autoinc` rules before it in the program (so numbers stay unique
//! across rules, as Soufflé's are). This needs the bindings complete
//! before they are numbered, so a rule whose body depends on its own head
//! is refused, and so is `autoinc()` in a body (each use there draws a
//! new number, whose match depends on the order of evaluation).

use super::*;

fn has_autoinc(a: &s::Arg) -> bool {
    let mut found = false;
    visit(a, &mut |x| {
        if let ArgKind::Call(f, xs) = &x.kind {
            found |= f.name == "autoinc" && xs.is_empty();
        }
    });
    found
}

fn visit(a: &s::Arg, f: &mut dyn FnMut(&s::Arg)) {
    f(a);
    match &a.kind {
        ArgKind::Unary(_, x) => visit(x, f),
        ArgKind::Binary(_, x, y) => {
            visit(x, f);
            visit(y, f);
        }
        ArgKind::Call(_, xs) | ArgKind::Record(xs) | ArgKind::Branch(_, xs) => {
            xs.iter().for_each(|x| visit(x, f))
        }
        _ => {}
    }
}

fn lit_has_autoinc(l: &Lit) -> Option<Span> {
    let args: Vec<&s::Arg> = match l {
        Lit::Atom(a) | Lit::Neg(a) => a.args.iter().collect(),
        Lit::Cmp(_, x, y, _) => vec![x, y],
        Lit::Pred(x) => vec![x],
        Lit::Bool(..) | Lit::Paren(..) => Vec::new(),
    };
    args.into_iter().find(|a| has_autoinc(a)).map(|a| a.span)
}

fn replace_autoinc(a: &s::Arg, var: &str) -> s::Arg {
    let kind = match &a.kind {
        ArgKind::Call(f, xs) if f.name == "autoinc" && xs.is_empty() => ArgKind::Var(var.into()),
        ArgKind::Unary(op, x) => ArgKind::Unary(op, Box::new(replace_autoinc(x, var))),
        ArgKind::Binary(op, x, y) => ArgKind::Binary(
            op,
            Box::new(replace_autoinc(x, var)),
            Box::new(replace_autoinc(y, var)),
        ),
        ArgKind::Call(f, xs) => ArgKind::Call(
            f.clone(),
            xs.iter().map(|x| replace_autoinc(x, var)).collect(),
        ),
        ArgKind::Record(xs) => {
            ArgKind::Record(xs.iter().map(|x| replace_autoinc(x, var)).collect())
        }
        ArgKind::Branch(b, xs) => ArgKind::Branch(
            b.clone(),
            xs.iter().map(|x| replace_autoinc(x, var)).collect(),
        ),
        other => other.clone(),
    };
    s::Arg { kind, span: a.span }
}

fn var(name: &str, span: Span) -> s::Arg {
    s::Arg {
        kind: ArgKind::Var(name.into()),
        span,
    }
}

impl Translator {
    /// Relations each relation's rules read, for the recursion test.
    pub(super) fn note_deps(&mut self, program: &s::Program) {
        for item in &program.items {
            let s::Item::Clause(c) = item else { continue };
            let mut read = Vec::new();
            for conj in c.body.iter().flatten() {
                for l in conj {
                    collect_atoms(l, &mut read);
                    if let Lit::Neg(a) = l {
                        read.push(a);
                    }
                }
            }
            for h in &c.heads {
                let e = self.deps.entry(h.name.name.clone()).or_default();
                e.extend(read.iter().map(|a| a.name.name.clone()));
            }
        }
    }

    fn reaches(&self, from: &str, to: &str) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(r) = stack.pop() {
            if r == to {
                return true;
            }
            if seen.insert(r.clone()) {
                if let Some(next) = self.deps.get(&r) {
                    stack.extend(next.iter().cloned());
                }
            }
        }
        false
    }

    /// A rule whose head has `autoinc()`: `Some(())` when handled (or
    /// refused), `None` when the head has none.
    pub(super) fn autoinc_rule(&mut self, head: &s::Atom, lits: &[Lit], span: Span) -> Option<()> {
        let at = head.args.iter().find(|a| has_autoinc(a))?;
        let at = at.span;
        if let Some(sp) = lits.iter().find_map(lit_has_autoinc) {
            self.autoinc_refused(sp, "`autoinc()` in a rule body", "each use draws a new number, so what it matches depends on the order of evaluation; number the facts in the head of a rule of their own");
            return Some(());
        }
        let mut read = Vec::new();
        lits.iter().for_each(|l| collect_atoms(l, &mut read));
        if read
            .iter()
            .any(|a| self.reaches(&a.name.name, &head.name.name))
        {
            self.autoinc_refused(
                at,
                "`autoinc()` in a recursive rule",
                "foldc numbers a rule's bindings in order of value once they are all known, which a rule that reads its own results never is; number the facts in a rule outside the recursion",
            );
            return Some(());
        }
        // The bindings: the variables the body's atoms bind.
        let mut cols: Vec<String> = Vec::new();
        for a in &read {
            for x in &a.args {
                arg_vars(x, &mut |v| {
                    if !cols.iter().any(|c| c == v) {
                        cols.push(v.to_string());
                    }
                });
            }
        }
        let types = self.var_types(lits);
        let bases: Vec<Base> = cols
            .iter()
            .map(|c| types.get(c).copied().unwrap_or(Base::Number))
            .collect();
        if cols.len() > 1
            && bases
                .iter()
                .any(|b| matches!(b, Base::Symbol | Base::Record(_)))
        {
            self.autoinc_refused(
                at,
                "`autoinc()` over several values with a symbol or record among them",
                "foldc numbers bindings in order of value and orders several values only when they are all numbers; number a relation of one symbol, or of numbers, instead",
            );
            return Some(());
        }
        // The private relation of the bindings.
        let sp = span;
        let name = self.private_relation("autoinc", &bases, sp);
        let binding = |names: &[String]| s::Atom {
            name: ident(&name, sp),
            args: names.iter().map(|c| var(c, sp)).collect(),
            span: sp,
        };
        self.rule(&binding(&cols), lits, sp);
        // Its number: the bindings before it, after the earlier rules'.
        let count = |body: Vec<Lit>| s::Arg {
            kind: ArgKind::Aggregate(Box::new(s::Aggregate {
                kind: ident("count", sp),
                target: None,
                body,
                span: sp,
            })),
            span: sp,
        };
        let mut number = match cols.len() {
            0 => s::Arg {
                kind: ArgKind::Int(0),
                span: sp,
            },
            n => {
                let others: Vec<String> = (0..n).map(|_| self.fresh("j")).collect();
                let before = if n == 1 {
                    Lit::Cmp("<", var(&others[0], sp), var(&cols[0], sp), sp)
                } else {
                    let rec = |names: &[String]| s::Arg {
                        kind: ArgKind::Record(names.iter().map(|c| var(c, sp)).collect()),
                        span: sp,
                    };
                    Lit::Cmp("<", rec(&others), rec(&cols), sp)
                };
                count(vec![Lit::Atom(binding(&others)), before])
            }
        };
        for (earlier, arity) in self.autoinc_rels.clone() {
            let all = s::Atom {
                name: ident(&earlier, sp),
                args: (0..arity)
                    .map(|_| s::Arg {
                        kind: ArgKind::Wild,
                        span: sp,
                    })
                    .collect(),
                span: sp,
            };
            number = s::Arg {
                kind: ArgKind::Binary("+", Box::new(number), Box::new(count(vec![Lit::Atom(all)]))),
                span: sp,
            };
        }
        self.autoinc_rels.push((name.clone(), cols.len()));
        let n = self.fresh("n");
        let head = s::Atom {
            name: head.name.clone(),
            args: head.args.iter().map(|a| replace_autoinc(a, &n)).collect(),
            span: head.span,
        };
        let mut body = vec![Lit::Atom(binding(&cols))];
        body.push(Lit::Cmp("=", var(&n, sp), number, sp));
        // The head's other arguments may use variables the body's
        // equalities bind: they are computed again from the binding.
        body.extend(
            lits.iter()
                .filter(|l| matches!(l, Lit::Cmp("=", ..)))
                .cloned(),
        );
        self.rule(&head, &body, sp);
        Some(())
    }

    fn autoinc_refused(&mut self, span: Span, what: &str, why: &str) {
        self.unsupported(span, what, why);
    }
}
