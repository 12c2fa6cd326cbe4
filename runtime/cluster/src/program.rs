//! Compiling the program a manifest carries, the same way on every worker.

use std::sync::Arc;

use fold_compiler::codegen;
use fold_runtime::db::fingerprint;
use fold_runtime::native::Natives;
use fold_runtime::plan::Plan;

/// A program compiled from source (without a folder: its `input` lines are
/// not read on workers; chunks come from the manifest).
pub struct Compiled {
    pub plan: Arc<Plan>,
    pub fingerprint: String,
}

/// Compile `source`; `name` names it in errors. Errors list the
/// diagnostics' messages.
pub fn compile(source: &str, name: &str) -> Result<Compiled, String> {
    let compiled = fold_compiler::compile(source, None);
    let Some(plan) = compiled.plan else {
        let messages: Vec<String> = compiled
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        return Err(format!("`{name}` has errors: {}", messages.join("; ")));
    };
    let fingerprint = fingerprint(&plan);
    Ok(Compiled {
        plan: Arc::new(plan),
        fingerprint,
    })
}

impl Compiled {
    /// Native code for the handlers (the interpreter where declined).
    pub fn natives(&self) -> Natives {
        codegen::compile_or_interpret(&self.plan, codegen::Options::default()).natives
    }
}
