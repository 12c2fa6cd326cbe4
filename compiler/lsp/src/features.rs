//! The answers to an editor's questions about one document: hover, go to
//! definition, references, completion, document symbols, code actions,
//! semantic tokens and formatting.

use std::collections::{BTreeSet, HashMap};

use fold_grammar::ast::{DataDecl, Item, Span, TypeExpr};
use fold_grammar::token::{lex, Tok, ITEM_KEYWORDS, STAGE_KEYWORDS};
use lsp_types::*;

use crate::diagnostics::suggestion;
use crate::document::Analysis;
use crate::symbols::{Occurrence, Sym};
use crate::text::LineIndex;

fn type_text(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named(i) => i.name.clone(),
        TypeExpr::List(inner, _) => format!("[{}]", type_text(inner)),
    }
}

fn declaration(d: &DataDecl) -> String {
    let fields: Vec<String> = d
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.name.name, type_text(&f.ty)))
        .collect();
    let mut text = format!(
        "{}data {}({})",
        if d.private { "private " } else { "" },
        d.name.name,
        fields.join(", ")
    );
    if let Some(k) = &d.key {
        let names: Vec<&str> = k.fields.iter().map(|f| f.name.as_str()).collect();
        text.push_str(&format!(" key({})", names.join(", ")));
    }
    if let Some(k) = &d.keep {
        text.push_str(&format!(" keep {}({})", k.kind.name, k.field.name));
    }
    text
}

/// The type of field `i` of category `cat`.
fn field_type(a: &Analysis, cat: &str, i: usize) -> Option<String> {
    let d = a.symbols.categories.get(cat)?;
    d.fields.get(i).map(|f| type_text(&f.ty))
}

pub fn hover(a: &Analysis, offset: usize) -> Option<String> {
    let occ = a.symbols.at(offset)?;
    let text = match &occ.sym {
        Sym::Category(name) => {
            let d = a.symbols.categories.get(name)?;
            let (finders, readers) = rules_of(a, name);
            let list = |v: &BTreeSet<String>| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            format!(
                "```fold\n{}\n```\nfound by: {}\n\nread by: {}",
                declaration(d),
                list(&finders),
                list(&readers)
            )
        }
        Sym::Var(scope, name) => {
            let def = a.symbols.definition(&occ.sym)?;
            let ty = def
                .field_of
                .as_ref()
                .and_then(|(cat, i)| field_type(a, cat, *i).map(|t| (cat, i, t)));
            let rule = a.symbols.scopes.get(scope).cloned().unwrap_or_default();
            let mut text = format!("variable `{name}` of `{rule}`");
            if let Some((cat, i, t)) = ty {
                text.push_str(&format!(": `{t}` (field {} of `{cat}`)", i + 1));
            }
            text.push_str(&format!("\n\nbound in stage `{}`", def.stage));
            text
        }
        Sym::Builtin(name) => {
            let overloads = fold_stdlib::overloads(name);
            if overloads.is_empty() {
                return Some(format!("`{name}`: no such builtin (see `foldc doc`)"));
            }
            overloads
                .iter()
                .map(|b| format!("```fold\n{}\n```\n{}", b.signature(), b.doc))
                .collect::<Vec<_>>()
                .join("\n\n")
        }
        Sym::Rule(name) => {
            let (finds, reads) = rule_categories(a, name);
            format!(
                "rule `{name}`\n\nreads: {}\n\nfinds: {}",
                reads.join(", "),
                finds.join(", ")
            )
        }
        Sym::Field(cat, field) => {
            let d = a.symbols.categories.get(cat)?;
            let f = d.fields.iter().find(|f| &f.name.name == field)?;
            format!("field `{field}: {}` of `{cat}`", type_text(&f.ty))
        }
    };
    Some(text)
}

/// The rules that find `cat`, and those that read it.
fn rules_of(a: &Analysis, cat: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut finders, mut readers) = (BTreeSet::new(), BTreeSet::new());
    for o in a.symbols.all(&Sym::Category(cat.to_string())) {
        let Some(scope) = scope_of(a, o) else {
            continue;
        };
        if o.stage == "head" || o.stage.contains("find") {
            finders.insert(scope);
        } else {
            readers.insert(scope);
        }
    }
    (finders, readers)
}

/// The display name of the rule or clause an occurrence is in.
fn scope_of(a: &Analysis, o: &Occurrence) -> Option<String> {
    let index = a
        .compiled
        .ast
        .items
        .iter()
        .position(|i| i.span().start <= o.span.start && o.span.end <= i.span().end)?;
    a.symbols.scopes.get(&index).cloned()
}

fn rule_categories(a: &Analysis, name: &str) -> (Vec<String>, Vec<String>) {
    let (mut finds, mut reads) = (BTreeSet::new(), BTreeSet::new());
    for item in &a.compiled.ast.items {
        let Item::Rule(r) = item else { continue };
        if r.name.name != name {
            continue;
        }
        for o in &a.symbols.occurrences {
            if o.span.start < r.span.start || o.span.end > r.span.end {
                continue;
            }
            if let Sym::Category(c) = &o.sym {
                if o.stage.contains("find") {
                    finds.insert(format!("`{c}`"));
                } else {
                    reads.insert(format!("`{c}`"));
                }
            }
        }
    }
    (finds.into_iter().collect(), reads.into_iter().collect())
}

pub fn definition(a: &Analysis, offset: usize) -> Option<Span> {
    let occ = a.symbols.at(offset)?;
    if let Sym::Rule(name) = &occ.sym {
        return a.symbols.rules.get(name).copied();
    }
    a.symbols.definition(&occ.sym).map(|o| o.span)
}

pub fn references(a: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some(occ) = a.symbols.at(offset) else {
        return Vec::new();
    };
    a.symbols
        .all(&occ.sym)
        .filter(|o| include_declaration || !o.def || matches!(o.sym, Sym::Var(..)))
        .map(|o| o.span)
        .collect()
}

/// Completions at `offset`: keywords that can start what is typed there,
/// category names, the fields of the atom the cursor is in, builtins and
/// the variables of the enclosing rule.
pub fn completion(a: &Analysis, text: &str, offset: usize) -> Vec<CompletionItem> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let before = &text[line_start..offset.min(text.len())];
    let top_level = !before.starts_with([' ', '\t']);
    let first_word = !before.trim_start().contains([' ', '(']);
    let mut items = Vec::new();
    let mut push = |label: String, kind: CompletionItemKind, detail: Option<String>| {
        items.push(CompletionItem {
            label,
            kind: Some(kind),
            detail,
            ..CompletionItem::default()
        });
    };
    if first_word {
        let keywords: &[&str] = if top_level {
            &ITEM_KEYWORDS
        } else {
            &STAGE_KEYWORDS
        };
        for k in keywords
            .iter()
            .chain(if top_level { &[][..] } else { &["let"][..] })
        {
            push(k.to_string(), CompletionItemKind::KEYWORD, None);
        }
    } else if !top_level {
        for k in ["when", "for", "in", "if", "else", "true", "false"] {
            push(k.to_string(), CompletionItemKind::KEYWORD, None);
        }
    }
    let mut cats: Vec<&DataDecl> = a.symbols.categories.values().collect();
    cats.sort_by(|x, y| x.name.name.cmp(&y.name.name));
    for d in &cats {
        push(
            d.name.name.clone(),
            CompletionItemKind::STRUCT,
            Some(declaration(d)),
        );
    }
    // The atom the cursor is in: its fields.
    if let Some(cat) = enclosing_atom(before) {
        if let Some(d) = a.symbols.categories.get(&cat) {
            for f in &d.fields {
                push(
                    f.name.name.clone(),
                    CompletionItemKind::FIELD,
                    Some(format!(
                        "{}: {} (field of `{cat}`)",
                        f.name.name,
                        type_text(&f.ty)
                    )),
                );
            }
        }
    }
    if !top_level || !first_word {
        let mut seen = BTreeSet::new();
        for b in fold_runtime_builtins() {
            if seen.insert(b.0) {
                push(b.0.to_string(), CompletionItemKind::FUNCTION, Some(b.1));
            }
        }
        // Variables of the rule the cursor is in.
        let mut vars = BTreeSet::new();
        if let Some(item) = a
            .compiled
            .ast
            .items
            .iter()
            .rev()
            .find(|i| (i.span().start as usize) <= offset)
        {
            let span = item.span();
            for o in &a.symbols.occurrences {
                if let Sym::Var(_, v) = &o.sym {
                    if o.span.start >= span.start && o.span.end <= span.end.max(offset as u32) {
                        vars.insert(v.clone());
                    }
                }
            }
        }
        for v in vars {
            push(v, CompletionItemKind::VARIABLE, None);
        }
    }
    items
}

/// Builtin names with their first signature.
fn fold_runtime_builtins() -> Vec<(&'static str, String)> {
    fold_stdlib::all()
        .iter()
        .map(|b| (b.name, b.signature()))
        .collect()
}

/// The category of the innermost unclosed `name(` before the cursor.
fn enclosing_atom(before: &str) -> Option<String> {
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth == 0 => {
                let name: String = before[..i]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return (!name.is_empty()).then_some(name);
            }
            '(' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
pub fn document_symbols(a: &Analysis, index: &LineIndex) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for item in &a.compiled.ast.items {
        let span = item.span();
        let (name, kind, sel, detail) = match item {
            Item::Data(d) => (
                d.name.name.clone(),
                SymbolKind::STRUCT,
                d.name.span,
                Some(declaration(d)),
            ),
            Item::Rule(r) => (
                format!("rule {}", r.name.name),
                SymbolKind::FUNCTION,
                r.name.span,
                None,
            ),
            Item::Clause(c) if !c.body.is_empty() => {
                let line = index.position(c.span.start as usize).line + 1;
                (
                    format!("{}@{line}", c.head.name.name),
                    SymbolKind::METHOD,
                    c.head.name.span,
                    None,
                )
            }
            Item::Example(e) => (
                format!("example {} {}", e.rule.name, e.kind.name),
                SymbolKind::EVENT,
                e.rule.span,
                None,
            ),
            _ => continue,
        };
        out.push(DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: index.range(span.start as usize, span.end as usize),
            selection_range: index.range(sel.start as usize, sel.end as usize),
            children: None,
        });
    }
    out
}

/// Quick fixes for "did you mean `X`?": replace the misspelt word.
pub fn code_actions(
    a: &Analysis,
    uri: &Uri,
    index: &LineIndex,
    text: &str,
    range: Range,
) -> Vec<CodeActionOrCommand> {
    let (lo, hi) = (index.offset(range.start), index.offset(range.end));
    let mut out = Vec::new();
    for d in &a.compiled.diagnostics {
        let span = d.primary.span;
        if (span.end as usize) < lo || (span.start as usize) > hi {
            continue;
        }
        let Some(fix) = suggestion(d) else { continue };
        let Some((start, end)) = misspelt_word(text, d, span) else {
            continue;
        };
        let edit = TextEdit::new(index.range(start, end), fix.clone());
        // lsp-types' WorkspaceEdit takes a map keyed by Uri (whose lazily
        // parsed parts are cells); the key is never changed once inserted.
        #[allow(clippy::mutable_key_type)]
        let mut changes = HashMap::new();
        changes.insert(uri.clone(), vec![edit]);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("replace `{}` with `{fix}`", &text[start..end]),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![crate::diagnostics::convert(uri, index, d)]),
            edit: Some(WorkspaceEdit::new(changes)),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    out
}

/// Where the word a suggestion replaces is: the word the help names as
/// "not a keyword" (at the start of its line), else the diagnostic's
/// span when it is one word.
fn misspelt_word(
    text: &str,
    d: &fold_compiler::diag::Diagnostic,
    span: Span,
) -> Option<(usize, usize)> {
    let help = d.help.as_deref().unwrap_or("");
    if let Some(word) = help
        .strip_prefix('`')
        .and_then(|h| h.split('`').next())
        .filter(|_| help.contains("is not a keyword"))
    {
        let line_start = text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
        let at = line_start + text[line_start..].find(word)?;
        return Some((at, at + word.len()));
    }
    let (start, end) = (span.start as usize, span.end as usize);
    let word = text.get(start..end)?;
    (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some((start, end))
}

/// The token types of [`semantic_tokens`], in legend order.
pub const TOKEN_TYPES: [SemanticTokenType; 10] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::METHOD,
];

pub fn semantic_tokens(a: &Analysis, text: &str, index: &LineIndex) -> Vec<SemanticToken> {
    let mut spans: Vec<(usize, usize, u32)> = Vec::new();
    for (l, tok, r) in lex(text) {
        let kind = match tok {
            Tok::Ident(_) => match a.symbols.at(l).filter(|o| o.span.start as usize == l) {
                Some(o) => match o.sym {
                    Sym::Category(_) => 1,
                    Sym::Builtin(_) => 2,
                    Sym::Var(..) => 3,
                    Sym::Field(..) => 4,
                    Sym::Rule(_) => 9,
                },
                None => continue,
            },
            Tok::Int(_) | Tok::Float(_) => 5,
            Tok::Str(_) => 6,
            Tok::Error(_) => continue,
            t if t.text().chars().all(|c| c.is_ascii_lowercase()) => 0,
            Tok::Turnstile
            | Tok::Arrow
            | Tok::Bang
            | Tok::EqEq
            | Tok::NotEq
            | Tok::AndAnd
            | Tok::OrOr => 8,
            _ => continue,
        };
        spans.push((l, r, kind));
    }
    for (start, end) in fold_compiler::fmt::comment_spans(text) {
        spans.push((start, end, 7));
    }
    spans.sort();
    let mut out = Vec::new();
    let (mut prev_line, mut prev_col) = (0, 0);
    for (start, end, kind) in spans {
        // One token per line: a block comment over several lines is
        // marked on its first.
        let p = index.position(start);
        let line_end = text[start..end].find('\n').map_or(end, |i| start + i);
        let length = index
            .position(line_end)
            .character
            .saturating_sub(p.character);
        let delta_line = p.line - prev_line;
        let delta_start = if delta_line == 0 {
            p.character - prev_col
        } else {
            p.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: kind,
            token_modifiers_bitset: 0,
        });
        prev_line = p.line;
        prev_col = p.character;
    }
    out
}

pub fn formatting(text: &str, index: &LineIndex) -> Option<Vec<TextEdit>> {
    let formatted = fold_compiler::fmt::format(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(index.all(), formatted)])
}
