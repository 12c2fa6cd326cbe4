//! Ground facts in the program text and in `example` lines: atoms whose
//! arguments are literals.

use fold_grammar::ast::{self, ExprKind};
use fold_runtime::plan::CatId;
use fold_runtime::value::intern;
use fold_runtime::value::{self, Type, Word};

use crate::check::catalog::Catalog;
use crate::diag::{Code, Diagnostic, Sink};

/// Check a ground atom: known category, right arity, literal arguments of
/// the field types. Returns the category and tuple.
pub fn ground_atom(
    atom: &ast::Atom,
    catalog: &Catalog,
    sink: &mut Sink,
) -> Option<(CatId, Vec<Word>)> {
    let Some(cat) = catalog.lookup(&atom.name.name) else {
        catalog.unknown(&atom.name, sink);
        return None;
    };
    let info = catalog.get(cat);
    if info.broken {
        return None;
    }
    if info.category.arity() != atom.args.len() {
        sink.push(info.arity_error(atom));
        return None;
    }
    let mut tuple = Vec::with_capacity(atom.args.len());
    let mut ok = true;
    for (arg, field) in atom.args.iter().zip(&info.category.fields) {
        match constant(arg, &field.ty, sink) {
            Some(w) => tuple.push(w),
            None => ok = false,
        }
    }
    ok.then_some((cat, tuple))
}

/// A literal of type `ty`.
fn constant(e: &ast::Expr, ty: &Type, sink: &mut Sink) -> Option<Word> {
    let word = match (&e.kind, ty) {
        (ExprKind::Int(v), Type::Int) => value::from_int(*v),
        (ExprKind::Float(v), Type::Float) => value::from_float(*v),
        (ExprKind::Int(v), Type::Float) => value::from_float(*v as f64),
        (ExprKind::Str(s), Type::Str) => intern::intern_str(s),
        (ExprKind::Bool(b), Type::Bool) => value::from_bool(*b),
        (ExprKind::List(items), Type::List(elem)) => {
            let mut words = Vec::with_capacity(items.len());
            for item in items {
                words.push(constant(item, elem, sink)?);
            }
            intern::intern_list(&words)
        }
        (ExprKind::Error, _) => return None,
        (
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::List(_),
            _,
        ) => {
            sink.push(
                Diagnostic::new(
                    Code::TypeMismatch,
                    e.span,
                    format!("expected a `{ty}` value"),
                )
                .label(format!("not a `{ty}`")),
            );
            return None;
        }
        _ => {
            sink.push(
                Diagnostic::new(
                    Code::NotAFact,
                    e.span,
                    "a fact's fields must be literal values",
                )
                .label("not a literal")
                .help("facts are ground: write a number, string, bool or list here; to compute facts, write a rule"),
            );
            return None;
        }
    };
    Some(word)
}
