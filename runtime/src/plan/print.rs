//! A readable, deterministic rendering of a whole plan (`foldc emit plan`).
//!
//! Categories with types, keys and `keep`; inputs, outputs, program facts;
//! strata; rules; every handler with its trigger pattern, slots, priority
//! and ops as an indented tree; examples. Expressions are printed in
//! fold-like syntax with slot names and literal constants, parenthesised
//! only where precedence needs it. Atoms print as
//! `cat[indexed = key](field -> slot, field == check)`: the bracket holds
//! the columns looked up in an index, the parentheses how the other
//! fields bind (ignored fields are left out). The output is snapshot-tested,
//! so it only changes on purpose.

use std::fmt::Write as _;

use crate::plan::{
    AggKind, BinOp, Bind, CatId, CmpOp, Example, ExampleKind, Expr, GroundFact, Handler, Keep, Op,
    Plan, Source, Stage, UnOp,
};
use crate::value::{self, Type};

/// Render the whole plan.
pub fn print_plan(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str("categories:\n");
    for (i, c) in plan.categories.iter().enumerate() {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.ty))
            .collect();
        let _ = write!(out, "  {i} {}({})", c.name, fields.join(", "));
        if let Some(key) = &c.key {
            let names: Vec<&str> = key
                .iter()
                .map(|&k| field_name(plan, CatId(i as u32), k))
                .collect();
            let _ = write!(out, " key({})", names.join(", "));
            match c.keep {
                Keep::Least => {}
                Keep::Min(f) => {
                    let _ = write!(out, " keep min({})", field_name(plan, CatId(i as u32), f));
                }
                Keep::Max(f) => {
                    let _ = write!(out, " keep max({})", field_name(plan, CatId(i as u32), f));
                }
            }
        }
        if c.private {
            out.push_str(" private");
        }
        out.push('\n');
    }
    if !plan.inputs.is_empty() {
        out.push_str("inputs:\n");
        for i in &plan.inputs {
            let mut path = String::new();
            value::write_quoted(&mut path, &i.path.to_string_lossy());
            let _ = writeln!(out, "  {} from {path}", cat_name(plan, i.cat));
        }
    }
    if !plan.outputs.is_empty() {
        let names: Vec<&str> = plan.outputs.iter().map(|&c| cat_name(plan, c)).collect();
        let _ = writeln!(out, "outputs: {}", names.join(", "));
    }
    if !plan.facts.is_empty() {
        out.push_str("facts:\n");
        for f in &plan.facts {
            let _ = writeln!(out, "  {}  (line {})", fact(plan, f), f.line);
        }
    }
    out.push_str("strata:\n");
    for (i, s) in plan.strata.iter().enumerate() {
        let cats: Vec<&str> = s.categories.iter().map(|&c| cat_name(plan, c)).collect();
        let hs: Vec<String> = s.handlers.iter().map(|h| h.0.to_string()).collect();
        let _ = writeln!(
            out,
            "  {i}: finds {}; handlers {}",
            list_or_none(&cats),
            list_or_none(&hs)
        );
    }
    out.push_str("rules:\n");
    for (i, r) in plan.rules.iter().enumerate() {
        let atoms: Vec<&str> = r.atoms.iter().map(|&c| cat_name(plan, c)).collect();
        let hs: Vec<String> = r.handlers.iter().map(|h| h.0.to_string()).collect();
        let _ = writeln!(
            out,
            "  {i} {} (line {}): atoms {}; handlers {}",
            r.name,
            r.line,
            list_or_none(&atoms),
            list_or_none(&hs)
        );
    }
    for (i, h) in plan.handlers.iter().enumerate() {
        out.push('\n');
        handler(&mut out, plan, i, h);
    }
    if !plan.examples.is_empty() {
        out.push_str("\nexamples:\n");
        for e in &plan.examples {
            example(&mut out, plan, e);
        }
    }
    out
}

fn list_or_none<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn cat_name(plan: &Plan, cat: CatId) -> &str {
    plan.categories
        .get(cat.index())
        .map_or("?", |c| c.name.as_str())
}

fn field_name(plan: &Plan, cat: CatId, field: usize) -> &str {
    plan.categories
        .get(cat.index())
        .and_then(|c| c.fields.get(field))
        .map_or("?", |f| f.name.as_str())
}

fn fact(plan: &Plan, f: &GroundFact) -> String {
    match plan.categories.get(f.cat.index()) {
        Some(c) => value::display_fact(&c.name, &c.types(), &f.tuple),
        None => format!("?{:?}", f.tuple),
    }
}

fn example(out: &mut String, plan: &Plan, e: &Example) {
    let rules: Vec<&str> = e
        .rules
        .iter()
        .map(|r| plan.rules.get(r.index()).map_or("?", |r| r.name.as_str()))
        .collect();
    let kind = match e.kind {
        ExampleKind::Hit => "hit",
        ExampleKind::Miss => "miss",
        ExampleKind::NearMiss => "near_miss",
    };
    let given: Vec<String> = e.given.iter().map(|f| fact(plan, f)).collect();
    let _ = write!(
        out,
        "  {} {kind} `{}` (line {}): {}",
        rules.join(" + "),
        e.name,
        e.line,
        given.join(", ")
    );
    if !e.expected.is_empty() {
        let expected: Vec<String> = e.expected.iter().map(|f| fact(plan, f)).collect();
        let _ = write!(out, " => {}", expected.join(", "));
    }
    out.push('\n');
}

struct Printer<'a> {
    plan: &'a Plan,
    h: &'a Handler,
    out: &'a mut String,
}

fn handler(out: &mut String, plan: &Plan, i: usize, h: &Handler) {
    let rule = plan
        .rules
        .get(h.rule.index())
        .map_or("?", |r| r.name.as_str());
    let mut p = Printer { plan, h, out };
    let mut pattern = String::new();
    p.atom_binds(&mut pattern, h.trigger, h.bind.iter().enumerate());
    let _ = writeln!(
        p.out,
        "handler {i}: rule {rule} position {} on {}{pattern}",
        h.position,
        cat_name(plan, h.trigger)
    );
    let slots: Vec<String> = (0..h.slots as usize)
        .map(|s| {
            format!(
                "{}: {}",
                p.slot(s),
                h.slot_types.get(s).map_or("?".to_string(), Type::to_string)
            )
        })
        .collect();
    let _ = writeln!(p.out, "  slots: {}", list_or_none(&slots));
    if let Some(priority) = &h.priority {
        let text = p.expr(&priority.expr);
        let _ = writeln!(p.out, "  priority {text}");
    }
    p.ops(&h.body, 2);
}

/// The key columns and expressions of a source (none for every row).
fn lookup(source: &Source) -> (&[usize], &[Expr]) {
    match source {
        Source::All => (&[], &[]),
        Source::Index(key) => (&key.cols, &key.exprs),
    }
}

impl Printer<'_> {
    fn slot(&self, s: usize) -> String {
        match self.h.slot_names.get(s) {
            Some(n) if !n.is_empty() => n.clone(),
            _ => format!("${s}"),
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `(field -> slot, field == expr)` for the fields that bind.
    fn atom_binds<'b>(
        &self,
        out: &mut String,
        cat: CatId,
        binds: impl Iterator<Item = (usize, &'b Bind)>,
    ) {
        let mut parts = Vec::new();
        for (f, b) in binds {
            let name = field_name(self.plan, cat, f);
            match b {
                Bind::Ignore => {}
                Bind::Store(s) => parts.push(format!("{name} -> {}", self.slot(s.index()))),
                Bind::Check(e) => parts.push(format!("{name} == {}", self.expr(e))),
            }
        }
        if !parts.is_empty() {
            let _ = write!(out, "({})", parts.join(", "));
        }
    }

    /// `cat[col = key, ...](binds)`.
    fn atom(&self, cat: CatId, cols: &[usize], key: &[Expr], bind: &[(usize, Bind)]) -> String {
        let mut s = cat_name(self.plan, cat).to_string();
        if !cols.is_empty() {
            let keys: Vec<String> = cols
                .iter()
                .zip(key)
                .map(|(&c, k)| format!("{} = {}", field_name(self.plan, cat, c), self.expr(k)))
                .collect();
            let _ = write!(s, "[{}]", keys.join(", "));
        }
        self.atom_binds(&mut s, cat, bind.iter().map(|(f, b)| (*f, b)));
        s
    }

    fn ops(&mut self, ops: &[Op], depth: usize) {
        for op in ops {
            self.op(op, depth);
        }
    }

    fn op(&mut self, op: &Op, d: usize) {
        match op {
            Op::Categorical { cat, key, .. } => {
                let text = format!(
                    "categorical {}",
                    self.atom(*cat, &key.cols, &key.exprs, &[])
                );
                self.line(d, &text);
            }
            Op::Abort { stage, cond } => {
                let stage = match stage {
                    Stage::Data => "data",
                    Stage::Friends => "friends",
                };
                let text = format!("abort {stage} when {}", self.expr(cond));
                self.line(d, &text);
            }
            Op::Let { slot, expr } => {
                let text = format!("let {} = {}", self.slot(slot.index()), self.expr(expr));
                self.line(d, &text);
            }
            Op::Join {
                cat,
                source,
                bind,
                body,
                exists,
            } => {
                let (cols, key) = lookup(source);
                let word = if *exists { "exists" } else { "join" };
                let text = format!("{word} {}", self.atom(*cat, cols, key, bind));
                self.line(d, &text);
                self.ops(body, d + 2);
            }
            Op::NotExists { cat, source } => {
                let (cols, key) = lookup(source);
                let text = format!("not exists {}", self.atom(*cat, cols, key, &[]));
                self.line(d, &text);
            }
            Op::Aggregate {
                slot,
                kind,
                ty,
                cat,
                source,
                bind,
                value,
            } => {
                let (cols, key) = lookup(source);
                let kind = match kind {
                    AggKind::Count => "count",
                    AggKind::Sum => "sum",
                    AggKind::Min => "min",
                    AggKind::Max => "max",
                };
                let value = value
                    .as_ref()
                    .map(|v| format!(" {}", self.expr(v)))
                    .unwrap_or_default();
                let text = format!(
                    "let {}: {ty} = {kind}{value} over {}",
                    self.slot(slot.index()),
                    self.atom(*cat, cols, key, bind)
                );
                self.line(d, &text);
            }
            Op::Search { body } => {
                self.line(d, "search");
                self.ops(body, d + 2);
            }
            Op::If { cond, then, els } => {
                let text = format!("if {}", self.expr(cond));
                self.line(d, &text);
                self.ops(then, d + 2);
                if !els.is_empty() {
                    self.line(d, "else");
                    self.ops(els, d + 2);
                }
            }
            Op::For {
                slot,
                elem,
                list,
                body,
            } => {
                let text = format!(
                    "for {}: {elem} in {}",
                    self.slot(slot.index()),
                    self.expr(list)
                );
                self.line(d, &text);
                self.ops(body, d + 2);
            }
            Op::ForRange { slot, lo, hi, body } => {
                let text = format!(
                    "for {} in {}..{}",
                    self.slot(slot.index()),
                    self.expr_prec(lo, ADD + 1),
                    self.expr_prec(hi, ADD + 1)
                );
                self.line(d, &text);
                self.ops(body, d + 2);
            }
            Op::Find { cat, args } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                let text = format!("find {}({})", cat_name(self.plan, *cat), args.join(", "));
                self.line(d, &text);
            }
        }
    }

    fn expr(&self, e: &Expr) -> String {
        self.expr_prec(e, 0)
    }

    /// Print `e`, parenthesised when its precedence is below `min`.
    fn expr_prec(&self, e: &Expr, min: u8) -> String {
        let (text, prec) = match e {
            Expr::Const(w, ty) => {
                let mut s = String::new();
                value::write_literal(&mut s, ty, *w);
                // A negative literal binds like a unary minus.
                let p = if s.starts_with('-') { UNARY } else { ATOM };
                (s, p)
            }
            Expr::Slot(s) => (self.slot(s.index()), ATOM),
            Expr::Unary(op, a) => {
                let sym = match op {
                    UnOp::NegInt | UnOp::NegFloat => "-",
                    UnOp::Not => "!",
                };
                (format!("{sym}{}", self.expr_prec(a, UNARY)), UNARY)
            }
            Expr::Binary(op, a, b) => {
                let (sym, p) = binop(op);
                // Comparisons do not chain: both sides bind tighter.
                let left = if p == CMP { p + 1 } else { p };
                (
                    format!(
                        "{} {sym} {}",
                        self.expr_prec(a, left),
                        self.expr_prec(b, p + 1)
                    ),
                    p,
                )
            }
            Expr::And(a, b) => (
                format!(
                    "{} && {}",
                    self.expr_prec(a, AND),
                    self.expr_prec(b, AND + 1)
                ),
                AND,
            ),
            Expr::Or(a, b) => (
                format!("{} || {}", self.expr_prec(a, OR), self.expr_prec(b, OR + 1)),
                OR,
            ),
            Expr::Call { func, args, .. } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                (format!("{}({})", func.name, args.join(", ")), POSTFIX)
            }
            Expr::List(items) => {
                let items: Vec<String> = items.iter().map(|a| self.expr(a)).collect();
                (format!("[{}]", items.join(", ")), ATOM)
            }
            Expr::Index(base, i) => (
                format!("{}[{}]", self.expr_prec(base, POSTFIX), self.expr(i)),
                POSTFIX,
            ),
            Expr::Slice { base, lo, hi, .. } => {
                let lo = lo
                    .as_ref()
                    .map(|e| self.expr_prec(e, ADD + 1))
                    .unwrap_or_default();
                let hi = hi
                    .as_ref()
                    .map(|e| self.expr_prec(e, ADD + 1))
                    .unwrap_or_default();
                (
                    format!("{}[{lo}..{hi}]", self.expr_prec(base, POSTFIX)),
                    POSTFIX,
                )
            }
        };
        if prec < min {
            format!("({text})")
        } else {
            text
        }
    }
}

const OR: u8 = 1;
const AND: u8 = 2;
const CMP: u8 = 3;
const ADD: u8 = 4;
const MUL: u8 = 5;
const UNARY: u8 = 6;
const POSTFIX: u8 = 7;
const ATOM: u8 = 8;

fn binop(op: &BinOp) -> (&'static str, u8) {
    match op {
        BinOp::AddInt | BinOp::AddFloat | BinOp::ConcatStr | BinOp::ConcatList => ("+", ADD),
        BinOp::SubInt | BinOp::SubFloat => ("-", ADD),
        BinOp::MulInt | BinOp::MulFloat => ("*", MUL),
        BinOp::DivInt | BinOp::DivFloat => ("/", MUL),
        BinOp::RemInt | BinOp::RemFloat => ("%", MUL),
        BinOp::Cmp(c, _) => (
            match c {
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            },
            CMP,
        ),
    }
}
