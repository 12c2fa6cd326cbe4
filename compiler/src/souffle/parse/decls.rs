//! Directives: `.decl`, `.type`, `.comp`/`.init`, `.input`/`.output` and
//! the others, with their recovery.

use super::*;

impl Parser<'_> {
    pub(super) fn directive(&mut self, d: &str) -> PResult<Item> {
        let start = self.bump().span;
        match d {
            "decl" => self.decl(start),
            "type" => self.type_decl(start),
            "number_type" | "symbol_type" => {
                let name = self.ident("a type name")?;
                let base = if d == "number_type" {
                    "number"
                } else {
                    "symbol"
                };
                Ok(Item::Type(TypeDecl {
                    of: vec![Ident {
                        name: base.into(),
                        span: name.span,
                    }],
                    name,
                    record: None,
                    branches: Vec::new(),
                }))
            }
            "input" | "output" | "printsize" => {
                let kind = match d {
                    "input" => IoKind::Input,
                    "output" => IoKind::Output,
                    _ => IoKind::PrintSize,
                };
                self.io(kind, start)
            }
            "limitsize" => {
                let _ = self.io(IoKind::PrintSize, start)?;
                self.unsupported(
                    start.to(self.prev_span()),
                    "`.limitsize`",
                    "remove it: foldc always runs to the fixpoint",
                );
                Ok(Item::Skipped)
            }
            "pragma" => {
                while matches!(self.peek(), Tok::Str(_)) {
                    self.bump();
                }
                Ok(Item::Skipped)
            }
            "plan" => {
                // An execution plan for the clause before: a hint only.
                while matches!(
                    self.peek(),
                    Tok::Int(_)
                        | Tok::Punct(":")
                        | Tok::Punct("(")
                        | Tok::Punct(")")
                        | Tok::Punct(",")
                ) {
                    self.bump();
                }
                Ok(Item::Skipped)
            }
            "comp" => self.comp(),
            "init" => {
                let name = self.ident("an instance name")?;
                self.expect("=")?;
                let (comp, args) = self.comp_ref()?;
                Ok(Item::Init(Init { name, comp, args }))
            }
            "override" => Ok(Item::Override(self.ident("a relation name")?)),
            "functor" => {
                self.skip_to_directive();
                self.unsupported(
                    start,
                    "a user-defined functor (`.functor`)",
                    "foldc cannot load C++ functors; compute the value with intrinsic functors or in the input",
                );
                Ok(Item::Skipped)
            }
            _ => {
                self.skip_to_directive();
                self.unsupported(
                    start,
                    &format!("the directive `.{d}`"),
                    "foldc knows .decl, .type, .input, .output, .printsize and .pragma",
                );
                Ok(Item::Skipped)
            }
        }
    }

    /// `Name<T, ...>` (the arguments optional).
    pub(super) fn comp_ref(&mut self) -> PResult<(Ident, Vec<Ident>)> {
        let name = self.ident("a component name")?;
        let mut args = Vec::new();
        if self.eat("<") {
            loop {
                args.push(self.ident("a type")?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(">")?;
        }
        Ok((name, args))
    }

    /// `.comp Name<T> : Base<T>, ... { items }`
    pub(super) fn comp(&mut self) -> PResult<Item> {
        let (name, params) = self.comp_ref()?;
        let mut bases = Vec::new();
        if self.eat(":") {
            loop {
                bases.push(self.comp_ref()?);
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect("{")?;
        let mut items = Vec::new();
        while !self.is_punct("}") && !matches!(self.peek(), Tok::Eof) {
            let before = self.pos;
            match self.item() {
                Ok(item) => items.push(item),
                Err(()) => self.recover(),
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.expect("}")?;
        Ok(Item::Comp(CompDef {
            name,
            params: params.into_iter().map(|p| p.name).collect(),
            bases,
            items,
        }))
    }

    pub(super) fn decl(&mut self, start: Span) -> PResult<Item> {
        let mut names = vec![self.ident("a relation name")?];
        while self.eat(",") {
            names.push(self.ident("a relation name")?);
        }
        self.expect("(")?;
        let mut attrs = Vec::new();
        if !self.is_punct(")") {
            loop {
                let name = self.ident("an attribute name")?;
                self.expect(":")?;
                let ty = self.ident("a type")?;
                attrs.push(Attr { name, ty });
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect(")")?;
        let mut eqrel = false;
        let mut choice = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::Ident(q)
                    if QUALIFIERS.contains(&q.as_str())
                        && !matches!(self.peek_at(1), Tok::Punct("(")) =>
                {
                    self.bump();
                    eqrel |= q == "eqrel";
                }
                Tok::Ident(q) if q == "choice" && matches!(self.peek_at(1), Tok::Punct("-")) => {
                    self.bump();
                    self.bump();
                    if !self.is_word("domain") {
                        self.error("`choice-domain`");
                        return Err(());
                    }
                    self.bump();
                    loop {
                        let mut domain = Vec::new();
                        if self.eat("(") {
                            loop {
                                domain.push(self.ident("an attribute name")?);
                                if !self.eat(",") {
                                    break;
                                }
                            }
                            self.expect(")")?;
                        } else {
                            domain.push(self.ident("an attribute name")?);
                        }
                        choice.push(domain);
                        if !self.eat(",") {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
        Ok(Item::Decl(Decl {
            names,
            attrs,
            eqrel,
            choice,
            span: start.to(self.prev_span()),
        }))
    }

    pub(super) fn type_decl(&mut self, start: Span) -> PResult<Item> {
        let name = self.ident("a type name")?;
        if self.eat("<:") {
            let base = self.ident("a base type")?;
            return Ok(Item::Type(TypeDecl {
                name,
                of: vec![base],
                record: None,
                branches: Vec::new(),
            }));
        }
        self.expect("=")?;
        if self.eat("[") {
            let fields = self.fields("]")?;
            return Ok(Item::Type(TypeDecl {
                name,
                of: Vec::new(),
                record: Some(fields),
                branches: Vec::new(),
            }));
        }
        let first = self.ident("a type")?;
        if self.is_punct("{") {
            // An algebraic data type: branches `A { .. } | B { .. }`.
            let mut branches = Vec::new();
            let mut branch = first;
            loop {
                self.expect("{")?;
                let fields = self.fields("}")?;
                branches.push((branch, fields));
                if !self.eat("|") {
                    break;
                }
                branch = self.ident("a branch name")?;
            }
            let _ = start;
            return Ok(Item::Type(TypeDecl {
                name,
                of: Vec::new(),
                record: None,
                branches,
            }));
        }
        let mut of = vec![first];
        while self.eat("|") {
            of.push(self.ident("a type")?);
        }
        Ok(Item::Type(TypeDecl {
            name,
            of,
            record: None,
            branches: Vec::new(),
        }))
    }

    /// `a: A, b: B` up to `close` (eaten), possibly empty.
    pub(super) fn fields(&mut self, close: &str) -> PResult<Vec<Attr>> {
        let mut fields = Vec::new();
        if !self.is_punct(close) {
            loop {
                let name = self.ident("a field name")?;
                self.expect(":")?;
                let ty = self.ident("a type")?;
                fields.push(Attr { name, ty });
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect(close)?;
        Ok(fields)
    }

    pub(super) fn io(&mut self, kind: IoKind, start: Span) -> PResult<Item> {
        let mut rels = vec![self.ident("a relation name")?];
        while self.eat(",") {
            rels.push(self.ident("a relation name")?);
        }
        let mut params = Vec::new();
        if self.eat("(") {
            while !self.is_punct(")") {
                let key = self.ident("a parameter name (`IO`, `filename`, ...)")?;
                self.expect("=")?;
                let vspan = self.span();
                let value = match self.bump().tok {
                    Tok::Str(s) | Tok::Ident(s) => s,
                    Tok::Int(v) | Tok::Unsigned(v) => v.to_string(),
                    _ => {
                        self.pos -= 1;
                        self.error("a parameter value");
                        return Err(());
                    }
                };
                params.push((key, value, vspan));
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(")")?;
        }
        Ok(Item::Io(IoDecl {
            kind,
            rels,
            params,
            span: start.to(self.prev_span()),
        }))
    }
}
