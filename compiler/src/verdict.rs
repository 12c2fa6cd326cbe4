//! Whether an `example` line holds (`foldc test`, and the test harness).

use fold_runtime::examples::{expected_facts, ExampleResult, Fact};
use fold_runtime::plan::{Example, ExampleKind, Plan};
use fold_runtime::value::display_fact;

/// Why an example fails, or `None` when it passes.
pub fn verdict(plan: &Plan, example: &Example, result: &ExampleResult) -> Option<String> {
    let shown = |facts: &[Fact]| -> String {
        if facts.is_empty() {
            return "nothing".into();
        }
        let items: Vec<String> = facts
            .iter()
            .map(|(cat, t)| {
                let c = plan.category(*cat);
                display_fact(&c.name, &c.types(), t)
            })
            .collect();
        items.join(", ")
    };
    let faults = if result.faults.is_empty() {
        String::new()
    } else {
        let kinds: Vec<String> = result.faults.iter().map(|f| f.to_string()).collect();
        format!(" (faults: {})", kinds.join(", "))
    };
    match example.kind {
        ExampleKind::Hit => {
            let expected = expected_facts(plan, example);
            (result.found != expected).then(|| {
                format!(
                    "expected {}, found {}{faults}",
                    shown(&expected),
                    shown(&result.found)
                )
            })
        }
        ExampleKind::Miss => (!result.found.is_empty()).then(|| {
            format!(
                "a miss must find nothing, found {}{faults}",
                shown(&result.found)
            )
        }),
        ExampleKind::NearMiss if !result.found.is_empty() => Some(format!(
            "a near miss must find nothing, found {}{faults}",
            shown(&result.found)
        )),
        ExampleKind::NearMiss if !result.loaded_friends => Some(format!(
            "a near miss must get past loading its friends, but no event found any{faults}"
        )),
        ExampleKind::NearMiss => None,
    }
}
