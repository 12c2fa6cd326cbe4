//! The `foldc` binary as a user meets it: exit codes, output formats, files
//! written and not written.

mod common;

use std::process::Command;

use common::{foldc, ok, refused, text, TC};

fn tc_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("tc.fold"), TC).expect("write program");
    std::fs::write(dir.path().join("edge.csv"), "src,dst\n1,2\n2,3\n").expect("write edges");
    dir
}

#[test]
fn check_exits_zero_on_a_good_program_and_one_on_errors() {
    let dir = tc_dir();
    let ok = foldc(&["check", "tc.fold"], dir.path());
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stderr).contains("tc.fold: ok"));

    std::fs::write(
        dir.path().join("bad.fold"),
        "data a(x: int)\nb(x) :- a(x).\n",
    )
    .expect("write");
    let bad = foldc(&["check", "bad.fold"], dir.path());
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(err.contains("[E0100]"), "{err}");
    assert!(err.contains("bad.fold:2:1"), "{err}");
}

#[test]
fn check_json_gives_one_object_per_diagnostic_with_positions() {
    let dir = tc_dir();
    let src = "data a(x: int)\ndata c(y: int)\noutput c\nb(x) :- a(x).\nc(1) :- a(x).\n";
    std::fs::write(dir.path().join("bad.fold"), src).expect("write");
    let out = foldc(&["check", "bad.fold", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let first = lines[0];
    for key in [
        "\"code\":\"E0100\"",
        "\"severity\":\"error\"",
        "\"file\":\"bad.fold\"",
        "\"line\":4",
        "\"column\":1",
        "\"end_line\":4",
        "\"end_column\":2",
    ] {
        assert!(first.contains(key), "{key} missing in {first}");
    }
    assert!(
        lines.iter().any(|l| l.contains("\"code\":\"W0002\"")),
        "{stdout}"
    );
}

#[test]
fn run_writes_sorted_csv_and_input_overrides_replace_files() {
    let dir = tc_dir();
    let out = foldc(
        &["run", "tc.fold", "--out", "results", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = std::fs::read_to_string(dir.path().join("results/path.csv")).expect("output");
    assert_eq!(path, "src,dst\n1,2\n1,3\n2,3\n");

    std::fs::write(dir.path().join("more.csv"), "dst,src\n9,8\n").expect("write");
    let out = foldc(
        &[
            "run",
            "tc.fold",
            "--out",
            "results",
            "--quiet",
            "--input",
            "edge=more.csv",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = std::fs::read_to_string(dir.path().join("results/path.csv")).expect("output");
    assert_eq!(path, "src,dst\n8,9\n");
}

#[test]
fn run_refuses_bad_csv_without_writing_anything() {
    let dir = tc_dir();
    std::fs::write(dir.path().join("edge.csv"), "src,dst\n1,2\n2,three\n").expect("write");
    let out = foldc(&["run", "tc.fold", "--out", "results"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("edge.csv:3:3: field `dst`"), "{err}");
    assert!(!dir.path().join("results").exists());
}

#[test]
fn run_names_an_unknown_input_category() {
    let dir = tc_dir();
    let out = foldc(&["run", "tc.fold", "--input", "edges=edge.csv"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no category `edges`"), "{err}");
    assert!(err.contains("edge, path"), "{err}");
}

#[test]
fn run_refuses_a_program_with_errors() {
    let dir = tc_dir();
    std::fs::write(
        dir.path().join("bad.fold"),
        "data a(x: int)\nb(x) :- a(x).\n",
    )
    .expect("write");
    let out = foldc(&["run", "bad.fold"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("has errors; nothing was run"));
}

#[test]
fn a_missing_program_file_is_a_clear_error() {
    let dir = tc_dir();
    let out = foldc(&["check", "nope.fold"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read `nope.fold`"));
}

#[test]
fn test_reports_each_example_and_fails_on_a_wrong_one() {
    let dir = tc_dir();
    let src = format!(
        "{TC}example path hit: edge(1, 2) => path(1, 2)\n\
         example path hit: edge(1, 2) => path(2, 1)\n\
         example path near_miss: edge(1, 2), edge(3, 4)\n\
         example path miss: edge(7, 8), path(1, 3)\n"
    );
    std::fs::write(dir.path().join("ex.fold"), src).expect("write");
    let out = foldc(&["test", "ex.fold"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "ok    path hit (line 7)", "{stdout}");
    assert_eq!(
        lines[1], "FAIL  path hit (line 8): expected path(2, 1), found path(1, 2)",
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("FAIL  path near_miss (line 9): a near miss must find nothing"),
        "{stdout}"
    );
    assert!(
        lines[3].starts_with("FAIL  path miss (line 10): a miss must find nothing"),
        "{stdout}"
    );
    assert_eq!(lines[4], "ex.fold: 1 of 4 examples passed", "{stdout}");
}

#[test]
fn doc_lists_builtins_and_names_an_unknown_one() {
    let dir = tc_dir();
    let all = foldc(&["doc"], dir.path());
    assert!(all.status.success());
    let text_all = text(&all.stdout);
    for sig in [
        "### `split(str, str) -> [str]`",
        "### `len([T]) -> int`",
        "### `words(str) -> [str]`",
    ] {
        assert!(text_all.contains(sig), "{sig} missing");
    }
    let one = foldc(&["doc", "range"], dir.path());
    assert!(text(&one.stdout).starts_with("range(int, int) -> [int]"));
    let none = foldc(&["doc", "nope"], dir.path());
    assert_eq!(none.status.code(), Some(1));
    assert!(text(&none.stderr).contains("no builtin named `nope`"));
}

#[test]
fn both_backends_write_the_same_files_and_stats_show_the_backend() {
    let dir = tc_dir();
    let mut outputs = Vec::new();
    for backend in ["jit", "interp"] {
        let out_dir = format!("out-{backend}");
        let run = foldc(
            &[
                "run",
                "tc.fold",
                "--out",
                &out_dir,
                "--backend",
                backend,
                "--stats",
                "--timings",
                "--quiet",
            ],
            dir.path(),
        );
        assert!(run.status.success(), "{}", text(&run.stderr));
        let stdout = text(&run.stdout);
        let stderr = text(&run.stderr);
        let line = match backend {
            "jit" => "backend: jit, 3 of 3 handlers native, 0 fell back to the interpreter",
            _ => "backend: interpreter (3 handlers)",
        };
        assert!(stdout.contains(line), "{stdout}");
        for stage in ["parse", "check", "lower", "codegen", "evaluation"] {
            assert!(stderr.contains(&format!("{stage} ")), "{stage}: {stderr}");
        }
        outputs.push(
            std::fs::read_to_string(dir.path().join(out_dir).join("path.csv")).expect("path.csv"),
        );
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], "src,dst\n1,2\n1,3\n2,3\n");
}

#[test]
fn emit_clif_prints_one_function_per_handler() {
    let dir = tc_dir();
    let out = foldc(&["emit", "clif", "tc.fold"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let clif = text(&out.stdout);
    assert_eq!(
        clif.matches("\nfunction ").count() + usize::from(clif.starts_with("function ")),
        3,
        "{clif}"
    );
    assert!(
        clif.contains("; handler 2: rule path@6 position 1 on edge"),
        "{clif}"
    );
    assert!(clif.contains("fold_emit"), "{clif}");
}

#[test]
fn emit_of_a_program_that_does_not_parse_shows_what_it_can_and_exits_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("open.fold"), "data a(x: int\na(1).\n").expect("write");
    std::fs::write(d.join("quote.fold"), "data a(x: str)\na(\"x).\n").expect("write");
    for (stage, prog, code) in [
        ("ast", "open.fold", "E0001"),
        ("tokens", "quote.fold", "E0003"),
        ("ast", "quote.fold", "E0003"),
    ] {
        let out = foldc(&["emit", stage, prog], d);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "emit {stage} {prog}:\n{err}");
        assert!(err.contains(code), "{err}");
        assert!(!text(&out.stdout).is_empty(), "emit {stage} still prints");
    }
    // A program that parses but does not check: its tree is whole.
    std::fs::write(d.join("types.fold"), "data a(x: int)\na(\"x\").\n").expect("write");
    let out = foldc(&["emit", "ast", "types.fold"], d);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = foldc(&["emit", "tokens", "types.fold"], d);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_program_file_may_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bom.fold"),
        "\u{feff}data n(x: int)\nn(1).\noutput n\n",
    )
    .expect("write");
    let out = foldc(&["run", "bom.fold", "-q"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "n (1 facts)\n  n(1)\n");
}

#[test]
fn an_output_path_that_is_a_file_or_an_empty_input_is_a_clear_error() {
    let dir = tc_dir();
    let d = dir.path();
    std::fs::write(d.join("taken"), "mine").expect("write");
    assert_eq!(
        refused(&["run", "tc.fold", "--out", "taken", "-q"], d),
        "error: cannot write taken: it is a file, not a folder"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("taken")).expect("kept"),
        "mine"
    );
    assert_eq!(
        refused(&["run", "tc.fold", "--input", "edge=", "-q"], d),
        "error: `--input edge=`: no file after `=` (expected CAT=FILE)"
    );
}

#[test]
fn a_thread_count_beyond_reason_is_refused() {
    let dir = tc_dir();
    let out = foldc(&["run", "tc.fold", "--threads", "5000"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("5000 is not in 0..=1024"),
        "{}",
        text(&out.stderr)
    );
}

/// Standard error that cannot be written (a full disk) loses messages,
/// never the run: the exit code still says how it went.
#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_error_is_not_a_panic() {
    let dir = tc_dir();
    for (args, code) in [
        (&["run", "tc.fold", "--stats"][..], 0),
        (&["run", "missing.fold"][..], 1),
        (&["check", "tc.fold"][..], 0),
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_foldc"))
            .args(args)
            .current_dir(dir.path())
            .stderr(full)
            .output()
            .expect("foldc runs");
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn bench_times_each_example_under_both_backends() {
    let dir = tc_dir();
    let src = format!(
        "{TC}example path hit: path(1, 2), edge(2, 3) => path(1, 3)\n\
         example path miss: path(1, 2), edge(5, 6)\n"
    );
    std::fs::write(dir.path().join("ex.fold"), src).expect("write");
    let out = foldc(
        &["bench", "ex.fold", "--samples", "3", "--sample-us", "200"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let mut lines = table.lines();
    let head = lines.next().unwrap_or_default();
    for col in [
        "example",
        "handler",
        "events",
        "interp ns/event",
        "jit ns/event",
        "speedup",
    ] {
        assert!(head.contains(col), "{table}");
    }
    assert!(table.contains("path hit (line 7)"), "{table}");
    assert!(table.contains("path miss (line 8)"), "{table}");
    assert!(!table.contains("interpreted"), "{table}");
}

/// `foldc emit tokens big.fold | head -1`: the reader leaves after one
/// line; foldc stops printing and exits 0, without a panic.
#[test]
fn a_reader_that_leaves_early_stops_output_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut src = String::from("data edge(src: int, dst: int)\n");
    for i in 0..20_000 {
        src.push_str(&format!("edge({i}, {}).\n", i + 1));
    }
    std::fs::write(dir.path().join("big.fold"), src).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_foldc"))
        .args(["emit", "tokens", "big.fold"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn foldc");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    assert!(first.contains("data"), "{first}");
    // The pipe is closed here, with most of the output unread.
    let out = child.wait_with_output().expect("foldc exits");
    let err = text(&out.stderr);
    assert!(out.status.success(), "{:?}: {err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
}

/// Expressions may nest up to `MAX_NESTING` levels (a chain of additions
/// nests one level per `+`): that deep, both backends run the program; one
/// level more is an error, never a stack overflow.
#[test]
fn deep_expressions_run_up_to_the_limit_and_are_refused_past_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // The rule's `y = ...` item is one level, each `+` one, `x` the last.
    let chain = |ops: usize| {
        format!(
            "data e(a: int)\ndata o(a: int)\noutput o\ne(1).\n\
             o(y) :- e(x), y = x{}.\n",
            " + 1".repeat(ops)
        )
    };
    let limit = fold_grammar::MAX_NESTING;
    std::fs::write(d.join("deep.fold"), chain(limit - 2)).expect("write");
    for backend in ["jit", "interp"] {
        let out = ok(
            &[
                "run",
                "deep.fold",
                "--backend",
                backend,
                "--out",
                backend,
                "-q",
            ],
            d,
        );
        assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
        assert_eq!(
            std::fs::read_to_string(d.join(backend).join("o.csv")).expect("read"),
            format!("a\n{}\n", limit - 1)
        );
    }
    std::fs::write(d.join("deeper.fold"), chain(limit - 1)).expect("write");
    let out = foldc(&["check", "deeper.fold"], d);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("[E0005] Error: expressions nest more than 10000 levels deep"),
        "{err}"
    );
    assert!(!err.contains("overflow"), "{err}");
    // List types count too: `[[...[int]...]]` one level per bracket.
    let nested = |n: usize| format!("data o(a: {}int{})\n", "[".repeat(n), "]".repeat(n));
    std::fs::write(d.join("types.fold"), nested(limit)).expect("write");
    let out = foldc(&["check", "types.fold"], d);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[E0005]"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(d.join("types.fold"), nested(limit - 1)).expect("write");
    let out = foldc(&["check", "types.fold"], d);
    assert!(
        !text(&out.stderr).contains("[E0005]"),
        "{}",
        text(&out.stderr)
    );
}

/// A fact given to `explain` with the wrong number of fields: the message
/// counts right, and where the category is declared (in the program, not
/// in the fact's text) comes as a note rather than a label past the fact.
#[test]
fn explain_names_a_wrong_field_count_without_drawing_on_the_program() {
    let dir = tc_dir();
    let d = dir.path();
    ok(&["run", "tc.fold", "--db", "db", "-q"], d);
    let out = foldc(&["explain", "tc.fold", "--db", "db", "path(1)"], d);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("`path` has 2 fields, but 1 was given"),
        "{err}"
    );
    assert!(
        err.contains("Note: declared as `path(src: int, dst: int)`"),
        "{err}"
    );
    assert_eq!(err.matches('╰').count(), 1, "one label, on the fact: {err}");
}

/// `check --split`: the placements on a key that decomposes (exit 0, also
/// as JSON), the rule that breaks one that does not (exit 1, E0801), and
/// a key naming no input field (exit 2, E0800).
#[test]
fn check_split_gives_placements_or_the_rule_that_breaks_them() {
    let dir = tc_dir();
    let d = dir.path();
    std::fs::write(d.join("seed.csv"), "s\n1\n").expect("write seeds");
    let program = format!(
        "{TC}data seed(s: int)\ndata reach(s: int, x: int)\ninput seed from \"seed.csv\"\n\
         output reach\nreach(s, s) :- seed(s).\nreach(s, y) :- reach(s, x), edge(x, y).\n"
    );
    std::fs::write(d.join("reach.fold"), program).expect("write program");
    let out = text(&ok(&["check", "reach.fold", "--split", "seed.s"], d).stdout);
    assert!(out.contains("reach  split on s"), "{out}");
    assert!(out.contains("edge   whole on every shard"), "{out}");
    assert!(out.contains("path   whole on every shard"), "{out}");
    let json = text(
        &ok(
            &[
                "check",
                "reach.fold",
                "--split",
                "seed.s",
                "--format",
                "json",
            ],
            d,
        )
        .stdout,
    );
    let v: serde_json::Value = serde_json::from_str(json.trim()).expect("one JSON object");
    assert_eq!(v["decomposes"], true);
    assert_eq!(v["categories"][3]["category"], "reach", "{v}");
    assert_eq!(v["categories"][3]["fields"][0], "s", "{v}");

    let broken = foldc(&["check", "reach.fold", "--split", "edge.src"], d);
    assert_eq!(broken.status.code(), Some(1));
    let err = text(&broken.stderr);
    assert!(err.contains("[E0801]") && err.contains("path@"), "{err}");
    assert!(err.contains("does not decompose on `edge.src`"), "{err}");

    let bad = foldc(&["check", "reach.fold", "--split", "reach.s"], d);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("error[E0800]"));
}
