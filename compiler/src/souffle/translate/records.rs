//! Records and ADTs: their types, values built as `[int]` lists of words
//! (see [`crate::souffle::records`]), and patterns taken apart.
//!
//! A record or branch pattern in a body atom is lifted out first: the
//! atom reads a fresh variable and an equality `v = [p, q]` follows
//! (nested patterns likewise, one equality per level). Each such equality
//! becomes an [`Item::Rec`], which the rule's ordering resolves once it
//! knows what is bound: with the value bound it is taken apart (length
//! and branch tested, each field bound or compared); with the value a
//! free variable and every field bound it is built.

use super::*;
use crate::souffle::records::RecordType;

/// `value = [fields..]`, one level of a record or branch pattern.
#[derive(Clone, Debug)]
pub(super) struct Rec {
    pub value: ast::Expr,
    /// Each field's pattern (`None` for `_`) and type.
    pub fields: Vec<(Option<ast::Expr>, Base)>,
    /// The branch's index, first in the list, for an ADT branch.
    pub tag: Option<i64>,
    /// The value built from the fields, when none is `_`.
    pub build: Option<ast::Expr>,
    pub span: Span,
}

fn is_structured(a: &s::Arg) -> bool {
    matches!(a.kind, ArgKind::Record(_) | ArgKind::Branch(..))
}

impl Translator {
    /// Give every record and ADT type an index, then resolve their fields
    /// (which may name each other, or themselves).
    pub(super) fn record_types(&mut self, program: &s::Program) {
        let decls: Vec<&s::TypeDecl> = program
            .items
            .iter()
            .filter_map(|i| match i {
                s::Item::Type(t) if t.record.is_some() || !t.branches.is_empty() => Some(t),
                _ => None,
            })
            .collect();
        for t in &decls {
            let id = self.io.records.types.len() as u16;
            self.rec_ids.insert(t.name.name.clone(), id);
            self.io
                .records
                .types
                .push((t.name.name.clone(), RecordType::Record(Vec::new())));
            for (tag, (b, _)) in t.branches.iter().enumerate() {
                self.branch_ids.insert(b.name.clone(), (id, tag));
            }
        }
        for t in decls {
            let id = self.rec_ids[&t.name.name];
            let fields = |fs: &[s::Attr], this: &mut Translator| -> Vec<Base> {
                fs.iter()
                    .map(|a| this.base(&a.ty, 0).unwrap_or(Base::Number))
                    .collect()
            };
            let ty = match &t.record {
                Some(fs) => RecordType::Record(fields(fs, self)),
                None => RecordType::Adt(
                    t.branches
                        .iter()
                        .map(|(b, fs)| (b.name.clone(), fields(fs, self)))
                        .collect(),
                ),
            };
            self.io.records.types[usize::from(id)].1 = ty;
        }
    }

    /// The fields' types of a record type, or of one branch of an ADT.
    fn fields_of(
        &self,
        base: Option<Base>,
        branch: Option<&Ident>,
    ) -> Option<(Vec<Base>, Option<i64>, Base)> {
        if let Some(b) = branch {
            let &(id, tag) = self.branch_ids.get(&b.name)?;
            let (_, RecordType::Adt(branches)) = self.io.records.types.get(usize::from(id))? else {
                return None;
            };
            return Some((branches[tag].1.clone(), Some(tag as i64), Base::Record(id)));
        }
        let Some(Base::Record(id)) = base else {
            return None;
        };
        match &self.io.records.types.get(usize::from(id))?.1 {
            RecordType::Record(fields) => Some((fields.clone(), None, Base::Record(id))),
            RecordType::Adt(_) => None,
        }
    }

    /// The fields' types of `a` (a record or branch) where the value's
    /// type is `want`; a record whose type nothing tells gets an
    /// anonymous type from its elements.
    fn shape(
        &mut self,
        a: &s::Arg,
        want: Option<Base>,
        types: &HashMap<String, Base>,
    ) -> Option<(Vec<Base>, Option<i64>, Base)> {
        match &a.kind {
            ArgKind::Branch(name, elems) => {
                let Some(shape) = self.fields_of(None, Some(name)) else {
                    self.diags.push(
                        Diagnostic::new(
                            Code::SouffleUnknownType,
                            name.span,
                            format!("unknown ADT branch `${}`", name.name),
                        )
                        .label("no `.type` declares this branch")
                        .help("declare it: `.type T = Name {x: number} | ...`"),
                    );
                    return None;
                };
                if shape.0.len() != elems.len() {
                    self.arity_error(
                        a.span,
                        &format!("${}", name.name),
                        shape.0.len(),
                        elems.len(),
                    );
                    return None;
                }
                Some(shape)
            }
            ArgKind::Record(elems) => {
                let shape = match self.fields_of(want, None) {
                    Some(shape) => shape,
                    None => {
                        let fields: Vec<Base> = elems
                            .iter()
                            .map(|e| type_of(e, types).unwrap_or(Base::Number))
                            .collect();
                        let id = self.io.records.types.len() as u16;
                        self.io
                            .records
                            .types
                            .push((format!("__record{id}"), RecordType::Record(fields.clone())));
                        (fields, None, Base::Record(id))
                    }
                };
                if shape.0.len() != elems.len() {
                    self.arity_error(a.span, "this record", shape.0.len(), elems.len());
                    return None;
                }
                Some(shape)
            }
            _ => None,
        }
    }

    fn arity_error(&mut self, span: Span, what: &str, want: usize, got: usize) {
        self.diags.push(
            Diagnostic::new(
                Code::SouffleUnknownType,
                span,
                format!("{what} has {got} fields, but its type has {want}"),
            )
            .label("wrong number of fields"),
        );
    }

    /// A record or branch value built from `a` (any other argument is
    /// translated as an expression).
    pub(super) fn build(
        &mut self,
        a: &s::Arg,
        want: Option<Base>,
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        in_atom: bool,
    ) -> Option<ast::Expr> {
        let sp = a.span;
        let elems = match &a.kind {
            ArgKind::Record(elems) | ArgKind::Branch(_, elems) => elems,
            ArgKind::Nil => return Some(nil(sp)),
            _ => return self.expr(&coerce(a, want), items, types, in_atom),
        };
        let (fields, tag, _) = self.shape(a, want, types)?;
        let mut out: Vec<ast::Expr> = tag.map(|t| int(t, sp)).into_iter().collect();
        for (e, &b) in elems.iter().zip(&fields) {
            if matches!(e.kind, ArgKind::Wild) {
                self.unsupported(
                    e.span,
                    "`_` in a record that is built, not matched",
                    "name the field with a variable bound elsewhere in the rule",
                );
                return None;
            }
            let x = self.build(e, Some(b), items, types, false)?;
            out.push(wrap(x, b));
        }
        Some(expr(ExprKind::List(out), sp))
    }

    /// `value = pattern` with a record or branch on one side: an
    /// [`Item::Rec`]. `None` when neither side is one.
    pub(super) fn rec_eq(
        &mut self,
        l: &s::Arg,
        r: &s::Arg,
        items: &mut Vec<Item>,
        types: &HashMap<String, Base>,
        sp: Span,
    ) -> Option<Option<()>> {
        let (value, pat) = if is_structured(r) {
            (l, r)
        } else if is_structured(l) {
            (r, l)
        } else {
            return None;
        };
        if is_structured(value) {
            // Both sides built: a comparison of two values.
            let want = self.shape(value, None, types).map(|s| s.2);
            let Some(le) = self.build(value, want, items, types, false) else {
                return Some(None);
            };
            let Some(re) = self.build(pat, want, items, types, false) else {
                return Some(None);
            };
            items.push(Item::Cond(binary(BinaryOp::Eq, le, re, sp)));
            return Some(Some(()));
        }
        let Some((fields, tag, _)) = self.shape(pat, type_of(value, types), types) else {
            return Some(None);
        };
        let Some(value_e) = self.build(value, None, items, types, false) else {
            return Some(None);
        };
        let (ArgKind::Record(elems) | ArgKind::Branch(_, elems)) = &pat.kind else {
            return Some(None);
        };
        let mut pats = Vec::new();
        let mut built: Vec<ast::Expr> = tag.map(|t| int(t, sp)).into_iter().collect();
        let mut complete = true;
        for (e, &b) in elems.iter().zip(&fields) {
            if matches!(e.kind, ArgKind::Wild) {
                pats.push((None, b));
                complete = false;
                continue;
            }
            let Some(x) = self.build(e, Some(b), items, types, false) else {
                return Some(None);
            };
            built.push(wrap(x.clone(), b));
            pats.push((Some(x), b));
        }
        items.push(Item::Rec(Rec {
            value: value_e,
            fields: pats,
            tag,
            build: complete.then(|| expr(ExprKind::List(built), sp)),
            span: sp,
        }));
        Some(Some(()))
    }

    /// Lift record and branch patterns out of body atoms (and nested ones
    /// out of patterns) into equalities with fresh variables.
    pub(super) fn lift_records(&mut self, lits: &[Lit]) -> Vec<Lit> {
        // A pattern whose variables other atoms bind as plain arguments
        // stays in its atom, as a value built and looked up (an index
        // probe, not a scan). Another pattern, in a rule of several atoms,
        // is unpacked: the atom becomes a private relation of its
        // variables, which a rule of its own fills by taking each record
        // apart, so the rule joins on them through indexes. (A pattern
        // lifted in place binds its variables by a `let`, after every
        // atom is joined: joined only on the atom's plain arguments, a
        // rule of several atoms would scan.) In a rule of one atom, the
        // pattern is lifted.
        let positive = lits.iter().filter(|l| matches!(l, Lit::Atom(_))).count();
        let mut unpacked: Vec<(usize, HashSet<String>)> = Vec::new();
        let plain_of = |a: &s::Atom| -> HashSet<String> {
            a.args
                .iter()
                .filter_map(|x| match &x.kind {
                    ArgKind::Var(v) => Some(v.clone()),
                    _ => None,
                })
                .collect()
        };
        let atoms: Vec<HashSet<String>> = lits
            .iter()
            .map(|l| match l {
                Lit::Atom(a) => plain_of(a),
                _ => HashSet::new(),
            })
            .collect();
        let mut out = Vec::new();
        let mut eqs = Vec::new();
        for (i, lit) in lits.iter().enumerate() {
            // What the other atoms bind.
            let plain: HashSet<&String> = atoms
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, vs)| vs.iter())
                .collect();
            let covered = |vs: &HashSet<String>, wild: bool| {
                !wild
                    && vs.iter().all(|v| {
                        plain.contains(v) || unpacked.iter().any(|(j, u)| *j != i && u.contains(v))
                    })
            };
            match lit {
                Lit::Atom(a) => {
                    let needs = a.args.iter().filter(|x| is_structured(x)).any(|x| {
                        let mut vs = HashSet::new();
                        let mut wild = false;
                        pattern_vars(x, &mut vs, &mut wild);
                        !covered(&vs, wild)
                    });
                    let simple = a.args.iter().all(|x| {
                        is_structured(x)
                            || is_ground_or_wild(x)
                            || matches!(x.kind, ArgKind::Var(_))
                    });
                    if needs && simple && positive > 1 {
                        let (atom, vars) = self.unpack(a);
                        unpacked.push((i, vars));
                        out.push(Lit::Atom(atom));
                        continue;
                    }
                    let mut a = a.clone();
                    for x in &mut a.args {
                        if !is_structured(x) {
                            continue;
                        }
                        let mut vs = HashSet::new();
                        let mut wild = false;
                        pattern_vars(x, &mut vs, &mut wild);
                        if covered(&vs, wild) {
                            continue;
                        }
                        let v = self.fresh("rec");
                        let var = s::Arg {
                            kind: ArgKind::Var(v),
                            span: x.span,
                        };
                        let pat = std::mem::replace(x, var.clone());
                        eqs.push((var, pat));
                    }
                    out.push(Lit::Atom(a));
                }
                Lit::Cmp("=", l, r, _) if is_structured(l) != is_structured(r) => {
                    let (v, p) = if is_structured(r) { (l, r) } else { (r, l) };
                    eqs.push((v.clone(), p.clone()));
                }
                other => out.push(other.clone()),
            }
        }
        // Nested patterns, level by level.
        while let Some((value, mut pat)) = eqs.pop() {
            if let ArgKind::Record(elems) | ArgKind::Branch(_, elems) = &mut pat.kind {
                for x in elems.iter_mut() {
                    if is_structured(x) {
                        let v = self.fresh("rec");
                        let var = s::Arg {
                            kind: ArgKind::Var(v),
                            span: x.span,
                        };
                        let inner = std::mem::replace(x, var.clone());
                        eqs.push((var, inner));
                    }
                }
            }
            let sp = value.span.to(pat.span);
            out.push(Lit::Cmp("=", value, pat, sp));
        }
        out
    }

    /// `R(x, [a, b])` as `__unpackN(x, a, b)`: a private relation of the
    /// atom's variables, filled by a rule that reads `R` alone and takes
    /// its records apart.
    fn unpack(&mut self, a: &s::Atom) -> (s::Atom, HashSet<String>) {
        let sp = a.span;
        let mut cols: Vec<String> = Vec::new();
        for x in &a.args {
            arg_vars(x, &mut |v| {
                if !cols.iter().any(|c| c == v) {
                    cols.push(v.to_string());
                }
            });
        }
        let lit = [Lit::Atom(a.clone())];
        // Typed as the helper's rule will see it: its patterns lifted.
        let lifted = self.lift_records(&lit);
        let types = self.var_types(&lifted);
        let bases: Vec<Base> = cols
            .iter()
            .map(|c| types.get(c).copied().unwrap_or(Base::Number))
            .collect();
        let name = self.private_relation("unpack", &bases, sp);
        let atom = s::Atom {
            name: ident(&name, sp),
            args: cols
                .iter()
                .map(|c| s::Arg {
                    kind: ArgKind::Var(c.clone()),
                    span: sp,
                })
                .collect(),
            span: sp,
        };
        self.rule(&atom, &lit, sp);
        (atom, cols.into_iter().collect())
    }

    /// Types of variables inside record patterns, from the types of the
    /// values they take apart.
    pub(super) fn record_var_types(&self, lits: &[Lit], types: &mut HashMap<String, Base>) -> bool {
        let mut changed = false;
        for lit in lits {
            let Lit::Cmp("=", l, r, _) = lit else {
                continue;
            };
            for (v, p) in [(l, r), (r, l)] {
                let (branch, elems) = match &p.kind {
                    ArgKind::Record(elems) => (None, elems),
                    ArgKind::Branch(name, elems) => (Some(name), elems),
                    _ => continue,
                };
                let Some((fields, _, ty)) = self.fields_of(type_of(v, types), branch) else {
                    continue;
                };
                if let ArgKind::Var(name) = &v.kind {
                    if !types.contains_key(name) {
                        types.insert(name.clone(), ty);
                        changed = true;
                    }
                }
                for (e, f) in elems.iter().zip(fields) {
                    if let ArgKind::Var(name) = &e.kind {
                        if !types.contains_key(name) {
                            types.insert(name.clone(), f);
                            changed = true;
                        }
                    }
                }
            }
        }
        changed
    }
}

/// The variables of a pattern, and whether it holds a `_`.
fn pattern_vars(a: &s::Arg, out: &mut HashSet<String>, wild: &mut bool) {
    match &a.kind {
        ArgKind::Wild => *wild = true,
        ArgKind::Record(xs) | ArgKind::Branch(_, xs) => {
            xs.iter().for_each(|x| pattern_vars(x, out, wild))
        }
        _ => arg_vars(a, &mut |v| {
            out.insert(v.to_string());
        }),
    }
}

/// A field's value as its word in the record's `[int]` list.
pub(super) fn wrap(e: ast::Expr, b: Base) -> ast::Expr {
    match b {
        Base::Number | Base::Unsigned => e,
        _ => {
            let sp = e.span;
            expr(ExprKind::Call(ident("word", sp), vec![e]), sp)
        }
    }
}

/// The field at `k` of the record `value`, as a value of type `b`.
pub(super) fn unwrap(value: &ast::Expr, k: usize, b: Base) -> ast::Expr {
    let sp = value.span;
    let w = expr(
        ExprKind::Index(Box::new(value.clone()), Box::new(int(k as i64, sp))),
        sp,
    );
    let f = match b {
        Base::Number | Base::Unsigned => return w,
        Base::Symbol => "word_str",
        Base::Float => "word_float",
        Base::Record(_) => "word_list",
    };
    expr(ExprKind::Call(ident(f, sp), vec![w]), sp)
}

/// `nil`: the empty `[int]` list (a slice, so its element type is known
/// wherever it stands).
pub(super) fn nil(sp: Span) -> ast::Expr {
    let one = expr(ExprKind::List(vec![int(0, sp)]), sp);
    expr(
        ExprKind::Slice(
            Box::new(one),
            Some(Box::new(int(0, sp))),
            Some(Box::new(int(0, sp))),
        ),
        sp,
    )
}

/// The items that take a bound record apart: its length (and branch)
/// tested first, then each field bound or compared.
pub(super) fn take_apart(rec: Rec) -> (Vec<Item>, Vec<Item>) {
    let sp = rec.span;
    let n = rec.fields.len() + usize::from(rec.tag.is_some());
    let len = expr(
        ExprKind::Call(ident("len", sp), vec![rec.value.clone()]),
        sp,
    );
    let mut tests = vec![Item::Cond(binary(BinaryOp::Eq, len, int(n as i64, sp), sp))];
    let offset = usize::from(rec.tag.is_some());
    if let Some(tag) = rec.tag {
        let first = unwrap(&rec.value, 0, Base::Number);
        tests.push(Item::Cond(binary(BinaryOp::Eq, first, int(tag, sp), sp)));
    }
    let mut eqs = Vec::new();
    for (k, (p, b)) in rec.fields.into_iter().enumerate() {
        if let Some(p) = p {
            eqs.push(Item::Eq(p, unwrap(&rec.value, k + offset, b), sp));
        }
    }
    (tests, eqs)
}
