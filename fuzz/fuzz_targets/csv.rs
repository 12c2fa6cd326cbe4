//! Any bytes as a CSV input file of a category with every field type
//! (int, float, bool, str, list): read, or refused with a message naming
//! the line; never a panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use fold_runtime::plan::Plan;
use libfuzzer_sys::fuzz_target;

mod stack;

const PROGRAM: &str = "data row(i: int, f: float, b: bool, s: str, l: [int])\n\
                       input row from \"row.csv\"\n\
                       output row\n";

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let compiled = fold_compiler::compile(PROGRAM, None);
        compiled.plan.expect("the fuzz program compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    stack::on_foldc_stack(|| {
        let plan = plan();
        for cat in &plan.categories {
            let _ = fold_runtime::csv::parse(Path::new("row.csv"), data, cat);
        }
    });
});
