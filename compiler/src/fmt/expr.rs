//! Expressions, atoms and the other one-line pieces in canonical form:
//! one space around binary operators, none inside brackets, `, ` between
//! arguments, and only the parentheses the grammar needs to give back the
//! same tree (precedence and associativity decide).

use fold_grammar::ast::*;
use fold_grammar::token::{lex, Spanned, Tok};

/// How tightly an expression binds, as the grammar's levels: a child
/// printed where a tighter level is required gets parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Cmp,
    Add,
    Mul,
    Unary,
    Postfix,
}

fn level_of(op: BinaryOp) -> Level {
    match op {
        BinaryOp::Or => Level::Or,
        BinaryOp::And => Level::And,
        BinaryOp::Add | BinaryOp::Sub => Level::Add,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => Level::Mul,
        _ => Level::Cmp,
    }
}

/// Prints pieces of a program; literals whose text the tree does not keep
/// (floats) and the parentheses the writer chose are read back from the
/// source and its tokens.
pub struct Printer<'a> {
    pub src: &'a str,
    pub tokens: &'a [Spanned],
}

impl Printer<'_> {
    pub fn expr(&self, e: &Expr) -> String {
        let mut out = String::new();
        self.write(&mut out, e, Level::Or);
        out
    }

    pub fn atom(&self, a: &Atom) -> String {
        let mut out = String::new();
        self.write_call(&mut out, &a.name.name, &a.args);
        out
    }

    pub fn friend(&self, f: &FriendAtom) -> String {
        let bang = if f.negated { "!" } else { "" };
        format!("{bang}{}", self.atom(&f.atom))
    }

    pub fn let_value(&self, v: &LetValue) -> String {
        match v {
            LetValue::Expr(e) => self.expr(e),
            LetValue::Aggregate(a) => match &a.var {
                Some(var) => format!("{} {} : {}", a.kind.name, var.name, self.atom(&a.atom)),
                None => format!("{} {}", a.kind.name, self.atom(&a.atom)),
            },
        }
    }

    pub fn let_(&self, l: &Let) -> String {
        format!("let {} = {}", l.var.name, self.let_value(&l.value))
    }

    pub fn body_item(&self, b: &BodyItem) -> String {
        match b {
            BodyItem::Expr(e) => self.expr(e),
            BodyItem::Assign(lhs, rhs, _) => {
                format!("{} = {}", self.expr(lhs), self.let_value(rhs))
            }
        }
    }

    /// Parenthesised when it binds more loosely than `need`, or when the
    /// writer put it in parentheses (to make a grouping plain, as in
    /// `(a - b) - c`): those are kept, but only one pair. `sole` says
    /// that `e` is the only argument of a call, whose own parentheses
    /// surround it too.
    fn write_in(&self, out: &mut String, e: &Expr, need: Level, sole: bool) {
        let own = self.level(e);
        if own < need || self.parenthesised(e.span) > usize::from(sole) {
            out.push('(');
            self.write_bare(out, e);
            out.push(')');
        } else {
            self.write_bare(out, e);
        }
    }

    fn write(&self, out: &mut String, e: &Expr, need: Level) {
        self.write_in(out, e, need, false);
    }

    /// How many pairs of parentheses directly surround `span` in the
    /// source. What a span covers is a whole subtree, whose brackets are
    /// balanced, so a `(` right before it and a `)` right after it are a
    /// pair.
    fn parenthesised(&self, span: Span) -> usize {
        let mut before = self
            .tokens
            .partition_point(|(l, _, _)| *l < span.start as usize);
        let mut after = self
            .tokens
            .partition_point(|(l, _, _)| *l < span.end as usize);
        let mut pairs = 0;
        while before > 0
            && matches!(self.tokens.get(before - 1), Some((_, Tok::LParen, _)))
            && matches!(self.tokens.get(after), Some((_, Tok::RParen, _)))
        {
            pairs += 1;
            before -= 1;
            after += 1;
        }
        pairs
    }

    fn level(&self, e: &Expr) -> Level {
        match &e.kind {
            ExprKind::Binary(op, _, _) => level_of(*op),
            ExprKind::Unary(_, _) => Level::Unary,
            // A negative literal is written with its minus sign.
            ExprKind::Int(v) if *v < 0 => Level::Unary,
            ExprKind::Float(v) if v.is_sign_negative() => Level::Unary,
            _ => Level::Postfix,
        }
    }

    fn write_bare(&self, out: &mut String, e: &Expr) {
        match &e.kind {
            ExprKind::Int(v) => out.push_str(&v.to_string()),
            ExprKind::Float(v) => {
                if v.is_sign_negative() {
                    out.push('-');
                }
                out.push_str(&self.float_text(e.span, *v));
            }
            // The literal as written: its escapes stay as they were.
            ExprKind::Str(s) => out.push_str(&self.string_text(e.span, s)),
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Var(v) => out.push_str(v),
            ExprKind::Wildcard => out.push('_'),
            ExprKind::List(items) => {
                out.push('[');
                self.write_list(out, items, false);
                out.push(']');
            }
            ExprKind::Unary(op, inner) => {
                out.push(match op {
                    UnaryOp::Neg => '-',
                    UnaryOp::Not => '!',
                });
                // `- -x` must not print as `--x`... which fold lexes as
                // two minus signs anyway; a space keeps it readable.
                if matches!(op, UnaryOp::Neg) && self.starts_with_minus(inner) {
                    out.push(' ');
                }
                self.write(out, inner, Level::Unary);
            }
            ExprKind::Binary(op, a, b) => {
                let own = level_of(*op);
                // Left-associative: the left operand may be at the same
                // level, the right one must bind tighter; comparisons do
                // not chain, so both sides bind tighter.
                let left = if own == Level::Cmp { Level::Add } else { own };
                let right = next(own);
                self.write(out, a, left);
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                self.write(out, b, right);
            }
            ExprKind::Call(f, args) => self.write_call(out, &f.name, args),
            ExprKind::Index(base, i) => {
                self.write(out, base, Level::Postfix);
                out.push('[');
                self.write(out, i, Level::Or);
                out.push(']');
            }
            ExprKind::Slice(base, lo, hi) => {
                self.write(out, base, Level::Postfix);
                out.push('[');
                if let Some(lo) = lo {
                    self.write(out, lo, Level::Or);
                }
                out.push_str("..");
                if let Some(hi) = hi {
                    self.write(out, hi, Level::Or);
                }
                out.push(']');
            }
            // Only a program with syntax errors has these, and those are
            // not formatted.
            ExprKind::Error => out.push_str("<error>"),
        }
    }

    fn starts_with_minus(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Int(v) => *v < 0,
            ExprKind::Float(v) => v.is_sign_negative(),
            ExprKind::Unary(UnaryOp::Neg, _) => true,
            _ => false,
        }
    }

    fn write_call(&self, out: &mut String, name: &str, args: &[Expr]) {
        out.push_str(name);
        out.push('(');
        self.write_list(out, args, true);
        out.push(')');
    }

    /// Items separated by `, `; `call`: they are a call's arguments, in
    /// its parentheses.
    fn write_list(&self, out: &mut String, items: &[Expr], call: bool) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write_in(out, e, Level::Or, call && items.len() == 1);
        }
    }

    /// The digits of a float literal as written (`48.85`, `1e5`): the
    /// float token inside the expression's span (which may also hold minus
    /// signs and parentheses). Falls back to Rust's shortest round trip.
    fn float_text(&self, span: Span, v: f64) -> String {
        let text = self.src.get(span.range()).unwrap_or("");
        lex(text)
            .into_iter()
            .find_map(|(_, tok, _)| match tok {
                Tok::Float(digits) => Some(digits),
                _ => None,
            })
            .unwrap_or_else(|| format!("{:?}", v.abs()))
    }

    /// A string literal as written, quotes and escapes included; rebuilt
    /// from its value if the span does not hold it.
    fn string_text(&self, span: Span, value: &str) -> String {
        match self.src.get(span.range()) {
            Some(text) if text.starts_with('"') && text.ends_with('"') && text.len() >= 2 => {
                text.to_string()
            }
            _ => escape(value),
        }
    }
}

/// The level an operand must reach to stand right of an operator.
fn next(level: Level) -> Level {
    match level {
        Level::Or => Level::And,
        Level::And => Level::Cmp,
        Level::Cmp => Level::Add,
        Level::Add => Level::Mul,
        Level::Mul => Level::Unary,
        Level::Unary | Level::Postfix => Level::Postfix,
    }
}

/// A string value as a fold literal.
fn escape(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `[T]` and type names as written.
pub fn type_expr(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named(i) => i.name.clone(),
        TypeExpr::List(inner, _) => format!("[{}]", type_expr(inner)),
    }
}
