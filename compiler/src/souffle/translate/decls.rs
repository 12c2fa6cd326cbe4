//! Declarations: types, relations (`eqrel` with its rules) and I/O directives.

use super::*;

impl Translator {
    /// The primitive type a Soufflé type name stands for.
    pub(super) fn base(&mut self, ty: &Ident, depth: usize) -> Option<Base> {
        match ty.name.as_str() {
            "number" | "i32" | "i64" => return Some(Base::Number),
            "unsigned" | "u32" | "u64" => return Some(Base::Unsigned),
            "float" | "f32" | "f64" => return Some(Base::Float),
            "symbol" => return Some(Base::Symbol),
            _ => {}
        }
        if let Some(&id) = self.rec_ids.get(&ty.name) {
            return Some(Base::Record(id));
        }
        let Some(of) = self.types.get(&ty.name).cloned() else {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnknownType,
                    ty.span,
                    format!("unknown type `{}`", ty.name),
                )
                .label("not declared")
                .help("declare it with `.type` or use number, unsigned, float or symbol"),
            );
            return None;
        };
        if depth > 64 {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnknownType,
                    ty.span,
                    format!("the type `{}` is defined in terms of itself", ty.name),
                )
                .label("cyclic type"),
            );
            return None;
        }
        let mut bases = Vec::new();
        for t in &of {
            bases.push(self.base(t, depth + 1)?);
        }
        let first = bases[0];
        if bases.iter().any(|&b| b != first) {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnknownType,
                    ty.span,
                    format!("the union `{}` mixes primitive types", ty.name),
                )
                .label("its members have different primitive types")
                .help("a union's members must all be numbers, or all symbols, ..."),
            );
            return None;
        }
        Some(first)
    }

    pub(super) fn decl(&mut self, d: &s::Decl) {
        let mut fields = Vec::new();
        let mut bases = Vec::new();
        for a in &d.attrs {
            let base = self.base(&a.ty, 0).unwrap_or(Base::Number);
            bases.push(base);
            fields.push(ast::FieldDecl {
                name: a.name.clone(),
                ty: type_expr(base, a.ty.span),
            });
        }
        let attr = |i: usize| d.attrs[i].name.clone();
        let mut choice_key = None;
        match d.choice.as_slice() {
            [] => {}
            [one] => {
                let names: Vec<&str> = d.attrs.iter().map(|a| a.name.name.as_str()).collect();
                if let Some(bad) = one.iter().find(|a| !names.contains(&a.name.as_str())) {
                    self.diags.push(
                        Diagnostic::new(
                            Code::UnknownKeyField,
                            bad.span,
                            format!("`{}` is not an attribute of this relation", bad.name),
                        )
                        .label("not an attribute"),
                    );
                } else {
                    choice_key = Some(ast::KeyDecl {
                        fields: one.clone(),
                        span: d.span,
                    });
                }
            }
            more => self.unsupported(
                more[1][0].span,
                "`choice-domain` with several domains",
                "which facts stay then depends on the order they are found (a fact kept for one domain blocks others for another, and Soufflé keeps whichever it meets first), and foldc's results never depend on that order; keep one domain (foldc keeps the least fact per value of it), or choose in a second relation keyed on the other domain",
            ),
        }
        for name in &d.names {
            self.rels.insert(name.name.clone(), bases.clone());
            if bases.iter().any(|b| matches!(b, Base::Record(_))) {
                self.io.columns.insert(name.name.clone(), bases.clone());
            }
            let (key, keep) = match self.subsumed.get(&name.name) {
                Some((keys, kind, field))
                    if keys.iter().chain([field]).all(|&i| i < d.attrs.len()) =>
                {
                    (
                        Some(ast::KeyDecl {
                            fields: keys.iter().map(|&i| attr(i)).collect(),
                            span: d.span,
                        }),
                        Some(ast::KeepDecl {
                            kind: ident(kind, d.span),
                            field: attr(*field),
                            span: d.span,
                        }),
                    )
                }
                _ => (choice_key.clone(), None),
            };
            self.items.push(ast::Item::Data(ast::DataDecl {
                private: false,
                name: name.clone(),
                fields: fields.clone(),
                key,
                keep,
                broken: false,
                span: d.span,
            }));
            if d.eqrel {
                self.eqrel(name, d);
            }
        }
    }

    /// An equivalence relation: reflexive on its members, symmetric,
    /// transitive.
    pub(super) fn eqrel(&mut self, name: &Ident, d: &s::Decl) {
        if d.attrs.len() != 2 {
            self.diags.push(
                Diagnostic::new(
                    Code::SouffleUnsupported,
                    d.span,
                    format!("`eqrel` relation `{}` must have two attributes", name.name),
                )
                .label("not binary"),
            );
            return;
        }
        let sp = d.span;
        let v = |n: &str| {
            let kind = if n == "_" {
                ExprKind::Wildcard
            } else {
                ExprKind::Var(n.into())
            };
            expr(kind, sp)
        };
        let atom = |a: &str, b: &str| ast::Atom {
            name: name.clone(),
            args: vec![v(a), v(b)],
            span: sp,
        };
        let call = |a: &str, b: &str| {
            BodyItem::Expr(expr(ExprKind::Call(name.clone(), vec![v(a), v(b)]), sp))
        };
        for (head, body) in [
            (atom("x", "y"), vec![call("y", "x")]),
            (atom("x", "z"), vec![call("x", "y"), call("y", "z")]),
            (atom("x", "x"), vec![call("x", "_")]),
        ] {
            self.items.push(ast::Item::Clause(ast::Clause {
                head,
                body,
                span: sp,
            }));
        }
    }

    pub(super) fn io_decl(&mut self, io: &s::IoDecl) {
        for rel in &io.rels {
            if !self.rels.contains_key(&rel.name) {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnknownCategory,
                        rel.span,
                        format!("unknown relation `{}`", rel.name),
                    )
                    .label("not declared")
                    .help("declare it with `.decl`"),
                );
                continue;
            }
            let mut spec = IoSpec {
                rel: rel.name.clone(),
                file: match io.kind {
                    s::IoKind::Input => format!("{}.facts", rel.name),
                    _ => format!("{}.csv", rel.name),
                },
                delimiter: b'\t',
                headers: false,
                stdout: false,
            };
            let mut ok = true;
            for (key, value, vspan) in &io.params {
                match key.name.as_str() {
                    "IO" => match value.as_str() {
                        "file" => {}
                        "stdout" if io.kind == s::IoKind::Output => spec.stdout = true,
                        other => {
                            ok = false;
                            self.diags.push(
                                Diagnostic::new(
                                    Code::SouffleBadIo,
                                    *vspan,
                                    format!("`IO={other}` is not supported by foldc"),
                                )
                                .label("not supported")
                                .help("foldc reads and writes files (`IO=file`) and writes `IO=stdout`"),
                            );
                        }
                    },
                    "filename" | "file" => spec.file = value.clone(),
                    "delimiter" => {
                        let bytes = value.as_bytes();
                        if bytes.len() == 1 {
                            spec.delimiter = bytes[0];
                        } else {
                            ok = false;
                            self.diags.push(
                                Diagnostic::new(
                                    Code::SouffleBadIo,
                                    *vspan,
                                    "a delimiter must be one character",
                                )
                                .label("not one character"),
                            );
                        }
                    }
                    "headers" => spec.headers = value == "true",
                    // Hints that do not change what is read or written.
                    "rfc4180" | "attributeNames" | "name" | "operation" | "types" | "auxArity"
                    | "params" => {}
                    "compress" => {
                        ok = false;
                        self.diags.push(
                            Diagnostic::new(
                                Code::SouffleBadIo,
                                key.span,
                                "compressed fact files are not supported by foldc",
                            )
                            .label("not supported")
                            .help("decompress the file first (`gunzip`)"),
                        );
                    }
                    other => {
                        ok = false;
                        self.diags.push(
                            Diagnostic::new(
                                Code::SouffleBadIo,
                                key.span,
                                format!("unknown I/O parameter `{other}`"),
                            )
                            .label("not known")
                            .help("foldc knows IO, filename, delimiter and headers"),
                        );
                    }
                }
            }
            if !ok {
                continue;
            }
            match io.kind {
                s::IoKind::Input => self.io.inputs.push(spec),
                s::IoKind::Output => {
                    if !self.io.outputs.iter().any(|o| o.rel == spec.rel) {
                        self.items.push(ast::Item::Output(ast::OutputDecl {
                            category: rel.clone(),
                            span: io.span,
                        }));
                    }
                    self.io.outputs.push(spec);
                }
                s::IoKind::PrintSize => {
                    if !self.io.printsize.contains(&rel.name) {
                        self.io.printsize.push(rel.name.clone());
                    }
                }
            }
        }
    }
}
