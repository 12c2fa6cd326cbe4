//! Lowering marks a join as an existence check (`Op::Join`'s `exists`)
//! exactly when nothing after it reads a slot it binds: atoms of unused
//! variables are checked, never enumerated, and every other join still
//! enumerates its rows.

use fold_runtime::plan::{Op, Plan};

const PROGRAM: &str = "\
data n(x: int)
data e(a: int, b: int)
data q()
data p(x: int)
data two(x: int, y: int)
q() :- n(_), n(_), n(_).
p(x) :- n(x), e(x, y), e(y, _).
two(x, y) :- n(x), e(x, y), n(y).
";

fn plan() -> Plan {
    fold_compiler::compile(PROGRAM, None)
        .plan
        .expect("compiles")
}

/// The `exists` flag of every join of the rule's handler at `position`,
/// outermost first.
fn flags(plan: &Plan, rule: &str, position: u32) -> Vec<bool> {
    fn walk(ops: &[Op], out: &mut Vec<bool>) {
        for op in ops {
            if let Op::Join { exists, body, .. } = op {
                out.push(*exists);
                walk(body, out);
            }
        }
    }
    let h = plan
        .handlers
        .iter()
        .find(|h| plan.rule(h.rule).name == rule && h.position == position)
        .expect("the handler exists");
    let mut out = Vec::new();
    walk(&h.body, &mut out);
    out
}

#[test]
fn wildcard_atoms_are_existence_checks() {
    let plan = plan();
    for position in 0..3 {
        assert_eq!(flags(&plan, "q@6", position), vec![true, true]);
    }
}

#[test]
fn a_join_whose_variable_a_later_atom_reads_enumerates() {
    let plan = plan();
    // On n(x): e(x, y) binds y, which e(y, _) reads; e(y, _) binds nothing read.
    assert_eq!(flags(&plan, "p@7", 0), vec![false, true]);
    // On e(y, _): e(x, y) binds x, which the find reads; n(x) then only
    // checks.
    assert_eq!(flags(&plan, "p@7", 2), vec![false, true]);
}

#[test]
fn a_variable_of_the_head_is_never_checked_only() {
    let plan = plan();
    // On n(x): e(x, y) binds y, the head reads it; n(y) then only checks.
    assert_eq!(flags(&plan, "two@8", 0), vec![false, true]);
}
