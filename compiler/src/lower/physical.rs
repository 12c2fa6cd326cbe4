//! The physical choices of a plan, fixed once, after every handler is
//! lowered: which index of a category each lookup uses, where its key
//! words go in the frame's scratch area, which categorical check's lookup
//! a join can reuse, and what each handler therefore states about itself
//! (scratch size, cache slots, the indexes it reads, whether it joins).
//!
//! Indexes are numbered per category in the order handlers first use them
//! (handlers in plan order, each body in op order), so equal programs get
//! equal numbers. A join reuses the group its categorical check found when
//! the check looked up the same key with nothing but other checks and
//! aborts in between (nothing that could change the key's slots).

use fold_runtime::plan::{CatId, Category, Handler, IndexId, Key, Op, Plan, Source};

/// Fix every lookup's index, scratch offset and cache slot in `plan`, and
/// each handler's counts.
pub fn place(plan: &mut Plan) {
    let Plan {
        categories,
        handlers,
        ..
    } = plan;
    for handler in handlers.iter_mut() {
        place_handler(handler, categories);
    }
}

fn place_handler(handler: &mut Handler, categories: &mut [Category]) {
    let mut placer = Placer {
        categories,
        scratch: 0,
        caches: 0,
        joins: false,
        reads: Vec::new(),
    };
    placer.ops(&mut handler.body);
    let Placer {
        scratch,
        caches,
        joins,
        mut reads,
        ..
    } = placer;
    reads.sort_unstable();
    reads.dedup();
    handler.scratch = scratch;
    handler.cache_slots = caches;
    handler.joins = joins;
    handler.reads = reads;
}

struct Placer<'c> {
    categories: &'c mut [Category],
    scratch: u32,
    caches: u32,
    joins: bool,
    reads: Vec<(CatId, IndexId)>,
}

impl Placer<'_> {
    fn ops(&mut self, ops: &mut [Op]) {
        for i in 0..ops.len() {
            let (before, rest) = ops.split_at_mut(i);
            match &mut rest[0] {
                Op::Categorical { cat, key, cache } => {
                    self.key(*cat, key);
                    *cache = self.caches;
                    self.caches += 1;
                }
                Op::Join {
                    cat, source, body, ..
                } => {
                    self.joins = true;
                    self.source(*cat, source);
                    if let Source::Index(key) = source {
                        key.cached = cached_check(before, *cat, key);
                    }
                    self.ops(body);
                }
                Op::NotExists { cat, source } | Op::Aggregate { cat, source, .. } => {
                    self.source(*cat, source)
                }
                Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                    self.ops(body)
                }
                Op::If { then, els, .. } => {
                    self.ops(then);
                    self.ops(els);
                }
                Op::Abort { .. } | Op::Let { .. } | Op::Find { .. } => {}
            }
        }
    }

    fn source(&mut self, cat: CatId, source: &mut Source) {
        if let Source::Index(key) = source {
            self.key(cat, key);
        }
    }

    /// The category's index on the key's columns (declared if new), and
    /// scratch words of the key's own.
    fn key(&mut self, cat: CatId, key: &mut Key) {
        let indexes = &mut self.categories[cat.index()].indexes;
        let index = match indexes.iter().position(|cols| *cols == key.cols) {
            Some(i) => i,
            None => {
                indexes.push(key.cols.clone());
                indexes.len() - 1
            }
        };
        key.index = IndexId(index as u32);
        key.at = self.scratch;
        self.scratch += key.exprs.len() as u32;
        self.reads.push((cat, key.index));
    }
}

/// The cache slot of a categorical check just before a join (only checks
/// and aborts between them) that looked up the same key.
fn cached_check(before: &[Op], cat: CatId, key: &Key) -> Option<u32> {
    for op in before.iter().rev() {
        match op {
            Op::Categorical {
                cat: c,
                key: k,
                cache,
            } if *c == cat && k.index == key.index && k.exprs == key.exprs => {
                return Some(*cache);
            }
            Op::Categorical { .. } | Op::Abort { .. } => continue,
            _ => return None,
        }
    }
    None
}
