//! Every target runs its input on a thread with foldc's stack
//! ([`fold_compiler::STACK_BYTES`]): on libFuzzer's 8 MiB main thread,
//! programs foldc accepts (5,142 chained additions) overflowed, so the
//! fuzzer crashed on valid input and stopped finding anything real.

pub fn on_foldc_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .stack_size(fold_compiler::STACK_BYTES)
            .spawn_scoped(s, f);
        match worker {
            // A panic in the worker is the finding: re-raised here.
            Ok(handle) => {
                if let Err(panic) = handle.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            Err(e) => panic!("cannot start a thread with foldc's stack: {e}"),
        }
    });
}
