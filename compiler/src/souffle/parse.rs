//! A recursive-descent parser for Soufflé's `.dl` syntax. Like fold's
//! parser it never gives up on the whole file: an item that does not
//! parse is reported (code `E0700`) and skipped up to the next `.` or
//! directive, and the rest of the file is still read. Constructs this
//! front end does not run are reported where they stand (`E0701`) with
//! what to do instead.

use fold_grammar::ast::{Ident, Span};

use crate::diag::{Code, Diagnostic};
use crate::souffle::lex::{Tok, Token};
use crate::souffle::syntax::*;

/// Functors written `name(args)` that are expressions, not atoms.
pub const INTRINSICS: &[&str] = &[
    "cat",
    "strlen",
    "substr",
    "contains",
    "match",
    "ord",
    "to_number",
    "to_string",
    "to_float",
    "to_unsigned",
    "min",
    "max",
    "range",
    "autoinc",
    "as",
    "abs",
];

const AGGREGATES: &[&str] = &["count", "sum", "min", "max", "mean"];

/// Words `.decl` may end with that change nothing about the result.
const QUALIFIERS: &[&str] = &[
    "btree",
    "brie",
    "btree_delete",
    "inline",
    "no_inline",
    "magic",
    "no_magic",
    "override",
    "overridable",
    "input",
    "output",
    "printsize",
    "eqrel",
];

/// Binary operators by precedence level, lowest first.
const LEVELS: &[&[&str]] = &[
    &["lor"],
    &["lxor"],
    &["land"],
    &["bor"],
    &["bxor"],
    &["band"],
    &["bshl", "bshr", "bshru"],
    &["+", "-"],
    &["*", "/", "%"],
];

type PResult<T> = Result<T, ()>;

pub struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Parser<'a> {
    pub fn new(toks: &'a [Token]) -> Parser<'a> {
        Parser {
            toks,
            pos: 0,
            diags: Vec::new(),
        }
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos.min(self.toks.len() - 1)].span
    }

    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].span
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn describe(tok: &Tok) -> String {
        match tok {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Directive(s) => format!("`.{s}`"),
            Tok::Int(v) | Tok::Unsigned(v) => format!("`{v}`"),
            Tok::Float(v) => format!("`{v}`"),
            Tok::Str(_) => "a string".into(),
            Tok::Hash(_) => "a preprocessor line".into(),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Eof => "the end of the file".into(),
        }
    }

    fn error(&mut self, expected: &str) {
        let found = Self::describe(self.peek());
        let code = if matches!(self.peek(), Tok::Eof) {
            Code::UnexpectedEnd
        } else {
            Code::SouffleSyntax
        };
        self.diags.push(
            Diagnostic::new(
                code,
                self.span(),
                format!("expected {expected}, found {found}"),
            )
            .label(format!("expected {expected}")),
        );
    }

    fn expect(&mut self, p: &str) -> PResult<()> {
        if self.eat(p) {
            Ok(())
        } else {
            self.error(&format!("`{p}`"));
            Err(())
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        match self.peek().clone() {
            Tok::Ident(name) => {
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            _ => {
                self.error(what);
                Err(())
            }
        }
    }

    /// Report a construct this front end does not run.
    fn unsupported(&mut self, span: Span, what: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::SouffleUnsupported,
                span,
                format!("{what} is not supported by foldc"),
            )
            .label("not supported")
            .help(help.to_string()),
        );
    }

    /// Skip to just past the next `.` ending a clause, or to the next
    /// directive or preprocessor line.
    fn recover(&mut self) {
        loop {
            match self.peek() {
                Tok::Eof | Tok::Directive(_) | Tok::Hash(_) | Tok::Punct("}") => return,
                Tok::Punct(".") => {
                    self.bump();
                    return;
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// Skip to the next directive or preprocessor line (a construct whose
    /// extent is not known).
    fn skip_to_directive(&mut self) {
        while !matches!(
            self.peek(),
            Tok::Eof | Tok::Directive(_) | Tok::Hash(_) | Tok::Punct("}")
        ) {
            self.bump();
        }
    }

    pub fn program(&mut self) -> Program {
        let mut items = Vec::new();
        while !matches!(self.peek(), Tok::Eof) {
            let before = self.pos;
            match self.item() {
                Ok(item) => items.push(item),
                Err(()) => self.recover(),
            }
            if self.pos == before {
                self.bump();
            }
        }
        Program { items }
    }

    fn item(&mut self) -> PResult<Item> {
        match self.peek().clone() {
            Tok::Directive(d) => self.directive(&d),
            Tok::Hash(text) => {
                let span = self.bump().span;
                let word = text
                    .trim_start_matches('#')
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string();
                self.unsupported(
                    span,
                    &format!("the preprocessor line `#{word}`"),
                    "run the C preprocessor first (`cpp -P prog.dl > plain.dl`) and give foldc its output",
                );
                Ok(Item::Skipped)
            }
            Tok::Ident(_) => self.clause(),
            _ => {
                self.error("a directive (`.decl`, `.input`, ...) or a clause");
                Err(())
            }
        }
    }

    fn directive(&mut self, d: &str) -> PResult<Item> {
        let start = self.bump().span;
        match d {
            "decl" => self.decl(start),
            "type" => self.type_decl(start),
            "number_type" | "symbol_type" => {
                let name = self.ident("a type name")?;
                let base = if d == "number_type" {
                    "number"
                } else {
                    "symbol"
                };
                Ok(Item::Type(TypeDecl {
                    of: vec![Ident {
                        name: base.into(),
                        span: name.span,
                    }],
                    name,
                }))
            }
            "input" | "output" | "printsize" => {
                let kind = match d {
                    "input" => IoKind::Input,
                    "output" => IoKind::Output,
                    _ => IoKind::PrintSize,
                };
                self.io(kind, start)
            }
            "limitsize" => {
                let _ = self.io(IoKind::PrintSize, start)?;
                self.unsupported(
                    start.to(self.prev_span()),
                    "`.limitsize`",
                    "remove it: foldc always runs to the fixpoint",
                );
                Ok(Item::Skipped)
            }
            "pragma" => {
                while matches!(self.peek(), Tok::Str(_)) {
                    self.bump();
                }
                Ok(Item::Skipped)
            }
            "plan" => {
                // An execution plan for the clause before: a hint only.
                while matches!(
                    self.peek(),
                    Tok::Int(_)
                        | Tok::Punct(":")
                        | Tok::Punct("(")
                        | Tok::Punct(")")
                        | Tok::Punct(",")
                ) {
                    self.bump();
                }
                Ok(Item::Skipped)
            }
            "comp" => self.comp(),
            "init" => {
                let name = self.ident("an instance name")?;
                self.expect("=")?;
                let (comp, args) = self.comp_ref()?;
                Ok(Item::Init(Init { name, comp, args }))
            }
            "override" => Ok(Item::Override(self.ident("a relation name")?)),
            "functor" => {
                self.skip_to_directive();
                self.unsupported(
                    start,
                    "a user-defined functor (`.functor`)",
                    "foldc cannot load C++ functors; compute the value with intrinsic functors or in the input",
                );
                Ok(Item::Skipped)
            }
            _ => {
                self.skip_to_directive();
                self.unsupported(
                    start,
                    &format!("the directive `.{d}`"),
                    "foldc knows .decl, .type, .input, .output, .printsize and .pragma",
                );
                Ok(Item::Skipped)
            }
        }
    }

    /// `Name<T, ...>` (the arguments optional).
    fn comp_ref(&mut self) -> PResult<(Ident, Vec<Ident>)> {
        let name = self.ident("a component name")?;
        let mut args = Vec::new();
        if self.eat("<") {
            loop {
                args.push(self.ident("a type")?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(">")?;
        }
        Ok((name, args))
    }

    /// `.comp Name<T> : Base<T>, ... { items }`
    fn comp(&mut self) -> PResult<Item> {
        let (name, params) = self.comp_ref()?;
        let mut bases = Vec::new();
        if self.eat(":") {
            loop {
                bases.push(self.comp_ref()?);
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect("{")?;
        let mut items = Vec::new();
        while !self.is_punct("}") && !matches!(self.peek(), Tok::Eof) {
            let before = self.pos;
            match self.item() {
                Ok(item) => items.push(item),
                Err(()) => self.recover(),
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.expect("}")?;
        Ok(Item::Comp(CompDef {
            name,
            params: params.into_iter().map(|p| p.name).collect(),
            bases,
            items,
        }))
    }

    fn decl(&mut self, start: Span) -> PResult<Item> {
        let mut names = vec![self.ident("a relation name")?];
        while self.eat(",") {
            names.push(self.ident("a relation name")?);
        }
        self.expect("(")?;
        let mut attrs = Vec::new();
        if !self.is_punct(")") {
            loop {
                let name = self.ident("an attribute name")?;
                self.expect(":")?;
                let ty = self.ident("a type")?;
                attrs.push(Attr { name, ty });
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect(")")?;
        let mut eqrel = false;
        let mut choice = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::Ident(q)
                    if QUALIFIERS.contains(&q.as_str())
                        && !matches!(self.peek_at(1), Tok::Punct("(")) =>
                {
                    self.bump();
                    eqrel |= q == "eqrel";
                }
                Tok::Ident(q) if q == "choice" && matches!(self.peek_at(1), Tok::Punct("-")) => {
                    self.bump();
                    self.bump();
                    if !self.is_word("domain") {
                        self.error("`choice-domain`");
                        return Err(());
                    }
                    self.bump();
                    loop {
                        let mut domain = Vec::new();
                        if self.eat("(") {
                            loop {
                                domain.push(self.ident("an attribute name")?);
                                if !self.eat(",") {
                                    break;
                                }
                            }
                            self.expect(")")?;
                        } else {
                            domain.push(self.ident("an attribute name")?);
                        }
                        choice.push(domain);
                        if !self.eat(",") {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
        Ok(Item::Decl(Decl {
            names,
            attrs,
            eqrel,
            choice,
            span: start.to(self.prev_span()),
        }))
    }

    fn type_decl(&mut self, start: Span) -> PResult<Item> {
        let name = self.ident("a type name")?;
        if self.eat("<:") {
            let base = self.ident("a base type")?;
            return Ok(Item::Type(TypeDecl {
                name,
                of: vec![base],
            }));
        }
        self.expect("=")?;
        if self.is_punct("[") {
            let span = start.to(self.span());
            self.recover_bracket("[", "]");
            self.unsupported(
                span,
                &format!("the record type `{}`", name.name),
                "flatten the record into several attributes of the relations that use it",
            );
            return Ok(Item::Skipped);
        }
        let first = self.ident("a type")?;
        if self.is_punct("{") {
            let span = start.to(self.span());
            // An algebraic data type: branches `A { .. } | B { .. }`.
            loop {
                self.recover_bracket("{", "}");
                if !self.eat("|") {
                    break;
                }
                if self.ident("a branch name").is_err() {
                    break;
                }
            }
            self.unsupported(
                span,
                &format!("the algebraic data type `{}`", name.name),
                "encode each branch as its own relation, or its fields as attributes with a tag",
            );
            return Ok(Item::Skipped);
        }
        let mut of = vec![first];
        while self.eat("|") {
            of.push(self.ident("a type")?);
        }
        Ok(Item::Type(TypeDecl { name, of }))
    }

    /// Skip a balanced `open ... close` group starting here.
    fn recover_bracket(&mut self, open: &str, close: &str) {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                Tok::Eof => return,
                Tok::Punct(p) if *p == open => depth += 1,
                Tok::Punct(p) if *p == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.bump();
                        return;
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    fn io(&mut self, kind: IoKind, start: Span) -> PResult<Item> {
        let mut rels = vec![self.ident("a relation name")?];
        while self.eat(",") {
            rels.push(self.ident("a relation name")?);
        }
        let mut params = Vec::new();
        if self.eat("(") {
            while !self.is_punct(")") {
                let key = self.ident("a parameter name (`IO`, `filename`, ...)")?;
                self.expect("=")?;
                let vspan = self.span();
                let value = match self.bump().tok {
                    Tok::Str(s) | Tok::Ident(s) => s,
                    Tok::Int(v) | Tok::Unsigned(v) => v.to_string(),
                    _ => {
                        self.pos -= 1;
                        self.error("a parameter value");
                        return Err(());
                    }
                };
                params.push((key, value, vspan));
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(")")?;
        }
        Ok(Item::Io(IoDecl {
            kind,
            rels,
            params,
            span: start.to(self.prev_span()),
        }))
    }

    fn clause(&mut self) -> PResult<Item> {
        let start = self.span();
        let mut heads = vec![self.atom()?];
        while self.eat(",") {
            heads.push(self.atom()?);
        }
        if self.eat("<=") {
            let dominating = self.atom()?;
            let body = if self.eat(":-") {
                Some(self.disj()?)
            } else {
                None
            };
            self.expect(".")?;
            let mut heads = heads.into_iter();
            let dominated = heads.next().ok_or(())?;
            if heads.next().is_some() {
                self.unsupported(
                    start.to(self.prev_span()),
                    "subsumption with several heads",
                    "write one subsumption rule per relation",
                );
                return Ok(Item::Skipped);
            }
            return Ok(Item::Subsume(Subsume {
                dominated,
                dominating,
                body,
                span: start.to(self.prev_span()),
            }));
        }
        let body = if self.eat(":-") {
            Some(self.disj()?)
        } else {
            None
        };
        self.expect(".")?;
        Ok(Item::Clause(Clause {
            heads,
            body,
            span: start.to(self.prev_span()),
        }))
    }

    fn atom(&mut self) -> PResult<Atom> {
        let name = self.ident("a relation name")?;
        self.expect("(")?;
        let args = self.args(")")?;
        Ok(Atom {
            span: name.span.to(self.prev_span()),
            name,
            args,
        })
    }

    /// Arguments up to and including `close`.
    fn args(&mut self, close: &str) -> PResult<Vec<Arg>> {
        let mut args = Vec::new();
        if self.eat(close) {
            return Ok(args);
        }
        loop {
            args.push(self.arg()?);
            if !self.eat(",") {
                break;
            }
        }
        self.expect(close)?;
        Ok(args)
    }

    fn disj(&mut self) -> PResult<Disj> {
        let mut d = vec![self.conj()?];
        while self.eat(";") {
            d.push(self.conj()?);
        }
        Ok(d)
    }

    fn conj(&mut self) -> PResult<Conj> {
        let mut c = vec![self.lit()?];
        while self.eat(",") {
            c.push(self.lit()?);
        }
        Ok(c)
    }

    fn is_cmp(&self) -> Option<&'static str> {
        match self.peek() {
            Tok::Punct(p) if ["=", "!=", "<", "<=", ">", ">="].contains(p) => Some(p),
            _ => None,
        }
    }

    fn lit(&mut self) -> PResult<Lit> {
        let start = self.span();
        if self.eat("!") {
            if self.is_punct("(") {
                self.unsupported(
                    start.to(self.span()),
                    "negation of a parenthesised body (`!(...)`)",
                    "negate one atom at a time, or name the body with its own relation and negate that",
                );
                return Err(());
            }
            if let Tok::Ident(name) = self.peek().clone() {
                if INTRINSICS.contains(&name.as_str()) {
                    // `!contains(a, b)`, `!match(p, s)`: a negated test.
                    let arg = self.arg()?;
                    let span = start.to(arg.span);
                    return Ok(Lit::Pred(Arg {
                        kind: ArgKind::Unary("!", Box::new(arg)),
                        span,
                    }));
                }
            }
            return Ok(Lit::Neg(self.atom()?));
        }
        if self.is_punct("(") {
            // A parenthesised disjunction, unless it is an expression
            // compared with something.
            let save = (self.pos, self.diags.len());
            self.bump();
            if let Ok(d) = self.disj() {
                if self.eat(")") && self.is_cmp().is_none() && !self.is_arith() {
                    return Ok(Lit::Paren(d, start.to(self.prev_span())));
                }
            }
            self.pos = save.0;
            self.diags.truncate(save.1);
        }
        if let Tok::Ident(name) = self.peek().clone() {
            if (name == "true" || name == "false") && !matches!(self.peek_at(1), Tok::Punct("(")) {
                self.bump();
                return Ok(Lit::Bool(name == "true", start));
            }
            let is_atom =
                matches!(self.peek_at(1), Tok::Punct("(")) && !INTRINSICS.contains(&name.as_str());
            if is_atom {
                return Ok(Lit::Atom(self.atom()?));
            }
        }
        let lhs = self.arg()?;
        let Some(op) = self.is_cmp() else {
            if let ArgKind::Call(..) = lhs.kind {
                return Ok(Lit::Pred(lhs));
            }
            self.error("a comparison (`=`, `!=`, `<`, ...)");
            return Err(());
        };
        self.bump();
        let rhs = self.arg()?;
        let span = lhs.span.to(rhs.span);
        Ok(Lit::Cmp(op, lhs, rhs, span))
    }

    fn is_arith(&self) -> bool {
        match self.peek() {
            Tok::Punct(p) => ["+", "-", "*", "/", "%", "^"].contains(p),
            Tok::Ident(w) => LEVELS[..7].iter().any(|l| l.contains(&w.as_str())),
            _ => false,
        }
    }

    fn arg(&mut self) -> PResult<Arg> {
        self.binary(0)
    }

    fn level_op(&self, level: usize) -> Option<&'static str> {
        let ops = LEVELS[level];
        match self.peek() {
            Tok::Punct(p) => ops.iter().find(|o| *o == p).copied(),
            Tok::Ident(w) => ops.iter().find(|o| **o == w.as_str()).copied(),
            _ => None,
        }
    }

    fn binary(&mut self, level: usize) -> PResult<Arg> {
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
    fn power(&mut self) -> PResult<Arg> {
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

    fn unary(&mut self) -> PResult<Arg> {
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

    fn primary(&mut self) -> PResult<Arg> {
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
                self.recover_bracket("[", "]");
                let span = start.to(self.prev_span());
                self.unsupported(
                    span,
                    "a record (`[...]`)",
                    "flatten the record into separate attributes",
                );
                Err(())
            }
            Tok::Punct("$") => {
                self.bump();
                let span = start.to(self.span());
                if matches!(self.peek(), Tok::Ident(_)) {
                    self.bump();
                    if self.eat("(") {
                        let _ = self.args(")");
                    }
                    self.unsupported(
                        span,
                        "an ADT constructor (`$Branch(...)`)",
                        "encode each branch as its own relation",
                    );
                } else {
                    self.unsupported(
                        start,
                        "the counter `$`",
                        "number facts in the input instead",
                    );
                }
                Err(())
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
                    self.unsupported(start, "`nil` (records)", "flatten records into attributes");
                    return Err(());
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
    fn aggregate(&mut self) -> PResult<Arg> {
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
