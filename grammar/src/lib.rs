//! fold-grammar: tokens, grammar and the untyped syntax tree of fold.
//!
//! `&str` → [`token::lex`] → tokens → [`parse`] → [`ast::Program`] plus
//! [`ParseError`]s. Parsing never fails as a whole and never panics: every
//! problem is an error value with a byte span, and the parser recovers to
//! report all of them in one pass.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod ast;
pub mod nesting;
mod parse;
pub mod print;
pub mod token;

pub use nesting::MAX_NESTING;
pub use parse::{parse, parse_expr, ParseError, ParseErrorKind};

// The parser is generated code (lalrpop); its own unwraps are its
// generator's invariants, not ours to rewrite.
lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        unused_parens,
        dead_code
    )]
    fold
);
