//! The part of the C preprocessor Soufflé programs use: `#include "f"`
//! (relative to the including file), object-like `#define NAME text`,
//! `#undef`, `#ifdef`/`#ifndef`/`#else`/`#endif` and `#pragma once`.
//! Directive lines become empty lines, so without `#include` every line
//! keeps its number. What is not handled (function-like macros, `#if`
//! expressions) is an error naming the line.

use std::collections::HashMap;
use std::path::Path;

/// Includes nested deeper than this are refused (a file including itself).
const MAX_INCLUDE_DEPTH: usize = 32;
/// Macro expansions nested deeper than this stop expanding.
const MAX_EXPANSION_DEPTH: usize = 16;

/// A preprocessor line that could not be followed: its 1-based line in
/// the expanded text and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreprocessError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

/// Whether `src` has preprocessor lines at all (then it is expanded).
pub fn needed(src: &str) -> bool {
    src.lines().any(|l| l.trim_start().starts_with('#'))
}

/// Expand `src` (read from `dir`, for `#include`).
pub fn expand(src: &str, dir: Option<&Path>) -> (String, Vec<PreprocessError>) {
    let mut state = State {
        defines: HashMap::new(),
        errors: Vec::new(),
        out: String::new(),
    };
    state.file(src, dir, 0);
    (state.out, state.errors)
}

struct State {
    defines: HashMap<String, String>,
    errors: Vec<PreprocessError>,
    out: String,
}

impl State {
    fn error(&mut self, len: usize, message: String) {
        self.errors.push(PreprocessError {
            offset: self.out.len(),
            len,
            message,
        });
    }

    fn file(&mut self, src: &str, dir: Option<&Path>, depth: usize) {
        // Whether each enclosing `#if..` is taking its lines.
        let mut taking: Vec<bool> = Vec::new();
        let mut lines = src.split_inclusive('\n').peekable();
        while let Some(first) = lines.next() {
            let mut line = first.to_string();
            // Continued lines (`\` at the end) join a directive.
            let is_directive = line.trim_start().starts_with('#');
            while is_directive && line.trim_end_matches(['\n', '\r']).ends_with('\\') {
                let Some(next) = lines.next() else { break };
                let cut = line.trim_end_matches(['\n', '\r']).len() - 1;
                line.truncate(cut);
                line.push_str(next);
            }
            let active = taking.iter().all(|&t| t);
            if !is_directive {
                if active {
                    let expanded = self.substitute(&line, 0);
                    self.out.push_str(&expanded);
                } else {
                    self.out.push('\n');
                }
                continue;
            }
            let body = line.trim().trim_start_matches('#').trim_start();
            let (word, rest) = body
                .split_once(|c: char| c.is_whitespace())
                .map_or((body, ""), |(w, r)| (w, r.trim()));
            let newlines = line.matches('\n').count().max(1);
            match word {
                "ifdef" | "ifndef" => {
                    let defined = self.defines.contains_key(rest);
                    taking.push(defined == (word == "ifdef"));
                }
                "else" => match taking.last_mut() {
                    Some(t) => *t = !*t,
                    None => self.error(line.trim_end().len(), "`#else` without `#ifdef`".into()),
                },
                "endif" => {
                    if taking.pop().is_none() {
                        self.error(line.trim_end().len(), "`#endif` without `#ifdef`".into());
                    }
                }
                _ if !active => {}
                "define" => {
                    let (name, value) = rest
                        .split_once(|c: char| c.is_whitespace())
                        .map_or((rest, ""), |(n, v)| (n, v.trim()));
                    if name.contains('(') {
                        self.error(
                            line.trim_end().len(),
                            format!("the function-like macro `{name}` is not supported by foldc; run `cpp -P` first"),
                        );
                    } else {
                        self.defines.insert(name.to_string(), value.to_string());
                    }
                }
                "undef" => {
                    self.defines.remove(rest);
                }
                "pragma" => {}
                "include" => {
                    let name = rest.trim_matches(|c| c == '"' || c == '<' || c == '>');
                    let path = dir.map_or_else(|| Path::new(name).to_path_buf(), |d| d.join(name));
                    if depth >= MAX_INCLUDE_DEPTH {
                        self.error(line.trim_end().len(), "`#include` nested too deep (does a file include itself?)".into());
                    } else {
                        match std::fs::read_to_string(&path) {
                            Ok(text) => {
                                let inner_dir = path.parent().map(Path::to_path_buf);
                                self.file(&text, inner_dir.as_deref(), depth + 1);
                                if !self.out.ends_with('\n') {
                                    self.out.push('\n');
                                }
                                continue;
                            }
                            Err(e) => self.error(
                                line.trim_end().len(),
                                format!("cannot include `{}`: {e}", path.display()),
                            ),
                        }
                    }
                }
                other => self.error(
                    line.trim_end().len(),
                    format!("the preprocessor line `#{other}` is not supported by foldc; run `cpp -P` first"),
                ),
            }
            for _ in 0..newlines {
                self.out.push('\n');
            }
        }
        if !taking.is_empty() {
            self.error(0, "`#ifdef` without `#endif`".into());
        }
    }

    /// `line` with every defined name replaced, outside strings and
    /// comments.
    fn substitute(&self, line: &str, depth: usize) -> String {
        if self.defines.is_empty() || depth > MAX_EXPANSION_DEPTH {
            return line.to_string();
        }
        let mut out = String::with_capacity(line.len());
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                out.push(c);
                let mut escaped = false;
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        break;
                    }
                }
            } else if c == '/' && line[i..].starts_with("//") {
                out.push_str(&line[i..]);
                break;
            } else if c.is_ascii_alphabetic() || c == '_' {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &line[i..end];
                match self.defines.get(word) {
                    Some(value) => out.push_str(&self.substitute(value, depth + 1)),
                    None => out.push_str(word),
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn defines_and_conditions_keep_line_numbers() {
        let src = "#define N 10\n#ifdef N\na(N).\n#else\na(0).\n#endif\nb(\"N\").\n";
        let (out, errors) = expand(src, None);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(out, "\n\na(10).\n\n\n\nb(\"N\").\n");
    }

    #[test]
    fn function_like_macros_are_refused() {
        let (_, errors) = expand("#define F(x) x\n", None);
        assert_eq!(errors.len(), 1);
    }
}
