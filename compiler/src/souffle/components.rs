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
    let global = |name: &str, _: Kind| name.to_string();
    for item in &program.items {
        expand_item(item, &scope, "", 0, &global, &mut out, diags);
    }
    Program { items: out }
}

/// Whether a name stands for a relation or a type (they are renamed
/// separately: `.type node` and `.decl node(n: node)` may coexist).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rel,
    Type,
}

/// How names resolve where an item stands: the innermost instance that
/// declares a name renames it, else the enclosing one asks its parent.
type Resolve<'a> = &'a dyn Fn(&str, Kind) -> String;

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
    depth: usize,
    resolve: Resolve,
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
                .map(|a| resolve(&a.name, Kind::Type))
                .collect();
            let inst = format!("{prefix}{}", init.name.name);
            instantiate(
                def, &args, &inst, &init.name, scope, depth, resolve, out, diags,
            );
        }
        other => out.push(rename_item(other, resolve)),
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
    outer: Resolve,
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
    let inner = Scope::new(&items, Some(scope));
    let mut rels = HashSet::new();
    let mut type_names = HashSet::new();
    let mut nested = HashSet::new();
    for item in &items {
        match item {
            Item::Decl(d) => rels.extend(d.names.iter().map(|n| n.name.clone())),
            Item::Type(t) => {
                type_names.insert(t.name.name.clone());
            }
            Item::Init(i) => {
                nested.insert(i.name.name.clone());
            }
            _ => {}
        }
    }
    let resolve = |name: &str, kind: Kind| -> String {
        if kind == Kind::Type {
            if let Some(t) = types.get(name) {
                return t.clone();
            }
        }
        let head = name.split('.').next().unwrap_or(name);
        let mine = match kind {
            Kind::Rel => rels.contains(name) || nested.contains(head),
            Kind::Type => type_names.contains(name) || nested.contains(head),
        };
        if mine {
            format!("{inst}.{name}")
        } else {
            outer(name, kind)
        }
    };
    for item in &items {
        expand_item(
            item,
            &inner,
            &format!("{inst}."),
            depth + 1,
            &resolve,
            out,
            diags,
        );
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
            let sub = |n: &str, kind: Kind| match kind {
                Kind::Type => base_types.get(n).cloned().unwrap_or_else(|| n.to_string()),
                Kind::Rel => n.to_string(),
            };
            out.push(match item {
                Item::Init(_) | Item::Comp(_) => item,
                other => rename_item(&other, &sub),
            });
        }
    }
    out.extend(def.items.iter().cloned());
}

fn rename_ident(i: &Ident, f: Resolve, kind: Kind) -> Ident {
    Ident {
        name: f(&i.name, kind),
        span: i.span,
    }
}

fn rename_item(item: &Item, f: Resolve) -> Item {
    match item {
        Item::Decl(d) => Item::Decl(Decl {
            names: d
                .names
                .iter()
                .map(|n| rename_ident(n, f, Kind::Rel))
                .collect(),
            attrs: d
                .attrs
                .iter()
                .map(|a| Attr {
                    name: a.name.clone(),
                    ty: rename_ident(&a.ty, f, Kind::Type),
                })
                .collect(),
            eqrel: d.eqrel,
            choice: d.choice.clone(),
            span: d.span,
        }),
        Item::Type(t) => {
            let fields = |fs: &[Attr]| -> Vec<Attr> {
                fs.iter()
                    .map(|a| Attr {
                        name: a.name.clone(),
                        ty: rename_ident(&a.ty, f, Kind::Type),
                    })
                    .collect()
            };
            Item::Type(TypeDecl {
                name: rename_ident(&t.name, f, Kind::Type),
                of: t
                    .of
                    .iter()
                    .map(|o| rename_ident(o, f, Kind::Type))
                    .collect(),
                record: t.record.as_deref().map(fields),
                branches: t
                    .branches
                    .iter()
                    .map(|(b, fs)| (b.clone(), fields(fs)))
                    .collect(),
            })
        }
        Item::Io(io) => Item::Io(IoDecl {
            kind: io.kind,
            rels: io
                .rels
                .iter()
                .map(|r| rename_ident(r, f, Kind::Rel))
                .collect(),
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

fn rename_atom(a: &Atom, f: Resolve) -> Atom {
    Atom {
        name: rename_ident(&a.name, f, Kind::Rel),
        args: a.args.iter().map(|x| rename_arg(x, f)).collect(),
        span: a.span,
    }
}

fn rename_disj(d: &Disj, f: Resolve) -> Disj {
    d.iter()
        .map(|c| c.iter().map(|l| rename_lit(l, f)).collect())
        .collect()
}

fn rename_lit(l: &Lit, f: Resolve) -> Lit {
    match l {
        Lit::Atom(a) => Lit::Atom(rename_atom(a, f)),
        Lit::Neg(a) => Lit::Neg(rename_atom(a, f)),
        Lit::Cmp(op, x, y, s) => Lit::Cmp(op, rename_arg(x, f), rename_arg(y, f), *s),
        Lit::Pred(x) => Lit::Pred(rename_arg(x, f)),
        Lit::Bool(b, s) => Lit::Bool(*b, *s),
        Lit::Paren(d, s) => Lit::Paren(rename_disj(d, f), *s),
    }
}

fn rename_arg(a: &Arg, f: Resolve) -> Arg {
    let kind = match &a.kind {
        ArgKind::Unary(op, x) => ArgKind::Unary(op, Box::new(rename_arg(x, f))),
        ArgKind::Binary(op, x, y) => {
            ArgKind::Binary(op, Box::new(rename_arg(x, f)), Box::new(rename_arg(y, f)))
        }
        ArgKind::Call(name, xs) => {
            // `as(x, T)` names a type.
            ArgKind::Call(name.clone(), xs.iter().map(|x| rename_arg(x, f)).collect())
        }
        ArgKind::Record(xs) => ArgKind::Record(xs.iter().map(|x| rename_arg(x, f)).collect()),
        ArgKind::Branch(name, xs) => {
            ArgKind::Branch(name.clone(), xs.iter().map(|x| rename_arg(x, f)).collect())
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
