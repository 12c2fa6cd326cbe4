//! CSV in and out through the engine: errors, all-or-nothing loading,
//! quoting round trips.

mod common;

use std::sync::Arc;

use common::*;
use fold_runtime::value::intern;
use fold_runtime::value::{from_bool, from_float, from_int, Type};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn bad_int_names_file_line_column_field() {
    let (plan, edge, _) = tc_plan();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "e.csv", "src,dst\n1,2\n3,4x\n");
    let mut e = common::engine(Arc::new(plan));
    let err = e.load_inputs(&[(edge, f.clone())]).unwrap_err();
    assert_eq!((err.line, err.column), (3, 3));
    assert_eq!(err.field.as_deref(), Some("dst"));
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3:3: field `dst`: expected int: not an integer (in `4x`)",
            f.display()
        )
    );
}

#[test]
fn nothing_is_half_loaded() {
    let (plan, edge, path) = tc_plan();
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.csv", "src,dst\n1,2\n2,3\n");
    let bad = write(dir.path(), "bad.csv", "dst,src\n1,2\n2,\n");
    let mut e = common::engine(Arc::new(plan));
    let err = e
        .load_inputs(&[(edge, good.clone()), (path, bad)])
        .unwrap_err();
    assert_eq!(
        (err.line, err.column, err.field.as_deref()),
        (3, 3, Some("src"))
    );
    assert_eq!(e.count(edge), 0);
    assert_eq!(e.count(path), 0);
    let report = e
        .load_inputs(&[(edge, good.clone()), (edge, good)])
        .unwrap();
    assert_eq!(report.files[0].new, 2);
    assert_eq!(report.files[1].new, 0);
    assert_eq!(report.files[1].rows, 2);
}

#[test]
fn header_errors_are_data() {
    let (plan, edge, _) = tc_plan();
    let dir = tempfile::tempdir().unwrap();
    let mut e = common::engine(Arc::new(plan));
    let missing = write(dir.path(), "m.csv", "src\n1\n");
    let err = e.load_inputs(&[(edge, missing)]).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("dst"));
    assert_eq!(err.line, 1);
    let unknown = write(dir.path(), "u.csv", "src,dst,w\n1,2,3\n");
    let err = e.load_inputs(&[(edge, unknown)]).unwrap_err();
    assert_eq!((err.line, err.column), (1, 9));
    assert!(err.message.contains("unknown column `w`"), "{err}");
    let absent = dir.path().join("absent.csv");
    let err = e.load_inputs(&[(edge, absent)]).unwrap_err();
    assert!(err.message.starts_with("cannot read"), "{err}");
}

#[test]
fn quoting_round_trip() {
    let mut b = Builder::new();
    let cat = b.cat(
        "thing",
        &[
            ("name", Type::Str),
            ("tags", Type::list_of(Type::Str)),
            ("x", Type::Float),
            ("ok", Type::Bool),
            ("n", Type::Int),
        ],
    );
    b.output(cat);
    let plan = Arc::new(b.plan);
    let mut e = common::engine(plan.clone());
    let s = intern::intern_str;
    let rows = [
        ("plain", vec!["a", "b"], 1.5, true, -3),
        ("with, comma", vec!["x,y", "q\"uote"], -0.0, false, 7),
        ("say \"hi\"\nnext line", vec![], 2e100, true, 0),
        ("", vec![""], f64::INFINITY, false, i64::MIN),
    ];
    for (name, tags, x, ok, n) in &rows {
        let tags: Vec<u64> = tags.iter().map(|t| s(t)).collect();
        e.insert(
            cat,
            &[
                s(name),
                intern::intern_list(&tags),
                from_float(*x),
                from_bool(*ok),
                from_int(*n),
            ],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let files = e.write_outputs(&out, &[cat]).unwrap();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.starts_with("name,tags,x,ok,n\n,\"[\"\"\"\"]\",inf,false,-9223372036854775808\n"),
        "{text}"
    );
    assert!(
        text.contains("\"with, comma\",\"[\"\"x,y\"\", \"\"q\\\"\"uote\"\"]\",-0.0,false,7\n"),
        "{text}"
    );
    let mut again = common::engine(plan);
    again.load_inputs(&[(cat, files[0].clone())]).unwrap();
    assert_eq!(again.facts(cat), e.facts(cat));
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|d| d.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn int_output_is_sorted_by_value() {
    let (plan, edge, _) = tc_plan();
    let mut e = common::engine(Arc::new(plan));
    for (a, b) in [(3, -1), (-7, 2), (3, -5), (i64::MAX, 0), (-7, -2)] {
        e.insert(edge, &[from_int(a), from_int(b)]);
    }
    let dir = tempfile::tempdir().unwrap();
    let files = e.write_outputs(dir.path(), &[edge]).unwrap();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(
        text,
        "src,dst\n-7,-2\n-7,2\n3,-5\n3,-1\n9223372036854775807,0\n"
    );
}
