//! Every route, every error status, and the routes of the first service
//! kept as aliases; inserts durable when answered.

use serde_json::json;

use crate::client::{request, Server};
use crate::{clean_run, exported, tc_dir};

const JSON: &str = "application/json";
const CSV: &str = "text/csv";

/// The `src,dst` pairs of a page of facts.
fn pairs(page: &serde_json::Value) -> Vec<(i64, i64)> {
    page["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .map(|f| {
            (
                f["src"].as_i64().expect("src"),
                f["dst"].as_i64().expect("dst"),
            )
        })
        .collect()
}

#[test]
fn every_route_answers_and_every_error_has_its_status() {
    let dir = tc_dir();
    let d = dir.path();
    let s = Server::start(d, "tc.fold", &[]);
    let secret_path = d.display().to_string();

    assert_eq!(s.json("/healthz")["status"], "ok");
    let cats = s.json("/categories");
    assert_eq!(
        cats["categories"],
        json!([
            {"name": "edge", "fields": [{"name": "src", "type": "int"}, {"name": "dst", "type": "int"}],
             "count": 1, "derived": false, "keyed": false, "offset": 1},
            {"name": "path", "fields": [{"name": "src", "type": "int"}, {"name": "dst", "type": "int"}],
             "count": 1, "derived": true, "keyed": false, "offset": 1},
        ])
    );

    // JSON insert: two new edges of three; the rules find five paths.
    let r = s.post(
        "/categories/edge/facts",
        JSON,
        r#"[{"src": 2, "dst": 3}, {"src": 3, "dst": "4"}, {"src": 1, "dst": 2}]"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(
        (&r["read"], &r["new"], &r["superseded"], &r["derived"]),
        (&json!(3), &json!(2), &json!(0), &json!(5)),
        "{r}"
    );
    assert_eq!((&r["facts"], &r["change"]), (&json!(9), &json!(7)));
    // CSV insert.
    let r = s.post("/categories/edge/facts", CSV, "src,dst\n4,5\n");
    assert_eq!((r.status, &r.json()["new"]), (200, &json!(1)), "{}", r.body);
    assert_eq!(
        s.json("/categories/path/count"),
        json!({"category": "path", "count": 10})
    );

    // Equality, range, order, paging.
    let page = s.json("/categories/path/facts?src=1");
    assert_eq!(pairs(&page), [(1, 2), (1, 3), (1, 4), (1, 5)]);
    assert_eq!(
        (&page["order"], &page["next"]),
        (&json!(["src", "dst"]), &json!(null))
    );
    let page = s.json("/categories/path/facts?dst=4");
    assert_eq!(pairs(&page), [(1, 4), (2, 4), (3, 4)]);
    assert_eq!(page["order"], json!(["dst", "src"]));
    let page = s.json("/categories/path/facts?src.ge=2&src.lt=4&dst.gt=3");
    assert_eq!(pairs(&page), [(2, 4), (2, 5), (3, 4), (3, 5)]);
    let mut all = Vec::new();
    let mut next = String::new();
    let mut pages = 0;
    loop {
        let page = s.json(&format!("/categories/path/facts?limit=3{next}"));
        all.extend(pairs(&page));
        pages += 1;
        match page["next"].as_str() {
            Some(c) => next = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), 10);

    // Errors: status and a message naming the place, no server path.
    let cases: &[(&str, &str, &str, &str, u16, &str)] = &[
        (
            "GET",
            "/categories/path/facts?src=x",
            "",
            "",
            400,
            "field `src`",
        ),
        (
            "GET",
            "/categories/path/facts?weight=1",
            "",
            "",
            400,
            "no field `weight`",
        ),
        (
            "GET",
            "/categories/path/facts?limit=0",
            "",
            "",
            400,
            "`limit`",
        ),
        (
            "GET",
            "/categories/path/facts?cursor=zz",
            "",
            "",
            400,
            "`cursor`",
        ),
        (
            "GET",
            "/categories/nope/count",
            "",
            "",
            404,
            "no category `nope`",
        ),
        ("GET", "/nowhere", "", "", 404, "no route"),
        (
            "DELETE",
            "/categories/edge/facts",
            "",
            "",
            405,
            "takes GET,POST only",
        ),
        (
            "POST",
            "/categories/edge/facts",
            "text/plain",
            "src,dst\n7,8\n",
            415,
            "application/json",
        ),
        (
            "POST",
            "/categories/edge/facts",
            JSON,
            r#"[{"src": 7, "dst": 8}, {"src": 9, "dst": "x"}]"#,
            400,
            "fact 2, field `dst`",
        ),
        (
            "POST",
            "/categories/edge/facts",
            JSON,
            r#"[{"src": 7}]"#,
            400,
            "fact 1, field `dst`: missing",
        ),
        (
            "POST",
            "/categories/edge/facts",
            JSON,
            r#"[{"src": 7, "dst": 8, "w": 1}]"#,
            400,
            "no field `w`",
        ),
        (
            "POST",
            "/categories/edge/facts",
            JSON,
            r#"{"src": 7}"#,
            400,
            "not a JSON array",
        ),
        (
            "POST",
            "/categories/edge/facts",
            CSV,
            "src,dst\n7,8\n8,x\n",
            400,
            "fact 2 (line 3), field `dst`",
        ),
        (
            "POST",
            "/categories/path/facts",
            CSV,
            "src,dst\n7,8\n",
            409,
            "derived",
        ),
        (
            "GET",
            "/explain?fact=path(1,%209)",
            "",
            "",
            404,
            "does not hold",
        ),
        ("GET", "/explain?fact=nope(1)", "", "", 400, "not a fact"),
        ("GET", "/explain", "", "", 400, "`fact=`"),
        (
            "GET",
            "/categories/edge/changes?after=x",
            "",
            "",
            400,
            "`after`",
        ),
    ];
    for &(method, path, kind, body, status, says) in cases {
        let headers: Vec<(&str, &str)> = if kind.is_empty() {
            vec![]
        } else {
            vec![("Content-Type", kind)]
        };
        let r = request(s.port, method, path, &headers, body.as_bytes());
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        let error = r.json()["error"].as_str().expect("error").to_string();
        assert!(error.contains(says), "{method} {path}: {error}");
        assert!(!error.contains(&secret_path), "{error}");
        if status == 405 {
            assert_eq!(r.header("allow"), Some("GET,POST"));
        }
    }
    // Nothing of a refused insert went in.
    assert_eq!(s.json("/categories/edge/count")["count"], 4);

    let why = s.json("/explain?fact=path(1,%203)");
    let tree = why["explanation"].as_str().expect("tree");
    assert!(
        tree.starts_with("path(1, 3)  — found by the rule"),
        "{tree}"
    );
    assert!(tree.contains("edge(2, 3)"), "{tree}");
    let stats = s.json("/stats");
    assert_eq!(stats["facts"], 14);
    assert!(stats["stats"]["handlers"]
        .as_array()
        .is_some_and(|h| !h.is_empty()));
    let metrics = s.get("/metrics").body;
    for line in [
        "fold_facts{category=\"path\"} 10",
        "fold_inserts_total 2",
        "fold_http_requests_total{route=\"/categories/{cat}/facts\",status=\"200\"}",
        "fold_insert_seconds_count 2",
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    let doc = s.json("/openapi.json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/categories",
        "/categories/{cat}/facts",
        "/categories/{cat}/changes",
        "/explain",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }
    assert!(doc["paths"]["/categories/{cat}/facts"]["post"]["responses"]["415"].is_object());

    // The first service's routes, kept as aliases.
    assert_eq!(s.json("/count"), json!({"counts": {"edge": 4, "path": 10}}));
    assert_eq!(
        s.json("/count/path"),
        json!({"category": "path", "count": 10})
    );
    let r = s.get("/facts/path?src=1&dst=%34");
    assert_eq!((r.status, r.body.as_str()), (200, "src,dst\n1,4\n"));
    assert_eq!(s.get("/facts/path?src=%FF").status, 400);
    let r = request(s.port, "POST", "/insert/edge", &[], b"src,dst\n5,1\n");
    assert_eq!((r.status, &r.json()["new"]), (200, &json!(1)), "{}", r.body);

    // Killed without warning: every answered insert is in the database,
    // which equals one run over all the edges.
    s.kill9();
    let served = exported(d, "served");
    let edges = [(1, 2), (2, 3), (3, 4), (4, 5), (5, 1)];
    assert_eq!(served, clean_run(d, &edges, "once"));
    assert_eq!(served["path.csv"].lines().count(), 26);
}
