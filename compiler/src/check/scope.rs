//! The variables of one rule: their slots, types, binding sites and uses.
//!
//! Every variable gets a [`Slot`] the first time it is bound; slots are the
//! registers of the rule's handlers. Names are scoped: a `let` or `for`
//! inside a block is visible only there.

use std::collections::HashMap;

use fold_grammar::ast::Span;
use fold_runtime::plan::Slot;
use fold_runtime::value::Type;

use crate::check::catalog::Catalog;
use crate::diag::{Code, Diagnostic};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// Bound by an atom.
    Atom,
    /// Bound by `let` (or `y = expr` in a Datalog body).
    Let,
    /// Bound by `for`.
    For,
    /// Bound inside an aggregate's atom, visible only there.
    AggLocal,
    /// Introduced by the compiler (e.g. for an expression in an atom).
    Temp,
}

#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    pub ty: Type,
    pub span: Span,
    pub kind: VarKind,
    /// Occurrences after the binding one.
    pub uses: u32,
}

pub struct Scope<'c> {
    pub vars: Vec<VarInfo>,
    visible: Vec<(String, Slot)>,
    /// Where a name not yet in scope will be bound later in the rule, and by
    /// what (for "used before its stage binds it").
    later: HashMap<String, (Span, String)>,
    /// Names whose binding atom was already reported broken: their uses
    /// stay quiet instead of repeating the error as "unbound".
    poisoned: Vec<String>,
    catalog: &'c Catalog,
}

impl<'c> Scope<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Scope {
            vars: Vec::new(),
            visible: Vec::new(),
            later: HashMap::new(),
            poisoned: Vec::new(),
            catalog,
        }
    }

    pub fn bind(&mut self, name: &str, ty: Type, span: Span, kind: VarKind) -> Slot {
        let slot = Slot(self.vars.len() as u32);
        self.vars.push(VarInfo {
            name: name.to_string(),
            ty,
            span,
            kind,
            uses: 0,
        });
        self.visible.push((name.to_string(), slot));
        slot
    }

    /// A compiler-made slot, never visible by name.
    pub fn temp(&mut self, ty: Type, span: Span) -> Slot {
        let slot = Slot(self.vars.len() as u32);
        self.vars.push(VarInfo {
            name: format!("${}", slot.0),
            ty,
            span,
            kind: VarKind::Temp,
            uses: 1,
        });
        slot
    }

    pub fn lookup(&self, name: &str) -> Option<Slot> {
        self.visible
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
    }

    pub fn mark_used(&mut self, slot: Slot) {
        self.vars[slot.index()].uses += 1;
    }

    pub fn ty(&self, slot: Slot) -> &Type {
        &self.vars[slot.index()].ty
    }

    /// The current depth of the visible names, to [`Scope::leave`] later.
    pub fn enter(&self) -> usize {
        self.visible.len()
    }

    pub fn leave(&mut self, mark: usize) {
        self.visible.truncate(mark);
    }

    pub fn poison(&mut self, name: &str) {
        self.poisoned.push(name.to_string());
    }

    pub fn is_poisoned(&self, name: &str) -> bool {
        self.poisoned.iter().any(|n| n == name)
    }

    pub fn is_category(&self, name: &str) -> bool {
        self.catalog.lookup(name).is_some()
    }

    /// Record that `name` is bound later in the rule at `span` by `what`.
    pub fn bound_later(&mut self, name: &str, span: Span, what: String) {
        self.later.entry(name.to_string()).or_insert((span, what));
    }

    /// The diagnostic for using `name` where it is not bound.
    pub fn unbound(&self, name: &str, span: Span, context: &str) -> Diagnostic {
        match self.later.get(name) {
            Some((at, what)) => Diagnostic::new(
                Code::UsedBeforeBound,
                span,
                format!("`{name}` is used {context} before its stage binds it"),
            )
            .label(format!("`{name}` is not bound yet"))
            .also(*at, format!("`{name}` is bound later, {what}"))
            .help("a stage can use only variables bound by the stages before it: move this line after the one that binds the variable"),
            None => {
                let d = Diagnostic::new(
                    Code::UnboundVariable,
                    span,
                    format!("`{name}` is not bound {context}"),
                )
                .label(format!("`{name}` has no value here"));
                // Bound before, and no longer visible: inside a block or
                // an aggregate's atom, which has ended.
                let ended = self.vars.iter().rev().find(|v| v.name == name);
                match ended {
                    Some(v) => d
                        .also(
                            v.span,
                            format!("`{name}` is bound here, in a block or aggregate that has ended"),
                        )
                        .help(format!(
                            "a variable bound inside `{{ ... }}` (by `let` or `for`) or inside an aggregate's atom is visible only there: bind `{name}` before it, or use it inside"
                        )),
                    None => d.help(format!(
                        "bind `{name}` in a positive atom (`on`, `friends` or a rule body), with `let {name} = ...`, or with `for {name} in ...`"
                    )),
                }
            }
        }
    }
}
