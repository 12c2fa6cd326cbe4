//! Syntax errors as diagnostics: the parser's errors, with the prose a
//! person needs (what was expected, in words; a misspelt keyword; a rule
//! left unfinished).

use fold_grammar::{ParseError, ParseErrorKind};

use crate::diag::{Code, Diagnostic};

/// The diagnostic for one syntax error in `src`.
pub fn syntax_diagnostic(e: &ParseError, src: &str) -> Diagnostic {
    match &e.kind {
        ParseErrorKind::UnexpectedToken { found, expected } => {
            let mut d = Diagnostic::new(Code::SyntaxError, e.span, format!("unexpected {found}"));
            let start = e.span.start as usize;
            let line_start = start == 0 || src.as_bytes().get(start - 1) == Some(&b'\n');
            if line_start && expected.iter().any(|x| x == "`.`") {
                d = d.help("the clause on the line before may be missing its closing `.`");
            }
            if let Some(help) = misspelled_keyword(found, expected, src, start) {
                d = d.help(help);
            } else if rule_unfinished(expected) {
                d = d.help(RULE_ENDS);
            }
            match describe_expected(expected) {
                Some(exp) => d.label(format!("expected {exp}")),
                None => d.label("not expected here"),
            }
        }
        ParseErrorKind::UnexpectedEnd { expected } => {
            let mut d = Diagnostic::new(Code::UnexpectedEnd, e.span, "the program ends too early");
            if rule_unfinished(expected) {
                d = d.help(RULE_ENDS);
            }
            match describe_expected(expected) {
                Some(exp) => d.label(format!("expected {exp}")),
                None => d.label("something is missing here"),
            }
        }
        ParseErrorKind::Lex(kind) => Diagnostic::new(Code::InvalidToken, e.span, kind.to_string())
            .label("not part of fold's syntax"),
        ParseErrorKind::IntTooLarge => Diagnostic::new(
            Code::IntTooLarge,
            e.span,
            "integer literal is too large for `int`",
        )
        .label("out of range")
        .help("`int` is a 64-bit signed integer: from -9223372036854775808 to 9223372036854775807"),
        ParseErrorKind::TooDeep => Diagnostic::new(Code::TooDeep, e.span, e.to_string())
            .label("this nests too deeply")
            .help(format!(
                "a chain `a + b + c` nests one level per operator; split it with `let` \
                 (at most {} levels)",
                fold_grammar::MAX_NESTING
            )),
    }
}

const RULE_ENDS: &str =
    "a lifecycle rule ends with its last stage, a `find` or a `search { ... }` \
                         block: its stages go in the order on, abort, friends, abort, find";

/// Whether the parser was inside a lifecycle rule that has not ended.
fn rule_unfinished(expected: &[String]) -> bool {
    ["`find`", "`search`"]
        .iter()
        .all(|k| expected.iter().any(|e| e == k))
}

/// A keyword that the word the parser stumbled on, or the word that begins
/// its line, looks like a misspelling of: `frends e(x)` in a rule (the
/// parser expected `friends`), `dat edge(...)` (it then trips over `edge`).
fn misspelled_keyword(found: &str, expected: &[String], src: &str, at: usize) -> Option<String> {
    use fold_grammar::token::ITEM_KEYWORDS;
    let keywords: Vec<&str> = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    let word = found
        .strip_prefix("identifier `")
        .and_then(|w| w.strip_suffix('`'));
    if let Some(close) =
        word.and_then(|w| crate::diag::suggest::closest(w, keywords.iter().copied()))
    {
        return Some(format!("did you mean `{close}`?"));
    }
    let line = &src[src[..at].rfind('\n').map_or(0, |n| n + 1)..at];
    let first = line.trim();
    let is_word = !first.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_word {
        return None;
    }
    // One edit only: any word may begin a line (`node x`), and a hint
    // should not turn every such line into a keyword.
    let close = crate::diag::suggest::closest_within(first, ITEM_KEYWORDS.into_iter(), 1)?;
    Some(format!(
        "`{first}` is not a keyword: did you mean `{close}`?"
    ))
}

/// A readable "expected ..." from the parser's list of acceptable tokens:
/// the tokens that start an expression collapse into "an expression",
/// operators into "an operator", the rest is listed.
fn describe_expected(expected: &[String]) -> Option<String> {
    const OPERATORS: &[&str] = &[
        "`+`", "`-`", "`*`", "`/`", "`%`", "`==`", "`!=`", "`<`", "`<=`", "`>`", "`>=`", "`&&`",
        "`||`", "`[`",
    ];
    const STARTS_EXPRESSION: &[&str] = &[
        "`!`",
        "`(`",
        "`-`",
        "`[`",
        "`_`",
        "`false`",
        "`true`",
        "float",
        "identifier",
        "integer",
        "string",
    ];
    if expected.is_empty() {
        return None;
    }
    if STARTS_EXPRESSION
        .iter()
        .all(|s| expected.iter().any(|e| e == s))
    {
        let rest: Vec<String> = expected
            .iter()
            .filter(|e| !STARTS_EXPRESSION.contains(&e.as_str()))
            .cloned()
            .collect();
        return Some(match describe_expected(&rest) {
            None => "an expression".to_string(),
            Some(more) => format!("an expression, or {more}"),
        });
    }
    let has_ops = expected
        .iter()
        .filter(|e| OPERATORS.contains(&e.as_str()))
        .count()
        >= 3;
    let mut items: Vec<String> = expected
        .iter()
        .filter(|e| !(has_ops && OPERATORS.contains(&e.as_str())))
        .cloned()
        .collect();
    if has_ops {
        items.push("an operator".to_string());
    }
    Some(match items.len() {
        1 => items.remove(0),
        n if n <= 8 => {
            let last = items.pop().unwrap_or_default();
            format!("one of {}, or {last}", items.join(", "))
        }
        _ => format!("one of {}, ...", items[..8].join(", ")),
    })
}
