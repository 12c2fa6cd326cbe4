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

mod decls;
mod exprs;

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
    "bnot",
    "lnot",
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
}
