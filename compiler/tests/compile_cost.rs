//! Compile cost stays linear in the program: the deepest program of each
//! kind that `check` accepts compiles (natively, or declined to the
//! interpreter past the size budget, with the reason), and the code made
//! for nested loops grows in proportion to their depth. Not a timing
//! test: before the budget, 3,000 nested loops took over a minute and
//! 7.5 GB, and the deepest ones never finished, so a regression shows as
//! a test that does not end (or runs out of memory).

use fold_compiler::codegen;

/// What foldc runs the compiler on (`compiler/cli/src/main.rs`).
const STACK_BYTES: usize = fold_compiler::STACK_BYTES;

/// A program with one handler whose search holds `body`.
fn program(body: &str) -> String {
    format!(
        "data n(v: int)\ndata hit(v: int)\noutput hit\nn(1).\nrule deep:\n  on n(v)\n  search {{\n    {body}\n  }}\n"
    )
}

/// The program of `kind` at `depth`.
fn deep(kind: &str, n: usize) -> String {
    let closing = "} ".repeat(n);
    program(&match kind {
        "for" => {
            let open: String = (0..n)
                .map(|k| format!("for _i{k} in range(0, 1) {{ "))
                .collect();
            format!("{open}find hit(v); {closing}")
        }
        "for-reading-all" => {
            let open: String = (0..n)
                .map(|k| format!("for i{k} in range(0, 1) {{ "))
                .collect();
            let sum: String = (0..n).map(|k| format!(" + i{k}")).collect();
            format!("{open}find hit(v{sum}); {closing}")
        }
        "if" => {
            let open: String = (0..n).map(|k| format!("if v > {k} - {n} {{ ")).collect();
            format!("{open}find hit(v); {closing}")
        }
        "sum" => format!("find hit(v{});", " + 1".repeat(n)),
        "parens" => format!("find hit({}v{});", "(".repeat(n), ")".repeat(n)),
        "let" => {
            let lets: String = (0..n)
                .map(|k| format!("let a{} = a{k} + 1; ", k + 1))
                .collect();
            format!("let a0 = v; {lets}find hit(a{n});")
        }
        other => panic!("no kind {other}"),
    })
}

fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Compile `src`: (handlers native, reasons of those declined).
fn compile(src: String) -> (usize, Vec<String>) {
    on_big_stack(move || {
        let compiled = fold_compiler::compile(&src, None);
        let plan = compiled.plan.expect("the program is accepted");
        let jit = codegen::compile(&plan, codegen::Options::default()).expect("a JIT host");
        let why = jit.declined.iter().map(|(_, w)| w.clone()).collect();
        (jit.compiled(), why)
    })
}

/// The deepest program of `kind` the front end accepts (found by
/// bisection: the nesting limit counts the rule around the search, and
/// a sum as deep as its loops).
fn deepest(kind: &str) -> String {
    let accepted = |n: usize| {
        let src = deep(kind, n);
        on_big_stack(move || fold_compiler::compile(&src, None).plan.is_some())
    };
    let (mut ok, mut refused) = (1, fold_grammar::MAX_NESTING + 1);
    assert!(accepted(ok), "{kind}");
    if accepted(refused) {
        // Not counted as nesting (parentheses): past the limit, then.
        return deep(kind, refused);
    }
    while refused - ok > 1 {
        let mid = (ok + refused) / 2;
        if accepted(mid) {
            ok = mid;
        } else {
            refused = mid;
        }
    }
    // Within a few levels of the limit, or half of it when each level
    // also adds a term to the sum.
    assert!(ok * 2 + 20 > fold_grammar::MAX_NESTING, "{kind}: {ok}");
    deep(kind, ok)
}

#[test]
fn the_deepest_program_of_each_kind_compiles_or_is_declined() {
    // Lets follow each other: no nesting limit, so a long run of them.
    let programs = ["for", "for-reading-all", "if", "sum"]
        .map(|k| (k, deepest(k)))
        .into_iter()
        .chain([("let", deep("let", 20_000))]);
    for (kind, src) in programs {
        let (native, why) = compile(src);
        assert_eq!(native, 0, "{kind}: compiled natively past the budget");
        assert_eq!(why.len(), 1, "{kind}");
        assert!(
            why[0].contains("more than native code is made for")
                || why[0].contains("exceed what native code is made for"),
            "{kind}: {}",
            why[0]
        );
    }
    // Parentheses make no code: any depth compiles.
    assert_eq!(compile(deepest("parens")), (1, vec![]));
}

#[test]
fn moderate_programs_stay_native() {
    for (kind, n) in [("for", 1000), ("if", 500), ("sum", 1000), ("let", 1000)] {
        let (native, why) = compile(deep(kind, n));
        assert_eq!((native, why), (1, vec![]), "{kind} {n}");
    }
}

#[test]
fn code_for_nested_loops_grows_in_proportion_to_their_depth() {
    // Loop counters live in stack slots: with SSA variables, every counter
    // became a block parameter of every loop inside it (quadratic IR).
    let size = |n: usize| {
        on_big_stack(move || {
            let plan = fold_compiler::compile(&deep("for", n), None)
                .plan
                .expect("accepted");
            codegen::emit_clif(&plan).expect("a JIT host").len()
        })
    };
    let (small, big) = (size(400), size(800));
    assert!(
        big * 10 <= small * 22,
        "400 loops: {small} bytes of IR, 800 loops: {big}"
    );
}
