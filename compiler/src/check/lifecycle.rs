//! The lifecycle form: `rule NAME: on ... abort when ... friends ... find`.
//!
//! Stages bind variables in the order they are written: an `abort when`
//! or `let` may use only what the stages before it bound.

use fold_grammar::ast::{self, ExprKind, Stage};
use fold_runtime::plan::{RuleForm, Slot};
use fold_runtime::value::Type;

use crate::check::catalog::Catalog;
use crate::check::rule_ir::{ArgIr, Builder, RuleIr, SeqItem};
use crate::check::scope::VarKind;
use crate::check::typeck::{slots_of, Use};
use crate::diag::{Code, Diagnostic, Sink};

pub fn build(rule: &ast::LifecycleRule, catalog: &Catalog, sink: &mut Sink) -> Option<RuleIr> {
    let mut b = Builder::new(catalog, sink);
    check_structure(&mut b, rule);
    record_later_bindings(&mut b, rule);
    let mut priority = None;
    let mut search = Vec::new();
    for stage in &rule.stages {
        match stage {
            Stage::On(atom) => {
                if b.atoms.is_empty() {
                    b.binding_atom(atom, false);
                }
            }
            Stage::AbortWhen(e) => {
                if let Some(cond) = b.condition(e, Use::Abort) {
                    b.seq.push(SeqItem::Abort { cond });
                }
            }
            Stage::Friends(list, _) => {
                for f in list.iter().filter(|f| !f.negated) {
                    b.binding_atom(&f.atom, false);
                }
                for f in list.iter().filter(|f| f.negated) {
                    b.negation(&f.atom);
                }
            }
            Stage::Let(l) => let_stage(&mut b, l),
            Stage::Priority(e) => {
                if priority.is_some() {
                    let d = Diagnostic::new(Code::BadPriority, e.span, "a rule has one `priority`")
                        .label("second priority");
                    b.error(d);
                } else {
                    priority = priority_expr(&mut b, e);
                }
            }
            Stage::Find(atom) => {
                if let Some(op) = b.find(atom) {
                    search.push(op);
                }
            }
            Stage::Search(block) => search.extend(crate::check::search::block(&mut b, block)),
        }
    }
    b.finish(
        rule.name.name.clone(),
        RuleForm::Lifecycle,
        rule.span,
        priority,
        search,
    )
}

/// `on` first and once; nothing but `find`/`search` after the search.
fn check_structure(b: &mut Builder, rule: &ast::LifecycleRule) {
    let mut seen_on = None;
    let mut in_search = false;
    for (i, stage) in rule.stages.iter().enumerate() {
        match stage {
            Stage::On(atom) => {
                if let Some(first) = seen_on {
                    let d = Diagnostic::new(
                        Code::DuplicateOn,
                        atom.span,
                        format!("rule `{}` has more than one `on`", rule.name.name),
                    )
                    .label("second `on`")
                    .also(first, "the rule's data")
                    .help("a rule reacts to one kind of fact: join the others with `friends`");
                    b.error(d);
                } else if i != 0 {
                    let d = Diagnostic::new(
                        Code::StageOrder,
                        atom.span,
                        "`on` must be the first stage of a rule",
                    )
                    .label("not first")
                    .also(rule.stages[0].span(), "this comes before it");
                    b.error(d);
                }
                seen_on.get_or_insert(atom.span);
            }
            Stage::Find(_) | Stage::Search(_) => in_search = true,
            other if in_search => {
                let what = match other {
                    Stage::AbortWhen(_) => "`abort when`",
                    Stage::Friends(..) => "`friends`",
                    Stage::Let(_) => "`let`",
                    _ => "`priority`",
                };
                let d = Diagnostic::new(
                    Code::StageOrder,
                    other.span(),
                    format!("{what} after the search"),
                )
                .label("stages run in order: data, friends, search")
                .help("move it before the first `find` or `search`");
                b.error(d);
            }
            _ => {}
        }
    }
    if seen_on.is_none() {
        let d = Diagnostic::new(
            Code::MissingOn,
            rule.name.span,
            format!("rule `{}` has no `on` stage", rule.name.name),
        )
        .label("what does this rule react to?")
        .help("start the rule with `on category(vars)`: the fact whose arrival is the event");
        b.error(d);
    }
}

/// Remember where each name gets bound, to explain "used before bound".
fn record_later_bindings(b: &mut Builder, rule: &ast::LifecycleRule) {
    for stage in &rule.stages {
        let (atoms, what): (Vec<&ast::Atom>, &str) = match stage {
            Stage::On(atom) => (vec![atom], "by `on`"),
            Stage::Friends(list, _) => (
                list.iter()
                    .filter(|f| !f.negated)
                    .map(|f| &f.atom)
                    .collect(),
                "by `friends`",
            ),
            Stage::Let(l) => {
                b.scope
                    .bound_later(&l.var.name, l.var.span, "by `let`".into());
                continue;
            }
            _ => continue,
        };
        for atom in atoms {
            for arg in &atom.args {
                if let ExprKind::Var(name) = &arg.kind {
                    b.scope.bound_later(name, arg.span, what.into());
                }
            }
        }
    }
}

fn let_stage(b: &mut Builder, l: &ast::Let) {
    match &l.value {
        ast::LetValue::Aggregate(agg) => b.aggregate(&l.var, agg),
        ast::LetValue::Expr(e) => {
            let Some((expr, ty)) = b.expr(e, None, Use::Let) else {
                b.scope.poison(&l.var.name);
                return;
            };
            if b.scope.lookup(&l.var.name).is_some() {
                b.already_bound(&l.var);
                return;
            }
            let slot = b.scope.bind(&l.var.name, ty, l.var.span, VarKind::Let);
            b.seq.push(SeqItem::Let { slot, expr });
        }
    }
}

/// `priority expr`: a number computed from the `on` atom's variables.
fn priority_expr(b: &mut Builder, e: &ast::Expr) -> Option<fold_runtime::plan::Expr> {
    let (expr, ty) = b.expr(e, None, Use::Priority)?;
    if !matches!(ty, Type::Int | Type::Float) {
        let d = Diagnostic::new(
            Code::BadPriority,
            e.span,
            format!("a priority is a number, not `{ty}`"),
        )
        .label(format!("this is `{ty}`"))
        .help("lower numbers run first; use an int or a float");
        b.error(d);
        return None;
    }
    let data: Vec<Slot> = match b.atoms.first() {
        Some(on) => on
            .args
            .iter()
            .filter_map(|a| match a {
                ArgIr::Var(s) => Some(*s),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    let mut used = Vec::new();
    slots_of(&expr, &mut used);
    if let Some(bad) = used.iter().find(|s| !data.contains(s)) {
        let name = b.scope.vars[bad.index()].name.clone();
        let d = Diagnostic::new(
            Code::BadPriority,
            e.span,
            format!("a priority may use only the data's variables, but `{name}` is not one"),
        )
        .label("computed before friends are loaded")
        .help("the priority orders events as they arrive, so it can read only the `on` atom");
        b.error(d);
        return None;
    }
    Some(expr)
}
