//! Components, instantiated at parse time: `.init g = Graph<number>`
//! copies `Graph`'s items (its bases' first, minus the rules of relations
//! it overrides) with every relation and type the component declares
//! renamed `g.name`, its type parameters replaced by the arguments, and
//! its own `.init`s instantiated inside `g.` in turn. Names the component
//! does not declare keep referring to the enclosing program's.

use std::collections::{HashMap, HashSet};

use fold_grammar::ast::Ident;

use crate::diag::{Code, Diagnostic};
use crate::souffle::syntax::*;

/// Instantiations deeper than this are refused (a component that
/// instantiates itself).
const MAX_DEPTH: usize = 32;

/// Replace every `.comp` and `.init` by the items they stand for.
pub fn expand(program: Program, diags: &mut Vec<Diagnostic>) -> Program {
    let mut out = Vec::new();
    let scope = Scope::new(&program.items, None);
    for item in &program.items {
        expand_item(item, &scope, "", &HashMap::new(), 0, &mut out, diags);
    }
    Program { items: out }
}

/// The components visible at one level, innermost first.
struct Scope<'a> {
    comps: HashMap<&'a str, &'a CompDef>,
    parent: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    fn new(items: &'a [Item], parent: Option<&'a Scope<'a>>) -> Scope<'a> {
        let comps = items
            .iter()
            .filter_map(|i| match i {
                Item::Comp(c) => Some((c.name.name.as_str(), c)),
                _ => None,
            })
            .collect();
        Scope { comps, parent }
    }

    fn lookup(&self, name: &str) -> Option<&'a CompDef> {
        self.comps
            .get(name)
            .copied()
            .or_else(|| self.parent.and_then(|p| p.lookup(name)))
    }
}

fn expand_item(
    item: &Item,
    scope: &Scope,
    prefix: &str,
    types: &HashMap<String, String>,
    depth: usize,
    out: &mut Vec<Item>,
    diags: &mut Vec<Diagnostic>,
) {
    match item {
        Item::Comp(_) | Item::Override(_) => {}
        Item::Init(init) => {
            let Some(def) = scope.lookup(&init.comp.name) else {
                diags.push(
                    Diagnostic::new(
                        Code::SouffleUnsupported,
                        init.comp.span,
                        format!("unknown component `{}`", init.comp.name),
                    )
                    .label("no `.comp` of this name")
                    .help("declare the component with `.comp` before instantiating it"),
                );
                return;
            };
            let args: Vec<String> = init
                .args
                .iter()
                .map(|a| {
                    types
                        .get(&a.name)
                        .cloned()
                        .unwrap_or_else(|| a.name.clone())
                })
                .collect();
            let inst = format!("{prefix}{}", init.name.name);
            instantiate(def, &args, &inst, &init.name, scope, depth, out, diags);
        }
        other => out.push(other.clone()),
    }
}

/// The items of `def` (with its bases) as instance `inst`.
#[allow(clippy::too_many_arguments)]
fn instantiate(
    def: &CompDef,
    args: &[String],
    inst: &str,
    at: &Ident,
    scope: &Scope,
    depth: usize,
    out: &mut Vec<Item>,
    diags: &mut Vec<Diagnostic>,
) {
    if depth > MAX_DEPTH {
        diags.push(
            Diagnostic::new(
                Code::SouffleUnsupported,
                at.span,
                format!("component instances nested more than {MAX_DEPTH} deep"),
            )
            .label("does a component instantiate itself?"),
        );
        return;
    }
    if args.len() != def.params.len() {
        diags.push(
            Diagnostic::new(
                Code::SouffleUnsupported,
                at.span,
                format!(
                    "component `{}` takes {} type arguments, given {}",
                    def.name.name,
                    def.params.len(),
                    args.len()
                ),
            )
            .label("wrong number of type arguments"),
        );
        return;
    }
    let types: HashMap<String, String> = def
        .params
        .iter()
        .cloned()
        .zip(args.iter().cloned())
        .collect();
    // The component's own items, with its bases' before them.
    let mut items = Vec::new();
    collect(def, &types, scope, depth, &mut items, diags);
    let inner = Scope::new(&def.items, Some(scope));
    // Declared names are renamed; nested instances were expanded with
    // their full names already, so names starting with them are too.
    let mut declared = HashSet::new();
    let mut nested = HashSet::new();
    for item in &items {
        match item {
            Item::Decl(d) => declared.extend(d.names.iter().map(|n| n.name.clone())),
            Item::Type(t) => {
                declared.insert(t.name.name.clone());
            }
            Item::Init(i) => {
                nested.insert(i.name.name.clone());
            }
            _ => {}
        }
    }
    let rename = |name: &str| -> String {
        if let Some(t) = types.get(name) {
            return t.clone();
        }
        let head = name.split('.').next().unwrap_or(name);
        if declared.contains(name) || nested.contains(head) {
            format!("{inst}.{name}")
        } else {
            name.to_string()
        }
    };
    for item in &items {
        match item {
            Item::Init(_) => expand_item(
                item,
                &inner,
                &format!("{inst}."),
                &types,
                depth + 1,
                out,
                diags,
            ),
            Item::Comp(_) | Item::Override(_) => {}
            other => out.push(rename_item(other, &rename)),
        }
    }
}

/// `def`'s items after its bases', the bases' rules for overridden
/// relations left out. Type parameters of bases are substituted here.
fn collect(
    def: &CompDef,
    types: &HashMap<String, String>,
    scope: &Scope,
    depth: usize,
    out: &mut Vec<Item>,
    diags: &mut Vec<Diagnostic>,
) {
    let overridden: HashSet<&str> = def
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Override(r) => Some(r.name.as_str()),
            _ => None,
        })
        .collect();
    for (base, base_args) in &def.bases {
        let Some(b) = scope.lookup(&base.name) else {
            diags.push(
                Diagnostic::new(
                    Code::SouffleUnsupported,
                    base.span,
                    format!("unknown component `{}`", base.name),
                )
                .label("no `.comp` of this name"),
            );
            continue;
        };
        if depth > MAX_DEPTH || b.params.len() != base_args.len() {
            diags.push(
                Diagnostic::new(
                    Code::SouffleUnsupported,
                    base.span,
                    format!("cannot inherit from `{}` here", base.name),
                )
                .label("wrong type arguments, or inheritance too deep"),
            );
            continue;
        }
        let base_types: HashMap<String, String> = b
            .params
            .iter()
            .cloned()
            .zip(base_args.iter().map(|a| {
                types
                    .get(&a.name)
                    .cloned()
                    .unwrap_or_else(|| a.name.clone())
            }))
            .collect();
        let mut inherited = Vec::new();
        collect(b, &base_types, scope, depth + 1, &mut inherited, diags);
        for item in inherited {
            if let Item::Clause(c) = &item {
                if c.heads
                    .iter()
                    .any(|h| overridden.contains(h.name.name.as_str()))
                {
                    continue;
                }
            }
            // The base's own type parameters are fixed now.
            let sub = |n: &str| base_types.get(n).cloned().unwrap_or_else(|| n.to_string());
            out.push(match item {
                Item::Init(_) | Item::Comp(_) => item,
                other => rename_item(&other, &sub),
            });
        }
    }
    out.extend(def.items.iter().cloned());
}

fn rename_ident(i: &Ident, f: &dyn Fn(&str) -> String) -> Ident {
    Ident {
        name: f(&i.name),
        span: i.span,
    }
}

fn rename_item(item: &Item, f: &dyn Fn(&str) -> String) -> Item {
    match item {
        Item::Decl(d) => Item::Decl(Decl {
            names: d.names.iter().map(|n| rename_ident(n, f)).collect(),
            attrs: d
                .attrs
                .iter()
                .map(|a| Attr {
                    name: a.name.clone(),
                    ty: rename_ident(&a.ty, f),
                })
                .collect(),
            eqrel: d.eqrel,
            choice: d.choice.clone(),
            span: d.span,
        }),
        Item::Type(t) => Item::Type(TypeDecl {
            name: rename_ident(&t.name, f),
            of: t.of.iter().map(|o| rename_ident(o, f)).collect(),
        }),
        Item::Io(io) => Item::Io(IoDecl {
            kind: io.kind,
            rels: io.rels.iter().map(|r| rename_ident(r, f)).collect(),
            params: io.params.clone(),
            span: io.span,
        }),
        Item::Subsume(sub) => Item::Subsume(Subsume {
            dominated: rename_atom(&sub.dominated, f),
            dominating: rename_atom(&sub.dominating, f),
            body: sub.body.as_ref().map(|d| rename_disj(d, f)),
            span: sub.span,
        }),
        Item::Clause(c) => Item::Clause(Clause {
            heads: c.heads.iter().map(|h| rename_atom(h, f)).collect(),
            body: c.body.as_ref().map(|d| rename_disj(d, f)),
            span: c.span,
        }),
        other => other.clone(),
    }
}

fn rename_atom(a: &Atom, f: &dyn Fn(&str) -> String) -> Atom {
    Atom {
        name: rename_ident(&a.name, f),
        args: a.args.iter().map(|x| rename_arg(x, f)).collect(),
        span: a.span,
    }
}

fn rename_disj(d: &Disj, f: &dyn Fn(&str) -> String) -> Disj {
    d.iter()
        .map(|c| c.iter().map(|l| rename_lit(l, f)).collect())
        .collect()
}

fn rename_lit(l: &Lit, f: &dyn Fn(&str) -> String) -> Lit {
    match l {
        Lit::Atom(a) => Lit::Atom(rename_atom(a, f)),
        Lit::Neg(a) => Lit::Neg(rename_atom(a, f)),
        Lit::Cmp(op, x, y, s) => Lit::Cmp(op, rename_arg(x, f), rename_arg(y, f), *s),
        Lit::Pred(x) => Lit::Pred(rename_arg(x, f)),
        Lit::Bool(b, s) => Lit::Bool(*b, *s),
        Lit::Paren(d, s) => Lit::Paren(rename_disj(d, f), *s),
    }
}

fn rename_arg(a: &Arg, f: &dyn Fn(&str) -> String) -> Arg {
    let kind = match &a.kind {
        ArgKind::Unary(op, x) => ArgKind::Unary(op, Box::new(rename_arg(x, f))),
        ArgKind::Binary(op, x, y) => {
            ArgKind::Binary(op, Box::new(rename_arg(x, f)), Box::new(rename_arg(y, f)))
        }
        ArgKind::Call(name, xs) => {
            // `as(x, T)` names a type.
            ArgKind::Call(name.clone(), xs.iter().map(|x| rename_arg(x, f)).collect())
        }
        ArgKind::Aggregate(agg) => ArgKind::Aggregate(Box::new(Aggregate {
            kind: agg.kind.clone(),
            target: agg.target.as_ref().map(|t| rename_arg(t, f)),
            body: agg.body.iter().map(|l| rename_lit(l, f)).collect(),
            span: agg.span,
        })),
        other => other.clone(),
    };
    Arg { kind, span: a.span }
}
