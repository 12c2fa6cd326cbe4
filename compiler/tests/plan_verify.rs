//! The plan is the only contract between compiler and runtime, so the
//! runtime verifies it once ([`fold_runtime::plan::verify`]) before it
//! runs anything. Every plan the compiler emits passes; a plan that states
//! something its body does not do, or names what does not exist, is
//! refused with a message that says where.

use fold_runtime::plan::{verify, CatId, IndexId, Key, Op, Plan, Slot, Source, VerifyError};

const PROGRAM: &str = "\
data edge(src: int, dst: int)
data path(src: int, dst: int)
data big(src: int)
path(x, y) :- edge(x, y).
path(x, z) :- path(x, y), edge(y, z).
rule hub:
  on edge(a, b)
  let n = count edge(a, _)
  abort when n < 2
  find big(a)
";

fn plan() -> Plan {
    let compiled = fold_compiler::compile(PROGRAM, None);
    compiled.plan.expect("compiles")
}

/// Change the first op (depth first, handlers in order) that `pick`
/// accepts; whether there was one.
fn edit_first(ops: &mut [Op], pick: &dyn Fn(&Op) -> bool, change: &dyn Fn(&mut Op)) -> bool {
    for op in ops {
        if pick(op) {
            change(op);
            return true;
        }
        let inner = match op {
            Op::Join { body, .. } | Op::Search { body } => body,
            _ => continue,
        };
        if edit_first(inner, pick, change) {
            return true;
        }
    }
    false
}

/// Change the first op `pick` accepts with `change`, and verify.
fn broken(pick: &dyn Fn(&Op) -> bool, change: &dyn Fn(&mut Op)) -> VerifyError {
    let mut plan = plan();
    let edited = plan
        .handlers
        .iter_mut()
        .any(|h| edit_first(&mut h.body, pick, change));
    assert!(edited, "no such op in the plan");
    verify(&plan).expect_err("a broken plan must be refused")
}

fn is_join(op: &Op) -> bool {
    matches!(
        op,
        Op::Join {
            source: Source::Index(_),
            ..
        }
    )
}

fn key_of(op: &mut Op) -> &mut Key {
    match op {
        Op::Join {
            source: Source::Index(key),
            ..
        }
        | Op::Categorical { key, .. } => key,
        _ => unreachable!("only lookups have keys"),
    }
}

#[test]
fn every_plan_the_compiler_emits_verifies() {
    verify(&plan()).expect("the compiler's plan verifies");
}

#[test]
fn an_index_that_does_not_exist_is_refused() {
    let e = broken(&is_join, &|op| {
        let key = key_of(op);
        key.cached = None;
        key.index = IndexId(7);
    });
    assert!(e.handler.is_some(), "{e}");
    assert!(e.message.contains("names index 7"), "{e}");
}

#[test]
fn an_index_on_other_columns_is_refused() {
    let e = broken(&is_join, &|op| {
        let key = key_of(op);
        key.cached = None;
        key.cols = vec![1];
    });
    assert!(e.message.contains("columns [1]"), "{e}");
}

#[test]
fn key_words_past_the_scratch_area_are_refused() {
    let e = broken(&is_join, &|op| key_of(op).at = 1000);
    assert!(e.message.contains("past the"), "{e}");
}

#[test]
fn a_slot_past_the_frame_is_refused() {
    let e = broken(&|op| matches!(op, Op::Find { .. }), &|op| {
        if let Op::Find { args, .. } = op {
            args[0] = fold_runtime::plan::Expr::Slot(Slot(99));
        }
    });
    assert!(e.message.contains("slot 99"), "{e}");
}

#[test]
fn a_cached_lookup_without_its_check_is_refused() {
    let e = broken(&is_join, &|op| key_of(op).cached = Some(5));
    assert!(e.message.contains("cache slot 5"), "{e}");
}

#[test]
fn a_find_of_the_wrong_arity_is_refused() {
    let e = broken(&|op| matches!(op, Op::Find { .. }), &|op| {
        if let Op::Find { args, .. } = op {
            args.pop();
        }
    });
    assert!(e.message.contains("with 1 fields, not 2"), "{e}");
}

#[test]
fn stated_reads_must_be_what_the_body_reads() {
    let mut plan = plan();
    let h = plan
        .handlers
        .iter()
        .position(|h| !h.reads.is_empty())
        .expect("a handler that reads an index");
    plan.handlers[h].reads.clear();
    let e = verify(&plan).expect_err("refused");
    assert_eq!(e.handler.map(|h| h.index()), Some(h), "{e}");
    assert!(e.message.contains("reads indexes"), "{e}");
}

#[test]
fn a_handler_in_no_stratum_is_refused() {
    let mut plan = plan();
    plan.strata[0].handlers.pop();
    let e = verify(&plan).expect_err("refused");
    assert!(e.handler.is_none());
    assert!(e.to_string().contains("in no stratum"), "{e}");
}

#[test]
fn a_category_that_does_not_exist_is_refused() {
    let mut plan = plan();
    plan.outputs.push(CatId(40));
    let e = verify(&plan).expect_err("refused");
    assert!(e.message.contains("category 40 does not exist"), "{e}");
}

#[test]
fn an_existence_check_whose_binding_is_read_is_refused() {
    // `edge(y, z)` binds `z`, which the find reads: every row matters.
    let e = broken(
        &|op| matches!(op, Op::Join { exists: false, bind, .. } if !bind.is_empty()),
        &|op| {
            if let Op::Join { exists, .. } = op {
                *exists = true;
            }
        },
    );
    assert!(e.message.contains("existence check binds slot"), "{e}");
}
