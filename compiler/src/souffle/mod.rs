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
pub mod syntax;
pub mod translate;

use fold_grammar::ast;

use crate::diag::{Code, Diagnostic};

/// Parse a `.dl` program and translate it into fold's AST: the program,
/// its I/O directives and the diagnostics of both steps.
pub fn front_end(src: &str) -> (ast::Program, io::SouffleIo, Vec<Diagnostic>) {
    let (toks, lex_errors) = lex::lex(src);
    let mut diags: Vec<Diagnostic> = lex_errors
        .into_iter()
        .map(|e| {
            Diagnostic::new(Code::InvalidToken, e.span, e.message).label("not a token of Soufflé")
        })
        .collect();
    let mut parser = parse::Parser::new(&toks);
    let program = parser.program();
    diags.append(&mut parser.diags);
    let program = components::expand(program, &mut diags);
    let (ast, io, mut more) = translate::Translator::new(src).translate(&program);
    diags.append(&mut more);
    (ast, io, diags)
}
