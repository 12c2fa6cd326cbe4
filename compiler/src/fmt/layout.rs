//! The canonical layout: the program's items as lines of code, each with
//! the source range it came from (so comments can be put back beside it).
//!
//! - declarations, inputs, outputs, facts and examples: one per line;
//! - a lifecycle rule: `rule NAME:`, then one stage per line, indented;
//!   a `search` block and its statements one per line, `;` after each
//!   `let` and `find`;
//! - a Datalog clause on one line when it fits in [`WIDTH`] columns and
//!   holds no comment, else one body item per line, aligned under the
//!   first.

use fold_grammar::ast::*;
use fold_grammar::token::{Spanned, Tok};

use crate::fmt::comments::Trivia;
use crate::fmt::expr::{type_expr, Printer};

/// The widest a Datalog clause may be on one line.
pub const WIDTH: usize = 100;
/// Spaces per level of nesting.
pub const INDENT: usize = 2;

/// One line of formatted code.
#[derive(Clone, Debug)]
pub struct Line {
    /// Leading spaces.
    pub indent: usize,
    pub text: String,
    /// Source offsets: the start of its first token, the end of its last.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Where, in `text`, padding goes to align consecutive lines of the
    /// same group: the facts of the examples of one rule, after `KIND:`.
    pub align: Option<(usize, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Plain,
    /// Opens a block (ends with `{`).
    Open,
    /// Starts with the `}` closing a block.
    Close,
    /// Continues a Datalog clause: never preceded by a blank line.
    Continuation,
    /// The first line of a Datalog rule (with a body), which stats and
    /// examples name by its line number (`path@7`).
    ClauseStart,
}

pub struct Layout<'a> {
    pub printer: Printer<'a>,
    tokens: &'a [Spanned],
    trivia: &'a Trivia,
    pub lines: Vec<Line>,
    /// How an example target `NAME@LINE` is renamed (the Datalog rule of
    /// that line moved): set before laying out examples.
    pub rename: &'a dyn Fn(&str) -> String,
}

impl<'a> Layout<'a> {
    pub fn new(
        src: &'a str,
        tokens: &'a [Spanned],
        trivia: &'a Trivia,
        rename: &'a dyn Fn(&str) -> String,
    ) -> Self {
        Layout {
            printer: Printer { src, tokens },
            tokens,
            trivia,
            lines: Vec::new(),
            rename,
        }
    }

    pub fn program(&mut self, p: &Program) {
        for item in &p.items {
            self.item(item);
        }
    }

    /// A line whose own text ends at source offset `end` (closing
    /// parentheses and separators after it still count as its own; see
    /// [`Layout::finish`]).
    fn push(&mut self, indent: usize, text: String, end: usize, kind: Kind) {
        self.lines.push(Line {
            indent,
            text,
            start: 0,
            end,
            kind,
            align: None,
        });
    }

    /// Give every line the exact source range of its tokens. A line's
    /// text is a run of tokens; what follows the end of its main content
    /// can only be closing brackets and separators (`)` of a
    /// parenthesised expression, `,`, `;`, `.`, `:`, `:-`, `=>`), so the next line
    /// starts at the first other token, and each line ends where the
    /// next one starts.
    pub fn finish(&mut self) {
        let tokens = self.tokens;
        let after = |offset: usize| tokens.partition_point(|(l, _, _)| *l < offset);
        let mut next = 0;
        for line in &mut self.lines {
            line.start = tokens.get(next).map_or(line.end, |(l, _, _)| *l);
            let mut i = after(line.end.max(line.start + 1));
            while let Some((_, tok, _)) = tokens.get(i) {
                if !matches!(
                    tok,
                    Tok::RParen
                        | Tok::RBracket
                        | Tok::Comma
                        | Tok::Semi
                        | Tok::Dot
                        | Tok::Colon
                        | Tok::Turnstile
                        | Tok::Arrow
                ) {
                    break;
                }
                i += 1;
            }
            line.end = i
                .checked_sub(1)
                .and_then(|j| tokens.get(j))
                .map_or(line.end, |(_, _, r)| *r);
            next = i;
        }
    }

    fn item(&mut self, item: &Item) {
        let span = item.span();
        let end = span.end as usize;
        match item {
            Item::Data(d) => {
                let private = if d.private { "private " } else { "" };
                let fields: Vec<String> = d
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name.name, type_expr(&f.ty)))
                    .collect();
                let mut text = format!("{private}data {}({})", d.name.name, fields.join(", "));
                if let Some(k) = &d.key {
                    let names: Vec<&str> = k.fields.iter().map(|f| f.name.as_str()).collect();
                    text.push_str(&format!(" key({})", names.join(", ")));
                }
                if let Some(k) = &d.keep {
                    text.push_str(&format!(" keep {}({})", k.kind.name, k.field.name));
                }
                self.push(0, text, end, Kind::Plain);
            }
            Item::Input(i) => {
                let path = self.printer.src.get(i.path_span.range()).unwrap_or("\"\"");
                let text = format!("input {} from {path}", i.category.name);
                self.push(0, text, end, Kind::Plain);
            }
            Item::Output(o) => {
                self.push(0, format!("output {}", o.category.name), end, Kind::Plain)
            }
            Item::Rule(r) => self.rule(r),
            Item::Clause(c) => self.clause(c),
            Item::Example(e) => self.example(e),
            Item::Error(_) => {
                let text = self.printer.src.get(span.range()).unwrap_or("").to_string();
                self.push(0, text, end, Kind::Plain);
            }
        }
    }

    fn rule(&mut self, r: &LifecycleRule) {
        self.push(
            0,
            format!("rule {}:", r.name.name),
            r.name.span.end as usize,
            Kind::Plain,
        );
        for stage in &r.stages {
            let end = stage.span().end as usize;
            let p = &self.printer;
            let text = match stage {
                Stage::On(a) => format!("on {}", p.atom(a)),
                Stage::AbortWhen(e) => format!("abort when {}", p.expr(e)),
                Stage::Friends(atoms, _) => {
                    let list: Vec<String> = atoms.iter().map(|f| p.friend(f)).collect();
                    format!("friends {}", list.join(", "))
                }
                Stage::Let(l) => p.let_(l),
                Stage::Find(a) => format!("find {}", p.atom(a)),
                Stage::Priority(e) => format!("priority {}", p.expr(e)),
                Stage::Search(b) => {
                    if let Some(inline) = self.inline_block(b) {
                        self.push(INDENT, format!("search {inline}"), end, Kind::Plain);
                        continue;
                    }
                    let open = b.span.start as usize + 1;
                    self.push(INDENT, "search {".into(), open, Kind::Open);
                    self.block_body(b, INDENT);
                    continue;
                }
            };
            self.push(INDENT, text, end, Kind::Plain);
        }
    }

    /// The statements of a block one level deeper than `indent`, and its
    /// closing brace (the opening line is the caller's).
    fn block_body(&mut self, b: &Block, indent: usize) {
        for s in &b.stmts {
            self.stmt(s, indent + INDENT);
        }
        self.push(indent, "}".into(), b.span.end as usize, Kind::Close);
    }

    /// A block on one line: `{}`, or `{ let ...; }` / `{ find ...; }`
    /// when it holds that one statement and no comment.
    fn inline_block(&self, b: &Block) -> Option<String> {
        if self
            .trivia
            .any_within(b.span.start as usize, b.span.end as usize)
        {
            return None;
        }
        match b.stmts.as_slice() {
            [] => Some("{}".into()),
            [Stmt::Let(l)] => Some(format!("{{ {}; }}", self.printer.let_(l))),
            [Stmt::Find(a)] => Some(format!("{{ find {}; }}", self.printer.atom(a))),
            _ => None,
        }
    }

    /// An `if` or `for` on one line, when its blocks are [inline
    /// blocks](Self::inline_block) (no `else if`) and it fits.
    fn inline_stmt(&self, s: &Stmt, indent: usize) -> Option<String> {
        let p = &self.printer;
        let text = match s {
            Stmt::For(f) => format!(
                "for {} in {} {}",
                f.var.name,
                p.expr(&f.iter),
                self.inline_block(&f.body)?
            ),
            Stmt::If(i) => {
                let mut text = format!("if {} {}", p.expr(&i.cond), self.inline_block(&i.then)?);
                if let Some(els) = &i.els {
                    if matches!(els.stmts.as_slice(), [Stmt::If(_)]) {
                        return None;
                    }
                    text.push_str(&format!(" else {}", self.inline_block(els)?));
                }
                text
            }
            _ => return None,
        };
        (indent + width(&text) <= WIDTH).then_some(text)
    }

    fn stmt(&mut self, s: &Stmt, indent: usize) {
        if let Some(text) = self.inline_stmt(s, indent) {
            let end = match s {
                Stmt::For(f) => f.span.end,
                Stmt::If(i) => i.span.end,
                _ => 0,
            };
            self.push(indent, text, end as usize, Kind::Plain);
            return;
        }
        let p = &self.printer;
        match s {
            Stmt::Let(l) => {
                let text = format!("{};", p.let_(l));
                self.push(indent, text, l.span.end as usize, Kind::Plain);
            }
            Stmt::Find(a) => {
                let text = format!("find {};", p.atom(a));
                self.push(indent, text, a.span.end as usize, Kind::Plain);
            }
            Stmt::For(f) => {
                let text = format!("for {} in {} {{", f.var.name, p.expr(&f.iter));
                let open = f.body.span.start as usize + 1;
                self.push(indent, text, open, Kind::Open);
                self.block_body(&f.body, indent);
            }
            Stmt::If(i) => self.if_stmt(i, indent, false),
            Stmt::Error(span) => {
                let text = p.src.get(span.range()).unwrap_or("").to_string();
                self.push(indent, text, span.end as usize, Kind::Plain);
            }
        }
    }

    /// `if cond {`, or `} else if cond {` continuing the block before.
    fn if_stmt(&mut self, i: &IfStmt, indent: usize, is_else: bool) {
        let cond = self.printer.expr(&i.cond);
        let open = i.then.span.start as usize + 1;
        if is_else {
            self.push(indent, format!("}} else if {cond} {{"), open, Kind::Close);
        } else {
            self.push(indent, format!("if {cond} {{"), open, Kind::Open);
        }
        for s in &i.then.stmts {
            self.stmt(s, indent + INDENT);
        }
        match &i.els {
            None => self.push(indent, "}".into(), i.then.span.end as usize, Kind::Close),
            Some(els) => match els.stmts.as_slice() {
                // `else if`: the parser made it a block of one `if` that
                // starts where that `if` does.
                [Stmt::If(elif)] if elif.span.start == els.span.start => {
                    self.if_stmt(elif, indent, true);
                }
                _ => {
                    let open = els.span.start as usize + 1;
                    self.push(indent, "} else {".into(), open, Kind::Close);
                    self.block_body(els, indent);
                }
            },
        }
    }

    fn clause(&mut self, c: &Clause) {
        let (start, end) = (c.span.start as usize, c.span.end as usize);
        let head = self.printer.atom(&c.head);
        if c.body.is_empty() {
            self.push(0, format!("{head}."), end, Kind::Plain);
            return;
        }
        let items: Vec<String> = c.body.iter().map(|b| self.printer.body_item(b)).collect();
        let one_line = format!("{head} :- {}.", items.join(", "));
        let commented = self.trivia.any_within(start, end);
        if width(&one_line) <= WIDTH && !commented {
            self.push(0, one_line, end, Kind::ClauseStart);
            return;
        }
        // One body item per line, aligned under the first; under a head
        // too long for that, indented on the lines after it.
        let column = width(&head) + 4;
        let under_head = column <= WIDTH / 2;
        if !under_head {
            let head_end = c.head.span.end as usize;
            self.push(0, format!("{head} :-"), head_end, Kind::ClauseStart);
        }
        let column = if under_head { column } else { 2 * INDENT };
        let last = items.len() - 1;
        for (i, (text, item)) in items.iter().zip(&c.body).enumerate() {
            let sep = if i == last { "." } else { "," };
            let item_end = item.span().end as usize;
            if i == 0 && under_head {
                self.push(
                    0,
                    format!("{head} :- {text}{sep}"),
                    item_end,
                    Kind::ClauseStart,
                );
            } else {
                self.push(column, format!("{text}{sep}"), item_end, Kind::Continuation);
            }
        }
    }

    /// An example on one line when it fits; else its facts fill lines
    /// of their own, indented, after `=>` (or after `KIND:` when even the
    /// given facts do not fit beside it).
    fn example(&mut self, e: &ExampleDecl) {
        let p = &self.printer;
        let given: Vec<(String, usize)> = e
            .given
            .iter()
            .map(|a| (p.atom(a), a.span.end as usize))
            .collect();
        let expected: Vec<(String, usize)> = e
            .expected
            .iter()
            .map(|a| (p.atom(a), a.span.end as usize))
            .collect();
        let target = (self.rename)(&e.rule.name);
        let head = format!("example {target} {}:", e.kind.name);
        let list = |facts: &[(String, usize)]| {
            facts
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let arrow = if e.arrow.is_some() { " =>" } else { "" };
        let mut one_line = format!("{head} {}", list(&given));
        if e.arrow.is_some() {
            one_line.push_str(&format!(" => {}", list(&expected)));
        }
        let end = e.span.end as usize;
        if width(&one_line) <= WIDTH {
            self.push(0, one_line, end, Kind::Plain);
            if let Some(line) = self.lines.last_mut() {
                line.align = Some((head.len(), e.rule.name.clone()));
            }
            return;
        }
        let given_line = format!("{head} {}{arrow}", list(&given));
        if width(&given_line) <= WIDTH {
            let given_end = given.last().map_or(end, |(_, e)| *e);
            self.push(0, given_line, given_end, Kind::Plain);
        } else {
            self.push(0, head, e.kind.span.end as usize, Kind::Plain);
            self.fill(&given, arrow);
        }
        self.fill(&expected, "");
    }

    /// Facts packed into lines of at most [`WIDTH`] columns, indented, a
    /// `,` after each but the last, and `last` after the last.
    fn fill(&mut self, facts: &[(String, usize)], last: &str) {
        let mut line = String::new();
        let mut line_end = 0;
        for (i, (text, end)) in facts.iter().enumerate() {
            let sep = if i + 1 == facts.len() { last } else { "," };
            let piece = format!("{text}{sep}");
            if !line.is_empty() && INDENT + width(&line) + 1 + width(&piece) > WIDTH {
                self.push(
                    INDENT,
                    std::mem::take(&mut line),
                    line_end,
                    Kind::Continuation,
                );
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
            line_end = *end;
        }
        if !line.is_empty() {
            self.push(INDENT, line, line_end, Kind::Continuation);
        }
    }
}

/// Columns a line of text takes.
fn width(text: &str) -> usize {
    text.chars().count()
}
