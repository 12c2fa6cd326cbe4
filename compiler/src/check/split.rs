//! Whether a program decomposes on a split key (`foldc check --split
//! CAT.FIELD`): run on shards that each get part of input `CAT` (split by
//! `FIELD`) and all of every other input, do the shards together find
//! exactly what one run finds, with no fact combining two shards?
//!
//! The partition key is propagated through the rules. A category is
//! either *whole* (the same on every shard: inputs other than the split
//! one, and what rules find from whole categories alone) or *split* on a
//! set of fields (each fact lives on the shard its value there hashes
//! to). A rule that reads a split category must read every split atom —
//! positive, negated or aggregated — through one variable, the rule's
//! *partition variable*, at a split field: then every combination it
//! joins lies on one shard, and what it finds is split on the fields
//! where it puts that variable. A derived category takes the fields every
//! rule finding it agrees on. A negated or aggregated split atom also
//! needs a positive split atom (else the rule would run on every shard,
//! each seeing only its part of what is negated or counted). A category
//! found both from split and from
//! whole facts, or a keyed category whose key misses its split field (its
//! `keep` would choose across shards), does not decompose.
//!
//! Recursion is solved as a fixpoint: a category not yet known constrains
//! nothing, and the field sets only shrink.

use fold_grammar::ast::Span;
use fold_runtime::plan::{CatId, Expr, Op, Slot};

use crate::check::rule_ir::{ArgIr, RuleIr, SeqItem};
use crate::check::Checked;
use crate::diag::{Code, Diagnostic};

/// Where a category's facts live when the program runs in shards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The same facts on every shard.
    Whole,
    /// Each fact on one shard, by its value at any of these fields (they
    /// hold the same value in every fact), ascending.
    Split(Vec<usize>),
}

/// The split key: a field of an input category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitKey {
    pub cat: CatId,
    pub field: usize,
}

/// Resolve `CAT.FIELD` against the program; `Err`: why it names no field
/// of a category that rules do not find (E0800, [`Code::BadSplitKey`]).
pub fn parse_key(checked: &Checked, text: &str) -> Result<SplitKey, String> {
    let bad = |msg: String| msg;
    let Some((cat, field)) = text.split_once('.') else {
        return Err(bad(format!(
            "`{text}` is not a split key; write CATEGORY.FIELD, as `seed.s`"
        )));
    };
    let Some(id) = checked.catalog.lookup(cat) else {
        return Err(bad(format!("no category is named `{cat}`")));
    };
    let category = &checked.catalog.get(id).category;
    let Some(f) = category.fields.iter().position(|x| x.name == field) else {
        let names: Vec<&str> = category.fields.iter().map(|f| f.name.as_str()).collect();
        return Err(bad(format!(
            "category `{cat}` has no field `{field}` (its fields: {})",
            names.join(", ")
        )));
    };
    if checked.rules.iter().any(|r| finds(r).any(|(c, _)| c == id)) {
        return Err(bad(format!(
            "`{cat}` is found by rules; a job splits an input category's facts"
        )));
    }
    Ok(SplitKey { cat: id, field: f })
}

/// Each category's placement (by category id), or E0801 naming the rule
/// and atom that keep the program from decomposing on `key`.
pub fn analyze(checked: &Checked, key: SplitKey) -> Result<Vec<Placement>, Box<Diagnostic>> {
    let n = checked.catalog.cats.len();
    let mut found_by: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (r, rule) in checked.rules.iter().enumerate() {
        for (c, _) in finds(rule) {
            if !found_by[c.index()].contains(&r) {
                found_by[c.index()].push(r);
            }
        }
    }
    // Facts a category gets besides its rules' (input files, facts in
    // the program): whole on every shard, except the split input's.
    let given: Vec<bool> = (0..n)
        .map(|c| {
            found_by[c].is_empty()
                || checked.inputs.iter().any(|i| i.cat.index() == c)
                || checked.facts.iter().any(|f| f.cat.index() == c)
        })
        .collect();
    let mut kinds: Vec<Option<Placement>> = (0..n)
        .map(|c| match (c == key.cat.index(), found_by[c].is_empty()) {
            (true, _) => Some(Placement::Split(vec![key.field])),
            (false, true) => Some(Placement::Whole),
            (false, false) => None,
        })
        .collect();

    // Placements only descend: unknown, then whole or split on fewer and
    // fewer fields, then broken (kept with the first reason), so the
    // fixpoint ends within a pass per field of every category.
    let mut why: Vec<Option<Box<Diagnostic>>> = (0..n).map(|_| None).collect();
    let bound = n * 66 + 2;
    for _ in 0..bound {
        let mut changed = false;
        for c in 0..n {
            if found_by[c].is_empty() || c == key.cat.index() || why[c].is_some() {
                continue;
            }
            let cat = CatId(c as u32);
            let name = &checked.catalog.get(cat).category.name;
            let mut next = kinds[c].clone();
            let mut whole_rule: Option<&RuleIr> = None;
            let mut whole = given[c];
            let mut split_rule: Option<&RuleIr> = None;
            let mut reason: Option<Box<Diagnostic>> = None;
            for &r in &found_by[c] {
                let rule = &checked.rules[r];
                let proposal = match propose(checked, &kinds, &why, rule, cat) {
                    Proposal::Unknown => continue,
                    Proposal::Broken(d) => {
                        reason.get_or_insert(d);
                        continue;
                    }
                    p => p,
                };
                match proposal {
                    Proposal::Whole => {
                        whole = true;
                        whole_rule.get_or_insert(rule);
                    }
                    Proposal::Split(fs) => {
                        split_rule.get_or_insert(rule);
                        next = Some(match next {
                            Some(Placement::Split(old)) => Placement::Split(
                                old.into_iter().filter(|f| fs.contains(f)).collect(),
                            ),
                            _ => Placement::Split(fs),
                        });
                    }
                    _ => {}
                }
            }
            if reason.is_none() {
                if let (true, Some(split)) = (whole, split_rule) {
                    let d = match whole_rule {
                        Some(rule) => broken(
                            rule.span,
                            format!(
                                "rule `{}` finds `{name}` from facts that are whole on every \
                                 shard, while rule `{}` finds it per shard",
                                rule.name, split.name
                            ),
                        ),
                        None => broken(
                            split.span,
                            format!(
                                "`{name}` has facts of its own (input or program facts), the \
                                 same on every shard, and rule `{}` finds it per shard",
                                split.name
                            ),
                        ),
                    };
                    reason = Some(Box::new(d.note(format!(
                        "every shard would hold the whole `{name}` facts, and rules reading \
                         `{name}` would combine them with facts of other shards"
                    ))));
                } else if matches!(&next, Some(Placement::Split(fs)) if fs.is_empty()) {
                    let rule = split_rule.unwrap_or(&checked.rules[found_by[c][0]]);
                    reason = Some(Box::new(broken(
                        rule.span,
                        format!(
                            "the rules finding `{name}` put their partition variables at \
                             different fields"
                        ),
                    )));
                } else if whole && next.is_none() {
                    next = Some(Placement::Whole);
                }
            }
            if reason.is_some() {
                why[c] = reason;
                changed = true;
            } else if next != kinds[c] {
                kinds[c] = next;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if let Some(d) = why.into_iter().flatten().next() {
        return Err(d);
    }
    let placed: Vec<Placement> = kinds
        .into_iter()
        .map(|k| k.unwrap_or(Placement::Whole))
        .collect();
    for (c, place) in placed.iter().enumerate() {
        let Placement::Split(fs) = place else {
            continue;
        };
        let info = checked.catalog.get(CatId(c as u32));
        if let Some(k) = &info.category.key {
            if !fs.iter().any(|f| k.contains(f)) {
                return Err(Box::new(
                    Diagnostic::new(
                        Code::NotDecomposable,
                        info.name_span,
                        format!(
                            "`{}` is split on {} but keyed on other fields: its `keep` would \
                             choose between facts of different shards",
                            info.category.name,
                            field_names(checked, CatId(c as u32), fs)
                        ),
                    )
                    .label("keyed here")
                    .help("add the split field to the key, or run the job in general mode"),
                ));
            }
        }
    }
    Ok(placed)
}

/// What one rule says about one category it finds.
enum Proposal {
    /// It reads a category not placed yet and nothing split.
    Unknown,
    /// It reads only whole categories.
    Whole,
    /// It reads split categories through one partition variable and puts
    /// it at these fields of the found fact (never empty).
    Split(Vec<usize>),
    Broken(Box<Diagnostic>),
}

fn propose(
    checked: &Checked,
    kinds: &[Option<Placement>],
    why: &[Option<Box<Diagnostic>>],
    rule: &RuleIr,
    cat: CatId,
) -> Proposal {
    // Every atom of a split category, with the variables at its split
    // fields: the candidates for the partition variable.
    let mut unknown = false;
    let mut candidates: Option<Vec<Slot>> = None;
    let mut first_split: Option<String> = None;
    let mut positive_split = false;
    let mut first_other: Option<(Span, &'static str, CatId)> = None;
    for (c, args, span, what) in reads(rule) {
        if why[c.index()].is_some() {
            // Reading a category that does not decompose: so does this.
            let name = &checked.catalog.get(c).category.name;
            return Proposal::Broken(Box::new(broken(
                span,
                format!("this {what} reads `{name}`, which does not decompose"),
            )));
        }
        match &kinds[c.index()] {
            None => unknown = true,
            Some(Placement::Whole) => {}
            Some(Placement::Split(fs)) => {
                let vars: Vec<Slot> = fs
                    .iter()
                    .filter_map(|&f| match args.get(f) {
                        Some(ArgIr::Var(s)) => Some(*s),
                        _ => None,
                    })
                    .collect();
                let name = &checked.catalog.get(c).category.name;
                let next: Vec<Slot> = match &candidates {
                    None => vars.clone(),
                    Some(old) => old.iter().copied().filter(|s| vars.contains(s)).collect(),
                };
                if next.is_empty() {
                    let at = field_names(checked, c, fs);
                    let msg = if vars.is_empty() {
                        format!(
                            "this {what} of `{name}` has no variable at {at}, the field `{name}` \
                             is split on, so it reads facts of every shard"
                        )
                    } else {
                        format!(
                            "this {what} of `{name}` is split by another variable than {}",
                            first_split
                                .as_deref()
                                .unwrap_or("the rule's other split atoms")
                        )
                    };
                    return Proposal::Broken(Box::new(broken(span, msg).note(format!(
                        "in rule `{}`, every atom of a split category (negated and \
                             aggregated ones too) must carry one variable at its split field, \
                             so each combination lies on one shard",
                        rule.name
                    ))));
                }
                if first_split.is_none() {
                    first_split = Some(format!("the {what} of `{name}`"));
                }
                if what == "atom" {
                    positive_split = true;
                } else {
                    first_other.get_or_insert((span, what, c));
                }
                candidates = Some(next);
            }
        }
    }
    let Some(candidates) = candidates else {
        return if unknown {
            Proposal::Unknown
        } else {
            Proposal::Whole
        };
    };
    if let (false, Some((span, what, c))) = (positive_split, first_other) {
        // The rule's events are whole, so it runs on every shard, and the
        // shards without this partition's facts would see none of them.
        let name = &checked.catalog.get(c).category.name;
        return Proposal::Broken(Box::new(
            broken(
                span,
                format!(
                    "this {what} of `{name}` would be taken on every shard: the rule's positive \
                     atoms are whole on every shard"
                ),
            )
            .note(format!(
                "in rule `{}`, a negated or aggregated split category needs a positive atom of a \
                 split category with the same partition variable, so the rule runs only on the \
                 shard holding that partition",
                rule.name
            )),
        ));
    }
    // The candidate that the finds of `cat` put somewhere, most fields first.
    let mut best: Option<Vec<usize>> = None;
    for p in candidates {
        let mut fields: Option<Vec<usize>> = None;
        for (c, args) in finds(rule) {
            if c != cat {
                continue;
            }
            let here: Vec<usize> = args
                .iter()
                .enumerate()
                .filter(|(_, a)| matches!(a, Expr::Slot(s) if *s == p))
                .map(|(f, _)| f)
                .collect();
            fields = Some(match fields {
                None => here,
                Some(old) => old.into_iter().filter(|f| here.contains(f)).collect(),
            });
        }
        let fields = fields.unwrap_or_default();
        if best.as_ref().is_none_or(|b| fields.len() > b.len()) {
            best = Some(fields);
        }
    }
    match best {
        Some(fs) if !fs.is_empty() => Proposal::Split(fs),
        _ => {
            let name = &checked.catalog.get(cat).category.name;
            Proposal::Broken(Box::new(
                broken(
                    rule.span,
                    format!(
                        "rule `{}` reads split facts but does not put its partition variable \
                         into the `{name}` facts it finds",
                        rule.name
                    ),
                )
                .note(format!(
                    "a `{name}` fact found on one shard could then meet facts of another"
                )),
            ))
        }
    }
}

fn broken(span: Span, msg: String) -> Diagnostic {
    Diagnostic::new(Code::NotDecomposable, span, msg).label("here")
}

/// The atoms a rule reads: positive, negated and aggregated, with their
/// arguments, span and what kind of atom they are.
fn reads(rule: &RuleIr) -> impl Iterator<Item = (CatId, &[ArgIr], Span, &'static str)> {
    let positive = rule
        .atoms
        .iter()
        .map(|a| (a.cat, a.args.as_slice(), a.span, "atom"));
    let others = rule.seq.iter().filter_map(move |item| match item {
        SeqItem::Not { cat, args } => Some((*cat, args.as_slice(), rule.span, "negated atom")),
        SeqItem::Aggregate { cat, args, .. } => {
            Some((*cat, args.as_slice(), rule.span, "aggregate"))
        }
        _ => None,
    });
    positive.chain(others)
}

/// Every `find` of a rule's search, with its arguments.
fn finds(rule: &RuleIr) -> impl Iterator<Item = (CatId, &[Expr])> {
    let mut out = Vec::new();
    collect_finds(&rule.search, &mut out);
    out.into_iter()
}

fn collect_finds<'a>(ops: &'a [Op], out: &mut Vec<(CatId, &'a [Expr])>) {
    for op in ops {
        match op {
            Op::Find { cat, args } => out.push((*cat, args.as_slice())),
            Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                collect_finds(body, out)
            }
            Op::If { then, els, .. } => {
                collect_finds(then, out);
                collect_finds(els, out);
            }
            Op::Join { body, .. } => collect_finds(body, out),
            _ => {}
        }
    }
}

/// `field `s`` or `fields `a`, `b`` of a category.
fn field_names(checked: &Checked, cat: CatId, fields: &[usize]) -> String {
    let category = &checked.catalog.get(cat).category;
    let names: Vec<String> = fields
        .iter()
        .filter_map(|&f| category.fields.get(f))
        .map(|f| format!("`{}`", f.name))
        .collect();
    match names.len() {
        1 => format!("field {}", names[0]),
        _ => format!("fields {}", names.join(", ")),
    }
}
