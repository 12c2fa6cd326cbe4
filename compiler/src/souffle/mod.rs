//! The Soufflé front end: `.dl` programs onto the same checked program and
//! plan as `.fold`.
//!
//! `&str` → [`lex`] → [`parse`] (Soufflé's syntax tree, with the
//! constructs foldc refuses reported where they stand) → [`translate`]
//! (fold's AST plus the program's [`io::SouffleIo`]) → fold's check,
//! lower and codegen. [`io`] reads `.facts` and writes `.csv` the way
//! Soufflé does.

pub mod components;
pub mod io;
pub mod lex;
pub mod parse;
pub mod preprocess;
pub mod records;
pub mod syntax;
pub mod translate;

use std::path::Path;

use fold_grammar::ast::{self, Span};

use crate::diag::{Code, Diagnostic};

/// What the front end makes of a `.dl` program.
pub struct FrontEnd {
    pub program: ast::Program,
    pub io: io::SouffleIo,
    pub diagnostics: Vec<Diagnostic>,
    /// The text after the preprocessor, when it changed anything: the
    /// diagnostics' spans point into it.
    pub expanded: Option<String>,
}

/// Preprocess (`#include` from `dir`, `#define`), parse and translate a
/// `.dl` program into fold's AST.
pub fn front_end(src: &str, dir: Option<&Path>) -> FrontEnd {
    let mut diags = Vec::new();
    let expanded = preprocess::needed(src).then(|| {
        let (text, errors) = preprocess::expand(src, dir);
        for e in errors {
            diags.push(
                Diagnostic::new(
                    Code::SouffleUnsupported,
                    Span::new(e.offset, e.offset + e.len),
                    e.message,
                )
                .label("preprocessor line"),
            );
        }
        text
    });
    let text = expanded.as_deref().unwrap_or(src);
    let (toks, lex_errors) = lex::lex(text);
    diags.extend(lex_errors.into_iter().map(|e| {
        Diagnostic::new(Code::InvalidToken, e.span, e.message).label("not a token of Soufflé")
    }));
    let mut parser = parse::Parser::new(&toks);
    let program = parser.program();
    diags.append(&mut parser.diags);
    let program = components::expand(program, &mut diags);
    let (program, io, mut more) = translate::Translator::new(text).translate(&program);
    diags.append(&mut more);
    FrontEnd {
        program,
        io,
        diagnostics: diags,
        expanded,
    }
}
