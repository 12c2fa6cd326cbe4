//! fold-stdlib: every builtin of fold, declared once.
//!
//! A builtin is a [`Builtin`] static in its domain's file ([`strings`],
//! [`convert`], [`math`], [`lists`], [`boxes`]): the signature the type
//! checker reads, the function the interpreter calls, the native entry JIT
//! code calls and the documentation `foldc doc` prints. This file is the
//! registry over them.
//!
//! A name may have several overloads that differ in parameter types
//! (`len(str)` and `len([T])`); the type checker picks one by argument
//! types from [`overloads`]. Builtins never panic on any input: every
//! failure is a [`fold_runtime::plan::builtin::Fault`], which aborts the combination
//! of facts being processed.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use std::sync::LazyLock;

use fold_runtime::plan::builtin::Builtin;

#[macro_use]
mod decl;

pub mod bits;
pub mod boxes;
pub mod convert;
pub mod lists;
pub mod math;
mod pattern;
pub mod strings;
pub mod words;

pub use decl::{MAX_RANGE_LEN, MAX_STR_BYTES};

/// The builtins of one domain, in declaration order, for the reference.
pub struct Domain {
    pub title: &'static str,
    /// What the domain's builtins have in common, as Markdown.
    pub about: &'static str,
    pub builtins: &'static [&'static Builtin],
}

/// Every domain, in the order the reference presents them.
pub static DOMAINS: &[Domain] = &[
    Domain {
        title: "Strings",
        about: "Lengths and positions count characters, not bytes. `words` and \
                `sentences` cut text the way the text-folding programs need.",
        builtins: strings::BUILTINS,
    },
    Domain {
        title: "Conversions",
        about: "Reading text accepts what a CSV field of the target type accepts; \
                `to_str` writes what CSV output writes.",
        builtins: convert::BUILTINS,
    },
    Domain {
        title: "Math",
        about: "Int results are checked: overflow faults instead of wrapping.",
        builtins: math::BUILTINS,
    },
    Domain {
        title: "Bits",
        about: "Ints as 64 bits in two's complement.",
        builtins: bits::BUILTINS,
    },
    Domain {
        title: "Lists",
        about: "Lists are immutable values: every builtin returns a new list. \
                `T` is the element type, inferred at each call.",
        builtins: lists::BUILTINS,
    },
    Domain {
        title: "Boxes",
        about: "N-dimensional boxes of values, as text folding builds them: a box is \
                its `shape` (each axis's length, at least 1) and its `cells` in \
                row-major order (the last axis fastest). A permutation `p` of the \
                axes makes axis `k` of the result axis `p[k]` of the box. At most \
                8 axes; a shape that does not fit the cells faults (`InvalidArgument`).",
        builtins: boxes::BUILTINS,
    },
    Domain {
        title: "Words",
        about: "Any value as the 64-bit word it is stored as, and back: values of \
                different types in one `[int]` list (how Soufflé records and ADTs run).",
        builtins: words::BUILTINS,
    },
];

static ALL: LazyLock<Vec<&'static Builtin>> = LazyLock::new(|| {
    let mut all: Vec<&'static Builtin> = DOMAINS
        .iter()
        .flat_map(|d| d.builtins.iter().copied())
        .collect();
    // Stable: overloads of one name stay in declaration order.
    all.sort_by_key(|b| b.name);
    all
});

/// Every builtin, sorted by name, overloads of a name in declaration order.
pub fn all() -> &'static [&'static Builtin] {
    &ALL
}

/// The overloads of `name`, in declaration order (empty if unknown).
pub fn overloads(name: &str) -> Vec<&'static Builtin> {
    let all = all();
    let start = all.partition_point(|b| b.name < name);
    all[start..]
        .iter()
        .take_while(|b| b.name == name)
        .copied()
        .collect()
}

/// The reference of every builtin as Markdown, grouped by domain: one
/// heading per overload with its signature, then its documentation.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Standard library\n\n\
         `T` stands for any type, the same at each of its places in a signature. \
         A call that faults aborts the combination of facts being processed; the fault is counted and the run \
         goes on.\n",
    );
    for domain in DOMAINS {
        out.push_str(&format!("\n## {}\n\n{}\n", domain.title, domain.about));
        for builtin in domain.builtins {
            out.push_str(&format!(
                "\n### `{}`\n\n{}\n",
                builtin.signature(),
                builtin.doc
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_sorted_by_name_and_holds_every_domain() {
        let names: Vec<&str> = all().iter().map(|b| b.name).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
        let declared: usize = DOMAINS.iter().map(|d| d.builtins.len()).sum();
        assert_eq!(all().len(), declared);
    }

    #[test]
    fn overloads_keep_declaration_order() {
        let len = overloads("len");
        assert_eq!(len.len(), 2);
        assert!(std::ptr::eq(len[0], &strings::LEN));
        assert!(std::ptr::eq(len[1], &lists::LEN));
        let to_int: Vec<String> = overloads("to_int").iter().map(|b| b.signature()).collect();
        assert_eq!(
            to_int,
            [
                "to_int(str) -> int",
                "to_int(float) -> int",
                "to_int(bool) -> int"
            ]
        );
        assert!(overloads("nope").is_empty());
        assert!(overloads("").is_empty());
    }

    #[test]
    fn overloads_differ_in_parameter_types() {
        for (i, a) in all().iter().enumerate() {
            for b in &all()[i + 1..] {
                assert!(
                    a.name != b.name || a.params != b.params,
                    "{a:?} is declared twice"
                );
            }
        }
    }

    #[test]
    fn type_params_are_counted() {
        assert_eq!(strings::LEN.type_params, 0);
        assert_eq!(lists::LEN.type_params, 1);
        assert_eq!(convert::TO_STR.type_params, 1);
        assert_eq!(lists::RANGE.type_params, 0);
    }

    #[test]
    fn docs_drop_the_doc_comment_space() {
        assert_eq!(
            strings::LOWER.doc,
            "The string in lowercase (full Unicode case mapping).\n\n    \
             lower(\"Little Birds\")   // \"little birds\""
        );
    }

    #[test]
    fn reference_lists_every_signature_under_its_domain() {
        let md = reference_markdown();
        for domain in DOMAINS {
            let at = md.find(&format!("## {}\n", domain.title)).expect("domain");
            for builtin in domain.builtins {
                let heading = format!("### `{}`\n\n{}\n", builtin.signature(), builtin.doc);
                assert!(md[at..].contains(&heading), "{}", builtin.signature());
            }
        }
    }
}
