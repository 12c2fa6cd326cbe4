//! Arguments: arithmetic by precedence, functors, literals and aggregates.

use super::*;

impl Parser<'_> {
    pub(super) fn is_arith(&self) -> bool {
        match self.peek() {
            Tok::Punct(p) => ["+", "-", "*", "/", "%", "^"].contains(p),
            Tok::Ident(w) => LEVELS[..7].iter().any(|l| l.contains(&w.as_str())),
            _ => false,
        }
    }

    pub(super) fn arg(&mut self) -> PResult<Arg> {
        self.binary(0)
    }

    pub(super) fn level_op(&self, level: usize) -> Option<&'static str> {
        let ops = LEVELS[level];
        match self.peek() {
            Tok::Punct(p) => ops.iter().find(|o| *o == p).copied(),
            Tok::Ident(w) => ops.iter().find(|o| **o == w.as_str()).copied(),
            _ => None,
        }
    }

    pub(super) fn binary(&mut self, level: usize) -> PResult<Arg> {
        if level == LEVELS.len() {
            return self.power();
        }
        let mut lhs = self.binary(level + 1)?;
        while let Some(op) = self.level_op(level) {
            self.bump();
            let rhs = self.binary(level + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = Arg {
                kind: ArgKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        Ok(lhs)
    }

    /// `a ^ b`, right associative, above the multiplicative operators.
    pub(super) fn power(&mut self) -> PResult<Arg> {
        let base = self.unary()?;
        if self.eat("^") {
            let exp = self.power()?;
            let span = base.span.to(exp.span);
            return Ok(Arg {
                kind: ArgKind::Binary("^", Box::new(base), Box::new(exp)),
                span,
            });
        }
        Ok(base)
    }

    pub(super) fn unary(&mut self) -> PResult<Arg> {
        let start = self.span();
        if self.eat("-") {
            let inner = self.unary()?;
            let span = start.to(inner.span);
            let kind = match inner.kind {
                ArgKind::Int(v) => ArgKind::Int(v.wrapping_neg()),
                ArgKind::Float(v) => ArgKind::Float(-v),
                other => ArgKind::Unary(
                    "-",
                    Box::new(Arg {
                        kind: other,
                        span: inner.span,
                    }),
                ),
            };
            return Ok(Arg { kind, span });
        }
        for word in ["bnot", "lnot"] {
            if self.is_word(word)
                && !matches!(
                    self.peek_at(1),
                    Tok::Punct("(") | Tok::Punct(",") | Tok::Punct(")")
                )
            {
                self.bump();
                let inner = self.unary()?;
                let span = start.to(inner.span);
                let op = if word == "bnot" { "bnot" } else { "lnot" };
                return Ok(Arg {
                    kind: ArgKind::Unary(op, Box::new(inner)),
                    span,
                });
            }
        }
        self.primary()
    }

    pub(super) fn primary(&mut self) -> PResult<Arg> {
        let start = self.span();
        let arg = |kind| Ok(Arg { kind, span: start });
        match self.peek().clone() {
            Tok::Int(v) => {
                self.bump();
                arg(ArgKind::Int(v))
            }
            Tok::Unsigned(v) => {
                self.bump();
                arg(ArgKind::Unsigned(v))
            }
            Tok::Float(v) => {
                self.bump();
                arg(ArgKind::Float(v))
            }
            Tok::Str(s) => {
                self.bump();
                arg(ArgKind::Str(s))
            }
            Tok::Punct("_") => {
                self.bump();
                arg(ArgKind::Wild)
            }
            Tok::Punct("(") => {
                self.bump();
                let inner = self.arg()?;
                self.expect(")")?;
                Ok(Arg {
                    kind: inner.kind,
                    span: start.to(self.prev_span()),
                })
            }
            Tok::Punct("[") => {
                self.bump();
                let elems = self.args("]")?;
                Ok(Arg {
                    kind: ArgKind::Record(elems),
                    span: start.to(self.prev_span()),
                })
            }
            Tok::Punct("$") => {
                self.bump();
                if !matches!(self.peek(), Tok::Ident(_)) {
                    self.unsupported(
                        start,
                        "the counter `$`",
                        "use `autoinc()`, or number the facts in the input",
                    );
                    return Err(());
                }
                let name = self.ident("a branch name")?;
                let fields = if self.eat("(") {
                    self.args(")")?
                } else {
                    Vec::new()
                };
                Ok(Arg {
                    kind: ArgKind::Branch(name, fields),
                    span: start.to(self.prev_span()),
                })
            }
            Tok::Punct("@") => {
                self.bump();
                let name = self.ident("a functor name")?;
                if self.eat("(") {
                    let _ = self.args(")");
                }
                self.unsupported(
                    start.to(name.span),
                    &format!("the user-defined functor `@{}`", name.name),
                    "foldc cannot load C++ functors; compute the value with intrinsic functors or in the input",
                );
                Err(())
            }
            Tok::Ident(name) => {
                if name == "_" {
                    self.bump();
                    return arg(ArgKind::Wild);
                }
                let next_paren = matches!(self.peek_at(1), Tok::Punct("("));
                if AGGREGATES.contains(&name.as_str()) && !next_paren {
                    return self.aggregate();
                }
                if name == "nil" {
                    self.bump();
                    return arg(ArgKind::Nil);
                }
                let ident = self.ident("a name")?;
                if self.eat("(") {
                    let args = self.args(")")?;
                    return Ok(Arg {
                        kind: ArgKind::Call(ident, args),
                        span: start.to(self.prev_span()),
                    });
                }
                arg(ArgKind::Var(name))
            }
            _ => {
                self.error("a value, variable or expression");
                Err(())
            }
        }
    }

    /// `count : body`, `sum e : body`, where body is `{ conj }` or an atom.
    pub(super) fn aggregate(&mut self) -> PResult<Arg> {
        let kind = self.ident("an aggregate")?;
        let target = if self.is_punct(":") {
            None
        } else {
            Some(self.arg()?)
        };
        self.expect(":")?;
        let body = if self.eat("{") {
            let d = self.disj()?;
            self.expect("}")?;
            if d.len() > 1 {
                self.unsupported(
                    kind.span.to(self.prev_span()),
                    "a disjunction (`;`) inside an aggregate",
                    "name the disjunction with its own relation (one rule per branch) and aggregate over that",
                );
                return Err(());
            }
            d.into_iter().next().unwrap_or_default()
        } else {
            vec![Lit::Atom(self.atom()?)]
        };
        let span = kind.span.to(self.prev_span());
        Ok(Arg {
            kind: ArgKind::Aggregate(Box::new(Aggregate {
                kind,
                target,
                body,
                span,
            })),
            span,
        })
    }
}
