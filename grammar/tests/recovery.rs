//! Error recovery: one parse reports every error and keeps the rest.

use fold_grammar::ast::Item;
use fold_grammar::{parse, ParseErrorKind};

#[test]
fn broken_field_list_still_declares_the_category() {
    let (program, errors) = parse("data edge(src: int, dst int)\nreach(x, y) :- edge(x, y).\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    match &program.items[0] {
        Item::Data(d) => {
            assert_eq!(d.name.name, "edge");
            assert!(d.broken);
        }
        other => panic!("expected a data declaration, got {other:?}"),
    }
    assert!(program.items.iter().any(|i| matches!(i, Item::Clause(_))));
}

#[test]
fn errors_in_separate_items_are_all_reported_in_order() {
    let src = "data a(x: int)\n\
               p(x) :- a(x), x > .\n\
               rule r:\n  on a(x)\n  find p(x x)\n\
               data b(y: int)\n\
               q(y) :- b(y) # oops\n";
    let (program, errors) = parse(src);
    let lines: Vec<usize> = errors
        .iter()
        .map(|e| src[..e.span.start as usize].matches('\n').count() + 1)
        .collect();
    assert_eq!(lines, vec![2, 5, 7], "{errors:?}");
    assert!(matches!(errors[2].kind, ParseErrorKind::Lex(_)));
    // The good declarations survive around the broken items.
    let data: Vec<&str> = program
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Data(d) => Some(d.name.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(data, vec!["a", "b"]);
}

#[test]
fn a_missing_dot_is_reported_once_where_the_next_clause_starts() {
    let src = "p(x) :- a(x)\nq(x) :- a(x).\nr(x) :- a(x).\n";
    let (program, errors) = parse(src);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].span.start as usize, src.find("q(x)").unwrap_or(0));
    assert!(program
        .items
        .iter()
        .any(|i| matches!(i, Item::Clause(c) if c.head.name.name == "r")));
}
