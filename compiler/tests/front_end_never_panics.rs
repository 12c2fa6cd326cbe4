//! The front end (lexer, parser, checker, lowering) must never panic or
//! hang, whatever the input: random bytes, random token soup, and random
//! edits of a real program.

use proptest::prelude::*;

/// Pieces of fold text, glued together at random.
const VOCABULARY: &[&str] = &[
    "data",
    "private",
    "key",
    "keep",
    "min",
    "max",
    "input",
    "from",
    "output",
    "rule",
    "on",
    "abort",
    "when",
    "friends",
    "let",
    "find",
    "search",
    "for",
    "in",
    "if",
    "else",
    "priority",
    "example",
    "hit",
    "miss",
    "near_miss",
    "count",
    "sum",
    "true",
    "false",
    "int",
    "float",
    "str",
    "bool",
    "edge",
    "reach",
    "x",
    "y",
    "z",
    "_",
    "0",
    "1",
    "-3",
    "2.5",
    "9999999999999999999999",
    "\"s\"",
    "\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ":",
    ":-",
    ".",
    "..",
    "=>",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&&",
    "||",
    "!",
    "len",
    "split",
    "range",
    "/*",
    "*/",
    "//",
    "\n",
    "#",
    "é",
];

const PROGRAM: &str = r#"
data edge(src: int, dst: int)
data reach(src: int, dst: int)
data dist(node: int, d: int) key(node) keep min(d)
data word(w: str)
input edge from "edges.csv"
output reach
reach(x, y) :- edge(x, y).
reach(x, z) :- reach(x, y), edge(y, z), x != z.
rule r:
  on reach(a, b)
  abort when a > 1000
  friends edge(b, c), !reach(c, a)
  let n = count edge(c, _)
  search {
    for w in split("a b", " ") { find word(w); }
    if n % 2 == 0 { find dist(a, n); } else { find dist(b, n / (n - n)); }
  }
example r hit: reach(1, 2), edge(2, 3) => word("a"), word("b")
"#;

fn compile(src: &str) {
    let compiled = fold_compiler::compile(src, None);
    // Rendering must not panic either.
    let _ = fold_compiler::diag::render::human("p.fold", src, &compiled.diagnostics, false);
    let _ = fold_compiler::diag::render::json("p.fold", src, &compiled.diagnostics);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        compile(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_tokens(picks in proptest::collection::vec(0..VOCABULARY.len(), 0..120)) {
        let src: Vec<&str> = picks.iter().map(|&i| VOCABULARY[i]).collect();
        compile(&src.join(" "));
    }

    #[test]
    fn random_edits_of_a_program(cuts in proptest::collection::vec((0..PROGRAM.len(), 0..8usize, 0..VOCABULARY.len()), 1..6)) {
        let mut src = PROGRAM.to_string();
        for (at, len, insert) in cuts {
            let at = floor_char(&src, at.min(src.len()));
            let end = floor_char(&src, (at + len).min(src.len()));
            src.replace_range(at..end, VOCABULARY[insert]);
        }
        compile(&src);
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[test]
fn the_seed_program_compiles() {
    let compiled = fold_compiler::compile(PROGRAM, None);
    assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
    assert!(compiled.plan.is_some());
}
