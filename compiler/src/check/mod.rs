//! Checking: from the untyped AST to the typed program.
//!
//! [`check`] resolves the categories ([`catalog`]), types every rule of
//! either syntax into a [`rule_ir::RuleIr`] ([`lifecycle`], [`datalog`],
//! with [`typeck`] and [`scope`]), reads the program's facts, inputs,
//! outputs and examples, warns about what is legal but suspicious
//! ([`warnings`], [`no_effect`]) and orders the rules into strata
//! ([`stratify`]). Every problem goes to the [`crate::diag::Sink`]; the
//! result is the [`Checked`] program that lowering turns into a plan.

pub mod catalog;
pub mod datalog;
pub mod facts;
pub mod lifecycle;
pub mod no_effect;
pub mod private_output;
pub mod program;
pub mod rule_ir;
pub mod scope;
pub mod search;
pub mod stratify;
pub mod typeck;
pub mod warnings;

pub use program::{check, Checked};
