//! The categories of a program: declarations checked and indexed by name.

use std::collections::HashMap;

use fold_grammar::ast::{self, Span};
use fold_runtime::plan::{CatId, Category, Field, Keep};
use fold_runtime::value::Type;

use crate::diag::{Code, Diagnostic, Sink};

/// A declared category and where it was declared.
#[derive(Debug, Clone)]
pub struct CatInfo {
    pub category: Category,
    pub name_span: Span,
    pub field_spans: Vec<Span>,
    /// Its field list did not parse: uses are not checked (the syntax error
    /// already says what is wrong).
    pub broken: bool,
}

impl CatInfo {
    /// E0103 for `atom`, which names this category with the wrong number
    /// of fields.
    pub fn arity_error(&self, atom: &ast::Atom) -> Diagnostic {
        let want = self.category.arity();
        let given = atom.args.len();
        let fields: Vec<String> = self
            .category
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.ty))
            .collect();
        Diagnostic::new(
            Code::ArityMismatch,
            atom.span,
            format!(
                "`{}` has {want} field{}, but {given} {} given",
                atom.name.name,
                if want == 1 { "" } else { "s" },
                if given == 1 { "was" } else { "were" }
            ),
        )
        .label(format!("expected {want}"))
        .also(
            self.name_span,
            format!("declared as `{}({})`", atom.name.name, fields.join(", ")),
        )
    }
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub cats: Vec<CatInfo>,
    by_name: HashMap<String, CatId>,
}

impl Catalog {
    /// Collect every `data` declaration, reporting duplicates, unknown
    /// types and bad `key`/`keep` clauses. A broken declaration is still
    /// registered (with what could be understood) so its uses do not also
    /// report "unknown category".
    pub fn build(program: &ast::Program, sink: &mut Sink) -> Catalog {
        let mut catalog = Catalog::default();
        for item in &program.items {
            let ast::Item::Data(decl) = item else {
                continue;
            };
            if let Some(&prev) = catalog.by_name.get(&decl.name.name) {
                sink.push(
                    Diagnostic::new(
                        Code::DuplicateCategory,
                        decl.name.span,
                        format!("category `{}` is declared twice", decl.name.name),
                    )
                    .label("declared again here")
                    .also(catalog.cats[prev.index()].name_span, "first declared here"),
                );
                continue;
            }
            let info = declare(decl, sink);
            let id = CatId(catalog.cats.len() as u32);
            catalog.by_name.insert(decl.name.name.clone(), id);
            catalog.cats.push(info);
        }
        catalog
    }

    pub fn lookup(&self, name: &str) -> Option<CatId> {
        self.by_name.get(name).copied()
    }

    pub fn get(&self, id: CatId) -> &CatInfo {
        &self.cats[id.index()]
    }

    pub fn name(&self, id: CatId) -> &str {
        &self.cats[id.index()].category.name
    }

    /// The names of all categories, for "did you mean" suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cats.iter().map(|c| c.category.name.as_str())
    }

    /// Report an unknown category name, suggesting a close one.
    pub fn unknown(&self, name: &ast::Ident, sink: &mut Sink) {
        let mut d = Diagnostic::new(
            Code::UnknownCategory,
            name.span,
            format!("unknown category `{}`", name.name),
        )
        .label("not declared");
        match crate::diag::suggest::closest(&name.name, self.names()) {
            Some(close) => d = d.help(format!("did you mean `{close}`?")),
            None => {
                d = d.help(format!(
                    "declare it: `data {}(...)` with its fields and types",
                    name.name
                ))
            }
        }
        sink.push(d);
    }
}

fn declare(decl: &ast::DataDecl, sink: &mut Sink) -> CatInfo {
    let mut fields: Vec<Field> = Vec::new();
    let mut field_spans = Vec::new();
    for f in &decl.fields {
        if let Some(i) = fields.iter().position(|g| g.name == f.name.name) {
            sink.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    f.name.span,
                    format!(
                        "field `{}` of `{}` is declared twice",
                        f.name.name, decl.name.name
                    ),
                )
                .label("declared again here")
                .also(field_spans[i], "first declared here"),
            );
            continue;
        }
        let ty = resolve_type(&f.ty, sink).unwrap_or(Type::Int);
        fields.push(Field {
            name: f.name.name.clone(),
            ty,
        });
        field_spans.push(f.name.span);
    }
    let field_index = |name: &ast::Ident, what: &str, sink: &mut Sink| -> Option<usize> {
        let found = fields.iter().position(|f| f.name == name.name);
        if found.is_none() {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            sink.push(
                Diagnostic::new(
                    Code::UnknownKeyField,
                    name.span,
                    format!(
                        "`{what}` names `{}`, which is not a field of `{}`",
                        name.name, decl.name.name
                    ),
                )
                .label("no such field")
                .help(format!("the fields are: {}", names.join(", "))),
            );
        }
        found
    };
    let key = decl.key.as_ref().map(|k| {
        let mut cols: Vec<usize> = k
            .fields
            .iter()
            .filter_map(|f| field_index(f, "key", sink))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    });
    let mut keep = Keep::Least;
    if let Some(k) = &decl.keep {
        let field = field_index(&k.field, "keep", sink);
        let kind = k.kind.name.as_str();
        if kind != "min" && kind != "max" {
            sink.push(
                Diagnostic::new(
                    Code::BadKeep,
                    k.kind.span,
                    format!("`keep {kind}` is not a choice fold knows"),
                )
                .label("expected `min` or `max`")
                .help(format!(
                    "write `keep min({})` or `keep max({})`",
                    k.field.name, k.field.name
                )),
            );
        } else if decl.key.is_none() {
            sink.push(
                Diagnostic::new(
                    Code::BadKeep,
                    k.span,
                    format!(
                        "`keep` needs a `key`: without one, every distinct fact of `{}` stays",
                        decl.name.name
                    ),
                )
                .label("nothing to choose between")
                .help("add `key(...)` naming the fields that identify a fact"),
            );
        } else if let Some(field) = field {
            keep = if kind == "min" {
                Keep::Min(field)
            } else {
                Keep::Max(field)
            };
        }
    }
    CatInfo {
        category: Category {
            name: decl.name.name.clone(),
            fields,
            key,
            keep,
            private: decl.private,
            // Chosen by lowering (`lower::physical`).
            indexes: Vec::new(),
        },
        name_span: decl.name.span,
        field_spans,
        broken: decl.broken,
    }
}

/// `int`, `float`, `str`, `bool` or `[T]`.
pub fn resolve_type(t: &ast::TypeExpr, sink: &mut Sink) -> Option<Type> {
    match t {
        ast::TypeExpr::Named(name) => match name.name.as_str() {
            "int" => Some(Type::Int),
            "float" => Some(Type::Float),
            "str" => Some(Type::Str),
            "bool" => Some(Type::Bool),
            other => {
                let mut d = Diagnostic::new(
                    Code::UnknownType,
                    name.span,
                    format!("unknown type `{other}`"),
                )
                .label("not a type")
                .help("field types are `int`, `float`, `str`, `bool` and lists such as `[str]`");
                if let Some(close) = crate::diag::suggest::closest(
                    other,
                    ["int", "float", "str", "bool"].into_iter(),
                ) {
                    d = d.help(format!("did you mean `{close}`?"));
                }
                sink.push(d);
                None
            }
        },
        ast::TypeExpr::List(inner, _) => resolve_type(inner, sink).map(Type::list_of),
    }
}
