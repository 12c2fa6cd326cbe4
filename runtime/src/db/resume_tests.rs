//! The durable database inside the crate (it drives the observer the
//! database is to the engine): a run interrupted after
//! any round and resumed ends with exactly the state of an uninterrupted
//! one (rows in the same order, so the same row ids, the same counters),
//! and a finished database restores to the state that wrote it.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use common::*;
use fold_runtime::db::{Access, Db, DbError};
use fold_runtime::exec::observe::{Observer, View};
use fold_runtime::exec::origin::Origin;
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::{Engine, RunOptions};

/// A chain with a cycle and shortcuts: many rounds of transitive closure.
fn plan() -> (Arc<Plan>, CatId) {
    let (mut plan, edge, path) = tc_plan();
    for i in 0..40 {
        let mut add = |a: i64, b: i64| {
            plan.facts.push(fold_runtime::plan::GroundFact {
                cat: edge,
                tuple: vec![a as u64, b as u64],
                line: 1 + i as u32,
            })
        };
        add(i, i + 1);
        if i % 7 == 0 {
            add(i, i / 2);
        }
    }
    (Arc::new(plan), path)
}

fn opts() -> RunOptions {
    RunOptions {
        threads: 2,
        quiet: true,
    }
}

/// Passes everything to the database and fails after `left` rounds, as a
/// process killed at that round's end would stop.
struct CrashAfter<'a> {
    db: &'a mut Db,
    left: usize,
}

impl Observer for CrashAfter<'_> {
    const PROVENANCE: bool = true;

    fn inserted(&mut self, cat: CatId, row: u32, origin: Origin) {
        self.db.inserted(cat, row, origin);
    }

    fn reset(&mut self, cat: CatId) {
        self.db.reset(cat);
    }

    fn round_end(&mut self, view: View<'_>) -> Result<(), String> {
        self.db.round_end(view)?;
        if self.left == 0 {
            return Err("crash".to_string());
        }
        self.left -= 1;
        Ok(())
    }
}

/// Open `dir` again in this process. sled releases a dropped store's
/// directory lock only when its epoch-deferred garbage is collected, a
/// moment later; a new process never waits for that.
fn reopen(plan: &Arc<Plan>, dir: &std::path::Path, access: Access) -> Db {
    for _ in 0..200 {
        match Db::open(dir, plan, "tc", access) {
            Err(DbError::Locked { .. }) => std::thread::sleep(std::time::Duration::from_millis(10)),
            other => return other.expect("opens"),
        }
    }
    panic!("{} stays locked", dir.display());
}

/// Open `dir`, restore, insert the program's facts, run to the end.
fn resume(plan: &Arc<Plan>, dir: &std::path::Path, crash_after: Option<usize>) -> Engine {
    let mut db = reopen(plan, dir, Access::Run { fresh: false });
    db.set_interval(std::time::Duration::ZERO);
    let mut engine = common::engine(plan.clone());
    db.restore(&mut engine, None).expect("restores");
    match crash_after {
        Some(left) => {
            let mut obs = CrashAfter { db: &mut db, left };
            engine.insert_program_facts_observed(&mut obs);
            let err = engine.run_observed(&opts(), &mut obs).unwrap_err();
            assert_eq!(err.to_string(), "crash");
        }
        None => {
            engine.insert_program_facts_observed(&mut db);
            engine.run_observed(&opts(), &mut db).expect("runs");
            db.finish(&mut engine).expect("finishes");
        }
    }
    engine
}

#[test]
fn runs_interrupted_after_any_round_resume_to_the_same_state() {
    let (plan, path) = plan();
    let mut clean = common::engine(plan.clone());
    clean.insert_program_facts();
    let summary = clean.run(&opts()).expect("runs");
    assert!(summary.rounds > 10, "{summary:?}");

    for crashes in [vec![0], vec![3], vec![1, 1, 5], vec![20]] {
        let dir = tempfile::tempdir().expect("temp dir");
        for &after in &crashes {
            resume(&plan, dir.path(), Some(after));
        }
        let done = resume(&plan, dir.path(), None);
        let rel = |e: &Engine| e.store().relation(path).words().to_vec();
        assert_eq!(
            rel(&done),
            rel(&clean),
            "rows and row ids, crashes {crashes:?}"
        );
        assert_eq!(done.stats(), clean.stats(), "counters, crashes {crashes:?}");
        assert_eq!(
            done.sched_state().watermarks,
            clean.sched_state().watermarks
        );

        // A finished database restores to the state that wrote it.
        let mut db = reopen(&plan, dir.path(), Access::Read);
        let mut again = common::engine(plan.clone());
        let restored = db.restore(&mut again, None).expect("restores");
        assert!(restored.complete);
        assert_eq!(rel(&again), rel(&clean));
        assert_eq!(again.stats(), clean.stats());
        assert_eq!(again.facts(path), clean.facts(path));
    }
}

/// A process killed while sled writes a snapshot leaves `snap.N.generating`
/// cut short; sled 0.34 would read it when opening and refuse the store as
/// corrupt. The database opens and restores the state it had.
#[test]
fn an_unfinished_snapshot_left_by_a_kill_does_not_stop_the_store() {
    let (plan, path) = plan();
    let dir = tempfile::tempdir().expect("temp dir");
    let done = resume(&plan, dir.path(), None);
    // Named as sled names them, and newer than any finished one.
    let cut = dir
        .path()
        .join(format!("snap.{:016X}.generating", u64::MAX));
    for bytes in [&b""[..], &[7u8; 40][..]] {
        std::fs::write(&cut, bytes).expect("write");
        let mut db = reopen(&plan, dir.path(), Access::Read);
        let mut again = common::engine(plan.clone());
        assert!(db.restore(&mut again, None).expect("restores").complete);
        assert_eq!(again.facts(path), done.facts(path));
        drop(db);
        // Reading writes nothing in the database (it opens a copy without
        // the unfinished snapshot); a run removes it.
        assert!(cut.exists(), "a read removed a file of the database");
        drop(reopen(&plan, dir.path(), Access::Run { fresh: false }));
        assert!(!cut.exists(), "the unfinished snapshot is gone");
    }
}
