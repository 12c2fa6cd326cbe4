//! Lowering: the checked program into the runtime's [`Plan`].
//!
//! Every rule becomes one handler per positive atom ([`handler`]); the
//! layers of stratification become the plan's strata; then every physical
//! choice is fixed ([`physical`]): the plan states everything the runtime
//! needs, and [`fold_runtime::plan::verify`] accepts it.

mod handler;
mod physical;

use fold_runtime::plan::{HandlerId, Plan, Rule, RuleId, Stratum};

use crate::check::Checked;

/// Assemble the plan of a checked program whose stratification succeeded
/// (`checked.layers` is `Some`); `None` otherwise.
pub fn lower(checked: &Checked) -> Option<Plan> {
    let layers = checked.layers.as_ref()?;
    let categories: Vec<_> = checked
        .catalog
        .cats
        .iter()
        .map(|c| c.category.clone())
        .collect();
    let mut plan = Plan {
        categories,
        inputs: checked.inputs.clone(),
        outputs: checked.outputs.clone(),
        facts: checked.facts.clone(),
        examples: checked.examples.clone(),
        ..Plan::default()
    };
    for (r, rule) in checked.rules.iter().enumerate() {
        let id = RuleId(r as u32);
        let first = plan.handlers.len() as u32;
        let handlers = handler::handlers(rule, id, &plan.categories);
        let ids = (first..first + handlers.len() as u32)
            .map(HandlerId)
            .collect();
        plan.handlers.extend(handlers);
        plan.rules.push(Rule {
            name: rule.name.clone(),
            line: checked.rule_lines[r],
            form: rule.form,
            atoms: rule.atoms.iter().map(|a| a.cat).collect(),
            handlers: ids,
        });
    }
    for layer in layers {
        let handlers = layer
            .rules
            .iter()
            .flat_map(|&r| plan.rules[r].handlers.clone())
            .collect();
        plan.strata.push(Stratum {
            categories: layer.categories.clone(),
            handlers,
        });
    }
    physical::place(&mut plan);
    Some(plan)
}
