//! The TextMate grammar of the VS Code extension
//! (`editors/vscode/syntaxes/fold.tmLanguage.json`) against the lexer,
//! over a corpus: every `.fold` file of the examples and tests that lexes
//! cleanly. A small TextMate engine (match rules with captures, and
//! begin/end regions, first match wins, as editors apply them) scopes
//! each file; then every keyword token the lexer finds must be scoped as
//! a keyword (a soft keyword, which the grammar lets stand as a name, may
//! be scoped as a name), every string literal as a string, every number
//! as a number and every comment as a comment. And every keyword of the
//! grammar's token table (`grammar/src/fold.lalrpop`) is highlighted as
//! one on its own.
//!
//! The grammar sticks to regular expressions without look-around, so the
//! `regex` crate reads them as Oniguruma would.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fold_grammar::token::{lex, Tok, SOFT_KEYWORDS};
use regex::Regex;
use serde_json::Value;

struct Rule {
    regex: Regex,
    name: Option<String>,
    captures: HashMap<usize, String>,
    /// For a begin/end rule: its end and the rules inside it.
    region: Option<(Regex, Vec<Rule>)>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load() -> Vec<Rule> {
    let path = root().join("editors/vscode/syntaxes/fold.tmLanguage.json");
    let text = std::fs::read_to_string(&path).expect("the grammar exists");
    let grammar: Value = serde_json::from_str(&text).expect("the grammar is JSON");
    assert_eq!(grammar["scopeName"], "source.fold");
    rules(&grammar, &grammar["patterns"])
}

fn rules(grammar: &Value, patterns: &Value) -> Vec<Rule> {
    let mut out = Vec::new();
    for p in patterns.as_array().expect("patterns is a list") {
        if let Some(include) = p["include"].as_str() {
            let key = include
                .strip_prefix('#')
                .expect("includes name the repository");
            let entry = &grammar["repository"][key];
            assert!(!entry.is_null(), "`{include}` is not in the repository");
            out.extend(rules(grammar, &entry["patterns"]));
            continue;
        }
        let name = p["name"].as_str().map(str::to_string);
        let compile = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("bad regex {s:?}: {e}"));
        let captures = p["captures"]
            .as_object()
            .map(|c| {
                c.iter()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, v["name"].as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(m) = p["match"].as_str() {
            out.push(Rule {
                regex: compile(m),
                name,
                captures,
                region: None,
            });
        } else {
            let begin = p["begin"].as_str().expect("a rule has match or begin");
            let end = p["end"].as_str().expect("begin has an end");
            let inner = if p["patterns"].is_null() {
                Vec::new()
            } else {
                rules(grammar, &p["patterns"])
            };
            out.push(Rule {
                regex: compile(begin),
                name,
                captures,
                region: Some((compile(end), inner)),
            });
        }
    }
    out
}

/// The earliest match of any rule in `line` from `at` (ties: the first rule).
fn first_match<'r, 'l>(
    rules: &'r [Rule],
    line: &'l str,
    at: usize,
) -> Option<(&'r Rule, regex::Captures<'l>)> {
    rules
        .iter()
        .filter_map(|r| r.regex.captures_at(line, at).map(|c| (r, c)))
        .min_by_key(|(_, c)| c.get(0).map_or(usize::MAX, |m| m.start()))
}

fn paint(scopes: &mut [String], base: usize, rule: &Rule, caps: &regex::Captures<'_>) {
    let whole = caps.get(0).expect("a match");
    if let Some(name) = &rule.name {
        for s in &mut scopes[base + whole.start()..base + whole.end()] {
            *s = name.clone();
        }
    }
    for (i, name) in &rule.captures {
        if let Some(g) = caps.get(*i) {
            for s in &mut scopes[base + g.start()..base + g.end()] {
                *s = name.clone();
            }
        }
    }
}

/// The scope of every byte of `text`.
fn scope(rules: &[Rule], text: &str) -> Vec<String> {
    let mut scopes = vec![String::new(); text.len()];
    let mut region: Option<&Rule> = None;
    let mut base = 0;
    for line in text.split('\n') {
        let mut at = 0;
        while at <= line.len() {
            if let Some(open) = region {
                let (end, inner) = open.region.as_ref().expect("a region");
                let end_match = end.find_at(line, at);
                let inner_match = first_match(inner, line, at);
                let end_first = match (&end_match, &inner_match) {
                    (Some(e), Some((_, c))) => {
                        e.start() <= c.get(0).map_or(usize::MAX, |m| m.start())
                    }
                    (Some(_), None) => true,
                    _ => false,
                };
                let stop = if end_first {
                    end_match.map_or(line.len(), |e| e.end())
                } else {
                    line.len()
                };
                if let Some(name) = &open.name {
                    for s in &mut scopes[base + at..(base + stop).min(text.len())] {
                        *s = name.clone();
                    }
                }
                if end_first {
                    region = None;
                    at = stop.max(at + 1);
                    continue;
                }
                match inner_match {
                    Some((rule, caps)) => {
                        let m = caps.get(0).expect("a match");
                        paint(&mut scopes, base, rule, &caps);
                        at = m.end().max(at + 1);
                    }
                    None => break,
                }
                continue;
            }
            let Some((rule, caps)) = first_match(rules, line, at) else {
                break;
            };
            let m = caps.get(0).expect("a match");
            if rule.region.is_some() {
                region = Some(rule);
                at = m.end();
                if let Some(name) = &rule.name {
                    for s in &mut scopes[base + m.start()..base + m.end()] {
                        *s = name.clone();
                    }
                }
                continue;
            }
            paint(&mut scopes, base, rule, &caps);
            at = m.end().max(at + 1);
        }
        base += line.len() + 1;
    }
    scopes
}

fn corpus() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "fold") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("examples"), &mut out);
    walk(&root().join("tests"), &mut out);
    out
}

fn is_keyword(tok: &Tok) -> bool {
    !matches!(tok, Tok::Ident(_))
        && tok
            .text()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_')
        && tok.text() != "_"
}

#[test]
fn the_grammar_scopes_the_corpus_as_the_lexer_reads_it() {
    let rules = load();
    let (mut files, mut checked, mut wrong) = (0, 0, Vec::new());
    for path in corpus() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let tokens = lex(&text);
        if tokens.iter().any(|(_, t, _)| matches!(t, Tok::Error(_))) {
            continue;
        }
        files += 1;
        let scopes = scope(&rules, &text);
        let mut expect = |at: usize, ok: &dyn Fn(&str) -> bool, what: &str| {
            checked += 1;
            if !ok(&scopes[at]) {
                let line = text[..at].matches('\n').count() + 1;
                wrong.push(format!(
                    "{}:{line}: {what} scoped `{}`",
                    path.display(),
                    scopes[at]
                ));
            }
        };
        for (l, tok, _) in &tokens {
            match tok {
                Tok::Str(_) => expect(*l, &|s| s.starts_with("string.quoted"), "string"),
                Tok::Int(_) | Tok::Float(_) => {
                    expect(*l, &|s| s.starts_with("constant.numeric"), "number")
                }
                t if is_keyword(t) => {
                    let soft = SOFT_KEYWORDS.contains(&t.text());
                    let ok = move |s: &str| {
                        s.starts_with("keyword.")
                            || s.starts_with("storage.modifier")
                            || s.starts_with("constant.language")
                            || (soft && (s.starts_with("variable.") || s.starts_with("entity.")))
                    };
                    expect(*l, &ok, &format!("keyword `{}`", t.text()));
                }
                _ => {}
            }
        }
        for (start, _) in fold_compiler::fmt::comment_spans(&text) {
            expect(start, &|s| s.starts_with("comment."), "comment");
        }
    }
    println!("highlighting: {files} files, {checked} tokens and comments checked");
    assert!(files >= 80, "only {files} files in the corpus");
    assert!(
        wrong.is_empty(),
        "{} wrongly scoped:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_keyword_of_the_grammar_is_highlighted() {
    let rules = load();
    let table = std::fs::read_to_string(root().join("grammar/src/fold.lalrpop")).expect("grammar");
    let words = Regex::new(r#""([a-z][a-z_]*)" => Tok::"#).expect("regex");
    let keywords: Vec<&str> = words
        .captures_iter(&table)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .collect();
    assert!(keywords.len() >= 20, "{keywords:?}");
    for k in keywords {
        let tokens = lex(k);
        assert!(
            matches!(tokens.as_slice(), [(_, t, _)] if is_keyword(t)),
            "`{k}` is not a keyword token"
        );
        let scopes = scope(&rules, k);
        assert!(
            scopes[0].starts_with("keyword.")
                || scopes[0].starts_with("constant.language")
                || scopes[0].starts_with("storage."),
            "`{k}` is scoped `{}`",
            scopes[0]
        );
    }
}
