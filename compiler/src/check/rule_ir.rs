//! The typed form of a rule, shared by both rule syntaxes.
//!
//! Both the lifecycle form and the Datalog form become a [`RuleIr`]: the
//! positive atoms (the `on` atom first), a sequence of checks and
//! bindings ([`SeqItem`]: aborts, lets, aggregates, negations) in an order
//! that respects their dependencies, and the search body. Lowering turns
//! one `RuleIr` into one handler per positive atom.

use fold_grammar::ast::{self, ExprKind, Span};
use fold_runtime::plan::{AggKind, BinOp, CatId, Expr, Op, RuleForm, Slot, UnOp};
use fold_runtime::value::Type;

use crate::check::catalog::Catalog;
use crate::check::scope::{Scope, VarInfo, VarKind};
use crate::check::typeck::{slots_of, ExprChecker, Use};
use crate::diag::{Code, Diagnostic, Sink};

#[derive(Debug, Clone)]
pub struct RuleIr {
    pub name: String,
    pub span: Span,
    /// Which syntax the rule was written in.
    pub form: RuleForm,
    /// Every variable of the rule; a variable's index is its slot.
    pub vars: Vec<VarInfo>,
    /// Positive atoms; `atoms[0]` is the `on` atom (or the first atom of a
    /// Datalog body).
    pub atoms: Vec<AtomIr>,
    pub seq: Vec<SeqItem>,
    /// Orders events of the `on` atom; uses only its variables.
    pub priority: Option<Expr>,
    /// Runs once all atoms are joined and every check has passed.
    pub search: Vec<Op>,
    /// Categories the rule finds facts of.
    pub finds: Vec<CatId>,
    /// Categories read through negation or aggregation (must be complete).
    pub complete_reads: Vec<(CatId, Span)>,
}

#[derive(Debug, Clone)]
pub struct AtomIr {
    pub cat: CatId,
    pub args: Vec<ArgIr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArgIr {
    /// A variable: binds on its first occurrence, must match on later ones.
    Var(Slot),
    /// `_`.
    Wild,
    /// A constant or an expression over other variables: must match.
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub enum SeqItem {
    /// Abort (drop this combination) when `cond` holds. `stage` is the
    /// stage the user wrote it in (lifecycle form), for nothing but intent.
    Abort {
        cond: Expr,
    },
    Let {
        slot: Slot,
        expr: Expr,
    },
    Aggregate {
        slot: Slot,
        kind: AggKind,
        ty: Type,
        cat: CatId,
        args: Vec<ArgIr>,
        value: Option<Expr>,
    },
    Not {
        cat: CatId,
        args: Vec<ArgIr>,
    },
}

impl SeqItem {
    /// Slots this item needs bound before it can run.
    pub fn needs(&self) -> Vec<Slot> {
        let mut out = Vec::new();
        match self {
            SeqItem::Abort { cond } => slots_of(cond, &mut out),
            SeqItem::Let { expr, .. } => slots_of(expr, &mut out),
            SeqItem::Aggregate { args, .. } | SeqItem::Not { args, .. } => {
                for a in args {
                    match a {
                        ArgIr::Var(s) => out.push(*s),
                        ArgIr::Expr(e) => slots_of(e, &mut out),
                        ArgIr::Wild => {}
                    }
                }
            }
        }
        out
    }

    /// The slot this item binds, if any.
    pub fn binds(&self) -> Option<Slot> {
        match self {
            SeqItem::Let { slot, .. } | SeqItem::Aggregate { slot, .. } => Some(*slot),
            _ => None,
        }
    }

    /// Whether running it can fault. Items that cannot are free to move
    /// earlier; a faulting item is a barrier that later items never pass,
    /// so a check written before a division still guards it.
    pub fn can_fault(&self) -> bool {
        match self {
            SeqItem::Abort { cond } => can_fault(cond),
            SeqItem::Let { expr, .. } => can_fault(expr),
            SeqItem::Aggregate { .. } => true,
            SeqItem::Not { args, .. } => args
                .iter()
                .any(|a| matches!(a, ArgIr::Expr(e) if can_fault(e))),
        }
    }
}

/// Whether evaluating `e` can fault (overflow, division by zero, bad index,
/// or any builtin call).
pub fn can_fault(e: &Expr) -> bool {
    match e {
        Expr::Const(..) | Expr::Slot(_) => false,
        Expr::Unary(op, a) => *op == UnOp::NegInt || can_fault(a),
        Expr::Binary(op, a, b) => {
            matches!(
                op,
                BinOp::AddInt | BinOp::SubInt | BinOp::MulInt | BinOp::DivInt | BinOp::RemInt
            ) || can_fault(a)
                || can_fault(b)
        }
        Expr::And(a, b) | Expr::Or(a, b) => can_fault(a) || can_fault(b),
        Expr::List(items) => items.iter().any(can_fault),
        Expr::Call { .. } | Expr::Index(..) | Expr::Slice { .. } => true,
    }
}

/// Shared machinery for building a [`RuleIr`] from either syntax.
pub struct Builder<'a, 'c> {
    pub catalog: &'c Catalog,
    pub sink: &'a mut Sink,
    pub scope: Scope<'c>,
    pub atoms: Vec<AtomIr>,
    pub seq: Vec<SeqItem>,
    pub finds: Vec<CatId>,
    pub complete_reads: Vec<(CatId, Span)>,
    /// Whether the rule had an error (it is then not lowered).
    pub failed: bool,
}

impl<'a, 'c> Builder<'a, 'c> {
    pub fn new(catalog: &'c Catalog, sink: &'a mut Sink) -> Self {
        Builder {
            catalog,
            sink,
            scope: Scope::new(catalog),
            atoms: Vec::new(),
            seq: Vec::new(),
            finds: Vec::new(),
            complete_reads: Vec::new(),
            failed: false,
        }
    }

    pub fn error(&mut self, d: Diagnostic) {
        self.failed = true;
        self.sink.push(d);
    }

    pub fn checker(&mut self, usage: Use) -> ExprChecker<'_, 'c> {
        ExprChecker {
            sink: self.sink,
            scope: &mut self.scope,
            usage,
        }
    }

    /// Check an expression; on failure mark the rule failed.
    pub fn expr(
        &mut self,
        e: &ast::Expr,
        expected: Option<&Type>,
        usage: Use,
    ) -> Option<(Expr, Type)> {
        let r = self.checker(usage).check(e, expected);
        if r.is_none() {
            self.failed = true;
        }
        r
    }

    pub fn condition(&mut self, e: &ast::Expr, usage: Use) -> Option<Expr> {
        self.expr(e, Some(&Type::Bool), usage).map(|(e, _)| e)
    }

    /// Resolve an atom's category and check its arity.
    pub fn category(&mut self, atom: &ast::Atom) -> Option<CatId> {
        let Some(cat) = self.catalog.lookup(&atom.name.name) else {
            self.failed = true;
            self.poison_vars(atom);
            if fold_stdlib::overloads(&atom.name.name).is_empty() {
                self.catalog.unknown(&atom.name, self.sink);
            } else {
                self.sink.push(
                    Diagnostic::new(
                        Code::UnknownCategory,
                        atom.name.span,
                        format!("`{}` is a function, not a category", atom.name.name),
                    )
                    .label("a builtin function")
                    .help("only categories declared with `data` can stand here"),
                );
            }
            return None;
        };
        let info = self.catalog.get(cat);
        if info.broken {
            self.failed = true;
            self.poison_vars(atom);
            return None;
        }
        let want = info.category.arity();
        if atom.args.len() != want {
            let d = info.arity_error(atom);
            self.error(d);
            self.poison_vars(atom);
            return None;
        }
        Some(cat)
    }

    fn poison_vars(&mut self, atom: &ast::Atom) {
        for arg in &atom.args {
            if let ExprKind::Var(name) = &arg.kind {
                if self.scope.lookup(name).is_none() {
                    self.scope.poison(name);
                }
            }
        }
    }

    /// A positive atom whose unbound variables it binds (in `on`, `friends`
    /// and Datalog bodies). With `expr_args_later`, arguments that are
    /// neither variables nor `_` are left for [`Builder::finish_atom_exprs`]
    /// (Datalog bodies bind variables regardless of order).
    pub fn binding_atom(&mut self, atom: &ast::Atom, expr_args_later: bool) -> Option<usize> {
        let cat = self.category(atom)?;
        let types = self.catalog.get(cat).category.types();
        let mut args = Vec::with_capacity(atom.args.len());
        for (arg, ty) in atom.args.iter().zip(&types) {
            let ir = match &arg.kind {
                ExprKind::Wildcard => ArgIr::Wild,
                ExprKind::Var(name) => match self.scope.lookup(name) {
                    Some(slot) => {
                        self.scope.mark_used(slot);
                        self.check_var_type(slot, ty, arg.span, &atom.name.name);
                        ArgIr::Var(slot)
                    }
                    None => ArgIr::Var(self.scope.bind(name, ty.clone(), arg.span, VarKind::Atom)),
                },
                _ if expr_args_later => ArgIr::Wild,
                _ => match self.expr(arg, Some(ty), Use::AtomArg) {
                    Some((e, _)) => ArgIr::Expr(e),
                    None => ArgIr::Wild,
                },
            };
            args.push(ir);
        }
        self.atoms.push(AtomIr {
            cat,
            args,
            span: atom.span,
        });
        Some(self.atoms.len() - 1)
    }

    /// Check the expression arguments skipped by `binding_atom(.., true)`.
    pub fn finish_atom_exprs(&mut self, index: usize, atom: &ast::Atom) {
        let cat = self.atoms[index].cat;
        let types = self.catalog.get(cat).category.types();
        for (i, (arg, ty)) in atom.args.iter().zip(&types).enumerate() {
            if matches!(arg.kind, ExprKind::Wildcard | ExprKind::Var(_)) {
                continue;
            }
            if let Some((e, _)) = self.expr(arg, Some(ty), Use::AtomArg) {
                self.atoms[index].args[i] = ArgIr::Expr(e);
            }
        }
    }

    fn check_var_type(&mut self, slot: Slot, want: &Type, span: Span, cat: &str) {
        let have = self.scope.ty(slot).clone();
        if &have != want {
            let var = &self.scope.vars[slot.index()];
            let d = Diagnostic::new(
                Code::TypeMismatch,
                span,
                format!(
                    "`{}` is `{have}`, but this field of `{cat}` is `{want}`",
                    var.name
                ),
            )
            .label(format!("expected `{want}`"))
            .also(var.span, format!("`{}` gets type `{have}` here", var.name));
            self.error(d);
        }
    }

    /// The arguments of a negated or aggregated atom: variables must be
    /// bound, except (for aggregates) local ones, which are bound inside.
    pub fn matching_args(
        &mut self,
        atom: &ast::Atom,
        cat: CatId,
        usage: Use,
        locals_allowed: bool,
    ) -> Option<Vec<ArgIr>> {
        let types = self.catalog.get(cat).category.types();
        let mut args = Vec::with_capacity(atom.args.len());
        let mut ok = true;
        for (arg, ty) in atom.args.iter().zip(&types) {
            let ir = match &arg.kind {
                ExprKind::Wildcard => ArgIr::Wild,
                ExprKind::Var(name) => match self.scope.lookup(name) {
                    Some(slot) => {
                        self.scope.mark_used(slot);
                        self.check_var_type(slot, ty, arg.span, &atom.name.name);
                        ArgIr::Var(slot)
                    }
                    None if locals_allowed => {
                        ArgIr::Var(
                            self.scope
                                .bind(name, ty.clone(), arg.span, VarKind::AggLocal),
                        )
                    }
                    None if self.scope.is_poisoned(name) => {
                        self.failed = true;
                        ok = false;
                        ArgIr::Wild
                    }
                    None => {
                        let d = Diagnostic::new(
                            Code::UnboundInNegation,
                            arg.span,
                            format!("`{name}` in a negated atom is not bound"),
                        )
                        .label(format!("`{name}` has no value here"))
                        .help(format!(
                            "a negated atom only checks that a fact is absent: bind `{name}` in a positive atom first, or write `_` for \"any value\""
                        ));
                        self.error(d);
                        ok = false;
                        ArgIr::Wild
                    }
                },
                _ => match self.expr(arg, Some(ty), usage) {
                    Some((e, _)) => ArgIr::Expr(e),
                    None => {
                        ok = false;
                        ArgIr::Wild
                    }
                },
            };
            args.push(ir);
        }
        ok.then_some(args)
    }

    /// `!atom`.
    pub fn negation(&mut self, atom: &ast::Atom) {
        let Some(cat) = self.category(atom) else {
            return;
        };
        self.complete_reads.push((cat, atom.span));
        if let Some(args) = self.matching_args(atom, cat, Use::Negation, false) {
            self.seq.push(SeqItem::Not { cat, args });
        }
    }

    /// `let var = count atom` / `sum x : atom` / ...; binds `var` (or, when
    /// the aggregate is broken, silences later uses of `var`).
    pub fn aggregate(&mut self, var: &ast::Ident, agg: &ast::Aggregate) {
        let failed_before = self.failed;
        self.failed = false;
        self.aggregate_inner(var, agg);
        if self.failed && self.scope.lookup(&var.name).is_none() {
            self.scope.poison(&var.name);
        }
        self.failed |= failed_before;
    }

    fn aggregate_inner(&mut self, var: &ast::Ident, agg: &ast::Aggregate) {
        let kind = match agg.kind.name.as_str() {
            "count" => AggKind::Count,
            "sum" => AggKind::Sum,
            "min" => AggKind::Min,
            "max" => AggKind::Max,
            other => {
                let d = Diagnostic::new(
                    Code::BadAggregate,
                    agg.kind.span,
                    format!("`{other}` is not an aggregate"),
                )
                .label("expected `count`, `sum`, `min` or `max`");
                self.error(d);
                return;
            }
        };
        let Some(cat) = self.category(&agg.atom) else {
            return;
        };
        self.complete_reads.push((cat, agg.atom.span));
        let mark = self.scope.enter();
        // Variables the aggregate's atom binds get slots from here on.
        let first_local = self.scope.vars.len();
        let args = self.matching_args(&agg.atom, cat, Use::Aggregate, true);
        let mut value = None;
        let mut ty = Type::Int;
        match (kind, &agg.var) {
            (AggKind::Count, None) => {}
            (AggKind::Count, Some(v)) => {
                let d = Diagnostic::new(
                    Code::BadAggregate,
                    v.span,
                    "`count` counts facts and takes no variable",
                )
                .label("not needed")
                .help(format!("write `count {}(...)`", agg.atom.name.name));
                self.error(d);
            }
            (_, None) => {
                let d = Diagnostic::new(
                    Code::BadAggregate,
                    agg.span,
                    format!("`{}` needs the variable it aggregates", agg.kind.name),
                )
                .label("which value?")
                .help(format!(
                    "write `{} x : {}(..., x, ...)`",
                    agg.kind.name, agg.atom.name.name
                ));
                self.error(d);
            }
            (_, Some(v)) => match self.scope.lookup(&v.name) {
                Some(slot) if slot.index() >= first_local => {
                    self.scope.mark_used(slot);
                    let t = self.scope.ty(slot).clone();
                    if matches!(kind, AggKind::Sum) && !matches!(t, Type::Int | Type::Float) {
                        let d = Diagnostic::new(
                            Code::TypeMismatch,
                            v.span,
                            format!("cannot sum `{t}` values"),
                        )
                        .label(format!("`{}` is `{t}`", v.name))
                        .help("`sum` adds ints or floats");
                        self.error(d);
                    }
                    ty = t;
                    value = Some(Expr::Slot(slot));
                }
                _ => {
                    let d = Diagnostic::new(
                        Code::BadAggregate,
                        v.span,
                        format!("`{}` must be a variable of the aggregated atom", v.name),
                    )
                    .label("not bound by the atom")
                    .help(format!(
                        "name it among the arguments, e.g. `{} {} : {}(..., {}, ...)`",
                        agg.kind.name, v.name, agg.atom.name.name, v.name
                    ));
                    self.error(d);
                }
            },
        }
        self.scope.leave(mark);
        let Some(args) = args else { return };
        if self.scope.lookup(&var.name).is_some() {
            self.already_bound(var);
            return;
        }
        let slot = self
            .scope
            .bind(&var.name, ty.clone(), var.span, VarKind::Let);
        self.seq.push(SeqItem::Aggregate {
            slot,
            kind,
            ty,
            cat,
            args,
            value,
        });
    }

    pub fn already_bound(&mut self, var: &ast::Ident) {
        let slot = self.scope.lookup(&var.name);
        let mut d = Diagnostic::new(
            Code::AlreadyBound,
            var.span,
            format!("`{}` is already bound", var.name),
        )
        .label("bound again here")
        .help("facts and variables never change: pick a new name");
        if let Some(slot) = slot {
            d = d.also(self.scope.vars[slot.index()].span, "first bound here");
        }
        self.error(d);
    }

    /// `find atom`: every argument must be bound; returns the op.
    pub fn find(&mut self, atom: &ast::Atom) -> Option<Op> {
        let cat = self.category(atom)?;
        let types = self.catalog.get(cat).category.types();
        let mut args = Vec::with_capacity(types.len());
        let mut ok = true;
        for (arg, ty) in atom.args.iter().zip(&types) {
            if matches!(arg.kind, ExprKind::Wildcard) {
                let d = Diagnostic::new(
                    Code::MisplacedWildcard,
                    arg.span,
                    "a found fact needs every field: `_` has no value",
                )
                .label("no value")
                .help("facts are ground: give this field a value");
                self.error(d);
                ok = false;
                continue;
            }
            match self.expr(arg, Some(ty), Use::Find) {
                Some((e, _)) => args.push(e),
                None => ok = false,
            }
        }
        if !self.finds.contains(&cat) {
            self.finds.push(cat);
        }
        ok.then_some(Op::Find { cat, args })
    }

    pub fn finish(
        self,
        name: String,
        form: RuleForm,
        span: Span,
        priority: Option<Expr>,
        search: Vec<Op>,
    ) -> Option<RuleIr> {
        if self.failed {
            return None;
        }
        Some(RuleIr {
            name,
            form,
            span,
            vars: self.scope.vars,
            atoms: self.atoms,
            seq: self.seq,
            priority,
            search,
            finds: self.finds,
            complete_reads: self.complete_reads,
        })
    }
}
