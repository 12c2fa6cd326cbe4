//! Any bytes through the whole front end: lex, parse, check, lower, and
//! render the diagnostics. Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod stack;

fuzz_target!(|data: &[u8]| {
    stack::on_foldc_stack(|| {
        let src = String::from_utf8_lossy(data);
        let compiled = fold_compiler::compile(&src, None);
        let _ = fold_compiler::diag::render::human("fuzz.fold", &src, &compiled.diagnostics, false);
        let _ = fold_compiler::diag::render::json("fuzz.fold", &src, &compiled.diagnostics);
    });
});
