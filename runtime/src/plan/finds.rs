//! Which categories a rule finds facts of: the `find` ops anywhere in its
//! handlers' bodies (the edges from a rule to categories in a report's
//! event graph).

use super::{CatId, Op, Plan, RuleId};

/// The categories rule `rule` of `plan` finds, each once, in the order
/// its handlers' bodies first name them.
pub fn rule_finds(plan: &Plan, rule: RuleId) -> Vec<CatId> {
    let mut out = Vec::new();
    for &h in &plan.rule(rule).handlers {
        walk(&plan.handler(h).body, &mut out);
    }
    out
}

fn walk(ops: &[Op], out: &mut Vec<CatId>) {
    for op in ops {
        match op {
            Op::Find { cat, .. } => {
                if !out.contains(cat) {
                    out.push(*cat);
                }
            }
            Op::Join { body, .. }
            | Op::Search { body }
            | Op::For { body, .. }
            | Op::ForRange { body, .. } => walk(body, out),
            Op::If { then, els, .. } => {
                walk(then, out);
                walk(els, out);
            }
            Op::Categorical { .. }
            | Op::Abort { .. }
            | Op::Let { .. }
            | Op::NotExists { .. }
            | Op::Aggregate { .. } => {}
        }
    }
}
