//! The warning for a `private` category named as an `output`. Private
//! facts are a worker's working state: they never travel as events between
//! cluster workers and are not exported by default. Naming one as an output
//! asks for both, so the program says two things at once.

use std::collections::HashMap;

use fold_grammar::ast::{self, Item};

use crate::diag::{Code, Diagnostic, Sink};

pub fn check(program: &ast::Program, sink: &mut Sink) {
    let private: HashMap<&str, ast::Span> = program
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Data(d) if d.private => Some((d.name.name.as_str(), d.name.span)),
            _ => None,
        })
        .collect();
    for item in &program.items {
        let Item::Output(o) = item else { continue };
        let name = o.category.name.as_str();
        if let Some(declared) = private.get(name) {
            sink.push(
                Diagnostic::new(
                    Code::PrivateOutput,
                    o.span,
                    format!("`{name}` is private and an output"),
                )
                .label("written as an output all the same")
                .also(*declared, "declared private here")
                .help("private categories are working state that is not exported: drop `private`, or drop this output line"),
            );
        }
    }
}
