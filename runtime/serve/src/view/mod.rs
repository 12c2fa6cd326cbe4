//! The committed state readers see: an immutable snapshot of every
//! category, published by the writer after each commit and swapped in
//! whole, so a read never waits for an insert and never sees half of one.
//!
//! A category's snapshot holds its log (every row in row-id order, the
//! order of commits: what subscriptions stream, by offset), which rows
//! are superseded, and its sorted runs ([`index`]) for queries. All of it
//! is shared with the previous snapshot except what the commit added.

pub mod index;
pub mod query;
#[cfg(test)]
mod query_tests;

use std::sync::{Arc, RwLock};

use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::Word;
use fold_runtime::Engine;

use index::Order;

/// Rows of a category's log, `arity` words each, starting at row `first`.
pub struct Chunk {
    pub first: usize,
    pub words: Vec<Word>,
}

/// One category as of a commit.
#[derive(Clone, Default)]
pub struct CatView {
    /// Bumped when the category was recomputed (its rows renumbered).
    pub epoch: u64,
    /// Rows in the log (superseded ones too).
    pub rows: usize,
    /// Current facts.
    pub live: usize,
    pub dead: Arc<Vec<u64>>,
    /// The log, oldest chunk first.
    pub log: Vec<Arc<Chunk>>,
    /// One order per field.
    pub orders: Vec<Order>,
}

impl CatView {
    pub fn is_dead(&self, row: usize) -> bool {
        self.dead
            .get(row / 64)
            .is_some_and(|w| w >> (row % 64) & 1 == 1)
    }

    /// The words of row `row` (which must be below `rows`).
    pub fn row(&self, arity: usize, row: usize) -> Option<&[Word]> {
        let i = self
            .log
            .partition_point(|c| c.first <= row)
            .checked_sub(1)?;
        let chunk = &self.log[i];
        let start = (row - chunk.first) * arity;
        chunk.words.get(start..start + arity)
    }
}

/// Every category as of one commit.
pub struct Snapshot {
    /// Commits published since the service started (0: as opened).
    pub commit: u64,
    pub cats: Vec<Arc<CatView>>,
    /// The lifecycle counters, as `foldc stats --format json` shows them.
    pub stats: Arc<serde_json::Value>,
    /// Totals for the metrics: events and rounds run.
    pub events: u64,
    pub rounds: u64,
}

impl Snapshot {
    pub fn total(&self) -> usize {
        self.cats.iter().map(|c| c.live).sum()
    }
}

/// The latest snapshot, swapped whole; readers clone the `Arc` and let go
/// of the lock at once.
pub struct Published {
    current: RwLock<Arc<Snapshot>>,
}

impl Published {
    pub fn new(first: Snapshot) -> Published {
        Published {
            current: RwLock::new(Arc::new(first)),
        }
    }

    pub fn get(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn set(&self, next: Snapshot) {
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut g) => *g = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }
}

/// The snapshot of `engine` after a commit, sharing with `prev` what did
/// not change; `reset` names categories recomputed by the commit.
pub fn snapshot(
    plan: &Plan,
    engine: &Engine,
    prev: Option<&Snapshot>,
    reset: &[CatId],
) -> Snapshot {
    let cats = plan
        .categories
        .iter()
        .enumerate()
        .map(|(c, category)| {
            let cat = CatId(c as u32);
            let types = category.types();
            let old = prev.map(|p| &p.cats[c]);
            let rows = engine.row_count(cat);
            let renumbered = reset.contains(&cat) || old.is_some_and(|o| o.rows > rows);
            let mut view = match old {
                Some(o) if !renumbered => {
                    let dead_same = o.dead.as_slice() == engine.superseded_bits(cat);
                    if o.rows == rows && dead_same {
                        return Arc::clone(o);
                    }
                    CatView::clone(o)
                }
                Some(o) => CatView {
                    epoch: o.epoch + 1,
                    orders: vec![Order::default(); types.len()],
                    ..CatView::default()
                },
                None => CatView {
                    orders: vec![Order::default(); types.len()],
                    ..CatView::default()
                },
            };
            let new = engine.rows_from(cat, view.rows);
            if !new.is_empty() {
                for (lead, order) in view.orders.iter_mut().enumerate() {
                    order.add(&types, lead, view.rows, new);
                }
                view.log.push(Arc::new(Chunk {
                    first: view.rows,
                    words: new.to_vec(),
                }));
                compact(&mut view.log);
            }
            view.rows = rows;
            view.live = engine.count(cat);
            let bits = engine.superseded_bits(cat);
            if view.dead.as_slice() != bits {
                view.dead = Arc::new(bits.to_vec());
            }
            Arc::new(view)
        })
        .collect();
    let total = engine.stats().total();
    Snapshot {
        commit: prev.map_or(0, |p| p.commit + 1),
        cats,
        stats: Arc::new(engine.stats().to_json(plan)),
        events: total.events,
        rounds: engine.stats().strata.iter().map(|s| s.rounds).sum(),
    }
}

/// Merge the newest two chunks of a log while the newer is at least a
/// quarter of the older: a log keeps about log₄ n chunks.
fn compact(log: &mut Vec<Arc<Chunk>>) {
    while log.len() >= 2 {
        let n = log.len();
        let (a, b) = (&log[n - 2], &log[n - 1]);
        if b.words.len() * 4 < a.words.len() {
            break;
        }
        let mut words = Vec::with_capacity(a.words.len() + b.words.len());
        words.extend_from_slice(&a.words);
        words.extend_from_slice(&b.words);
        let merged = Chunk {
            first: a.first,
            words,
        };
        log.truncate(n - 2);
        log.push(Arc::new(merged));
    }
}
