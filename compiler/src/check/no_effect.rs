//! Warnings for declarations that change nothing: an output named twice,
//! a key field named twice, `keep` on a key field (every fact of a key has
//! the same value there), a `search` block that finds nothing. Legal, but
//! each says something was meant that the program does not do.

use std::collections::HashMap;

use fold_grammar::ast::{self, Item, Stage};

use crate::diag::{Code, Diagnostic, Sink};

pub fn check(program: &ast::Program, sink: &mut Sink) {
    let mut outputs: HashMap<&str, ast::Span> = HashMap::new();
    for item in &program.items {
        match item {
            Item::Output(o) => {
                let name = o.category.name.as_str();
                if let Some(first) = outputs.get(name) {
                    sink.push(
                        warning(o.span, format!("`{name}` is an output already"))
                            .label("written once however often it is named")
                            .also(*first, "first named here")
                            .help("remove this line"),
                    );
                } else {
                    outputs.insert(name, o.span);
                }
            }
            Item::Data(d) => key_and_keep(d, sink),
            Item::Rule(r) => {
                for stage in &r.stages {
                    if let Stage::Search(b) = stage {
                        if b.stmts.is_empty() {
                            sink.push(
                                warning(b.span, "this search finds nothing".to_string())
                                    .label("an empty block")
                                    .help("write the `find` lines the rule is for"),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn key_and_keep(d: &ast::DataDecl, sink: &mut Sink) {
    let Some(key) = &d.key else { return };
    for (i, f) in key.fields.iter().enumerate() {
        if let Some(first) = key.fields[..i].iter().find(|g| g.name == f.name) {
            sink.push(
                warning(f.span, format!("`{}` is in the key already", f.name))
                    .label("named again")
                    .also(first.span, "first named here")
                    .help("name each key field once"),
            );
        }
    }
    let Some(keep) = &d.keep else { return };
    if let Some(k) = key.fields.iter().find(|k| k.name == keep.field.name) {
        sink.push(
            warning(
                keep.field.span,
                format!("`keep` compares `{}`, a field of the key", keep.field.name),
            )
            .label("every fact of one key has the same value here")
            .also(k.span, "in the key here")
            .help("`keep` chooses between facts with the same key: name a field outside the key, or drop `keep` (the least fact is kept)"),
        );
    }
}

fn warning(span: ast::Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::NoEffect, span, message)
}
