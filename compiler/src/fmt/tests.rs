use super::format;

fn fmt(src: &str) -> String {
    match format(src) {
        Ok(text) => text,
        Err(e) => panic!("does not parse: {e:?}"),
    }
}

/// Formatting `src` gives `want`, and formatting that changes nothing.
fn check(src: &str, want: &str) {
    let got = fmt(src);
    assert_eq!(got, want, "formatted:\n{got}");
    assert_eq!(fmt(&got), got, "not idempotent");
}

#[test]
fn stages_one_per_line_and_comments_kept() {
    check(
        "// head\ndata e(a:int,b:int)   data r(a: int, b: int)\n\n\n\
         rule x: on r(a,b) // the data\n friends e(b,c) abort when a==c find r(a,c)\n// tail\n",
        "// head\ndata e(a: int, b: int)\ndata r(a: int, b: int)\n\n\
         rule x:\n  on r(a, b) // the data\n  friends e(b, c)\n  abort when a == c\n  find r(a, c)\n// tail\n",
    );
}

#[test]
fn trailing_comments_align() {
    check(
        "input e from \"e.csv\" // one\noutput r // two\noutput s\n",
        "input e from \"e.csv\" // one\noutput r             // two\noutput s\n",
    );
}

#[test]
fn long_clauses_break_with_aligned_bodies() {
    let long = "reach(source_node, target_node) :- reach(source_node, middle_node), \
                edge(middle_node, target_node), source_node != target_node.";
    check(
        long,
        "reach(source_node, target_node) :- reach(source_node, middle_node),\n\
         \x20                                  edge(middle_node, target_node),\n\
         \x20                                  source_node != target_node.\n",
    );
    // A comment inside a clause keeps it broken, next to its item.
    check(
        "p(x) :- q(x), // why\n r(x).",
        "p(x) :- q(x), // why\n        r(x).\n",
    );
}

#[test]
fn blocks_one_statement_per_line() {
    check(
        "rule w:\n on l(n, t)\n search { let w = n * 10; for p in split(t, \" \") { find word(p) } \
         if w % 2 == 0 { find e(w); let v = 1; } else if w > 3 { find o(w); } else { find o(0); } }",
        "rule w:\n  on l(n, t)\n  search {\n    let w = n * 10;\n    for p in split(t, \" \") { find word(p); }\n    \
         if w % 2 == 0 {\n      find e(w);\n      let v = 1;\n    } else if w > 3 {\n      \
         find o(w);\n    } else {\n      find o(0);\n    }\n  }\n",
    );
    check(
        "rule e:\n on l(n)\n search { if n > 1 { find a(n) } else { find b(n) } }",
        "rule e:\n  on l(n)\n  search {\n    if n > 1 { find a(n); } else { find b(n); }\n  }\n",
    );
}

#[test]
fn needed_and_written_parentheses_only() {
    check(
        "p(x) :- q(x), y = (x + 1) * 2 - (3 - 4), z = -(x * 2), w = ((1 - 2)) - -3, v = 1.50e3, u = f((x)).",
        "p(x) :- q(x), y = (x + 1) * 2 - (3 - 4), z = -(x * 2), w = (1 - 2) - -3, v = 1.50e3, u = f((x)).\n",
    );
}

#[test]
fn examples_align_and_follow_their_rule() {
    check(
        "p(x) :- q(x).\nq(1). q(2).\np(x) :- r(x).\nexample p@3 hit: r(1) => p(1)\nexample p@3 miss: q(2)\n",
        "p(x) :- q(x).\nq(1).\nq(2).\np(x) :- r(x).\nexample p@4 hit:  r(1) => p(1)\nexample p@4 miss: q(2)\n",
    );
}

#[test]
fn syntax_errors_are_not_formatted() {
    assert!(format("data e(a: int").is_err());
}
