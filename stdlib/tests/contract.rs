//! The contract every builtin keeps, checked over the whole registry:
//! the native entry agrees with the interpreter entry, and every doc has an
//! example whose stated result is what the builtin returns.

use fold_runtime::plan::builtin::{intern_types, Builtin, Fault, NativeFrame, TypeSig};
use fold_runtime::value::intern::{intern_list, intern_str};
use fold_runtime::value::{from_bool, from_float, from_int, parse_literal, Type, Word};

/// Call through the native ABI, as JIT code does.
fn call_native(builtin: &Builtin, args: &[Word], types: &[Type]) -> Result<Word, Fault> {
    let mut frame = NativeFrame::default();
    frame.args[..args.len()].copy_from_slice(args);
    frame.types = intern_types(types);
    match (builtin.native)(&mut frame) {
        0 => Ok(frame.result),
        code => Err(Fault::from_code(code).expect("a known fault code")),
    }
}

/// Values that reach edge cases: extremes, NaN, empty and odd text.
fn samples(ty: &Type) -> Vec<Word> {
    match ty {
        Type::Int => [0, 1, 2, -1, 7, i64::MIN, i64::MAX].map(from_int).to_vec(),
        Type::Float => [0.0, -0.0, 1.5, -2.5, 1e300, f64::NAN, f64::INFINITY]
            .map(from_float)
            .to_vec(),
        Type::Bool => vec![from_bool(false), from_bool(true)],
        Type::Str => [
            "",
            ",",
            "a",
            " 12 ",
            "héllo",
            "a,b,,c",
            "Little birds, sing! Dogs; too.",
        ]
        .map(intern_str)
        .to_vec(),
        Type::List(elem) => {
            let some = samples(elem);
            let reversed: Vec<Word> = some.iter().rev().copied().collect();
            vec![
                intern_list(&[]),
                intern_list(&some[..3]),
                intern_list(&reversed),
            ]
        }
    }
}

/// Every combination of sample arguments for the parameter types.
fn argument_tuples(params: &[Type]) -> Vec<Vec<Word>> {
    params.iter().fold(vec![vec![]], |tuples, ty| {
        let options = samples(ty);
        tuples
            .iter()
            .flat_map(|t| {
                options.iter().map(move |w| {
                    let mut next = t.clone();
                    next.push(*w);
                    next
                })
            })
            .collect()
    })
}

#[test]
fn native_entries_agree_with_eval() {
    let (mut results, mut faults) = (0, 0);
    for builtin in fold_stdlib::all() {
        let bindings: Vec<Vec<Type>> = match builtin.type_params {
            0 => vec![vec![]],
            _ => vec![
                vec![Type::Int],
                vec![Type::Str],
                vec![Type::list_of(Type::Float)],
            ],
        };
        for types in &bindings {
            let params: Vec<Type> = builtin
                .params
                .iter()
                .map(|p| p.instantiate(types).expect("bound type parameters"))
                .collect();
            for args in argument_tuples(&params) {
                let eval = (builtin.eval)(&args, types);
                let native = call_native(builtin, &args, types);
                assert_eq!(eval, native, "{builtin:?} on {args:?} with {types:?}");
                match eval {
                    Ok(_) => results += 1,
                    Err(_) => faults += 1,
                }
            }
        }
    }
    // The samples reach both outcomes, so both paths of the ABI are compared.
    assert!(
        results > 1000 && faults > 100,
        "{results} results, {faults} faults"
    );
}

#[test]
fn wrong_argument_counts_fault() {
    for builtin in fold_stdlib::all() {
        let too_many = vec![0; builtin.params.len() + 1];
        assert_eq!(
            (builtin.eval)(&too_many, &[Type::Int]),
            Err(Fault::InvalidArgument)
        );
    }
}

/// A doc example: a line indented four spaces, `name(args)   // result`,
/// where the result is a fold literal or `fault Name`.
struct Example<'a> {
    args: Vec<&'a str>,
    expected: &'a str,
}

fn examples(builtin: &Builtin) -> Vec<Example<'_>> {
    let prefix = format!("    {}(", builtin.name);
    builtin
        .doc
        .lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(|rest| {
            let (call, expected) = rest.split_once("//").expect("`// result` after the call");
            let args = call
                .trim_end()
                .strip_suffix(')')
                .expect("call ends with `)`");
            Example {
                args: split_top_level(args),
                expected: expected.trim(),
            }
        })
        .collect()
}

/// Split at commas outside brackets and string literals.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut in_str, mut escaped, mut start) = (vec![], 0, false, false, 0);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_str => escaped = true,
            '"' => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                parts.push(text[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    parts
}

/// The type a literal is written as (an empty list defaults to `[int]`).
fn literal_type(text: &str) -> Type {
    match text {
        _ if text.starts_with('"') => Type::Str,
        "true" | "false" => Type::Bool,
        _ if text.starts_with('[') => {
            let inner = &text[1..text.len() - 1];
            let elem = split_top_level(inner)
                .first()
                .map_or(Type::Int, |e| literal_type(e));
            Type::list_of(elem)
        }
        _ if text.contains(['.', 'e']) => Type::Float,
        _ => Type::Int,
    }
}

/// Bind `T` from the first argument that shows it.
fn infer_type_params(builtin: &Builtin, args: &[&str]) -> Vec<Type> {
    if builtin.type_params == 0 {
        return vec![];
    }
    let found = builtin
        .params
        .iter()
        .zip(args)
        .find_map(|(param, arg)| match param {
            TypeSig::Var(0) => Some(literal_type(arg)),
            TypeSig::List(TypeSig::Var(0)) if *arg != "[]" => literal_type(arg).elem().cloned(),
            _ => None,
        });
    vec![found.unwrap_or(Type::Int)]
}

#[test]
fn every_builtin_has_a_doc_with_an_example() {
    for builtin in fold_stdlib::all() {
        let summary = builtin.doc.split("\n\n").next().unwrap_or_default();
        assert!(
            summary.ends_with('.'),
            "{builtin:?}: doc starts with a summary sentence"
        );
        assert!(
            !examples(builtin).is_empty(),
            "{builtin:?}: doc has no example line"
        );
    }
}

#[test]
fn doc_examples_hold() {
    let mut checked = 0;
    for builtin in fold_stdlib::all() {
        for example in examples(builtin) {
            checked += 1;
            let context = format!("{builtin:?}: {}(...)", builtin.name);
            assert_eq!(example.args.len(), builtin.params.len(), "{context}: arity");
            let types = infer_type_params(builtin, &example.args);
            let args: Vec<Word> = builtin
                .params
                .iter()
                .zip(&example.args)
                .map(|(param, text)| {
                    let ty = param.instantiate(&types).expect("bound");
                    parse_literal(&ty, text).unwrap_or_else(|e| panic!("{context}: {e}"))
                })
                .collect();
            let expected = match example.expected.strip_prefix("fault ") {
                Some(name) => Err(Fault::ALL
                    .into_iter()
                    .find(|f| format!("{f:?}") == name)
                    .unwrap_or_else(|| panic!("{context}: unknown fault {name}"))),
                None => {
                    let ret = builtin.ret.instantiate(&types).expect("bound");
                    Ok(parse_literal(&ret, example.expected)
                        .unwrap_or_else(|e| panic!("{context}: {e}")))
                }
            };
            assert_eq!(
                (builtin.eval)(&args, &types),
                expected,
                "{context} {:?}",
                example.args
            );
            assert_eq!(
                call_native(builtin, &args, &types),
                expected,
                "{context} native"
            );
        }
    } // Every builtin has at least one example, and some show their faults.
    assert!(checked > fold_stdlib::all().len(), "{checked} examples");
}
