//! Checking a whole plan once, before anything runs it.
//!
//! The runtime trusts what a plan states: the interpreter indexes frames
//! by slot and scratch offset, the store looks up indexes by id, native
//! code was compiled against the same numbers. [`verify`] is the one place
//! that checks all of it, so no later stage re-derives or second-guesses
//! the plan: every id names something that exists, every lookup's index is
//! the category's index on exactly its columns, key words fit the scratch
//! area, a cached lookup reuses a categorical check of the same key with
//! nothing in between that could change it, the counts a handler states
//! (slots, scratch, cache slots, the indexes it reads) are the ones its
//! body uses, an existence check binds nothing its body reads, and every
//! tuple has its category's arity.

use std::fmt;

use super::typing::expr_type;
use super::{
    Bind, CatId, Category, Expr, Handler, HandlerId, IndexId, Key, Op, Plan, Priority, Source,
};
use crate::value::Type;

/// Why a plan was refused: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// The handler at fault, if the problem is inside one.
    pub handler: Option<HandlerId>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.handler {
            Some(h) => write!(f, "invalid plan: handler {}: {}", h.0, self.message),
            None => write!(f, "invalid plan: {}", self.message),
        }
    }
}

impl std::error::Error for VerifyError {}

type Checked = Result<(), String>;

/// Check every part of `plan` (see the module docs).
pub fn verify(plan: &Plan) -> Result<(), VerifyError> {
    let whole = |message: String| VerifyError {
        handler: None,
        message,
    };
    for (c, cat) in plan.categories.iter().enumerate() {
        category(cat).map_err(|m| whole(format!("category {c} `{}`: {m}", cat.name)))?;
    }
    rules(plan).map_err(whole)?;
    strata(plan).map_err(whole)?;
    givens(plan).map_err(whole)?;
    for (h, handler) in plan.handlers.iter().enumerate() {
        let id = HandlerId(h as u32);
        HandlerCheck::new(plan, handler)
            .run()
            .map_err(|message| VerifyError {
                handler: Some(id),
                message,
            })?;
    }
    Ok(())
}

fn category(cat: &Category) -> Checked {
    let arity = cat.arity();
    let fields = |cols: &[usize], what: &str| -> Checked {
        for (i, &c) in cols.iter().enumerate() {
            if c >= arity {
                return Err(format!("{what} names field {c} of {arity}"));
            }
            if cols[..i].contains(&c) {
                return Err(format!("{what} names field {c} twice"));
            }
        }
        Ok(())
    };
    if let Some(key) = &cat.key {
        fields(key, "its key")?;
    }
    match cat.keep {
        super::Keep::Min(f) | super::Keep::Max(f) if f >= arity => {
            return Err(format!("`keep` names field {f} of {arity}"));
        }
        _ => {}
    }
    for (i, cols) in cat.indexes.iter().enumerate() {
        if cols.is_empty() {
            return Err(format!("index {i} has no columns"));
        }
        fields(cols, &format!("index {i}"))?;
        if cat.indexes[..i].contains(cols) {
            return Err(format!("index {i} repeats an earlier index's columns"));
        }
    }
    Ok(())
}

fn cat_of(plan: &Plan, cat: CatId) -> Result<&Category, String> {
    plan.categories
        .get(cat.index())
        .ok_or_else(|| format!("category {} does not exist", cat.0))
}

fn rules(plan: &Plan) -> Checked {
    let mut owner = vec![None; plan.handlers.len()];
    for (r, rule) in plan.rules.iter().enumerate() {
        for &cat in &rule.atoms {
            cat_of(plan, cat)?;
        }
        for &h in &rule.handlers {
            let slot = owner.get_mut(h.index()).ok_or_else(|| {
                format!(
                    "rule `{}` names handler {} that does not exist",
                    rule.name, h.0
                )
            })?;
            if slot.replace(r).is_some() {
                return Err(format!("handler {} belongs to two rules", h.0));
            }
            if plan.handlers[h.index()].rule.index() != r {
                return Err(format!(
                    "handler {} is listed by rule `{}` but names another rule",
                    h.0, rule.name
                ));
            }
        }
    }
    match owner.iter().position(Option::is_none) {
        Some(h) => Err(format!("handler {h} belongs to no rule")),
        None => Ok(()),
    }
}

fn strata(plan: &Plan) -> Checked {
    let mut seen = vec![false; plan.handlers.len()];
    for (s, stratum) in plan.strata.iter().enumerate() {
        for &cat in &stratum.categories {
            cat_of(plan, cat)?;
        }
        for &h in &stratum.handlers {
            let at = seen
                .get_mut(h.index())
                .ok_or_else(|| format!("stratum {s} names handler {} that does not exist", h.0))?;
            if std::mem::replace(at, true) {
                return Err(format!("handler {} is in two strata", h.0));
            }
        }
    }
    match seen.iter().position(|s| !s) {
        Some(h) => Err(format!("handler {h} is in no stratum")),
        None => Ok(()),
    }
}

/// Inputs, outputs, program facts and examples.
fn givens(plan: &Plan) -> Checked {
    for input in &plan.inputs {
        cat_of(plan, input.cat)?;
    }
    for &out in &plan.outputs {
        cat_of(plan, out)?;
    }
    let facts = plan.facts.iter().chain(
        plan.examples
            .iter()
            .flat_map(|e| e.given.iter().chain(&e.expected)),
    );
    for fact in facts {
        let cat = cat_of(plan, fact.cat)?;
        if fact.tuple.len() != cat.arity() {
            return Err(format!(
                "a fact of `{}` (line {}) has {} fields, not {}",
                cat.name,
                fact.line,
                fact.tuple.len(),
                cat.arity()
            ));
        }
    }
    for example in &plan.examples {
        if let Some(r) = example.rules.iter().find(|r| r.index() >= plan.rules.len()) {
            return Err(format!(
                "example `{}` names rule {} that does not exist",
                example.name, r.0
            ));
        }
    }
    Ok(())
}

/// Checks one handler, collecting what its body uses to compare with what
/// it states.
struct HandlerCheck<'p> {
    plan: &'p Plan,
    handler: &'p Handler,
    reads: Vec<(CatId, IndexId)>,
    caches: Vec<bool>,
    scratch: Vec<bool>,
    joins: bool,
}

impl<'p> HandlerCheck<'p> {
    fn new(plan: &'p Plan, handler: &'p Handler) -> Self {
        HandlerCheck {
            plan,
            handler,
            reads: Vec::new(),
            caches: vec![false; handler.cache_slots as usize],
            scratch: vec![false; handler.scratch as usize],
            joins: false,
        }
    }

    fn run(mut self) -> Checked {
        let h = self.handler;
        let rule = self
            .plan
            .rules
            .get(h.rule.index())
            .ok_or_else(|| format!("rule {} does not exist", h.rule.0))?;
        if rule.atoms.get(h.position as usize) != Some(&h.trigger) {
            return Err(format!(
                "position {} of rule `{}` is not an atom of its trigger category",
                h.position, rule.name
            ));
        }
        let trigger = cat_of(self.plan, h.trigger)?;
        if h.slot_types.len() != h.slots as usize || h.slot_names.len() != h.slots as usize {
            return Err(format!(
                "{} slots, but {} slot types and {} slot names",
                h.slots,
                h.slot_types.len(),
                h.slot_names.len()
            ));
        }
        if h.bind.len() != trigger.arity() {
            return Err(format!(
                "binds {} fields of `{}`, which has {}",
                h.bind.len(),
                trigger.name,
                trigger.arity()
            ));
        }
        for b in &h.bind {
            self.bind(b)?;
        }
        if let Some(Priority { expr, float }) = &h.priority {
            self.expr(expr)?;
            let want = if *float { Type::Float } else { Type::Int };
            if expr_type(&h.slot_types, expr).as_ref() != Some(&want) {
                return Err(format!("its priority is not of type `{want}`"));
            }
        }
        self.ops(&h.body, true)?;
        self.reads.sort_unstable();
        self.reads.dedup();
        if self.reads != h.reads {
            return Err(format!(
                "it states it reads indexes {:?}, but its body reads {:?}",
                h.reads, self.reads
            ));
        }
        if self.joins != h.joins {
            return Err(format!(
                "it states joins = {}, but its body {} join",
                h.joins,
                if self.joins { "has a" } else { "has no" }
            ));
        }
        if let Some(c) = self.caches.iter().position(|used| !used) {
            return Err(format!("cache slot {c} is stated but no check fills it"));
        }
        Ok(())
    }

    fn slot(&self, s: super::Slot) -> Checked {
        if s.index() < self.handler.slots as usize {
            Ok(())
        } else {
            Err(format!(
                "slot {} is past its {} slots",
                s.0, self.handler.slots
            ))
        }
    }

    fn expr(&self, e: &Expr) -> Checked {
        match e {
            Expr::Const(..) => Ok(()),
            Expr::Slot(s) => self.slot(*s),
            Expr::Unary(_, a) => self.expr(a),
            Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Index(a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            Expr::Call { func, args, types } => {
                if args.len() != func.params.len() {
                    return Err(format!(
                        "`{}` is called with {} arguments, not {}",
                        func.name,
                        args.len(),
                        func.params.len()
                    ));
                }
                if types.len() < func.type_params as usize {
                    return Err(format!(
                        "`{}` is called with {} type parameters, not {}",
                        func.name,
                        types.len(),
                        func.type_params
                    ));
                }
                args.iter().try_for_each(|a| self.expr(a))
            }
            Expr::List(items) => items.iter().try_for_each(|a| self.expr(a)),
            Expr::Slice { base, lo, hi, .. } => {
                self.expr(base)?;
                lo.iter().chain(hi.iter()).try_for_each(|a| self.expr(a))
            }
        }
    }

    fn bind(&self, b: &Bind) -> Checked {
        match b {
            Bind::Ignore => Ok(()),
            Bind::Store(s) => self.slot(*s),
            Bind::Check(e) => self.expr(e),
        }
    }

    /// The fields bound by a join or aggregate: in range, not key columns,
    /// each once.
    fn binds(&self, cat: &Category, key_cols: &[usize], bind: &[(usize, Bind)]) -> Checked {
        for (i, (field, b)) in bind.iter().enumerate() {
            if *field >= cat.arity() || key_cols.contains(field) {
                return Err(format!(
                    "a match of `{}` binds field {field}, which is out of range or in its key",
                    cat.name
                ));
            }
            if bind[..i].iter().any(|(f, _)| f == field) {
                return Err(format!(
                    "a match of `{}` binds field {field} twice",
                    cat.name
                ));
            }
            self.bind(b)?;
        }
        Ok(())
    }

    fn key(&mut self, cat: CatId, key: &Key) -> Checked {
        let category = cat_of(self.plan, cat)?;
        let cols = category.indexes.get(key.index.index()).ok_or_else(|| {
            format!(
                "a lookup names index {} of `{}`, which has {}",
                key.index.0,
                category.name,
                category.indexes.len()
            )
        })?;
        if *cols != key.cols {
            return Err(format!(
                "a lookup on columns {:?} of `{}` names index {}, which is on {:?}",
                key.cols, category.name, key.index.0, cols
            ));
        }
        if key.exprs.len() != key.cols.len() {
            return Err(format!(
                "a lookup of `{}` has {} key expressions for {} columns",
                category.name,
                key.exprs.len(),
                key.cols.len()
            ));
        }
        for e in &key.exprs {
            self.expr(e)?;
        }
        let (at, n) = (key.at as usize, key.exprs.len());
        if at + n > self.scratch.len() {
            return Err(format!(
                "a lookup's key words {at}..{} are past the {} words of scratch",
                at + n,
                self.scratch.len()
            ));
        }
        // Every lookup has words of its own: one key's words never hold
        // another's.
        if self.scratch[at..at + n].iter().any(|&used| used) {
            return Err(format!(
                "a lookup's key words {at}..{} overlap another lookup's",
                at + n
            ));
        }
        self.scratch[at..at + n].iter_mut().for_each(|u| *u = true);
        self.reads.push((cat, key.index));
        Ok(())
    }

    fn source(&mut self, cat: CatId, source: &Source) -> Checked {
        match source {
            Source::All => cat_of(self.plan, cat).map(|_| ()),
            Source::Index(key) => self.key(cat, key),
        }
    }

    /// `top`: the handler's own op list, where categorical checks stand.
    fn ops(&mut self, ops: &[Op], top: bool) -> Checked {
        let mut joined = false;
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Categorical { cat, key, cache } => {
                    if !top || joined {
                        return Err("a categorical check stands after a join".to_string());
                    }
                    if key.cached.is_some() {
                        return Err("a categorical check reuses a cached lookup".to_string());
                    }
                    self.key(*cat, key)?;
                    let used = self
                        .caches
                        .get_mut(*cache as usize)
                        .ok_or_else(|| format!("cache slot {cache} is past the stated slots"))?;
                    if std::mem::replace(used, true) {
                        return Err(format!("cache slot {cache} is filled twice"));
                    }
                }
                Op::Abort { cond, .. } => self.expr(cond)?,
                Op::Let { slot, expr } => {
                    self.slot(*slot)?;
                    self.expr(expr)?;
                }
                Op::Join {
                    cat,
                    source,
                    bind,
                    body,
                    exists,
                } => {
                    if *exists {
                        let mut read = Vec::new();
                        super::slots::ops_read(body, &mut read);
                        if let Some(s) = super::slots::stored_read(bind, &read) {
                            return Err(format!(
                                "an existence check binds slot {}, which its body reads",
                                s.0
                            ));
                        }
                    }
                    self.joins = true;
                    joined = true;
                    if let Source::Index(key) = source {
                        if let Some(c) = key.cached {
                            cached_check(&ops[..i], *cat, key, c)?;
                        }
                    }
                    self.source(*cat, source)?;
                    let category = cat_of(self.plan, *cat)?;
                    self.binds(category, source.cols(), bind)?;
                    self.ops(body, false)?;
                }
                Op::NotExists { cat, source } => self.source(*cat, source)?,
                Op::Aggregate {
                    slot,
                    cat,
                    source,
                    bind,
                    value,
                    ..
                } => {
                    self.slot(*slot)?;
                    self.source(*cat, source)?;
                    let category = cat_of(self.plan, *cat)?;
                    self.binds(category, source.cols(), bind)?;
                    if let Some(v) = value {
                        self.expr(v)?;
                    }
                }
                Op::Search { body } => self.ops(body, false)?,
                Op::If { cond, then, els } => {
                    self.expr(cond)?;
                    self.ops(then, false)?;
                    self.ops(els, false)?;
                }
                Op::For {
                    slot, list, body, ..
                } => {
                    self.slot(*slot)?;
                    self.expr(list)?;
                    self.ops(body, false)?;
                }
                Op::ForRange { slot, lo, hi, body } => {
                    self.slot(*slot)?;
                    self.expr(lo)?;
                    self.expr(hi)?;
                    self.ops(body, false)?;
                }
                Op::Find { cat, args } => {
                    let category = cat_of(self.plan, *cat)?;
                    if args.len() != category.arity() {
                        return Err(format!(
                            "finds `{}` with {} fields, not {}",
                            category.name,
                            args.len(),
                            category.arity()
                        ));
                    }
                    args.iter().try_for_each(|a| self.expr(a))?;
                }
            }
        }
        Ok(())
    }
}

/// A join's cached lookup must reuse a categorical check of the same key
/// earlier in the same op list, with only checks and aborts in between
/// (nothing that could change the key's slots).
fn cached_check(before: &[Op], cat: CatId, key: &Key, cache: u32) -> Checked {
    for op in before.iter().rev() {
        match op {
            Op::Categorical {
                cat: c,
                key: k,
                cache: slot,
            } if *slot == cache => {
                let same = *c == cat && k.index == key.index && k.exprs == key.exprs;
                return if same {
                    Ok(())
                } else {
                    Err(format!(
                        "a join reuses cache slot {cache}, filled by a check of another key"
                    ))
                };
            }
            Op::Categorical { .. } | Op::Abort { .. } => continue,
            _ => break,
        }
    }
    Err(format!(
        "a join reuses cache slot {cache}, but no check just before it fills that slot"
    ))
}
